"""Agencies' working calendars: the only writer of :mod:`laksana.worktime.models`, and
:func:`calendar_for`, which turns an agency's rows into the engine's calendar.

Every change is one transaction: it locks the agency's calendar row, checks the change
against the calendar as it stands (a clear message naming what is wrong, and the input it
concerns), writes it, raises the row's version and appends a :class:`CalendarChange` saying
who changed what, from what, to what. Calendars are cached per process by agency, keyed by
the time zone and the calendar row's version, so a change made by any process is picked up by
every other on its next use.

A calendar change applies to due times computed from then on: a step's due time is computed
when it starts (and moved when it is resumed after a hold) and then stored, so adding a
closure does not move the due times of steps already running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from laksana.engine.worktime import (
    Calendar,
    DayChange,
    ScheduleError,
    SchedulePeriod,
    WeeklySchedule,
)
from laksana.org.models import Agency, Person, TimeZone
from laksana.org.roles import may_administer
from laksana.worktime.models import (
    CalendarAction,
    CalendarChange,
    CalendarDayChange,
    CalendarPeriod,
    DayChangeKind,
    WorkCalendar,
)

User = AbstractBaseUser | AnonymousUser


class CalendarError(Exception):
    """A calendar change that was not made. ``field`` names the input concerned."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotAllowed(CalendarError):
    """The user may not change this agency's calendar."""

    def __init__(self, message: str) -> None:
        super().__init__("general", message)


# --- reading: rows -> engine calendar -----------------------------------------------------

# agency id -> ((time zone, version, last change), calendar)
_CACHE: dict[int, tuple[tuple[str, int, dt.datetime | None], Calendar]] = {}


def _day_changes(rows: Iterable[CalendarDayChange]) -> list[DayChange]:
    out: list[DayChange] = []
    for row in rows:
        if row.kind == DayChangeKind.CLOSURE:
            out.append(DayChange(row.day, True, row.name))
        elif row.kind == DayChangeKind.REMOVED:
            out.append(DayChange(row.day, False))
        else:
            assert row.target is not None
            out.append(DayChange(row.day, False))
            out.append(DayChange(row.target, True, row.name))
    return out


def _build(
    time_zone: str,
    schedule: str,
    periods: Iterable[CalendarPeriod],
    changes: Iterable[CalendarDayChange],
) -> Calendar:
    return Calendar(
        time_zone,
        WeeklySchedule.parse(schedule),
        periods=[
            SchedulePeriod(p.start, p.end, WeeklySchedule.parse(p.schedule), p.name)
            for p in periods
        ],
        changes=_day_changes(changes),
    )


def _load(agency_id: int, time_zone: str, row: WorkCalendar | None) -> Calendar:
    if row is None:
        return Calendar(time_zone)
    return _build(
        time_zone,
        row.schedule,
        CalendarPeriod.objects.filter(calendar=row).order_by("start"),
        CalendarDayChange.objects.filter(calendar=row).order_by("id"),
    )


def _cached(
    agency_id: int, time_zone: str, version: int | None, stamp: dt.datetime | None
) -> Calendar:
    key = (time_zone, version or 0, stamp)
    hit = _CACHE.get(agency_id)
    if hit is not None and hit[0] == key:
        return hit[1]
    row = WorkCalendar.objects.filter(agency_id=agency_id).first() if version else None
    calendar = _load(agency_id, time_zone, row)
    if row is not None:
        # What was loaded is what the key says (a change may have landed in between).
        key = (time_zone, row.version, row.updated_at)
    _CACHE[agency_id] = (key, calendar)
    return calendar


def calendar_for(agency: Agency) -> Calendar:
    """The agency's working calendar: its time zone, schedule, periods and local changes on
    top of the national holidays and cuti bersama. One small query (the calendar's version);
    the calendar itself is built once per process and change."""
    found = (
        WorkCalendar.objects.filter(agency_id=agency.pk)
        .values_list("version", "updated_at")
        .first()
    )
    version, stamp = found if found is not None else (0, None)
    return _cached(agency.pk, agency.time_zone, version, stamp)


