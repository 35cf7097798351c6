"""Which scenario sets a person may read: every set of the person's own agency, for its
members (requesting units included); none for a vendor's employee or another agency's
people. An id outside this is answered as not found."""

from __future__ import annotations

from django.db.models import QuerySet

from laksana.catalog.models import Application
from laksana.org.models import Person
from laksana.quality.models import ScenarioSet


def visible_sets(person: Person | None) -> QuerySet[ScenarioSet]:
    """The scenario sets ``person`` may read."""
    if person is None or person.vendor_id is not None:
        return ScenarioSet.objects.none()
    return ScenarioSet.objects.filter(agency_id=person.agency_id)


def set_applications(person: Person | None) -> QuerySet[Application]:
    """The applications a person's scenario sets may be about: those of the person's agency
    (none for a vendor's employee)."""
    if person is None or person.vendor_id is not None:
        return Application.objects.none()
    return Application.objects.filter(agency_id=person.agency_id).order_by("name")
