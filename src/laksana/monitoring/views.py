"""Monitoring screens under /pemantauan/ (signed in): the overview of the person's agency
(its status page with the details), a monitor's page (state, last checks, state changes
with their reasons, certificate expiry, latency and uptime charts, figures per day and
month), a monitor's form (add, change) and removal, an application's maintenance windows,
and the agency's monitoring settings.

Reads: the agency's members who are not vendors (:func:`services.may_read`); a monitor,
application or window of another agency is a 404, the same as a missing one. Writes: the
catalogue keepers (:func:`services.may_keep`; others 403), the settings: the agency's
administrators. Every write goes through :mod:`laksana.monitoring.services`; a refusal is
shown next to the field it concerns (422).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.catalog.models import Application
from laksana.errors import ServiceError
from laksana.monitoring import forms, services, svg, uptime, views_status
from laksana.monitoring.models import CheckResult, MaintenanceWindow, Monitor
from laksana.org.models import Person, Unit
from laksana.procedures.services import latest_versions
from laksana.web.middleware import current_person
from laksana.web.servicecalls import call as _call

RESULTS_SHOWN = 20
CHANGES_SHOWN = 50
DAYS_SHOWN = 14  # the days in the figures' table
MONTHS_SHOWN = 6
WINDOWS_SHOWN = 50


def _person(request: HttpRequest) -> Person:
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def _reader(request: HttpRequest) -> Person:
    """The signed-in person, who reads their agency's monitoring (not a vendor)."""
    person = _person(request)
    if not services.may_read(person, person.agency_id):
        raise PermissionDenied(_("Monitoring is read by the agency's own staff."))
    return person


def _refuse_keeper() -> PermissionDenied:
    return PermissionDenied(_("Only the IT unit's staff keep the monitors of the applications."))


