"""The procedure drafts screens: an agency's drafts, starting one (blank, from a YAML file,
revising a published version), its YAML, and the review (send for review, approve and
publish, return, withdraw).

Every rule is the drafts service's (laksana.procedures.drafts): another agency's draft, or one
that does not exist, is a 404; a person without the right is a 403; a refusal is shown with
the service's message. The editor's forms are in laksana.procedures.views_draft_forms.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.cases.queries import person_of
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.procedures import drafts
from laksana.procedures.models import ProcedureDraft
from laksana.procedures.views import _download, _read_upload, _version

# The longest review note read from a form.
MAX_NOTE = 2000


def writer(request: HttpRequest) -> Person:
    """The signed-in person, if they may write their agency's drafts (403 otherwise)."""
    person = person_of(request.user)
    if person is None or not (
        drafts.may_write(person, person.agency) or drafts.may_review(person, person.agency)
    ):
        raise PermissionDenied
    return person


def draft_of(request: HttpRequest, pk: int) -> tuple[Person, ProcedureDraft]:
    """The person and their agency's draft ``pk``: 404 for another agency's or a missing
    draft (as if it did not exist), 403 for a person who may not write drafts."""
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    try:
        draft = drafts.get(person, pk)
    except ServiceError as exc:
        if exc.code == "not_found":
            raise Http404("no such draft") from None
        raise PermissionDenied(exc.message) from None
    if not (drafts.may_write(person, draft.agency) or drafts.may_review(person, draft.agency)):
        raise PermissionDenied
    return person, draft


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message)
    if exc.code == "not_found":
        raise Http404(exc.message)
    messages.error(request, exc.message)


def _acted(
    request: HttpRequest, draft: ProcedureDraft, act: Callable[[], object], done: str
) -> HttpResponse:
    """Carry out one review action on the draft and go back to it, saying what happened (or
    why it was refused)."""
    try:
        act()
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("procedures:draft", draft.pk)


@login_required
@require_safe
def draft_list(request: HttpRequest) -> HttpResponse:
    """The agency's drafts: state, who edited them when, who sent them for review."""
    person = writer(request)
    rows = drafts.drafts_of(person).select_related("updated_by", "submitted_by", "base_version")
    return render(
        request,
        "procedures/drafts.html",
        {
            "drafts": rows[:500],
            "agency": person.agency,
            "may_write": drafts.may_write(person, person.agency),
        },
    )


@login_required
@require_POST
def draft_new(request: HttpRequest) -> HttpResponse:
    """A new blank draft (procedure key and title), opened in the editor."""
    person = writer(request)
    key = _posted(request, "procedure_key")[:100]
    title = _posted(request, "title")[:300]
    try:
        draft = drafts.create_blank(person, procedure_key=key, title=title)
    except ServiceError as exc:
        _refused(request, exc)
        return _list_again(request, person, status=422)
    return redirect("procedures:draft", draft.pk)


@login_required
@require_POST
def draft_open(request: HttpRequest) -> HttpResponse:
    """A YAML file opened as a new draft (it need not check clean)."""
    person = writer(request)
    problems: list[str] = []
    read = _read_upload(request, problems)
    if read is None:
        for problem in problems:
            messages.error(request, problem)
        return _list_again(request, person, status=422)
    try:
        draft = drafts.create_from_source(person, read[1], origin="yaml")
    except ServiceError as exc:
        _refused(request, exc)
        return _list_again(request, person, status=422)
    return redirect("procedures:draft", draft.pk)


def _list_again(request: HttpRequest, person: Person, *, status: int) -> HttpResponse:
    rows = drafts.drafts_of(person).select_related("updated_by", "submitted_by", "base_version")
    return render(
        request,
        "procedures/drafts.html",
        {
            "drafts": rows[:500],
            "agency": person.agency,
            "may_write": drafts.may_write(person, person.agency),
            "values": {
                "procedure_key": request.POST.get("procedure_key", "")[:100],
                "title": request.POST.get("title", "")[:300],
            },
        },
        status=status,
    )


@login_required
@require_POST
def version_revise(
    request: HttpRequest, agency: str, procedure_id: str, number: int
) -> HttpResponse:
    """A published version of the person's agency opened as a draft of its next version."""
    version = _version(request, agency, procedure_id, number)
    person = writer(request)
    if version.agency_id != person.agency_id:
        raise Http404("no such version")
    try:
        draft = drafts.create_from_version(person, version)
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("procedures:version", agency, procedure_id, number)
    return redirect("procedures:draft", draft.pk)


@login_required
@require_safe
def draft_yaml(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's source, as a YAML file."""
    _person, draft = draft_of(request, pk)
    return _download(
        drafts.export_yaml(draft),
        "application/yaml; charset=utf-8",
        f"{draft.procedure_key or 'draf'}-draf-{draft.pk}.yaml",
    )


def _posted(request: HttpRequest, name: str) -> str:
    """A posted text without NUL characters (no database keeps them in text)."""
    return request.POST.get(name, "").replace("\r\n", "\n").replace("\x00", "").strip()


def _note(request: HttpRequest) -> str:
    return _posted(request, "note")[:MAX_NOTE]


@login_required
@require_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the draft for review."""
    person, draft = draft_of(request, pk)
    return _acted(request, draft, lambda: drafts.submit(person, draft), _("Sent for review."))


@login_required
@require_POST
def draft_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer approves the draft: it is published as the agency's next version."""
    person, draft = draft_of(request, pk)
    if not drafts.may_review(person, draft.agency):
        raise PermissionDenied
    try:
        version = drafts.approve(person, draft, _note(request))
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("procedures:draft", draft.pk)
    messages.success(request, _("Approved and published as version %(n)s.") % {"n": version.number})
    return redirect(
        "procedures:version", version.agency.slug, version.procedure_key, version.number
    )


@login_required
@require_POST
def draft_return(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer returns the draft to its authors, with a note saying why."""
    person, draft = draft_of(request, pk)
    if not drafts.may_review(person, draft.agency):
        raise PermissionDenied
    note = _note(request)
    return _acted(
        request,
        draft,
        lambda: drafts.return_to_authors(person, draft, note),
        _("Returned to its authors."),
    )


@login_required
@require_POST
def draft_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft withdrawn (by its authors or a reviewer)."""
    person, draft = draft_of(request, pk)
    return _acted(
        request, draft, lambda: drafts.withdraw(person, draft), _("The draft is withdrawn.")
    )
