"""The monitoring panel on an application's record in the catalogue
(:mod:`laksana.catalog.panels`): the application's monitors with their state now (in words),
last check, latency and uptime of the last 30 days; the links to each monitor's page, to the
maintenance windows and, for the keepers, to add a monitor. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from laksana.catalog.models import Application
from laksana.monitoring import services, svg, uptime, views_status
from laksana.monitoring.models import Monitor
from laksana.org.models import Person

UPTIME_DAYS = 30


def application_panel(
    person: Person | None, application: Application
) -> tuple[str, dict[str, Any]] | None:
    """The panel for ``person`` (None: an account without a person sees nothing of it):
    members of the agency who are not vendors; nothing when the application has no monitor
    and the person may not add one."""
    if person is None or not services.may_read(person, application.agency_id):
        return None
    may_keep = services.may_keep(person, application.agency_id)
    monitors = list(
        Monitor.objects.filter(application=application)
        .select_related("environment")
        .order_by("name", "pk")
    )
    if not monitors and not may_keep:
        return None
    now = timezone.now()
    start = now - dt.timedelta(days=UPTIME_DAYS)
    for m in monitors:
        figures = uptime.monitor_figures(m.pk, start, now)
        m.uptime_text = svg.percent_text(figures.uptime_percent)  # type: ignore[attr-defined]
        m.state_text = views_status.state_text(m.state)  # type: ignore[attr-defined]
    return (
        "monitoring/_application_panel.html",
        {
            "application": application,
            "monitors": monitors,
            "may_keep": may_keep,
            "days": UPTIME_DAYS,
        },
    )
