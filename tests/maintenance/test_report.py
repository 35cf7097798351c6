"""The maintenance management report: every figure equals sums computed here, independently,
from the records (occurrences, cycles' evaluations, incidents and state changes, cases and
their steps); the query count does not grow with the cases, activities and occurrences; the
workbook and the document's fields carry the same figures; the screen is the plan's readers'
only (another agency's plan is a 404), refuses a period outside the plan at its field."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.catalog.models import Application, Contract
from laksana.maintenance import report, report_output
from laksana.maintenance.models import (
    ActivityKind,
    Cycle,
    Executor,
    Occurrence,
    OccurrenceStatus,
    Schedule,
)
from laksana.monitoring.models import Incident, StateChange
from tests.maintenance.factories import activity, criterion, plan
from tests.monitoring.factories import monitor

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2027, 7, 15, 12, 0, tzinfo=WIB)
TODAY = NOW.date()
START, END = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
_refs = count(1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


def occ(act, due: dt.date, status: str = OccurrenceStatus.PLANNED, **fields: Any) -> Occurrence:
    return Occurrence.objects.create(
        activity=act,
        plan=act.plan,
        cycle_number=due.month,
        scheduled_on=due,
        due_on=due,
        status=status,
        **fields,
    )


def done(act, due: dt.date, done_at: dt.datetime, cost: int | None = None) -> Occurrence:
    return occ(act, due, OccurrenceStatus.DONE, done_at=done_at, cost=cost, report="ok")


def make_case(org, version, app, opened: dt.datetime, finished: dt.datetime | None, steps=()):
    case = Case.objects.create(
        agency=org.agency,
        version=version,
        reference=f"UJI-{next(_refs):06d}",
        title="Gangguan",
        requesting_unit=org.units["merek"],
        application=app,
        opened_by=org["merek_staf"],
        status=CaseStatus.FINISHED if finished else CaseStatus.RUNNING,
        state={},
        opened_at=opened,
        finished_at=finished,
    )
    for n, (status, due_at, completed_at) in enumerate(steps, 1):
        CaseStep.objects.create(
            case=case,
            step_key=f"s{n}",
            actor_key="jfu",
            status=status,
            activated_at=opened,
            due_at=due_at,
            completed_at=completed_at,
        )
    return case


def evaluation(crits, achieved, reasons=None, evidence=None):
    reasons = reasons or {}
    evidence = evidence or {}
    return [
        {
            "criterion": c.pk,
            "label": c.label,
            "kind": c.kind,
            "value": "99.7",
            "target": str(c.target) if c.target is not None else None,
            "computed": a,
            "achieved": a,
            "overridden": c.pk in reasons,
            "reason": reasons.get(c.pk, ""),
            "evidence": evidence.get(c.pk, ""),
        }
        for c, a in zip(crits, achieved, strict=True)
    ]


@pytest.fixture
def world(djki, versions, monkeypatch):
    """A year's plan of IPAS under its vendor's contract, with everything the report reads."""
    ipas = djki.applications["ipas"]
    contract = Contract.objects.get(application=ipas)
    contract.value = Decimal(150_000_000)
    contract.save()
    p = plan(ipas, contract=contract, budget_year=2027)
    server = activity(p, budget=Decimal(12_000_000))
    backup = activity(
        p,
        kind=ActivityKind.BACKUP_RESTORE_TEST,
        title="Uji pemulihan cadangan",
        executor=Executor.INTERNAL,
        schedule=Schedule.QUARTERLY,
        budget=Decimal(4_000_000),
    )
    patch = activity(
        p,
        kind=ActivityKind.SECURITY_UPDATE,
        title='=HYPERLINK("http://x")',  # a formula-like title: text in the workbook
        schedule=Schedule.DATES,
    )
    # Server: Jan on time, Feb late, Mar done 00:30 WIB the day after (late in WIB, on time
    # in UTC), Apr not done, May on time at 23:30 WIB (UTC: the same day), Jun overdue,
    # Jul 15 (today) and later pending.
    done(server, dt.date(2027, 1, 4), at(dt.date(2027, 1, 4)), 1_000_000)
    done(server, dt.date(2027, 2, 1), at(dt.date(2027, 2, 3)), 1_100_000)
    done(server, dt.date(2027, 3, 1), at(dt.date(2027, 3, 2), 0, 30), 900_000)
    occ(server, dt.date(2027, 4, 1), OccurrenceStatus.SKIPPED, report="server dipindah")
    done(server, dt.date(2027, 5, 3), at(dt.date(2027, 5, 3), 23, 30), 1_000_000)
    occ(server, dt.date(2027, 6, 1), OccurrenceStatus.OPEN)
    occ(server, TODAY, OccurrenceStatus.OPEN)
    occ(server, dt.date(2027, 8, 2))
    occ(server, dt.date(2028, 1, 3))  # after the plan: outside every period
    done(backup, dt.date(2027, 1, 4), at(dt.date(2027, 1, 4)), 500_000)
    done(backup, dt.date(2027, 4, 1), at(dt.date(2027, 3, 30)))  # early: on time, no cost
    occ(backup, dt.date(2027, 7, 1), OccurrenceStatus.SKIPPED, report="tidak sempat")
    occ(backup, dt.date(2027, 10, 1))
    done(patch, dt.date(2027, 2, 15), at(dt.date(2027, 2, 20)), 2_000_000)
    crits = [
        criterion(p),
        criterion(p, kind="judged", label="Dokumentasi lengkap", target=None),
    ]
    for n in range(1, 9):
        first = dt.date(2027, n, 1)
        last = dt.date(2027 + n // 12, n % 12 + 1, 1) - dt.timedelta(days=1)
        cycle = Cycle(
            plan=p,
            number=n,
            starts_on=first,
            ends_on=last,
            executor=Executor.VENDOR if n % 3 else Executor.INTERNAL,
        )
        if n <= 6:
            cycle.evaluation = evaluation(
                crits,
                [n != 3, n not in (2, 5)],
                reasons={crits[1].pk: "Vendor terlambat menyerahkan laporan"} if n == 5 else None,
                evidence={crits[1].pk: "Laporan bulanan"} if n == 1 else None,
            )
            cycle.evaluated_at = at(last + dt.timedelta(days=2))
        cycle.save()
    live_calls: list[int] = []
    real_live = report._live

    def live(cycle, now):
        live_calls.append(cycle.number)
        return evaluation(crits, [True, None])

    monkeypatch.setattr(report, "_live", live)
    # Monitoring: known from before the year; 135 min down in March, an hour in May.
    m = monitor(ipas)
    for when, new, old in (
        (at(dt.date(2026, 12, 31), 0), "up", "unknown"),
        (at(dt.date(2027, 3, 10), 10), "down", "up"),
        (at(dt.date(2027, 3, 10), 12, 15), "up", "down"),
        (at(dt.date(2027, 5, 1), 0), "down", "up"),
        (at(dt.date(2027, 5, 1), 1), "up", "down"),
    ):
        StateChange.objects.create(
            monitor=m,
            application_id=ipas.pk,
            at=when,
            detected_at=when,
            old_state=old,
            new_state=new,
        )
    other = Application.objects.create(
        agency=djki.agency, name="Aplikasi lain", owner_unit=djki.units["tiki"]
    )
    for app, started, ended in (
        (ipas, at(dt.date(2027, 3, 10), 10), at(dt.date(2027, 3, 10), 12, 15)),
        (ipas, at(dt.date(2027, 5, 1), 0), at(dt.date(2027, 5, 1), 1)),
        (ipas, at(dt.date(2026, 12, 30), 0), at(dt.date(2026, 12, 30), 1)),  # before
        (other, at(dt.date(2027, 3, 1), 0), at(dt.date(2027, 3, 1), 1)),  # another app
    ):
        Incident.objects.create(
            agency=djki.agency,
            application=app,
            started_at=started,
            detected_at=started,
            ended_at=ended,
            reason="HTTP 503",
        )
    v004 = djki.versions["sop-004-pemulihan-gagal-fungsi-ipas"]
    v000 = versions["sop-000-pemeliharaan-aplikasi"]
    C, X = StepStatus.COMPLETED, StepStatus.CANCELLED
    d = dt.date
    make_case(
        djki,
        v004,
        ipas,
        at(d(2027, 2, 1)),
        at(d(2027, 2, 3)),
        [(C, at(d(2027, 2, 2)), at(d(2027, 2, 1), 15)), (C, None, at(d(2027, 2, 3)))],
    )
    make_case(
        djki,
        v004,
        ipas,
        at(d(2027, 3, 1)),
        at(d(2027, 3, 5)),
        [(C, at(d(2027, 3, 2)), at(d(2027, 3, 4)))],
    )  # a step late
    make_case(
        djki, v004, ipas, at(d(2027, 4, 1)), None, [(StepStatus.ACTIVE, at(d(2027, 4, 2)), None)]
    )
    make_case(
        djki,
        v004,
        ipas,
        at(d(2026, 12, 20)),
        at(d(2027, 1, 5)),
        [(X, at(d(2026, 12, 21)), at(d(2027, 1, 5)))],
    )  # cancelled late: not counted
    make_case(djki, v004, ipas, at(d(2026, 11, 1)), at(d(2026, 12, 1)))  # before
    make_case(djki, v000, ipas, at(d(2027, 2, 1)), at(d(2027, 2, 2)))  # SOP 000: not a problem
    make_case(djki, v004, other, at(d(2027, 2, 1)), at(d(2027, 2, 2)))  # another application
    make_case(djki, v004, ipas, at(d(2027, 12, 30)), at(d(2028, 1, 2)))  # runs past the end
    return {
        "plan": p,
        "crits": crits,
        "live": live_calls,
        "djki": djki,
        "other": other,
        "real_live": real_live,
    }


# --- the figures, computed here from the records ----------------------------------------------


def expected(p, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Every figure of the report, by walking the records one by one."""
    acts: dict[int, dict[str, Any]] = {}
    for a in p.activities.all():
        acts[a.pk] = dict.fromkeys(("due", "on_time", "late", "overdue", "not_done", "pending"), 0)
        acts[a.pk]["cost"] = Decimal(0)
        acts[a.pk]["executor"] = a.executor
    for o in Occurrence.objects.filter(plan=p):
        if not start <= o.due_on <= end:
            continue
        row = acts[o.activity_id]
        row["due"] += 1
        if o.status == OccurrenceStatus.DONE:
            day = o.done_at.astimezone(WIB).date()
            row["on_time" if day <= o.due_on else "late"] += 1
            row["cost"] += o.cost or 0
        elif o.status == OccurrenceStatus.SKIPPED:
            row["not_done"] += 1
        elif o.due_on < TODAY:
            row["overdue"] += 1
        else:
            row["pending"] += 1
    lo, hi = at(start, 0), at(end + dt.timedelta(days=1), 0)
    cases = {"opened": 0, "finished": 0, "on_time": 0, "running": 0}
    for c in Case.objects.filter(application=p.application).select_related("version"):
        if c.version.procedure_key == "sop-000-pemeliharaan-aplikasi" or c.opened_at >= hi:
            continue
        cases["opened"] += lo <= c.opened_at
        if c.finished_at is None or c.finished_at >= hi:
            cases["running"] += 1
        if c.finished_at is not None and lo <= c.finished_at < hi:
            cases["finished"] += 1
            late = any(
                s.status == StepStatus.COMPLETED and s.due_at and s.completed_at > s.due_at
                for s in c.steps.all()
            )
            cases["on_time"] += not late
    incidents = [
        i for i in Incident.objects.filter(application=p.application) if lo <= i.started_at < hi
    ]
    return {"acts": acts, "cases": cases, "incidents": len(incidents)}


