"""The surveys' panel on an application's record in the catalogue
(:mod:`laksana.catalog.panels`): the application's satisfaction surveys with their status,
period, IKM and grade, and the links to all surveys and, for the keepers, to a new survey of
the application. Nothing here writes."""

from __future__ import annotations

from typing import Any

from laksana.catalog.models import Application
from laksana.org.models import Person

SURVEYS_SHOWN = 5


def application_panel(
    person: Person | None, application: Application
) -> tuple[str, dict[str, Any]] | None:
    """The panel for ``person`` (None, or a vendor's staff: nothing): the application's
    surveys; nothing when there is none and the person may not make one."""
    from laksana.survey import index, services
    from laksana.survey.views import shown

    if person is None or person.vendor_id is not None:
        return None
    may_keep = services.may_keep(person, application.agency_id)
    found = list(
        services.visible_surveys(person)
        .filter(application=application)
        .order_by("-period_start", "-pk")[:SURVEYS_SHOWN]
    )
    if not found and not may_keep:
        return None
    rows = []
    for survey in found:
        result = index.of_survey(survey)
        rows.append(
            {
                "survey": survey,
                "result": result,
                "converted": shown(result.converted) if result else "-",
            }
        )
    return (
        "survey/_application_panel.html",
        {"application": application, "rows": rows, "may_keep": may_keep},
    )


def register() -> None:
    """Called from laksana.survey.plugin.register()."""
    from laksana.catalog.panels import register_panel

    register_panel("survey", application_panel)
