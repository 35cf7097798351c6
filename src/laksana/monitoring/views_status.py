"""An agency's status page, /status/<agency>/: each application with active monitors, its
state now, one uptime bar per day of the last 90 days with the overall percentage, and its
current and recent incidents.

Internal by default: the agency's members who are not vendors (:func:`services.may_read`)
read it with its details (the monitors, their addresses, the reasons, the recovery case's
reference, linked when the reader may see the case, :func:`laksana.cases.queries.can_view`);
a visitor who is not signed in is sent to sign in, anyone else gets 404 (the same as for an
agency that does not exist). Public when the agency says so
(:attr:`MonitoringSettings.status_public`): then anyone reads it without a sign-in, and
without any detail (no monitor, address, reason or case). /pemantauan/ shows the same page
of the reader's own agency (:mod:`laksana.monitoring.views`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from laksana.cases.queries import can_view
from laksana.catalog.models import Application
from laksana.monitoring import probes, services, state, svg, uptime
from laksana.monitoring.models import Incident, Monitor, MonitoringSettings
from laksana.org.models import Agency, Person
from laksana.web.middleware import current_person

DAYS = 90
RECENT_INCIDENTS = 5  # per application, besides the open one


@dataclass
class IncidentRow:
    """One incident as the page shows it; ``reason``, ``note`` and the case only internally."""

    started_at: dt.datetime
    ended_at: dt.datetime | None
    minutes: int
    reason: str = ""
    note: str = ""
    case_reference: str = ""
    case_url: str = ""


@dataclass
class ApplicationRow:
    """One application on the status page."""

    application: Application
    state: str
    bars: SafeString
    uptime: str
    monitors: list[Monitor] = field(default_factory=list)
    incidents: list[IncidentRow] = field(default_factory=list)

    @property
    def open_incident(self) -> IncidentRow | None:
        return next((i for i in self.incidents if i.ended_at is None), None)


def agency_zone(agency: Agency) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(agency.time_zone)


def state_text(value: str) -> str:
    """A state in words (never by its colour alone)."""
    return {"up": _("Up"), "down": _("Down")}.get(value, _("Unknown"))


def reason_of(error: str, detail: str) -> str:
    """A check's failure in words; "" when it did not fail."""
    return probes.describe(error, detail) if error else ""


def overall(days: list[tuple[dt.date, uptime.Figures]]) -> uptime.Figures | None:
    """The days' figures added up (the period's uptime)."""
    if not days:
        return None
    return uptime.Figures(
        start=days[0][1].start,
        end=days[-1][1].end,
        known_seconds=sum(f.known_seconds for _d, f in days),
        down_seconds=sum(f.down_seconds for _d, f in days),
        maintenance_seconds=sum(f.maintenance_seconds for _d, f in days),
    )


def _incident_row(
    incident: Incident,
    now: dt.datetime,
    *,
    internal: bool,
    request: HttpRequest,
    person: Person | None,
) -> IncidentRow:
    end = incident.ended_at or now
    row = IncidentRow(
        started_at=incident.started_at,
        ended_at=incident.ended_at,
        minutes=max(0, int((end - incident.started_at).total_seconds() // 60)),
    )
    if not internal:
        return row
    row.reason = reason_of(incident.error, incident.reason)
    if incident.case is not None:
        row.case_reference = incident.case.reference
        if can_view(request.user, incident.case, person):
            row.case_url = reverse("cases:detail", args=[incident.case.reference])
    elif incident.in_maintenance:
        row.note = _("During a maintenance window: no recovery case.")
    else:
        row.note = _(
            "No recovery case: the agency has not published the procedure that monitoring opens."
        )
    return row


def build(
    agency: Agency,
    request: HttpRequest,
    *,
    internal: bool,
    now: dt.datetime | None = None,
) -> list[ApplicationRow]:
    """The applications of ``agency`` with active monitors, as the status page shows them."""
    now = now or timezone.now()
    tz = agency_zone(agency)
    today = timezone.localdate(now, tz)
    person = current_person(request) if internal else None
    monitors = list(
        Monitor.objects.filter(agency=agency, active=True)
        .select_related("application", "environment")
        .order_by("application__name", "application_id", "name", "pk")
    )
    by_app: dict[int, list[Monitor]] = defaultdict(list)
    apps: dict[int, Application] = {}
    for m in monitors:
        by_app[m.application_id].append(m)
        apps[m.application_id] = m.application
    since = now - dt.timedelta(days=DAYS)
    incidents: dict[int, list[Incident]] = defaultdict(list)
    for incident in (
        Incident.objects.filter(agency=agency, application_id__in=list(apps))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
        .select_related("case")
        .order_by("-started_at", "-pk")
    ):
        if len(incidents[incident.application_id]) <= RECENT_INCIDENTS:
            incidents[incident.application_id].append(incident)
    rows = []
    for app_id, app in apps.items():
        days = uptime.daily(application_id=app_id, days=DAYS, tz=tz, today=today)
        total = overall(days)
        rows.append(
            ApplicationRow(
                application=app,
                state=state.application_state(app_id),
                bars=svg.uptime_bars(days),
                uptime=svg.percent_text(total.uptime_percent if total else None),
                monitors=by_app[app_id] if internal else [],
                incidents=[
                    _incident_row(i, now, internal=internal, request=request, person=person)
                    for i in incidents[app_id]
                ],
            )
        )
    return rows


def _settings(agency: Agency) -> MonitoringSettings | None:
    """The agency's settings as they are (none written by reading)."""
    return MonitoringSettings.objects.filter(agency=agency).first()


def page_context(
    agency: Agency, request: HttpRequest, *, internal: bool, now: dt.datetime | None = None
) -> dict[str, Any]:
    rows = build(agency, request, internal=internal, now=now)
    for row in rows:
        for m in row.monitors:
            m.reason_text = reason_of(m.last_error, m.last_reason)  # type: ignore[attr-defined]
    found = _settings(agency)
    return {
        "agency": agency,
        "rows": rows,
        "internal": internal,
        "days": DAYS,
        "public": bool(found and found.status_public),
        "down": sum(1 for r in rows if r.state == "down"),
    }


@require_safe
def status_page(request: HttpRequest, agency_slug: str) -> HttpResponse:
    """The agency's status page: with details for its members, without for anyone when the
    agency made it public; otherwise sign in, or 404."""
    agency = Agency.objects.filter(slug=agency_slug).first()
    person = current_person(request)
    member = (
        agency is not None
        and request.user.is_authenticated
        and person is not None
        and services.may_read(person, agency.pk)
    )
    if agency is not None and member:
        internal = True
    else:
        found = _settings(agency) if agency is not None else None
        if found is None or not found.status_public:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        internal = False
    assert agency is not None
    context = page_context(agency, request, internal=internal)
    context["overview"] = False
    with timezone.override(agency_zone(agency)):
        return render(request, "monitoring/status.html", context)


urlpatterns: list[URLPattern] = [
    path("status/<slug:agency_slug>/", status_page, name="status"),
]
