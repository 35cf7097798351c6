"""The maintenance management report (laporan manajemen pemeliharaan) of one plan over a
period of days ``start``..``end`` (both included, in the agency's time zone).

The figures, each from the records:

* **plan against actual**, per activity: the occurrences due in the period, done on or
  before their due day (on time), done after it (late), not recorded and past their due day
  (overdue), marked not done, and not yet due (pending); the activity's budget beside the
  cost recorded on its occurrences due in the period;
* **criteria per cycle**: the cycles overlapping the period, each criterion achieved or not
  as its evaluation says (:attr:`Cycle.evaluation`), or computed now by
  :func:`laksana.maintenance.criteria.evaluate` for a cycle not evaluated yet (shown as
  provisional);
* **incidents and downtime** of the application: the monitoring incidents begun in the
  period, and per calendar month the down time and uptime from the state changes
  (:func:`laksana.monitoring.uptime.application_figures`);
* **problem cases** of the application (cases other than SOP 000's): opened in the period,
  finished in it, finished on time (every completed step with a due time completed by it),
  and still running at the period's end;
* **costs**: the plan's budget, the contract's value, the cost recorded in the period by
  executor;
* **the vendor's performance** (a plan with a contract): the share of its activities done
  on time, and the criteria met in the cycles it carried out;
* **recommendations**: the evaluators' notes and the reasons of their overrides, and each
  criterion missed.

The number of queries does not grow with the number of cases, activities or occurrences:
every figure is an aggregate query, the state changes of the period are read once (nine
queries in all), plus those of the live evaluation of each begun cycle not evaluated yet.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.maintenance.models import (
    Activity,
    ActivityKind,
    Cycle,
    Executor,
    Occurrence,
    OccurrenceStatus,
    Plan,
)
from laksana.monitoring import uptime
from laksana.monitoring.models import Incident

SOP_000 = "sop-000-pemeliharaan-aplikasi"
UNRECORDED = (OccurrenceStatus.PLANNED, OccurrenceStatus.OPEN)


@dataclass(frozen=True)
class ActivityLine:
    """One planned activity against what was done in the period."""

    activity_id: int
    title: str
    kind: str
    executor: str
    budget: Decimal | None
    due: int  # occurrences due in the period
    on_time: int  # done on or before the due day
    late: int  # done after the due day
    overdue: int  # not recorded, the due day passed
    not_done: int  # marked not done (with a reason)
    pending: int  # not recorded, not yet due
    cost: Decimal  # recorded on the occurrences due in the period

    @property
    def kind_label(self) -> str:
        return str(ActivityKind(self.kind).label) if self.kind in ActivityKind.values else ""

    @property
    def executor_label(self) -> str:
        return str(Executor(self.executor).label) if self.executor in Executor.values else ""

    @property
    def on_time_share(self) -> Decimal | None:
        """On time over those due by now (pending ones left out), in percent."""
        return _share(self.on_time, self.due - self.pending)


@dataclass(frozen=True)
class CycleLine:
    """One cycle: each criterion's achievement (``items`` in the shape of
    :attr:`Cycle.evaluation`); ``evaluated`` False when computed now (provisional)."""

    number: int
    starts_on: dt.date
    ends_on: dt.date
    executor: str
    evaluated: bool
    items: tuple[dict[str, Any], ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def met(self) -> int:
        return sum(1 for i in self.items if i.get("achieved") is True)

    @property
    def share(self) -> Decimal | None:
        return _share(self.met, self.total)


@dataclass(frozen=True)
class MonthLine:
    """One calendar month of the period (cut at the period's ends)."""

    month: dt.date  # its first day
    start: dt.date
    end: dt.date
    incidents: int
    known_seconds: int
    down_seconds: int
    maintenance_seconds: int

    @property
    def uptime_percent(self) -> Decimal | None:
        if self.known_seconds == 0:
            return None
        return Decimal((self.known_seconds - self.down_seconds) * 100) / Decimal(self.known_seconds)

    @property
    def downtime_minutes(self) -> Decimal:
        return Decimal(self.down_seconds) / Decimal(60)


@dataclass(frozen=True)
class IncidentLine:
    """A monitoring incident begun in the period (times in the agency's zone)."""

    started_at: dt.datetime
    ended_at: dt.datetime | None  # None: still going on
    reason: str
    in_maintenance: bool

    def seconds(self, now: dt.datetime) -> int:
        return int(((self.ended_at or now) - self.started_at).total_seconds())


@dataclass(frozen=True)
class CaseFigures:
    """The application's problem cases (other than SOP 000's) in the period."""

    opened: int
    finished: int
    on_time: int
    running_at_end: int

    @property
    def on_time_share(self) -> Decimal | None:
        return _share(self.on_time, self.finished)


@dataclass(frozen=True)
class VendorFigures:
    """The contract's vendor: its activities and the cycles it carried out."""

    name: str
    due: int  # its occurrences due by now in the period
    on_time: int
    criteria_met: int
    criteria_total: int

    @property
    def on_time_share(self) -> Decimal | None:
        return _share(self.on_time, self.due)

    @property
    def criteria_share(self) -> Decimal | None:
        return _share(self.criteria_met, self.criteria_total)


@dataclass(frozen=True)
class Recommendation:
    cycle: int | None
    criterion: str
    text: str


@dataclass
class ReportData:
    """The report's figures (see the module's text)."""

    plan: Plan
    start: dt.date
    end: dt.date
    today: dt.date
    now: dt.datetime
    activities: list[ActivityLine]
    cycles: list[CycleLine]
    months: list[MonthLine]
    incident_lines: list[IncidentLine]
    cases: CaseFigures
    budget: Decimal  # the activities' budgets
    contract_value: Decimal | None
    cost_by_executor: dict[str, Decimal]
    vendor: VendorFigures | None
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def incidents(self) -> int:
        return len(self.incident_lines)

    @property
    def incidents_in_maintenance(self) -> int:
        return sum(1 for i in self.incident_lines if i.in_maintenance)

    @property
    def cost(self) -> Decimal:
        return sum(self.cost_by_executor.values(), Decimal(0))

    @property
    def due(self) -> int:
        return sum(a.due for a in self.activities)

    @property
    def on_time(self) -> int:
        return sum(a.on_time for a in self.activities)

    @property
    def late(self) -> int:
        return sum(a.late for a in self.activities)

    @property
    def overdue(self) -> int:
        return sum(a.overdue for a in self.activities)

    @property
    def not_done(self) -> int:
        return sum(a.not_done for a in self.activities)

    @property
    def pending(self) -> int:
        return sum(a.pending for a in self.activities)

    @property
    def on_time_share(self) -> Decimal | None:
        return _share(self.on_time, self.due - self.pending)

    @property
    def down_seconds(self) -> int:
        return sum(m.down_seconds for m in self.months)

    @property
    def known_seconds(self) -> int:
        return sum(m.known_seconds for m in self.months)

    @property
    def uptime_percent(self) -> Decimal | None:
        if self.known_seconds == 0:
            return None
        return Decimal((self.known_seconds - self.down_seconds) * 100) / Decimal(self.known_seconds)

    @property
    def criteria_met(self) -> int:
        return sum(c.met for c in self.cycles)

    @property
    def criteria_total(self) -> int:
        return sum(c.total for c in self.cycles)


def _share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, to two places; None of nothing."""
    if whole <= 0:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"))


def zone_of(plan: Plan) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(plan.agency.time_zone)


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def check_period(plan: Plan, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked, or the plan's; a period that ends before it starts is refused."""
    start = start or plan.starts_on
    end = end or plan.ends_on
    if end < start:
        raise ValueError("end before start")
    return start, end


# --- the parts ------------------------------------------------------------------------------


def _activities(
    plan: Plan, start: dt.date, end: dt.date, today: dt.date, tz: Any
) -> list[ActivityLine]:
    """Every activity of the plan with its occurrences' counts (two queries)."""
    done = Q(status=OccurrenceStatus.DONE)
    unrecorded = Q(status__in=UNRECORDED)
    rows = (
        Occurrence.objects.filter(plan=plan, due_on__gte=start, due_on__lte=end)
        .annotate(done_day=TruncDate("done_at", tzinfo=tz))
        .values("activity_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=done & Q(done_day__lte=F("due_on"))),
            late=Count("pk", filter=done & Q(done_day__gt=F("due_on"))),
            overdue=Count("pk", filter=unrecorded & Q(due_on__lt=today)),
            not_done=Count("pk", filter=Q(status=OccurrenceStatus.SKIPPED)),
            pending=Count("pk", filter=unrecorded & Q(due_on__gte=today)),
            cost=Sum("cost", filter=done),
        )
        .order_by()
    )
    found: dict[int, dict[str, Any]] = {r["activity_id"]: dict(r) for r in rows}
    lines = []
    for a in Activity.objects.filter(plan=plan).order_by("order", "pk"):
        r = found.get(a.pk, {})
        lines.append(
            ActivityLine(
                activity_id=a.pk,
                title=a.title,
                kind=a.kind,
                executor=a.executor,
                budget=a.budget,
                due=r.get("due", 0),
                on_time=r.get("on_time", 0),
                late=r.get("late", 0),
                overdue=r.get("overdue", 0),
                not_done=r.get("not_done", 0),
                pending=r.get("pending", 0),
                cost=r.get("cost") or Decimal(0),
            )
        )
    return lines


def _live(cycle: Cycle, now: dt.datetime) -> list[dict[str, Any]] | None:
    """A cycle not evaluated yet, computed now by the criteria module (None without it)."""
    try:
        from laksana.maintenance import criteria
    except ImportError:  # pragma: no cover - the criteria module is part of the app
        return None
    evaluate = getattr(criteria, "evaluate", None)
    if evaluate is None:  # pragma: no cover
        return None
    items: list[dict[str, Any]] = evaluate(cycle, now=now)
    return items


def _cycles(plan: Plan, start: dt.date, end: dt.date, now: dt.datetime) -> list[CycleLine]:
    """The cycles overlapping the period; those begun and not evaluated computed now."""
    today = timezone.localtime(now, zone_of(plan)).date()
    lines = []
    for cycle in Cycle.objects.filter(plan=plan, starts_on__lte=end, ends_on__gte=start).order_by(
        "number"
    ):
        cycle.plan = plan
        evaluated = cycle.evaluated_at is not None
        items: list[dict[str, Any]] = list(cycle.evaluation or []) if evaluated else []
        if not evaluated and cycle.starts_on <= today:
            items = _live(cycle, now) or []
        lines.append(
            CycleLine(
                cycle.number,
                cycle.starts_on,
                cycle.ends_on,
                cycle.executor,
                evaluated,
                tuple(i for i in items if isinstance(i, dict)),
            )
        )
    return lines


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(first of the month, start, end) of each calendar month of the period, cut at its ends."""
    out = []
    month = start.replace(day=1)
    while month <= end:
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        out.append((month, max(month, start), min(following - dt.timedelta(days=1), end)))
        month = following
    return out


def _incidents_and_months(
    plan: Plan, start: dt.date, end: dt.date, tz: zoneinfo.ZoneInfo, now: dt.datetime
) -> tuple[list[MonthLine], list[IncidentLine]]:
    """The incidents begun in the period (per month) and each month's uptime."""
    app_id = plan.application_id
    rows = Incident.objects.filter(
        application_id=app_id,
        started_at__gte=_midnight(start, tz),
        started_at__lt=_midnight(end + dt.timedelta(days=1), tz),
    ).order_by("started_at", "pk")
    incidents = [
        IncidentLine(
            timezone.localtime(i.started_at, tz),
            None if i.ended_at is None else timezone.localtime(i.ended_at, tz),
            i.reason,
            i.in_maintenance,
        )
        for i in rows.only("started_at", "ended_at", "reason", "in_maintenance")
    ]
    per_month: Counter[dt.date] = Counter(i.started_at.date().replace(day=1) for i in incidents)
    # The period's changes and windows read once (three queries), measured month by month.
    # (application_figures per month would read them twelve times.)
    lo, hi = _midnight(start, tz), _midnight(end + dt.timedelta(days=1), tz)
    cut = min(hi, now)
    timeline = uptime.Timeline(app_id, lo, max(cut, lo))
    months = []
    for month, first, last in _months(start, end):
        figures = timeline.figures(
            _midnight(first, tz), _midnight(last + dt.timedelta(days=1), tz), cut=cut
        )
        months.append(
            MonthLine(
                month,
                first,
                last,
                per_month[month],
                figures.known_seconds,
                figures.down_seconds,
                figures.maintenance_seconds,
            )
        )
    return months, incidents


def _cases(plan: Plan, start: dt.date, end: dt.date, tz: zoneinfo.ZoneInfo) -> CaseFigures:
    """The application's problem cases in the period, in one query."""
    lo, hi = _midnight(start, tz), _midnight(end + dt.timedelta(days=1), tz)
    late_step = CaseStep.objects.filter(
        case_id=OuterRef("pk"),
        status=StepStatus.COMPLETED,
        due_at__isnull=False,
        completed_at__gt=F("due_at"),
    )
    finished = Q(finished_at__gte=lo, finished_at__lt=hi)
    figures = (
        Case.objects.filter(application_id=plan.application_id, opened_at__lt=hi)
        .exclude(version__procedure_key=SOP_000)
        .aggregate(
            opened=Count("pk", filter=Q(opened_at__gte=lo)),
            finished=Count("pk", filter=finished),
            on_time=Count("pk", filter=finished & Q(~Exists(late_step))),
            running=Count("pk", filter=Q(finished_at__isnull=True) | Q(finished_at__gte=hi)),
        )
    )
    return CaseFigures(
        figures["opened"], figures["finished"], figures["on_time"], figures["running"]
    )


def _recommendations(cycles: list[CycleLine]) -> list[Recommendation]:
    """The evaluators' notes and override reasons, then each criterion missed."""
    out: list[Recommendation] = []
    missed: dict[str, list[int]] = defaultdict(list)
    for c in cycles:
        for item in c.items:
            label = str(item.get("label", ""))
            for key in ("reason", "evidence"):
                text = str(item.get(key) or "").strip()
                if text and c.evaluated:
                    out.append(Recommendation(c.number, label, text))
            if item.get("achieved") is False:
                missed[label].append(c.number)
    for label, numbers in missed.items():
        out.append(
            Recommendation(
                None,
                label,
                _("Not met in cycle(s) %(cycles)s: look into its cause before the next plan.")
                % {"cycles": ", ".join(str(n) for n in numbers)},
            )
        )
    return out


def _vendor(
    plan: Plan, activities: list[ActivityLine], cycles: list[CycleLine]
) -> VendorFigures | None:
    if plan.contract is None:
        return None
    mine = [a for a in activities if a.executor == Executor.VENDOR]
    carried = [c for c in cycles if c.executor == Executor.VENDOR]
    return VendorFigures(
        plan.contract.vendor.name,
        sum(a.due - a.pending for a in mine),
        sum(a.on_time for a in mine),
        sum(c.met for c in carried),
        sum(c.total for c in carried),
    )


def data(
    plan: Plan,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
) -> ReportData:
    """The report of ``plan`` over ``start``..``end`` (default: the plan's own period)."""
    start, end = check_period(plan, start, end)
    now = now or timezone.now()
    plan = Plan.objects.select_related("agency", "application", "contract__vendor").get(pk=plan.pk)
    tz = zone_of(plan)
    today = timezone.localtime(now, tz).date()
    activities = _activities(plan, start, end, today, tz)
    cycles = _cycles(plan, start, end, now)
    months, incidents = _incidents_and_months(plan, start, end, tz, now)
    cost_by: dict[str, Decimal] = {e.value: Decimal(0) for e in Executor}
    for a in activities:
        cost_by[a.executor] = cost_by.get(a.executor, Decimal(0)) + a.cost
    return ReportData(
        plan=plan,
        start=start,
        end=end,
        today=today,
        now=now,
        activities=activities,
        cycles=cycles,
        months=months,
        incident_lines=incidents,
        cases=_cases(plan, start, end, tz),
        budget=sum((a.budget or Decimal(0) for a in activities), Decimal(0)),
        contract_value=plan.contract.value if plan.contract is not None else None,
        cost_by_executor=cost_by,
        vendor=_vendor(plan, activities, cycles),
        recommendations=_recommendations(cycles),
    )


# --- the workbook and the document's fields (made in report_output) --------------------------


def xlsx(
    plan: Plan,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
) -> bytes:
    """The report as a workbook (:func:`laksana.maintenance.report_output.workbook`)."""
    from laksana.maintenance import report_output

    return report_output.workbook(data(plan, start, end, now=now))


def document_fields(
    plan: Plan,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The fields of the document kind laporan_manajemen_pemeliharaan
    (:func:`laksana.maintenance.report_output.fields_of`)."""
    from laksana.maintenance import report_output

    return report_output.fields_of(data(plan, start, end, now=now))
