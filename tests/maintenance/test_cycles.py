"""The plan's cycles: the executor of the coming cycle and the cycle's end read from the plan,
cycles opened once per period, and the evaluation (who may, every judged criterion answered,
overrides with reasons, the journal, no change once row 6 used it)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from laksana.cases import journal, services
from laksana.cases.models import CaseStep, JournalEntry, JournalKind, StepStatus
from laksana.catalog.models import Contract
from laksana.demo.orgs import SOP_000, build_bali, build_university
from laksana.errors import NotAllowed, ServiceError
from laksana.maintenance import cycles
from laksana.maintenance.models import (
    ActivityKind,
    CriterionKind,
    Cycle,
    CycleLength,
    Executor,
    Occurrence,
    OccurrenceStatus,
)
from tests.maintenance import factories

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2027, 2, 3, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def utn(db):
    return build_university()


@pytest.fixture
def plan(utn):
    return factories.plan(utn.applications["siakad"])


def _due(
    activity, day: dt.date, status: str = OccurrenceStatus.PLANNED, done_at=None
) -> Occurrence:
    return Occurrence.objects.create(
        activity=activity,
        plan=activity.plan,
        cycle_number=day.month,
        scheduled_on=day,
        due_on=day,
        status=status,
        done_at=done_at,
    )


# --- read from the plan ----------------------------------------------------------------------


def test_the_executor_of_the_coming_cycle(utn, plan) -> None:
    assert cycles.next_executor(plan) == "internal"  # nothing due, no contract
    internal = factories.activity(plan, executor=Executor.INTERNAL)
    vendor = factories.activity(plan, executor=Executor.VENDOR)
    _due(internal, dt.date(2027, 1, 4))
    _due(vendor, dt.date(2027, 2, 1))
    assert cycles.next_executor(plan) == "internal"  # January: only the internal team's
    first = cycles.open_cycle(plan)
    assert first.executor == Executor.INTERNAL
    first.evaluated_at = NOW
    first.save()
    assert cycles.next_executor(plan) == "vendor"  # February: the vendor's
    _due(internal, dt.date(2027, 2, 2))
    assert cycles.next_executor(plan) == "vendor"  # any of the vendor's decides
    contract = Contract.objects.filter(application=utn.applications["siakad"]).first()
    with_contract = factories.plan(utn.applications["lms"], contract=contract)
    assert cycles.next_executor(with_contract) == "vendor"  # nothing due, a contract


def test_a_cycle_opens_once_per_period_and_numbers_follow(plan) -> None:
    first = cycles.open_cycle(plan)
    assert (first.number, first.starts_on, first.ends_on) == (
        1,
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 31),
    )
    assert cycles.open_cycle(plan).pk == first.pk
    assert Cycle.objects.filter(plan=plan).count() == 1
    assert cycles.current_cycle(plan) == first
    first.evaluated_at = NOW
    first.save()
    second = cycles.open_cycle(plan)
    assert (second.number, second.starts_on) == (2, dt.date(2027, 2, 1))
    assert cycles.current_cycle(plan) == second


def test_no_cycle_after_the_plans_last_period(utn) -> None:
    plan = factories.plan(
        utn.applications["siakad"],
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 6, 15),
        cycle_length=CycleLength.QUARTER,
    )
    first = cycles.open_cycle(plan)
    assert (first.starts_on, first.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert not cycles.is_last(first)
    first.evaluated_at = NOW
    first.save()
    second = cycles.open_cycle(plan)
    assert second.ends_on == dt.date(2027, 6, 15) and cycles.is_last(second)
    second.evaluated_at = NOW
    second.save()
    with pytest.raises(ServiceError) as error:
        cycles.open_cycle(plan)
    assert error.value.code == "plan_over"
    assert Cycle.objects.filter(plan=plan).count() == 2


def test_the_last_month_ends_the_cycle(plan) -> None:
    november = Cycle(
        plan=plan, number=11, starts_on=dt.date(2027, 11, 1), ends_on=dt.date(2027, 11, 30)
    )
    december = Cycle(
        plan=plan, number=12, starts_on=dt.date(2027, 12, 1), ends_on=dt.date(2027, 12, 31)
    )
    assert not cycles.is_last(november) and cycles.is_last(december)


# --- evaluation ------------------------------------------------------------------------------


@pytest.fixture
def evaluated(utn, plan):
    """The plan in its SOP 000 case, January's cycle open, with a restore test (done), the
    activities on time (one of two) and a judged criterion."""
    case = services.open_case(
        utn["utn_kasi_ops"],
        utn.versions[SOP_000],
        "Pemeliharaan SIAKAD 2027",
        application=utn.applications["siakad"],
        now=NOW,
    )
    plan.case = case
    plan.save()
    restore = factories.activity(plan, kind=ActivityKind.BACKUP_RESTORE_TEST, title="Uji restore")
    _due(
        restore,
        dt.date(2027, 1, 11),
        OccurrenceStatus.DONE,
        dt.datetime(2027, 1, 11, 9, tzinfo=WIB),
    )
    _due(factories.activity(plan), dt.date(2027, 1, 4), OccurrenceStatus.SKIPPED)
    rules = {
        "restore": factories.criterion(
            plan, kind=CriterionKind.RESTORE_TEST, label="Restore", target=None
        ),
        "on_time": factories.criterion(
            plan, kind=CriterionKind.ACTIVITIES_ON_TIME, label="Tepat", target="100"
        ),
        "judged": factories.criterion(
            plan, kind=CriterionKind.JUDGED, label="Dokumentasi", target=None
        ),
    }
    return case, cycles.open_cycle(plan), {k: v.pk for k, v in rules.items()}


def _refused(person, cycle, code: str, field: str | None = None, **kw) -> None:
    kw.setdefault("judged", {})
    kw.setdefault("overrides", {})
    with pytest.raises(ServiceError) as error:
        cycles.evaluate_cycle(person, cycle.pk, now=NOW, **kw)
    assert error.value.code == code
    if field is not None:
        assert error.value.field == field
    cycle.refresh_from_db()
    assert cycle.evaluated_at is None and cycle.evaluation == []


def test_bad_answers_are_named_and_change_nothing(utn, evaluated) -> None:
    case, cycle, ids = evaluated
    kasi = utn["utn_kasi_ops"]
    seq = case.journal_seq
    judged = ids["judged"]
    _refused(kasi, cycle, "required", f"judged.{judged}")
    _refused(kasi, cycle, "required", f"judged.{judged}", judged={judged: (True, "  ")})
    _refused(kasi, cycle, "invalid", f"judged.{judged}", judged={judged: ("ya", "lengkap")})
    _refused(kasi, cycle, "invalid", f"judged.{judged}", judged={judged: True})
    ok = {judged: (True, "Dokumentasi lengkap")}
    # An override without a reason; a judged criterion overridden; a computed one "judged".
    _refused(
        kasi,
        cycle,
        "required",
        f"overrides.{ids['on_time']}",
        judged=ok,
        overrides={ids["on_time"]: (True, "")},
    )
    _refused(
        kasi, cycle, "not_found", f"overrides.{judged}", judged=ok, overrides={judged: (False, "x")}
    )
    _refused(
        kasi,
        cycle,
        "not_found",
        f"judged.{ids['restore']}",
        judged={**ok, ids["restore"]: (False, "x")},
    )
    # Another plan's criterion, a made-up one.
    other = factories.criterion(factories.plan(utn.applications["lms"]), kind=CriterionKind.JUDGED)
    _refused(kasi, cycle, "not_found", f"judged.{other.pk}", judged={**ok, other.pk: (True, "x")})
    _refused(
        kasi, cycle, "not_found", "overrides.999999", judged=ok, overrides={999999: (True, "x")}
    )
    _refused(kasi, cycle, "invalid", f"judged.{judged}", judged={judged: (True, "a\x00b")})
    _refused(kasi, cycle, "too_long", f"judged.{judged}", judged={judged: (True, "a" * 2001)})
    case.refresh_from_db()
    assert case.journal_seq == seq


def test_who_may_evaluate(utn, evaluated) -> None:
    _case, cycle, ids = evaluated
    answers = {"judged": {ids["judged"]: (True, "Lengkap")}, "overrides": {}}
    for login in ("utn_vendor1", "utn_ft_staf"):
        with pytest.raises(NotAllowed):
            cycles.evaluate_cycle(utn[login], cycle.pk, now=NOW, **answers)
    bali = build_bali()
    stranger = bali.people[next(iter(bali.people))]
    for who, pk in (
        (stranger, cycle.pk),
        (utn["utn_kasi_ops"], 10**9),
        (utn["utn_kasi_ops"], "x1"),
        (utn["utn_kasi_ops"], True),
    ):
        with pytest.raises(ServiceError) as error:
            cycles.evaluate_cycle(who, pk, now=NOW, **answers)
        assert error.value.code == "not_found" and error.value.field == "cycle"
    cycle.refresh_from_db()
    assert cycle.evaluated_at is None
    # A member of the operations section (bound to 'operasional') may.
    done = cycles.evaluate_cycle(utn["utn_ops2"], cycle.pk, now=NOW, **answers)
    assert done.evaluated_by == utn["utn_ops2"]


def test_the_evaluation_confirms_overrides_and_journals(utn, evaluated) -> None:
    case, cycle, ids = evaluated
    done = cycles.evaluate_cycle(
        utn["utn_kasi_ops"],
        cycle.pk,
        judged={ids["judged"]: (False, "Laporan bulanan belum diserahkan")},
        overrides={
            ids["on_time"]: (True, "Pemeliharaan 4 Januari ditunda atas permintaan unit"),
            ids["restore"]: (True, "Sesuai hasil"),  # the same as computed: no override
        },
        now=NOW,
    )
    items = {item["criterion"]: item for item in done.evaluation}
    restore, on_time, judged = items[ids["restore"]], items[ids["on_time"]], items[ids["judged"]]
    assert (restore["computed"], restore["achieved"], restore["overridden"]) == (True, True, False)
    assert restore["figures"]["done"][0]["done_on"] == "2027-01-11"
    assert (on_time["computed"], on_time["achieved"], on_time["overridden"]) == (False, True, True)
    assert on_time["value"] == "50" and on_time["reason"].startswith("Pemeliharaan")
    assert (judged["computed"], judged["achieved"], judged["evidence"]) == (
        None,
        False,
        "Laporan bulanan belum diserahkan",
    )
    assert done.evaluated_at == NOW
    entries = list(
        JournalEntry.objects.filter(case=case).order_by("seq").values_list("kind", "data")
    )
    kinds = [kind for kind, _data in entries]
    assert kinds.count(JournalKind.CRITERION_OVERRIDDEN) == 1
    assert kinds[-1] == JournalKind.CYCLE_EVALUATED
    assert entries[-1][1] == {"cycle": 1, "met": 2, "total": 3}
    assert entries[-2][1] == {
        "criterion": ids["on_time"],
        "label": "Tepat",
        "computed": False,
        "achieved": True,
        "reason": "Pemeliharaan 4 Januari ditunda atas permintaan unit",
    }
    case.refresh_from_db()
    assert journal.verify_case(case) is None


def test_re_evaluation_until_row_6_used_it(utn, evaluated) -> None:
    case, cycle, ids = evaluated
    answers = {"judged": {ids["judged"]: (True, "Lengkap")}, "overrides": {}}
    cycles.evaluate_cycle(utn["utn_kasi_ops"], cycle.pk, now=NOW, **answers)
    later = NOW + dt.timedelta(hours=1)
    again = cycles.evaluate_cycle(
        utn["utn_kasi_ops"],
        cycle.pk,
        now=later,
        judged={ids["judged"]: (False, "Kurang")},
        overrides={},
    )
    assert again.evaluated_at == later
    CaseStep.objects.create(
        case=case,
        step_key="s6",
        actor_key="operasional",
        status=StepStatus.COMPLETED,
        activated_at=later,
        completed_at=later + dt.timedelta(minutes=5),
    )
    with pytest.raises(ServiceError) as error:
        cycles.evaluate_cycle(
            utn["utn_kasi_ops"], cycle.pk, now=later + dt.timedelta(hours=1), **answers
        )
    assert error.value.code == "evaluation_used"
    cycle.refresh_from_db()
    assert cycle.evaluated_at == later
    assert JournalEntry.objects.filter(case=case, kind=JournalKind.CYCLE_EVALUATED).count() == 2


def test_a_restore_test_not_yet_due_in_the_quarter_is_the_evaluators(utn, plan) -> None:
    case = services.open_case(
        utn["utn_kasi_ops"],
        utn.versions[SOP_000],
        "Pemeliharaan",
        application=plan.application,
        now=NOW,
    )
    plan.case = case
    plan.save()
    rule = factories.criterion(plan, kind=CriterionKind.RESTORE_TEST, target=None, period="quarter")
    cycle = cycles.open_cycle(plan)
    _refused(utn["utn_kasi_ops"], cycle, "required", f"judged.{rule.pk}")
    done = cycles.evaluate_cycle(
        utn["utn_kasi_ops"],
        cycle.pk,
        judged={rule.pk: (True, "Dijadwalkan Maret")},
        overrides={},
        now=NOW,
    )
    item = done.evaluation[0]
    assert item["period_goes_on"] is True and item["computed"] is None and item["achieved"] is True


def test_a_plan_without_its_case_is_not_evaluated(utn, plan) -> None:
    factories.criterion(plan, kind=CriterionKind.JUDGED, target=None)
    cycle = cycles.open_cycle(plan)
    _refused(utn["utn_kasi_ops"], cycle, "no_case", "cycle")
