"""The cases part of the API: list, open, read and work cases, dispositions, files, journal.

Reads go through :func:`laksana.cases.queries.visible_cases`: a case the caller may not see
is answered exactly like a missing one (404). Writes are calls of
:mod:`laksana.cases.services`; their refusals become JSON errors (:mod:`laksana.api.errors`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pydantic
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile

from laksana.api import cursor, files
from laksana.api.auth import acting_person, caller
from laksana.api.errors import ApiError, file_missing, not_found, responses
from laksana.api.types import MAX_ID, Id, Out, PathId
from laksana.cases import authority, reassign, services, store
from laksana.cases.display import is_overdue
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    JointConfirmation,
    JournalEntry,
    JournalKind,
    StepStatus,
    Urgency,
)
from laksana.cases.queries import of_procedure, visible_case, visible_cases
from laksana.catalog.models import Application
from laksana.org.models import Person
from laksana.procedures.services import latest_version

logger = logging.getLogger(__name__)
router = Router(tags=["cases"])

MAX_PAGE = 100
MAX_JOURNAL_PAGE = 1000


# Schemas -------------------------------------------------------------------------------------


class PersonRef(Out):
    id: int
    name: str


class UnitRef(Out):
    id: int
    name: str
    short_name: str


class ApplicationRef(Out):
    id: int
    name: str


class CaseSummaryOut(Out):
    """A case as lists show it."""

    reference: str
    title: str
    status: CaseStatus
    procedure: str
    version: int
    procedure_title: str
    requesting_unit: UnitRef
    application: ApplicationRef | None
    opened_by: PersonRef
    opened_at: dt.datetime
    finished_at: dt.datetime | None
    due_at: dt.datetime | None = Field(
        description="the case's own due time: its procedure's overall service time from the "
        "opening, in the agency's working time; null when the procedure states none"
    )
    overdue: bool = Field(description="running and past its own due time")
    active_steps: list[str] = Field(description="step keys of the active steps")


class CasePage(Out):
    """One page of cases; pass ``next`` as ``after`` for the following page."""

    items: list[CaseSummaryOut]
    next: str | None


class ConfirmationOut(Out):
    """One actor's part of a joint step, confirmed."""

    actor: str
    actor_name: str
    person: PersonRef = Field(description="who confirmed it (or completed the step for it)")
    at: dt.datetime


class CaseStepOut(Out):
    """One activation of a procedure step in the case."""

    id: int
    step_key: str
    number: str
    activity: str
    visit: int
    status: StepStatus
    actor: str
    actor_name: str
    claimed_by: PersonRef | None
    completed_by: PersonRef | None
    assigned_to: PersonRef | None = Field(
        None, description="the only person who may work the step, once it was reassigned"
    )
    outcome: str
    activated_at: dt.datetime
    claimed_at: dt.datetime | None
    completed_at: dt.datetime | None
    confirmations: list[ConfirmationOut] = Field(
        default_factory=list,
        description="a joint step's parts confirmed so far, in order (empty for other steps)",
    )


class DispositionOut(Out):
    id: int
    step_id: int | None
    parent_id: int | None
    sender: PersonRef
    recipient: PersonRef
    instruction: str
    urgency: Urgency
    deadline: dt.datetime | None
    note: str
    status: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    closed_at: dt.datetime | None


class AttachmentOut(Out):
    id: int
    name: str
    type: str = Field(description="content type, judged from the content")
    size: int
    sha256: str
    artifact: str | None = Field(description="the artifact it was supplied for, if any")
    step_id: int | None
    uploaded_by: PersonRef
    uploaded_at: dt.datetime
    url: str


class CaseOut(CaseSummaryOut):
    """A case with its steps, dispositions and files."""

    description: str
    end: str
    steps: list[CaseStepOut]
    active_step_ids: list[int]
    dispositions: list[DispositionOut]
    attachments: list[AttachmentOut]
    artifacts: list[str] = Field(description="keys of the artifacts the case holds")


