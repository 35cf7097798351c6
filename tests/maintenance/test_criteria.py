"""Each computed acceptance criterion on hand-built records: availability from scripted
monitor state changes, cases finished within or over their time standard, activities due and
done, findings open at the period's end, a restore test in the quarter; and the periods a
criterion is measured over in a cycle."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.catalog.models import Application
from laksana.demo.orgs import SOP_000, SOP_003, build_university
from laksana.maintenance import criteria
from laksana.maintenance.models import (
    ActivityKind,
    CriterionKind,
    CriterionPeriod,
    Cycle,
    Occurrence,
    OccurrenceStatus,
)
from laksana.monitoring.models import Incident, State, StateChange
from laksana.quality import models as quality
from laksana.quality.models import Finding, FindingStatus, RunKind, ScenarioSet
from tests.maintenance import factories
from tests.monitoring import factories as monitoring

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2028, 1, 10, 3, 0, tzinfo=dt.UTC)  # everything measured is in the past
MARCH = (dt.date(2027, 3, 1), dt.date(2027, 3, 31))
_refs = itertools.count(1)


def wib(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)  # type: ignore[misc]


@pytest.fixture
def utn(db):
    return build_university()


@pytest.fixture
def plan(utn):
    return factories.plan(utn.applications["siakad"])


# --- availability ----------------------------------------------------------------------------


def _change(monitor, at: dt.datetime, old: str, new: str) -> None:
    StateChange.objects.create(
        monitor=monitor,
        application_id=monitor.application_id,
        at=at,
        detected_at=at,
        old_state=old,
        new_state=new,
    )


def test_availability_is_read_from_the_state_changes_windows_left_out(utn, plan) -> None:
    app = utn.applications["siakad"]
    web = monitoring.monitor(app, now=wib(2027, 1, 1))
    # Up since February; down 90 minutes on 10 March; down 60 minutes inside a window.
    _change(web, wib(2027, 2, 20), State.UNKNOWN, State.UP)
    _change(web, wib(2027, 3, 10, 10), State.UP, State.DOWN)
    _change(web, wib(2027, 3, 10, 11, 30), State.DOWN, State.UP)
    _change(web, wib(2027, 3, 20, 22), State.UP, State.DOWN)
    _change(web, wib(2027, 3, 20, 23), State.DOWN, State.UP)
    monitoring.window(app, wib(2027, 3, 20, 22), wib(2027, 3, 20, 23))
    Incident.objects.create(
        agency_id=app.agency_id,
        application=app,
        started_at=wib(2027, 3, 10, 10),
        detected_at=wib(2027, 3, 10, 10, 3),
        ended_at=wib(2027, 3, 10, 11, 30),
        reason="HTTP 500",
    )
    # Another application's long outage, and an incident before March: not counted.
    other = monitoring.monitor(utn.applications["lms"], now=wib(2027, 1, 1))
    _change(other, wib(2027, 3, 1), State.UNKNOWN, State.DOWN)
    Incident.objects.create(
        agency_id=app.agency_id,
        application=app,
        started_at=wib(2027, 2, 27, 10),
        detected_at=wib(2027, 2, 27, 10),
        ended_at=wib(2027, 2, 28, 23, 59),
    )
    good = factories.criterion(plan, target="99.5")
    figure = criteria.compute(good, *MARCH, now=NOW)
    known = 31 * 24 * 60 - 60
    assert figure.value == Decimal((known - 90) * 100) / Decimal(known)
    assert figure.achieved is True
    assert figure.figures["known_minutes"] == str(known)
    assert figure.figures["down_minutes"] == "90"
    assert figure.figures["maintenance_minutes"] == "60"
    assert [i["reason"] for i in figure.figures["incidents"]] == ["HTTP 500"]
    assert "99,798" in figure.text or "99.798" in figure.text
    strict = factories.criterion(plan, target="99.9")
    assert criteria.compute(strict, *MARCH, now=NOW).achieved is False


def test_availability_with_nothing_known_is_left_to_the_evaluator(utn, plan) -> None:
    figure = criteria.compute(factories.criterion(plan), *MARCH, now=NOW)
    assert figure.value is None and figure.achieved is None and figure.text


def test_availability_counts_no_time_after_now(utn, plan) -> None:
    web = monitoring.monitor(utn.applications["siakad"], now=wib(2027, 1, 1))
    _change(web, wib(2027, 2, 1), State.UNKNOWN, State.UP)
    _change(web, wib(2027, 3, 2), State.UP, State.DOWN)
    figure = criteria.compute(factories.criterion(plan), *MARCH, now=wib(2027, 3, 3))
    # 1 March up (1440 min), 2 March down (1440 min) up to now.
    assert figure.figures["known_minutes"] == "2880"
    assert figure.value == Decimal(50)


# --- cases on time ---------------------------------------------------------------------------


def _case(utn, key: str, app: Application, finished: dt.datetime | None, steps=()) -> Case:
    ref = f"UTN-T-{next(_refs)}"
    case = Case.objects.create(
        agency=utn.agency,
        version=utn.versions[key],
        reference=ref,
        title=ref,
        requesting_unit=utn.units["ft"],
        application=app,
        opened_by=utn["utn_ops1"],
        status=CaseStatus.FINISHED if finished else CaseStatus.RUNNING,
        state={},
        opened_at=wib(2027, 1, 5),
        finished_at=finished,
    )
    for n, (due, done, status) in enumerate(steps, 1):
        CaseStep.objects.create(
            case=case,
            step_key=f"s{n}",
            actor_key="x",
            status=status,
            activated_at=wib(2027, 1, 5),
            completed_at=done,
            due_at=due,
        )
    return case


def test_cases_finished_within_and_over_their_standard(utn, plan) -> None:
    app = utn.applications["siakad"]
    done = StepStatus.COMPLETED
    on_time = _case(
        utn, SOP_003, app, wib(2027, 3, 5), [(wib(2027, 3, 4, 10), wib(2027, 3, 4, 9), done)]
    )
    late = _case(
        utn,
        SOP_003,
        app,
        wib(2027, 3, 15),
        [(wib(2027, 3, 4, 10), wib(2027, 3, 4, 9), done), (wib(2027, 3, 8), wib(2027, 3, 9), done)],
    )
    # A step without a standard; a cancelled step past its due time counts for nothing.
    untimed = _case(
        utn,
        SOP_003,
        app,
        wib(2027, 3, 20),
        [(None, wib(2027, 3, 19), done), (wib(2027, 3, 1), None, StepStatus.CANCELLED)],
    )
    last_evening = _case(utn, SOP_003, app, wib(2027, 3, 31, 23, 30))
    # Finished at 00:30 on 1 April in Jakarta (still 31 March in UTC): April's.
    _case(utn, SOP_003, app, wib(2027, 4, 1, 0, 30), [(wib(2027, 3, 1), wib(2027, 4, 1), done)])
    _case(utn, SOP_000, app, wib(2027, 3, 10), [(wib(2027, 3, 1), wib(2027, 3, 9), done)])
    _case(utn, SOP_003, app, None, [(wib(2027, 3, 1), wib(2027, 3, 9), done)])
    _case(
        utn,
        SOP_003,
        utn.applications["lms"],
        wib(2027, 3, 10),
        [(wib(2027, 3, 1), wib(2027, 3, 9), done)],
    )
    rule = factories.criterion(plan, kind=CriterionKind.CASES_ON_TIME, target="80")
    figure = criteria.compute(rule, *MARCH, now=NOW)
    assert figure.value == Decimal(75)
    assert figure.achieved is False
    assert figure.figures == {
        "finished": [on_time.reference, late.reference, untimed.reference, last_evening.reference],
        "on_time": [on_time.reference, untimed.reference, last_evening.reference],
        "late": [late.reference],
    }
    assert "3" in figure.text and "4" in figure.text
    rule.target = Decimal(75)
    assert criteria.compute(rule, *MARCH, now=NOW).achieved is True


def test_no_case_finished_is_nothing_late(utn, plan) -> None:
    rule = factories.criterion(plan, kind=CriterionKind.CASES_ON_TIME, target="90")
    figure = criteria.compute(rule, *MARCH, now=NOW)
    assert figure.value is None and figure.achieved is True
    assert figure.figures == {"finished": [], "on_time": [], "late": []}


# --- activities on time ----------------------------------------------------------------------


def _occurrence(
    activity, due: dt.date, status: str, done_at: dt.datetime | None = None
) -> Occurrence:
    return Occurrence.objects.create(
        activity=activity,
        plan=activity.plan,
        cycle_number=due.month,
        scheduled_on=due,
        due_on=due,
        status=status,
        done_at=done_at,
    )


def test_activities_done_on_their_day_late_and_not_done(utn, plan) -> None:
    act = factories.activity(plan)
    done = OccurrenceStatus.DONE
    in_time = _occurrence(act, dt.date(2027, 3, 2), done, wib(2027, 3, 2, 23))
    # Done at 00:30 the next day in Jakarta (still the due day in UTC): late.
    late = _occurrence(act, dt.date(2027, 3, 3), done, wib(2027, 3, 4, 0, 30))
    skipped = _occurrence(act, dt.date(2027, 3, 10), OccurrenceStatus.SKIPPED)
    still_open = _occurrence(act, dt.date(2027, 3, 15), OccurrenceStatus.OPEN)
    _occurrence(act, dt.date(2027, 4, 1), done, wib(2027, 3, 30))  # due in April
    other_plan = factories.plan(utn.applications["lms"])
    _occurrence(factories.activity(other_plan), dt.date(2027, 3, 5), OccurrenceStatus.SKIPPED)
    rule = factories.criterion(plan, kind=CriterionKind.ACTIVITIES_ON_TIME, target="90")
    figure = criteria.compute(rule, *MARCH, now=NOW)
    assert figure.value == Decimal(25)
    assert figure.achieved is False
    assert figure.figures["on_time"] == [in_time.pk]
    assert figure.figures["late"] == [late.pk]
    assert figure.figures["not_done"] == [skipped.pk, still_open.pk]
    assert [d["done_on"] for d in figure.figures["due"]] == ["2027-03-02", "2027-03-04", None, None]


def test_a_share_is_exact_not_rounded(utn, plan) -> None:
    act = factories.activity(plan)
    for day in (1, 2, 3):
        status = OccurrenceStatus.DONE if day < 3 else OccurrenceStatus.SKIPPED
        _occurrence(act, dt.date(2027, 3, day), status, wib(2027, 3, day, 8) if day < 3 else None)
    rule = factories.criterion(plan, kind=CriterionKind.ACTIVITIES_ON_TIME, target="66.667")
    figure = criteria.compute(rule, *MARCH, now=NOW)
    assert figure.value == Decimal(200) / Decimal(3)
    # 66.666... is below 66.667 although it shows as 66,67.
    assert figure.achieved is False


# --- open findings ---------------------------------------------------------------------------


def _run(utn, app: Application) -> quality.TestRun:
    case = _case(utn, SOP_003, app, None)
    step = CaseStep.objects.create(
        case=case,
        step_key="uji",
        actor_key="x",
        status=StepStatus.ACTIVE,
        activated_at=wib(2027, 1, 5),
    )
    tests = ScenarioSet.objects.create(
        agency=utn.agency,
        application=app,
        name="Uji",
        created_at=wib(2027, 1, 5),
        updated_at=wib(2027, 1, 5),
    )
    return quality.TestRun.objects.create(
        agency=utn.agency,
        case=case,
        step=step,
        artifact_key="x",
        kind=RunKind.UAT,
        application=app,
        app_version="1",
        scenario_set=tests,
        set_revision=1,
        number=1,
        opened_by=utn["utn_ops1"],
        opened_at=wib(2027, 1, 5),
    )


_numbers = itertools.count(1)


def _finding(
    utn, run, severity: str, created: dt.datetime, closed: dt.datetime | None = None, **kw: Any
) -> Finding:
    return Finding.objects.create(
        agency=utn.agency,
        run=run,
        number=next(_numbers),
        severity=severity,
        title=f"Temuan {severity}",
        status=kw.pop("status", FindingStatus.CLOSED if closed else FindingStatus.OPEN),
        created_by=utn["utn_ops1"],
        created_at=created,
        closed_at=closed,
        **kw,
    )


def test_findings_open_at_the_periods_end_of_a_severity_or_worse(utn, plan) -> None:
    run = _run(utn, utn.applications["siakad"])
    critical = _finding(utn, run, "kritis", wib(2027, 3, 1))
    _finding(utn, run, "tinggi", wib(2027, 3, 1), wib(2027, 3, 20))  # closed in March
    closed_later = _finding(utn, run, "tinggi", wib(2027, 3, 1), wib(2027, 4, 2))
    fixed = _finding(utn, run, "sedang", wib(2027, 3, 2), status=FindingStatus.FIXED)
    _finding(utn, run, "rendah", wib(2027, 3, 2))
    _finding(utn, run, "kritis", wib(2027, 4, 1, 0, 30))  # recorded after March
    _finding(utn, run, "kritis", wib(2027, 3, 2), wib(2027, 3, 3), status=FindingStatus.ACCEPTED)
    _finding(utn, _run(utn, utn.applications["lms"]), "kritis", wib(2027, 3, 1))
    high = factories.criterion(
        plan, kind=CriterionKind.OPEN_FINDINGS, target="1", severity="tinggi"
    )
    figure = criteria.compute(high, *MARCH, now=NOW)
    assert figure.value == Decimal(2) and figure.achieved is False
    opened = figure.figures["open"]
    assert [f["finding"] for f in opened["kritis"]] == [critical.pk]
    assert [f["finding"] for f in opened["tinggi"]] == [closed_later.pk]
    assert set(opened) == {"kritis", "tinggi"}
    medium = factories.criterion(
        plan, kind=CriterionKind.OPEN_FINDINGS, target="3", severity="sedang"
    )
    figure = criteria.compute(medium, *MARCH, now=NOW)
    assert figure.value == Decimal(3) and figure.achieved is True
    assert [f["number"] for f in figure.figures["open"]["sedang"]] == [f"T-{fixed.number}"]
    none = factories.criterion(
        plan, kind=CriterionKind.OPEN_FINDINGS, target="0", severity="kritis"
    )
    assert (
        criteria.compute(none, dt.date(2027, 2, 1), dt.date(2027, 2, 28), now=NOW).achieved is True
    )


# --- restore test ----------------------------------------------------------------------------


def test_a_restore_test_done_in_the_quarter(utn, plan) -> None:
    restore = factories.activity(plan, kind=ActivityKind.BACKUP_RESTORE_TEST, title="Uji restore")
    done = _occurrence(restore, dt.date(2027, 2, 10), OccurrenceStatus.DONE, wib(2027, 2, 11, 9))
    _occurrence(restore, dt.date(2027, 5, 10), OccurrenceStatus.SKIPPED)
    _occurrence(
        factories.activity(plan), dt.date(2027, 5, 3), OccurrenceStatus.DONE, wib(2027, 5, 3)
    )
    rule = factories.criterion(plan, kind=CriterionKind.RESTORE_TEST, target=None, period="quarter")
    q1 = criteria.compute(rule, dt.date(2027, 1, 1), dt.date(2027, 3, 31), now=NOW)
    assert q1.achieved is True and q1.value == Decimal(1)
    assert q1.figures["done"] == [
        {
            "occurrence": done.pk,
            "title": "Uji restore",
            "due_on": "2027-02-10",
            "done_on": "2027-02-11",
        }
    ]
    q2 = criteria.compute(rule, dt.date(2027, 4, 1), dt.date(2027, 6, 30), now=NOW)
    assert q2.achieved is False and q2.value == Decimal(0) and q2.figures["done"] == []


def test_a_judged_criterion_is_left_to_the_evaluator(utn, plan) -> None:
    rule = factories.criterion(plan, kind=CriterionKind.JUDGED, target=None)
    figure = criteria.compute(rule, *MARCH, now=NOW)
    assert (figure.value, figure.achieved, figure.figures) == (None, None, {})


def test_a_period_ending_before_it_starts_is_refused(utn, plan) -> None:
    with pytest.raises(ValueError):
        criteria.compute(factories.criterion(plan), dt.date(2027, 3, 2), dt.date(2027, 3, 1))


# --- periods ---------------------------------------------------------------------------------


def test_the_period_measured_in_a_cycle(utn) -> None:
    plan = factories.plan(utn.applications["siakad"], starts_on=dt.date(2027, 2, 15))
    march = Cycle(plan=plan, number=2, starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 31))
    february = Cycle(
        plan=plan, number=1, starts_on=dt.date(2027, 2, 15), ends_on=dt.date(2027, 2, 28)
    )

    def period(kind: str, cycle: Cycle) -> tuple[dt.date, dt.date]:
        return criteria.measured_period(factories.criterion(plan, period=kind), cycle)

    assert period(CriterionPeriod.MONTH, march) == MARCH
    assert period(CriterionPeriod.MONTH, february) == (dt.date(2027, 2, 15), dt.date(2027, 2, 28))
    assert period(CriterionPeriod.QUARTER, march) == (dt.date(2027, 2, 15), dt.date(2027, 3, 31))
    assert period(CriterionPeriod.QUARTER, february) == (dt.date(2027, 2, 15), dt.date(2027, 2, 28))
    assert period(CriterionPeriod.CYCLE, march) == MARCH
    assert period(CriterionPeriod.PLAN, march) == (dt.date(2027, 2, 15), dt.date(2027, 3, 31))
    quarterly = Cycle(
        plan=plan, number=2, starts_on=dt.date(2027, 4, 1), ends_on=dt.date(2027, 6, 30)
    )
    assert period(CriterionPeriod.MONTH, quarterly) == (dt.date(2027, 6, 1), dt.date(2027, 6, 30))
    assert criteria.natural_period(
        factories.criterion(plan, period=CriterionPeriod.QUARTER), february
    ) == (dt.date(2027, 2, 15), dt.date(2027, 3, 31))


def test_an_activity_not_yet_due_is_pending_not_missed(utn, plan) -> None:
    # Measured on 10 March: the activity due on the 15th is not done yet, and not late.
    act = factories.activity(plan)
    done = _occurrence(act, dt.date(2027, 3, 2), OccurrenceStatus.DONE, wib(2027, 3, 2, 9))
    ahead = _occurrence(act, dt.date(2027, 3, 15), OccurrenceStatus.OPEN)
    missed = _occurrence(act, dt.date(2027, 3, 9), OccurrenceStatus.OPEN)
    rule = factories.criterion(plan, kind=CriterionKind.ACTIVITIES_ON_TIME, target="50")
    figure = criteria.compute(rule, *MARCH, now=wib(2027, 3, 10, 12))
    assert figure.figures["pending"] == [ahead.pk]
    assert figure.figures["on_time"] == [done.pk]
    assert figure.figures["not_done"] == [missed.pk]
    assert figure.value == Decimal(50) and figure.achieved is True