def calendar_from_row(
    agency_id: int, time_zone: str, version: int | None, stamp: dt.datetime | str | None
) -> Calendar:
    """The calendar from its agency's time zone and its version columns as a raw query read
    them (the case services read them with the case)."""
    if isinstance(stamp, str):
        # SQLite returns the text the ORM stored; read it as the ORM does.
        field = WorkCalendar._meta.get_field("updated_at")
        col = field.get_col(WorkCalendar._meta.db_table)
        for conv in connection.ops.get_db_converters(col):
            stamp = conv(stamp, col, connection)
    return _cached(agency_id, time_zone, version or 0, stamp)  # type: ignore[arg-type]


def calendar_of(agency_id: int) -> Calendar:
    """:func:`calendar_for` by the agency's id, in one lean query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.time_zone, w.version, w.updated_at FROM org_agency a "
            "LEFT JOIN worktime_workcalendar w ON w.agency_id = a.id WHERE a.id = %s",
            [agency_id],
        )
        time_zone, version, stamp = cursor.fetchone()
    return calendar_from_row(agency_id, time_zone, version, stamp)


def calendars_for(agency_ids: Iterable[int]) -> dict[int, Calendar]:
    """The calendars of several agencies at once (one query), for lists and reports."""
    ids = set(agency_ids)
    if not ids:
        return {}
    rows = Agency.objects.filter(pk__in=ids).values_list(
        "pk", "time_zone", "work_calendar__version", "work_calendar__updated_at"
    )
    return {pk: _cached(pk, tz, version, stamp) for pk, tz, version, stamp in rows}


def clear_cache() -> None:
    """Forget every cached calendar (tests; the version check makes it unnecessary)."""
    _CACHE.clear()


# --- who may change a calendar ------------------------------------------------------------


def may_manage(user: User | None, agency: Agency) -> bool:
    """The agency's administrators (a product role, not ``is_staff``) and the installation's
    superuser manage the agency's calendar (:func:`laksana.org.roles.may_administer`)."""
    if user is None or not user.is_authenticated:
        return False
    person = Person.objects.filter(user_id=user.pk).first()
    return may_administer(person, agency, user)


def _actor_name(user: User | None) -> str:
    if user is None or not user.is_authenticated:
        return ""
    person = Person.objects.filter(user_id=user.pk).values_list("name", flat=True).first()
    if person:
        return person
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


# --- writing ------------------------------------------------------------------------------


@dataclass
class _Locked:
    agency: Agency
    row: WorkCalendar
    at: dt.datetime

    def calendar(self) -> Calendar:
        return _load(self.agency.pk, self.agency.time_zone, self.row)


def _lock(agency: Agency, user: User | None, now: dt.datetime | None) -> _Locked:
    """Lock (creating it if needed) the agency's calendar row; refuse users who may not."""
    if user is not None and not may_manage(user, agency):
        raise NotAllowed(
            _("You may not change the working calendar of %(agency)s.") % {"agency": agency}
        )
    WorkCalendar.objects.get_or_create(agency=agency)
    row = WorkCalendar.objects.select_for_update().get(agency=agency)
    fresh = Agency.objects.select_for_update().get(pk=agency.pk)
    return _Locked(fresh, row, now or timezone.now())


def _record(
    locked: _Locked,
    user: User | None,
    action: CalendarAction,
    before: Any,
    after: Any,
) -> CalendarChange:
    row = locked.row
    row.version += 1
    # The real clock, to the microsecond, whatever time the change is recorded at: with the
    # version it keys the calendar cache, and a rolled-back change must never share a key
    # with a later committed one.
    row.updated_at = timezone.now()
    row.save(update_fields=["schedule", "version", "updated_at"])
    change = CalendarChange.objects.create(
        calendar=row,
        action=action,
        user_id=user.pk if user is not None and user.is_authenticated else None,
        actor_name=_actor_name(user),
        at=locked.at,
        before=before,
        after=after,
    )
    agency_id = locked.agency.pk
    transaction.on_commit(lambda: _CACHE.pop(agency_id, None))
    return change


def _parse_schedule(text: str, field: str) -> WeeklySchedule:
    text = text.strip()
    if not text:
        raise CalendarError(
            field,
            _("Write the working hours, for example: %(example)s")
            % {"example": "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:00-16:30"},
        )
    try:
        return WeeklySchedule.parse(text)
    except ScheduleError as exc:
        raise CalendarError(
            field, _("The schedule cannot be used: %(error)s") % {"error": exc}
        ) from None


