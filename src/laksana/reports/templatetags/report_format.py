"""Template filters of the reports: working durations and shares."""

from __future__ import annotations

from django import template

from laksana.org.models import Person
from laksana.reports.compliance import User, may_read_reports, share_text, working_time_text

register = template.Library()


@register.filter
def working_time(minutes: float | None) -> str:
    """Working minutes as "2 h 15 min", "3 working days 2 h"."""
    return working_time_text(minutes)


@register.filter
def share(value: float | None) -> str:
    """A share as a whole percentage ("—" when there is none)."""
    return share_text(value)


@register.simple_tag
def reports_allowed(user: User, person: Person | None) -> bool:
    """Whether to show the reports in the navigation (no query: ``person`` is at hand)."""
    return may_read_reports(user, person)
