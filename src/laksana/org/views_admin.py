"""The agency administrator's screens for units, positions, people and product roles, under
/organisasi/<agency>/ (unit/, jabatan/, pegawai/, peran/).

Who reaches them: :mod:`laksana.org.admin_access`. Every write goes through the services
(:mod:`laksana.org.admin_services`, :mod:`laksana.org.admin_people`); a refusal shows the
form again (422) with the message at its field, nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laksana.errors import ServiceError
from laksana.org import admin_people, admin_services, forms_admin
from laksana.org.admin_access import agency_admin_required
from laksana.org.models import Agency, Person, Position, RoleAssignment, RoleKind, Unit, UnitKind

METHODS = ["GET", "HEAD", "POST"]


def _back(name: str, agency: Agency, *args: Any) -> HttpResponse:
    return redirect(reverse(f"org:{name}", args=[agency.slug, *args]))


def _page(request: HttpRequest, template: str, context: dict[str, Any], ok: bool) -> HttpResponse:
    return render(request, f"org/admin/{template}", context, status=200 if ok else 422)


def _action(request: HttpRequest) -> str:
    return request.POST.get("action", "save") if request.method == "POST" else ""


# --- units ------------------------------------------------------------------------------------


@require_http_methods(METHODS)
@agency_admin_required
def units(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """The unit tree, indented, and a form for a new unit."""
    form = forms_admin.UnitForm(agency, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = admin_services.create_unit(by, agency, **form.cleaned_data, user=request.user)
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            messages.success(request, _("Unit %(unit)s is added.") % {"unit": unit.name})
            return _back("admin_units", agency)
    tree = [(u, forms_admin.indented(u, d)) for u, d in forms_admin.unit_tree(agency)]
    context = {"agency": agency, "form": form, "tree": tree}
    return _page(request, "units.html", context, request.method != "POST")


@require_http_methods(METHODS)
@agency_admin_required
def unit(request: HttpRequest, agency: Agency, by: Person | None, pk: int) -> HttpResponse:
    """One unit: change it, or remove it."""
    found = Unit.objects.filter(agency=agency, pk=pk).exclude(kind=UnitKind.PUBLIC).first()
    if found is None:
        raise Http404
    initial = {
        "name": found.name,
        "short_name": found.short_name,
        "kind": found.kind,
        "parent": found.parent_id,
    }
    action = _action(request)
    data = request.POST if action == "save" else None
    form = forms_admin.UnitForm(agency, data, initial=initial, unit=found)
    error = ""
    if action == "remove":
        try:
            admin_services.remove_unit(by, agency, found, user=request.user)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Unit %(unit)s is removed.") % {"unit": found.name})
            return _back("admin_units", agency)
    elif action == "save" and form.is_valid():
        try:
            admin_services.change_unit(by, agency, found, **form.cleaned_data, user=request.user)
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            messages.success(request, _("Unit %(unit)s is saved.") % {"unit": found.name})
            return _back("admin_unit", agency, found.pk)
    context = {
        "agency": agency,
        "unit": found,
        "form": form,
        "error": error,
        "members": found.members.order_by("name"),
        "positions": found.positions.order_by("name"),
    }
    return _page(request, "unit.html", context, not action)


# --- positions --------------------------------------------------------------------------------


@require_http_methods(METHODS)
@agency_admin_required
def positions(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """The agency's positions by unit, and a form for a new one."""
    form = forms_admin.PositionForm(agency, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            position = admin_services.create_position(
                by, agency, **form.cleaned_data, user=request.user
            )
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            messages.success(
                request, _("Position %(position)s is added.") % {"position": position.name}
            )
            return _back("admin_positions", agency)
    rows = (
        Position.objects.filter(agency=agency)
        .select_related("unit", "superior")
        .prefetch_related("holders")
        .order_by("unit__name", "name", "pk")
    )
    context = {"agency": agency, "form": form, "rows": rows}
    return _page(request, "positions.html", context, request.method != "POST")


@require_http_methods(METHODS)
@agency_admin_required
def position(request: HttpRequest, agency: Agency, by: Person | None, pk: int) -> HttpResponse:
    """One position: change it, or remove it."""
    found = Position.objects.filter(agency=agency, pk=pk).first()
    if found is None:
        raise Http404
    initial = {"name": found.name, "unit": found.unit_id, "superior": found.superior_id}
    action = _action(request)
    data = request.POST if action == "save" else None
    form = forms_admin.PositionForm(agency, data, initial=initial, position=found)
    error = ""
    if action == "remove":
        try:
            admin_services.remove_position(by, agency, found, user=request.user)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("Position %(position)s is removed.") % {"position": found.name}
            )
            return _back("admin_positions", agency)
    elif action == "save" and form.is_valid():
        try:
            admin_services.change_position(
                by, agency, found, **form.cleaned_data, user=request.user
            )
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            messages.success(
                request, _("Position %(position)s is saved.") % {"position": found.name}
            )
            return _back("admin_position", agency, found.pk)
    context = {
        "agency": agency,
        "position": found,
        "form": form,
        "error": error,
        "holders": found.holders.order_by("name"),
    }
    return _page(request, "position.html", context, not action)


