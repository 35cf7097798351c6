"""Working time: the arithmetic behind every due time (pure, no database).

The semantics are in docs/working-time.md. Property tests check the arithmetic against the
rules and against a slow minute-by-minute reference; example tests pin the worked example,
the 2025 and 2026 national lists (SKB 3 Menteri) and the local changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from laksana.engine.timetext import parse_time
from laksana.engine.worktime import (
    DEFAULT_SCHEDULE,
    RAMADAN_SCHEDULE,
    Calendar,
    DayChange,
    ScheduleError,
    SchedulePeriod,
    WeeklySchedule,
    WorkTimeError,
    indonesian_holidays,
    national_calendar,
)

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
CALENDARS = {zone: national_calendar(zone) for zone in ZONES}
JAKARTA = CALENDARS["Asia/Jakarta"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the worked example ---------------------------------------------------------------------


def test_the_worked_example() -> None:
    # 30 minutes on Wednesday until 16:00, 30 more from 07:30 on Thursday.
    due = JAKARTA.due(at("2026-05-06T15:30+07:00"), parse_time("1 jam"))
    assert due.isoformat() == "2026-05-07T08:00:00+07:00"
    assert due.tzinfo == WIB


def test_minute_standards_inside_a_day_and_across_the_break() -> None:
    start = at("2026-05-06T09:00+07:00")
    assert JAKARTA.due(start, parse_time("15 menit")) == at("2026-05-06T09:15+07:00")
    assert JAKARTA.due(start, parse_time("±1-2 Jam")) == at("2026-05-06T11:00+07:00")
    assert JAKARTA.due(start, parse_time("4 jam")) == at("2026-05-06T14:00+07:00")
    assert JAKARTA.due(start, parse_time("1,5 jam")) == at("2026-05-06T10:30+07:00")
    # Ending exactly when the break starts, or at closing, is on time, not the next morning.
    assert JAKARTA.add_working_minutes(start, 180) == at("2026-05-06T12:00+07:00")
    assert JAKARTA.add_working_minutes(start, 360) == at("2026-05-06T16:00+07:00")


def test_a_start_outside_working_time_counts_from_the_next_working_moment() -> None:
    assert JAKARTA.due(at("2026-05-06T12:10+07:00"), parse_time("15 menit")) == at(
        "2026-05-06T13:15+07:00"
    )
    assert JAKARTA.due(at("2026-05-06T05:00+07:00"), parse_time("1 jam")) == at(
        "2026-05-06T08:30+07:00"
    )
    # Friday evening -> Monday morning.
    assert JAKARTA.due(at("2026-05-08T18:00+07:00"), parse_time("1 jam")) == at(
        "2026-05-11T08:30+07:00"
    )


def test_seconds_are_kept() -> None:
    start = at("2026-05-06T09:00:30.250000+07:00")
    due = JAKARTA.add_working_minutes(start, 60)
    assert due == at("2026-05-06T10:00:30.250000+07:00")
    assert JAKARTA.working_minutes_between(start, due) == 60


def test_across_the_new_year() -> None:
    # 31 Dec 2025 is a Wednesday; 1 Jan 2026 is a holiday.
    assert JAKARTA.due(at("2025-12-31T15:30+07:00"), parse_time("1 jam")) == at(
        "2026-01-02T08:00+07:00"
    )
    assert JAKARTA.due(at("2025-12-30T10:00+07:00"), parse_time("2 hari")) == at(
        "2026-01-02T10:00+07:00"
    )


# --- day standards ---------------------------------------------------------------------------


def test_day_standards_land_at_the_same_clock_time() -> None:
    start = at("2026-05-06T15:30+07:00")  # Wednesday
    assert JAKARTA.due(start, parse_time("1 Hari kerja")) == at("2026-05-07T15:30+07:00")
    assert JAKARTA.due(start, parse_time("±3 Hari")) == at("2026-05-11T15:30+07:00")
    assert JAKARTA.due(start, parse_time("3x24 jam")) == at("2026-05-11T15:30+07:00")
    # 2 weeks = 10 working days; 14 May (Ascension) and 15 May (cuti bersama) are skipped.
    assert JAKARTA.due(start, parse_time("2 minggu")) == at("2026-05-22T15:30+07:00")


def test_day_standards_skip_holidays_and_cuti_bersama() -> None:
    # Lebaran 2025: Nyepi cuti bersama 28 Mar .. Idul Fitri cuti bersama 7 Apr.
    assert JAKARTA.due(at("2025-03-27T10:00+07:00"), parse_time("1 hari")) == at(
        "2025-04-08T10:00+07:00"
    )


def test_day_standards_move_to_closing_time_on_a_day_that_closes_earlier() -> None:
    # Friday closes at 16:30, Monday at 16:00.
    assert JAKARTA.due(at("2026-05-08T16:15+07:00"), parse_time("1 hari")) == at(
        "2026-05-11T16:00+07:00"
    )
    short_friday = Calendar(
        schedule=WeeklySchedule.parse("mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:00"),
        holidays=None,
    )
    assert short_friday.due(at("2026-05-07T15:00+07:00"), parse_time("1 hari")) == at(
        "2026-05-08T11:00+07:00"
    )


def test_day_standards_move_out_of_a_break_and_to_the_opening() -> None:
    # Thursday 11:45 is working time; on Friday it is in the 11:30-13:00 break.
    assert JAKARTA.due(at("2026-05-07T11:45+07:00"), parse_time("1 hari")) == at(
        "2026-05-08T13:00+07:00"
    )
    # Before a later opening (Ramadan opens at 08:00) the clock moves to the opening.
    ramadan = national_calendar(
        periods=[SchedulePeriod(date(2026, 2, 19), date(2026, 3, 19), RAMADAN_SCHEDULE)]
    )
    assert ramadan.due(at("2026-02-18T07:45+07:00"), parse_time("1 hari")) == at(
        "2026-02-19T08:00+07:00"
    )


def test_a_day_standard_from_outside_working_time_starts_at_the_next_opening() -> None:
    # Saturday -> Monday 07:30 is the start; one working day later is Tuesday 07:30.
    assert JAKARTA.due(at("2026-05-09T10:00+07:00"), parse_time("1 hari")) == at(
        "2026-05-12T07:30+07:00"
    )


# --- moments ----------------------------------------------------------------------------------


def test_is_working_and_next_working_moment() -> None:
    assert JAKARTA.is_working(at("2026-05-06T07:30+07:00"))
    assert JAKARTA.is_working(at("2026-05-06T11:59:59+07:00"))
    assert not JAKARTA.is_working(at("2026-05-06T12:00+07:00"))
    assert not JAKARTA.is_working(at("2026-05-06T16:00+07:00"))
    assert not JAKARTA.is_working(at("2026-05-14T09:00+07:00"))  # Ascension
    assert JAKARTA.next_working_moment(at("2026-05-06T12:30+07:00")) == at("2026-05-06T13:00+07:00")
    moment = at("2026-05-06T09:10:11+07:00")
    assert JAKARTA.next_working_moment(moment) == moment
    assert JAKARTA.next_working_moment(at("2026-05-13T16:00+07:00")) == at("2026-05-18T07:30+07:00")


def test_working_minutes_between() -> None:
    a = at("2026-05-06T15:30+07:00")
    assert JAKARTA.working_minutes_between(a, at("2026-05-07T08:00+07:00")) == 60
    assert JAKARTA.working_minutes_between(at("2026-05-07T08:00+07:00"), a) == -60
    # A whole default week is 37.5 hours.
    assert (
        JAKARTA.working_minutes_between(at("2026-05-04T00:00+07:00"), at("2026-05-11T00:00+07:00"))
        == 37.5 * 60
    )
    # Across the year end: 31 Dec 2025 afternoon + 2 Jan 2026 morning.
    assert (
        JAKARTA.working_minutes_between(at("2025-12-31T15:00+07:00"), at("2026-01-02T08:30+07:00"))
        == 120
    )


def test_zero_and_negative_durations() -> None:
    start = at("2026-05-06T12:30+07:00")
    assert JAKARTA.add_working_minutes(start, 0) == at("2026-05-06T13:00+07:00")
    assert JAKARTA.add_working_days(start, 0) == at("2026-05-06T13:00+07:00")
    with pytest.raises(WorkTimeError, match="negative"):
        JAKARTA.add_working_minutes(start, -5)
    with pytest.raises(WorkTimeError, match="negative"):
        JAKARTA.add_working_days(start, -1)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 5, 6, 15, 30)
    for call in (
        lambda: JAKARTA.due(naive, parse_time("1 jam")),
        lambda: JAKARTA.is_working(naive),
        lambda: JAKARTA.next_working_moment(naive),
        lambda: JAKARTA.add_working_days(naive, 1),
        lambda: JAKARTA.working_minutes_between(naive, naive),
    ):
        with pytest.raises(WorkTimeError, match="no time zone"):
            call()


# --- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "start", "due"),
    [
        ("Asia/Jakarta", "2026-05-06T15:30+07:00", "2026-05-07T08:00:00+07:00"),
        ("Asia/Makassar", "2026-05-06T15:30+08:00", "2026-05-07T08:00:00+08:00"),
        ("Asia/Jayapura", "2026-05-06T15:30+09:00", "2026-05-07T08:00:00+09:00"),
        # The same instant written in WIB is 15:30 local in WITA and 16:30 (closed) in WIT.
        ("Asia/Makassar", "2026-05-06T14:30+07:00", "2026-05-07T08:00:00+08:00"),
        ("Asia/Jayapura", "2026-05-06T14:30+07:00", "2026-05-07T08:30:00+09:00"),
        ("WIT", "2026-05-06T06:30+00:00", "2026-05-07T08:00:00+09:00"),
    ],
)
def test_the_three_time_zones(zone: str, start: str, due: str) -> None:
    assert national_calendar(zone).due(at(start), parse_time("1 jam")).isoformat() == due


def test_unknown_zones_are_refused() -> None:
    with pytest.raises(WorkTimeError, match="unknown time zone 'Asia/Bandung'"):
        Calendar("Asia/Bandung")


# --- national holidays and cuti bersama (SKB 3 Menteri) ------------------------------------

# SKB 1017/2/2 of 2024, as changed by SKB 933/1/3 of 2025 (18 August added).
HOLIDAYS_2025 = {
    date(2025, 1, 1): "Tahun Baru Masehi",
    date(2025, 1, 27): "Isra Mikraj Nabi Muhammad",
    date(2025, 1, 29): "Tahun Baru Imlek",
    date(2025, 3, 29): "Hari Suci Nyepi",
    date(2025, 3, 31): "Hari Raya Idul Fitri",
    date(2025, 4, 1): "Hari kedua dari Hari Raya Idul Fitri",
    date(2025, 4, 18): "Wafat Yesus Kristus",
    date(2025, 4, 20): "Kebangkitan Yesus Kristus",
    date(2025, 5, 1): "Hari Buruh Internasional",
    date(2025, 5, 12): "Hari Raya Waisak",
    date(2025, 5, 29): "Kenaikan Yesus Kristus",
    date(2025, 6, 1): "Hari Lahir Pancasila",
    date(2025, 6, 6): "Hari Raya Idul Adha",
    date(2025, 6, 27): "Tahun Baru Islam",
    date(2025, 8, 17): "Hari Kemerdekaan Republik Indonesia",
    date(2025, 9, 5): "Maulid Nabi Muhammad",
    date(2025, 12, 25): "Hari Raya Natal",
}
CUTI_BERSAMA_2025 = {
    date(2025, 1, 28): "Cuti Bersama Tahun Baru Imlek",
    date(2025, 3, 28): "Cuti Bersama Hari Suci Nyepi",
    date(2025, 4, 2): "Cuti Bersama Hari Raya Idul Fitri",
    date(2025, 4, 3): "Cuti Bersama Hari Raya Idul Fitri",
    date(2025, 4, 4): "Cuti Bersama Hari Raya Idul Fitri",
    date(2025, 4, 7): "Cuti Bersama Hari Raya Idul Fitri",
    date(2025, 5, 13): "Cuti Bersama Hari Raya Waisak",
    date(2025, 5, 30): "Cuti Bersama Kenaikan Yesus Kristus",
    date(2025, 6, 9): "Cuti Bersama Hari Raya Idul Adha",
    date(2025, 8, 18): "Cuti Bersama Hari Kemerdekaan Republik Indonesia",
    date(2025, 12, 26): "Cuti Bersama Hari Raya Natal",
}
# SKB 1497/2/5 of 2025: 17 national holidays and 8 days of cuti bersama.
HOLIDAYS_2026 = {
    date(2026, 1, 1): "Tahun Baru Masehi",
    date(2026, 1, 16): "Isra Mikraj Nabi Muhammad",
    date(2026, 2, 17): "Tahun Baru Imlek",
    date(2026, 3, 19): "Hari Suci Nyepi",
    date(2026, 3, 21): "Hari Raya Idul Fitri",
    date(2026, 3, 22): "Hari kedua dari Hari Raya Idul Fitri",
    date(2026, 4, 3): "Wafat Yesus Kristus",
    date(2026, 4, 5): "Kebangkitan Yesus Kristus",
    date(2026, 5, 1): "Hari Buruh Internasional",
    date(2026, 5, 14): "Kenaikan Yesus Kristus",
    date(2026, 5, 27): "Hari Raya Idul Adha",
    date(2026, 5, 31): "Hari Raya Waisak",
    date(2026, 6, 1): "Hari Lahir Pancasila",
    date(2026, 6, 16): "Tahun Baru Islam",
    date(2026, 8, 17): "Hari Kemerdekaan Republik Indonesia",
    date(2026, 8, 25): "Maulid Nabi Muhammad",
    date(2026, 12, 25): "Hari Raya Natal",
}
CUTI_BERSAMA_2026 = {
    date(2026, 2, 16): "Cuti Bersama Tahun Baru Imlek",
    date(2026, 3, 18): "Cuti Bersama Hari Suci Nyepi",
    date(2026, 3, 20): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 3, 23): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 3, 24): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 5, 15): "Cuti Bersama Kenaikan Yesus Kristus",
    date(2026, 5, 28): "Cuti Bersama Hari Raya Idul Adha",
    date(2026, 12, 24): "Cuti Bersama Hari Raya Natal",
}


@pytest.mark.parametrize(
    ("year", "holidays", "cuti_bersama"),
    [(2025, HOLIDAYS_2025, CUTI_BERSAMA_2025), (2026, HOLIDAYS_2026, CUTI_BERSAMA_2026)],
)
def test_the_national_lists_match_the_decrees(
    year: int, holidays: dict[date, str], cuti_bersama: dict[date, str]
) -> None:
    assert len(holidays) == 17
    assert dict(JAKARTA.non_working_days(year)) == {**holidays, **cuti_bersama}
    assert dict(indonesian_holidays(year)) == {**holidays, **cuti_bersama}
    for day in cuti_bersama:
        assert not JAKARTA.is_working_day(day)


def test_non_working_days_are_sorted_and_the_same_in_every_zone() -> None:
    days = JAKARTA.non_working_days(2026)
    assert days == sorted(days)
    assert days[0] == (date(2026, 1, 1), "Tahun Baru Masehi")
    assert CALENDARS["Asia/Jayapura"].non_working_days(2026) == days


# --- local changes ----------------------------------------------------------------------------


def test_a_closure() -> None:
    closed = JAKARTA.with_closure(date(2026, 5, 7), "Penutupan kantor (pemadaman listrik)")
    assert closed.non_working_day(date(2026, 5, 7)) == "Penutupan kantor (pemadaman listrik)"
    assert (date(2026, 5, 7), "Penutupan kantor (pemadaman listrik)") in closed.non_working_days(
        2026
    )
    assert closed.due(at("2026-05-06T15:30+07:00"), parse_time("1 jam")) == at(
        "2026-05-08T08:00+07:00"
    )
    # The original calendar is unchanged.
    assert JAKARTA.non_working_day(date(2026, 5, 7)) is None
    with pytest.raises(WorkTimeError, match="needs a name"):
        JAKARTA.with_closure(date(2026, 5, 7), " ")


def test_a_removed_cuti_bersama() -> None:
    start = at("2026-12-23T15:30+07:00")
    # 24 Dec cuti bersama, 25 Dec Christmas, then the weekend.
    assert JAKARTA.due(start, parse_time("1 jam")) == at("2026-12-28T08:00+07:00")
    working = JAKARTA.without_non_working_day(date(2026, 12, 24))
    assert working.non_working_day(date(2026, 12, 24)) is None
    assert working.due(start, parse_time("1 jam")) == at("2026-12-24T08:00+07:00")
    assert len(working.non_working_days(2026)) == len(JAKARTA.non_working_days(2026)) - 1
    with pytest.raises(WorkTimeError, match="not a non-working day"):
        JAKARTA.without_non_working_day(date(2026, 12, 23))


def test_a_moved_day() -> None:
    moved = JAKARTA.with_moved_non_working_day(date(2026, 5, 15), date(2026, 5, 13))
    assert moved.non_working_day(date(2026, 5, 15)) is None
    assert moved.non_working_day(date(2026, 5, 13)) == "Cuti Bersama Kenaikan Yesus Kristus"
    # Tuesday 12 May 15:30 + 1 jam: 13 May is now off, 14 May a holiday, 15 May worked.
    assert moved.due(at("2026-05-12T15:30+07:00"), parse_time("1 jam")) == at(
        "2026-05-15T08:00+07:00"
    )
    assert JAKARTA.due(at("2026-05-12T15:30+07:00"), parse_time("1 jam")) == at(
        "2026-05-13T08:00+07:00"
    )
    renamed = JAKARTA.with_moved_non_working_day(
        date(2026, 5, 15), date(2026, 5, 18), name="Cuti bersama (digeser)"
    )
    assert renamed.non_working_day(date(2026, 5, 18)) == "Cuti bersama (digeser)"


def test_changes_are_applied_in_order() -> None:
    day = date(2026, 6, 2)
    calendar = national_calendar(
        changes=[DayChange(day, True, "Rapat kerja"), DayChange(day, False)]
    )
    assert calendar.non_working_day(day) is None
    assert calendar.with_changes(DayChange(day, True, "Lagi")).non_working_day(day) == "Lagi"


# --- Ramadan and other schedules -------------------------------------------------------------

RAMADAN_1447 = SchedulePeriod(date(2026, 2, 19), date(2026, 3, 19), RAMADAN_SCHEDULE, "Ramadan")


def test_ramadan_schedule_period() -> None:
    ramadan = national_calendar(periods=[RAMADAN_1447])
    monday = date(2026, 2, 23)
    assert ramadan.schedule_for(monday) is RAMADAN_SCHEDULE
    assert ramadan.working_intervals(monday) == (
        (time(8, 0), time(12, 0)),
        (time(12, 30), time(15, 0)),
    )
    start = at("2026-02-23T14:30+07:00")
    assert ramadan.due(start, parse_time("1 jam")) == at("2026-02-24T08:30+07:00")
    assert JAKARTA.due(start, parse_time("1 jam")) == at("2026-02-23T15:30+07:00")
    # A day standard from before Ramadan lands at Ramadan's earlier closing.
    assert ramadan.due(at("2026-02-18T15:45+07:00"), parse_time("1 hari")) == at(
        "2026-02-19T15:00+07:00"
    )
    # Friday in Ramadan: 08:00-11:30, 12:30-15:30; the Friday after is normal again.
    assert ramadan.due(at("2026-03-13T15:00+07:00"), parse_time("1 jam")) == at(
        "2026-03-16T08:30+07:00"
    )
    assert ramadan.schedule_for(date(2026, 3, 27)) is DEFAULT_SCHEDULE
    assert RAMADAN_SCHEDULE.weekly_minutes == 32.5 * 60
    assert DEFAULT_SCHEDULE.weekly_minutes == 37.5 * 60


def test_overlapping_or_backwards_periods_are_refused() -> None:
    with pytest.raises(WorkTimeError, match="overlap"):
        national_calendar(
            periods=[
                RAMADAN_1447,
                SchedulePeriod(date(2026, 3, 1), date(2026, 3, 31), DEFAULT_SCHEDULE),
            ]
        )
    with pytest.raises(WorkTimeError, match="ends before it starts"):
        SchedulePeriod(date(2026, 3, 2), date(2026, 3, 1), DEFAULT_SCHEDULE)


def test_a_working_saturday_through_a_one_day_period() -> None:
    saturday = date(2026, 5, 9)
    calendar = national_calendar(
        periods=[SchedulePeriod(saturday, saturday, WeeklySchedule.parse("sat 08:00-12:00"))]
    )
    assert calendar.due(at("2026-05-08T16:00+07:00"), parse_time("1 jam")) == at(
        "2026-05-09T08:30+07:00"
    )


def test_schedule_text_form() -> None:
    text = "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:00-16:30"
    assert WeeklySchedule.parse(text) == DEFAULT_SCHEDULE
    assert DEFAULT_SCHEDULE.to_text() == text
    assert WeeklySchedule.parse(RAMADAN_SCHEDULE.to_text()) == RAMADAN_SCHEDULE
    indonesian = WeeklySchedule.parse(
        "senin-kamis 07.30-12.00, 13.00-16.00; jumat 07.30-11.30,13.00-16.30"
    )
    assert indonesian == DEFAULT_SCHEDULE
    assert DEFAULT_SCHEDULE.intervals(4) == (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(16, 30)),
    )
    assert DEFAULT_SCHEDULE.intervals(5) == ()
    listed = WeeklySchedule.parse("mon,wed 08:00-10:00,10:00-12:00")
    assert listed.day_minutes(0) == ((480, 720),)  # touching intervals merge
    assert listed.day_minutes(1) == ()
    assert WeeklySchedule(DEFAULT_SCHEDULE.days) == DEFAULT_SCHEDULE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty schedule"),
        ("mon-thu", "write the days, a space and the intervals"),
        ("mon-thu 07:30-12:00; mon 13:00-14:00", "Senin is given twice"),
        ("fun 07:30-12:00", "unknown day 'fun'"),
        ("fri-mon 07:30-12:00", "runs backwards"),
        ("mon 07:30", "cannot read the interval '07:30'"),
        ("mon 7h30-12:00", "cannot read the time '7h30'"),
        ("mon 07:30-25:00", "is not a time of day"),
        ("mon 12:00-07:30", "must end after it starts"),
        ("mon 07:30-12:00,11:00-13:00", "overlap"),
    ],
)
def test_schedule_errors_name_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        WeeklySchedule.parse(text)


def test_a_calendar_without_working_time_fails_clearly() -> None:
    with pytest.raises(WorkTimeError, match="no working time found"):
        Calendar(schedule=WeeklySchedule([[] for _ in range(7)]), holidays=None).due(
            at("2026-05-06T15:30+07:00"), parse_time("1 jam")
        )
    with pytest.raises(ScheduleError, match="7 days"):
        WeeklySchedule([[]])


def test_holidays_are_computed_lazily_per_year() -> None:
    asked: list[int] = []

    def source(year: int) -> dict[date, str]:
        asked.append(year)
        return {date(year, 5, 6): "Hari uji"}

    calendar = Calendar(holidays=source)
    calendar.due(at("2026-05-05T15:30+07:00"), parse_time("1 jam"))
    calendar.due(at("2026-05-05T10:00+07:00"), parse_time("3 hari"))
    assert asked == [2026]
    assert calendar.non_working_days(2026) == [(date(2026, 5, 6), "Hari uji")]


# --- properties ---------------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2026, 12, 15),
    timezones=st.sampled_from([WIB, WITA, WIT, ZoneInfo("UTC")]),
)
zones = st.sampled_from(ZONES)
minute_counts = st.integers(min_value=1, max_value=60 * 7 * 30)
day_counts = st.integers(min_value=1, max_value=60)


def assert_in_working_time(calendar: Calendar, moment: datetime) -> None:
    """On a working day, inside or at an end of one of its intervals: never a weekend, a
    holiday, cuti bersama, a break or after closing."""
    local = moment.astimezone(calendar.tz)
    assert moment.tzinfo == calendar.tz
    day = local.date()
    assert day.weekday() < 5, moment
    assert calendar.non_working_day(day) is None, moment
    clock = local.time()
    intervals = calendar.schedule.intervals(day.weekday())
    assert any(a <= clock <= b for a, b in intervals), moment


@settings(max_examples=300, deadline=None)
@given(start=starts, zone=zones, minutes=minute_counts)
def test_minute_due_times_are_in_working_time_and_measure_back(
    start: datetime, zone: str, minutes: int
) -> None:
    calendar = CALENDARS[zone]
    due = calendar.add_working_minutes(start, minutes)
    assert_in_working_time(calendar, due)
    assert calendar.working_minutes_between(start, due) == minutes
    assert due > start


@settings(max_examples=300, deadline=None)
@given(start=starts, zone=zones, hours=st.integers(min_value=1, max_value=200))
def test_hour_standards_measure_back(start: datetime, zone: str, hours: int) -> None:
    calendar = CALENDARS[zone]
    due = calendar.due(start, parse_time(f"{hours} jam"))
    assert_in_working_time(calendar, due)
    assert calendar.working_minutes_between(start, due) == hours * 60


@settings(max_examples=300, deadline=None)
@given(start=starts, zone=zones, first=minute_counts, second=minute_counts)
def test_adding_in_two_parts_equals_adding_at_once(
    start: datetime, zone: str, first: int, second: int
) -> None:
    calendar = CALENDARS[zone]
    once = calendar.add_working_minutes(start, first + second)
    assert calendar.add_working_minutes(calendar.add_working_minutes(start, first), second) == once


@settings(max_examples=300, deadline=None)
@given(start=starts, zone=zones, a=minute_counts, b=minute_counts, da=day_counts, db=day_counts)
def test_due_times_are_monotonic_in_the_duration(
    start: datetime, zone: str, a: int, b: int, da: int, db: int
) -> None:
    calendar = CALENDARS[zone]
    low, high = sorted((a, b))
    assert calendar.add_working_minutes(start, low) <= calendar.add_working_minutes(start, high)
    low, high = sorted((da, db))
    assert calendar.add_working_days(start, low) <= calendar.add_working_days(start, high)


@settings(max_examples=300, deadline=None)
@given(start=starts, zone=zones, days=day_counts)
def test_day_due_times_keep_the_clock_on_the_nth_working_day(
    start: datetime, zone: str, days: int
) -> None:
    calendar = CALENDARS[zone]
    due = calendar.due(start, parse_time(f"{days} hari"))
    assert_in_working_time(calendar, due)
    begin = calendar.next_working_moment(start)
    # Exactly `days` working days after the start's (next working) day, the last being due's.
    counted = [
        begin.date() + timedelta(days=n)
        for n in range(1, (due.date() - begin.date()).days + 1)
        if calendar.is_working_day(begin.date() + timedelta(days=n))
    ]
    assert len(counted) == days
    assert counted[-1] == due.date()
    # The clock is kept, or moved only as far as the day's schedule requires.
    clock = begin.time()
    intervals = calendar.working_intervals(due.date())
    if any(a <= clock <= b for a, b in intervals):
        assert due.time() == clock
    elif clock > intervals[-1][1]:
        assert due.time() == intervals[-1][1]
    else:
        assert due.time() == min(a for a, _ in intervals if a > clock)


def reference_add(calendar: Calendar, start: datetime, minutes: int) -> datetime:
    """Minute by minute, from the schedule and the list of non-working days only."""
    t = start.astimezone(calendar.tz)
    count = 0
    while True:
        day = t.date()
        if calendar.non_working_day(day) is not None:
            t = datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.tz)
            continue
        spans = calendar.schedule_for(day).day_minutes(day.weekday())
        m = t.hour * 60 + t.minute
        if any(a <= m < b for a, b in spans):
            count += 1
            if count == minutes:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=starts, zone=zones, minutes=st.integers(min_value=1, max_value=900), ramadan=st.booleans()
)
def test_agrees_with_a_minute_by_minute_reference(
    start: datetime, zone: str, minutes: int, ramadan: bool
) -> None:
    start = start.replace(second=0, microsecond=0)
    calendar = CALENDARS[zone]
    if ramadan:
        calendar = national_calendar(zone, periods=[RAMADAN_1447])
    assume(start.astimezone(calendar.tz).second == 0)
    assert calendar.add_working_minutes(start, minutes) == reference_add(calendar, start, minutes)