class CaseFilters(Schema):
    status: CaseStatus | None = None
    procedure: str | None = Field(None, description="procedure key")
    requesting_unit: Id | None = Field(None, description="unit id")
    application: Id | None = Field(None, description="application id")
    q: str | None = Field(None, description="words in the reference, title, description, unit")
    overdue: bool | None = Field(
        None, description="true: only running cases past their own due time"
    )
    after: str | None = Field(None, description="the 'next' cursor of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class OpenCaseIn(Schema):
    procedure: str = Field(description="procedure key; the latest published version is used")
    title: str
    description: str = ""
    application: Id | None = Field(None, description="application id")
    chosen_actors: dict[str, Id] = Field(
        default_factory=dict,
        description=(
            "the person (id) of each actor the procedure chooses when a case opens "
            '(kind "chosen"), by actor key: {"pemilik": 12}'
        ),
    )


class ReassignIn(Schema):
    """A step of the case given to one person by a superior of its holder."""

    to: Id = Field(description="the person (id): the caller or someone under them")
    reason: str = Field(description="why the step is reassigned")


class CompleteIn(Schema):
    """The ``data`` part of a completion."""

    values: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "artifact id -> value: a form's or a structured type's fields; "
            '{"files": [{"id": <attachment id>}]} naming files uploaded to this case before '
            "(POST /cases/{reference}/attachments), each the evidence of one artifact; "
            '{"ref": ...} only for types whose records Laksana keeps (a disposition of this '
            "case). Files may also come as parts of the request, named by the artifact id."
        ),
    )
    outcome: str | None = Field(None, description="for a decision step: the outcome label")
    note: str = ""


class DispositionIn(Schema):
    recipients: list[Id] = Field(description="person ids")
    instruction: str
    urgency: Urgency = Urgency.BIASA
    deadline: dt.datetime | None = None
    note: str = ""
    step_id: Id | None = Field(None, description="an active step of the case to forward")
    parent_id: Id | None = Field(None, description="the disposition received, to forward it")


class CommentIn(Schema):
    text: str


class JournalEntryOut(Out):
    seq: int
    kind: JournalKind
    actor_name: str
    at: dt.datetime
    data: dict[str, Any]
    hash: str
    prev_hash: str


class JournalFilters(Schema):
    after: int = Field(0, ge=0, le=MAX_ID, description="the 'next' of the previous page")
    limit: int = Field(200, ge=1, le=MAX_JOURNAL_PAGE)


class JournalPage(Out):
    """Journal entries in order; pass ``next`` as ``after`` for the following page."""

    items: list[JournalEntryOut]
    next: int | None


# Building answers ----------------------------------------------------------------------------


def _person(p: Person) -> PersonRef:
    return PersonRef(id=p.pk, name=p.name)


def _maybe_person(p: Person | None) -> PersonRef | None:
    return _person(p) if p is not None else None


def _ref(pk: int | None, name: str | None) -> PersonRef | None:
    """The person of a foreign key whose name was read with the row (None for no key)."""
    return None if pk is None else PersonRef(id=pk, name=name or "")


def _summary_fields(case: Case) -> dict[str, Any]:
    unit = case.requesting_unit
    app = case.application
    return {
        "reference": case.reference,
        "title": case.title,
        "status": case.status,
        "procedure": case.version.procedure_key,
        "version": case.version.number,
        "procedure_title": case.version.title,
        "requesting_unit": UnitRef(id=unit.pk, name=unit.name, short_name=unit.short_name),
        "application": ApplicationRef(id=app.pk, name=app.name) if app else None,
        "opened_by": _person(case.opened_by),
        "opened_at": case.opened_at,
        "finished_at": case.finished_at,
        "due_at": case.due_at,
        "overdue": is_overdue(case, timezone.now()),
        "active_steps": [str(s) for s in case.state.get("active", [])],
    }


def _disposition_out(d: Disposition, names: tuple[str, str] | None = None) -> DispositionOut:
    """A disposition; ``names`` are its sender's and recipient's, when read with it."""
    sender, recipient = (
        (_person(d.sender), _person(d.recipient))
        if names is None
        else (PersonRef(id=d.sender_id, name=names[0]), PersonRef(id=d.recipient_id, name=names[1]))
    )
    return DispositionOut(
        id=d.pk,
        step_id=d.step_id,
        parent_id=d.parent_id,
        sender=sender,
        recipient=recipient,
        instruction=d.instruction,
        urgency=Urgency(d.urgency),
        deadline=d.deadline,
        note=d.note,
        status=d.status,
        created_at=d.created_at,
        read_at=d.read_at,
        closed_at=d.closed_at,
    )


