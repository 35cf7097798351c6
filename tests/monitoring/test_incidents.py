"""Incidents and their recovery cases: one case per incident (SOP 004 of the agency, by its
monitoring account), the failed checks as its evidence, none during maintenance, none again
while the earlier case is open, recovery noted once, no procedure no case."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import threading

import pytest
from django.db import connection, connections

from laksana.cases.journal import verify_case
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    JournalEntry,
    JournalKind,
    Notification,
)
from laksana.demo.orgs import SOP_002, SOP_004
from laksana.monitoring import incidents, state
from laksana.monitoring.models import Incident, MonitoringSettings, State
from tests.monitoring.factories import T0, monitor, outcome, window

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


@pytest.fixture
def ipas(djki):
    return djki.applications["ipas"]


def fail(m, start, n, **kw):
    """n failed checks of m, a minute apart from start."""
    return [outcome(m, start + i * MIN, False, **kw) for i in range(n)]


def ok(m, start, n):
    return [outcome(m, start + i * MIN, True) for i in range(n)]


def kinds(case):
    return list(
        JournalEntry.objects.filter(case=case).order_by("seq").values_list("kind", flat=True)
    )


def test_an_application_going_down_opens_one_case_with_the_failed_checks(djki, ipas):
    m = monitor(ipas, name="IPAS produksi", fail_after=3)
    summary = state.record(
        [*ok(m, T0, 2), *fail(m, T0 + 5 * MIN, 3, detail="502", status_code=502)],
        now=T0 + 8 * MIN,
    )
    assert (summary.incidents_opened, summary.cases_opened) == (1, 1)
    incident = Incident.objects.get(application=ipas)
    assert (incident.started_at, incident.detected_at, incident.ended_at) == (
        T0 + 5 * MIN,
        T0 + 7 * MIN,
        None,
    )
    assert (incident.error, incident.reason) == ("status", "502")
    assert [e["at"] for e in incident.evidence] == [(T0 + i * MIN).isoformat() for i in (5, 6, 7)]
    case = incident.case
    assert case.version == djki.versions[SOP_004]
    assert case.application == ipas
    assert case.requesting_unit == ipas.owner_unit
    robot = case.opened_by
    assert (robot.name, robot.user, robot.agency_id) == ("Pemantauan Laksana", None, djki.agency.pk)
    assert MonitoringSettings.objects.get(agency=djki.agency).robot == robot
    assert case.title == "Gangguan IPAS: HTTP 502"
    assert "Pemeriksaan yang gagal:" in case.description
    assert "IPAS produksi pada 2026-03-02 10:05:00 WIB: HTTP 502" in case.description
    # The evidence: a CSV on the first active step, under its first artifact, in the journal.
    attachment = Attachment.objects.get(case=case)
    assert (attachment.step.step_key, attachment.artifact_key) == ("s1", "laporan_pengaduan")
    content = attachment.file.read()
    assert hashlib.sha256(content).hexdigest() == attachment.sha256
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["monitor", "name", "target", "at", "status", "latency_ms", "error", "reason"]
    assert [r[4] for r in rows[1:]] == ["502", "502", "502"]
    assert rows[1][7] == "HTTP 502"
    added = JournalEntry.objects.get(case=case, kind=JournalKind.FILE_ADDED)
    assert (added.data["sha256"], added.data["attachment"], added.data["step"]) == (
        attachment.sha256,
        attachment.pk,
        "s1",
    )
    assert verify_case(Case.objects.get(pk=case.pk)) is None
    # More failures: no second incident, no second case.
    state.record(fail(m, T0 + 8 * MIN, 5), now=T0 + 13 * MIN)
    assert Incident.objects.count() == 1 and Case.objects.count() == 1


def test_recovery_is_noted_once_and_the_people_are_told(djki, ipas):
    m = monitor(ipas, fail_after=2, recover_after=2)
    state.record(fail(m, T0, 2), now=T0 + MIN)
    case = Incident.objects.get().case
    before = Notification.objects.filter(case=case).count()
    summary = state.record(ok(m, T0 + 135 * MIN, 2), now=T0 + 136 * MIN)
    assert summary.recoveries == 1
    incident = Incident.objects.get()
    assert (incident.ended_at, incident.recovery_noted) == (T0 + 135 * MIN, True)
    recovered = JournalEntry.objects.get(case=case, kind=JournalKind.RECOVERED)
    assert recovered.data == {
        "at": (T0 + 135 * MIN).isoformat(),
        "incident": incident.pk,
        "downtime_minutes": 135,
        "reason": "HTTP 500",
    }
    assert recovered.actor.name == "Pemantauan Laksana"
    told = Notification.objects.filter(case=case).exclude(pk__lte=0).count() - before
    # The holders of the active first step (the requesting unit's people with a sign-in).
    assert told == case.requesting_unit.members.filter(user__isnull=False).count() > 0
    assert (
        Notification.objects.filter(case=case, message__contains="pulih otomatis").count() == told
    )
    # Still up: nothing more.
    state.record(ok(m, T0 + 140 * MIN, 3), now=T0 + 143 * MIN)
    assert JournalEntry.objects.filter(case=case, kind=JournalKind.RECOVERED).count() == 1
    # The case stays open: the people confirm the recovery by its steps.
    case.refresh_from_db()
    assert case.status == CaseStatus.RUNNING


def test_flapping_within_one_open_case(djki, ipas):
    m = monitor(ipas, fail_after=1, recover_after=1)
    times = [T0, T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN]
    summaries = [state.record([outcome(m, at, i % 2 == 1)], now=at) for i, at in enumerate(times)]
    assert [s.incidents_opened for s in summaries] == [1, 0, 1, 0]
    assert [s.cases_opened for s in summaries] == [1, 0, 0, 0]
    assert [s.recoveries for s in summaries] == [0, 1, 0, 1]
    assert Case.objects.count() == 1
    first, second = Incident.objects.order_by("started_at")
    assert first.case_id == second.case_id and (first.case_reused, second.case_reused) == (
        False,
        True,
    )
    case = first.case
    journal = kinds(case)
    monitoring = [k for k in journal if k in ("recovered", "down_again")]
    assert monitoring == ["recovered", "down_again", "recovered"]
    down_again = JournalEntry.objects.get(case=case, kind=JournalKind.DOWN_AGAIN)
    assert down_again.data == {
        "at": times[2].isoformat(),
        "incident": second.pk,
        "reason": "HTTP 500",
    }
    # One notice per person per event, no duplicates.
    people = case.requesting_unit.members.filter(user__isnull=False).count()
    for text in ("pulih otomatis", "terganggu lagi"):
        notes = Notification.objects.filter(case=case, message__contains=text)
        per_event = 2 if text == "pulih otomatis" else 1
        assert notes.count() == people * per_event
        assert notes.values("person", "created_at").distinct().count() == notes.count()
    assert verify_case(Case.objects.get(pk=case.pk)) is None


def test_a_new_case_once_the_earlier_one_is_finished(ipas):
    m = monitor(ipas, fail_after=1, recover_after=1)
    state.record([outcome(m, T0, False)], now=T0)
    state.record([outcome(m, T0 + MIN, True)], now=T0 + MIN)
    Case.objects.update(status=CaseStatus.FINISHED)
    state.record([outcome(m, T0 + 2 * MIN, False)], now=T0 + 2 * MIN)
    assert Case.objects.count() == 2
    newest = Incident.objects.order_by("-started_at").first()
    assert newest.case_reused is False and newest.case.status == CaseStatus.RUNNING


def test_no_case_during_maintenance_and_the_case_when_the_window_ends(ipas):
    m = monitor(ipas, fail_after=2)
    window(ipas, T0 - 10 * MIN, T0 + 30 * MIN)
    summary = state.record(fail(m, T0, 2), now=T0 + MIN)
    assert (summary.incidents_opened, summary.cases_opened) == (1, 0)
    incident = Incident.objects.get()
    assert (incident.in_maintenance, incident.case) == (True, None)
    assert incidents.open_pending_cases(now=T0 + 20 * MIN) == 0
    # The window is over and the application still down: the case now, once.
    assert incidents.open_pending_cases(now=T0 + 31 * MIN) == 1
    assert incidents.open_pending_cases(now=T0 + 32 * MIN) == 0
    incident.refresh_from_db()
    assert incident.case is not None and Case.objects.count() == 1


def test_down_and_up_inside_a_window_opens_no_case(ipas):
    m = monitor(ipas, fail_after=1, recover_after=1)
    window(ipas, T0 - MIN, T0 + 30 * MIN)
    state.record([outcome(m, T0, False)], now=T0)
    state.record([outcome(m, T0 + 5 * MIN, True)], now=T0 + 5 * MIN)
    assert incidents.open_pending_cases(now=T0 + 40 * MIN) == 0
    assert Case.objects.count() == 0
    incident = Incident.objects.get()
    assert incident.ended_at == T0 + 5 * MIN and incident.recovery_noted is False


def test_no_procedure_published_keeps_the_incident_without_a_case(djki, bali):
    # Bali runs SOP 002 but not SOP 004; DJKI's SOP 004 is not Bali's to run.
    app = next(iter(bali.applications.values()))
    m = monitor(app, fail_after=1)
    summary = state.record([outcome(m, T0, False)], now=T0)
    assert (summary.incidents_opened, summary.cases_opened) == (1, 0)
    incident = Incident.objects.get()
    assert (incident.case, incident.in_maintenance) == (None, False)
    assert Case.objects.count() == 0
    # The agency binds its SOP 002 to monitoring: the pending incident gets its case.
    MonitoringSettings.objects.filter(agency=bali.agency).update(procedure_key=SOP_002)
    assert incidents.open_pending_cases(now=T0 + MIN) == 1
    case = Incident.objects.get().case
    assert case.agency == bali.agency and case.version == bali.versions[SOP_002]
    assert case.opened_by.agency == bali.agency


def test_the_reporting_unit_is_the_requesting_unit(djki, ipas):
    tu = djki.units["tu"]
    MonitoringSettings.objects.create(agency=djki.agency, reporting_unit=tu)
    m = monitor(ipas, fail_after=1)
    state.record([outcome(m, T0, False)], now=T0)
    case = Incident.objects.get().case
    assert case.requesting_unit == tu and case.opened_by.unit == tu


def test_an_application_is_down_while_any_counted_monitor_is(ipas):
    web = monitor(ipas, name="web", fail_after=3, recover_after=1)
    api = monitor(ipas, name="api", fail_after=1, recover_after=1)
    staging = monitor(ipas, name="staging", fail_after=1, counts_for_application=False)
    state.record([outcome(staging, T0, False)], now=T0)
    assert Incident.objects.count() == 0
    # web begins failing at T0 but is counted after api, which fails at T0+1 and opens it.
    state.record([*fail(web, T0, 3), outcome(api, T0 + MIN, False)], now=T0 + 2 * MIN)
    incident = Incident.objects.get()
    assert incident.started_at == T0  # the earliest down change
    assert incident.detected_at == T0 + MIN
    assert [e["name"] for e in incident.evidence] == ["api"]
    state.record([outcome(api, T0 + 3 * MIN, True)], now=T0 + 3 * MIN)
    assert Incident.objects.get().ended_at is None  # web still down
    state.record([outcome(web, T0 + 4 * MIN, True)], now=T0 + 4 * MIN)
    assert Incident.objects.get().ended_at == T0 + 4 * MIN
    assert Case.objects.count() == 1


def test_a_remote_error_text_is_not_a_spreadsheet_formula(ipas):
    m = monitor(ipas, name="=HYPERLINK(1)", fail_after=1)
    state.record([outcome(m, T0, False, error="error", detail="=cmd|' /C calc'!A0")], now=T0)
    content = Attachment.objects.get().file.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert all(not cell.startswith("=") for cell in rows[1])


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_open_one_case(djki):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises the writers; the race needs PostgreSQL's row locks")
    ipas = djki.applications["ipas"]
    monitors = [monitor(ipas, name=f"m{i}", fail_after=1) for i in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(m):
        try:
            barrier.wait()
            state.record([outcome(m, T0, False)], now=T0)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(m,)) for m in monitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert Incident.objects.count() == 1
    assert Case.objects.count() == 1
    assert {m.state for m in type(monitors[0]).objects.all()} == {State.DOWN}
