"""Uptime and downtime, computed from the state changes (never from sampling the results).

A monitor's state over a period is read from its :class:`~laksana.monitoring.models.StateChange`
rows: the state of the last change before the period's start, then each change in turn.
Time before a monitor's first change is unknown and counts neither way. An application is
down while any of its active monitors that count for it is down (the union of their down
intervals) and known while any of them is known. Time inside the application's declared
maintenance windows is left out of both the known and the down time and reported on its
own. A period that reaches past ``now`` is measured up to ``now``.

The figures are whole seconds; the uptime percentage is an exact :class:`~decimal.Decimal`
(the ratio rounded once, to the context's precision).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from laksana.monitoring.models import MaintenanceWindow, Monitor, State, StateChange

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Figures:
    """A period's figures (``start``/``end`` as asked; the seconds up to ``now``)."""

    start: dt.datetime
    end: dt.datetime
    known_seconds: int  # a known state (up or down), maintenance left out
    down_seconds: int  # down, outside maintenance windows
    maintenance_seconds: int  # inside declared windows (counted neither way)

    @property
    def uptime_percent(self) -> Decimal | None:
        """Up time over known time, in percent; None when nothing is known."""
        if self.known_seconds == 0:
            return None
        return Decimal((self.known_seconds - self.down_seconds) * 100) / Decimal(self.known_seconds)

    @property
    def downtime_minutes(self) -> Decimal:
        return Decimal(self.down_seconds) / Decimal(60)