def _attachment_out(case: Case, a: Attachment, uploader: str | None = None) -> AttachmentOut:
    """A file of the case; ``uploader`` is its uploader's name, when read with it."""
    return AttachmentOut(
        id=a.pk,
        name=a.original_name,
        type=a.content_type,
        size=a.size,
        sha256=a.sha256,
        artifact=a.artifact_key or None,
        step_id=a.step_id,
        uploaded_by=(
            _person(a.uploaded_by)
            if uploader is None
            else PersonRef(id=a.uploaded_by_id, name=uploader)
        ),
        uploaded_at=a.uploaded_at,
        url=reverse("api:case_attachment", args=[case.reference, a.pk]),
    )


def _confirmations(case: Case, step_ids: list[int]) -> dict[int, list[ConfirmationOut]]:
    """{step id: its confirmations} of these steps of the case, in one query, and none when
    the procedure has no joint step."""
    spec = case.version.spec
    if not step_ids or not any(step.joint for step in spec.steps):
        return {}
    out: dict[int, list[ConfirmationOut]] = {}
    for step_id, actor, person_id, name, at in (
        JointConfirmation.objects.filter(step_id__in=step_ids)
        .order_by("at", "id")
        .values_list("step_id", "actor_key", "person_id", "person__name", "at")
    ):
        out.setdefault(step_id, []).append(
            ConfirmationOut(
                actor=actor,
                actor_name=spec.actor(actor).name if spec.has_actor(actor) else actor,
                person=PersonRef(id=person_id, name=name),
                at=at,
            )
        )
    return out


def _step_out(
    case: Case,
    row: CaseStep,
    names: tuple[str | None, str | None] | None = None,
    confirmations: list[ConfirmationOut] | None = None,
) -> CaseStepOut:
    """A step row; ``names`` are its claimant's and completer's, when read with it;
    ``confirmations`` its joint parts confirmed, when read with the case's (else read)."""
    spec = case.version.spec
    if names is None:
        claimed_by, completed_by = _maybe_person(row.claimed_by), _maybe_person(row.completed_by)
    else:
        claimed_by = _ref(row.claimed_by_id, names[0])
        completed_by = _ref(row.completed_by_id, names[1])
    step = spec.step(row.step_key) if spec.has_step(row.step_key) else None
    return CaseStepOut(
        id=row.pk,
        step_key=row.step_key,
        number=step.number if step else "",
        activity=step.activity if step else "",
        visit=row.visit,
        status=StepStatus(row.status),
        actor=row.actor_key,
        actor_name=spec.actor(row.actor_key).name,
        claimed_by=claimed_by,
        completed_by=completed_by,
        assigned_to=_maybe_person(row.assigned_to) if row.assigned_to_id is not None else None,
        outcome=row.outcome,
        activated_at=row.activated_at,
        claimed_at=row.claimed_at,
        completed_at=row.completed_at,
        confirmations=(
            _confirmations(case, [row.pk]).get(row.pk, [])
            if confirmations is None
            else confirmations
        ),
    )


# The fields of a step row that its answer shows (_step_out); the rest are not read.
_STEP_OUT_FIELDS = (
    "step_key",
    "visit",
    "status",
    "actor_key",
    "claimed_by",
    "completed_by",
    "assigned_to",
    "outcome",
    "activated_at",
    "claimed_at",
    "completed_at",
)


