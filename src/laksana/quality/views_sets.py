"""Scenario set screens, under /pengujian/set/: the list (by application), a new set, a set
with its scenarios (add, edit, remove each), its details, its revisions (each one read-only),
XLSX import (in place of a set's scenarios, or as a new set), export and an empty template.

Reads: every member of the set's agency (:func:`laksana.quality.queries_sets.visible_sets`);
a set one may not see is a 404, the same as a missing one. Writes: the agency's catalogue
keepers (others get 403), through :mod:`laksana.quality.scenarios`; a refusal is shown next
to the field it concerns (422).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.quality import forms_sets, scenarios, spreadsheet
from laksana.quality.models import Scenario, ScenarioSet
from laksana.quality.queries_sets import set_applications, visible_sets
from laksana.web.middleware import current_person

XLSX = spreadsheet.XLSX_TYPE


def _person(request: HttpRequest) -> Person:
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def _visible_set(request: HttpRequest, pk: int) -> ScenarioSet:
    found = (
        visible_sets(current_person(request))
        .select_related("application", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _refuse_writer() -> PermissionDenied:
    return PermissionDenied(_("Only the IT unit's staff write scenario sets."))


def _writable_set(request: HttpRequest, pk: int) -> ScenarioSet:
    found = _visible_set(request, pk)
    if not scenarios.may_write_sets(_person(request), found.agency_id):
        raise _refuse_writer()
    return found


def _writer(request: HttpRequest) -> Person:
    person = _person(request)
    if person.vendor_id is not None or not scenarios.may_write_sets(person, person.agency_id):
        raise _refuse_writer()
    return person


def _archived(request: HttpRequest, found: ScenarioSet) -> HttpResponse | None:
    if not found.archived:
        return None
    messages.error(
        request, _("%(name)s is archived; restore it before changing it.") % {"name": found.name}
    )
    return redirect("quality:set", found.pk)


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


# --- reading -----------------------------------------------------------------------------------


@login_required
@require_safe
def set_list(request: HttpRequest) -> HttpResponse:
    """The sets the person may read, by application; ``?application=<id>`` filters."""
    person = current_person(request)
    sets = (
        visible_sets(person)
        .select_related("application")
        .order_by("application__name", "archived", "name", "pk")
    )
    applications = list(set_applications(person))
    chosen = _int(request.GET.get("application"))
    if chosen is not None:
        sets = sets.filter(application_id=chosen)
    show_archived = request.GET.get("archived") == "1"
    if not show_archived:
        sets = sets.filter(archived=False)
    may_write = person is not None and scenarios.may_write_sets(person, person.agency_id)
    return render(
        request,
        "quality/sets/list.html",
        {
            "sets": list(sets),
            "applications": applications,
            "chosen": chosen,
            "show_archived": show_archived,
            "may_write": may_write and person is not None and person.vendor_id is None,
        },
    )


@login_required
@require_safe
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A set with its scenarios, in order."""
    found = _visible_set(request, pk)
    person = current_person(request)
    may_write = person is not None and scenarios.may_write_sets(person, found.agency_id)
    return render(
        request,
        "quality/sets/detail.html",
        {
            "set": found,
            "scenarios": list(found.scenarios.order_by("position", "pk")),
            "may_write": may_write and not found.archived,
            "may_archive": may_write,
        },
    )


@login_required
@require_safe
def revisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The set's revisions, newest first."""
    found = _visible_set(request, pk)
    return render(
        request,
        "quality/sets/revisions.html",
        {"set": found, "revisions": list(found.revisions.select_related("by").order_by("-number"))},
    )


@login_required
@require_safe
def revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One revision of the set, read-only."""
    found = _visible_set(request, pk)
    held = scenarios.revision_of(found, number)
    if held is None:
        raise Http404
    return render(
        request,
        "quality/sets/revision.html",
        {"set": found, "revision": held, "scenarios": list(held.scenarios)},
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_name(found: ScenarioSet, number: int) -> str:
    """The export's file name: the set's name and its revision."""
    return f"skenario-{slugify(found.name)[:60] or found.pk}-r{number}.xlsx"


@login_required
@require_safe
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The set (its latest revision, or ``?revision=N``) as XLSX."""
    found = _visible_set(request, pk)
    wanted = request.GET.get("revision")
    number = _int(wanted) if wanted else None
    if wanted and number is None:
        raise Http404
    held = scenarios.revision_of(found, number)
    if held is None:
        raise Http404
    return _xlsx(spreadsheet.write_xlsx(found, held.number), file_name(found, held.number))


@login_required
@require_safe
def template(request: HttpRequest) -> HttpResponse:
    """An empty workbook with the header row, to fill in and import."""
    return _xlsx(spreadsheet.template_xlsx(), "templat-skenario.xlsx")


# --- writing -----------------------------------------------------------------------------------


