"""The draft form of a document: the kind's own fields (what the records do not hold), the
date and the signatories (the procedure's defaults shown, changeable), a preview rendered as
the document prints, and making or changing the draft through the services.

A case, step or document the user may not see is a 404, as on the case page
(:func:`laksana.documents.views.visible_document`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from laksana.cases import authority, vendors
from laksana.cases.models import Case, CaseStep
from laksana.cases.services import ServiceError
from laksana.documents import drafting, forms, services
from laksana.documents.kinds import BY_ARTIFACT_TYPE, KINDS, DocumentKind, form_part
from laksana.documents.models import Document, DocumentStatus, SignatoryRole
from laksana.documents.plugin import _url as _plugin_url
from laksana.documents.views import (
    _detail_url,
    _person,
    _visible_case,
    html_of,
    visible_document,
)
from laksana.org.models import Person
from laksana.web.params import record_id

# --- the draft form ---------------------------------------------------------------------------


def _target(request: HttpRequest, params: Any) -> tuple[Case, CaseStep | None, str, DocumentKind]:
    """The case, step, artifact and kind the draft form's parameters name (404 for anything
    the user may not see or that does not exist)."""
    case = _visible_case(request, str(params.get("case", "")).strip())
    step: CaseStep | None = None
    step_id = record_id(params.get("step"))
    if step_id is not None:
        step = case.steps.filter(pk=step_id).first()
        if step is None:
            raise Http404
    key = str(params.get("artifact", "")).strip()
    kind: DocumentKind | None
    if key:
        spec = case.version.spec
        if not spec.has_artifact(key):
            raise Http404
        kind = BY_ARTIFACT_TYPE.get(spec.artifact(key).type)
    else:
        kind = KINDS.get(str(params.get("kind", "")).strip())
    if kind is None:
        raise Http404
    return case, step, key, kind


def _people(case: Case) -> list[tuple[str, str]]:
    """The signatory choices: the people of the case's agency, and the staff of the current
    vendor of the case's application (whom the services accept as signatories too)."""
    allowed = Q(agency_id=case.agency_id, vendor__isnull=True)
    vendor = (
        case.application.current_vendor(vendors.case_day(case))
        if case.application is not None
        else None
    )
    if vendor is not None:
        allowed |= Q(vendor=vendor)
    return [
        (str(pk), f"{name} — {unit}" if unit else name)
        for pk, name, unit in Person.objects.filter(allowed)
        .order_by("name")
        .values_list("pk", "name", "unit__name")
    ]


def _draft_page(
    request: HttpRequest,
    *,
    case: Case,
    kind: DocumentKind,
    form: forms.DraftForm,
    action: str,
    document: Document | None = None,
    step: CaseStep | None = None,
    key: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "documents/draft_form.html",
        {
            "case": case,
            "step_id": step.pk if step is not None else "",
            "artifact_key": key,
            "kind": kind,
            "form": form,
            "action": action,
            "document": document,
            "people": _people(case),
            "roles": SignatoryRole.choices,
        },
        status=status,
    )


def _refused(form: forms.DraftForm, exc: ServiceError) -> None:
    """A service's refusal onto the draft form: on its field, else above the form."""
    name = (exc.field or "").removeprefix("fields").lstrip(".").split(".")[0]
    if name not in form.labels and name not in ("date", "signatories"):
        name = "general"
    form.add(name, exc.message)
    for item in exc.items:
        if item != exc.message:
            form.add(name, item)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """The draft form of a case's document (GET), and making the draft (POST)."""
    person = _person(request)
    params = request.POST if request.method == "POST" else request.GET
    case, step, key, kind = _target(request, params)
    action = (
        reverse("documents:new")
        + "?"
        + urlencode(
            {
                k: v
                for k, v in (
                    ("case", case.reference),
                    ("step", step.pk if step else ""),
                    ("artifact", key),
                    ("kind", "" if key else kind.code),
                )
                if v
            }
        )
    )
    if request.method != "POST":
        existing = _existing_draft(case, step, key)
        if existing is not None:
            return redirect(_detail_url(existing))
        if kind.made_by:
            # Minutes made from a module's record (a test run): made by closing the run.
            messages.error(
                request,
                _(
                    "%(kind)s is made by closing its test run: open the step's test run "
                    "(Testing) and close it, and its minutes are drafted from it."
                )
                % {"kind": kind.label},
            )
            start = (
                _plugin_url("quality:start", query={"step": step.pk, "artifact": key})
                if step is not None and key
                else ""
            )
            return redirect(start or reverse("cases:detail", args=[case.reference]))
        if step is not None:
            # The form of a step's document is for those who may work the step (the
            # services decide again when the draft is made).
            decision = authority.may_work(person, case, step)
            if not decision:
                messages.error(
                    request,
                    decision.explain(
                        _("Only someone who may work this step can make its document.")
                    ),
                )
                return redirect(reverse("cases:detail", args=[case.reference]))
        form = forms.draft_form(kind.form, {}, "", [])
        try:
            defaults = drafting.default_signatories(
                case, step, case.version.spec.artifact(key) if key else None, kind, person
            )
        except ServiceError as exc:
            defaults = []
            form.add("signatories", exc.message)
        form.signatories = forms.rows_of(
            [
                {"person": s.person.pk, "role": s.role, "order": s.order, "label": s.label}
                for s in defaults
            ]
        )
        return _draft_page(
            request, case=case, kind=kind, form=form, action=action, step=step, key=key
        )
    given = forms.read_draft(kind.form, request.POST)
    form = forms.draft_form(
        kind.form, given.entered, given.entered.get("date", ""), given.rows, given.errors
    )
    if given.errors:
        return _draft_page(
            request,
            case=case,
            kind=kind,
            form=form,
            action=action,
            step=step,
            key=key,
            status=422,
        )
    try:
        document = services.make_draft(
            person,
            case,
            kind=kind.code,
            step=step,
            artifact_key=key,
            fields=given.fields,
            signatories=given.signatories,
            date=given.date,
        )
    except ServiceError as exc:
        _refused(form, exc)
        return _draft_page(
            request,
            case=case,
            kind=kind,
            form=form,
            action=action,
            step=step,
            key=key,
            status=422,
        )
    messages.success(request, _("The draft is made: check it, then send it for signing."))
    return redirect(_detail_url(document))