def _case_out(case: Case) -> CaseOut:
    # Lean statements (laksana.cases.store): every action on a case answers with all of it.
    # The people's names are read with the rows.
    steps = store.load_all(
        CaseStep,
        "cases_casestep.case_id = %s",
        [case.pk],
        extra="cp.name, dp.name",
        joins="LEFT JOIN org_person cp ON cp.id = cases_casestep.claimed_by_id "
        "LEFT JOIN org_person dp ON dp.id = cases_casestep.completed_by_id",
        order="cases_casestep.activated_at, cases_casestep.id",
        only=_STEP_OUT_FIELDS,
    )
    dispositions = store.load_all(
        Disposition,
        "cases_disposition.case_id = %s",
        [case.pk],
        extra="sp.name, rp.name",
        joins="JOIN org_person sp ON sp.id = cases_disposition.sender_id "
        "JOIN org_person rp ON rp.id = cases_disposition.recipient_id",
        order="cases_disposition.id",
    )
    attachments = store.load_all(
        Attachment,
        "cases_attachment.case_id = %s",
        [case.pk],
        extra="up.name",
        joins="JOIN org_person up ON up.id = cases_attachment.uploaded_by_id",
        order="cases_attachment.id",
    )
    confirmations = _confirmations(case, [s.pk for s, _names in steps])
    return CaseOut(
        **_summary_fields(case),
        description=case.description,
        end=case.end_key,
        steps=[_step_out(case, s, names, confirmations.get(s.pk, [])) for s, names in steps],
        active_step_ids=[s.pk for s, _names in steps if s.status == StepStatus.ACTIVE],
        dispositions=[_disposition_out(d, names) for d, names in dispositions],
        attachments=[_attachment_out(case, a, uploader) for a, (uploader,) in attachments],
        artifacts=sorted(case.state.get("artifacts", {})),
    )


# Lookups ------------------------------------------------------------------------------------


def _visible(request: HttpRequest) -> QuerySet[Case]:
    return visible_cases(caller(request).user)


def _visible_case(request: HttpRequest, reference: str) -> Case:
    """The case with this reference if the caller may see it; 404 otherwise, either way."""
    who = caller(request)
    case = visible_case(who.user, reference, who.person)
    if case is None:
        raise not_found()
    return case


def _require_step_of(case: Case, step_id: int) -> None:
    """A step id under another case's reference is not found, like a missing one."""
    if not store.fetch(
        "SELECT 1 FROM cases_casestep WHERE id = %s AND case_id = %s", [step_id, case.pk]
    ):
        raise not_found()


def _visible_disposition(request: HttpRequest, disposition_id: int) -> Disposition:
    d = Disposition.objects.filter(pk=disposition_id, case__in=_visible(request)).first()
    if d is None:
        raise not_found()
    return d


# Operations ----------------------------------------------------------------------------------


