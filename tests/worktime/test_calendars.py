"""Agencies' working calendars: the services that change them (each change journaled, bad
input refused with a message naming what is wrong) and ``calendar_for`` with its cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone, translation

from laksana.engine.timetext import parse_time
from laksana.engine.worktime import DEFAULT_SCHEDULE, RAMADAN_SCHEDULE
from laksana.org.models import RoleKind
from laksana.org.roles import grant
from laksana.worktime import services
from laksana.worktime.models import (
    CalendarAction,
    CalendarChange,
    CalendarDayChange,
    CalendarPeriod,
    WorkCalendar,
)
from laksana.worktime.services import CalendarError, calendar_for

pytestmark = pytest.mark.django_db

D = dt.date


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def staff(bali):
    """The Kabid of Diskominfos Bali as an agency administrator (a product role, not
    ``is_staff``): manages Bali's calendar."""
    grant(bali["kabid"], RoleKind.AGENCY_ADMIN)
    return bali["kabid"].user


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def changes(agency) -> list[CalendarChange]:
    return list(CalendarChange.objects.filter(calendar__agency=agency).order_by("id"))


# --- the default ---------------------------------------------------------------------------------


def test_an_agency_without_settings_works_the_national_calendar_in_its_zone(bali, djki):
    calendar = calendar_for(bali.agency)
    assert calendar.zone == "Asia/Makassar"
    assert calendar.schedule == DEFAULT_SCHEDULE
    assert calendar.non_working_day(D(2026, 2, 16)) == "Cuti Bersama Tahun Baru Imlek"
    assert calendar_for(djki.agency).zone == "Asia/Jakarta"
    assert not WorkCalendar.objects.exists()  # reading creates nothing


# --- the weekly schedule ---------------------------------------------------------------------


def test_a_schedule_change_is_journaled_and_seen_at_once(bali, staff):
    before = calendar_for(bali.agency)
    assert calendar_for(bali.agency) is before  # cached
    services.set_schedule(
        bali.agency,
        "senin-kamis 08:00-12:00,13:00-16:00; jumat 08:00-11:00,13:30-16:30",
        by=staff,
        now=at("2026-01-05T09:00+08:00"),
    )
    after = calendar_for(bali.agency)
    assert after is not before
    assert (
        after.schedule.to_text() == "mon-thu 08:00-12:00,13:00-16:00; fri 08:00-11:00,13:30-16:30"
    )
    assert after.due(at("2026-05-06T07:45+08:00"), parse_time("1 jam")) == at(
        "2026-05-06T09:00+08:00"
    )
    [change] = changes(bali.agency)
    assert change.action == CalendarAction.SCHEDULE
    assert change.user == staff and change.actor_name == "Ni Luh Putu Ariani"
    assert change.at == at("2026-01-05T09:00+08:00")
    assert change.before == {"schedule": DEFAULT_SCHEDULE.to_text()}
    assert change.after == {"schedule": after.schedule.to_text()}
    assert WorkCalendar.objects.get(agency=bali.agency).version == 1
    # Saving the same schedule again (written differently) changes nothing.
    services.set_schedule(
        bali.agency, "mon-thu 08:00-12:00,13:00-16:00; fri 08:00-11:00,13:30-16:30", by=staff
    )
    assert len(changes(bali.agency)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the working hours"),
        ("senin-jumat 07:30-16:00; senin 08:00-09:00", "Senin is given twice"),
        ("mon-fri 07:30-12:00,11:00-13:00", "the intervals 07:30-12:00 and 11:00-13:00 overlap"),
        ("mon-fri 7:30-16", "cannot read the time '16'"),
        ("moon 07:30-16:00", "unknown day 'moon'"),
        ("mon-fri 16:00-07:30", "must end after it starts"),
    ],
)
def test_a_bad_schedule_is_refused_naming_what_is_wrong(bali, staff, text, message):
    with pytest.raises(CalendarError) as exc:
        services.set_schedule(bali.agency, text, by=staff)
    assert exc.value.field == "schedule"
    assert message in exc.value.message
    assert not CalendarChange.objects.exists()
    assert calendar_for(bali.agency).schedule == DEFAULT_SCHEDULE


def test_time_zone_changes_are_journaled_and_used(bali, staff):
    services.set_time_zone(bali.agency, "Asia/Jayapura", by=staff)
    bali.agency.refresh_from_db()
    assert bali.agency.time_zone == "Asia/Jayapura"
    assert calendar_for(bali.agency).zone == "Asia/Jayapura"
    [change] = changes(bali.agency)
    assert (change.action, change.before, change.after) == (
        CalendarAction.TIME_ZONE,
        {"time_zone": "Asia/Makassar"},
        {"time_zone": "Asia/Jayapura"},
    )
    with pytest.raises(CalendarError) as exc:
        services.set_time_zone(bali.agency, "Europe/Paris", by=staff)
    assert exc.value.field == "time_zone" and "WITA (UTC+8)" in exc.value.message