def period_data(p: CalendarPeriod) -> dict[str, str]:
    """A period as journaled."""
    return {
        "name": p.name,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "schedule": p.schedule,
    }


def day_change_data(c: CalendarDayChange) -> dict[str, str | None]:
    """A day change as journaled."""
    return {
        "kind": c.kind,
        "day": c.day.isoformat(),
        "target": c.target.isoformat() if c.target else None,
        "name": c.name,
    }


def _day(value: dt.date) -> str:
    return str(formats.date_format(value, "l, j F Y"))


@transaction.atomic
def set_schedule(
    agency: Agency, text: str, *, by: User | None = None, now: dt.datetime | None = None
) -> WorkCalendar:
    """Set the agency's weekly schedule (text form, see ``WeeklySchedule.parse``)."""
    schedule = _parse_schedule(text, "schedule")
    if schedule.weekly_minutes == 0:
        raise CalendarError("schedule", _("The schedule has no working time at all."))
    locked = _lock(agency, by, now)
    before = locked.row.schedule
    after = schedule.to_text()
    if after == WeeklySchedule.parse(before).to_text():
        return locked.row
    locked.row.schedule = after
    _record(locked, by, CalendarAction.SCHEDULE, {"schedule": before}, {"schedule": after})
    return locked.row


@transaction.atomic
def set_time_zone(
    agency: Agency, zone: str, *, by: User | None = None, now: dt.datetime | None = None
) -> Agency:
    """Set the agency's time zone: WIB, WITA or WIT."""
    if zone not in TimeZone.values:
        raise CalendarError(
            "time_zone",
            _("Choose one of: %(items)s")
            % {"items": ", ".join(str(label) for label in TimeZone.labels)},
        )
    locked = _lock(agency, by, now)
    before = locked.agency.time_zone
    if before == zone:
        return locked.agency
    locked.agency.time_zone = zone
    locked.agency.save(update_fields=["time_zone"])
    agency.time_zone = zone
    _record(locked, by, CalendarAction.TIME_ZONE, {"time_zone": before}, {"time_zone": zone})
    return locked.agency


