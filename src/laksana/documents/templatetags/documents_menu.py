"""The main menu's count of documents waiting for the signed-in person's initial or
signature."""

from __future__ import annotations

from django import template

from laksana.documents.queries import waiting_for
from laksana.org.models import Person

register = template.Library()


@register.simple_tag
def documents_waiting(person: Person | None) -> int:
    """How many documents wait for ``person`` now (0 without a person)."""
    if person is None:
        return 0
    return waiting_for(person).count()