# --- periods -------------------------------------------------------------------------------------


def test_a_ramadan_period_follows_its_own_schedule(bali, staff):
    period = services.add_period(
        bali.agency,
        "Ramadan 1447 H",
        D(2026, 2, 19),
        D(2026, 3, 19),
        RAMADAN_SCHEDULE.to_text(),
        by=staff,
    )
    calendar = calendar_for(bali.agency)
    assert calendar.schedule_for(D(2026, 3, 2)) == RAMADAN_SCHEDULE
    assert calendar.schedule_for(D(2026, 3, 20)) == DEFAULT_SCHEDULE
    # In Ramadan a day closes at 15:00: "1 jam" from 14:30 ends at 08:30 the next day.
    assert calendar.due(at("2026-03-02T14:30+08:00"), parse_time("1 jam")) == at(
        "2026-03-03T08:30+08:00"
    )
    [change] = changes(bali.agency)
    assert change.action == CalendarAction.PERIOD_ADDED and change.before is None
    assert change.after == {
        "name": "Ramadan 1447 H",
        "start": "2026-02-19",
        "end": "2026-03-19",
        "schedule": RAMADAN_SCHEDULE.to_text(),
    }
    with pytest.raises(CalendarError) as exc:
        services.add_period(
            bali.agency, "Kerja Sabtu", D(2026, 3, 14), D(2026, 3, 14), "sat 08:00-12:00", by=staff
        )
    assert exc.value.field == "start" and "overlaps Ramadan 1447 H" in exc.value.message
    with pytest.raises(CalendarError) as exc:
        services.add_period(bali.agency, "Salah", D(2026, 5, 2), D(2026, 5, 1), "sat 08:00-12:00")
    assert exc.value.field == "end"
    with pytest.raises(CalendarError) as exc:
        services.add_period(bali.agency, " ", D(2026, 5, 2), D(2026, 5, 2), "sat 08:00-12:00")
    assert exc.value.field == "name"
    with pytest.raises(CalendarError) as exc:
        services.add_period(bali.agency, "Sabtu", D(2026, 5, 2), D(2026, 5, 2), "sat 08:00")
    assert exc.value.field == "schedule" and "cannot read the interval" in exc.value.message
    # A one-day period makes a Saturday a working day.
    services.add_period(bali.agency, "Kerja Sabtu", D(2026, 5, 2), D(2026, 5, 2), "sat 08:00-12:00")
    assert calendar_for(bali.agency).is_working_day(D(2026, 5, 2))
    services.remove_period(bali.agency, period.pk, by=staff)
    assert calendar_for(bali.agency).schedule_for(D(2026, 3, 2)) == DEFAULT_SCHEDULE
    assert [c.action for c in changes(bali.agency)] == [
        CalendarAction.PERIOD_ADDED,
        CalendarAction.PERIOD_ADDED,
        CalendarAction.PERIOD_REMOVED,
    ]
    assert changes(bali.agency)[-1].before["name"] == "Ramadan 1447 H"
    assert CalendarPeriod.objects.count() == 1


# --- day changes ---------------------------------------------------------------------------------


def test_a_closure_makes_a_working_day_a_named_day_off(bali, staff):
    services.add_closure(bali.agency, D(2026, 5, 20), "Hari Jadi Provinsi", by=staff)
    calendar = calendar_for(bali.agency)
    assert calendar.non_working_day(D(2026, 5, 20)) == "Hari Jadi Provinsi"
    days = services.non_working_days(bali.agency, 2026)
    local = [d for d in days if d.local]
    assert [(d.day, d.name) for d in local] == [(D(2026, 5, 20), "Hari Jadi Provinsi")]
    assert len(days) == len(calendar.non_working_days(2026))
    with pytest.raises(CalendarError) as exc:
        services.add_closure(bali.agency, D(2026, 2, 17), "Tutup", by=staff)
    assert exc.value.field == "day"
    assert "already a day off: Tahun Baru Imlek" in exc.value.message
    with pytest.raises(CalendarError) as exc:
        services.add_closure(bali.agency, D(2026, 5, 23), "Tutup", by=staff)  # a Saturday
    assert "is not a working day" in exc.value.message
    with pytest.raises(CalendarError) as exc:
        services.add_closure(bali.agency, D(2026, 5, 21), "  ", by=staff)
    assert exc.value.field == "name"
    assert len(changes(bali.agency)) == 1


