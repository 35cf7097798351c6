"""Catalogue screens: the list (search, filters, counts, keyset pages), the application page
(its lifecycle record) with the keepers' forms, the work programme per year, spreadsheet
import (upload, column mapping, dry run, commit) and export.

Reads go through the catalogue's visibility gate (:mod:`laksana.catalog.queries`): an
application the user may not see is a 404, the same as a missing one. Writes call
:mod:`laksana.catalog.services`; a refusal is shown next to the input it concerns.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.cases.queries import person_of
from laksana.catalog import columns, forms, queries, record, services, sheets, spreadsheet
from laksana.catalog.models import (
    Application,
    Contract,
    Platform,
    Scope,
    ServiceKind,
    Stage,
    WorkProgramme,
)
from laksana.catalog.panels import panels_for
from laksana.errors import ServiceError
from laksana.org.models import Agency, Person, Unit
from laksana.web.middleware import current_person

PAGE_SIZE = 25
IMPORT_SESSION_KEY = "laksana_catalog_import"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _visible_app(request: HttpRequest, pk: int) -> Application:
    app = (
        queries.visible_applications(request.user)
        .select_related(
            "agency", "owner_unit", "managing_unit", "developer_unit", "developer_vendor"
        )
        .filter(pk=pk)
        .first()
    )
    if app is None:
        # The same answer whether the application does not exist or may not be seen.
        raise Http404
    return app


def _actor(request: HttpRequest) -> Person | None:
    """The person acting; an administrator without a person record acts as the operator."""
    person = current_person(request)
    if person is None and not getattr(request.user, "is_superuser", False):
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def _agency(request: HttpRequest) -> Agency:
    """The agency whose catalogue the signed-in person keeps."""
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person.agency


def _may_keep(request: HttpRequest, agency_id: int) -> bool:
    person = current_person(request)
    if person is None:
        return bool(getattr(request.user, "is_superuser", False))
    return services.may_keep(person, agency_id)


# --- the list ---------------------------------------------------------------------------------


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in queries.FILTERS}


@login_required
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """The applications the user may see, by name, 25 at a time (keyset pages), with search,
    filters, and counts by stage and by owner unit."""
    params = _params(request)
    visible = queries.visible_applications(request.user)
    matching = queries.filtered(visible, params)
    rows, cursor = queries.page(
        matching.select_related("owner_unit").defer("search_text", "description"),
        request.GET.get("after", ""),
        PAGE_SIZE,
    )
    query = {k: v for k, v in params.items() if v}
    context: dict[str, Any] = {
        "applications": rows,
        "params": params,
        "next_url": "?" + urlencode({**query, "after": cursor}) if cursor else "",
        "first_url": "?" + urlencode(query) if query else "?",
        "paged": bool(request.GET.get("after")),
        "export_query": urlencode(query),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "catalog-rows":
        return render(request, "catalog/_rows.html", context)
    # Counts of what matches the other filters, so each count is what choosing it shows.
    without_stage = queries.filtered(visible, {**params, "stage": ""})
    without_unit = queries.filtered(visible, {**params, "unit": ""})
    person = current_person(request)
    context.update(
        {
            "stage_counts": queries.counts_by_stage(without_stage),
            "unit_counts": queries.counts_by_unit(without_unit),
            "total": sum(n for _v, _l, n in queries.counts_by_stage(matching)),
            "stages": Stage.choices,
            "scopes": Scope.choices,
            "service_kinds": ServiceKind.choices,
            "platforms": Platform.choices,
            "units": list(
                Unit.objects.filter(
                    pk__in=visible.exclude(owner_unit=None).values("owner_unit")
                ).order_by("name")
            ),
            "can_keep": person is not None and services.may_keep(person, person.agency_id),
            "can_propose": person is not None and services.may_propose(person, person.agency_id),
            "sees_programmes": queries.sees_work_programmes(request.user),
        }
    )
    if _is_htmx(request) and request.headers.get("HX-Target") == "catalog-results":
        return render(request, "catalog/_results.html", context)
    return render(request, "catalog/list.html", context)


# --- the application page ---------------------------------------------------------------------


def _page(
    request: HttpRequest,
    app: Application,
    *,
    open_form: str = "",
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the application page; a refused form is passed in (``bound``) to show again."""
    rec = record.build(request.user, app)
    keeper = _may_keep(request, app.agency_id) and not app.is_retired
    context: dict[str, Any] = {
        "app": app,
        "record": rec,
        "user_units": list(app.user_units.all()),
        "can_keep": keeper,
        "open_form": open_form,
        "today": timezone.localdate(),
        "cases_url": reverse("cases:list") + f"?application={app.pk}",
        # What other modules hold about the application (laksana.catalog.panels).
        "domain_panels": panels_for(current_person(request), app),
    }
    if keeper:
        bound = bound or {}
        contracts = [(c.pk, f"{c.number} ({c.vendor})") for c in rec.contracts]
        context["forms"] = {
            "stage": bound.get("stage") or forms.StageForm(),
            "environment": bound.get("environment") or forms.EnvironmentForm(),
            "contract": bound.get("contract") or forms.ContractForm(),
            "document": bound.get("document") or forms.DocumentForm(contracts=contracts),
            "risk": bound.get("risk") or forms.RiskForm(),
            "programme": bound.get("programme")
            or forms.ProgrammeForm(initial={"year": timezone.localdate().year + 1}),
            "decommission": bound.get("decommission")
            or forms.DecommissionForm(initial={"executed_on": timezone.localdate()}),
        }
    return render(request, "catalog/detail.html", context, status=status)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The application's lifecycle record: fields, environments, contracts, documents,
    risks, work programme, cases and their documents, stage changes, on one timeline."""
    return _page(request, _visible_app(request, pk))


def _keeper_post(
    request: HttpRequest,
    pk: int,
    name: str,
    form: Any,
    act: Any,
    done: str,
) -> HttpResponse:
    """Run one keeper form of the application page: the service call on a valid form, the
    page again with the form's problems otherwise."""
    app = _visible_app(request, pk)
    if not _may_keep(request, app.agency_id):
        raise PermissionDenied(_("Only the IT unit's staff keep the application catalogue."))
    if app.is_retired:
        messages.error(
            request, _("%(name)s is retired: its record can no longer be changed.") % {"name": app}
        )
        return redirect("catalog:detail", app.pk)
    if form.is_valid():
        try:
            act(_actor(request), app, form)
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("catalog:detail", args=[app.pk]) + f"#{name}")
    return _page(request, app, open_form=name, bound={name: form}, status=422)


