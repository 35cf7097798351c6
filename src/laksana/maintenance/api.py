"""The maintenance part of the API (SOP 000): plans (list a page at a time, read, draft,
change, their activities and acceptance criteria, submit for approval, withdraw), the dates
their activities fall due (occurrences: list, read, record what was done with its files, mark
not done), the plans' cycles with their evaluations (computed now, or confirmed by the
evaluator), and a plan's management report (figures as JSON, or XLSX).

Reads show the plans the caller may read (:func:`laksana.maintenance.plans.may_read`: the
agency's members who are not vendors, and the staff of the vendor of a plan's contract):
another agency's plan, occurrence, cycle or file is answered exactly like a missing one (404).
Every rule is in the services; the API maps their refusals: not allowed 403, input they refuse
422 naming the field (``activities.3.dates``), the others 400.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from laksana.api import cursor
from laksana.api.auth import acting_person, caller, visible_to_caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import PathId
from laksana.errors import ServiceError
from laksana.maintenance.models import Cycle, Plan
from laksana.maintenance.plan_inputs import ActivityInput, CriterionInput, PlanInput
from laksana.maintenance.schemas import (
    ActivitiesIn,
    ActivityOut,
    CriteriaIn,
    CriterionOut,
    CycleOut,
    EvaluateIn,
    EvaluationItemOut,
    PlanChangeIn,
    PlanFilters,
    PlanIn,
    PlanOut,
    PlanPage,
    ReportFilters,
)

router = Router(tags=["maintenance"])

T = TypeVar("T")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REPORT_DAYS = 5 * 366 + 1  # a plan lasts at most five years
# The services' codes for input they refuse (answered 422 naming the field).
INPUT_CODES = frozenset({"invalid", "required", "too_long", "too_many", "invalid_file"})
# A record made already (recording an occurrence twice): 409, nothing changed.
CONFLICT_CODES = frozenset({"already_recorded"})


# Helpers -------------------------------------------------------------------------------------


def call(action: Callable[[], T]) -> T:
    """Run a service; input it refuses is a 422 naming the field, a record already made a
    409 (the other refusals keep their status: not allowed 403, not found 404, else 400)."""
    try:
        return action()
    except ServiceError as exc:
        if exc.code in INPUT_CODES:
            raise ApiError(422, "invalid", exc.message, exc.field, exc.items) from exc
        if exc.code in CONFLICT_CODES:
            raise ApiError(409, exc.code, exc.message, exc.field, exc.items) from exc
        raise


def visible(request: HttpRequest) -> QuerySet[Plan]:
    """The plans the caller may read (every plan for the superuser without a person)."""
    from laksana.maintenance import plans

    return visible_to_caller(request, Plan, plans.visible_plans)


def plan_of(request: HttpRequest, plan_id: int) -> Plan:
    found = visible(request).filter(pk=plan_id).first()
    if found is None:
        raise not_found()
    return found


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    found = (
        Cycle.objects.filter(pk=cycle_id, plan__in=visible(request))
        .select_related("plan", "evaluated_by")
        .first()
    )
    if found is None:
        raise not_found()
    return found


# Plans ---------------------------------------------------------------------------------------


def _plan_out(request: HttpRequest, p: Plan) -> PlanOut:
    from laksana.cases.queries import can_view

    who = caller(request)
    visible = p.case is not None and can_view(who.user, p.case, who.person)
    contract = p.contract
    return PlanOut(
        id=p.pk,
        application_id=p.application_id,
        application=p.application.name,
        contract_id=p.contract_id,
        contract=contract.number if contract is not None else None,
        vendor=contract.vendor.name if contract is not None else None,
        budget_year=p.budget_year,
        title=p.title,
        objective=p.objective,
        scope=p.scope,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        cycle_length=p.cycle_length,  # type: ignore[arg-type]
        lead_days=p.lead_days,
        status=p.status,  # type: ignore[arg-type]
        case=p.case.reference if visible and p.case is not None else None,
        document_id=p.document_id,
        approved_at=p.approved_at,
        criteria_fixed_at=p.criteria_fixed_at,
        created_at=p.created_at,
        updated_at=p.updated_at,
        activities=[
            ActivityOut(
                id=a.pk,
                kind=a.kind,  # type: ignore[arg-type]
                title=a.title,
                executor=a.executor,  # type: ignore[arg-type]
                schedule=a.schedule,  # type: ignore[arg-type]
                working_day=a.working_day,
                dates=[dt.date.fromisoformat(d) for d in a.dates or []],
                documentation=a.documentation,
                budget=a.budget,
            )
            for a in p.activities.all()
        ],
        criteria=[
            CriterionOut(
                id=c.pk,
                kind=c.kind,  # type: ignore[arg-type]
                label=c.label,
                target=c.target,
                period=c.period,  # type: ignore[arg-type]
                severity=c.severity,
            )
            for c in p.criteria.all()
        ],
    )


def _with_parts(qs: QuerySet[Plan]) -> QuerySet[Plan]:
    return qs.select_related("application", "contract__vendor", "case").prefetch_related(
        "activities", "criteria"
    )


def _fresh(request: HttpRequest, pk: int) -> PlanOut:
    return _plan_out(request, _with_parts(Plan.objects.filter(pk=pk)).get())


def _plan_input(payload: PlanIn | PlanChangeIn, base: Any) -> Any:
    """The service's input: ``base`` with the payload's fields set (a change's ``null``
    clears the contract, the budget year or a date, and leaves the other fields)."""
    values = payload.dict(exclude_unset=True)
    clearable = {"contract_id", "budget_year", "starts_on", "ends_on"}
    for name, value in values.items():
        if value is None and name not in clearable:
            continue
        setattr(base, name, value)
    return base


def _current_input(p: Plan) -> Any:
    return PlanInput(
        application_id=p.application_id,
        title=p.title,
        objective=p.objective,
        scope=p.scope,
        contract_id=p.contract_id,
        budget_year=p.budget_year,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        cycle_length=p.cycle_length,
        lead_days=p.lead_days,
    )


@router.get("/maintenance/plans", response={200: PlanPage, **responses(422)})
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> PlanPage:
    """The plans the caller may read, newest first, a page at a time."""
    found = visible(request)
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        found = found.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    page = list(_with_parts(found).order_by("-created_at", "-pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return PlanPage(
        items=[_plan_out(request, p) for p in page],
        next=cursor.encode(page[-1].created_at, page[-1].pk) if more else None,
    )


@router.post("/maintenance/plans", response={201: PlanOut, **responses(400, 403, 404, 422)})
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[PlanOut]:
    """Draft a plan of an application of the caller's agency (its catalogue keepers)."""
    from laksana.catalog.models import Application
    from laksana.maintenance import plans

    person = acting_person(request)
    app = Application.objects.filter(pk=payload.application_id).first()
    superuser = getattr(caller(request).user, "is_superuser", False)
    if app is None or not (
        superuser or (person.vendor_id is None and person.agency_id == app.agency_id)
    ):
        raise not_found()
    data = _plan_input(payload, PlanInput(application_id=app.pk, title="", objective=""))
    made = call(lambda: plans.create_plan(person, data))
    return Status(201, _fresh(request, made.pk))