@router.get("/cases", response={200: CasePage, **responses(422)})
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> CasePage:
    """The cases the caller may see, newest first, a page at a time (no total count)."""
    from laksana.cases.queries import ListScope, first_visible  # the gate for the one page

    cases = (
        Case.objects.all()
        .select_related("version", "requesting_unit", "application", "opened_by")
        .defer("version__source", "description", "search_text")
        .order_by("-opened_at", "-pk")
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.procedure:
        cases = of_procedure(cases, filters.procedure)
    if filters.requesting_unit is not None:
        cases = cases.filter(requesting_unit_id=filters.requesting_unit)
    if filters.application is not None:
        cases = cases.filter(application_id=filters.application)
    if filters.overdue:
        cases = cases.filter(status=CaseStatus.RUNNING, due_at__lt=timezone.now())
    if filters.q and filters.q.strip():
        for word in filters.q.lower().split():
            cases = cases.filter(search_text__contains=word)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        cases = cases.filter(Q(opened_at__lt=at) | Q(opened_at=at, pk__lt=pk), opened_at__lte=at)
    who = caller(request)
    scope = ListScope(filters.procedure or None, filters.requesting_unit)
    found = first_visible(who.user, cases, filters.limit + 1, who.person, scope)
    page = list(found[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return CasePage(
        items=[CaseSummaryOut(**_summary_fields(c)) for c in page],
        next=cursor.encode(page[-1].opened_at, page[-1].pk) if more else None,
    )


@router.post("/cases", response={201: CaseOut, **responses(400, 403, 422)})
def open_case(request: HttpRequest, payload: OpenCaseIn) -> Status[CaseOut]:
    """Open a case on the latest published version of a procedure, for the caller's unit."""
    person = acting_person(request)
    # The caller's agency's own latest version: another agency's is never run.
    version = latest_version(person.agency_id, payload.procedure)
    if version is None:
        raise ApiError(
            400,
            "invalid",
            _("Your agency has published no procedure %(key)s.") % {"key": payload.procedure},
            field="procedure",
        )
    application = None
    if payload.application is not None:
        application = Application.objects.filter(pk=payload.application).first()
        if application is None:
            raise ApiError(400, "invalid", _("There is no such application."), field="application")
    case = services.open_case(
        person,
        version,
        payload.title,
        payload.description,
        application=application,
        chosen=_chosen_people(person, payload.chosen_actors),
    )
    return Status(201, _case_out(_visible_case(request, case.reference)))


def _chosen_people(person: Person, ids: dict[str, int]) -> dict[str, Person]:
    """The people named for chosen actors: only the caller's agency's (any other id is
    unknown, so nobody's name is learnt from the refusal); the service checks the rest."""
    found = {p.pk: p for p in Person.objects.filter(pk__in=ids.values(), agency=person.agency_id)}
    for key, pk in ids.items():
        if pk not in found:
            raise ApiError(
                400,
                "invalid",
                _("There is no such person in your agency."),
                field=f"chosen_actors.{key}",
            )
    return {key: found[pk] for key, pk in ids.items()}


@router.get("/cases/{reference}", response={200: CaseOut, **responses(404)})
def get_case(request: HttpRequest, reference: str) -> CaseOut:
    """One case with its steps, dispositions and files."""
    return _case_out(_visible_case(request, reference))


def _step_action(
    request: HttpRequest, reference: str, step_id: int, act: Callable[[Person, int], object]
) -> CaseStepOut:
    """A step's plain action (claim, release, take over), decided by the service; the step
    as it is afterwards."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    _require_step_of(case, step_id)
    act(person, step_id)
    row = CaseStep.objects.select_related("claimed_by", "completed_by").get(pk=step_id)
    return _step_out(case, row)


@router.post(
    "/cases/{reference}/steps/{step_id}/claim",
    response={200: CaseStepOut, **responses(400, 403, 404, 409, 422)},
)
def claim_step(request: HttpRequest, reference: str, step_id: PathId) -> CaseStepOut:
    """Take an offered step: it is then the caller's and no longer offered to others."""
    return _step_action(request, reference, step_id, services.claim_step)


@router.post(
    "/cases/{reference}/steps/{step_id}/confirm",
    response={200: CaseStepOut, **responses(400, 403, 404, 409, 422)},
)
def confirm_step_part(request: HttpRequest, reference: str, step_id: PathId) -> CaseStepOut:
    """A holder of one of a joint step's actors confirms that actor's part; the step can be
    completed once every actor of it has confirmed (the completer's own part by completing)."""
    return _step_action(request, reference, step_id, services.confirm_part)


@router.post(
    "/cases/{reference}/steps/{step_id}/release",
    response={200: CaseStepOut, **responses(400, 403, 404, 409, 422)},
)
def release_step(request: HttpRequest, reference: str, step_id: PathId) -> CaseStepOut:
    """The claimant gives the step back: it is offered to its holders again."""
    return _step_action(request, reference, step_id, services.release_step)


@router.post(
    "/cases/{reference}/steps/{step_id}/take-over",
    response={200: CaseStepOut, **responses(400, 403, 404, 409, 422)},
)
def take_over_step(request: HttpRequest, reference: str, step_id: PathId) -> CaseStepOut:
    """A superior of the claimant (directly or further up) takes the claimed step over; the
    case's journal records it and the former claimant is told."""
    return _step_action(request, reference, step_id, services.take_over_step)


@router.post(
    "/cases/{reference}/steps/{step_id}/reassign",
    response={200: CaseStepOut, **responses(400, 403, 404, 409, 422)},
)
def reassign_step(
    request: HttpRequest, reference: str, step_id: PathId, payload: ReassignIn
) -> CaseStepOut:
    """A superior of the step's holder (its claimant, the person it was reassigned to, or
    while it is offered one of its actor's holders) gives it to themself or someone under
    them, with a reason: only that person may claim and work it from then on. Another
    agency's person is not found (404)."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    _require_step_of(case, step_id)
    row = CaseStep.objects.get(pk=step_id)
    if row.status != StepStatus.ACTIVE:
        # An earlier visit of a step that is active again is not the one reassigned.
        raise services.ServiceError("not_active", _("This step is not active now."))
    to = Person.objects.filter(pk=payload.to, agency_id=case.agency_id).first()
    if to is None:
        raise not_found()
    services.reassign_step(person, case, row.step_key, to, payload.reason)
    row = CaseStep.objects.select_related("claimed_by", "completed_by", "assigned_to").get(
        pk=step_id
    )
    return _step_out(case, row)


class VerdictOut(Out):
    """Whether the caller may do one thing to the step, and why (``code``); ``message`` says
    why not."""

    allowed: bool
    code: str
    message: str


class StepActionsOut(Out):
    """What the caller may do to the step now: the rule the services enforce and the case
    page follows (laksana.cases.authority)."""

    step_id: int
    complete: VerdictOut = Field(description="complete, put on hold, resume, disposition it")
    claim: VerdictOut
    release: VerdictOut
    take_over: VerdictOut
    confirm: VerdictOut = Field(description="confirm one's own part of a joint step")
    reassign: VerdictOut = Field(description="reassign it to oneself or someone below")


def _verdict(decision: authority.Decision) -> VerdictOut:
    return VerdictOut(allowed=decision.allowed, code=decision.code, message=decision.message)


@router.get(
    "/cases/{reference}/steps/{step_id}/actions",
    response={200: StepActionsOut, **responses(403, 404, 422)},
)
def step_actions(request: HttpRequest, reference: str, step_id: PathId) -> StepActionsOut:
    """What the caller may do to the step now (claim, complete, release, take over, confirm
    a joint part, reassign)."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    _require_step_of(case, step_id)
    row = CaseStep.objects.select_related("claimed_by").get(pk=step_id)
    actions = authority.step_actions(person, case, row)
    return StepActionsOut(
        step_id=row.pk,
        complete=_verdict(actions.work),
        claim=_verdict(actions.claim),
        release=_verdict(actions.release),
        take_over=_verdict(actions.take_over),
        confirm=_verdict(authority.may_confirm(person, case, row)),
        reassign=_verdict(reassign.may_reassign(person, case, row)),
    )


_COMPLETE_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "data": {
                            "type": "string",
                            "description": (
                                'JSON: {"values": {artifact id: value}, "outcome": label, '
                                '"note": text}'
                            ),
                        }
                    },
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "files, as parts named by the artifact id",
                    },
                }
            }
        }
    }
}


