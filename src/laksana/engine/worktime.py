"""Working time: the clock that SOP time standards are counted on.

A :class:`Calendar` knows when an agency works: its time zone (WIB, WITA or WIT), its
:class:`WeeklySchedule` (the default is Perpres 21/2023's Mon–Thu 07:30–16:00 with a
12:00–13:00 break and Fri 07:30–16:30 with an 11:30–13:00 break), optional special schedule
periods (Ramadan), the national holidays and cuti bersama (from the ``holidays`` package,
Indonesia, categories public and government) and the agency's local changes (a closure, a
cuti bersama it works on, a moved day).

The semantics, documented in ``docs/working-time.md``:

* minutes and hours are working minutes and hours; a start outside working time counts from
  the next working moment; a due time may fall exactly on a closing time (16:00) or the start
  of a break (12:00), never inside a break, after closing or on a day off;
* N days means the same clock time on the Nth working day after the start (itself first moved
  to the next working moment), moved to that day's closing time if the day closes earlier, to
  the end of a break if it falls in one, and to the day's opening if it is before it opens.

Everything is computed on local wall-clock time in the calendar's zone, in whole
microseconds. Per-year tables (each day's working intervals, and running totals of working
time and working days) are built on first use and cached, so a due time costs a few
dictionary lookups and a binary search whatever its size. The module is pure Python and
imports the ``holidays`` package only when national holidays are first needed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from laksana.engine.timetext import TimeStandard, TimeUnit

__all__ = [
    "DEFAULT_SCHEDULE",
    "RAMADAN_SCHEDULE",
    "WEEKDAYS_ID",
    "ZONE_ALIASES",
    "Calendar",
    "DayChange",
    "HolidaySource",
    "ScheduleError",
    "SchedulePeriod",
    "WeeklySchedule",
    "WorkTimeError",
    "indonesian_holidays",
    "national_calendar",
    "resolve_zone",
]

_DAY = TimeUnit.DAY
_HOUR = TimeUnit.HOUR
_US_PER_MINUTE = 60_000_000
# How many years in a row without any working time the arithmetic crosses before it gives up
# (a calendar configured with no working days at all must fail clearly, not loop).
_MAX_YEARS_AHEAD = 100

WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mon", "monday", "sen", "senin"),
        ("tue", "tuesday", "sel", "selasa"),
        ("wed", "wednesday", "rab", "rabu"),
        ("thu", "thursday", "kam", "kamis"),
        ("fri", "friday", "jum", "jumat", "jum'at"),
        ("sat", "saturday", "sab", "sabtu"),
        ("sun", "sunday", "min", "minggu", "ahad"),
    )
):
    for _name in _names:
        _DAY_NAMES[_name] = _index

# The three Indonesian zones, by their everyday abbreviations.
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


class WorkTimeError(ValueError):
    """Working-time input that cannot be used; the message says what is wrong."""


class ScheduleError(WorkTimeError):
    """A weekly schedule that cannot be read or is inconsistent."""


# --- weekly schedules ----------------------------------------------------------------------

Interval = tuple[time, time]

_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _clock_minutes(text: str, where: str) -> int:
    match = _CLOCK.match(text.strip())
    if not match:
        raise ScheduleError(f"{where}: cannot read the time {text.strip()!r}; write it as HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise ScheduleError(f"{where}: {text.strip()!r} is not a time of day (00:00 to 23:59)")
    return hours * 60 + minutes


def _fmt_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _time_minutes(value: time, where: str) -> int:
    if value.second or value.microsecond:
        raise ScheduleError(f"{where}: {value.isoformat()} has seconds; use whole minutes")
    return value.hour * 60 + value.minute


class WeeklySchedule:
    """Working intervals for each weekday, Monday to Sunday, as local clock times.

    ``days`` has seven entries (Monday first); each is a sequence of ``(start, end)`` pairs
    of :class:`datetime.time` in whole minutes. Intervals are sorted, touching ones merged;
    an interval that ends before it starts or overlaps another is a :class:`ScheduleError`.
    A day with no intervals is a day off. Read one from text with :meth:`parse`.
    """

    __slots__ = ("_minutes", "_us")
    _minutes: tuple[tuple[tuple[int, int], ...], ...]
    _us: tuple[tuple[tuple[int, int], ...], ...]

    def __init__(self, days: Sequence[Sequence[Interval]]) -> None:
        if len(days) != 7:
            raise ScheduleError(f"a weekly schedule has 7 days (Monday to Sunday), not {len(days)}")
        minutes: list[tuple[tuple[int, int], ...]] = []
        for index, intervals in enumerate(days):
            where = WEEKDAYS_ID[index]
            spans = [
                (_time_minutes(start, where), _time_minutes(end, where)) for start, end in intervals
            ]
            minutes.append(_normalise(spans, where))
        self._set(tuple(minutes))

    def _set(self, minutes: tuple[tuple[tuple[int, int], ...], ...]) -> None:
        self._minutes = minutes
        self._us = tuple(
            tuple((a * _US_PER_MINUTE, b * _US_PER_MINUTE) for a, b in day) for day in minutes
        )

    @classmethod
    def parse(cls, text: str) -> WeeklySchedule:
        """Read the compact text form.

        ``"mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:00-16:30"``: entries separated
        by ``;``, each a set of days (a day, a range ``mon-thu`` or a list ``mon,wed``; English
        or Indonesian names: ``senin-kamis``) and its intervals ``HH:MM-HH:MM`` separated by
        commas (``07.30`` is accepted too). Days not named are days off; naming a day twice is
        an error.
        """
        days: list[list[tuple[int, int]] | None] = [None] * 7
        entries = [entry.strip() for entry in text.split(";")]
        if not any(entries):
            raise ScheduleError("empty schedule: write e.g. 'mon-fri 08:00-16:00'")
        for entry in entries:
            if not entry:
                continue
            parts = entry.split(None, 1)
            if len(parts) != 2:
                raise ScheduleError(
                    f"{entry!r}: write the days, a space and the intervals, "
                    "e.g. 'mon-thu 07:30-12:00,13:00-16:00'"
                )
            day_text, interval_text = parts
            indexes = _parse_days(day_text, entry)
            spans: list[tuple[int, int]] = []
            for piece in interval_text.split(","):
                piece = piece.strip()
                bounds = re.split(r"\s*[-–]\s*", piece)
                if len(bounds) != 2:
                    raise ScheduleError(
                        f"{entry!r}: cannot read the interval {piece!r}; write it as HH:MM-HH:MM"
                    )
                spans.append((_clock_minutes(bounds[0], entry), _clock_minutes(bounds[1], entry)))
            for index in indexes:
                if days[index] is not None:
                    raise ScheduleError(f"{entry!r}: {WEEKDAYS_ID[index]} is given twice")
                days[index] = list(spans)
        schedule = cls.__new__(cls)
        schedule._set(
            tuple(_normalise(spans or [], WEEKDAYS_ID[index]) for index, spans in enumerate(days))
        )
        return schedule

    def intervals(self, weekday: int) -> tuple[Interval, ...]:
        """The working intervals of a weekday (0 = Monday) as local clock times."""
        return tuple(
            (time(a // 60, a % 60), time(b // 60, b % 60)) for a, b in self._minutes[weekday]
        )

    @property
    def days(self) -> tuple[tuple[Interval, ...], ...]:
        """All seven days' intervals, Monday first."""
        return tuple(self.intervals(index) for index in range(7))

    @property
    def weekly_minutes(self) -> int:
        """Working minutes in a full week."""
        return sum(b - a for day in self._minutes for a, b in day)

    def day_minutes(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """The working intervals of a weekday in minutes after local midnight."""
        return self._minutes[weekday]

    def to_text(self) -> str:
        """The compact text form; ``WeeklySchedule.parse(s.to_text()) == s``."""
        out: list[str] = []
        index = 0
        while index < 7:
            spans = self._minutes[index]
            last = index
            while last + 1 < 7 and self._minutes[last + 1] == spans:
                last += 1
            if spans:
                label = _WEEKDAYS_EN[index]
                if last > index:
                    label += "-" + _WEEKDAYS_EN[last]
                text = ",".join(f"{_fmt_minutes(a)}-{_fmt_minutes(b)}" for a, b in spans)
                out.append(f"{label} {text}")
            index = last + 1
        return "; ".join(out)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"WeeklySchedule.parse({self.to_text()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WeeklySchedule):
            return NotImplemented
        return self._minutes == other._minutes

    def __hash__(self) -> int:
        return hash(self._minutes)


def _parse_days(text: str, entry: str) -> list[int]:
    out: list[int] = []
    for piece in text.lower().split(","):
        bounds = piece.split("-")
        if len(bounds) > 2 or not all(bounds):
            raise ScheduleError(f"{entry!r}: cannot read the days {text!r}")
        try:
            indexes = [_DAY_NAMES[name.strip()] for name in bounds]
        except KeyError as exc:
            raise ScheduleError(
                f"{entry!r}: unknown day {exc.args[0]!r}; use mon, tue, wed, thu, fri, sat, "
                "sun (or senin, selasa, rabu, kamis, jumat, sabtu, minggu)"
            ) from None
        if len(indexes) == 2:
            first, last = indexes
            if last < first:
                raise ScheduleError(f"{entry!r}: the day range {piece!r} runs backwards")
            out.extend(range(first, last + 1))
        else:
            out.append(indexes[0])
    return out


def _normalise(spans: list[tuple[int, int]], where: str) -> tuple[tuple[int, int], ...]:
    for a, b in spans:
        if b <= a:
            raise ScheduleError(
                f"{where}: the interval {_fmt_minutes(a)}-{_fmt_minutes(b)} must end after it "
                "starts"
            )
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            pa, pb = merged[-1]
            raise ScheduleError(
                f"{where}: the intervals {_fmt_minutes(pa)}-{_fmt_minutes(pb)} and "
                f"{_fmt_minutes(a)}-{_fmt_minutes(b)} overlap"
            )
        if merged and a == merged[-1][1]:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return tuple(merged)


DEFAULT_SCHEDULE = WeeklySchedule.parse(
    "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:00-16:30"
)
"""Perpres 21/2023: 37.5 working hours a week, start 07:30, breaks 60 min Mon–Thu, 90 Fri."""

RAMADAN_SCHEDULE = WeeklySchedule.parse(
    "mon-thu 08:00-12:00,12:30-15:00; fri 08:00-11:30,12:30-15:30"
)
"""Ramadan: 32.5 working hours a week, start 08:00, 08:00–15:00 (Fri 08:00–15:30)."""


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """A date range (both ends included) that follows another weekly schedule, e.g. Ramadan."""

    start: date
    end: date
    schedule: WeeklySchedule
    name: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            label = f"{self.name} " if self.name else ""
            raise WorkTimeError(
                f"schedule period {label}{self.start}..{self.end} ends before it starts"
            )


@dataclass(frozen=True, slots=True)
class DayChange:
    """A local change to the non-working days, applied after the national list.

    ``closed=True`` makes ``day`` a non-working day named ``name`` (a closure);
    ``closed=False`` removes a non-working day (a cuti bersama the agency works on), so the
    day follows its weekly schedule. Moving a day is one of each.
    """

    day: date
    closed: bool
    name: str = ""


HolidaySource = Callable[[int], Mapping[date, str]]
"""A year's national non-working days: date -> name."""


@lru_cache(maxsize=256)
def indonesian_holidays(year: int) -> Mapping[date, str]:
    """National holidays and cuti bersama of ``year`` from the ``holidays`` package.

    Indonesia, categories public and government (cuti bersama is only in government), names
    in Indonesian. Dates the package only estimates carry "(perkiraan)" in their name.
    """
    import holidays  # imported on first use: it takes tens of milliseconds to load

    table = holidays.country_holidays(
        "ID", years=year, categories=("public", "government"), language="id"
    )
    return MappingProxyType(
        {day: str(name) for day, name in sorted(table.items()) if day.year == year}
    )


def resolve_zone(name: str) -> ZoneInfo:
    """The zone for an IANA name (``Asia/Jakarta``) or WIB, WITA, WIT."""
    key = ZONE_ALIASES.get(name.strip().upper(), name.strip())
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise WorkTimeError(
            f"unknown time zone {name!r}: use Asia/Jakarta (WIB), Asia/Makassar (WITA) or "
            "Asia/Jayapura (WIT)"
        ) from None


# --- calendars -----------------------------------------------------------------------------

_Plan = tuple[tuple[int, int], ...]  # one day's working intervals, microseconds after midnight


@dataclass(slots=True)
class _Year:
    """One year's precomputed tables; index ``i`` is day ``first + i`` (ordinal)."""

    year: int
    first: int
    plans: list[_Plan]
    cum_us: list[int]  # cum_us[i]: working microseconds in days [0, i)
    cum_wd: list[int]  # cum_wd[i]: working days in days [0, i)
    off: dict[date, str]


class Calendar:
    """An agency's working calendar. Immutable: local changes return a new calendar.

    ``tz`` is an IANA zone name (Asia/Jakarta, Asia/Makassar, Asia/Jayapura) or WIB, WITA,
    WIT. ``periods`` are special schedule periods (they may not overlap). ``holidays`` gives a
    year's national non-working days (default: :func:`indonesian_holidays`; ``None`` for
    none). ``changes`` are local :class:`DayChange` s, applied in order.

    Every method takes timezone-aware datetimes (a naive one is a :class:`WorkTimeError`)
    and returns datetimes in the calendar's zone.
    """

    def __init__(
        self,
        tz: str = "Asia/Jakarta",
        schedule: WeeklySchedule = DEFAULT_SCHEDULE,
        *,
        periods: Iterable[SchedulePeriod] = (),
        holidays: HolidaySource | None = indonesian_holidays,
        changes: Iterable[DayChange] = (),
    ) -> None:
        self._zone = resolve_zone(tz)
        self.schedule = schedule
        self.periods: tuple[SchedulePeriod, ...] = tuple(sorted(periods, key=lambda p: p.start))
        for before, after in zip(self.periods, self.periods[1:], strict=False):
            if after.start <= before.end:
                raise WorkTimeError(
                    f"schedule periods {before.start}..{before.end} and "
                    f"{after.start}..{after.end} overlap"
                )
        self.holidays = holidays
        self.changes: tuple[DayChange, ...] = tuple(changes)
        self._years: dict[int, _Year] = {}

    # --- configuration --------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._zone

    @property
    def zone(self) -> str:
        """The calendar's zone name, e.g. ``Asia/Jakarta``."""
        return self._zone.key

    def __repr__(self) -> str:
        return (
            f"Calendar({self.zone!r}, {self.schedule!r}, periods={len(self.periods)}, "
            f"changes={len(self.changes)})"
        )

    def with_changes(self, *changes: DayChange) -> Calendar:
        """A new calendar with ``changes`` applied after this one's."""
        return Calendar(
            self.zone,
            self.schedule,
            periods=self.periods,
            holidays=self.holidays,
            changes=(*self.changes, *changes),
        )

    def with_closure(self, day: date, name: str) -> Calendar:
        """A new calendar where ``day`` is a non-working day named ``name`` (a closure)."""
        if not name.strip():
            raise WorkTimeError(f"a closure on {day} needs a name")
        return self.with_changes(DayChange(day, True, name.strip()))

    def without_non_working_day(self, day: date) -> Calendar:
        """A new calendar where ``day`` (a holiday, cuti bersama or closure) is worked.

        The day then follows its weekly schedule: removing a holiday on a Sunday changes
        nothing. A day that is not a non-working day is an error.
        """
        if self.non_working_day(day) is None:
            raise WorkTimeError(f"{day} is not a non-working day in this calendar")
        return self.with_changes(DayChange(day, False))

    def with_moved_non_working_day(
        self, source: date, target: date, name: str | None = None
    ) -> Calendar:
        """A new calendar where the non-working day ``source`` is observed on ``target``.

        ``source`` becomes a working day; ``target`` a non-working day with ``source``'s name
        (or ``name``).
        """
        old = self.non_working_day(source)
        if old is None:
            raise WorkTimeError(f"{source} is not a non-working day in this calendar")
        return self.with_changes(
            DayChange(source, False), DayChange(target, True, (name or old).strip())
        )

    # --- days -----------------------------------------------------------------------------

    def non_working_day(self, day: date) -> str | None:
        """The name of ``day`` if it is a holiday, cuti bersama or closure, else ``None``."""
        return self._year(day.year).off.get(day)

    def non_working_days(self, year: int) -> list[tuple[date, str]]:
        """The year's named non-working days (national list plus local changes), by date."""
        return sorted(self._year(year).off.items())

    def working_intervals(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of ``day`` as local clock times; empty on a day off."""
        table = self._year(day.year)
        return tuple((_clock(a), _clock(b)) for a, b in table.plans[day.toordinal() - table.first])

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` has any working time."""
        table = self._year(day.year)
        return bool(table.plans[day.toordinal() - table.first])

    def schedule_for(self, day: date) -> WeeklySchedule:
        """The weekly schedule in force on ``day`` (a special period's, or the default)."""
        for period in self.periods:
            if period.start <= day <= period.end:
                return period.schedule
        return self.schedule

    # --- moments --------------------------------------------------------------------------

    def is_working(self, t: datetime) -> bool:
        """Whether ``t`` is inside working time (intervals are [open, close))."""
        table, index, pos = self._locate(t)
        return any(a <= pos < b for a, b in table.plans[index])

    def next_working_moment(self, t: datetime) -> datetime:
        """``t`` itself if it is working time, else the next opening, in the calendar's zone."""
        table, index, pos = self._next_working(*self._locate(t))
        return self._at(table, index, pos)

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` working minutes after ``start``.

        Counting begins at the next working moment; the result may be a closing time or the
        start of a break (the minute that ends the count), never inside one.
        """
        remaining = round(minutes * _US_PER_MINUTE)
        if remaining < 0:
            raise WorkTimeError(f"cannot add a negative duration ({minutes} minutes)")
        table, index, pos = self._locate(start)
        if remaining == 0:
            table, index, pos = self._next_working(table, index, pos)
            return self._at(table, index, pos)
        for a, b in table.plans[index]:
            if pos < b:
                if pos < a:
                    pos = a
                available = b - pos
                if remaining <= available:
                    return self._at(table, index, pos + remaining)
                remaining -= available
        # Whole days and years are skipped on the running totals.
        index += 1
        idle = 0
        while True:
            cum = table.cum_us
            target = cum[index] + remaining
            if target <= cum[-1]:
                day = bisect_left(cum, target, index + 1) - 1
                left = target - cum[day]
                for a, b in table.plans[day]:
                    if left <= b - a:
                        return self._at(table, day, a + left)
                    left -= b - a
                raise AssertionError("unreachable: the running totals are inconsistent")
            remaining -= cum[-1] - cum[index]
            idle = idle + 1 if cum[-1] == 0 else 0
            table, index = self._following_year(table, idle, start), 0

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same clock time on the ``days``-th working day after ``start``.

        ``start`` is first moved to the next working moment. On the target day the clock time
        moves to the day's closing time if the day closes earlier, to the end of a break if it
        falls in one, and to the opening if it is earlier. ``days == 0`` gives the next working
        moment.
        """
        if days < 0:
            raise WorkTimeError(f"cannot add a negative number of days ({days})")
        if int(days) != days:
            raise WorkTimeError(f"working days are whole days, not {days}")
        table, index, clock = self._next_working(*self._locate(start))
        if days == 0:
            return self._at(table, index, clock)
        table, index = self._nth_working_day(table, index, int(days), start)
        plan = table.plans[index]
        for a, b in plan:
            if clock <= b:
                if clock < a:
                    clock = a
                break
        else:
            clock = plan[-1][1]
        return self._at(table, index, clock)

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes from ``a`` to ``b`` (negative if ``b`` is before ``a``)."""
        if b < a:
            return -self.working_minutes_between(b, a)
        ta, ia, pa = self._locate(a)
        tb, ib, pb = self._locate(b)
        worked = self._worked_before(tb, ib, pb) - self._worked_before(ta, ia, pa)
        year = ta
        while year.year < tb.year:
            worked += year.cum_us[-1]
            year = self._year(year.year + 1)
        return worked / _US_PER_MINUTE

    def due(self, start: datetime, standard: TimeStandard) -> datetime:
        """When a step started at ``start`` with time standard ``standard`` is due.

        Minute and hour standards add working minutes; day standards add working days. A
        range binds at its upper bound (``standard.amount``).
        """
        unit = standard.unit
        if unit is _DAY:
            return self.add_working_days(start, round(standard.amount))
        if unit is _HOUR:
            return self.add_working_minutes(start, round(standard.amount * 60))
        return self.add_working_minutes(start, round(standard.amount))

    # --- internals ------------------------------------------------------------------------

    def _locate(self, t: datetime) -> tuple[_Year, int, int]:
        """The year table, the day index in it and the microseconds after local midnight."""
        zone = t.tzinfo
        if zone is self._zone:
            local = t
        elif zone is None or t.utcoffset() is None:
            raise WorkTimeError(
                f"the time {t.isoformat()} has no time zone; give it an offset "
                f"(e.g. {t.isoformat()}+07:00) or a zone"
            )
        else:
            try:
                local = t.astimezone(self._zone)
            except OverflowError:
                raise WorkTimeError(
                    f"the time {t.isoformat()} is outside the dates a calendar can hold"
                ) from None
        table = self._years.get(local.year)
        if table is None:
            table = self._year(local.year)
        pos = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        return table, local.toordinal() - table.first, pos

    def _at(self, table: _Year, index: int, pos: int) -> datetime:
        day = date.fromordinal(table.first + index)  # intervals end by 23:59, never 24:00
        seconds, micro = divmod(pos, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime(
            day.year, day.month, day.day, hour, minute, second, micro, tzinfo=self._zone
        )

    def _next_working(self, table: _Year, index: int, pos: int) -> tuple[_Year, int, int]:
        for a, b in table.plans[index]:
            if pos < b:
                return table, index, (pos if pos >= a else a)
        table, index = self._nth_working_day(table, index, 1, None)
        return table, index, table.plans[index][0][0]

    def _nth_working_day(
        self, table: _Year, index: int, n: int, start: datetime | None
    ) -> tuple[_Year, int]:
        """The ``n``-th working day (n >= 1) strictly after day ``index`` of ``table``."""
        idle = 0
        while True:
            cwd = table.cum_wd
            base = cwd[index + 1]
            target = base + n
            if target <= cwd[-1]:
                return table, bisect_left(cwd, target, index + 1) - 1
            n -= cwd[-1] - base
            idle = idle + 1 if cwd[-1] == 0 else 0
            table, index = self._following_year(table, idle, start), -1

    def _following_year(self, table: _Year, idle: int, start: datetime | None) -> _Year:
        """The next year's table; ``idle`` counts the years before it without working time."""
        after = f" after {start.isoformat()}" if start is not None else ""
        if idle >= _MAX_YEARS_AHEAD:
            raise WorkTimeError(
                f"no working time found in the {_MAX_YEARS_AHEAD} years{after}: "
                "check the calendar's schedule and closures"
            )
        if table.year >= 9999:
            origin = f" from {start.isoformat()}" if start is not None else ""
            raise WorkTimeError(f"counting{origin} runs past the year 9999")
        return self._year(table.year + 1)

    @staticmethod
    def _worked_before(table: _Year, index: int, pos: int) -> int:
        worked = table.cum_us[index]
        for a, b in table.plans[index]:
            if pos <= a:
                break
            worked += (pos if pos < b else b) - a
        return worked

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._build_year(year)
            self._years[year] = table
        return table

    def _build_year(self, year: int) -> _Year:
        off: dict[date, str] = {}
        if self.holidays is not None:
            off.update((day, name) for day, name in self.holidays(year).items() if day.year == year)
        for change in self.changes:
            if change.day.year != year:
                continue
            if change.closed:
                off[change.day] = change.name
            else:
                off.pop(change.day, None)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        plans: list[_Plan] = []
        cum_us = [0]
        cum_wd = [0]
        periods = [p for p in self.periods if p.start.year <= year <= p.end.year]
        for ordinal in range(first, last + 1):
            day = date.fromordinal(ordinal)
            if day in off:
                plan: _Plan = ()
            else:
                schedule = self.schedule
                for period in periods:
                    if period.start <= day <= period.end:
                        schedule = period.schedule
                        break
                plan = schedule._us[(ordinal - 1) % 7]
            plans.append(plan)
            cum_us.append(cum_us[-1] + sum(b - a for a, b in plan))
            cum_wd.append(cum_wd[-1] + (1 if plan else 0))
        return _Year(year, first, plans, cum_us, cum_wd, off)


def _clock(pos: int) -> time:
    minutes = pos // _US_PER_MINUTE
    return time(minutes // 60, minutes % 60)


def national_calendar(
    tz: str = "Asia/Jakarta",
    *,
    schedule: WeeklySchedule = DEFAULT_SCHEDULE,
    periods: Iterable[SchedulePeriod] = (),
    changes: Iterable[DayChange] = (),
) -> Calendar:
    """The default calendar: the national schedule, holidays and cuti bersama, in ``tz``."""
    return Calendar(tz, schedule, periods=periods, changes=changes)