@router.get("/maintenance/plans/{plan_id}", response={200: PlanOut, **responses(404, 422)})
def get_plan(request: HttpRequest, plan_id: PathId) -> PlanOut:
    """One plan with its activities and acceptance criteria."""
    return _plan_out(request, plan_of(request, plan_id))


@router.patch(
    "/maintenance/plans/{plan_id}", response={200: PlanOut, **responses(400, 403, 404, 422)}
)
def change_plan(request: HttpRequest, plan_id: PathId, payload: PlanChangeIn) -> PlanOut:
    """Change a draft plan's fields; the others stay as they are."""
    from laksana.maintenance import plans

    person = acting_person(request)
    found = plan_of(request, plan_id)
    data = _plan_input(payload, _current_input(found))
    call(lambda: plans.change_plan(person, found.pk, data))
    return _fresh(request, found.pk)


@router.put(
    "/maintenance/plans/{plan_id}/activities",
    response={200: PlanOut, **responses(400, 403, 404, 422)},
)
def set_activities(request: HttpRequest, plan_id: PathId, payload: ActivitiesIn) -> PlanOut:
    """Replace a draft plan's activities with the list given."""
    from laksana.maintenance import plans

    person = acting_person(request)
    found = plan_of(request, plan_id)
    items = [ActivityInput(**a.dict()) for a in payload.activities]
    call(lambda: plans.set_activities(person, found.pk, items))
    return _fresh(request, found.pk)


