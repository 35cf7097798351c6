"""Due times of case steps, holds and how their clocks read, on a frozen clock.

Every service is called with ``now=``: due times are computed from it at activation, holds
and resumes are timed by it. The scenarios that broke other service desks are here by their
GLPI numbers: pending time counted in calendar time while deadlines use working time
(#10594), pause time lost when the standard changes (#15605), clocks restarting on
reassignment (#1911).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import translation

from laksana.cases import services
from laksana.cases.display import actual_minutes, step_clock
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, CaseStep, JournalKind, StepStatus
from laksana.engine.timetext import parse_time
from laksana.procedures.services import publish
from laksana.worktime import services as calendars
from laksana.worktime.services import calendar_for

from .helpers import active, work

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def bali_case(bali, sop002, now: str) -> Case:
    return services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA tidak bisa menyimpan data",
        application=bali.applications["sikesda"],
        now=at(now),
    )


def at_step_2(bali, sop002, opened: str, activated: str) -> tuple[Case, CaseStep]:
    """A Bali SOP 002 case (WITA) whose step 2 ("±1-2 Jam": 120 working minutes) started at
    ``activated``."""
    case = bali_case(bali, sop002, opened)
    case = work(bali["dinkes_staf"], case, now=at(activated))
    row = active(case)
    assert row.step_key == "s2"
    return case, row


def fresh(row: CaseStep) -> CaseStep:
    return CaseStep.objects.get(pk=row.pk)


# --- due times at activation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "opened", "due"),
    [
        # "15 menit" at 15:50 local time: 10 minutes on Wednesday, 5 on Thursday.
        ("Asia/Jakarta", "2026-05-06T15:50+07:00", "2026-05-07T07:35+07:00"),
        ("Asia/Makassar", "2026-05-06T15:50+08:00", "2026-05-07T07:35+08:00"),
        ("Asia/Jayapura", "2026-05-06T15:50+09:00", "2026-05-07T07:35+09:00"),
        # The same instant, 08:50 UTC, is after closing in WITA and WIT: 07:45 next morning.
        ("Asia/Jakarta", "2026-05-06T08:50+00:00", "2026-05-07T07:35+07:00"),
        ("Asia/Makassar", "2026-05-06T08:50+00:00", "2026-05-07T07:45+08:00"),
        ("Asia/Jayapura", "2026-05-06T08:50+00:00", "2026-05-07T07:45+09:00"),
    ],
)
def test_a_minute_standard_is_due_in_working_minutes_of_the_agencys_zone(
    djki, sop004, zone, opened, due
):
    calendars.set_time_zone(djki.agency, zone)
    case = services.open_case(
        djki["merek_staf"],
        sop004,
        "IPAS tidak bisa diakses",
        application=djki.applications["ipas"],
        now=at(opened),
    )
    row = active(case)
    assert (row.step_key, sop004.spec.step("s1").time.text) == ("s1", "15 menit")
    assert row.due_at == at(due)
    assert row.activated_at == at(opened)


def test_hour_and_day_standards_in_wita(bali, sop002):
    # Bali is WITA (Asia/Makassar). Step 1 is "±3 Hari": the same clock time three working
    # days later (Wednesday -> Monday).
    case = bali_case(bali, sop002, "2026-05-06T15:30+08:00")
    assert active(case).due_at == at("2026-05-11T15:30+08:00")
    # Step 2 is "±1-2 Jam": the upper bound, 120 working minutes; Friday closes at 16:30.
    case = work(bali["dinkes_staf"], case, now=at("2026-05-08T15:30+08:00"))
    assert active(case).due_at == at("2026-05-11T08:30+08:00")


def test_day_standard_in_wit_and_the_agencys_own_calendar(bali, sop002):
    calendars.set_time_zone(bali.agency, "Asia/Jayapura")
    # A closure on Friday 8 May moves the third working day from Monday to Tuesday.
    calendars.add_closure(bali.agency, dt.date(2026, 5, 8), "Penutupan kantor")
    case = bali_case(bali, sop002, "2026-05-06T15:30+09:00")
    assert active(case).due_at == at("2026-05-12T15:30+09:00")


def test_a_step_without_a_time_standard_has_no_due_time(djki, sop004):
    case = services.open_case(
        djki["merek_staf"], sop004, "IPAS lambat", now=at("2026-05-06T09:00+07:00")
    )
    case = work(djki["merek_staf"], case, now=at("2026-05-06T09:10+07:00"))
    row = active(case)
    assert row.step_key == "s2" and sop004.spec.step("s2").time is None
    assert row.due_at is None
    assert (
        step_clock(
            calendar_for(djki.agency), row, sop004.spec.step("s2"), at("2026-05-06T10:00+07:00")
        )
        is None
    )


def test_due_times_are_indexed_for_the_open_steps_by_due_time():
    (index,) = [i for i in CaseStep._meta.indexes if i.name == "case_step_due_idx"]
    assert index.fields == ["status", "due_at"]
    assert index.condition == Q(status=StepStatus.ACTIVE.value)
    # Only the active steps' due times are ever looked for: no index on every step's.
    assert not CaseStep._meta.get_field("due_at").db_index


# --- GLPI #1911: reassignment and disposition do not restart the clock ------------------------


def test_claiming_and_disposition_leave_the_due_time_alone(bali, sop002):
    case = bali_case(bali, sop002, "2026-05-04T08:00+08:00")
    case = work(bali["dinkes_staf"], case, now=at("2026-05-04T09:00+08:00"))
    case = work(bali["dinkes_staf"], case, now=at("2026-05-04T10:00+08:00"))
    row = active(case)
    assert row.step_key == "s3"  # the head of office, "±1" jam
    due = row.due_at
    assert due == at("2026-05-04T11:00+08:00")
    services.claim_step(bali["kadis"], row.pk, now=at("2026-05-04T10:20+08:00"))
    assert fresh(row).due_at == due
    sent = services.dispose(
        bali["kadis"],
        case.pk,
        [bali["kabid"]],
        "Proses lebih lanjut",
        step_id=row.pk,
        now=at("2026-05-04T10:30+08:00"),
    )
    services.mark_read(bali["kabid"], sent[0].pk, now=at("2026-05-04T10:35+08:00"))
    assert fresh(row).due_at == due
    # The next step's clock starts when it is activated, not before.
    case = work(bali["kadis"], Case.objects.get(pk=case.pk), now=at("2026-05-04T10:45+08:00"))
    s4 = active(case)
    assert s4.step_key == "s4" and s4.due_at == at("2026-05-04T13:45+08:00")
    # A disposition down the chain and a claim by its recipient: still the same clock.
    services.claim_step(bali["kabid"], s4.pk, now=at("2026-05-04T11:00+08:00"))
    services.dispose(
        bali["kabid"],
        case.pk,
        [bali["ketuatim"]],
        "Koordinasikan",
        step_id=s4.pk,
        now=at("2026-05-04T11:05+08:00"),
    )
    assert fresh(s4).due_at == at("2026-05-04T13:45+08:00")


# --- holds -------------------------------------------------------------------------------------


def test_glpi_10594_time_on_hold_is_measured_and_added_in_working_time(bali, sop002):
    # Step 2 starts on Friday 13 February 2026 at 10:00 WITA: 120 working minutes are due at
    # 13:30 (Friday's break is 11:30-13:00).
    case, row = at_step_2(bali, sop002, "2026-02-13T08:00+08:00", "2026-02-13T10:00+08:00")
    assert row.due_at == at("2026-02-13T13:30+08:00")
    # Held at 11:00 with 60 working minutes left, over the weekend, Monday 16 (cuti bersama
    # Imlek) and Tuesday 17 (Tahun Baru Imlek), resumed on Wednesday at 09:00.
    services.hold_step(
        bali["dinkes_staf"],
        row.pk,
        "Menunggu foto layar dari pemohon",
        now=at("2026-02-13T11:00+08:00"),
    )
    held = fresh(row)
    assert held.on_hold_since == at("2026-02-13T11:00+08:00")
    assert held.hold_reason == "Menunggu foto layar dari pemohon"
    assert held.due_at == at("2026-02-13T13:30+08:00")  # unchanged while on hold
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-02-18T09:00+08:00"))
    resumed = fresh(row)
    # On hold: Friday 11:00-11:30 and 13:00-16:30 (240) and Wednesday 07:30-09:00 (90) =
    # 330 working minutes, not the 4 days and 22 hours of calendar time.
    assert resumed.held_minutes == 330
    # The 60 minutes left are left again: due at 10:00 on Wednesday.
    assert resumed.due_at == at("2026-02-18T10:00+08:00")
    calendar = calendar_for(bali.agency)
    assert calendar.working_minutes_between(at("2026-02-13T13:30+08:00"), resumed.due_at) == 330
    assert resumed.on_hold_since is None and resumed.hold_reason == ""
    # The journal says who held it, why, and when it was resumed; the chain holds.
    entries = list(case.journal.filter(kind__in=[JournalKind.HELD, JournalKind.RESUMED]))
    assert [e.kind for e in entries] == [JournalKind.HELD, JournalKind.RESUMED]
    assert entries[0].data["reason"] == "Menunggu foto layar dari pemohon"
    assert entries[0].data["remaining_minutes"] == 60
    assert entries[1].data["held_minutes"] == 330
    assert at(entries[1].data["due_after"]) == resumed.due_at
    assert verify_case(Case.objects.get(pk=case.pk)) is None
    # Done at 09:40: 100 working minutes of work, within the standard.
    work(bali["dinkes_staf"], Case.objects.get(pk=case.pk), now=at("2026-02-18T09:40+08:00"))
    done = fresh(row)
    assert actual_minutes(calendar, done) == 100
    assert done.completed_at <= done.due_at


def test_the_remaining_time_equals_adding_it_from_the_resume(bali, sop002):
    _case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T09:00+08:00")
    # Due at 11:00; held at 09:45 with 75 working minutes left.
    assert row.due_at == at("2026-05-04T11:00+08:00")
    services.hold_step(
        bali["dinkes_staf"], row.pk, "Menunggu data", now=at("2026-05-04T09:45+08:00")
    )
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-05-05T14:10+08:00"))
    calendar = calendar_for(bali.agency)
    remaining = calendar.working_minutes_between(at("2026-05-04T09:45+08:00"), row.due_at)
    assert remaining == 75
    assert fresh(row).due_at == calendar.add_working_minutes(at("2026-05-05T14:10+08:00"), 75)


def test_repeated_holds_accumulate_and_the_standard_is_kept(bali, sop002):
    case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T08:00+08:00")
    start = fresh(row).due_at
    assert start == at("2026-05-04T10:00+08:00")
    person = bali["dinkes_staf"]
    cycles = [
        ("2026-05-04T08:30+08:00", "2026-05-04T09:00+08:00"),  # 30 min
        ("2026-05-04T11:45+08:00", "2026-05-04T13:15+08:00"),  # 15 + 15 min (over the break)
        ("2026-05-04T15:00+08:00", "2026-05-05T08:00+08:00"),  # 60 + 30 min (overnight)
    ]
    for hold, resume in cycles:
        services.hold_step(person, row.pk, "Menunggu pemohon", now=at(hold))
        services.resume_step(person, row.pk, now=at(resume))
    done = fresh(row)
    assert done.held_minutes == 30 + 30 + 90
    calendar = calendar_for(bali.agency)
    # The due time moved by exactly the working time on hold ...
    assert calendar.working_minutes_between(start, done.due_at) == 150
    # ... so activation to due, less the holds, is still the standard (120 minutes).
    assert (
        calendar.working_minutes_between(done.activated_at, done.due_at) - done.held_minutes == 120
    )
    assert case.journal.filter(kind=JournalKind.HELD).count() == 3
    assert case.journal.filter(kind=JournalKind.RESUMED).count() == 3


def test_a_step_held_while_overdue_stays_overdue_by_the_same_working_time(bali, sop002):
    _case, row = at_step_2(bali, sop002, "2026-02-13T08:00+08:00", "2026-02-13T10:00+08:00")
    # Due 13:30; held at 15:00, 90 working minutes late.
    services.hold_step(
        bali["dinkes_staf"], row.pk, "Menunggu pemohon", now=at("2026-02-13T15:00+08:00")
    )
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-02-18T09:00+08:00"))
    resumed = fresh(row)
    calendar = calendar_for(bali.agency)
    assert resumed.held_minutes == 90 + 90
    assert calendar.working_minutes_between(resumed.due_at, at("2026-02-18T09:00+08:00")) == 90


def test_a_hold_outside_working_hours_moves_nothing(bali, sop002):
    _case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T15:00+08:00")
    due = fresh(row).due_at
    services.hold_step(
        bali["dinkes_staf"], row.pk, "Menunggu pemohon", now=at("2026-05-04T17:00+08:00")
    )
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-05-05T06:00+08:00"))
    assert fresh(row).due_at == due and fresh(row).held_minutes == 0


def test_glpi_15605_a_revised_standard_does_not_touch_a_running_step(bali, sop002):
    case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T09:00+08:00")
    services.hold_step(
        bali["dinkes_staf"], row.pk, "Menunggu pemohon", now=at("2026-05-04T09:30+08:00")
    )
    # Mid-way, a revision gives step 2 another time standard (and step 3 too).
    start = sop002.source.index("  - id: s2")
    source = sop002.source[:start] + sop002.source[start:].replace(
        'time: "±1-2 Jam"', 'time: "15 menit"', 1
    ).replace('time: {text: "±1", unit: jam}', 'time: "3 jam"', 1)
    revised = publish(source, "revisi.yaml", bali.agency)
    assert revised.number == sop002.number + 1
    assert revised.spec.step("s2").time == parse_time("15 menit")
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-05-05T09:30+08:00"))
    resumed = fresh(row)
    # The case keeps its version; the step keeps its time on hold and its remaining 90
    # minutes of the old standard (not the revision's 15).
    assert Case.objects.get(pk=case.pk).version == sop002
    assert resumed.held_minutes == 450  # Monday 09:30-16:00 less the break, and 07:30-09:30
    assert resumed.held_minutes == calendar_for(bali.agency).working_minutes_between(
        at("2026-05-04T09:30+08:00"), at("2026-05-05T09:30+08:00")
    )
    assert resumed.due_at == at("2026-05-05T11:00+08:00")
    # A second hold after the revision still adds to the first.
    services.hold_step(
        bali["dinkes_staf"], row.pk, "Menunggu lagi", now=at("2026-05-05T10:00+08:00")
    )
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-05-05T10:30+08:00"))
    assert fresh(row).held_minutes == 480
    assert fresh(row).due_at == at("2026-05-05T11:30+08:00")
    # The next step is timed by the case's version ("±1" jam), not the revision's 3 hours.
    case = work(bali["dinkes_staf"], Case.objects.get(pk=case.pk), now=at("2026-05-05T10:40+08:00"))
    assert active(case).due_at == at("2026-05-05T11:40+08:00")
    # A case opened on the revision runs on its standards.
    other = bali_case(bali, revised, "2026-05-06T08:00+08:00")
    other = work(bali["dinkes_staf"], other, now=at("2026-05-06T09:00+08:00"))
    assert active(other).due_at == at("2026-05-06T09:15+08:00")


# --- refusals ----------------------------------------------------------------------------------


def test_holding_needs_a_reason_and_a_held_step_is_not_completed(bali, sop002):
    case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T09:00+08:00")
    person = bali["dinkes_staf"]
    with pytest.raises(services.ServiceError) as exc:
        services.hold_step(person, row.pk, "   ", now=at("2026-05-04T09:10+08:00"))
    assert (exc.value.code, exc.value.field) == ("required", "reason")
    with pytest.raises(services.NotAllowed):
        services.hold_step(
            bali["bkd"], row.pk, "Bukan urusan saya", now=at("2026-05-04T09:10+08:00")
        )
    with pytest.raises(services.ServiceError) as exc:
        services.resume_step(person, row.pk, now=at("2026-05-04T09:10+08:00"))
    assert exc.value.code == "not_on_hold"
    services.hold_step(person, row.pk, "Menunggu pemohon", now=at("2026-05-04T09:10+08:00"))
    with pytest.raises(services.ServiceError) as exc:
        services.hold_step(person, row.pk, "Lagi", now=at("2026-05-04T09:20+08:00"))
    assert exc.value.code == "on_hold"
    with pytest.raises(services.ServiceError) as exc:
        work(person, Case.objects.get(pk=case.pk), now=at("2026-05-04T09:30+08:00"))
    assert exc.value.code == "on_hold"
    with translation.override("en"):
        with pytest.raises(services.ServiceError) as exc:
            work(person, Case.objects.get(pk=case.pk), now=at("2026-05-04T09:30+08:00"))
        assert "resume it first" in exc.value.message
    assert fresh(row).status == StepStatus.ACTIVE
    with pytest.raises(services.NotAllowed):
        services.resume_step(bali["bkd"], row.pk, now=at("2026-05-04T09:40+08:00"))
    services.resume_step(person, row.pk, now=at("2026-05-04T09:40+08:00"))
    case = work(person, Case.objects.get(pk=case.pk), now=at("2026-05-04T09:50+08:00"))
    assert fresh(row).status == StepStatus.COMPLETED
    # A completed step can no longer be held.
    with pytest.raises(services.ServiceError) as exc:
        services.hold_step(person, row.pk, "Terlambat", now=at("2026-05-04T10:00+08:00"))
    assert exc.value.code == "already_completed"


# --- how the clock reads -----------------------------------------------------------------------


def test_the_clock_reads_in_indonesian_and_english(bali, sop002):
    case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T09:00+08:00")
    calendar = calendar_for(bali.agency)
    step = sop002.spec.step("s2")
    row = fresh(row)
    assert row.due_at == at("2026-05-04T11:00+08:00")
    early = at("2026-05-04T08:45+08:00")  # 2 h 15 min of working time before it is due
    late = at("2026-05-05T15:00+08:00")  # Monday 11:00 -> Tuesday 11:00 is a day, then 3 h
    with translation.override("en"):
        assert step_clock(calendar, row, step, early).text == "due in 2 h 15 min of working time"
        clock = step_clock(calendar, row, step, late)
        assert (clock.state, clock.text) == ("overdue", "overdue by 1 working day 3 h")
        assert step_clock(calendar, row, step, at("2026-05-04T10:30+08:00")).text == (
            "due in 30 min of working time"
        )
    with translation.override("id"):
        assert step_clock(calendar, row, step, early).text.startswith(
            "jatuh tempo dalam 2 jam 15 menit"
        )
        assert step_clock(calendar, row, step, late).text.startswith("terlambat 1 hari kerja 3 jam")
    # On hold the clock says so, with what is left.
    services.hold_step(
        bali["dinkes_staf"], row.pk, "Menunggu pemohon", now=at("2026-05-04T09:45+08:00")
    )
    held = fresh(row)
    with translation.override("en"):
        clock = step_clock(calendar, held, step, late)
        assert (clock.state, clock.text) == (
            "held",
            "On hold with 1 h 15 min of working time left.",
        )
    services.resume_step(bali["dinkes_staf"], row.pk, now=at("2026-05-04T10:00+08:00"))
    # Finished: the working time taken, less the hold, against the standard.
    work(bali["dinkes_staf"], Case.objects.get(pk=case.pk), now=at("2026-05-04T11:25+08:00"))
    done = fresh(row)
    assert done.due_at == at("2026-05-04T11:15+08:00")
    assert actual_minutes(calendar, done) == 130  # 09:00-11:25, less 15 minutes on hold
    with translation.override("en"):
        clock = step_clock(calendar, done, step, late)
        assert (clock.state, clock.text) == (
            "over",
            "2 h 10 min (standard ±1-2 Jam) — over the standard",
        )
    with translation.override("id"):
        text = step_clock(calendar, done, step, late).text
        assert text.startswith("2 jam 10 menit (standar ±1-2 Jam) — ")
        assert text.endswith("melebihi standar")


def test_a_finished_step_within_its_standard(bali, sop002):
    case, row = at_step_2(bali, sop002, "2026-05-04T08:00+08:00", "2026-05-04T09:00+08:00")
    work(bali["dinkes_staf"], case, now=at("2026-05-04T10:10+08:00"))
    done = fresh(row)
    calendar = calendar_for(bali.agency)
    with translation.override("en"):
        clock = step_clock(calendar, done, sop002.spec.step("s2"), at("2026-05-06T10:00+08:00"))
    assert (clock.state, clock.text) == (
        "within",
        "1 h 10 min (standard ±1-2 Jam) — within the standard",
    )