def test_every_figure_equals_the_records(world):
    p = world["plan"]
    r = report.data(p, now=NOW)
    want = expected(p, START, END)
    assert (r.start, r.end, r.today) == (START, END, TODAY)
    for line in r.activities:
        row = want["acts"][line.activity_id]
        got = {
            k: getattr(line, k)
            for k in ("due", "on_time", "late", "overdue", "not_done", "pending")
        }
        assert got == {k: row[k] for k in got}, line.title
        assert line.cost == row["cost"]
        assert line.due == line.on_time + line.late + line.overdue + line.not_done + line.pending
    server = r.activities[0]
    # Jan on time; Feb and Mar (00:30 WIB the next day) late; Apr not done; May (23:30 WIB)
    # on time; Jun overdue; Jul 15 and Aug pending; Jan 2028 outside.
    assert (server.due, server.on_time, server.late, server.not_done, server.overdue) == (
        8,
        2,
        2,
        1,
        1,
    )
    assert server.pending == 2 and server.cost == Decimal(4_000_000)
    assert server.on_time_share == Decimal("33.33")  # 2 of the 6 due by now
    assert r.due == sum(a["due"] for a in want["acts"].values()) == 13
    assert r.budget == Decimal(16_000_000) and r.contract_value == Decimal(150_000_000)
    by = {
        e: sum((a["cost"] for a in want["acts"].values() if a["executor"] == e), Decimal(0))
        for e in ("vendor", "internal")
    }
    assert r.cost_by_executor == by == {"vendor": Decimal(6_000_000), "internal": Decimal(500_000)}
    assert r.cost == Decimal(6_500_000)
    # Cases.
    assert (
        (r.cases.opened, r.cases.finished, r.cases.on_time, r.cases.running_at_end)
        == tuple(want["cases"].values())
        == (4, 3, 2, 2)
    )
    # Incidents and downtime per month.
    assert r.incidents == want["incidents"] == 2
    down = {m.month.month: m.down_seconds for m in r.months}
    assert down == {n: {3: 135 * 60, 5: 3600}.get(n, 0) for n in range(1, 13)}
    assert [m.incidents for m in r.months] == [0, 0, 1, 0, 1] + [0] * 7
    # Known up to now only (15 July 12:00 WIB): 195.5 days.
    assert r.known_seconds == int((NOW - at(START, 0)).total_seconds())
    assert r.months[7].known_seconds == 0 and r.months[7].uptime_percent is None
    assert r.uptime_percent == Decimal((r.known_seconds - 195 * 60) * 100) / Decimal(
        r.known_seconds
    )
    # Criteria per cycle: 6 evaluated, July computed live (provisional), August not begun.
    assert [c.number for c in r.cycles] == list(range(1, 9))
    assert world["live"] == [7]
    assert [(c.met, c.total, c.evaluated) for c in r.cycles] == [
        (2, 2, True),
        (1, 2, True),
        (1, 2, True),
        (2, 2, True),
        (1, 2, True),
        (2, 2, True),
        (1, 2, False),
        (0, 0, False),
    ]
    assert (r.criteria_met, r.criteria_total) == (10, 14)
    # The vendor: its activities (server, patch) due by now; its cycles (not 3, 6).
    assert r.vendor is not None and r.vendor.name == "PT Solusi IPAS Nusantara"
    assert (r.vendor.due, r.vendor.on_time) == (7, 2)
    assert (r.vendor.criteria_met, r.vendor.criteria_total) == (2 + 1 + 2 + 1 + 1, 10)
    texts = [(x.cycle, x.text) for x in r.recommendations]
    assert (5, "Vendor terlambat menyerahkan laporan") in texts
    assert (1, "Laporan bulanan") in texts
    assert any(x.cycle is None and "3" in x.text for x in r.recommendations)


