"""The procedure drafts part of the API: write, check, review and publish an agency's
procedures (:mod:`laksana.procedures.drafts` holds every rule).

A caller reads and writes its own agency's drafts; another agency's draft is answered exactly
like a missing one (404). Refusals: not allowed 403 (a vendor's staff writing, a non
administrator approving, the person who sent a draft approving it), the other refusals 400
naming the field (a stale revision: ``stale`` at ``revision``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from laksana.api.auth import acting_person
from laksana.api.errors import ApiError, responses
from laksana.api.types import Id, PathId
from laksana.errors import ServiceError
from laksana.procedures import drafts, drafttree
from laksana.procedures.models import ProcedureDraft, ProcedureEvent, ProcedureVersion

router = Router(tags=["procedure drafts"])

WRITE = responses(400, 403, 404, 422)


class ProcedureDraftOut(Schema):
    """A draft without its text."""

    id: int
    procedure_key: str
    title: str
    state: str = Field(description="draft, in_review, published or withdrawn")
    revision: int = Field(description="send it back with a save: a save in between is refused")
    origin: str
    base_version: int | None = Field(description="the number of the version it revises")
    published_version: int | None
    updated_at: dt.datetime
    updated_by: str
    submitted_by: str | None
    submitted_at: dt.datetime | None


class ProcedureDraftConfirmItemOut(Schema):
    where: str
    text: str
    confirmed: bool


class ProcedureDraftDetailOut(ProcedureDraftOut):
    """A draft with its text (YAML) and, when it is YAML, its plain tree."""

    source: str
    tree: dict[str, Any] | None
    to_confirm: list[ProcedureDraftConfirmItemOut]


class ProcedureDraftIn(Schema):
    """A new draft: from procedure text (``source``), as a revision of a published version
    (``version_key`` and ``version_number``), or blank (``procedure_key`` and ``title``)."""

    source: str | None = Field(None, max_length=70_000)
    version_key: str | None = Field(None, max_length=100)
    version_number: Id | None = None
    procedure_key: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=300)


class ProcedureDraftSourceIn(Schema):
    source: str = Field(max_length=70_000)
    revision: int = Field(ge=0, le=2**31 - 1)


class ProcedureDraftSectionIn(Schema):
    data: Any = Field(description="the section's plain data (see drafttree.SECTIONS)")
    revision: int = Field(ge=0, le=2**31 - 1)
    renames: list[list[str]] = Field(
        default_factory=list,
        max_length=500,
        description="ids the section renamed, each [kind (actor, artifact, step), old, new]: "
        "every reference to them is renamed in the same save",
    )


class ProcedureDraftNoteIn(Schema):
    note: str = Field("", max_length=4000)


class ProcedureDraftMessageOut(Schema):
    path: str = Field(description="the field concerned, as 'steps.3.time'; '' for the top")
    line: int
    column: int
    text: str


class ProcedureDraftCheckOut(Schema):
    ok: bool
    messages: list[ProcedureDraftMessageOut]


class ProcedureDraftApprovedOut(Schema):
    draft: ProcedureDraftOut
    version: int = Field(description="the number of the version published")


class ProcedureDraftEventOut(Schema):
    seq: int
    kind: str
    draft: int
    procedure_key: str
    by: str
    at: dt.datetime
    data: dict[str, Any]
    hash: str


def draft_out(draft: ProcedureDraft) -> ProcedureDraftOut:
    return ProcedureDraftOut(**_fields(draft))


def _number(version: ProcedureVersion | None) -> int | None:
    return version.number if version is not None else None


def _fields(draft: ProcedureDraft) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "procedure_key": draft.procedure_key,
        "title": draft.title,
        "state": draft.state,
        "revision": draft.revision,
        "origin": draft.origin,
        "base_version": _number(draft.base_version),
        "published_version": _number(draft.published_version),
        "updated_at": draft.updated_at,
        "updated_by": draft.updated_by.name,
        "submitted_by": draft.submitted_by.name if draft.submitted_by else None,
        "submitted_at": draft.submitted_at,
    }


def detail_out(draft: ProcedureDraft) -> ProcedureDraftDetailOut:
    try:
        tree: dict[str, Any] | None = drafttree.parse(draft.source)
    except ServiceError:
        tree = None
    return ProcedureDraftDetailOut(
        **_fields(draft),
        source=draft.source,
        tree=tree,
        to_confirm=[
            ProcedureDraftConfirmItemOut(
                where=str(i.get("where", "")),
                text=str(i.get("text", "")),
                confirmed=bool(i.get("confirmed")),
            )
            for i in draft.to_confirm or []
        ],
    )


def _draft(request: HttpRequest, draft_id: int) -> tuple[Any, ProcedureDraft]:
    person = acting_person(request)
    return person, drafts.get(person, draft_id)


@router.get("/procedure-drafts", response={200: list[ProcedureDraftOut], **responses(403)})
def list_drafts(request: HttpRequest) -> list[ProcedureDraftOut]:
    """The drafts of the caller's agency, newest first."""
    person = acting_person(request)
    found = drafts.drafts_of(person).select_related(
        "base_version", "published_version", "updated_by", "submitted_by"
    )
    return [draft_out(d) for d in found[:500]]


@router.post("/procedure-drafts", response={201: ProcedureDraftDetailOut, **WRITE})
def create_draft(request: HttpRequest, body: ProcedureDraftIn) -> Status[ProcedureDraftDetailOut]:
    """Start a draft: from procedure text, as a revision of a published version of the
    caller's agency, or blank."""
    person = acting_person(request)
    if body.source is not None:
        draft = drafts.create_from_source(person, body.source)
    elif body.version_key is not None or body.version_number is not None:
        version = ProcedureVersion.objects.filter(
            agency_id=person.agency_id,
            procedure_key=body.version_key or "",
            number=body.version_number or 0,
        ).first()
        if version is None:
            raise ApiError(404, "not_found", _("No such procedure version."), field="version_key")
        draft = drafts.create_from_version(person, version)
    elif body.procedure_key is not None:
        draft = drafts.create_blank(
            person, procedure_key=body.procedure_key, title=body.title or ""
        )
    else:
        raise ApiError(
            422,
            "invalid",
            _("Give source, version_key and version_number, or procedure_key."),
            field="source",
        )
    return Status(201, detail_out(draft))


