"""The maintenance panel on an application's record in the catalogue
(:mod:`laksana.catalog.panels`): the application's plans with their status, the current
cycle of the plan in force, its next and late activities, and the links to the plans and,
for the keepers, to a new plan. Nothing here writes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from laksana.catalog.models import Application
from laksana.maintenance import cycles, plans
from laksana.maintenance.models import OccurrenceStatus, PlanStatus
from laksana.maintenance.views import today_of
from laksana.org.models import Person

PLANS_SHOWN = 5
NEXT_SHOWN = 5

_OPEN = (OccurrenceStatus.PLANNED, OccurrenceStatus.OPEN)


def application_panel(
    person: Person | None, application: Application
) -> tuple[str, dict[str, Any]] | None:
    """The panel for ``person`` (None: nothing): the plans of the application the person
    may read; nothing when there is none and the person may not make one."""
    if person is None:
        return None
    may_keep = plans.may_keep(person, application.agency_id)
    found = list(
        plans.visible_plans(person)
        .filter(application=application)
        .select_related("contract__vendor")
        .order_by("-starts_on", "-pk")[:PLANS_SHOWN]
    )
    if not found and not may_keep:
        return None
    today = today_of(application.agency, timezone.now())
    current = next((p for p in found if p.status == PlanStatus.IN_FORCE), None)
    cycle = cycles.current_cycle(current) if current is not None else None
    upcoming: list[Any] = []
    late: list[Any] = []
    if current is not None:
        pending = current.occurrences.filter(status__in=_OPEN).select_related("activity")
        late = list(pending.filter(due_on__lt=today).order_by("due_on", "pk")[:NEXT_SHOWN])
        upcoming = list(pending.filter(due_on__gte=today).order_by("due_on", "pk")[:NEXT_SHOWN])
    return (
        "maintenance/_application_panel.html",
        {
            "application": application,
            "plans": found,
            "current": current,
            "cycle": cycle,
            "upcoming": upcoming,
            "late": late,
            "may_keep": may_keep,
        },
    )