def _existing_draft(case: Case, step: CaseStep | None, key: str) -> Document | None:
    """The document already made for this step's artifact (one per artifact and step)."""
    if step is None or not key:
        return None
    return Document.objects.filter(case=case, step=step, artifact_key=key).order_by("-pk").first()


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft (or a returned one): its fields, date and signatories."""
    person = _person(request)
    document = visible_document(request, pk)
    if document.author_id != person.pk or document.status not in (
        DocumentStatus.DRAFT,
        DocumentStatus.RETURNED,
    ):
        messages.error(
            request, _("Only the author changes a document, and only a draft or a returned one.")
        )
        return redirect(_detail_url(document))
    kind = KINDS[document.kind]
    action = reverse("documents:edit", args=[document.pk])
    if request.method != "POST":
        rows = forms.rows_of(
            [
                {"person": s.person_id, "role": s.role, "order": s.order, "label": s.label}
                for s in document.signatories.all()
            ]
        )
        form = forms.draft_form(
            form_part(kind),
            forms.entered_of(form_part(kind), document.fields),
            document.date.isoformat(),
            rows,
        )
        return _draft_page(
            request, case=document.case, kind=kind, form=form, action=action, document=document
        )
    given = forms.read_draft(form_part(kind), request.POST)
    form = forms.draft_form(
        form_part(kind), given.entered, given.entered.get("date", ""), given.rows, given.errors
    )
    if not given.errors:
        try:
            services.update_draft(
                person,
                document,
                fields=given.fields,
                signatories=given.signatories,
                date=given.date,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The draft is changed."))
            return redirect(_detail_url(document))
    return _draft_page(
        request,
        case=document.case,
        kind=kind,
        form=form,
        action=action,
        document=document,
        status=422,
    )


class _Preview(Exception):
    """Carries the rendered HTML out of the transaction that is rolled back."""

    def __init__(self, html: str) -> None:
        super().__init__("preview")
        self.html = html


def _framed(html: str) -> HttpResponse:
    """HTML of a document for a frame of our own pages: no script, nothing loaded from
    elsewhere, framed only by this site."""
    response = HttpResponse(html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; frame-ancestors 'self'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
@xframe_options_sameorigin
def preview(request: HttpRequest) -> HttpResponse:
    """The draft form's contents rendered as the document would print, in a frame of the
    form's page. Nothing is kept: the draft is made (or changed) by the services, so every
    check and default applies, rendered, and the transaction rolled back."""
    person = _person(request)
    given: forms.DraftInput | None = None
    pk = record_id(request.POST.get("document"))
    try:
        with transaction.atomic():
            if pk is not None:
                document = visible_document(request, pk)
                given = forms.read_draft(form_part(KINDS[document.kind]), request.POST)
                document = services.update_draft(
                    person,
                    document,
                    fields=given.fields,
                    signatories=given.signatories,
                    date=given.date,
                )
            else:
                case, step, key, kind = _target(request, request.POST)
                given = forms.read_draft(kind.form, request.POST)
                document = services.make_draft(
                    person,
                    case,
                    kind=kind.code,
                    step=step,
                    artifact_key=key,
                    fields=given.fields,
                    signatories=given.signatories,
                    date=given.date,
                )
            raise _Preview(html_of(document))
    except _Preview as done:
        html = done.html
    except ServiceError as exc:
        html = render_to_string(
            "documents/preview_refused.html", {"message": exc.message, "items": exc.items}
        )
    return _framed(html)


@login_required
@require_safe
@xframe_options_sameorigin
def html(request: HttpRequest, pk: int) -> HttpResponse:
    """A document's HTML as it prints now (the draft's page shows it before there is a PDF)."""
    return _framed(html_of(visible_document(request, pk)))