@login_required
@require_POST
def change_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the application to another stage, with a reason."""
    return _keeper_post(
        request,
        pk,
        "stage",
        forms.StageForm(request.POST),
        lambda actor, app, f: services.change_stage(
            actor, app.pk, f.cleaned_data["stage"], f.cleaned_data["reason"]
        ),
        _("The stage was changed."),
    )


@login_required
@require_POST
def environment(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the production or staging environment."""
    return _keeper_post(
        request,
        pk,
        "environment",
        forms.EnvironmentForm(request.POST),
        lambda actor, app, f: services.set_environment(
            actor, app.pk, f.cleaned_data["kind"], f.to_input()
        ),
        _("The environment was saved."),
    )


@login_required
@require_POST
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a contract with a vendor."""
    return _keeper_post(
        request,
        pk,
        "contract",
        forms.ContractForm(request.POST),
        lambda actor, app, f: services.add_contract(actor, app.pk, f.to_input()),
        _("The contract was recorded."),
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document."""
    app = _visible_app(request, pk)
    contracts = [(c.pk, c.number) for c in Contract.objects.filter(application=app)]
    return _keeper_post(
        request,
        pk,
        "document",
        forms.DocumentForm(request.POST, request.FILES, contracts=contracts),
        lambda actor, app, f: services.add_document(
            actor,
            app.pk,
            f.cleaned_data["file"],
            title=f.cleaned_data["title"],
            kind=f.cleaned_data["kind"],
            contract_id=f.cleaned_data["contract"],
        ),
        _("The document was added."),
    )