@router.put(
    "/maintenance/plans/{plan_id}/criteria",
    response={200: PlanOut, **responses(400, 403, 404, 422)},
)
def set_criteria(request: HttpRequest, plan_id: PathId, payload: CriteriaIn) -> PlanOut:
    """Replace the plan's acceptance criteria with the list given (until they are fixed by
    SOP 000's row 2)."""
    from laksana.maintenance import plans

    person = acting_person(request)
    found = plan_of(request, plan_id)
    items = [CriterionInput(**c.dict()) for c in payload.criteria]
    call(lambda: plans.set_criteria(person, found.pk, items))
    return _fresh(request, found.pk)


@router.post(
    "/maintenance/plans/{plan_id}/submit",
    response={200: PlanOut, **responses(400, 403, 404, 422)},
)
def submit_plan(request: HttpRequest, plan_id: PathId) -> PlanOut:
    """Send a draft plan for approval: its approval document goes for signature; signed, the
    plan is in force and its activities fall due."""
    from laksana.maintenance import plans

    person = acting_person(request)
    found = plan_of(request, plan_id)
    call(lambda: plans.submit_plan(person, found.pk))
    return _fresh(request, found.pk)


@router.post(
    "/maintenance/plans/{plan_id}/withdraw",
    response={200: PlanOut, **responses(400, 403, 404, 422)},
)
def withdraw_plan(request: HttpRequest, plan_id: PathId) -> PlanOut:
    """Take a submitted plan back to draft while nobody has signed it."""
    from laksana.maintenance import plans

    person = acting_person(request)
    found = plan_of(request, plan_id)
    call(lambda: plans.withdraw_plan(person, found.pk))
    return _fresh(request, found.pk)


# Cycles --------------------------------------------------------------------------------------


def _item_out(item: Mapping[str, Any]) -> EvaluationItemOut:
    return EvaluationItemOut(
        criterion=item.get("criterion") or 0,
        label=str(item.get("label", "")),
        kind=str(item.get("kind", "")),
        period_start=item.get("period_start"),
        period_end=item.get("period_end"),
        period_goes_on=bool(item.get("period_goes_on", False)),
        value=item.get("value"),
        target=item.get("target"),
        figures=dict(_plain(item.get("figures") or {})),
        computed=item.get("computed"),
        achieved=item.get("achieved"),
        overridden=bool(item.get("overridden", False)),
        text=str(item.get("text") or ""),
        reason=str(item.get("reason") or ""),
        evidence=str(item.get("evidence") or ""),
    )


def _cycle_out(c: Cycle) -> CycleOut:
    from laksana.maintenance import cycles

    return CycleOut(
        id=c.pk,
        plan_id=c.plan_id,
        number=c.number,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        executor=c.executor or None,  # type: ignore[arg-type]
        last=bool(cycles.is_last(c)),
        evaluated_at=c.evaluated_at,
        evaluated_by=c.evaluated_by.name if c.evaluated_by is not None else None,
        evaluation=[_item_out(i) for i in c.evaluation or []],
    )


@router.get(
    "/maintenance/plans/{plan_id}/cycles",
    response={200: list[CycleOut], **responses(404, 422)},
)
def list_cycles(request: HttpRequest, plan_id: PathId) -> list[CycleOut]:
    """The plan's cycles so far, first to last, with their evaluations."""
    found = plan_of(request, plan_id)
    cycles = Cycle.objects.filter(plan=found).select_related("plan", "evaluated_by")
    return [_cycle_out(c) for c in cycles.order_by("number")]


