"""The agency administrator's screens: the home page (Pengaturan instansi), vendors and their
people, disposition presets and the change history, under /organisasi/<agency>/.

Only the agency's administrators and the superuser (:mod:`laksana.org.admin_access`). Writes
go through :mod:`laksana.org.vendors_admin` and :mod:`laksana.org.instructions_admin`; a
refused change comes back (400) with its message next to the input it concerns and what was
entered kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from laksana.catalog.models import Vendor
from laksana.org import history, instructions_admin, services, vendors_admin
from laksana.org.admin_access import agency_admin_required
from laksana.org.models import Agency, OrgChange, Person, Unit, UnitKind
from laksana.org.vendors_admin import AdminError, PersonInput
from laksana.web.params import record_id


@dataclass(frozen=True)
class Part:
    url: str
    label: str
    help: str


# (URL name, whether it takes the agency, label, what it is for): a part whose screen has not
# landed yet (its URL name does not resolve) is left out.
_PARTS: tuple[tuple[str, bool, Any, Any], ...] = (
    ("org:admin_units", True, gettext_lazy("Units"), gettext_lazy("The tree of units.")),
    (
        "org:admin_positions",
        True,
        gettext_lazy("Positions"),
        gettext_lazy("Positions and who reports to whom."),
    ),
    (
        "org:admin_people",
        True,
        gettext_lazy("People"),
        gettext_lazy("Staff, their units, positions and sign-in."),
    ),
    (
        "org:admin_roles",
        True,
        gettext_lazy("Roles"),
        gettext_lazy("Who administers the agency and its procedures."),
    ),
    (
        "org:admin_vendors",
        True,
        gettext_lazy("Vendors"),
        gettext_lazy("Vendors and their employees."),
    ),
    (
        "org:admin_instructions",
        True,
        gettext_lazy("Disposition presets"),
        gettext_lazy("The instructions offered when forwarding a case."),
    ),
    (
        "org:calendar",
        True,
        gettext_lazy("Working calendar"),
        gettext_lazy("Working hours, days off and time zone."),
    ),
    (
        "documents:settings",
        False,
        gettext_lazy("Letterheads and numbering"),
        gettext_lazy("Document templates, letterheads and numbers."),
    ),
    (
        "org:index",
        False,
        gettext_lazy("Actor bindings"),
        gettext_lazy("Who plays each actor of the procedures."),
    ),
    (
        "org:admin_import",
        True,
        gettext_lazy("Staff import"),
        gettext_lazy("Load staff from a spreadsheet."),
    ),
    (
        "org:public_services",
        True,
        gettext_lazy("Public services"),
        gettext_lazy("Services the public may request."),
    ),
    (
        "org:admin_history",
        True,
        gettext_lazy("Change history"),
        gettext_lazy("Who changed what in the organisation, and when."),
    ),
)


def parts(agency: Agency) -> list[Part]:
    """The links of the home page whose screens exist."""
    found = []
    for name, scoped, label, help_text in _PARTS:
        try:
            url = reverse(name, kwargs={"agency": agency.slug} if scoped else None)
        except NoReverseMatch:
            continue
        found.append(Part(url, str(label), str(help_text)))
    return found


def _unbound_count(agency: Agency) -> int:
    total = 0
    for key in services.procedures_run_by(agency):
        version = services.latest_version(agency, key)
        if version is not None:
            total += len(services.unbound(agency, version))
    return total


@require_safe
@agency_admin_required
def admin_home(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """Pengaturan instansi: every part the administrator manages, with a few counts."""
    counts = {
        "units": Unit.objects.filter(agency=agency).count(),
        "people": Person.objects.filter(agency=agency, vendor__isnull=True).count(),
        "vendors": Vendor.objects.filter(agency=agency).count(),
        "unbound": _unbound_count(agency),
    }
    return render(
        request,
        "org/admin/more_home.html",
        {"agency": agency, "parts": parts(agency), "counts": counts},
    )


# --- posted forms ---------------------------------------------------------------------------


def _posted(
    request: HttpRequest,
    apply: Callable[[str], str],
    success_url: str,
) -> tuple[HttpResponse | None, str, dict[str, dict[str, str]]]:
    """Carry out a posted action; a redirect on success, else the errors under the action."""
    action = request.POST.get("action", "")
    try:
        message = apply(action)
    except AdminError as exc:
        return None, action, {action: {exc.field: exc.message}}
    messages.success(request, message)
    return redirect(success_url), action, {}


def _person_input(request: HttpRequest) -> PersonInput:
    post = request.POST
    return PersonInput(
        name=post.get("name", ""),
        email=post.get("email", ""),
        phone=post.get("phone", ""),
        unit=post.get("unit", ""),
        superior=post.get("superior", ""),
        positions=tuple(post.getlist("positions")) + tuple(post.getlist("position")),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@agency_admin_required
def admin_vendors(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """The agency's vendors: add one; open one to rename it, remove it or keep its people."""
    errors: dict[str, dict[str, str]] = {}
    if request.method == "POST":

        def apply(action: str) -> str:
            if action == "create":
                vendor = vendors_admin.create_vendor(agency, by, request.POST.get("name", ""))
                return _("Vendor %(name)s was added.") % {"name": vendor.name}
            raise AdminError("general", _("Unknown action."))

        url = reverse("org:admin_vendors", kwargs={"agency": agency.slug})
        done, _action, errors = _posted(request, apply, url)
        if done is not None:
            return done
    vendors = list(Vendor.objects.filter(agency=agency).order_by("name"))
    staff = {v.pk: 0 for v in vendors}
    for vendor_id in Person.objects.filter(agency=agency, vendor__in=vendors).values_list(
        "vendor_id", flat=True
    ):
        staff[vendor_id] += 1
    context = {
        "agency": agency,
        "vendors": [(v, staff[v.pk]) for v in vendors],
        "errors": errors,
        "values": request.POST if errors else {},
    }
    return render(request, "org/admin/more_vendors.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@agency_admin_required
def admin_vendor(request: HttpRequest, agency: Agency, by: Person | None, pk: int) -> HttpResponse:
    """One vendor: rename or remove it; add, change and remove its employees."""
    vendor = Vendor.objects.filter(agency=agency, pk=pk).first()
    if vendor is None:
        raise Http404
    url = reverse("org:admin_vendor", kwargs={"agency": agency.slug, "pk": vendor.pk})
    errors: dict[str, dict[str, str]] = {}
    action = ""
    if request.method == "POST":
        post = request.POST

        def apply(action: str) -> str:
            if action == "rename":
                vendors_admin.rename_vendor(agency, by, vendor.pk, post.get("name", ""))
                return _("The vendor was renamed.")
            if action == "remove":
                vendors_admin.remove_vendor(agency, by, vendor.pk)
                return _("Vendor %(name)s was removed.") % {"name": vendor.name}
            if action == "add_person":
                person = vendors_admin.add_vendor_person(
                    agency,
                    by,
                    vendor.pk,
                    _person_input(request),
                    username=post.get("username", ""),
                    password=post.get("password", ""),
                    password2=post.get("password2", ""),
                )
                return _("%(name)s was added.") % {"name": person.name}
            if action == "update_person":
                person = vendors_admin.update_vendor_person(
                    agency, by, vendor.pk, post.get("person", ""), _person_input(request)
                )
                return _("%(name)s was saved.") % {"name": person.name}
            if action == "remove_person":
                vendors_admin.remove_vendor_person(agency, by, vendor.pk, post.get("person", ""))
                return _("The employee was removed.")
            raise AdminError("general", _("Unknown action."))

        after = url
        if post.get("action") == "remove":
            after = reverse("org:admin_vendors", kwargs={"agency": agency.slug})
        done, action, errors = _posted(request, apply, after)
        if done is not None:
            return done
    people = list(
        Person.objects.filter(agency=agency, vendor=vendor).select_related(
            "unit", "user", "superior"
        )
    )
    context = {
        "agency": agency,
        "vendor": vendor,
        "people": people,
        "units": list(Unit.objects.filter(agency=agency, kind=UnitKind.VENDOR).order_by("name")),
        "uses": vendors_admin.vendor_uses(vendor),
        "errors": errors,
        "values": request.POST if errors else {},
        "editing": record_id(request.POST.get("person", "")) if action == "update_person" else None,
    }
    return render(request, "org/admin/more_vendor.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@agency_admin_required
def admin_instructions(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """The disposition presets: add, edit, reorder and remove."""
    errors: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        post = request.POST

        def apply(action: str) -> str:
            if action == "add":
                instructions_admin.add_preset(agency, by, post.get("text", ""))
                return _("The instruction was added.")
            if action == "edit":
                instructions_admin.edit_preset(
                    agency, by, post.get("instruction", ""), post.get("text", "")
                )
                return _("The instruction was saved.")
            if action == "move":
                instructions_admin.move_preset(
                    agency, by, post.get("instruction", ""), post.get("direction", "")
                )
                return _("The order was saved.")
            if action == "remove":
                instructions_admin.remove_preset(agency, by, post.get("instruction", ""))
                return _("The instruction was removed.")
            raise AdminError("general", _("Unknown action."))

        url = reverse("org:admin_instructions", kwargs={"agency": agency.slug})
        done, _action, errors = _posted(request, apply, url)
        if done is not None:
            return done
    context = {
        "agency": agency,
        "presets": instructions_admin.presets(agency),
        "errors": errors,
        "values": request.POST if errors else {},
    }
    return render(
        request, "org/admin/more_instructions.html", context, status=400 if errors else 200
    )


_PAGE = 50


@require_safe
@agency_admin_required
def admin_history(request: HttpRequest, agency: Agency, by: Person | None) -> HttpResponse:
    """The agency's organisation changes, newest first, by kind of record and by person."""
    subject = request.GET.get("jenis", "")
    if subject not in history.SUBJECTS:
        subject = ""
    person_id = record_id(request.GET.get("orang", ""))
    person = Person.objects.filter(agency=agency, pk=person_id).first() if person_id else None
    rows = history.changes(agency, subject, person)
    page = Paginator(rows, _PAGE).get_page(request.GET.get("halaman"))
    people_ids = set(
        OrgChange.objects.filter(agency=agency, by__isnull=False).values_list("by_id", flat=True)
    )
    context = {
        "agency": agency,
        "page": page,
        "lines": [history.describe(c) for c in page.object_list],
        "subjects": [(key, str(label)) for key, label in history.SUBJECTS.items()],
        "subject": subject,
        "people": list(Person.objects.filter(agency=agency, pk__in=people_ids).order_by("name")),
        "person": person,
    }
    return render(request, "org/admin/more_history.html", context)