@router.post(
    "/cases/{reference}/steps/{step_id}/complete",
    response={200: CaseOut, **responses(400, 403, 404, 409, 422)},
    openapi_extra=_COMPLETE_BODY,
)
def complete_step(
    request: HttpRequest, reference: str, step_id: PathId, data: Form[str] = ""
) -> CaseOut:
    """Complete an active step: multipart with a ``data`` part (JSON values, outcome, note)
    and file parts named by artifact id (several files per artifact allowed), or values that
    name attachments uploaded to the case before by id. Refused, with every missing
    requirement in ``items``, exactly as on the web (the same check: a file must be an
    attachment of this case, a reference a record of this case and of the artifact's type;
    an artifact the case holds is replaced only by a step that revises it)."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    _require_step_of(case, step_id)
    if not data and request.content_type == "application/json":
        data = request.body.decode("utf-8", errors="replace")
    try:
        parsed = CompleteIn.model_validate_json(data or "{}")
    except pydantic.ValidationError as exc:
        raise ValidationError(
            [{"loc": ("form", "data", *e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        ) from None
    files = [
        services.FileInput(key, request.FILES.getlist(key))
        for key in request.FILES
        if key != "data"
    ]
    done = services.complete_step(
        person,
        step_id,
        values=parsed.values,
        files=files,
        outcome=parsed.outcome,
        note=parsed.note,
    )
    # The person who completed a step still sees its case (they completed a step of it): the
    # answer is the case as the service left it, with the related rows read for the page.
    done.requesting_unit = case.requesting_unit
    done.application = case.application
    done.opened_by = case.opened_by
    return _case_out(done)


@router.post(
    "/cases/{reference}/dispositions",
    response={201: list[DispositionOut], **responses(400, 403, 404, 422)},
)
def dispose(
    request: HttpRequest, reference: str, payload: DispositionIn
) -> Status[list[DispositionOut]]:
    """Forward the case, one of its active steps or a received disposition to subordinates."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    # Only people of the case's agency: an id of anyone else is unknown, so their names cannot
    # be learnt from the refusal.
    found = {
        p.pk: p for p in Person.objects.filter(pk__in=payload.recipients, agency_id=case.agency_id)
    }
    unknown = [str(pk) for pk in payload.recipients if pk not in found]
    if unknown:
        raise ApiError(
            400,
            "invalid",
            _("Unknown recipients: %(ids)s") % {"ids": ", ".join(unknown)},
            field="recipients",
            items=unknown,
        )
    created = services.dispose(
        person,
        case.pk,
        [found[pk] for pk in dict.fromkeys(payload.recipients)],
        payload.instruction,
        step_id=payload.step_id,
        urgency=payload.urgency,
        deadline=payload.deadline,
        note=payload.note,
        parent_id=payload.parent_id,
    )
    rows = Disposition.objects.select_related("sender", "recipient").filter(
        pk__in=[d.pk for d in created]
    )
    return Status(201, [_disposition_out(d) for d in rows.order_by("pk")])


