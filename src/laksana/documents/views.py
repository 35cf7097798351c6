"""Document screens: my documents, the draft form with its preview, a document's page with
the initial, signature and return of the person whose turn it is, its PDF and DOCX, the
documents panel of the case page and the disposition sheet.

Reads go through the case's visibility gate (:func:`laksana.cases.queries.visible_cases`): a
document of a case the user may not see is a 404, the same as a missing one. Writes call
:mod:`laksana.documents.services`; a refusal's message is shown next to the input it concerns
with everything entered kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.cases.models import Case, Disposition
from laksana.cases.queries import visible_cases
from laksana.cases.services import ServiceError
from laksana.documents import queries, services
from laksana.documents.kinds import KINDS
from laksana.documents.models import (
    Document,
    DocumentStatus,
)
from laksana.documents.settings_views import may_administer
from laksana.org.models import Person
from laksana.web.middleware import current_person

RECENT_FINAL = 20


def _person(request: HttpRequest) -> Person:
    """The signed-in person; an account without a person record makes no documents."""
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def _visible_case(request: HttpRequest, reference: str) -> Case:
    # No reference holds a NUL character or is longer than the column (PostgreSQL refuses
    # to compare a text holding NUL): such a text names no case.
    if "\x00" in reference or len(reference) > 40:
        raise Http404
    case = (
        visible_cases(request.user)
        .select_related("agency", "version")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404  # the same answer whether it does not exist or may not be seen
    return case


def visible_document(request: HttpRequest, pk: int) -> Document:
    """The document if the user may see it (:func:`laksana.documents.queries.visible_documents`:
    who may see its case, its author, its signatories); 404 otherwise, either way."""
    person = current_person(request)
    if person is not None:
        allowed = queries.visible_documents(person)
    elif getattr(request.user, "is_superuser", False):
        allowed = Document.objects.all()
    else:
        allowed = Document.objects.none()
    document = (
        allowed.select_related("case", "case__version", "author", "template", "step")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


def html_of(document: Document) -> str:
    """The document's HTML as it prints now (a final one: from the data it was made with)."""
    from laksana.documents import context, templating

    data = document.data if document.status == DocumentStatus.FINAL and document.data else None
    return templating.render_html(document.template.source, data or context.build(document))


def _detail_url(document: Document) -> str:
    return reverse("documents:detail", args=[document.pk])


# --- my documents -----------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """What waits for my initial or signature, the drafts I wrote, and the recent final
    documents of cases I may see."""
    person = current_person(request)
    waiting: list[Document] = []
    drafts: list[Document] = []
    if person is not None:
        waiting = list(queries.waiting_for(person))
        drafts = list(
            Document.objects.filter(author=person)
            .exclude(status=DocumentStatus.FINAL)
            .select_related("case")
            .order_by("-created_at")[:50]
        )
    final = list(
        Document.objects.filter(status=DocumentStatus.FINAL, case__in=visible_cases(request.user))
        .select_related("case")
        .order_by("-finalised_at", "-pk")[:RECENT_FINAL]
    )
    return render(
        request,
        "documents/mine.html",
        {
            "waiting": waiting,
            "drafts": drafts,
            "final": final,
            "no_person": person is None,
            "can_administer": may_administer(person, request.user),
        },
    )


# --- a document -------------------------------------------------------------------------------


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document: status, number, its PDF, the signatories in order, and what I may do."""
    document = visible_document(request, pk)
    return _detail_page(request, document)


def _detail_page(
    request: HttpRequest, document: Document, *, refuse_error: str = "", status: int = 200
) -> HttpResponse:
    person = current_person(request)
    signatories = list(document.signatories.select_related("person"))
    waiting_for = services.turn(document) if document.status == DocumentStatus.CIRCULATING else []
    turn = waiting_for[0].order if waiting_for else None
    mine = next((s for s in waiting_for if person is not None and s.person_id == person.pk), None)
    is_author = person is not None and document.author_id == person.pk
    editable = document.status in (DocumentStatus.DRAFT, DocumentStatus.RETURNED)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "case": document.case,
            "kind": KINDS.get(document.kind),
            "signatories": signatories,
            "turn": turn,
            "waiting_for": waiting_for,
            "mine": mine,
            "can_edit": is_author and editable,
            "can_submit": is_author and editable,
            "refuse_error": refuse_error,
        },
        status=status,
    )


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    person = _person(request)
    document = visible_document(request, pk)
    seen = request.POST.get("seen_sha256", "").strip() or None
    try:
        if action == "submit":
            services.submit(person, document)
            done = _("The document is sent for initials and signatures.")
        elif action == "initial":
            services.initial(person, document, seen_sha256=seen)
            done = _("You initialled the document.")
        else:
            services.sign(person, document, seen_sha256=seen)
            done = _("You signed the document.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(_detail_url(document))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sends the draft round for initials and signatures."""
    return _act(request, pk, "submit")


@login_required
@require_POST
def initial(request: HttpRequest, pk: int) -> HttpResponse:
    """Initial (paraf) the PDF I was shown (its SHA-256 posted back)."""
    return _act(request, pk, "initial")


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the PDF I was shown (its SHA-256 posted back)."""
    return _act(request, pk, "sign")


@login_required
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the document to its author with a note (required)."""
    person = _person(request)
    document = visible_document(request, pk)
    note = request.POST.get("note", "").strip()
    try:
        services.refuse(person, document, note=note)
    except ServiceError as exc:
        if exc.field == "note":
            return _detail_page(request, document, refuse_error=exc.message, status=422)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document is returned to its author."))
    return redirect(_detail_url(document))


def _filename(document: Document, ext: str) -> str:
    base = (document.number or document.draft_number or str(document.pk)).replace("/", "-")
    return f"{document.kind}-{base}.{ext}"


@login_required
@require_safe
def pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The document's current PDF (inline: the page embeds it)."""
    document = visible_document(request, pk)
    if not document.pdf:
        raise Http404
    try:
        handle = document.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("unduh") == "1",
        filename=_filename(document, "pdf"),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


@login_required
@require_safe
def docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as an editable DOCX, made from its current HTML."""
    document = visible_document(request, pk)
    from laksana.documents import render as printing

    data = printing.docx(html_of(document))
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(document, "docx")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def disposition_sheet(request: HttpRequest, reference: str, disposition_id: int) -> HttpResponse:
    """Make (or open) the disposition sheet of a disposition of a case I may see."""
    person = _person(request)
    case = _visible_case(request, reference)
    disposition = Disposition.objects.filter(pk=disposition_id, case=case).first()
    if disposition is None:
        raise Http404
    try:
        document = services.make_disposition_sheet(person, disposition)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cases:detail", args=[case.reference]) + "#dokumen")
    return redirect(_detail_url(document))


# --- the case page's panel --------------------------------------------------------------------


def case_panel(person: Person | None, case: Case) -> tuple[str, dict[str, Any]] | None:
    """The documents of a case on its page (registered with :mod:`laksana.cases.panels`),
    with the dossier download and, for each disposition, its sheet."""
    documents = list(queries.documents_of_case(case))
    dispositions = list(
        case.dispositions.select_related("sender", "recipient").order_by("created_at", "pk")
    )
    return (
        "documents/_case_panel.html",
        {
            "case": case,
            "documents": documents,
            "dispositions": dispositions,
            "can_make": person is not None,
        },
    )