def test_working_on_a_national_day_off_and_undoing_it(bali, staff):
    change = services.work_on_day_off(bali.agency, D(2026, 2, 16), by=staff)
    assert change.name == "Cuti Bersama Tahun Baru Imlek"
    calendar = calendar_for(bali.agency)
    assert calendar.non_working_day(D(2026, 2, 16)) is None
    assert calendar.is_working_day(D(2026, 2, 16))
    with pytest.raises(CalendarError) as exc:
        services.work_on_day_off(bali.agency, D(2026, 2, 18), by=staff)
    assert "is not a day off" in exc.value.message
    services.remove_day_change(bali.agency, change.pk, by=staff)
    assert calendar_for(bali.agency).non_working_day(D(2026, 2, 16)) == (
        "Cuti Bersama Tahun Baru Imlek"
    )
    journal = changes(bali.agency)
    assert [c.action for c in journal] == [
        CalendarAction.DAY_CHANGE_ADDED,
        CalendarAction.DAY_CHANGE_REMOVED,
    ]
    assert journal[0].after == {
        "kind": "removed",
        "day": "2026-02-16",
        "target": None,
        "name": "Cuti Bersama Tahun Baru Imlek",
    }
    assert journal[1].before == journal[0].after and journal[1].after is None


def test_moving_a_day_off_after_the_isbat(bali, staff):
    # Idul Adha 2026 is estimated for Wednesday 27 May; say the isbat puts it on the 28th.
    calendar = calendar_for(bali.agency)
    name = calendar.non_working_day(D(2026, 5, 27))
    assert name is not None
    services.move_day_off(bali.agency, D(2026, 5, 27), D(2026, 5, 29), by=staff)
    moved = calendar_for(bali.agency)
    assert moved.non_working_day(D(2026, 5, 27)) is None
    assert moved.non_working_day(D(2026, 5, 29)) == name
    with pytest.raises(CalendarError) as exc:
        services.move_day_off(bali.agency, D(2026, 5, 27), D(2026, 5, 26), by=staff)
    assert exc.value.field == "day"
    with pytest.raises(CalendarError) as exc:
        services.move_day_off(bali.agency, D(2026, 6, 1), D(2026, 1, 1), by=staff)
    assert exc.value.field == "target" and "already a day off" in exc.value.message
    with pytest.raises(CalendarError) as exc:
        services.move_day_off(bali.agency, D(2026, 6, 1), D(2026, 6, 1), by=staff)
    assert exc.value.field == "target"
    assert CalendarDayChange.objects.count() == 1


# --- the journal and who may change --------------------------------------------------------------


def test_calendar_changes_are_append_only(bali, staff):
    services.add_closure(bali.agency, D(2026, 5, 20), "Hari Jadi", by=staff)
    [change] = changes(bali.agency)
    change.actor_name = "Someone else"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()
    assert CalendarChange.objects.get().actor_name == "Ni Luh Putu Ariani"


def test_only_administrators_of_the_agency_or_superusers_change_its_calendar(bali, djki, staff):
    with pytest.raises(services.NotAllowed):
        services.add_closure(djki.agency, D(2026, 5, 20), "Tutup", by=staff)
    plain = bali["dev1"].user
    with pytest.raises(services.NotAllowed):
        services.add_closure(bali.agency, D(2026, 5, 20), "Tutup", by=plain)
    # Django's is_staff is no product role: a staff account that administers nothing is refused.
    plain.is_staff = True
    plain.save(update_fields=["is_staff"])
    with pytest.raises(services.NotAllowed):
        services.add_closure(bali.agency, D(2026, 5, 20), "Tutup", by=plain)
    # DJKI's administrator administers DJKI only.
    with pytest.raises(services.NotAllowed):
        services.add_closure(bali.agency, D(2026, 5, 20), "Tutup", by=djki["admindjki"].user)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    services.add_closure(djki.agency, D(2026, 5, 20), "Tutup", by=root)
    assert changes(djki.agency)[0].actor_name == "root"
    assert not changes(bali.agency)


# --- the cache -------------------------------------------------------------------------------


def test_a_change_made_by_another_process_is_seen_through_the_version(bali, staff):
    services.add_closure(bali.agency, D(2026, 5, 20), "Hari Jadi", by=staff)
    cached = calendar_for(bali.agency)
    assert calendar_for(bali.agency) is cached
    # Another process changes the rows and raises the version; this process's cache is
    # stale, and the version says so.
    row = WorkCalendar.objects.get(agency=bali.agency)
    CalendarDayChange.objects.filter(calendar=row).update(name="Hari Jadi Provinsi Bali")
    WorkCalendar.objects.filter(pk=row.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    seen = calendar_for(bali.agency)
    assert seen is not cached
    assert seen.non_working_day(D(2026, 5, 20)) == "Hari Jadi Provinsi Bali"
    # calendars_for answers for several agencies in one query.
    both = services.calendars_for([bali.agency.pk])
    assert both[bali.agency.pk] is seen
