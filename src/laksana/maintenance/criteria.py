"""Acceptance criteria measured: each computed criterion's figure over a period, with the
records it came from and a one-line text of how it was computed.

A period is a span of whole days (``start`` to ``end``, both included) in the agency's time
zone. The figures are exact: percentages are :class:`~decimal.Decimal` ratios, rounded only
in the text shown. Stored figures hold decimals as texts (they go into JSON).

- availability: the application's uptime from the monitoring module's state changes
  (:func:`laksana.monitoring.uptime.application_figures`), maintenance windows left out;
  achieved when at least the target. Nothing known: the evaluator says.
- cases_on_time: the application's cases (not SOP 000's) finished in the period; a case is
  on time when every completed step with a due time was completed by it; share in percent.
- activities_on_time: the plan's occurrences due in the period, done on or before their due
  day; share in percent.
- open_findings: test findings of the application's runs of ``severity`` or worse open at
  the period's end; achieved when at most the target.
- restore_test: a backup and restore test of the plan done in the period.
- judged: the evaluator says (achieved None).

A period with nothing to measure (no case finished, no activity due) is achieved: nothing
was late.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.catalog.lifecycle import SOP_000
from laksana.maintenance.models import (
    ActivityKind,
    Criterion,
    CriterionKind,
    CriterionPeriod,
    Cycle,
    Occurrence,
    OccurrenceStatus,
    Plan,
)
from laksana.monitoring import uptime
from laksana.monitoring.models import Incident
from laksana.quality.models import Finding, Severity

# Worst first: a criterion on a severity counts it and every worse one.
SEVERITY_ORDER = [
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
]
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Figure:
    """A criterion's figure for a period: the value (a percentage, a count; None when
    nothing could be measured or a person judges), whether the target is achieved (None: the
    evaluator says), the figures it came from, and how it was computed."""

    value: Decimal | None
    achieved: bool | None
    figures: dict[str, Any]
    text: str


# --- periods ---------------------------------------------------------------------------------


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def natural_period(criterion: Criterion, cycle: Cycle) -> tuple[dt.date, dt.date]:
    """The whole period the criterion is measured over in the cycle (the calendar month or
    quarter holding the cycle's end, the cycle, or the plan), cut at the plan's start and
    end; it may reach past the cycle's end."""
    plan = cycle.plan
    last = cycle.ends_on
    if criterion.period == CriterionPeriod.MONTH:
        start, end = dt.date(last.year, last.month, 1), _month_end(last)
    elif criterion.period == CriterionPeriod.QUARTER:
        start = _quarter_start(last)
        end = _month_end(dt.date(start.year, start.month + 2, 1))
    elif criterion.period == CriterionPeriod.PLAN:
        start, end = plan.starts_on, plan.ends_on
    else:
        start, end = cycle.starts_on, cycle.ends_on
    return max(start, plan.starts_on), min(end, plan.ends_on)


def measured_period(criterion: Criterion, cycle: Cycle) -> tuple[dt.date, dt.date]:
    """The days the criterion is measured over when the cycle is evaluated: its natural
    period (:func:`natural_period`) up to the cycle's end."""
    start, end = natural_period(criterion, cycle)
    return start, min(end, cycle.ends_on)


def _zone(plan: Plan) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(plan.agency.time_zone or "Asia/Jakarta")


def _bounds(plan: Plan, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the agency's time zone."""
    tz = _zone(plan)
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
    )


# --- display ---------------------------------------------------------------------------------


def shown(value: Decimal | None, places: int = 2) -> str:
    """A decimal as shown to people (rounded half up to ``places``, localised)."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    return number_format(value.quantize(quantum, rounding=ROUND_HALF_UP), places)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _share(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return Decimal(part) * _HUNDRED / Decimal(whole)


def target_of(criterion: Criterion) -> Decimal | None:
    """The criterion's target as a decimal (None when it has none)."""
    target = criterion.target
    return None if target is None else Decimal(str(target))


def _at_least(value: Decimal | None, target: Decimal | None) -> bool | None:
    if value is None:
        return None
    return value >= (target if target is not None else _HUNDRED)


# --- the criteria ----------------------------------------------------------------------------


def _availability(
    criterion: Criterion, plan: Plan, start: dt.date, end: dt.date, now: dt.datetime | None
) -> Figure:
    since, until = _bounds(plan, start, end)
    measured = uptime.application_figures(plan.application_id, since, until, now=now)
    value = measured.uptime_percent
    incidents = [
        {
            "id": pk,
            "started_at": started.isoformat(),
            "ended_at": ended.isoformat() if ended else None,
            "reason": reason,
            "in_maintenance": in_maintenance,
        }
        for pk, started, ended, reason, in_maintenance in Incident.objects.filter(
            application_id=plan.application_id, started_at__lt=until
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since))
        .order_by("started_at", "pk")
        .values_list("pk", "started_at", "ended_at", "reason", "in_maintenance")
    ]
    minutes = Decimal(60)
    figures = {
        "known_minutes": str(Decimal(measured.known_seconds) / minutes),
        "down_minutes": str(Decimal(measured.down_seconds) / minutes),
        "maintenance_minutes": str(Decimal(measured.maintenance_seconds) / minutes),
        "incidents": incidents,
    }
    if value is None:
        text = _("No monitor of the application knew its state in the period.")
        return Figure(None, None, figures, text)
    text = _(
        "Availability %(value)s%% = (%(known)s known − %(down)s down minutes) / %(known)s "
        "known minutes; %(maintenance)s minutes of maintenance windows left out; "
        "%(incidents)s incidents; target ≥ %(target)s%%."
    ) % {
        "value": shown(value, 3),
        "known": shown(Decimal(measured.known_seconds) / minutes),
        "down": shown(Decimal(measured.down_seconds) / minutes),
        "maintenance": shown(Decimal(measured.maintenance_seconds) / minutes),
        "incidents": len(incidents),
        "target": shown(target_of(criterion), 3),
    }
    return Figure(value, _at_least(value, target_of(criterion)), figures, text)


