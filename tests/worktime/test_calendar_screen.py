"""The working-calendar screen at /organisasi/<agency>/kalender/, for the agency's
administrators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from laksana.org.models import RoleKind
from laksana.org.roles import grant
from laksana.worktime.models import CalendarChange, CalendarDayChange, CalendarPeriod
from laksana.worktime.services import calendar_for

pytestmark = pytest.mark.django_db

SCREEN = "/organisasi/diskominfos-bali/kalender/"


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff(bali) -> Client:
    # An agency administrator (a product role, not is_staff) manages the calendar.
    grant(bali["kabid"], RoleKind.AGENCY_ADMIN)
    client = Client()
    client.force_login(bali["kabid"].user)
    return english(client)


def test_only_staff_of_the_agency_see_it(client, bali, djki, staff):
    response = client.get(SCREEN)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    client.force_login(bali["dev1"].user)  # not an administrator of the agency
    assert client.get(SCREEN).status_code == 403
    dev1 = bali["dev1"].user
    dev1.is_staff = True  # Django's is_staff grants nothing here
    dev1.save(update_fields=["is_staff"])
    assert client.get(SCREEN).status_code == 403
    assert (
        client.post(SCREEN, {"action": "schedule", "schedule": "mon-fri 07:00-15:00"}).status_code
        == 403
    )
    assert not CalendarChange.objects.exists()
    assert staff.get("/organisasi/djki/kalender/").status_code == 404  # another agency
    assert staff.get("/organisasi/nowhere/kalender/").status_code == 404
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    admin = english(Client())
    admin.force_login(root)
    assert admin.get("/organisasi/djki/kalender/").status_code == 200


def test_the_screen_shows_schedule_days_off_and_is_linked_from_the_agency_settings(staff, sop002):
    home = staff.get("/organisasi/diskominfos-bali/").content.decode()
    assert f'href="{SCREEN}"' in home
    response = staff.get(SCREEN + "?tahun=2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:00-16:30" in page
    assert "37.5" in page  # hours a week
    assert "Cuti Bersama Tahun Baru Imlek" in page and "Hari Suci Nyepi" in page
    assert 'value="Asia/Makassar" selected' in page
    assert "No changes yet" in page


def test_a_bad_schedule_comes_back_with_the_error_and_the_text(staff, bali):
    response = staff.post(
        SCREEN, {"action": "schedule", "schedule": "senin-jumat 07:30-16:00; senin 08:00-09:00"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Senin is given twice" in page
    assert "senin-jumat 07:30-16:00; senin 08:00-09:00</textarea>" in page
    assert not CalendarChange.objects.exists()


def test_changes_made_on_the_screen_are_applied_and_listed_in_the_history(staff, bali):
    response = staff.post(
        SCREEN,
        {"action": "add_change", "kind": "closure", "day": "2026-05-20", "name": "Hari Jadi"},
    )
    assert response.status_code == 302
    assert calendar_for(bali.agency).non_working_day(dt.date(2026, 5, 20)) == "Hari Jadi"
    response = staff.post(
        SCREEN,
        {
            "action": "add_period",
            "name": "Ramadan 1447 H",
            "start": "2026-02-19",
            "end": "2026-03-19",
            "schedule": "mon-thu 08:00-12:00,12:30-15:00; fri 08:00-11:30,12:30-15:30",
        },
    )
    assert response.status_code == 302
    response = staff.post(SCREEN, {"action": "add_change", "kind": "removed", "day": "2026-02-16"})
    assert response.status_code == 302
    response = staff.post(
        SCREEN, {"action": "add_change", "kind": "moved", "day": "2026-05-27", "target": "bad"}
    )
    assert response.status_code == 400
    assert "Give the date as day, month and year" in response.content.decode()
    page = staff.get(SCREEN + "?tahun=2026").content.decode()
    assert "Ramadan 1447 H" in page and "Hari Jadi" in page
    assert page.count("Ni Luh Putu Ariani") >= 3  # who, in the history
    # Undo and remove through their buttons.
    change = CalendarDayChange.objects.get(kind="closure")
    assert staff.post(SCREEN, {"action": "remove_change", "change": change.pk}).status_code == 302
    period = CalendarPeriod.objects.get()
    assert staff.post(SCREEN, {"action": "remove_period", "period": period.pk}).status_code == 302
    assert calendar_for(bali.agency).non_working_day(dt.date(2026, 5, 20)) is None
    assert CalendarChange.objects.count() == 5
    response = staff.post(SCREEN, {"action": "remove_period", "period": period.pk})
    assert response.status_code == 400 and "No such schedule period" in response.content.decode()


def test_the_time_zone_is_set_on_the_screen(staff, bali):
    response = staff.post(SCREEN, {"action": "time_zone", "time_zone": "Asia/Jayapura"})
    assert response.status_code == 302
    bali.agency.refresh_from_db()
    assert bali.agency.time_zone == "Asia/Jayapura"
