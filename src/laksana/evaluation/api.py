"""The evaluation part of the API (SOP 001 f): the applications' periodic evaluations (list a
page at a time, read with their sections, create a draft, compute its figures again, conclude,
delete a draft).

Reads show the evaluations the caller may read (:func:`laksana.evaluation.services.may_read`:
the agency's members who are not vendors' staff); another agency's evaluation is answered
exactly like a missing one (404). Every rule is in the services; the API maps their refusals:
not allowed 403, input they refuse 422 naming the field, not found 404, the others 400.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal, TypeVar

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from laksana.api import cursor
from laksana.api.auth import acting_person, visible_to_caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import Id, PathId
from laksana.errors import ServiceError
from laksana.evaluation import services
from laksana.evaluation.models import Evaluation

router = Router(tags=["evaluation"])

T = TypeVar("T")
MAX_PAGE = 100
INPUT_CODES = frozenset({"invalid", "required", "too_long"})
ConclusionValue = Literal["keep", "improve", "retire"]


class SectionOut(Schema):
    key: str
    title: str
    status: Literal["ok", "warn", "none"]
    rows: list[list[str]]
    link: str


class EvaluationOut(Schema):
    id: int
    application_id: int
    application: str
    period_start: dt.date
    period_end: dt.date
    status: Literal["draft", "concluded"]
    conclusion: ConclusionValue | None
    reasoning: str
    case: str | None = Field(None, description="the reference of the SOP 001 case it serves")
    created_at: dt.datetime
    concluded_at: dt.datetime | None
    sections: list[SectionOut] | None = Field(
        None, description="kept figures when concluded, computed now for a draft (one item)"
    )


class EvaluationPage(Schema):
    """One page of evaluations, newest first; pass ``next`` as ``after`` for the next page."""

    items: list[EvaluationOut]
    next: str | None


class EvaluationFilters(Schema):
    application: Id | None = Field(None, description="only this application's evaluations")
    status: Literal["draft", "concluded"] | None = None
    after: str = Field("", max_length=200, description="the 'next' of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class EvaluationIn(Schema):
    application_id: Id
    period_start: dt.date
    period_end: dt.date
    case_id: Id | None = None


class ConcludeIn(Schema):
    conclusion: ConclusionValue
    reasoning: str = Field(..., max_length=services.MAX_REASONING)
    case_id: Id | None = None


def call(action: Callable[[], T]) -> T:
    """Run a service; input it refuses is a 422 naming the field (others keep their status)."""
    try:
        return action()
    except ServiceError as exc:
        if exc.code in INPUT_CODES:
            raise ApiError(422, "invalid", exc.message, exc.field, exc.items) from exc
        raise


def visible(request: HttpRequest) -> QuerySet[Evaluation]:
    return visible_to_caller(request, Evaluation, services.visible_evaluations)


def _of(request: HttpRequest, evaluation_id: int) -> Evaluation:
    found = visible(request).filter(pk=evaluation_id).first()
    if found is None:
        raise not_found()
    return found


def _out(e: Evaluation, *, full: bool) -> EvaluationOut:
    sections = None
    if full:
        sections = [
            SectionOut(
                key=key,
                title=s.title,
                status=s.status,  # type: ignore[arg-type]
                rows=[[label, value] for label, value in s.rows],
                link=s.link,
            )
            for key, s in services.figures_of(e).items()
        ]
    return EvaluationOut(
        id=e.pk,
        application_id=e.application_id,
        application=e.application.name,
        period_start=e.period_start,
        period_end=e.period_end,
        status=e.status,  # type: ignore[arg-type]
        conclusion=e.conclusion or None,  # type: ignore[arg-type]
        reasoning=e.reasoning,
        case=e.case.reference if e.case is not None else None,
        created_at=e.created_at,
        concluded_at=e.concluded_at,
        sections=sections,
    )


def _fresh(request: HttpRequest, pk: int) -> EvaluationOut:
    return _out(_of(request, pk), full=True)


@router.get("/evaluations", response={200: EvaluationPage, **responses(422)})
def list_evaluations(request: HttpRequest, filters: Query[EvaluationFilters]) -> EvaluationPage:
    """The evaluations the caller may read, newest first, a page at a time (no sections)."""
    found = visible(request)
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        found = found.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    page = list(found.order_by("-created_at", "-pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return EvaluationPage(
        items=[_out(e, full=False) for e in page],
        next=cursor.encode(page[-1].created_at, page[-1].pk) if more else None,
    )


@router.post("/evaluations", response={201: EvaluationOut, **responses(400, 403, 404, 422)})
def create_evaluation(request: HttpRequest, payload: EvaluationIn) -> Status[EvaluationOut]:
    """A draft evaluation of an application of the caller's agency (its catalogue keepers)."""
    person = acting_person(request)
    data = {
        "application": payload.application_id,
        "period_start": payload.period_start,
        "period_end": payload.period_end,
        "case": payload.case_id,
    }
    made = call(lambda: services.create_evaluation(person, data))
    return Status(201, _fresh(request, made.pk))


@router.get("/evaluations/{evaluation_id}", response={200: EvaluationOut, **responses(404, 422)})
def get_evaluation(request: HttpRequest, evaluation_id: PathId) -> EvaluationOut:
    """One evaluation with its sections."""
    return _out(_of(request, evaluation_id), full=True)


@router.post(
    "/evaluations/{evaluation_id}/refresh",
    response={200: EvaluationOut, **responses(400, 403, 404, 422)},
)
def refresh(request: HttpRequest, evaluation_id: PathId) -> EvaluationOut:
    """A draft's figures computed again and kept as a snapshot."""
    person = acting_person(request)
    found = _of(request, evaluation_id)
    call(lambda: services.refresh(person, found.pk))
    return _fresh(request, found.pk)


@router.post(
    "/evaluations/{evaluation_id}/conclude",
    response={200: EvaluationOut, **responses(400, 403, 404, 422)},
)
def conclude(request: HttpRequest, evaluation_id: PathId, payload: ConcludeIn) -> EvaluationOut:
    """The conclusion (keep, improve, retire) with its reasoning; the figures are kept."""
    person = acting_person(request)
    found = _of(request, evaluation_id)
    call(
        lambda: services.conclude(
            person, found.pk, payload.conclusion, payload.reasoning, case=payload.case_id
        )
    )
    return _fresh(request, found.pk)


@router.delete(
    "/evaluations/{evaluation_id}", response={204: None, **responses(400, 403, 404, 422)}
)
def delete_evaluation(request: HttpRequest, evaluation_id: PathId) -> Status[None]:
    """A draft deleted."""
    person = acting_person(request)
    found = _of(request, evaluation_id)
    call(lambda: services.delete_evaluation(person, found.pk))
    return Status(204, None)