def _cases_on_time(criterion: Criterion, plan: Plan, start: dt.date, end: dt.date) -> Figure:
    since, until = _bounds(plan, start, end)
    cases = Case.objects.filter(
        agency_id=plan.agency_id,
        application_id=plan.application_id,
        status=CaseStatus.FINISHED,
        finished_at__gte=since,
        finished_at__lt=until,
    ).exclude(version__procedure_key=SOP_000)
    finished = list(cases.order_by("finished_at", "pk").values_list("pk", "reference"))
    late_ids = set(
        CaseStep.objects.filter(
            case_id__in=[pk for pk, _ref in finished],
            status=StepStatus.COMPLETED,
            due_at__isnull=False,
            completed_at__gt=F("due_at"),
        ).values_list("case_id", flat=True)
    )
    on_time = [ref for pk, ref in finished if pk not in late_ids]
    late = [ref for pk, ref in finished if pk in late_ids]
    value = _share(len(on_time), len(finished))
    figures = {"finished": [ref for _pk, ref in finished], "on_time": on_time, "late": late}
    if value is None:
        return Figure(None, True, figures, _("No case of the application finished in the period."))
    text = _(
        "%(on_time)s of %(finished)s cases finished within their time standard "
        "(%(value)s%%; %(late)s late); target ≥ %(target)s%%."
    ) % {
        "on_time": len(on_time),
        "finished": len(finished),
        "value": shown(value),
        "late": len(late),
        "target": shown(target_of(criterion)),
    }
    return Figure(value, _at_least(value, target_of(criterion)), figures, text)


def _done_on(done_at: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.date | None:
    return done_at.astimezone(tz).date() if done_at is not None else None


def _activities_on_time(
    criterion: Criterion, plan: Plan, start: dt.date, end: dt.date, now: dt.datetime | None
) -> Figure:
    """Occurrences due in the period: done on or before their due day, done late, not done.
    One not done whose due day has not passed yet (today or later) is pending: not counted
    (a period still going on is measured on what has fallen due)."""
    tz = _zone(plan)
    today = (now or timezone.now()).astimezone(tz).date()
    rows = (
        Occurrence.objects.filter(plan_id=plan.pk, due_on__gte=start, due_on__lte=end)
        .order_by("due_on", "pk")
        .values_list("pk", "activity__title", "due_on", "status", "done_at")
    )
    due: list[dict[str, Any]] = []
    on_time: list[int] = []
    late: list[int] = []
    not_done: list[int] = []
    pending: list[int] = []
    for pk, title, due_on, status, done_at in rows:
        done_on = _done_on(done_at, tz) if status == OccurrenceStatus.DONE else None
        if done_on is None and status != OccurrenceStatus.SKIPPED and due_on >= today:
            pending.append(pk)
            continue
        due.append(
            {
                "occurrence": pk,
                "title": title,
                "due_on": due_on.isoformat(),
                "done_on": done_on.isoformat() if done_on else None,
            }
        )
        if done_on is None:
            not_done.append(pk)
        elif done_on <= due_on:
            on_time.append(pk)
        else:
            late.append(pk)
    figures = {
        "due": due,
        "on_time": on_time,
        "late": late,
        "not_done": not_done,
        "pending": pending,
    }
    value = _share(len(on_time), len(due))
    if value is None:
        return Figure(None, True, figures, _("No scheduled activity fell due in the period."))
    text = _(
        "%(on_time)s of %(due)s scheduled activities done on time (%(value)s%%; %(late)s late, "
        "%(not_done)s not done); target ≥ %(target)s%%."
    ) % {
        "on_time": len(on_time),
        "due": len(due),
        "value": shown(value),
        "late": len(late),
        "not_done": len(not_done),
        "target": shown(target_of(criterion)),
    }
    return Figure(value, _at_least(value, target_of(criterion)), figures, text)


def severities_from(severity: str) -> list[str]:
    """``severity`` and every worse one (all of them when empty or unknown)."""
    order = [str(s) for s in SEVERITY_ORDER]
    if severity not in order:
        return order
    return order[: order.index(severity) + 1]


def _open_findings(criterion: Criterion, plan: Plan, start: dt.date, end: dt.date) -> Figure:
    _since, until = _bounds(plan, start, end)
    counted = severities_from(criterion.severity)
    rows = (
        Finding.objects.filter(
            agency_id=plan.agency_id,
            run__application_id=plan.application_id,
            severity__in=counted,
            created_at__lt=until,
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=until))
        .order_by("run_id", "number")
        .values_list("pk", "run_id", "number", "severity", "title")
    )
    by_severity: dict[str, list[dict[str, Any]]] = {s: [] for s in counted}
    for pk, run_id, number, severity, title in rows:
        by_severity[severity].append(
            {"finding": pk, "run": run_id, "number": f"T-{number}", "title": title}
        )
    count = sum(len(items) for items in by_severity.values())
    target = target_of(criterion) or Decimal(0)
    labels = dict(Severity.choices)
    text = _(
        "%(count)s findings of severity %(severity)s or worse open on %(end)s (%(parts)s); "
        "target ≤ %(target)s."
    ) % {
        "count": count,
        "severity": labels.get(counted[-1], counted[-1]),
        "end": end.isoformat(),
        "parts": ", ".join(f"{labels[s]} {len(by_severity[s])}" for s in counted),
        "target": shown(target, 0),
    }
    return Figure(Decimal(count), Decimal(count) <= target, {"open": by_severity}, text)


