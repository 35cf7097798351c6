"""The staff's screens of the public desk, under /organisasi/<agency>/layanan-publik/: the
public services (opening procedures to the public) and the requests from outside (review,
spam). Who: the agency's administrators and procedure administrators; other members of the
agency are refused (403), anyone of another agency gets 404. Writes go through
:mod:`laksana.intake.services_admin` and :mod:`laksana.intake.spam`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from laksana.errors import ServiceError
from laksana.intake import services_admin, spam
from laksana.intake.models import OutsideRequest, PublicService, RequestStatus
from laksana.org.models import Agency, Person
from laksana.web.middleware import current_person
from laksana.web.params import record_id


class ServiceForm(forms.Form):
    procedure_key = forms.ChoiceField(label=gettext_lazy("Procedure"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    slug = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=100,
        help_text=gettext_lazy(
            "Letters, digits and hyphens: the end of the public page's address."
        ),
    )
    intro = forms.CharField(
        label=gettext_lazy("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_open = forms.BooleanField(label=gettext_lazy("Open to requests"), required=False)
    accepts_files = forms.BooleanField(label=gettext_lazy("Accepts files"), required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class SpamForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _agency(request: HttpRequest, slug: str) -> tuple[Agency, Person | None]:
    """The agency the user manages the desk of; 403 for its other members, 404 for others."""
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise Http404
    person = current_person(request)
    if services_admin.may_manage(person, agency, request.user):
        return agency, person
    if person is not None and person.agency_id == agency.pk:
        raise PermissionDenied
    raise Http404


def _refused(form: forms.Form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def public_services(request: HttpRequest, agency: str) -> HttpResponse:
    """The agency's public services, and the form opening one more procedure."""
    the_agency, person = _agency(request, agency)
    versions = services_admin.procedures(the_agency)
    choices = [("", _("— choose —"))] + [
        (
            v.procedure_key,
            v.title
            if services_admin.has_requester(v)
            else _("%(title)s (no requester)") % {"title": v.title},
        )
        for v in versions
    ]
    status = 200
    if request.method == "POST":
        form = ServiceForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                made = services_admin.create_service(
                    the_agency, person, user=request.user, source="web", **form.cleaned_data
                )
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(
                    request, _("%(title)s is open to the public.") % {"title": made.title}
                )
                return redirect("org:public_services", agency=the_agency.slug)
        status = 400
    else:
        form = ServiceForm(initial={"is_open": True, "accepts_files": True}, choices=choices)
    return render(
        request,
        "intake/staff_services.html",
        {"agency": the_agency, "services": services_admin.services_of(the_agency), "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def public_service(request: HttpRequest, agency: str, pk: int) -> HttpResponse:
    """One public service of the agency, to change."""
    the_agency, person = _agency(request, agency)
    found = PublicService.objects.filter(agency=the_agency, pk=pk).first()
    if found is None:
        raise Http404
    version_choice = [(found.procedure_key, found.procedure_key)]
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        data["procedure_key"] = found.procedure_key
        form = ServiceForm(data, choices=version_choice)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "procedure_key"}
            try:
                services_admin.update_service(
                    the_agency, person, found.pk, user=request.user, source="web", **values
                )
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("org:public_services", agency=the_agency.slug)
        status = 400
    else:
        initial = {f: getattr(found, f) for f in services_admin.FIELDS}
        form = ServiceForm(initial=initial, choices=version_choice)
    form.fields["procedure_key"].disabled = True
    return render(
        request,
        "intake/staff_service.html",
        {"agency": the_agency, "service": found, "form": form},
        status=status,
    )


def _rows(the_agency: Agency, rows: list[OutsideRequest]) -> list[dict[str, Any]]:
    by_address, by_email = spam.counts(the_agency, rows)
    return [
        {
            "request": r,
            "address": spam.fingerprint(r.address_hash),
            "email": spam.fingerprint(r.email_hash),
            "same_address": by_address.get(r.address_hash, 0),
            "same_email": by_email.get(r.email_hash, 0),
        }
        for r in rows
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outside_requests(request: HttpRequest, agency: str) -> HttpResponse:
    """The agency's requests from outside, filtered; a POST marks every request from one
    address (hash) as spam."""
    the_agency, person = _agency(request, agency)
    status = 200
    form = SpamForm()
    if request.method == "POST":
        form = SpamForm(request.POST)
        address = spam.hash_or_blank(request.POST.get("address", ""))
        if form.is_valid():
            try:
                count = spam.mark_spam_from_address(
                    the_agency, person, address, form.cleaned_data["reason"], user=request.user
                )
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(
                    request, _("%(count)s requests marked as spam.") % {"count": count}
                )
                return redirect("org:outside_requests", agency=the_agency.slug)
        status = 400
    wanted_status = request.GET.get("status", "")
    service = record_id(request.GET.get("service", ""))
    q = request.GET.get("q", "").replace("\x00", "")[:100]
    address = spam.hash_or_blank(request.GET.get("address", ""))
    rows = list(
        spam.requests_of(the_agency, status=wanted_status, service=service, q=q, address=address)[
            :200
        ]
    )
    return render(
        request,
        "intake/staff_requests.html",
        {
            "agency": the_agency,
            "rows": _rows(the_agency, rows),
            "statuses": RequestStatus.choices,
            "services": services_admin.services_of(the_agency),
            "status": wanted_status,
            "service": service,
            "q": q,
            "address": address,
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outside_request(request: HttpRequest, agency: str, pk: int) -> HttpResponse:
    """One request from outside: its details, its case, and marking it as spam."""
    the_agency, person = _agency(request, agency)
    found = (
        OutsideRequest.objects.filter(agency=the_agency, pk=pk)
        .select_related("service", "case", "spam_by")
        .first()
    )
    if found is None:
        raise Http404
    status = 200
    form = SpamForm()
    if request.method == "POST":
        form = SpamForm(request.POST)
        if form.is_valid():
            try:
                spam.mark_spam(
                    the_agency, person, found.pk, form.cleaned_data["reason"], user=request.user
                )
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The request is marked as spam."))
                return redirect("org:outside_request", agency=the_agency.slug, pk=found.pk)
        status = 400
    return render(
        request,
        "intake/staff_request.html",
        {"agency": the_agency, "row": _rows(the_agency, [found])[0], "form": form},
        status=status,
    )
