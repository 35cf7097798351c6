"""The testing module's reports and security screens, under /pengujian/:

* ``laporan/`` (quality:reports): the applications of the reader's agency, each with its
  latest pass rate, open findings and time to fix; ``laporan.xlsx`` the same as a workbook;
* ``laporan/<application>/`` (quality:report): one application's figures with SVG charts;
  ``laporan/<application>.xlsx`` as a workbook;
* ``uji/<run>/zap/`` (quality:zap_import): an OWASP ZAP report imported into a run;
* ``set/asvs/`` (quality:checklist_install): the ASVS level 1 checklist installed as a
  security scenario set of an application.

Reports are read as the agency's other reports are (:func:`laksana.quality.reports.may_read`:
others get 403); an application of another agency is a 404, whoever asks. The ZAP import is
for whoever may test the run (:func:`laksana.quality.runs.locked_run`: a run one may not see
is a 404); the checklist for the agency's catalogue keepers (403 for the others).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from laksana.catalog.models import Application
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.quality import queries, reports, scenarios, security, zap
from laksana.quality.models import TestRun
from laksana.web.middleware import current_person
from laksana.web.params import MAX_ID

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- reports -----------------------------------------------------------------------------------


def _readable(request: HttpRequest) -> Person | None:
    person = current_person(request)
    if not reports.may_read(request.user, person):
        raise PermissionDenied(_("The reports are for the agency's own staff."))
    return person


def _application(request: HttpRequest, pk: int) -> Application:
    """The application if it is of the reader's agency (404 otherwise, first), and the
    reader may read reports (403)."""
    person = current_person(request)
    if pk > MAX_ID or not reports.application_in_scope(request.user, person, pk):
        raise Http404
    _readable(request)
    return Application.objects.select_related("agency").get(pk=pk)


def _description() -> str:
    return _("Figures as of %(date)s") % {
        "date": formats.date_format(timezone.localtime(), "j F Y H:i")
    }


@login_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    """The agency's applications with their headline figures."""
    person = _readable(request)
    found = reports.reports_for(reports.applications_of(request.user, person))
    return render(
        request,
        "quality/reports/list.html",
        {"reports": found, "tested": [r for r in found if r.run_count or r.open_findings]},
    )


@login_required
@require_safe
def report_list_xlsx(request: HttpRequest) -> HttpResponse:
    """The agency's applications' figures as a workbook."""
    person = _readable(request)
    found = reports.reports_for(reports.applications_of(request.user, person))
    return _xlsx(reports.xlsx(found, _description()), "laporan-pengujian.xlsx")


@login_required
@require_safe
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One application's figures, with charts."""
    report = reports.report_of(_application(request, pk))
    context: dict[str, Any] = {
        "report": report,
        "app": report.application,
        "charts": [
            (_("Pass rate per version"), reports.pass_rate_chart(report)),
            (_("Open findings by severity"), reports.severity_chart(report)),
            (_("Open findings by age"), reports.age_chart(report)),
        ],
        "versions": [(v, reports.percent(v.rate)) for v in report.versions],
        "results": [reports.result_label(r) for r in next(iter(report.runs)).results],
        "severities": [
            (label, report.open_by_severity[value]) for value, label in reports.severities()
        ],
        "ages": [(reports.age_label(k), n) for k, n in report.open_by_age.items()],
    }
    return render(request, "quality/reports/detail.html", context)


@login_required
@require_safe
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """One application's figures as a workbook."""
    app = _application(request, pk)
    data = reports.xlsx([reports.report_of(app)], f"{app.name} · {_description()}")
    return _xlsx(data, f"laporan-pengujian-{app.pk}.xlsx")


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the security test: a ZAP report, the checklist -------------------------------------------


class ZapForm(forms.Form):
    """The report file."""

    report = forms.FileField(
        label=gettext_lazy("ZAP report (JSON or XML)"),
        help_text=gettext_lazy(
            "In ZAP: Report > Generate Report, template Traditional JSON or Traditional XML."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xml,application/json,text/xml"}),
    )


def _run(request: HttpRequest, pk: int) -> tuple[Person, TestRun]:
    """A run the person may see (404 otherwise, whatever the id)."""
    person = current_person(request)
    if person is None or pk > MAX_ID:
        raise Http404
    run = (
        TestRun.objects.select_related("case", "application")
        .filter(pk=pk, agency_id=person.agency_id)
        .first()
    )
    if run is None or not queries.may_see_run(person, run):
        raise Http404
    return person, run


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def zap_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a ZAP report into a run: each alert a finding (again: updated)."""
    person, run = _run(request, pk)
    if not queries.may_test(person, run):
        raise PermissionDenied(_("Only someone who may test in this run imports a report."))
    form = ZapForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["report"]
            try:
                zap.check_size(upload.size or 0)
                result = zap.import_report(person, run.pk, upload.read())
            except ServiceError as exc:
                form.add_error("report", exc.message)
                for item in exc.items:
                    form.add_error("report", item)
            else:
                messages.success(
                    request,
                    _("Report imported: %(created)s new finding(s), %(updated)s updated.")
                    % {"created": len(result.created), "updated": len(result.updated)},
                )
                return redirect("quality:run", run.pk)
        status = 422
    context = {"run": run, "form": form, "severity_of_risk": _risks()}
    return render(request, "quality/security/zap_import.html", context, status=status)


def _risks() -> list[tuple[str, str]]:
    names = {3: _("High"), 2: _("Medium"), 1: _("Low"), 0: _("Informational")}
    return [
        (f"{code} ({names[code]})", str(severity.label))
        for code, severity in zap.SEVERITY_OF_RISK.items()
    ]


class ChecklistForm(forms.Form):
    """The application the checklist is installed for."""

    application = forms.ModelChoiceField(
        label=gettext_lazy("Application"), queryset=Application.objects.none()
    )

    def __init__(self, *args: Any, applications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = applications


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checklist_install(request: HttpRequest) -> HttpResponse:
    """Install the ASVS level 1 checklist as a security scenario set of an application."""
    person = current_person(request)
    if person is None or not scenarios.may_write_sets(person, person.agency_id):
        raise PermissionDenied(_("Only the IT unit's staff write scenario sets."))
    applications = Application.objects.filter(agency_id=person.agency_id).order_by("name")
    form = ChecklistForm(request.POST or None, applications=applications)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = security.install_checklist(person, form.cleaned_data["application"].pk)
            except (NotAllowed, ServiceError) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The security checklist was installed."))
                return redirect(reverse("quality:set", args=[made.pk]))
        status = 422
    shipped = security.checklist()
    context = {"form": form, "checklist": shipped, "count": len(shipped.scenarios)}
    return render(request, "quality/security/checklist.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("laporan/", report_list, name="reports"),
    path("laporan.xlsx", report_list_xlsx, name="reports_xlsx"),
    path("laporan/<int:pk>/", report_view, name="report"),
    path("laporan/<int:pk>.xlsx", report_xlsx, name="report_xlsx"),
    path("uji/<int:pk>/zap/", zap_import, name="zap_import"),
    path("set/asvs/", checklist_install, name="checklist_install"),
]