def _monitor(request: HttpRequest, pk: int) -> Monitor:
    found = services.visible_monitors(_person(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _application(request: HttpRequest, pk: int) -> Application:
    found = Application.objects.select_related("agency").filter(pk=pk).first()
    if found is None or not services.may_read(_person(request), found.agency_id):
        raise Http404
    return found


def _keeper_of(request: HttpRequest, agency_id: int) -> Person:
    person = _person(request)
    if not services.may_keep(person, agency_id):
        raise _refuse_keeper()
    return person


# --- reading -----------------------------------------------------------------------------------


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The person's agency's status page, with the monitors and the links to them."""
    person = _reader(request)
    context = views_status.page_context(person.agency, request, internal=True)
    context["overview"] = True
    context["may_administer"] = services.may_administer(person, person.agency_id)
    return render(request, "monitoring/status.html", context)


def _points(monitor: Monitor, start: dt.datetime) -> list[svg.Point]:
    rows = (
        CheckResult.objects.filter(monitor=monitor, at__gte=start)
        .order_by("at")
        .values_list("at", "latency_ms", "ok")
    )
    return [svg.Point(at, latency, ok) for at, latency, ok in rows]


def _months(monitor: Monitor, today: dt.date, tz: Any) -> list[tuple[dt.date, uptime.Figures]]:
    out = []
    year, month = today.year, today.month
    for _n in range(MONTHS_SHOWN):
        figures = uptime.monthly(monitor_id=monitor.pk, year=year, month=month, tz=tz)
        out.append((dt.date(year, month, 1), figures))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


@login_required
@require_safe
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A monitor: its state, last checks, changes, certificate, charts and figures."""
    monitor = _monitor(request, pk)
    person = _person(request)
    now = timezone.now()
    tz = views_status.agency_zone(monitor.application.agency)
    today = timezone.localdate(now, tz)
    results = list(monitor.results.order_by("-at", "-pk")[:RESULTS_SHOWN])
    for r in results:
        r.reason_text = views_status.reason_of(r.error, r.reason)  # type: ignore[attr-defined]
    changes = list(monitor.changes.order_by("-at", "-pk")[:CHANGES_SHOWN])
    for c in changes:
        c.reason_text = views_status.reason_of(c.error, c.reason)  # type: ignore[attr-defined]
    days = uptime.daily(monitor_id=monitor.pk, days=views_status.DAYS, tz=tz, today=today)
    total = views_status.overall(days)
    start = now - dt.timedelta(hours=24)
    with timezone.override(tz):
        latency = svg.latency_chart(_points(monitor, start), start, now)
    return render(
        request,
        "monitoring/monitor.html",
        {
            "monitor": monitor,
            "reason": views_status.reason_of(monitor.last_error, monitor.last_reason),
            "results": results,
            "changes": changes,
            "latency_chart": latency,
            "bars": svg.uptime_bars(days),
            "uptime": svg.percent_text(total.uptime_percent if total else None),
            "day_figures": [
                (d, svg.percent_text(f.uptime_percent), svg.minutes_text(f.downtime_minutes))
                for d, f in reversed(days[-DAYS_SHOWN:])
            ],
            "month_figures": [
                (d, svg.percent_text(f.uptime_percent), svg.minutes_text(f.downtime_minutes))
                for d, f in _months(monitor, today, tz)
            ],
            "may_keep": services.may_keep(person, monitor.agency_id),
            "cert_soon": monitor.cert_expires_at is not None
            and monitor.cert_expires_at <= now + dt.timedelta(days=monitor.tls_min_days),
        },
    )


# --- monitors ----------------------------------------------------------------------------------


def _monitor_form(
    request: HttpRequest, application: Application, monitor: Monitor | None
) -> HttpResponse:
    person = _keeper_of(request, application.agency_id)
    form = forms.MonitorForm(
        request.POST or None,
        environments=application.environments.order_by("kind", "pk"),
        initial=forms.MonitorForm.initial_of(monitor) if monitor else {},
    )
    if request.method == "POST" and form.is_valid():
        data = services.MonitorInput(**form.data_for_service())
        try:
            saved = _call(
                (lambda: services.change_monitor(person, monitor.pk, data))
                if monitor is not None
                else (lambda: services.add_monitor(person, application.pk, data))
            )
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The monitor %(name)s was saved.") % {"name": saved.name})
            return redirect("monitoring:monitor", saved.pk)
    return render(
        request,
        "monitoring/monitor_form.html",
        {"form": form, "application": application, "monitor": monitor},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def monitor_new(request: HttpRequest, app_id: int) -> HttpResponse:
    """Add a monitor to an application (keepers)."""
    return _monitor_form(request, _application(request, app_id), None)


@login_required
def monitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a monitor (keepers)."""
    monitor = _monitor(request, pk)
    return _monitor_form(request, monitor.application, monitor)


@login_required
def monitor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask (GET) and remove (POST) a monitor with its results and changes (keepers)."""
    monitor = _monitor(request, pk)
    person = _keeper_of(request, monitor.agency_id)
    if request.method != "POST":
        return render(request, "monitoring/monitor_remove.html", {"monitor": monitor})
    try:
        _call(lambda: services.remove_monitor(person, monitor.pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:monitor", monitor.pk)
    messages.success(request, _("The monitor %(name)s was removed.") % {"name": monitor.name})
    return redirect("catalog:detail", monitor.application_id)


# --- maintenance windows -----------------------------------------------------------------------


@login_required
def windows(request: HttpRequest, app_id: int) -> HttpResponse:
    """An application's maintenance windows; keepers add one (times in the agency's zone)."""
    application = _application(request, app_id)
    person = _person(request)
    may_keep = services.may_keep(person, application.agency_id)
    if request.method == "POST" and not may_keep:
        raise _refuse_keeper()
    tz = views_status.agency_zone(application.agency)
    with timezone.override(tz):
        form = forms.WindowForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                _call(
                    lambda: services.add_window(
                        person, application.pk, data["starts_at"], data["ends_at"], data["reason"]
                    )
                )
            except ServiceError as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(request, _("The maintenance window was added."))
                return redirect("monitoring:windows", application.pk)
        now = timezone.now()
        return render(
            request,
            "monitoring/windows.html",
            {
                "application": application,
                "windows": list(
                    application.maintenance_windows.select_related("created_by").order_by(
                        "-starts_at", "-pk"
                    )[:WINDOWS_SHOWN]
                ),
                "form": form if may_keep else None,
                "now": now,
                "zone": application.agency.time_zone,
            },
            status=422 if request.method == "POST" else 200,
        )


@login_required
@require_POST
def window_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a window not yet begun, or end one under way now (keepers)."""
    person = _person(request)
    window = MaintenanceWindow.objects.filter(pk=pk).first()
    if window is None or not services.may_read(person, window.agency_id):
        raise Http404
    if not services.may_keep(person, window.agency_id):
        raise _refuse_keeper()
    begun = window.starts_at <= timezone.now()
    try:
        _call(lambda: services.remove_window(person, window.pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The maintenance window was ended.")
            if begun
            else _("The maintenance window was removed."),
        )
    return redirect("monitoring:windows", window.application_id)


# --- settings ----------------------------------------------------------------------------------


def _procedures(person: Person, current: str) -> list[tuple[str, str]]:
    choices = [
        (v.procedure_key, f"{v.title} ({v.procedure_key})")
        for v in latest_versions(person.agency_id, "title")
    ]
    if current and current not in {key for key, _label in choices}:
        choices.append((current, _("%(key)s (not published by the agency)") % {"key": current}))
    return choices


@login_required
def agency_settings(request: HttpRequest) -> HttpResponse:
    """The agency's monitoring settings (its administrators)."""
    person = _person(request)
    if not services.may_administer(person, person.agency_id):
        raise PermissionDenied(
            _("Only the agency's administrators change its monitoring settings.")
        )
    found = services.settings_for(person.agency_id)
    form = forms.SettingsForm(
        request.POST or None,
        procedures=_procedures(person, found.procedure_key),
        units=Unit.objects.filter(agency_id=person.agency_id).order_by("name", "pk"),
        initial={
            "procedure_key": found.procedure_key,
            "reporting_unit": found.reporting_unit_id,
            "status_public": found.status_public,
            "cert_notice_days": found.cert_notice_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["reporting_unit"]
        try:
            _call(
                lambda: services.update_settings(
                    person,
                    person.agency_id,
                    procedure_key=data["procedure_key"],
                    reporting_unit_id=unit.pk if unit is not None else None,
                    status_public=data["status_public"],
                    cert_notice_days=data["cert_notice_days"],
                )
            )
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The monitoring settings were saved."))
            return redirect("monitoring:settings")
    return render(
        request,
        "monitoring/settings.html",
        {"form": form, "agency": person.agency},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("pemantauan/", overview, name="overview"),
    path("pemantauan/monitor/<int:pk>/", monitor_detail, name="monitor"),
    path("pemantauan/aplikasi/<int:app_id>/monitor/tambah/", monitor_new, name="monitor_new"),
    path("pemantauan/monitor/<int:pk>/ubah/", monitor_edit, name="monitor_edit"),
    path("pemantauan/monitor/<int:pk>/hapus/", monitor_remove, name="monitor_remove"),
    path("pemantauan/aplikasi/<int:app_id>/pemeliharaan/", windows, name="windows"),
    path("pemantauan/pemeliharaan/<int:pk>/hapus/", window_remove, name="window_remove"),
    path("pemantauan/pengaturan/", agency_settings, name="settings"),
]