@router.get(
    "/procedure-drafts/{draft_id}",
    response={200: ProcedureDraftDetailOut, **responses(403, 404, 422)},
)
def get_draft(request: HttpRequest, draft_id: PathId) -> ProcedureDraftDetailOut:
    """One draft with its text and tree."""
    return detail_out(_draft(request, draft_id)[1])


@router.put("/procedure-drafts/{draft_id}/source", response={200: ProcedureDraftDetailOut, **WRITE})
def put_source(
    request: HttpRequest, draft_id: PathId, body: ProcedureDraftSourceIn
) -> ProcedureDraftDetailOut:
    """Replace the draft's text (``revision``: the one read)."""
    person, draft = _draft(request, draft_id)
    return detail_out(drafts.save_source(person, draft, body.source, revision=body.revision))


@router.put(
    "/procedure-drafts/{draft_id}/sections/{section}",
    response={200: ProcedureDraftDetailOut, **WRITE},
)
def put_section(
    request: HttpRequest, draft_id: PathId, section: str, body: ProcedureDraftSectionIn
) -> ProcedureDraftDetailOut:
    """Replace one section of the draft: identity, service, actors, artifacts, steps, flow
    or notes."""
    person, draft = _draft(request, draft_id)
    return detail_out(
        drafts.save_section(
            person, draft, section, body.data, revision=body.revision, renames=body.renames
        )
    )


@router.get(
    "/procedure-drafts/{draft_id}/check",
    response={200: ProcedureDraftCheckOut, **responses(403, 404, 422)},
)
def check_draft(request: HttpRequest, draft_id: PathId) -> ProcedureDraftCheckOut:
    """The draft's problems, each at the field it concerns (an empty SOP number is none)."""
    result = drafts.check(_draft(request, draft_id)[1])
    return ProcedureDraftCheckOut(
        ok=result.ok,
        messages=[
            ProcedureDraftMessageOut(path=m.path, line=m.line, column=m.column, text=m.text)
            for m in result.messages
        ],
    )


_YAML = {
    "responses": {
        "200": {
            "description": "The draft's YAML (the procedure format), as a file.",
            "content": {"application/yaml": {"schema": {}}},
        }
    }
}


@router.get(
    "/procedure-drafts/{draft_id}/yaml", response=responses(403, 404, 422), openapi_extra=_YAML
)
def export_draft(request: HttpRequest, draft_id: PathId) -> HttpResponse:
    """The draft's text, as a YAML file."""
    draft = _draft(request, draft_id)[1]
    response = HttpResponse(drafts.export_yaml(draft), content_type="application/yaml")
    name = f"{draft.procedure_key or 'draft'}-draft-{draft.pk}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/procedure-drafts/{draft_id}/submit", response={200: ProcedureDraftOut, **WRITE})
def submit_draft(request: HttpRequest, draft_id: PathId) -> ProcedureDraftOut:
    """Send the draft for review."""
    person, draft = _draft(request, draft_id)
    return draft_out(drafts.submit(person, draft))


@router.post("/procedure-drafts/{draft_id}/return", response={200: ProcedureDraftOut, **WRITE})
def return_draft(
    request: HttpRequest, draft_id: PathId, body: ProcedureDraftNoteIn
) -> ProcedureDraftOut:
    """Return a draft in review to its authors, saying why (procedure administrators)."""
    person, draft = _draft(request, draft_id)
    return draft_out(drafts.return_to_authors(person, draft, body.note))


@router.post(
    "/procedure-drafts/{draft_id}/approve", response={200: ProcedureDraftApprovedOut, **WRITE}
)
def approve_draft(
    request: HttpRequest, draft_id: PathId, body: ProcedureDraftNoteIn
) -> ProcedureDraftApprovedOut:
    """Approve a draft in review: it is published as the agency's next version (a procedure
    administrator other than the person who sent it)."""
    person, draft = _draft(request, draft_id)
    version = drafts.approve(person, draft, body.note)
    return ProcedureDraftApprovedOut(
        draft=draft_out(drafts.get(person, draft.pk)), version=version.number
    )


@router.post("/procedure-drafts/{draft_id}/withdraw", response={200: ProcedureDraftOut, **WRITE})
def withdraw_draft(request: HttpRequest, draft_id: PathId) -> ProcedureDraftOut:
    """Withdraw a draft being written or in review."""
    person, draft = _draft(request, draft_id)
    return draft_out(drafts.withdraw(person, draft))


def event_out(event: ProcedureEvent) -> ProcedureDraftEventOut:
    return ProcedureDraftEventOut(
        seq=event.seq,
        kind=event.kind,
        draft=event.draft_id,
        procedure_key=event.procedure_key,
        by=event.by_name,
        at=event.at,
        data=event.data,
        hash=event.hash,
    )


@router.get(
    "/procedure-drafts/{draft_id}/journal",
    response={200: list[ProcedureDraftEventOut], **responses(403, 404, 422)},
)
def draft_journal(request: HttpRequest, draft_id: PathId) -> list[ProcedureDraftEventOut]:
    """The draft's journal: who created, saved, sent, returned, approved it, and when."""
    person, draft = _draft(request, draft_id)
    return [event_out(e) for e in drafts.journal(person, draft)]