@login_required
def new_set(request: HttpRequest) -> HttpResponse:
    """A new set of an application of the person's agency (keepers)."""
    person = _writer(request)
    form = forms_sets.NewSetForm(
        request.POST or None,
        applications=set_applications(person),
        initial={"application": _int(request.GET.get("application"))},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = scenarios.create_set(
                person,
                data["application"].pk,
                name=data["name"],
                app_version=data["app_version"],
                kind=data["kind"],
                description=data["description"],
            )
        except ServiceError as exc:
            forms_sets.add_service_errors(form, exc)
        else:
            messages.success(request, _("The scenario set was made; add its scenarios."))
            return redirect("quality:set", made.pk)
    return render(
        request,
        "quality/sets/set_form.html",
        {"form": form, "set": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def edit_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a set's name, version or description, or archive or restore it (keepers)."""
    found = _writable_set(request, pk)
    person = _person(request)
    if request.method == "POST" and request.POST.get("archive") in ("0", "1"):
        archive = request.POST["archive"] == "1"
        try:
            scenarios.update_set(person, found.pk, archived=archive)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The set was archived.") if archive else _("The set was restored."),
            )
        return redirect("quality:set", found.pk)
    if (refused := _archived(request, found)) is not None:
        return refused
    form = forms_sets.SetDetailsForm(
        request.POST or None,
        initial={
            "name": found.name,
            "app_version": found.app_version,
            "description": found.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            scenarios.update_set(person, found.pk, **form.cleaned_data)
        except ServiceError as exc:
            forms_sets.add_service_errors(form, exc)
        else:
            messages.success(request, _("The scenario set was saved."))
            return redirect("quality:set", found.pk)
    return render(
        request,
        "quality/sets/set_form.html",
        {"form": form, "set": found},
        status=422 if request.method == "POST" else 200,
    )


def _scenario_form(
    request: HttpRequest, found: ScenarioSet, scenario: Scenario | None
) -> HttpResponse:
    if (refused := _archived(request, found)) is not None:
        return refused
    initial = forms_sets.ScenarioForm.initial_of(scenario) if scenario else {}
    if scenario is None:
        initial["number"] = str(found.scenarios.count() + 1)
    form = forms_sets.ScenarioForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = scenarios.save_scenario(
                _person(request),
                found.pk,
                form.cleaned_data,
                scenario_id=scenario.pk if scenario else None,
            )
        except ServiceError as exc:
            forms_sets.add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Scenario %(number)s was saved.") % {"number": saved.number}
            )
            return redirect(reverse("quality:set", args=[found.pk]) + f"#s{saved.pk}")
    return render(
        request,
        "quality/sets/scenario_form.html",
        {"form": form, "set": found, "scenario": scenario},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def new_scenario(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a scenario at the end of the set (keepers)."""
    return _scenario_form(request, _writable_set(request, pk), None)


def _scenario_of(found: ScenarioSet, scenario_id: int) -> Scenario:
    scenario = found.scenarios.filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404
    return scenario


@login_required
def edit_scenario(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    """Change one scenario of the set (keepers)."""
    found = _writable_set(request, pk)
    return _scenario_form(request, found, _scenario_of(found, scenario_id))


@login_required
@require_POST
def remove_scenario(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    """Remove one scenario of the set (keepers); earlier revisions keep it."""
    found = _writable_set(request, pk)
    scenario = _scenario_of(found, scenario_id)
    try:
        scenarios.remove_scenario(_person(request), scenario.pk)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Scenario %(number)s was removed.") % {"number": scenario.number}
        )
    return redirect("quality:set", found.pk)


def _upload(form: forms_sets.ImportForm) -> bytes:
    upload = form.cleaned_data["file"]
    if upload.size is not None and upload.size > spreadsheet.MAX_BYTES:
        raise ServiceError(
            "invalid_spreadsheet",
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": spreadsheet.MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    data: bytes = upload.read(spreadsheet.MAX_BYTES + 1)
    return data


@login_required
def import_into(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a workbook in place of the set's scenarios (keepers): all rows or none."""
    found = _writable_set(request, pk)
    if (refused := _archived(request, found)) is not None:
        return refused
    form = forms_sets.ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            spreadsheet.import_xlsx(_person(request), _upload(form), set_id=found.pk)
        except ServiceError as exc:
            forms_sets.add_service_errors(form, exc)
            problems = list(exc.items)
        else:
            messages.success(request, _("The scenarios were imported."))
            return redirect("quality:set", found.pk)
    return render(
        request,
        "quality/sets/import.html",
        {"form": form, "set": found, "problems": problems},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    """Import a workbook as a new set of an application (keepers): all rows or none."""
    person = _writer(request)
    form = forms_sets.ImportNewForm(
        request.POST or None,
        request.FILES or None,
        applications=set_applications(person),
        initial={"application": _int(request.GET.get("application"))},
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            made = spreadsheet.import_xlsx(
                person,
                _upload(form),
                application_id=form.cleaned_data["application"].pk,
                name=form.cleaned_data["name"],
            )
        except ServiceError as exc:
            forms_sets.add_service_errors(form, exc)
            problems = list(exc.items)
        else:
            messages.success(request, _("The scenario set was imported."))
            return redirect("quality:set", made.pk)
    return render(
        request,
        "quality/sets/import.html",
        {"form": form, "set": None, "problems": problems},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("set/", set_list, name="sets"),
    path("set/baru/", new_set, name="sets_new"),
    path("set/impor/", import_new, name="sets_import_new"),
    path("set/templat/", template, name="sets_template"),
    path("set/<int:pk>/", set_detail, name="set"),
    path("set/<int:pk>/ubah/", edit_set, name="sets_edit"),
    path("set/<int:pk>/revisi/", revisions, name="sets_revisions"),
    path("set/<int:pk>/revisi/<int:number>/", revision, name="sets_revision"),
    path("set/<int:pk>/ekspor/", export, name="set_export"),
    path("set/<int:pk>/impor/", import_into, name="sets_import"),
    path("set/<int:pk>/skenario/baru/", new_scenario, name="scenario_new"),
    path("set/<int:pk>/skenario/<int:scenario_id>/", edit_scenario, name="scenario_edit"),
    path("set/<int:pk>/skenario/<int:scenario_id>/hapus/", remove_scenario, name="scenario_remove"),
]
