"""The testing module's panel on an application's record in the catalogue
(:mod:`laksana.catalog.panels`): the application's scenario sets, its latest runs the reader
may see, its open findings by severity, and the links to write a set and to read the report.
Nothing here writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from laksana.catalog.models import Application
from laksana.org.models import Person
from laksana.quality import queries, reports, scenarios
from laksana.quality.models import Finding, FindingStatus, Severity
from laksana.quality.queries_sets import visible_sets

RECENT = 5  # the latest runs shown


def application_panel(
    person: Person | None, application: Application
) -> tuple[str, dict[str, Any]] | None:
    """The panel for ``person`` (None: an operator without a person record sees nothing of
    it); nothing when the application has no set, no run the person may see, and the person
    may not write one."""
    if person is None or person.vendor_id is not None or person.agency_id != application.agency_id:
        return None
    sets = list(
        visible_sets(person)
        .filter(application=application, archived=False)
        .annotate(count=Count("scenarios"))
        .order_by("name", "pk")
    )
    runs = queries.visible_runs(person).filter(application=application)
    recent = list(runs.order_by("-opened_at", "-pk")[:RECENT])
    by_severity = dict(
        Finding.objects.filter(
            run__in=runs.values("pk"), status__in=(FindingStatus.OPEN, FindingStatus.FIXED)
        )
        .values_list("severity")
        .annotate(n=Count("pk"))
    )
    open_findings = [
        (label, by_severity[code]) for code, label in Severity.choices if by_severity.get(code)
    ]
    may_write = scenarios.may_write_sets(person, application.agency_id)
    if not sets and not recent and not may_write:
        return None
    return (
        "quality/_application_panel.html",
        {
            "application": application,
            "sets": sets,
            "runs": recent,
            "open_findings": open_findings,
            "may_write": may_write,
            "may_report": person.user is not None and reports.may_read(person.user, person),
        },
    )