# Intervals ----------------------------------------------------------------------------------


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-empty intervals covering the same time."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The intersection of two merged interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _microseconds(intervals: Sequence[Interval]) -> int:
    total = 0
    for start, end in intervals:
        delta = end - start
        total += (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return total


def _seconds(intervals: Sequence[Interval]) -> int:
    return _microseconds(intervals) // 1_000_000


def segments(
    changes: Sequence[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """The period cut into (start, end, state) pieces from the changes (``at``, new state),
    in time order; unknown before the first change."""
    state: str = State.UNKNOWN
    cursor = start
    out: list[tuple[dt.datetime, dt.datetime, str]] = []
    for at, new in sorted(changes, key=lambda c: c[0]):
        if at <= start:
            state = new
            continue
        if at >= end:
            break
        if at > cursor:
            out.append((cursor, at, state))
        cursor = at
        state = new
    if cursor < end:
        out.append((cursor, end, state))
    return out


def down_intervals(
    changes: Sequence[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """The intervals of the period in which the changes (``at``, new state) say down."""
    return _merge([(s, e) for s, e, state in segments(changes, start, end) if state == State.DOWN])


def _known_intervals(
    changes: Sequence[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    return _merge(
        [(s, e) for s, e, state in segments(changes, start, end) if state != State.UNKNOWN]
    )


# Reading ------------------------------------------------------------------------------------


def _changes(
    monitor_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[dt.datetime, str]]]:
    """Each monitor's changes in [start, end) and its last change before start, in one
    query."""
    if not monitor_ids:
        return {}
    before = (
        StateChange.objects.filter(monitor_id=OuterRef("monitor_id"), at__lt=start)
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    rows = (
        StateChange.objects.filter(monitor_id__in=monitor_ids, at__lt=end)
        .filter(Q(at__gte=start) | Q(pk=Subquery(before)))
        .order_by("monitor_id", "at", "pk")
        .values_list("monitor_id", "at", "new_state")
    )
    found: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for monitor_id, at, new_state in rows:
        found[monitor_id].append((at, new_state))
    return found


def _windows(
    application_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    rows = MaintenanceWindow.objects.filter(
        application_id__in=application_ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("starts_at", "ends_at")
    return _merge([(max(s, start), min(e, end)) for s, e in rows])


def _cut(end: dt.datetime, now: dt.datetime | None) -> dt.datetime:
    return min(end, now or timezone.now())


class _Timeline:
    """The changes and windows of a span, read once, measured for any period inside it."""

    def __init__(
        self,
        monitor_ids: Sequence[int],
        application_ids: Sequence[int],
        start: dt.datetime,
        end: dt.datetime,
    ) -> None:
        self.changes = _changes(monitor_ids, start, end)
        self.windows = _windows(application_ids, start, end)
        self.monitor_ids = list(monitor_ids)

    def figures(self, start: dt.datetime, end: dt.datetime, cut: dt.datetime) -> Figures:
        stop = min(end, cut)
        if stop <= start:
            return Figures(start, end, 0, 0, 0)
        known: list[Interval] = []
        down: list[Interval] = []
        for pk in self.monitor_ids:
            changes = self.changes.get(pk, [])
            known.extend(_known_intervals(changes, start, stop))
            down.extend(down_intervals(changes, start, stop))
        windows = _intersect(self.windows, [(start, stop)])
        known_m, down_m = _merge(known), _merge(down)
        known_us = _microseconds(known_m) - _microseconds(_intersect(known_m, windows))
        down_us = _microseconds(down_m) - _microseconds(_intersect(down_m, windows))
        return Figures(start, end, known_us // 1_000_000, down_us // 1_000_000, _seconds(windows))


def _subject(monitor_id: int | None, application_id: int | None) -> tuple[list[int], list[int]]:
    """The monitors counted and the application whose windows apply."""
    if (monitor_id is None) == (application_id is None):
        raise ValueError("give exactly one of monitor_id and application_id")
    if monitor_id is not None:
        app = Monitor.objects.filter(pk=monitor_id).values_list("application_id", flat=True).first()
        return [monitor_id], [app] if app is not None else []
    assert application_id is not None
    ids = list(
        Monitor.objects.filter(
            application_id=application_id, active=True, counts_for_application=True
        ).values_list("pk", flat=True)
    )
    return ids, [application_id]


def _period(
    monitor_id: int | None,
    application_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None,
) -> Figures:
    monitors, applications = _subject(monitor_id, application_id)
    cut = _cut(end, now)
    if cut <= start:
        return Figures(start, end, 0, 0, 0)
    return _Timeline(monitors, applications, start, cut).figures(start, end, cut)


def monitor_figures(
    monitor_id: int, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> Figures:
    """One monitor's figures for [start, end)."""
    return _period(monitor_id, None, start, end, now)


def application_figures(
    application_id: int, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> Figures:
    """An application's figures for [start, end): down while any of its active counted
    monitors is down."""
    return _period(None, application_id, start, end, now)


class Timeline:
    """An application's state changes and maintenance windows of a span, read once (three
    queries) and measured for any period inside it: for reports that measure many periods
    (month by month) without reading the changes again for each."""

    def __init__(self, application_id: int, start: dt.datetime, end: dt.datetime) -> None:
        monitors, applications = _subject(None, application_id)
        self._timeline = _Timeline(monitors, applications, start, max(end, start))

    def figures(self, start: dt.datetime, end: dt.datetime, *, cut: dt.datetime) -> Figures:
        """The figures of [start, end) inside the span, time after ``cut`` (now) unknown."""
        return self._timeline.figures(start, end, cut)


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def daily(
    *,
    monitor_id: int | None = None,
    application_id: int | None = None,
    days: int = 90,
    tz: zoneinfo.ZoneInfo,
    today: dt.date,
    now: dt.datetime | None = None,
) -> list[tuple[dt.date, Figures]]:
    """The figures of each of the ``days`` days up to ``today`` (oldest first), each day
    from midnight to midnight in ``tz``; read in two queries."""
    monitors, applications = _subject(monitor_id, application_id)
    first = today - dt.timedelta(days=days - 1)
    start = _midnight(first, tz)
    end = _midnight(today + dt.timedelta(days=1), tz)
    cut = _cut(end, now)
    timeline = _Timeline(monitors, applications, start, max(cut, start))
    out: list[tuple[dt.date, Figures]] = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        out.append(
            (
                day,
                timeline.figures(
                    _midnight(day, tz), _midnight(day + dt.timedelta(days=1), tz), cut
                ),
            )
        )
    return out


def monthly(
    *,
    monitor_id: int | None = None,
    application_id: int | None = None,
    year: int,
    month: int,
    tz: zoneinfo.ZoneInfo,
    now: dt.datetime | None = None,
) -> Figures:
    """The figures of a calendar month in ``tz``."""
    start = _midnight(dt.date(year, month, 1), tz)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return _period(monitor_id, application_id, start, _midnight(following, tz), now)