@login_required
@require_POST
def risk(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a risk register entry."""
    return _keeper_post(
        request,
        pk,
        "risk",
        forms.RiskForm(request.POST),
        lambda actor, app, f: services.add_risk(actor, app.pk, f.to_input()),
        _("The risk was recorded."),
    )


@login_required
@require_POST
def programme_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the application into a year's work programme."""
    return _keeper_post(
        request,
        pk,
        "programme",
        forms.ProgrammeForm(request.POST),
        lambda actor, app, f: services.add_to_work_programme(actor, app.pk, f.to_input()),
        _("The application is in the work programme."),
    )


@login_required
@require_POST
def decommission(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire the application with the decision's reason and the data deletion minutes."""
    return _keeper_post(
        request,
        pk,
        "decommission",
        forms.DecommissionForm(request.POST),
        lambda actor, app, f: services.decommission(
            actor, app.pk, f.cleaned_data["reason"], f.deletions()
        ),
        _("The application is retired; its record stays, read-only."),
    )


@login_required
@require_safe
def document(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    """A document of an application, only for those who may see it (and, for a vendor, not
    one of another vendor's contract)."""
    app = _visible_app(request, pk)
    doc = queries.visible_documents(request.user, app).filter(pk=document_id).first()
    if doc is None or not doc.file:
        raise Http404
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = doc.content_type.startswith("image/") or doc.content_type == "application/pdf"
    response = FileResponse(
        handle, content_type=doc.content_type, as_attachment=not inline, filename=doc.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- creating and editing ----------------------------------------------------------------------


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Enter an application (keepers, at a stage) or propose one (any member of the agency:
    it is entered as proposed)."""
    agency = _agency(request)
    person = current_person(request)
    keeper = services.may_keep(person, agency.pk)
    if not keeper and not services.may_propose(person, agency.pk):
        raise PermissionDenied(_("Only members of the agency can propose applications."))
    form = forms.ApplicationForm(request.POST or None, agency=agency, with_stage=keeper)
    if request.method == "POST" and form.is_valid():
        try:
            if keeper:
                app = services.create_application(
                    person, agency, form.to_input(), stage=form.cleaned_data["stage"]
                )
            else:
                app = services.propose_application(person, agency, form.to_input())
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is in the catalogue.") % {"name": app})
            return redirect("catalog:detail", app.pk)
    return render(
        request,
        "catalog/form.html",
        {"form": form, "app": None, "keeper": keeper},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an application's fields (keepers; not a retired application)."""
    app = _visible_app(request, pk)
    if not _may_keep(request, app.agency_id):
        raise PermissionDenied(_("Only the IT unit's staff keep the application catalogue."))
    if app.is_retired:
        messages.error(
            request, _("%(name)s is retired: its record can no longer be changed.") % {"name": app}
        )
        return redirect("catalog:detail", app.pk)
    form = forms.ApplicationForm(
        request.POST or None,
        initial=forms.ApplicationForm.initial_of(app),
        agency=app.agency,
        with_stage=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(_actor(request), app.pk, form.to_input())
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The application was saved."))
            return redirect("catalog:detail", app.pk)
    return render(
        request,
        "catalog/form.html",
        {"form": form, "app": app, "keeper": True},
        status=422 if request.method == "POST" else 200,
    )


# --- the work programme -----------------------------------------------------------------------


@login_required
@require_safe
def programme_index(request: HttpRequest) -> HttpResponse:
    """The work programme of next year (the one proposals are put into)."""
    if not queries.sees_work_programmes(request.user):
        raise PermissionDenied(_("Work programmes are the agency's internal planning."))
    return redirect("catalog:programme", timezone.localdate().year + 1)


@login_required
@require_safe
def programme(request: HttpRequest, year: int) -> HttpResponse:
    """A year's work programme (proker): its entries with their budgets, and the totals."""
    if not queries.sees_work_programmes(request.user):
        raise PermissionDenied(_("Work programmes are the agency's internal planning."))
    if year not in services.PROGRAMME_YEARS:
        raise Http404
    entries = list(
        queries.visible_programme_entries(request.user)
        .filter(programme__year=year)
        .select_related("application", "application__owner_unit", "case", "programme__agency")
        .order_by("programme__agency__name", "application__name")
    )
    record.hide_unseen_cases(request.user, entries)
    visible_programmes = WorkProgramme.objects.filter(
        entries__in=queries.visible_programme_entries(request.user)
    )
    years = sorted(set(visible_programmes.values_list("year", flat=True)) | {year})
    budgeted = [e.budget for e in entries if e.budget is not None]
    by_source: dict[str, Any] = {}
    for e in entries:
        if e.budget is not None:
            key = e.funding_source or _("(not stated)")
            by_source[key] = by_source.get(key, 0) + e.budget
    total = (
        queries.visible_programme_entries(request.user)
        .filter(programme__year=year)
        .aggregate(total=Sum("budget"))["total"]
    )
    return render(
        request,
        "catalog/programme.html",
        {
            "year": year,
            "entries": entries,
            "years": years,
            "previous": year - 1 if year - 1 in services.PROGRAMME_YEARS else None,
            "next": year + 1 if year + 1 in services.PROGRAMME_YEARS else None,
            "total": total,
            "count": len(entries),
            "without_budget": len(entries) - len(budgeted),
            "by_source": sorted(by_source.items()),
        },
    )


# --- spreadsheet import and export ------------------------------------------------------------


def _stored_upload(request: HttpRequest, agency: Agency) -> tuple[str, bytes] | None:
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("agency") != agency.pk:
        return None
    try:
        return str(stored["name"]), base64.b64decode(stored["content"])
    except (KeyError, ValueError, binascii.Error):
        return None


def _mapping_from(request: HttpRequest, table: spreadsheet.Table) -> list[str]:
    return [request.POST.get(f"col-{i}", "") for i in range(len(table.headers))]


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    """Import an inventory: upload an XLSX or CSV file, check the guessed column mapping,
    run a dry run that lists every problem by row and column, then commit (all or nothing).
    The uploaded file is kept in the session between the steps."""
    agency = _agency(request)
    person = current_person(request)
    if not services.may_keep(person, agency.pk):
        raise PermissionDenied(_("Only the IT unit's staff keep the application catalogue."))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    context: dict[str, Any] = {"agency": agency, "columns": columns.COLUMNS}
    if action == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a file.")
            return render(request, "catalog/import.html", context, status=422)
        content = upload.read(spreadsheet.MAX_BYTES + 1)
        try:
            table = spreadsheet.read_table(content, upload.name or "")
        except spreadsheet.TableError as exc:
            context["error"] = str(exc)
            return render(request, "catalog/import.html", context, status=422)
        request.session[IMPORT_SESSION_KEY] = {
            "agency": agency.pk,
            "name": (upload.name or "")[:200],
            "content": base64.b64encode(content).decode("ascii"),
        }
        context.update(_mapping_context(table, spreadsheet.guess_mapping(table.headers)))
        context["file_name"] = upload.name
        return render(request, "catalog/import.html", context)
    if action in ("check", "commit"):
        stored = _stored_upload(request, agency)
        if stored is None:
            context["error"] = _("The uploaded file is no longer here; upload it again.")
            return render(request, "catalog/import.html", context, status=422)
        name, content = stored
        try:
            table = spreadsheet.read_table(content, name)
        except spreadsheet.TableError as exc:
            context["error"] = str(exc)
            return render(request, "catalog/import.html", context, status=422)
        mapping = _mapping_from(request, table)
        try:
            report = services.import_applications(
                person, agency, table, mapping, dry_run=action == "check", source=name
            )
        except ServiceError as exc:
            context["error"] = exc.message
            context.update(_mapping_context(table, mapping))
            return render(request, "catalog/import.html", context, status=422)
        if action == "commit" and report.ok:
            del request.session[IMPORT_SESSION_KEY]
            messages.success(
                request,
                _("%(count)s applications were imported from %(name)s.")
                % {"count": len(report.created), "name": name},
            )
            return redirect("catalog:list")
        context.update(_mapping_context(table, mapping))
        context.update({"report": report, "file_name": name, "checked": True})
        return render(request, "catalog/import.html", context, status=200 if report.ok else 422)
    return render(request, "catalog/import.html", context)


def _mapping_context(table: spreadsheet.Table, mapping: list[str]) -> dict[str, Any]:
    samples: list[list[str]] = [[] for _h in table.headers]
    for _number, cells in table.rows[:3]:
        for i, value in enumerate(cells):
            if value not in (None, ""):
                samples[i].append(str(value)[:60])
    return {
        "table": table,
        "mapping_rows": [
            (i, header, mapping[i] if i < len(mapping) else "", samples[i])
            for i, header in enumerate(table.headers)
        ],
    }


def export_queryset(user: Any, qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with what the spreadsheet needs, contracts through the gate."""
    person = None if getattr(user, "is_superuser", False) else person_of(user)
    contracts = Contract.objects.select_related("vendor")
    if person is not None and person.vendor_id is not None:
        contracts = contracts.filter(vendor_id=person.vendor_id)
    return (
        qs.select_related("owner_unit", "managing_unit", "developer_unit", "developer_vendor")
        .prefetch_related("user_units", "environments", Prefetch("contracts", queryset=contracts))
        .order_by("name", "id")
    )


def _extra_sheets(user: Any, apps: list[Application]) -> list[Any]:
    """The domain modules' sheets of an export, as the user sees them (none for an account
    without a person)."""
    if getattr(user, "is_superuser", False):
        return sheets.exported(None, apps)
    person = person_of(user)
    return sheets.exported(person, apps) if person is not None else []


def export_response(user: Any, qs: QuerySet[Application], fmt: str) -> HttpResponse:
    apps = list(export_queryset(user, qs))
    headers, rows = spreadsheet.export_rows(apps)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(spreadsheet.to_csv(headers, rows), content_type="text/csv")
        name = f"katalog-aplikasi-{stamp}.csv"
    else:
        response = HttpResponse(
            spreadsheet.to_xlsx(headers, rows, sheets=_extra_sheets(user, apps)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"katalog-aplikasi-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The visible applications matching the list's filters, as XLSX (default) or CSV."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    qs = queries.filtered(queries.visible_applications(request.user), _params(request))
    return export_response(request.user, qs, fmt)
