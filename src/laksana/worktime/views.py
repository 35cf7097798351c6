"""The working-calendar screen of an agency, for its administrators: /organisasi/<agency>/kalender/.

Time zone, weekly schedule, schedule periods (Ramadan), local day changes, the resulting
non-working days of a year and the history of changes. The agency's administrators (a
product role) and the installation's superuser manage it (:mod:`laksana.org.admin_access`).
Writes go through :mod:`laksana.worktime.services`; a refused change comes back with its
message next to the input it concerns and what was entered kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laksana.engine.worktime import DEFAULT_SCHEDULE, RAMADAN_SCHEDULE, WeeklySchedule
from laksana.org.admin_access import administered_agency
from laksana.org.models import Agency, TimeZone
from laksana.web.params import record_id
from laksana.worktime import services
from laksana.worktime.models import (
    CalendarAction,
    CalendarChange,
    CalendarDayChange,
    CalendarPeriod,
    DayChangeKind,
    WorkCalendar,
)

# A Monday, to name the weekdays in the user's language.
_MONDAY = dt.date(2024, 1, 1)


def _day(value: object) -> str:
    if isinstance(value, dt.date):
        return str(formats.date_format(value, "D, j M Y"))
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return str(formats.date_format(day, "D, j M Y"))


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise services.CalendarError(
            field, _("Give the date as day, month and year (e.g. 2026-03-19).")
        ) from None


def _id(text: str) -> int:
    pk = record_id(text)
    if pk is None:
        raise services.CalendarError("general", _("Choose an entry from the list."))
    return pk


# --- describing changes -------------------------------------------------------------------


def _change_text(data: dict[str, Any] | None) -> str:
    """One day change (as journaled) in words."""
    if not data:
        return ""
    kind = data.get("kind")
    values = {
        "day": _day(data.get("day")),
        "target": _day(data.get("target")),
        "name": data.get("name", ""),
    }
    if kind == DayChangeKind.CLOSURE:
        return _("Day off on %(day)s: %(name)s") % values
    if kind == DayChangeKind.REMOVED:
        return _("Working on %(day)s (%(name)s)") % values
    return _("%(name)s moved from %(day)s to %(target)s") % values


def _period_text(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    return _("%(name)s, %(start)s to %(end)s: %(schedule)s") % {
        "name": data.get("name", ""),
        "start": _day(data.get("start")),
        "end": _day(data.get("end")),
        "schedule": data.get("schedule", ""),
    }


def _zone_text(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    zone = str(data.get("time_zone", ""))
    return str(dict(TimeZone.choices).get(zone, zone))


def _schedule_text(data: dict[str, Any] | None) -> str:
    return str(data.get("schedule", "")) if data else ""


_DESCRIBE: dict[str, Callable[[dict[str, Any] | None], str]] = {
    CalendarAction.TIME_ZONE: _zone_text,
    CalendarAction.SCHEDULE: _schedule_text,
    CalendarAction.PERIOD_ADDED: _period_text,
    CalendarAction.PERIOD_REMOVED: _period_text,
    CalendarAction.DAY_CHANGE_ADDED: _change_text,
    CalendarAction.DAY_CHANGE_REMOVED: _change_text,
}


def _raw_text(data: dict[str, Any] | None) -> str:
    return str(data or "")


@dataclass(frozen=True)
class HistoryLine:
    change: CalendarChange
    label: str
    before: str
    after: str


def _history(changes: list[CalendarChange]) -> list[HistoryLine]:
    lines = []
    for c in changes:
        describe = _DESCRIBE.get(c.action, _raw_text)
        lines.append(HistoryLine(c, c.get_action_display(), describe(c.before), describe(c.after)))
    return lines


# --- the screen ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekdayLine:
    name: str
    intervals: str
    hours: str


def _week(text: str) -> tuple[list[WeekdayLine], str]:
    try:
        schedule = WeeklySchedule.parse(text)
    except ValueError:
        return [], ""
    lines = []
    for index in range(7):
        spans = schedule.day_minutes(index)
        minutes = sum(b - a for a, b in spans)
        lines.append(
            WeekdayLine(
                name=str(formats.date_format(_MONDAY + dt.timedelta(days=index), "l")),
                intervals=", ".join(
                    f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}" for a, b in spans
                ),
                hours=_hours(minutes),
            )
        )
    return lines, _hours(schedule.weekly_minutes)


def _hours(minutes: int) -> str:
    if not minutes:
        return ""
    return str(formats.number_format(minutes / 60, decimal_pos=1 if minutes % 60 else 0))


def _apply(agency: Agency, request: HttpRequest, action: str) -> str:
    """Carry out one posted change; returns the success message."""
    post = request.POST
    by = request.user
    if action == "time_zone":
        services.set_time_zone(agency, post.get("time_zone", ""), by=by)
        return _("The time zone was saved.")
    if action == "schedule":
        services.set_schedule(agency, post.get("schedule", ""), by=by)
        return _("The weekly schedule was saved.")
    if action == "add_period":
        services.add_period(
            agency,
            post.get("name", ""),
            _date(post.get("start", ""), "start"),
            _date(post.get("end", ""), "end"),
            post.get("schedule", ""),
            by=by,
        )
        return _("The schedule period was added.")
    if action == "remove_period":
        services.remove_period(agency, _id(post.get("period", "")), by=by)
        return _("The schedule period was removed.")
    if action == "add_change":
        kind = post.get("kind", "")
        day = _date(post.get("day", ""), "day")
        if kind == DayChangeKind.CLOSURE:
            services.add_closure(agency, day, post.get("name", ""), by=by)
        elif kind == DayChangeKind.REMOVED:
            services.work_on_day_off(agency, day, by=by)
        elif kind == DayChangeKind.MOVED:
            target = _date(post.get("target", ""), "target")
            services.move_day_off(agency, day, target, post.get("name", ""), by=by)
        else:
            raise services.CalendarError("kind", _("Choose what kind of change it is."))
        return _("The day change was saved.")
    if action == "remove_change":
        services.remove_day_change(agency, _id(post.get("change", "")), by=by)
        return _("The day change was undone.")
    raise services.CalendarError("general", _("Unknown action."))


def _year(request: HttpRequest, agency: Agency) -> int:
    text = request.GET.get("tahun", "")
    if text.isdecimal() and 1900 <= int(text) <= 2200:
        return int(text)
    return timezone.localtime(timezone.now(), services.calendar_for(agency).tz).year


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def calendar(request: HttpRequest, agency: str) -> HttpResponse:
    """One agency's working calendar: view it and change it."""
    the_agency, _person = administered_agency(request, agency)
    year = _year(request, the_agency)
    action = ""
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            message = _apply(the_agency, request, action)
        except services.CalendarError as exc:
            errors[exc.field] = exc.message
            status = 400
        else:
            messages.success(request, message)
            url = reverse("org:calendar", kwargs={"agency": the_agency.slug})
            return redirect(f"{url}?tahun={year}")
    row = WorkCalendar.objects.filter(agency=the_agency).first()
    schedule = row.schedule if row is not None else DEFAULT_SCHEDULE.to_text()
    week, weekly_hours = _week(schedule)
    periods = list(CalendarPeriod.objects.filter(calendar=row)) if row else []
    changes = list(CalendarDayChange.objects.filter(calendar=row).order_by("day")) if row else []
    context = {
        "agency": the_agency,
        "zones": TimeZone.choices,
        "schedule": schedule,
        "week": week,
        "weekly_hours": weekly_hours,
        "periods": periods,
        "changes": [(c, _change_text(services.day_change_data(c))) for c in changes],
        "kinds": DayChangeKind.choices,
        "year": year,
        "days": services.non_working_days(the_agency, year),
        "history": _history(list(services.history(the_agency))),
        # A refused form's messages and what was entered, under the form's action.
        "errors": {action: errors} if errors else {},
        "values": {action: request.POST} if errors else {},
        "ramadan": RAMADAN_SCHEDULE.to_text(),
    }
    return render(request, "worktime/calendar.html", context, status=status)