def test_a_period_counts_only_its_days(world):
    p = world["plan"]
    start, end = dt.date(2027, 2, 1), dt.date(2027, 3, 31)
    r = report.data(p, start, end, now=NOW)
    want = expected(p, start, end)
    for line in r.activities:
        assert line.due == want["acts"][line.activity_id]["due"]
        assert line.cost == want["acts"][line.activity_id]["cost"]
    assert (r.due, r.on_time, r.late) == (3, 0, 3)
    assert [c.number for c in r.cycles] == [2, 3] and world["live"] == []
    assert [m.month for m in r.months] == [dt.date(2027, 2, 1), dt.date(2027, 3, 1)]
    assert r.incidents == 1 and r.down_seconds == 135 * 60
    assert (r.cases.opened, r.cases.finished, r.cases.on_time) == (2, 2, 1)
    with pytest.raises(ValueError):
        report.data(p, end, start, now=NOW)


def _grow(world, n: int) -> None:
    """n more cases, activities with occurrences, incidents."""
    p, djki = world["plan"], world["djki"]
    v004 = djki.versions["sop-004-pemulihan-gagal-fungsi-ipas"]
    ipas = p.application
    for i in range(n):
        day = dt.date(2027, 1 + i % 12, 1 + i % 28)
        make_case(
            djki,
            v004,
            ipas,
            at(day),
            at(day, 15) if i % 2 else None,
            [(StepStatus.COMPLETED, at(day, 12), at(day, 11 + i % 3))],
        )
        a = activity(p, title=f"Kegiatan {i}", budget=Decimal(1000))
        for month in (1, 4, 7):
            done(a, dt.date(2027, month, 5), at(dt.date(2027, month, 5 + i % 2)), 10)
        Incident.objects.create(
            agency=djki.agency,
            application=ipas,
            started_at=at(day, 3),
            detected_at=at(day, 3),
            ended_at=at(day, 4),
        )