# --- people -----------------------------------------------------------------------------------


def _people(agency: Agency, request: HttpRequest) -> tuple[forms_admin.PeopleFilter, Any]:
    filters = forms_admin.PeopleFilter(agency, request.GET or None)
    rows = (
        Person.objects.filter(agency=agency)
        .exclude(unit__kind=UnitKind.PUBLIC)
        .select_related("unit", "vendor", "user")
        .prefetch_related("positions")
        .order_by("name", "pk")
    )
    if filters.is_valid():
        q = filters.cleaned_data["q"].strip()
        if q:
            rows = rows.filter(Q(name__icontains=q) | Q(nip__startswith=q))
        if filters.cleaned_data["unit"] is not None:
            rows = rows.filter(unit_id=filters.cleaned_data["unit"])
    return filters, rows


@require_http_methods(METHODS)
@agency_admin_required
def people(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """The agency's people (searched by name or NIP, filtered by unit; vendors' people shown
    read-only), and a form for a new member of staff."""
    form = forms_admin.NewPersonForm(agency, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("password_again", None)
        try:
            person = admin_people.create_person(by, agency, **data, user=request.user)
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            messages.success(request, _("%(person)s is added.") % {"person": person.name})
            return _back("admin_people", agency)
    filters, rows = _people(agency, request)
    context = {"agency": agency, "form": form, "filters": filters, "rows": rows}
    return _page(request, "people.html", context, request.method != "POST")


@require_http_methods(METHODS)
@agency_admin_required
def person(request: HttpRequest, agency: Agency, by: Person | None, pk: int) -> HttpResponse:
    """One member of staff: change them, give them a sign-in account, or remove them."""
    found = forms_admin.staff(agency).filter(pk=pk).select_related("user").first()
    if found is None:
        raise Http404
    initial = {
        "name": found.name,
        "nip": found.nip,
        "email": found.email,
        "phone": found.phone,
        "unit": found.unit_id,
        "positions": [p.pk for p in found.positions.all()],
        "superior": found.superior_id,
    }
    action = _action(request)
    form = forms_admin.PersonForm(
        agency, request.POST if action == "save" else None, initial=initial, person=found
    )
    account = forms_admin.AccountOnlyForm(request.POST if action == "account" else None)
    error = ""
    done = ""
    if action == "remove":
        try:
            admin_people.remove_person(by, agency, found, user=request.user)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(person)s is removed.") % {"person": found.name})
            return _back("admin_people", agency)
    elif action == "save" and form.is_valid():
        try:
            admin_people.change_person(by, agency, found, **form.cleaned_data, user=request.user)
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            done = _("%(person)s is saved.") % {"person": found.name}
    elif action == "account" and account.is_valid():
        try:
            admin_people.give_account(
                by,
                agency,
                found,
                username=account.cleaned_data["username"],
                password=account.cleaned_data["password"],
                user=request.user,
            )
        except ServiceError as exc:
            forms_admin.show_refusal(account, exc)
        else:
            done = _("%(person)s has a sign-in account now.") % {"person": found.name}
    if done:
        messages.success(request, done)
        return _back("admin_person", agency, found.pk)
    context = {
        "agency": agency,
        "person": found,
        "form": form,
        "account": account,
        "error": error,
        "roles": [RoleKind(r.kind).label for r in found.roles.all()],
    }
    return _page(request, "person.html", context, not action)


# --- roles ------------------------------------------------------------------------------------


@require_http_methods(METHODS)
@agency_admin_required
def roles(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """Who holds each product role; grant one, or take one back."""
    action = _action(request)
    form = forms_admin.RoleForm(agency, request.POST if action in ("grant", "revoke") else None)
    if action in ("grant", "revoke") and form.is_valid():
        target, kind = form.cleaned_data["person"], form.cleaned_data["kind"]
        call = admin_services.grant_role if action == "grant" else admin_services.revoke_role
        try:
            call(by, agency, target, kind, user=request.user)
        except ServiceError as exc:
            forms_admin.show_refusal(form, exc)
        else:
            if action == "grant":
                messages.success(request, _("The role is given."))
            else:
                messages.success(request, _("The role is taken back."))
            return _back("admin_roles", agency)
    held = RoleAssignment.objects.filter(agency=agency).select_related("person", "person__unit")
    groups = [
        (kind, label, [r.person for r in held if r.kind == kind])
        for kind, label in RoleKind.choices
    ]
    context = {"agency": agency, "form": form, "groups": groups}
    return _page(request, "roles.html", context, not action)
