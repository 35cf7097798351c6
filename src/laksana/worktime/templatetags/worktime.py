"""Working time in templates: ``{% load worktime %}``.

- ``{% step_clock row as clock %}``: a case step's clock in words on its agency's calendar
  (``clock.text``, ``clock.state``: due, overdue, held, within, over, done; None for a
  running step without a time standard). Each call asks for the agency's calendar version:
  for long lists, build the clocks in the view with ``calendars_for``.
- ``{{ minutes|working_duration }}``: working minutes as ``2 jam 15 menit`` (no days).
"""

from __future__ import annotations

import math
from typing import Any

from django import template
from django.utils import timezone

from laksana.worktime.display import Span, duration_text
from laksana.worktime.services import calendar_for

register = template.Library()


@register.simple_tag
def step_clock(row: Any) -> Any:
    from laksana.cases.display import step_clock as clock_of

    case = row.case
    return clock_of(
        calendar_for(case.agency), row, case.version.spec.step(row.step_key), timezone.now()
    )


@register.filter
def working_duration(minutes: Any) -> str:
    try:
        whole = max(0, math.floor(float(minutes)))
    except (TypeError, ValueError):
        return ""
    return duration_text(Span(0, whole // 60, whole % 60))