def test_the_query_count_does_not_grow_with_cases_activities_occurrences(
    world, django_assert_max_num_queries
):
    p = world["plan"]
    counts = []
    for n in (2, 25):
        _grow(world, n)
        with CaptureQueriesContext(connection) as ctx:
            r = report.data(p, now=NOW)
        counts.append(len(ctx.captured_queries))
        assert r.cases.opened == expected(p, START, END)["cases"]["opened"]
    assert counts[0] == counts[1]
    # The plan, activities, occurrences, cycles, incidents, monitors, changes, windows, cases.
    with django_assert_max_num_queries(9):
        report.data(p, now=NOW)


def test_the_workbook_carries_the_same_figures(world):
    p = world["plan"]
    r = report.data(p, now=NOW)
    with translation.override("en"):
        book = load_workbook(io.BytesIO(report.xlsx(p, now=NOW)))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=5, values_only=True)}
    assert summary["Activities due"] == r.due == 13
    assert summary["Done on time"] == r.on_time
    assert summary["Criteria met"] == 10 and summary["Incidents"] == 2
    assert summary["Cost recorded (Rp)"] == 6_500_000
    assert summary["Vendor"] == "PT Solusi IPAS Nusantara"
    acts = list(book["Activities"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in acts] == [a.due for a in r.activities]
    # A formula-like title is text, never a formula.
    cell = book["Activities"]["A4"]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s" and cell.quotePrefix
    months = list(book["Months"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in months][2] == 135.0
    crit = list(book["Criteria"].iter_rows(min_row=2, values_only=True))
    assert len(crit) == r.criteria_total


def test_the_documents_fields_are_the_kinds(world):
    from laksana.documents import drafting
    from laksana.documents.kinds import kind_of

    p = world["plan"]
    fields = report.document_fields(p, now=NOW)
    kind = kind_of("laporan_manajemen_pemeliharaan")
    assert kind is not None
    assert drafting.clean_fields(kind, fields)  # every field is the kind's, and valid
    assert fields["application"] == "Industrial Property Automation System"
    assert fields["period"] == "1 Januari 2027 s.d. 31 Desember 2027"
    assert [a["due"] for a in fields["activities"]] == ["8", "4", "1"]
    assert [a["on_time"] for a in fields["activities"]] == ["2", "2", "0"]
    assert [a["late"] for a in fields["activities"]] == ["3", "0", "1"]  # late or overdue
    assert [a["not_done"] for a in fields["activities"]] == ["1", "1", "0"]
    assert fields["activities"][0]["cost"] == "Rp 4.000.000"
    assert len(fields["criteria"]) == 14  # 7 cycles of 2 criteria
    assert fields["criteria"][-1]["cycle"] == "7*"  # computed now
    assert [d["minutes"] for d in fields["downtime"]][2:5] == ["135.0", "0.0", "60.0"]
    assert "Vendor terlambat" in " ".join(fields["recommendations"])
    assert "PT Solusi IPAS Nusantara" in fields["vendor"]
    assert "4 dibuka" in fields["summary"] or "4" in fields["summary"]


def test_a_table_never_has_more_rows_than_a_document_holds(world):
    from laksana.maintenance.models import Criterion

    p = world["plan"]
    r = report.data(p, now=NOW)
    many = [{"criterion": n, "label": f"K{n}", "achieved": n % 2 == 0} for n in range(40)]
    r.cycles = [report.CycleLine(n, START, END, "vendor", True, tuple(many)) for n in range(1, 13)]
    rows = report_output.fields_of(r)["criteria"]
    assert len(rows) == 40 and rows[0] == {
        "cycle": "1–12",
        "criterion": "K0",
        "figure": "",
        "result": "tercapai pada 12 dari 12 siklus",
    }
    assert Criterion.objects.filter(plan=p).count() == 2  # nothing written


# --- the screen ------------------------------------------------------------------------------


def test_the_report_page_for_the_plans_readers(world, client, settings):
    p, djki = world["plan"], world["djki"]
    url = f"/pemeliharaan/rencana/{p.pk}/laporan/"
    assert reverse("maintenance:report", args=[p.pk]) == url
    assert reverse("maintenance:report_xlsx", args=[p.pk]) == url[:-1] + ".xlsx"
    client.force_login(djki["kasie_app"].user)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "PT Solusi IPAS Nusantara" in body
    assert "Vendor terlambat menyerahkan laporan" in body
    assert 'href="../laporan.xlsx?dari=2027-01-01&amp;sampai=2027-12-31"' in body
    sheet = client.get(
        f"/pemeliharaan/rencana/{p.pk}/laporan.xlsx?dari=2027-03-01&sampai=2027-03-31"
    )
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "laporan-pemeliharaan-" in sheet["Content-Disposition"]
    # The vendor's staff read their contract's plan.
    client.force_login(djki["ipasdev"].user)
    assert client.get(url).status_code == 200


def test_another_agencys_plan_is_not_found(world, client, bali):
    p = world["plan"]
    client.force_login(bali["kadis"].user)
    for path_ in (
        f"/pemeliharaan/rencana/{p.pk}/laporan/",
        f"/pemeliharaan/rencana/{p.pk}/laporan.xlsx",
    ):
        assert client.get(path_).status_code == 404
    assert client.get(f"/pemeliharaan/rencana/{2**63}/laporan/").status_code == 404
    assert client.get("/pemeliharaan/rencana/999999/laporan/").status_code == 404


def test_a_vendor_not_of_the_contract_reads_nothing(world, client):
    from laksana.catalog.models import Vendor
    from laksana.org.models import Person

    djki = world["djki"]
    other = Vendor.objects.create(agency=djki.agency, name="PT Lain")
    person = djki["ipasdev"]
    Person.objects.filter(pk=person.pk).update(vendor=other)
    client.force_login(person.user)
    assert client.get(f"/pemeliharaan/rencana/{world['plan'].pk}/laporan/").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("dari=2026-12-01", "dari"),
        ("sampai=2028-01-01", "sampai"),
        ("dari=2027-05-01&sampai=2027-04-01", "sampai"),
        ("dari=kemarin", "dari"),
        ("dari=2027-02-30", "dari"),
    ],
)
def test_a_bad_period_is_refused_at_its_field(world, client, query, field):
    client.force_login(world["djki"]["kasie_app"].user)
    p = world["plan"]
    for suffix in ("laporan/", "laporan.xlsx"):
        page = client.get(f"/pemeliharaan/rencana/{p.pk}/{suffix}?{query}")
        assert page.status_code == 400
        assert f'id="f-{field}-error"' in page.content.decode()
        assert "<svg" not in page.content.decode()


def test_the_page_is_indonesian(world, client):
    client.force_login(world["djki"]["kasie_app"].user)
    body = client.get(
        f"/pemeliharaan/rencana/{world['plan'].pk}/laporan/", HTTP_ACCEPT_LANGUAGE="id"
    ).content.decode()
    assert "Laporan manajemen pemeliharaan" in body
    assert "Rencana dan realisasi" in body
    assert "Rekomendasi" in body


def test_the_live_evaluation_uses_the_criteria_module(world, monkeypatch):
    """Without the patch the criteria module computes a begun cycle not evaluated yet."""
    from laksana.maintenance import criteria

    monkeypatch.setattr(report, "_live", world["real_live"])
    calls = []
    monkeypatch.setattr(
        criteria, "evaluate", lambda cycle, now=None: calls.append(cycle.number) or []
    )
    report.data(world["plan"], now=NOW)
    assert calls == [7]
    assert report_output.percent_text(None) == "-"