def _restore_test(plan: Plan, start: dt.date, end: dt.date) -> Figure:
    since, until = _bounds(plan, start, end)
    tz = _zone(plan)
    rows = (
        Occurrence.objects.filter(
            plan_id=plan.pk,
            activity__kind=ActivityKind.BACKUP_RESTORE_TEST,
            status=OccurrenceStatus.DONE,
            done_at__gte=since,
            done_at__lt=until,
        )
        .order_by("done_at", "pk")
        .values_list("pk", "activity__title", "due_on", "done_at")
    )
    done = [
        {
            "occurrence": pk,
            "title": title,
            "due_on": due_on.isoformat(),
            "done_on": done_on.isoformat(),
        }
        for pk, title, due_on, done_at in rows
        if (done_on := _done_on(done_at, tz)) is not None
    ]
    if done:
        text = _("Restore test done on %(day)s (%(title)s).") % {
            "day": done[0]["done_on"],
            "title": done[0]["title"],
        }
    else:
        text = _("No restore test was done from %(start)s to %(end)s.") % {
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
    return Figure(Decimal(len(done)), bool(done), {"done": done}, text)


def compute(
    criterion: Criterion, start: dt.date, end: dt.date, *, now: dt.datetime | None = None
) -> Figure:
    """The criterion's figure over the days ``start`` to ``end`` (both included)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    plan = criterion.plan
    kind = criterion.kind
    if kind == CriterionKind.AVAILABILITY:
        return _availability(criterion, plan, start, end, now)
    if kind == CriterionKind.CASES_ON_TIME:
        return _cases_on_time(criterion, plan, start, end)
    if kind == CriterionKind.ACTIVITIES_ON_TIME:
        return _activities_on_time(criterion, plan, start, end, now)
    if kind == CriterionKind.OPEN_FINDINGS:
        return _open_findings(criterion, plan, start, end)
    if kind == CriterionKind.RESTORE_TEST:
        return _restore_test(plan, start, end)
    return Figure(None, None, {}, _("Judged by the evaluator with evidence."))


def evaluate(cycle: Cycle, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One item per criterion of the cycle's plan, as computed (the shape of
    ``Cycle.evaluation``, before the evaluator's answers). A restore test not yet done in a
    quarter that goes on past the cycle is left to the evaluator (achieved None)."""
    plan = cycle.plan
    items: list[dict[str, Any]] = []
    for criterion in plan.criteria.order_by("order", "pk"):
        criterion.plan = plan
        start, end = measured_period(criterion, cycle)
        figure = compute(criterion, start, end, now=now)
        achieved = figure.achieved
        goes_on = natural_period(criterion, cycle)[1] > end
        if criterion.kind == CriterionKind.RESTORE_TEST and goes_on and not achieved:
            achieved = None
        items.append(
            {
                "criterion": criterion.pk,
                "label": criterion.label,
                "kind": criterion.kind,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "period_goes_on": goes_on,
                "value": _text(figure.value),
                "target": _text(target_of(criterion)),
                "figures": figure.figures,
                "text": figure.text,
                "computed": achieved,
                "achieved": achieved,
                "overridden": False,
                "reason": "",
                "evidence": "",
            }
        )
    return items
