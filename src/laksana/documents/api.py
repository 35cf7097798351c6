"""The documents part of the API, under /api/documents: the documents of a case, one
document, making and changing a draft, submitting it, initialling, signing or returning it,
and its PDF.

Reads go through the documents' visibility gate (:func:`laksana.documents.queries.
visible_documents`: who may see the case, the author, the signatories): a document one may not
see is answered exactly like a missing one (404). Writes call :mod:`laksana.documents.services`,
whose refusals are the API's error format (400, 403 for ``not_allowed``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from laksana.api.auth import acting_person, caller
from laksana.api.errors import file_missing, not_found, responses
from laksana.api.types import Id, PathId
from laksana.cases.models import Case, CaseStep
from laksana.cases.queries import visible_case
from laksana.documents import queries, services
from laksana.documents.models import Document, DocumentStatus

logger = logging.getLogger(__name__)
router = Router(tags=["documents"])

_PDF = {
    "responses": {
        "200": {
            "description": "The document's current PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# Schemas -------------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class SignatoryOut(Schema):
    """One initial or signature of a document, in order (equal orders: a joint group)."""

    order: int
    role: Literal["initial", "sign"]
    person: PersonRef
    label: str
    position_title: str
    status: Literal["pending", "done", "refused"]
    acted_at: dt.datetime | None
    pdf_sha256: str = Field(description="the SHA-256 of the PDF acted on")
    note: str


class OfficialDocumentOut(Schema):
    """A document of a case."""

    id: int
    case: str = Field(description="the case's reference")
    step_id: int | None
    artifact: str
    kind: str
    title: str
    status: DocumentStatus
    number: str = Field(description="the final number; empty until final")
    draft_number: str
    date: dt.date
    author: PersonRef
    fields: dict[str, Any]
    pdf_sha256: str = Field(description="the SHA-256 of the current PDF (empty for a draft)")
    verification_code: str | None = Field(description="of a final document only")
    created_at: dt.datetime
    finalised_at: dt.datetime | None
    return_note: str
    signatories: list[SignatoryOut]
    waiting_for: list[PersonRef] = Field(description="whose turn it is now")
    url: str = Field(description="the document's page")
    pdf_url: str | None


class SignatoryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: Id
    role: Literal["initial", "sign"] = "sign"
    order: int | None = Field(None, ge=1, le=99)
    label: str = Field("", max_length=100)


class DraftIn(Schema):
    """A new draft: of a step's artifact (``step_id`` and ``artifact``), or of a ``kind`` on
    the case alone. ``fields``: only what the records do not hold (the kind's form);
    ``signatories``: empty for the procedure's defaults."""

    model_config = ConfigDict(extra="forbid")

    case: str = Field(max_length=40)
    step_id: Id | None = None
    artifact: str = Field("", max_length=100)
    kind: str = Field("", max_length=40)
    fields: dict[str, Any] = {}
    signatories: list[SignatoryIn] | None = None
    date: dt.date | None = None


class DraftChangeIn(Schema):
    """What changes in a draft (only what is given)."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any] | None = None
    signatories: list[SignatoryIn] | None = None
    date: dt.date | None = None


class ActIn(Schema):
    """An initial or a signature: ``seen_sha256``, the SHA-256 of the PDF the person looked
    at (refused if the document changed since)."""

    model_config = ConfigDict(extra="forbid")

    seen_sha256: str | None = Field(None, max_length=64)


class RefuseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=2000)


# Helpers -------------------------------------------------------------------------------------


def _visible(request: HttpRequest) -> QuerySet[Document]:
    who = caller(request)
    if who.person is not None:
        return queries.visible_documents(who.person)
    if getattr(who.user, "is_superuser", False):
        return Document.objects.all()
    return Document.objects.none()


def _document(request: HttpRequest, pk: int) -> Document:
    found = _with_relations(_visible(request)).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def _case(request: HttpRequest, reference: str) -> Case:
    who = caller(request)
    case = visible_case(who.user, reference, who.person)
    if case is None:
        raise not_found()
    return case


def _out(document: Document) -> OfficialDocumentOut:
    # Prefetched with their people by the callers (one query for a whole list).
    signatories = sorted(document.signatories.all(), key=lambda s: (s.order, s.pk))
    waiting = services.turn(document) if document.status == DocumentStatus.CIRCULATING else []
    final = document.status == DocumentStatus.FINAL
    return OfficialDocumentOut(
        id=document.pk,
        case=document.case.reference,
        step_id=document.step_id,
        artifact=document.artifact_key,
        kind=document.kind,
        title=document.title,
        status=DocumentStatus(document.status),
        number=document.number,
        draft_number=document.draft_number,
        date=document.date,
        author=PersonRef(id=document.author_id, name=document.author.name),
        fields=dict(document.fields),
        pdf_sha256=document.pdf_sha256,
        verification_code=document.code if final else None,
        created_at=document.created_at,
        finalised_at=document.finalised_at,
        return_note=document.return_note,
        signatories=[
            SignatoryOut(
                order=s.order,
                role=s.role,  # type: ignore[arg-type]
                person=PersonRef(id=s.person_id, name=s.person.name),
                label=s.label,
                position_title=s.position_title,
                status=s.status,  # type: ignore[arg-type]
                acted_at=s.acted_at,
                pdf_sha256=s.pdf_sha256,
                note=s.note,
            )
            for s in signatories
        ],
        waiting_for=[PersonRef(id=s.person_id, name=s.person.name) for s in waiting],
        url=reverse("documents:detail", args=[document.pk]),
        pdf_url=reverse("api:document_pdf", args=[document.pk]) if document.pdf else None,
    )


def _signatories(given: list[SignatoryIn] | None) -> list[dict[str, Any]] | None:
    if given is None:
        return None
    return [
        {
            "person": s.person,
            "role": s.role,
            "order": s.order if s.order is not None else i,
            "label": s.label,
        }
        for i, s in enumerate(given, 1)
    ]


def _with_relations(documents: QuerySet[Document]) -> QuerySet[Document]:
    return documents.select_related("case", "author").prefetch_related("signatories__person")


def _fresh(pk: int) -> OfficialDocumentOut:
    return _out(_with_relations(Document.objects.filter(pk=pk)).get())


# Operations ----------------------------------------------------------------------------------


@router.get("/documents", response={200: list[OfficialDocumentOut], **responses(404, 422)})
def list_documents(request: HttpRequest, case: str) -> list[OfficialDocumentOut]:
    """The documents of a case the caller may see, newest first."""
    found = _case(request, case)
    return [_out(d) for d in _with_relations(queries.documents_of_case(found))]


@router.post("/documents", response={201: OfficialDocumentOut, **responses(400, 403, 404, 422)})
def create_draft(request: HttpRequest, payload: DraftIn) -> Status[OfficialDocumentOut]:
    """Make a draft of a step's document (or of a kind on the case alone)."""
    person = acting_person(request)
    case = _case(request, payload.case)
    step: CaseStep | None = None
    if payload.step_id is not None:
        step = case.steps.filter(pk=payload.step_id).first()
        if step is None:
            raise not_found()
    document = services.make_draft(
        person,
        case,
        kind=payload.kind,
        step=step,
        artifact_key=payload.artifact,
        fields=payload.fields,
        signatories=_signatories(payload.signatories),
        date=payload.date,
    )
    return Status(201, _fresh(document.pk))


@router.get(
    "/documents/{document_id}",
    response={200: OfficialDocumentOut, **responses(404, 422)},
    url_name="document",
)
def get_document(request: HttpRequest, document_id: PathId) -> OfficialDocumentOut:
    """One document with its signatories and whose turn it is."""
    return _out(_document(request, document_id))


@router.patch(
    "/documents/{document_id}", response={200: OfficialDocumentOut, **responses(400, 403, 404, 422)}
)
def update_draft(
    request: HttpRequest, document_id: PathId, payload: DraftChangeIn
) -> OfficialDocumentOut:
    """Change a draft or a returned document (its author only)."""
    person = acting_person(request)
    document = _document(request, document_id)
    services.update_draft(
        person,
        document,
        fields=payload.fields,
        signatories=_signatories(payload.signatories),
        date=payload.date,
    )
    return _fresh(document.pk)


@router.post(
    "/documents/{document_id}/submit",
    response={200: OfficialDocumentOut, **responses(400, 403, 404, 422)},
)
def submit(request: HttpRequest, document_id: PathId) -> OfficialDocumentOut:
    """Send the draft round for initials and signatures (its author only)."""
    person = acting_person(request)
    document = _document(request, document_id)
    services.submit(person, document)
    return _fresh(document.pk)


@router.post(
    "/documents/{document_id}/initial",
    response={200: OfficialDocumentOut, **responses(400, 403, 404, 422)},
)
def initial(request: HttpRequest, document_id: PathId, payload: ActIn) -> OfficialDocumentOut:
    """Initial (paraf) the document, when it is the caller's turn."""
    person = acting_person(request)
    document = _document(request, document_id)
    services.initial(person, document, seen_sha256=payload.seen_sha256)
    return _fresh(document.pk)


@router.post(
    "/documents/{document_id}/sign",
    response={200: OfficialDocumentOut, **responses(400, 403, 404, 422)},
)
def sign(request: HttpRequest, document_id: PathId, payload: ActIn) -> OfficialDocumentOut:
    """Sign the document, when it is the caller's turn; the last signature makes it final."""
    person = acting_person(request)
    document = _document(request, document_id)
    services.sign(person, document, seen_sha256=payload.seen_sha256)
    return _fresh(document.pk)


@router.post(
    "/documents/{document_id}/refuse",
    response={200: OfficialDocumentOut, **responses(400, 403, 404, 422)},
)
def refuse(request: HttpRequest, document_id: PathId, payload: RefuseIn) -> OfficialDocumentOut:
    """Return the document to its author with a note, when it is the caller's turn."""
    person = acting_person(request)
    document = _document(request, document_id)
    services.refuse(person, document, note=payload.note)
    return _fresh(document.pk)


@router.get(
    "/documents/{document_id}/pdf",
    response=responses(404, 422),
    url_name="document_pdf",
    openapi_extra=_PDF,
)
def download_pdf(request: HttpRequest, document_id: PathId) -> FileResponse:
    """The document's current PDF (a draft has none until it is submitted)."""
    document = _document(request, document_id)
    if not document.pdf:
        raise not_found()
    try:
        handle = document.pdf.open("rb")
    except FileNotFoundError:
        logger.error("The PDF of document %s is missing from the file store", document.pk)
        raise file_missing() from None
    name = (document.number or document.draft_number or str(document.pk)).replace("/", "-")
    response = FileResponse(
        handle, as_attachment=True, filename=f"{name}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
