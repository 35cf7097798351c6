"""``laksana demo``'s maintenance (SOP 000): UTN's vendor and internal plans, approved through
their signed documents, their past cycles run through the case steps, and the report's figures
equal to the records."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from laksana.demo.maintenance import OUTAGE, OUTAGE_BACK, add_months
from laksana.maintenance import report
from laksana.maintenance.models import Cycle, Occurrence, OccurrenceStatus, Plan, PlanStatus
from laksana.monitoring.models import Incident, Monitor
from tests.demo.test_demo_command import demo  # noqa: F401 (the module's demo fixture)

pytestmark = pytest.mark.django_db


def plans() -> tuple[Plan, Plan]:
    vendor = Plan.objects.select_related("contract", "case", "document").get(contract__isnull=False)
    internal = Plan.objects.select_related("case", "document").get(budget_year__isnull=False)
    return vendor, internal


def test_both_plans_are_in_force_through_their_signed_documents(demo):  # noqa: F811
    vendor, internal = plans()
    assert vendor.contract.support_kind == "maintenance"
    assert (vendor.starts_on, vendor.ends_on) == (
        vendor.contract.starts_on,
        vendor.contract.support_ends_on,
    )
    assert (internal.starts_on, internal.ends_on) == (
        dt.date(internal.budget_year, 1, 1),
        dt.date(internal.budget_year, 12, 31),
    )
    for plan in (vendor, internal):
        assert plan.status == PlanStatus.IN_FORCE and plan.approved_at is not None
        assert plan.document.status == "final" and plan.document.case_id == plan.case_id
        assert plan.case.version.procedure_key == "sop-000-pemeliharaan-aplikasi"
        assert plan.criteria_fixed_at is not None
        assert plan.approved_at < demo.started


def test_past_cycles_ran_through_the_case_with_decisions_read_from_the_plan(demo):  # noqa: F811
    vendor, internal = plans()
    for plan, branch, outcome in ((vendor, "s4", "Ya"), (internal, "s5", "Tidak")):
        evaluated = list(plan.cycles.exclude(evaluated_at=None).order_by("number"))
        assert len(evaluated) >= 1
        assert all(c.evaluated_at < demo.started for c in evaluated)
        steps = plan.case.steps
        assert set(steps.filter(step_key="s3").values_list("outcome", flat=True)) == {outcome}
        assert steps.filter(step_key=branch, status="completed").count() == len(evaluated)
        assert steps.filter(step_key="s7", outcome="Tidak").count() == len(evaluated)
        # The cycle of the present is open, not evaluated.
        assert plan.cycles.filter(evaluated_at=None).count() <= 1


def test_activities_were_recorded_by_the_right_people_some_late_one_not_done(demo):  # noqa: F811
    vendor, internal = plans()
    done = Occurrence.objects.filter(status=OccurrenceStatus.DONE).select_related(
        "activity", "done_by__user"
    )
    for o in done:
        login = o.done_by.user.username
        if o.activity.executor == "vendor":
            assert login in {"utn_vendor1", "utn_vendor2"}, o
        else:
            assert login in {"utn_ops1", "utn_ops2", "utn_dev1"}, o
    (skipped,) = Occurrence.objects.filter(status=OccurrenceStatus.SKIPPED)
    assert skipped.plan_id == internal.pk and skipped.report and skipped.cycle_number == 1
    tz = zoneinfo.ZoneInfo("Asia/Jakarta")
    late = [o for o in done if o.done_at.astimezone(tz).date() > o.due_on]
    # The vendor's perfective activity of cycle 6; the internal team's of quarters 2 and 3
    # (when the demo's present is past them).
    vendor_late = [o for o in late if o.plan_id == vendor.pk]
    assert [(o.cycle_number, o.activity.kind) for o in vendor_late] == [(6, "perfective")]
    quarters = internal.cycles.exclude(evaluated_at=None).filter(number__in=[2, 3]).count()
    assert len([o for o in late if o.plan_id == internal.pk]) == quarters


def test_the_vendor_misses_availability_in_the_outage_month_only(demo):  # noqa: F811
    vendor, _internal = plans()
    monitor = Monitor.objects.get(application=vendor.application)
    (incident,) = Incident.objects.filter(application=vendor.application)
    assert incident.ended_at - incident.started_at == OUTAGE and incident.case is None
    tz = zoneinfo.ZoneInfo("Asia/Jakarta")
    month = add_months(demo.started.astimezone(tz).date(), -OUTAGE_BACK)
    assert incident.started_at.astimezone(tz).date().replace(day=1) == month
    missed = []
    for cycle in Cycle.objects.filter(plan=vendor).exclude(evaluated_at=None):
        (item,) = [i for i in cycle.evaluation if i["kind"] == "availability"]
        if not item["achieved"]:
            missed.append(cycle.starts_on)
    assert missed == [month]
    # Every other criterion of the vendor's cycles is met.
    others = [
        i["achieved"]
        for c in Cycle.objects.filter(plan=vendor).exclude(evaluated_at=None)
        for i in c.evaluation
        if i["kind"] != "availability"
    ]
    assert others and all(others)
    assert monitor.active and monitor.state == "up"


def test_the_reports_figures_equal_the_records(demo):  # noqa: F811
    tz = zoneinfo.ZoneInfo("Asia/Jakarta")
    for plan in plans():
        data = report.data(plan)
        today = data.today
        rows = list(Occurrence.objects.filter(plan=plan).select_related("activity"))
        done = [o for o in rows if o.status == OccurrenceStatus.DONE]
        on_time = [o for o in done if o.done_at.astimezone(tz).date() <= o.due_on]
        assert data.due == len(rows)
        assert data.on_time == len(on_time) and data.late == len(done) - len(on_time)
        assert data.not_done == sum(1 for o in rows if o.status == OccurrenceStatus.SKIPPED)
        assert data.overdue == sum(
            1 for o in rows if o.status in ("planned", "open") and o.due_on < today
        )
        assert data.cost == sum(o.cost or 0 for o in rows) > 0
        assert data.budget == sum(a.budget or 0 for a in plan.activities.all())
        assert data.contract_value == (plan.contract.value if plan.contract else None)
        lines = {c.number: c for c in data.cycles if c.evaluated}
        evaluated = list(plan.cycles.exclude(evaluated_at=None))
        assert set(lines) == {c.number for c in evaluated}
        for cycle in evaluated:
            line = lines[cycle.number]
            assert line.total == len(cycle.evaluation)
            assert line.met == sum(1 for i in cycle.evaluation if i["achieved"] is True)
        if plan.contract_id is not None:
            assert data.known_seconds > 0
            (incident,) = data.incident_lines
            assert incident.seconds(data.now) == data.down_seconds == OUTAGE.total_seconds()
