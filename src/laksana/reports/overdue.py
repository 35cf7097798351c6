"""The overdue steps: open steps whose due time has passed, most recently overdue first.

One query on the ``case_step_due_idx`` index (status, due_at), walked backwards from now,
with a keyset cursor ``(due_at, id)`` for the next page: no count of the whole list, no
offset (filtered to a few cases, the steps are looked up by case instead: see
:func:`overdue_steps`). A step on hold is listed only if it was put on hold after it
became overdue (its clock stopped too late); one held before its due time is not late,
whatever ``due_at`` says, since resuming moves ``due_at`` on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.cases.queries import viewer_of, visible_case_ids, visible_filter
from laksana.cases.sla import Calendars
from laksana.procedures.models import ProcedureVersion
from laksana.reports.compliance import Scope
from laksana.worktime.display import duration_text, span

PAGE_SIZE = 25
# Up to this many restricting cases, the steps are looked up by case rather than by due time.
CASE_LIMIT = 2000


@dataclass(frozen=True)
class OverdueFilters:
    """The dashboard's filters: a requesting unit, a procedure, and the keyset cursor."""

    unit_id: int | None = None
    procedure_key: str = ""
    after: tuple[dt.datetime, int] | None = None


def _filtered_cases(scope: Scope, filters: OverdueFilters) -> QuerySet[Any] | None:
    """The running cases of the unit or procedure filter (in the scope's agencies); None
    without such a filter."""
    if filters.unit_id is None and not filters.procedure_key:
        return None
    cases = Case.objects.filter(status=CaseStatus.RUNNING)
    if scope.agency_ids is not None:
        cases = cases.filter(agency_id__in=scope.agency_ids)
    if filters.unit_id is not None:
        cases = cases.filter(requesting_unit_id=filters.unit_id)
    if filters.procedure_key:
        cases = cases.filter(version__procedure_key=filters.procedure_key)
    return cases.order_by().values_list("pk", flat=True)


def _few(ids: QuerySet[Any]) -> list[int] | None:
    """The ids (distinct), if there are at most :data:`CASE_LIMIT` of them; else None."""
    rows = list(ids[: CASE_LIMIT + 1])
    return sorted(set(rows)) if len(rows) <= CASE_LIMIT else None


def overdue_steps(scope: Scope, filters: OverdueFilters, now: dt.datetime) -> QuerySet[CaseStep]:
    """The overdue steps ``scope`` may see, most recently overdue first (the query).

    Unrestricted (an administrator without filters), it walks ``case_step_due_idx``
    backwards from now and stops after a page. Restricted to some cases (those a member of
    staff may see, a unit's, a procedure's), the walk is fast only if those cases are common:
    it reads about ``page / share`` entries. So the restricting running cases are read first
    with index lookups, at most :data:`CASE_LIMIT` of them: when they are that few, their
    steps are found by case (the case index) and sorted, the order written as an expression
    so that the planner does not walk the due-time index instead; when there are more, they
    are common enough for the walk, with the restrictions checked on the way.
    """
    qs = CaseStep.objects.filter(status=StepStatus.ACTIVE, due_at__lt=now).filter(
        Q(on_hold_since__isnull=True) | Q(on_hold_since__gte=F("due_at"))
    )
    viewer = None if scope.is_superuser else viewer_of(scope.user)
    visible = None if viewer is None else visible_case_ids(scope.user, running=True, viewer=viewer)
    filtered = _filtered_cases(scope, filters)
    few = None
    gated = scope.is_superuser
    for restriction in (visible, filtered):
        if few is None and restriction is not None:
            few = _few(restriction)
            gated = gated or (few is not None and restriction is visible)
    if few is not None:
        qs = qs.filter(case_id__in=few).annotate(
            due_order=ExpressionWrapper(F("due_at") + dt.timedelta(0), output_field=DateTimeField())
        )
        order = ("-due_order", "-pk")
    else:
        order = ("-due_at", "-pk")
    check = None if gated else visible_filter(scope.user, viewer)
    if check is not None:
        # The gate itself, checked per step on its case (EXISTS lookups on the case's own
        # rows): quick when the visible cases are common, where a hash of them all would
        # first read them all. The agency is checked there too, first: as a condition of
        # the joined case, SQLite would first read all the agency's cases (a Bloom filter).
        gate = Case.objects.filter(pk=OuterRef("case_id"))
        if scope.agency_ids is not None:
            gate = gate.filter(agency_id__in=scope.agency_ids)
        qs = qs.filter(Exists(gate.filter(check)))
    elif scope.agency_ids is not None:
        qs = qs.filter(case__agency_id__in=scope.agency_ids)
    if filters.unit_id is not None:
        qs = qs.filter(case__requesting_unit_id=filters.unit_id)
    if filters.procedure_key:
        qs = qs.filter(case__version__procedure_key=filters.procedure_key)
    if filters.after is not None:
        at, pk = filters.after
        qs = qs.filter(Q(due_at__lt=at) | Q(due_at=at, pk__lt=pk))
    return (
        qs.select_related("case", "case__requesting_unit", "claimed_by")
        .only(
            "pk",
            "step_key",
            "actor_key",
            "due_at",
            "on_hold_since",
            "claimed_by__name",
            "case__reference",
            "case__title",
            "case__agency_id",
            "case__version_id",
            "case__requesting_unit__name",
            "case__requesting_unit__short_name",
        )
        .order_by(*order)
    )


@dataclass(frozen=True)
class OverdueRow:
    """A line of the dashboard."""

    step: CaseStep
    number: str
    activity: str
    holder: str
    overdue_minutes: float
    overdue_text: str  # "1 working day 3 h", counted as the case pages count it
    on_hold: bool


@dataclass(frozen=True)
class OverduePage:
    rows: list[OverdueRow]
    next_cursor: tuple[dt.datetime, int] | None


def overdue_page(
    scope: Scope, filters: OverdueFilters, now: dt.datetime | None = None
) -> OverduePage:
    """One page of the dashboard: the rows, and the cursor of the next page if there is one.
    Three queries whatever the page size: the steps, their versions, their calendars."""
    now = now or timezone.now()
    steps = list(overdue_steps(scope, filters, now)[: PAGE_SIZE + 1])
    more = len(steps) > PAGE_SIZE
    steps = steps[:PAGE_SIZE]
    specs = {
        v.pk: v.spec
        for v in ProcedureVersion.objects.filter(pk__in={s.case.version_id for s in steps}).only(
            "pk", "procedure_key", "number", "checksum", "source"
        )
    }
    calendars = Calendars()
    calendars.load({s.case.agency_id for s in steps})
    rows = []
    for s in steps:
        spec = specs[s.case.version_id]
        step = spec.step(s.step_key)
        assert s.due_at is not None
        until = s.on_hold_since or now
        holder = s.claimed_by.name if s.claimed_by else spec.actor(s.actor_key).name
        calendar = calendars(s.case.agency_id)
        rows.append(
            OverdueRow(
                step=s,
                number=step.number,
                activity=step.activity,
                holder=holder,
                overdue_minutes=calendar.working_minutes_between(s.due_at, until),
                overdue_text=duration_text(span(calendar, s.due_at, until)),
                on_hold=s.on_hold_since is not None,
            )
        )
    cursor = None
    if more and steps:
        last = steps[-1]
        assert last.due_at is not None
        cursor = (last.due_at, last.pk)
    return OverduePage(rows, cursor)
