"""The documents' settings of an agency: its templates per kind (the shipped text, its own
versions, a new version checked before it is saved), its letterheads (the agency's and each
unit's) and its numbering patterns per kind (checked, with an example).

For the agency's administrators and procedure administrators (:mod:`laksana.org.roles`) and
the installation's superuser acting for their own agency; everyone else gets 403 on the
product's error page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.services import ServiceError
from laksana.documents import forms, numbering, services, templating
from laksana.documents.kinds import KINDS, DocumentKind
from laksana.documents.models import Letterhead, NumberingPattern, TemplateVersion
from laksana.org.models import Agency, Person, RoleKind, Unit
from laksana.org.roles import has_role, is_superuser
from laksana.web.middleware import current_person


def may_administer(person: Person | None, user: Any = None) -> bool:
    """Whether the person keeps the documents' settings of their agency."""
    if person is None:
        return False
    return (
        is_superuser(person, user)
        or has_role(person, person.agency_id, RoleKind.AGENCY_ADMIN)
        or has_role(person, person.agency_id, RoleKind.PROCEDURE_ADMIN)
    )


def _administrator(request: HttpRequest) -> Person:
    person = current_person(request)
    if person is None or not may_administer(person, request.user):
        raise PermissionDenied(
            _("The documents' settings are kept by the agency's administrators.")
        )
    return person


def _kind(code: str) -> DocumentKind:
    kind = KINDS.get(code)
    if kind is None:
        raise Http404
    return kind


def _example(agency: Agency, kind: DocumentKind, pattern: str, unit: Unit | None) -> str:
    today = timezone.localdate()
    return numbering.format_number(pattern, seq=7, kind=kind, agency=agency, unit=unit, on=today)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every kind with its template in use and numbering pattern; the letterheads."""
    person = _administrator(request)
    agency = person.agency
    versions: dict[str, TemplateVersion] = {}
    for v in TemplateVersion.objects.filter(agency=agency).order_by("kind", "-number"):
        versions.setdefault(v.kind, v)
    patterns = dict(NumberingPattern.objects.filter(agency=agency).values_list("kind", "pattern"))
    kinds = [
        {
            "kind": k,
            "version": versions.get(k.code),
            "pattern": patterns.get(k.code, k.default_pattern),
            "example": _example(agency, k, patterns.get(k.code, k.default_pattern), person.unit),
            "own_pattern": k.code in patterns,
        }
        for k in KINDS.values()
    ]
    letterheads = {lh.unit_id: lh for lh in Letterhead.objects.filter(agency=agency)}
    units = list(Unit.objects.filter(agency=agency).order_by("name"))
    return render(
        request,
        "documents/settings.html",
        {
            "agency": agency,
            "kinds": kinds,
            "agency_letterhead": letterheads.get(None),
            "units": [(u, letterheads.get(u.pk)) for u in units],
        },
    )


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    """A kind's template: the shipped text, the agency's versions, and a new version (checked
    first: every problem listed with its line, nothing saved)."""
    person = _administrator(request)
    found = _kind(kind)
    versions = list(
        TemplateVersion.objects.filter(agency_id=person.agency_id, kind=found.code).select_related(
            "created_by"
        )
    )
    shipped = templating.shipped_source(found.code)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        form = forms.TemplateForm(request.POST)
        if form.is_valid():
            source = form.cleaned_data["source"]
            problems = templating.check(source, found.code)
            if not problems:
                try:
                    saved = services.save_template(
                        person, person.agency, found.code, source, form.cleaned_data["note"]
                    )
                except ServiceError as exc:
                    problems = list(exc.items) or [exc.message]
                else:
                    messages.success(
                        request,
                        _("Version %(number)s of the template is saved.")
                        % {"number": saved.number},
                    )
                    return redirect(reverse("documents:template", args=[found.code]))
        status = 422
    else:
        current = versions[0].source if versions else shipped
        form = forms.TemplateForm(initial={"source": current})
    return render(
        request,
        "documents/template.html",
        {
            "kind": found,
            "form": form,
            "problems": problems,
            "versions": versions,
            "shipped": shipped,
        },
        status=status,
    )


@login_required
def numbering_pattern(request: HttpRequest, kind: str) -> HttpResponse:
    """A kind's numbering pattern: checked, then saved; an example shown either way."""
    person = _administrator(request)
    found = _kind(kind)
    current = numbering.pattern_for(person.agency, found)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        form = forms.NumberingForm(request.POST)
        if form.is_valid():
            pattern = form.cleaned_data["pattern"]
            problems = numbering.check_pattern(pattern)
            if not problems:
                try:
                    services.save_numbering_pattern(person, person.agency, found.code, pattern)
                except ServiceError as exc:
                    problems = list(exc.items) or [exc.message]
                else:
                    messages.success(
                        request,
                        _("The numbering pattern of %(kind)s is saved.") % {"kind": found.label},
                    )
                    return redirect(reverse("documents:settings") + "#penomoran")
            current = pattern
        status = 422
    else:
        form = forms.NumberingForm(initial={"pattern": current})
    example = "" if problems else _example(person.agency, found, current, person.unit)
    return render(
        request,
        "documents/numbering.html",
        {
            "kind": found,
            "form": form,
            "problems": problems,
            "example": example,
            "placeholders": numbering.PLACEHOLDERS,
        },
        status=status,
    )


@login_required
def letterhead(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    """The agency's letterhead (no unit) or a unit's: names, address, contacts and logo."""
    person = _administrator(request)
    agency = person.agency
    unit: Unit | None = None
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id, agency=agency).first()
        if unit is None:
            raise Http404  # another agency's unit is not found, like a missing one
    existing = Letterhead.objects.filter(agency=agency, unit=unit).first()
    status = 200
    if request.method == "POST":
        form = forms.LetterheadForm(request.POST, request.FILES)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "logo"}
            if form.cleaned_data.get("logo"):
                data["logo"] = form.cleaned_data["logo"]
            try:
                services.save_letterhead(person, agency, unit, **data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The letterhead is saved."))
                return redirect(reverse("documents:settings") + "#kop")
        status = 422
    else:
        initial: dict[str, Any] = {
            "agency_name": agency.name,
            "unit_name": unit.name if unit is not None else "",
        }
        if existing is not None:
            initial = {
                name: getattr(existing, name)
                for name in (
                    "government",
                    "agency_name",
                    "unit_name",
                    "address",
                    "phone",
                    "website",
                    "email",
                )
            }
        form = forms.LetterheadForm(initial=initial)
    return render(
        request,
        "documents/letterhead.html",
        {"form": form, "unit": unit, "existing": existing, "agency": agency},
        status=status,
    )
