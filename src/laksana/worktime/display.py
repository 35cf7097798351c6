"""Working time in words: "jatuh tempo dalam 2 jam 15 menit kerja", "terlambat 1 hari kerja
3 jam" ("due in 2 h 15 min of working time", "overdue by 1 working day 3 h").

Spans are measured on the agency's calendar: working days as the calendar counts them (the
same clock time on the next working day, as day standards are counted), then the working
hours and minutes left over. Texts go through gettext, so they follow the user's language.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laksana.engine.worktime import Calendar

# A calendar with working time finds the next working day within days; the cap only stops a
# broken calendar from looping when a span is measured.
_MAX_DAYS = 100_000


@dataclass(frozen=True)
class Span:
    """A stretch of working time: whole working days, then hours and minutes."""

    days: int
    hours: int
    minutes: int

    @property
    def empty(self) -> bool:
        return not (self.days or self.hours or self.minutes)


def span(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> Span:
    """The working time from ``start`` to ``end`` (empty if ``end`` is not later): the number
    of whole working days (``Calendar.add_working_days`` steps that fit), then the working
    minutes left, as hours and minutes (rounded down)."""
    if end <= start:
        return Span(0, 0, 0)
    base = calendar.next_working_moment(start)
    if end <= base:
        return Span(0, 0, 0)
    days = 0
    point = base
    while days < _MAX_DAYS:
        following = calendar.add_working_days(base, days + 1)
        if following > end:
            break
        days += 1
        point = following
    minutes = max(0, math.floor(calendar.working_minutes_between(point, end) + 1e-9))
    return Span(days, minutes // 60, minutes % 60)


def minutes_span(calendar: Calendar, start: dt.datetime, minutes: float) -> Span:
    """``minutes`` working minutes counted from ``start``, as days, hours and minutes."""
    if minutes <= 0:
        return Span(0, 0, 0)
    return span(calendar, start, calendar.add_working_minutes(start, minutes))


def duration_text(value: Span) -> str:
    """``1 hari kerja 3 jam``, ``2 jam 15 menit``, ``15 menit`` (``1 working day 3 h``): days
    and hours when there are whole days, else hours and minutes."""
    parts: list[str] = []
    if value.days:
        parts.append(
            ngettext("%(count)s working day", "%(count)s working days", value.days)
            % {"count": value.days}
        )
        if value.hours:
            parts.append(_("%(count)s h") % {"count": value.hours})
        return " ".join(parts)
    if value.hours:
        parts.append(_("%(count)s h") % {"count": value.hours})
    if value.minutes:
        parts.append(_("%(count)s min") % {"count": value.minutes})
    return " ".join(parts) or _("less than a minute")


@dataclass(frozen=True)
class DuePhrase:
    """How a due time stands: ``state`` is ``"due"`` or ``"overdue"``; ``text`` says it."""

    state: str
    text: str
    minutes: float  # working minutes until the due time (negative: overdue)

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def due_phrase(calendar: Calendar, due_at: dt.datetime, now: dt.datetime) -> DuePhrase:
    """ "due in 2 h 15 min of working time" or "overdue by 1 working day 3 h", by the working
    time between ``now`` and ``due_at``."""
    minutes = calendar.working_minutes_between(now, due_at)
    if now < due_at:
        gap = span(calendar, now, due_at)
        if gap.empty:
            return DuePhrase("due", _("due now"), minutes)
        # Translators: e.g. "jatuh tempo dalam 1 hari kerja 3 jam" / "jatuh tempo dalam 2 jam
        # 15 menit kerja": the duration is already in working days, hours and minutes.
        text = _("due in %(duration)s") if gap.days else _("due in %(duration)s of working time")
        return DuePhrase("due", text % {"duration": duration_text(gap)}, minutes)
    late = span(calendar, due_at, now)
    if late.empty:
        return DuePhrase("overdue", _("due now"), minutes)
    # Translators: e.g. "terlambat 1 hari kerja 3 jam" / "terlambat 2 jam 15 menit kerja".
    text = (
        _("overdue by %(duration)s") if late.days else _("overdue by %(duration)s of working time")
    )
    return DuePhrase("overdue", text % {"duration": duration_text(late)}, minutes)
