"""A case's own due time: its procedure's overall service time (the service-level block's
``service_time``) from the opening, in the agency's working time; shown on the case page and
in the case list, which can list the overdue cases. The procedure also decides with yes/no
(the Ya/Tidak default), run through the case service to its end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from laksana.cases import services
from laksana.cases.display import case_clock, is_overdue
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, JournalKind
from laksana.procedures.services import publish
from laksana.worktime import services as calendars
from laksana.worktime.services import calendar_for

from .helpers import active, work

pytestmark = pytest.mark.django_db

# The engine's test procedure, with its actors played by the requesting unit: one person of
# the unit works every step.
SOURCE = (
    (Path(__file__).parents[1] / "engine" / "data" / "servicelevel.yaml")
    .read_text(encoding="utf-8")
    .replace("kind: team", "kind: requesting_unit")
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def layanan(bali):
    return publish(SOURCE, "layanan.yaml", bali.agency)


def opened(bali, version, now: str, title: str = "Akun surel untuk pegawai baru") -> Case:
    return services.open_case(bali["dinkes_staf"], version, title, now=at(now))


def test_a_case_is_due_one_working_day_after_it_opens_over_the_weekend(bali, layanan):
    # Bali works in WITA. "1 Hari kerja": the same clock time on the next working day; a case
    # opened on Friday is due on Monday, not on Saturday.
    case = opened(bali, layanan, "2026-05-08T10:00+08:00")
    assert case.due_at == at("2026-05-11T10:00+08:00")
    assert Case.objects.get(pk=case.pk).due_at == at("2026-05-11T10:00+08:00")


def test_a_holiday_of_the_agencys_calendar_moves_the_case_due_time(bali, layanan):
    calendars.add_closure(bali.agency, dt.date(2026, 5, 11), "Cuti bersama")
    case = opened(bali, layanan, "2026-05-08T10:00+08:00")
    assert case.due_at == at("2026-05-12T10:00+08:00")


def test_a_case_opened_after_hours_counts_from_the_next_working_morning(bali, layanan):
    # Opened on Friday evening: the working day starts on Monday morning, due on Tuesday.
    case = opened(bali, layanan, "2026-05-08T19:00+08:00")
    calendar = calendar_for(bali.agency)
    assert case.due_at == calendar.due(
        at("2026-05-08T19:00+08:00"), layanan.spec.identity.service_time
    )
    assert case.due_at > at("2026-05-11T07:00+08:00")


def test_a_procedure_without_a_service_time_gives_no_case_due_time(bali, sop002):
    case = services.open_case(
        bali["dinkes_staf"], sop002, "SIKESDA lambat", now=at("2026-05-08T10:00+08:00")
    )
    assert case.due_at is None
    assert case_clock(calendar_for(bali.agency), case, at("2026-06-01T10:00+08:00")) is None


def test_the_journal_records_the_case_due_time(bali, layanan):
    case = opened(bali, layanan, "2026-05-08T10:00+08:00")
    entry = case.journal.get(kind=JournalKind.OPENED)
    assert entry.data["due_at"] == at("2026-05-11T10:00+08:00").isoformat()
    assert verify_case(case) is None


def test_the_case_runs_through_both_answers_to_its_end_within_its_time(bali, layanan):
    staff = bali["dinkes_staf"]
    case = opened(bali, layanan, "2026-05-08T10:00+08:00")
    due = case.due_at
    case = work(staff, case, now=at("2026-05-08T10:10+08:00"))  # s1: the request
    assert active(case).step_key == "s2"
    case = work(staff, case, "Tidak", now=at("2026-05-08T10:30+08:00"))  # incomplete: back
    assert active(case).step_key == "s1"
    case = work(staff, case, now=at("2026-05-08T11:00+08:00"))
    case = work(staff, case, "Ya", now=at("2026-05-08T11:20+08:00"))
    assert active(case).step_key == "s3"
    # A step on hold stops its own clock; the case's due time does not move with holds.
    row = active(case)
    services.hold_step(staff, row.pk, "Menunggu data pegawai", now=at("2026-05-08T11:30+08:00"))
    services.resume_step(staff, row.pk, now=at("2026-05-08T15:30+08:00"))
    assert Case.objects.get(pk=case.pk).due_at == due
    case = work(staff, case, now=at("2026-05-08T15:40+08:00"))
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.end_key, case.due_at) == ("finished", "selesai", due)
    assert [s.outcome for s in case.steps.filter(step_key="s2").order_by("pk")] == ["Tidak", "Ya"]
    assert verify_case(case) is None
    with translation.override("en"):
        clock = case_clock(calendar_for(bali.agency), case, at("2026-05-20T10:00+08:00"))
    assert clock is not None and clock.state == "within"
    assert clock.text == "Finished within the service time (1 Hari kerja)."
    assert not is_overdue(case, at("2026-05-20T10:00+08:00"))


def test_a_case_finished_late_says_by_how_much(bali, layanan):
    staff = bali["dinkes_staf"]
    case = opened(bali, layanan, "2026-05-08T10:00+08:00")
    case = work(staff, case, now=at("2026-05-08T10:10+08:00"))
    case = work(staff, case, "Ya", now=at("2026-05-08T10:20+08:00"))
    case = work(staff, case, now=at("2026-05-11T12:00+08:00"))
    case = Case.objects.get(pk=case.pk)
    with translation.override("en"):
        clock = case_clock(calendar_for(bali.agency), case, at("2026-05-20T10:00+08:00"))
    assert clock is not None and clock.state == "over"
    assert clock.text == "Finished 2 h after the service time (1 Hari kerja)."


def test_a_running_case_reads_due_then_overdue(bali, layanan):
    case = opened(bali, layanan, "2026-05-08T10:00+08:00")
    calendar = calendar_for(bali.agency)
    with translation.override("en"):
        before = case_clock(calendar, case, at("2026-05-11T08:00+08:00"))
        after = case_clock(calendar, case, at("2026-05-11T12:00+08:00"))
    assert before is not None and (before.state, before.text) == (
        "due",
        "due in 2 h of working time",
    )
    assert after is not None and (after.state, after.text) == (
        "overdue",
        "overdue by 2 h of working time",
    )
    assert is_overdue(case, at("2026-05-11T12:00+08:00"))
    assert not is_overdue(case, at("2026-05-11T08:00+08:00"))


# --- the screens --------------------------------------------------------------------------------


def test_the_case_page_shows_the_case_due_time_in_indonesian(client, bali, layanan):
    late = opened(bali, layanan, "2026-01-05T10:00+08:00", "Akun surel yang terlambat")
    client.force_login(bali["dinkes_staf"].user)
    page = client.get(reverse("cases:detail", args=[late.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Waktu penyelesaian" in text
    assert 'class="clock clock--overdue">Terlambat' in text
    assert "(1 Hari kerja)" in text


def test_the_case_list_shows_and_filters_the_overdue_cases(client, bali, layanan, sop002):
    now = timezone.now()
    late = opened(bali, layanan, "2026-01-05T10:00+08:00", "Akun surel yang terlambat")
    fresh = services.open_case(bali["dinkes_staf"], layanan, "Akun surel yang baru", now=now)
    other = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA lambat", now=now)
    assert late.due_at < now < fresh.due_at and other.due_at is None
    client.force_login(bali["dinkes_staf"].user)
    everything = client.get(reverse("cases:list")).content.decode()
    for case in (late, fresh, other):
        assert case.reference in everything
    assert everything.count("clock clock--overdue") == 1
    assert 'name="overdue"' in everything and "Kasus yang terlambat" in everything
    overdue = client.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
    assert late.reference in overdue
    assert fresh.reference not in overdue and other.reference not in overdue
    # A finished case is no longer overdue, whatever its due time was.
    assert Case.objects.filter(pk=late.pk).update(status="finished", finished_at=now) == 1
    overdue = client.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
    assert late.reference not in overdue