@router.get(
    "/maintenance/cycles/{cycle_id}/evaluation",
    response={200: list[EvaluationItemOut], **responses(404, 422)},
)
def computed_evaluation(request: HttpRequest, cycle_id: PathId) -> list[EvaluationItemOut]:
    """Each criterion's achievement in the cycle computed now, with the figures it came from
    (judged criteria: no achievement until the evaluator says). Nothing is stored."""
    from laksana.maintenance import criteria

    found = _cycle(request, cycle_id)
    return [_item_out(i) for i in criteria.evaluate(found)]


@router.post(
    "/maintenance/cycles/{cycle_id}/evaluate",
    response={200: CycleOut, **responses(400, 403, 404, 409, 422)},
)
def evaluate_cycle(request: HttpRequest, cycle_id: PathId, payload: EvaluateIn) -> CycleOut:
    """Evaluate the cycle: the computed achievements stand unless overridden (with a
    reason); every judged criterion needs its yes or no."""
    from laksana.maintenance import cycles

    person = acting_person(request)
    found = _cycle(request, cycle_id)
    judged = {pk: (a.achieved, a.note) for pk, a in payload.judged.items()}
    overrides = {pk: (a.achieved, a.reason) for pk, a in payload.overrides.items()}
    call(lambda: cycles.evaluate_cycle(person, found.pk, judged=judged, overrides=overrides))
    return _cycle_out(_cycle(request, found.pk))


# The report ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A report's value as JSON: dataclasses and mappings as objects, sequences as arrays,
    dates as ISO text, amounts as exact text, records as their id."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# The report's totals (properties of :class:`laksana.maintenance.report.ReportData`).
TOTALS = (
    "due",
    "on_time",
    "late",
    "overdue",
    "not_done",
    "pending",
    "on_time_share",
    "cost",
    "down_seconds",
    "known_seconds",
    "uptime_percent",
    "criteria_met",
    "criteria_total",
)


def _report_period(p: Plan, filters: ReportFilters) -> tuple[dt.date, dt.date]:
    start = filters.start or p.starts_on
    end = filters.end or p.ends_on
    if end < start:
        raise ApiError(422, "invalid", _("The end must not be before the start."), "end")
    if (end - start).days > MAX_REPORT_DAYS:
        raise ApiError(422, "invalid", _("The period is at most five years long."), "start")
    return start, end


@router.get(
    "/maintenance/plans/{plan_id}/report",
    response={200: dict[str, Any], **responses(404, 422)},
)
def plan_report(
    request: HttpRequest, plan_id: PathId, filters: Query[ReportFilters]
) -> dict[str, Any]:
    """The figures of the plan's management report over a period (default: the whole plan):
    plan against actual per activity, criteria per cycle, incidents and downtime, problem
    cases, costs, the vendor's performance, recommendations."""
    from laksana.maintenance import report

    found = plan_of(request, plan_id)
    start, end = _report_period(found, filters)
    figures = report.data(found, start, end)
    data: dict[str, Any] = _plain(figures)
    data["plan"] = {"id": found.pk, "title": found.title, "application": found.application.name}
    data["totals"] = {name: _plain(getattr(figures, name)) for name in TOTALS}
    return data


@router.get(
    "/maintenance/plans/{plan_id}/report/xlsx",
    response=responses(404, 422),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The management report's figures as a spreadsheet.",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def plan_report_xlsx(
    request: HttpRequest, plan_id: PathId, filters: Query[ReportFilters]
) -> HttpResponse:
    """The plan's management report over a period as XLSX."""
    from laksana.maintenance import report

    found = plan_of(request, plan_id)
    start, end = _report_period(found, filters)
    response = HttpResponse(report.xlsx(found, start, end), content_type=XLSX)
    name = f"laporan-pemeliharaan-{found.pk}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# The occurrences' operations (a module of their own, on this router).
router.add_router("", "laksana.maintenance.api_occurrences.router")
