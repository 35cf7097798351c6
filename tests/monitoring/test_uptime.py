"""Uptime and downtime from the state changes, exact for scripted timelines with a frozen
clock: unknown before the first change, maintenance left out and reported, the future cut
at now, days in the agency's time zone, an application's union of its monitors."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from laksana.monitoring import state, uptime
from laksana.monitoring.models import StateChange
from tests.monitoring.factories import monitor, outcome, window

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
MARCH = dt.datetime(2026, 3, 1, tzinfo=WIB)  # a 31-day month: 44,640 minutes
APRIL = dt.datetime(2026, 4, 1, tzinfo=WIB)
LATER = dt.datetime(2026, 6, 1, tzinfo=WIB)
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def ipas(djki):
    return djki.applications["ipas"]


def change(m, at, new, old="up"):
    return StateChange.objects.create(
        monitor=m,
        application_id=m.application_id,
        at=at,
        detected_at=at,
        old_state=old,
        new_state=new,
    )


def local(day, hour=0, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=WIB)


def test_a_month_with_two_hours_fifteen_minutes_down(ipas):
    m = monitor(ipas)
    change(m, MARCH - 2 * H, "up", "unknown")  # known from before the month
    change(m, local(10, 10), "down")
    change(m, local(10, 12, 15), "up", "down")
    figures = uptime.monthly(monitor_id=m.pk, year=2026, month=3, tz=WIB, now=LATER)
    assert (figures.start, figures.end) == (MARCH, APRIL)
    assert figures.known_seconds == 44640 * 60
    assert figures.down_seconds == 135 * 60
    assert figures.maintenance_seconds == 0
    assert figures.downtime_minutes == Decimal(135)
    assert figures.uptime_percent == Decimal((44640 - 135) * 100) / Decimal(44640)
    # The application has only this counted monitor: the same figures.
    app = uptime.monthly(application_id=ipas.pk, year=2026, month=3, tz=WIB, now=LATER)
    assert (app.known_seconds, app.down_seconds) == (44640 * 60, 135 * 60)


def test_time_before_the_first_change_is_unknown(ipas):
    m = monitor(ipas)
    change(m, local(1, 6), "up", "unknown")
    change(m, local(2, 0), "down")
    figures = uptime.monitor_figures(m.pk, MARCH, APRIL, now=LATER)
    assert figures.known_seconds == (44640 - 6 * 60) * 60
    # Down from March 2 to the month's end: 30 days.
    assert figures.down_seconds == 30 * 86400
    assert figures.uptime_percent == Decimal(18 * 3600 * 100) / Decimal((44640 - 6 * 60) * 60)
    nothing = uptime.monitor_figures(m.pk, MARCH, local(1, 6), now=LATER)
    assert (nothing.known_seconds, nothing.uptime_percent) == (0, None)


def test_maintenance_is_left_out_and_reported(ipas):
    m = monitor(ipas)
    change(m, MARCH - H, "up", "unknown")
    change(m, local(10, 10), "down")
    change(m, local(10, 12, 15), "up", "down")
    window(ipas, local(10, 11), local(10, 13))  # 1 h of the outage, 1 h of up time
    window(ipas, local(10, 12, 30), local(10, 13, 30))  # overlaps the first
    figures = uptime.monthly(monitor_id=m.pk, year=2026, month=3, tz=WIB, now=LATER)
    assert figures.maintenance_seconds == 150 * 60
    assert figures.down_seconds == 60 * 60
    assert figures.known_seconds == (44640 - 150) * 60
    assert figures.uptime_percent == Decimal((44640 - 150 - 60) * 100) / Decimal(44640 - 150)


def test_the_future_is_cut_at_now(ipas):
    m = monitor(ipas)
    change(m, MARCH - H, "up", "unknown")
    change(m, local(14, 23), "down")
    now = local(15)
    figures = uptime.monthly(monitor_id=m.pk, year=2026, month=3, tz=WIB, now=now)
    assert figures.known_seconds == 14 * 86400
    assert figures.down_seconds == 3600
    future = uptime.monitor_figures(m.pk, local(16), local(17), now=now)
    assert (future.known_seconds, future.down_seconds, future.uptime_percent) == (0, 0, None)


def test_days_are_cut_at_the_agency_midnight(ipas):
    m = monitor(ipas)
    change(m, MARCH - H, "up", "unknown")
    # Down from 23:00 on March 9 to 01:30 on March 10, Jakarta time (16:00-18:30 UTC).
    change(m, local(9, 23), "down")
    change(m, local(10, 1, 30), "up", "down")
    now = local(11, 12)
    days = uptime.daily(monitor_id=m.pk, days=4, tz=WIB, today=dt.date(2026, 3, 11), now=now)
    assert [d for d, _f in days] == [dt.date(2026, 3, n) for n in (8, 9, 10, 11)]
    by_day = {d.day: f for d, f in days}
    assert by_day[8].down_seconds == 0 and by_day[8].uptime_percent == Decimal(100)
    assert by_day[9].down_seconds == 3600
    assert by_day[10].down_seconds == 5400
    assert by_day[10].uptime_percent == Decimal((86400 - 5400) * 100) / Decimal(86400)
    assert by_day[11].known_seconds == 12 * 3600  # cut at now (noon)
    assert by_day[9].start == local(9) and by_day[9].end == local(10)


def test_an_application_is_the_union_of_its_counted_monitors(ipas):
    web = monitor(ipas, name="web")
    api = monitor(ipas, name="api")
    staging = monitor(ipas, name="staging", counts_for_application=False)
    change(web, MARCH - H, "up", "unknown")
    change(api, local(5), "up", "unknown")  # known from March 5 only
    change(staging, MARCH - H, "down", "unknown")  # does not count
    change(web, local(10, 10), "down")
    change(web, local(10, 11), "up", "down")
    change(api, local(10, 10, 30), "down")
    change(api, local(10, 11, 30), "up", "down")
    figures = uptime.monthly(application_id=ipas.pk, year=2026, month=3, tz=WIB, now=LATER)
    assert figures.down_seconds == 90 * 60  # 10:00-11:30, overlaps counted once
    assert figures.known_seconds == 44640 * 60
    only_api = uptime.monthly(monitor_id=api.pk, year=2026, month=3, tz=WIB, now=LATER)
    assert only_api.known_seconds == (44640 - 4 * 1440) * 60
    assert only_api.down_seconds == 60 * 60


def test_down_intervals_of_a_scripted_timeline():
    t = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    changes = [(t + 1 * H, "up"), (t + 2 * H, "down"), (t + 3 * H, "up"), (t + 5 * H, "down")]
    assert uptime.down_intervals(changes, t, t + 6 * H) == [
        (t + 2 * H, t + 3 * H),
        (t + 5 * H, t + 6 * H),
    ]
    # Starting inside an outage: the state of the change before the start applies.
    assert uptime.down_intervals(changes, t + 2.5 * H, t + 4 * H) == [(t + 2.5 * H, t + 3 * H)]
    assert uptime.down_intervals([], t, t + H) == []


def test_figures_from_recorded_checks(ipas):
    """The whole path: checks recorded, changes dated by their streaks, figures from them."""
    m = monitor(ipas, fail_after=3, recover_after=2)
    t = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
    checks = [outcome(m, t + i * MIN, True) for i in range(2)]  # up from t
    checks += [outcome(m, t + (10 + i) * MIN, False) for i in range(3)]  # down from t+10
    checks += [outcome(m, t + (40 + i) * MIN, True) for i in range(2)]  # up from t+40
    for check in checks:
        state.record([check], now=check.at)
    figures = uptime.monitor_figures(m.pk, t, t + H, now=t + 2 * H)
    assert (figures.known_seconds, figures.down_seconds) == (3600, 30 * 60)
