"""The evaluation panel on an application's record in the catalogue
(:mod:`laksana.catalog.panels`): the application's latest evaluations with their period and
conclusion, and, for the keepers, a link to a new one. Nothing for a vendor's staff (the
evaluations are the agency's); nothing here writes."""

from __future__ import annotations

from typing import Any

from laksana.catalog.models import Application
from laksana.evaluation import services
from laksana.org.models import Person

SHOWN = 5


def application_panel(
    person: Person | None, application: Application
) -> tuple[str, dict[str, Any]] | None:
    """The panel for ``person`` (None: nothing); nothing when there is no evaluation and the
    person may not make one."""
    if person is None or person.vendor_id is not None:
        return None
    may_keep = services.may_keep(person, application.agency_id)
    found = list(
        services.visible_evaluations(person)
        .filter(application=application)
        .order_by("-period_end", "-pk")[:SHOWN]
    )
    if not found and not may_keep:
        return None
    return (
        "evaluation/_application_panel.html",
        {"application": application, "evaluations": found, "may_keep": may_keep},
    )