def _disposition_answer(disposition_id: int) -> DispositionOut:
    d = Disposition.objects.select_related("sender", "recipient").get(pk=disposition_id)
    return _disposition_out(d)


@router.post(
    "/dispositions/{disposition_id}/read",
    response={200: DispositionOut, **responses(403, 404, 422)},
)
def read_disposition(request: HttpRequest, disposition_id: PathId) -> DispositionOut:
    """The recipient has read the disposition (unread -> read)."""
    person = acting_person(request)
    _visible_disposition(request, disposition_id)
    services.mark_read(person, disposition_id)
    return _disposition_answer(disposition_id)


@router.post(
    "/dispositions/{disposition_id}/withdraw",
    response={200: DispositionOut, **responses(403, 404, 409, 422)},
)
def withdraw_disposition(request: HttpRequest, disposition_id: PathId) -> DispositionOut:
    """The sender takes back a disposition that is still unread."""
    person = acting_person(request)
    _visible_disposition(request, disposition_id)
    services.withdraw(person, disposition_id)
    return _disposition_answer(disposition_id)


@router.post(
    "/cases/{reference}/comments",
    response={201: JournalEntryOut, **responses(400, 403, 404, 422)},
)
def add_comment(
    request: HttpRequest, reference: str, payload: CommentIn
) -> Status[JournalEntryOut]:
    """A comment on the case; it becomes a journal entry."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    services.add_comment(person, case.pk, payload.text)
    entry = (
        JournalEntry.objects.filter(case=case, kind=JournalKind.COMMENT, actor=person)
        .order_by("-seq")
        .first()
    )
    assert entry is not None
    return Status(201, _journal_out(entry))


@router.post(
    "/cases/{reference}/attachments",
    response={201: AttachmentOut, **responses(400, 403, 404, 422)},
)
def add_attachment(
    request: HttpRequest, reference: str, file: File[UploadedFile]
) -> Status[AttachmentOut]:
    """Add one file to the case outside a step (more evidence, a photo)."""
    person = acting_person(request)
    case = _visible_case(request, reference)
    attachment = services.add_attachment(person, case.pk, file)
    return Status(201, _attachment_out(case, attachment))


@router.get(
    "/cases/{reference}/attachments/{attachment_id}",
    response=responses(404, 422),
    url_name="case_attachment",
    openapi_extra=files.download("The file, as a download, with the type judged from its content."),
)
def download_attachment(
    request: HttpRequest, reference: str, attachment_id: PathId
) -> FileResponse:
    """Download a file of a case the caller may see."""
    case = _visible_case(request, reference)
    attachment = Attachment.objects.filter(pk=attachment_id, case=case).first()
    if attachment is None:
        raise not_found()
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("The file of attachment %s is missing from the file store", attachment.pk)
        raise file_missing() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _journal_out(e: JournalEntry) -> JournalEntryOut:
    return JournalEntryOut(
        seq=e.seq,
        kind=JournalKind(e.kind),
        actor_name=e.actor_name,
        at=e.at,
        data=e.data,
        hash=e.hash,
        prev_hash=e.prev_hash,
    )


@router.get("/cases/{reference}/journal", response={200: JournalPage, **responses(404, 422)})
def case_journal(
    request: HttpRequest, reference: str, filters: Query[JournalFilters]
) -> JournalPage:
    """The case's journal entries in order, with their hash chain."""
    case = _visible_case(request, reference)
    entries = list(case.journal.filter(seq__gt=filters.after).order_by("seq")[: filters.limit + 1])
    more = len(entries) > filters.limit
    entries = entries[: filters.limit]
    return JournalPage(
        items=[_journal_out(e) for e in entries],
        next=entries[-1].seq if more else None,
    )