@transaction.atomic
def add_period(
    agency: Agency,
    name: str,
    start: dt.date,
    end: dt.date,
    schedule: str,
    *,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> CalendarPeriod:
    """Add a special schedule period (both dates included), e.g. Ramadan."""
    name = name.strip()
    if not name:
        raise CalendarError("name", _("Give the period a name, e.g. Ramadan 1447 H."))
    if end < start:
        raise CalendarError("end", _("The period ends before it starts."))
    parsed = _parse_schedule(schedule, "schedule")
    locked = _lock(agency, by, now)
    clash = (
        CalendarPeriod.objects.filter(calendar=locked.row, start__lte=end, end__gte=start)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise CalendarError(
            "start",
            _("The period overlaps %(name)s (%(start)s to %(end)s).")
            % {"name": clash.name, "start": _day(clash.start), "end": _day(clash.end)},
        )
    period = CalendarPeriod.objects.create(
        calendar=locked.row, name=name[:200], start=start, end=end, schedule=parsed.to_text()
    )
    _record(locked, by, CalendarAction.PERIOD_ADDED, None, period_data(period))
    return period


@transaction.atomic
def remove_period(
    agency: Agency, period_id: int, *, by: User | None = None, now: dt.datetime | None = None
) -> None:
    """Remove a schedule period."""
    locked = _lock(agency, by, now)
    period = CalendarPeriod.objects.filter(calendar=locked.row, pk=period_id).first()
    if period is None:
        raise CalendarError("general", _("No such schedule period."))
    before = period_data(period)
    period.delete()
    _record(locked, by, CalendarAction.PERIOD_REMOVED, before, None)


def _named(calendar: Calendar, day: dt.date) -> str | None:
    return calendar.non_working_day(day)


@transaction.atomic
def add_closure(
    agency: Agency,
    day: dt.date,
    name: str,
    *,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> CalendarDayChange:
    """Make a working day a non-working day (a closure, a cuti bersama not yet in the
    national list)."""
    name = name.strip()
    if not name:
        raise CalendarError("name", _("Give the day off a name, e.g. Penutupan kantor."))
    locked = _lock(agency, by, now)
    calendar = locked.calendar()
    existing = _named(calendar, day)
    if existing is not None:
        raise CalendarError(
            "day",
            _("%(day)s is already a day off: %(name)s.") % {"day": _day(day), "name": existing},
        )
    if not calendar.is_working_day(day):
        raise CalendarError(
            "day", _("%(day)s is not a working day in this calendar.") % {"day": _day(day)}
        )
    change = CalendarDayChange.objects.create(
        calendar=locked.row, kind=DayChangeKind.CLOSURE, day=day, name=name[:200]
    )
    _record(locked, by, CalendarAction.DAY_CHANGE_ADDED, None, day_change_data(change))
    return change


@transaction.atomic
def work_on_day_off(
    agency: Agency, day: dt.date, *, by: User | None = None, now: dt.datetime | None = None
) -> CalendarDayChange:
    """Remove a non-working day (a holiday, cuti bersama or closure the agency works on):
    the day then follows its weekly schedule."""
    locked = _lock(agency, by, now)
    existing = _named(locked.calendar(), day)
    if existing is None:
        raise CalendarError(
            "day", _("%(day)s is not a day off in this calendar.") % {"day": _day(day)}
        )
    change = CalendarDayChange.objects.create(
        calendar=locked.row, kind=DayChangeKind.REMOVED, day=day, name=existing[:200]
    )
    _record(locked, by, CalendarAction.DAY_CHANGE_ADDED, None, day_change_data(change))
    return change


@transaction.atomic
def move_day_off(
    agency: Agency,
    day: dt.date,
    target: dt.date,
    name: str = "",
    *,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> CalendarDayChange:
    """Observe the non-working day ``day`` on ``target`` instead (a holiday moved after the
    isbat, say): ``day`` is worked, ``target`` is off with ``day``'s name (or ``name``)."""
    if target == day:
        raise CalendarError("target", _("Choose another day to move it to."))
    locked = _lock(agency, by, now)
    calendar = locked.calendar()
    existing = _named(calendar, day)
    if existing is None:
        raise CalendarError(
            "day", _("%(day)s is not a day off in this calendar.") % {"day": _day(day)}
        )
    occupied = _named(calendar, target)
    if occupied is not None:
        raise CalendarError(
            "target",
            _("%(day)s is already a day off: %(name)s.") % {"day": _day(target), "name": occupied},
        )
    if not calendar.is_working_day(target):
        raise CalendarError(
            "target", _("%(day)s is not a working day in this calendar.") % {"day": _day(target)}
        )
    change = CalendarDayChange.objects.create(
        calendar=locked.row,
        kind=DayChangeKind.MOVED,
        day=day,
        target=target,
        name=(name.strip() or existing)[:200],
    )
    _record(locked, by, CalendarAction.DAY_CHANGE_ADDED, None, day_change_data(change))
    return change


@transaction.atomic
def remove_day_change(
    agency: Agency, change_id: int, *, by: User | None = None, now: dt.datetime | None = None
) -> None:
    """Undo a local day change: the days concerned follow the national list again."""
    locked = _lock(agency, by, now)
    change = CalendarDayChange.objects.filter(calendar=locked.row, pk=change_id).first()
    if change is None:
        raise CalendarError("general", _("No such day change."))
    before = day_change_data(change)
    change.delete()
    _record(locked, by, CalendarAction.DAY_CHANGE_REMOVED, before, None)


# --- reading for screens ------------------------------------------------------------------


@dataclass(frozen=True)
class DayOff:
    """A non-working day of a year, with where it comes from."""

    day: dt.date
    name: str
    local: bool  # a closure or moved day of the agency, not the national list


def non_working_days(agency: Agency, year: int) -> list[DayOff]:
    """The year's named non-working days of the agency's calendar, by date."""
    calendar = calendar_for(agency)
    local: set[dt.date] = set()
    row = WorkCalendar.objects.filter(agency=agency).first()
    if row is not None:
        for c in CalendarDayChange.objects.filter(calendar=row):
            if c.kind == DayChangeKind.CLOSURE:
                local.add(c.day)
            elif c.target is not None:
                local.add(c.target)
    return [DayOff(day, name, day in local) for day, name in calendar.non_working_days(year)]


def history(agency: Agency, limit: int = 100) -> Sequence[CalendarChange]:
    """The agency's calendar changes, newest first."""
    return list(CalendarChange.objects.filter(calendar__agency=agency)[:limit])
