"""Schedule generation over the real Indonesian 2027 calendar (New Year, Idul Fitri and its
cuti bersama, Christmas), an agency's own day changes, and the sweep that opens activities
ahead, tells about late ones and escalates them, each once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from laksana.cases import services as case_services
from laksana.cases.models import Notification
from laksana.catalog.models import Contract
from laksana.demo.orgs import SOP_000, build_university
from laksana.maintenance import schedule
from laksana.maintenance.models import (
    CycleLength,
    Executor,
    Occurrence,
    OccurrenceStatus,
    PlanStatus,
    Schedule,
)
from laksana.outbox.models import Message
from laksana.worktime import services as worktime
from laksana.worktime.services import calendar_of
from tests.maintenance import factories

D = dt.date
JKT = ZoneInfo("Asia/Jakarta")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JKT)


@pytest.fixture
def utn(db):
    org = build_university()
    siakad = org.applications["siakad"]
    # The maintenance contract of 2027 (the demo's is for the current year).
    org.contract = Contract.objects.create(
        application=siakad,
        vendor=org["utn_vendor1"].vendor,
        number="SPK/001/UTN/2027",
        starts_on=D(2027, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    return org


def _plan(utn, **fields):
    return factories.plan(utn.applications["siakad"], **fields)


# --- cycles ----------------------------------------------------------------------------------


def test_cycles_are_calendar_months_or_quarters_cut_at_the_plan(utn):
    year = _plan(utn)
    periods = schedule.cycle_periods(year)
    assert len(periods) == 12
    assert periods[0] == (1, D(2027, 1, 1), D(2027, 1, 31))
    assert periods[1] == (2, D(2027, 2, 1), D(2027, 2, 28))
    assert periods[-1] == (12, D(2027, 12, 1), D(2027, 12, 31))

    cut = _plan(
        utn,
        contract=utn.contract,
        budget_year=None,
        starts_on=D(2027, 2, 15),
        ends_on=D(2028, 1, 20),
        cycle_length=CycleLength.QUARTER,
    )
    assert schedule.cycle_periods(cut) == [
        (1, D(2027, 2, 15), D(2027, 3, 31)),
        (2, D(2027, 4, 1), D(2027, 6, 30)),
        (3, D(2027, 7, 1), D(2027, 9, 30)),
        (4, D(2027, 10, 1), D(2027, 12, 31)),
        (5, D(2028, 1, 1), D(2028, 1, 20)),
    ]


# --- due dates on the national calendar -----------------------------------------------------


def test_monthly_nth_working_day_skips_new_year_and_idul_fitri(utn):
    plan = _plan(utn)
    calendar = calendar_of(plan.agency_id)
    first = factories.activity(plan, working_day=1)
    dues = dict(schedule.due_dates(first, plan, calendar))
    # 1 January 2027 (a Friday) is New Year: the first working day is Monday 4 January.
    assert dues[D(2027, 1, 1)] == D(2027, 1, 4)
    assert dues[D(2027, 2, 1)] == D(2027, 2, 1)
    assert dues[D(2027, 12, 1)] == D(2027, 12, 1)
    assert len(dues) == 12

    # March 2027: 1-5 worked; Nyepi (8), cuti bersama (9), Idul Fitri (10, 11), cuti bersama
    # (12, 15) off; the 6th working day is Tuesday 16 March.
    sixth = factories.activity(plan, working_day=6)
    assert dict(schedule.due_dates(sixth, plan, calendar))[D(2027, 3, 1)] == D(2027, 3, 16)
    # More working days than the month has: its last working day (December 2027: 31st).
    late = factories.activity(plan, working_day=30)
    assert dict(schedule.due_dates(late, plan, calendar))[D(2027, 12, 1)] == D(2027, 12, 31)


def test_quarterly_and_a_period_whose_day_falls_outside_the_plan(utn):
    plan = _plan(
        utn,
        contract=utn.contract,
        budget_year=None,
        starts_on=D(2027, 1, 3),
        ends_on=D(2027, 10, 1),
    )
    calendar = calendar_of(plan.agency_id)
    quarterly = factories.activity(plan, schedule=Schedule.QUARTERLY, working_day=1)
    assert schedule.due_dates(quarterly, plan, calendar) == [
        (D(2027, 1, 3), D(2027, 1, 4)),
        (D(2027, 4, 1), D(2027, 4, 1)),
        (D(2027, 7, 1), D(2027, 7, 1)),
        (D(2027, 10, 1), D(2027, 10, 1)),
    ]
    # The 2nd working day of October 2027 is after the plan's end: that quarter is left out.
    second = factories.activity(plan, schedule=Schedule.QUARTERLY, working_day=2)
    assert [due for _s, due in schedule.due_dates(second, plan, calendar)] == [
        D(2027, 1, 5) + dt.timedelta(days=1),  # 5 January is Isra Mikraj: Wednesday 6th
        D(2027, 4, 2),
        D(2027, 7, 2),
    ]


def test_dates_move_off_holidays_cuti_bersama_and_weekends(utn):
    plan = _plan(utn)
    calendar = calendar_of(plan.agency_id)
    on_dates = factories.activity(
        plan,
        schedule=Schedule.DATES,
        dates=[
            D(2027, 3, 10),  # Idul Fitri -> Tuesday 16 March (past cuti bersama 12 and 15)
            D(2027, 12, 24),  # cuti bersama Natal (Friday) -> Monday 27 December
            D(2027, 12, 25),  # Christmas (Saturday) -> Monday 27 December
            D(2027, 6, 2),  # a plain Wednesday
            D(2028, 1, 3),  # after the plan: left out
        ],
    )
    assert schedule.due_dates(on_dates, plan, calendar) == [
        (D(2027, 3, 10), D(2027, 3, 16)),
        (D(2027, 6, 2), D(2027, 6, 2)),
        (D(2027, 12, 24), D(2027, 12, 27)),
        (D(2027, 12, 25), D(2027, 12, 27)),
    ]


def test_the_agencys_own_day_changes_move_the_dates(utn):
    plan = _plan(utn)
    agency = utn.agency
    monthly = factories.activity(plan, working_day=1)
    on_dates = factories.activity(plan, schedule=Schedule.DATES, dates=[D(2027, 3, 9)])
    assert schedule.generate(plan) == 13
    feb = Occurrence.objects.get(activity=monthly, scheduled_on=D(2027, 2, 1))
    assert feb.due_on == D(2027, 2, 1) and feb.cycle_number == 2
    assert Occurrence.objects.get(activity=on_dates).due_on == D(2027, 3, 16)

    # The university closes on 1 February (Dies Natalis) and works on the cuti bersama of
    # 9 March: regenerating adds nothing and moves the due days of what is not opened yet.
    worktime.add_closure(agency, D(2027, 2, 1), "Dies Natalis")
    worktime.work_on_day_off(agency, D(2027, 3, 9))
    jan = Occurrence.objects.get(activity=monthly, scheduled_on=D(2027, 1, 1))
    Occurrence.objects.filter(pk=jan.pk).update(status=OccurrenceStatus.OPEN)
    assert schedule.generate(plan) == 0
    assert Occurrence.objects.filter(plan=plan).count() == 13
    feb.refresh_from_db()
    assert feb.due_on == D(2027, 2, 2)
    assert Occurrence.objects.get(activity=on_dates).due_on == D(2027, 3, 9)
    jan.refresh_from_db()
    assert jan.due_on == D(2027, 1, 4)


def test_generate_is_idempotent_with_cycle_numbers(utn):
    plan = _plan(utn, cycle_length=CycleLength.QUARTER)
    factories.activity(plan, working_day=1)
    factories.activity(plan, schedule=Schedule.QUARTERLY, working_day=3)
    assert schedule.generate(plan) == 12 + 4
    assert schedule.generate(plan) == 0
    assert schedule.generate(plan) == 0
    rows = list(Occurrence.objects.filter(plan=plan).values_list("due_on", "cycle_number"))
    assert len(rows) == 16
    assert all(number == (due.month - 1) // 3 + 1 for due, number in rows)


# --- late activities --------------------------------------------------------------------------


def test_late_lists_only_pending_activities_past_their_due_day(utn):
    plan = _plan(utn)
    factories.activity(plan, working_day=1)
    schedule.generate(plan)
    other = factories.plan(utn.applications["lms"], status=PlanStatus.DRAFT)
    factories.activity(other)
    schedule.generate(other)
    Occurrence.objects.filter(plan=plan, due_on=D(2027, 2, 1)).update(status=OccurrenceStatus.DONE)
    today = D(2027, 3, 2)
    late = list(schedule.late(plan, today))
    assert [o.due_on for o in late] == [D(2027, 1, 4), D(2027, 3, 1)]
    assert [o.pk for o in schedule.late(utn.agency, today)] == [o.pk for o in late]
    assert list(schedule.late(utn.agency.pk + 1000, today)) == []
    assert schedule.is_late(late[0], today)
    march = late[1]
    assert not schedule.is_late(march, D(2027, 3, 1))


# --- the sweep --------------------------------------------------------------------------------


def _swept(now):
    return schedule.sweep(now=now).as_dict()


def test_sweep_opens_ahead_tells_late_and_escalates_once_each(utn):
    plan = _plan(utn, lead_days=3)
    vendor_job = factories.activity(plan, schedule=Schedule.DATES, dates=[D(2027, 3, 10)])
    internal = factories.activity(
        plan,
        executor=Executor.INTERNAL,
        schedule=Schedule.DATES,
        dates=[D(2027, 4, 15)],
        title="Uji pemulihan cadangan",
    )
    schedule.generate(plan)
    job = Occurrence.objects.get(activity=vendor_job)
    assert job.due_on == D(2027, 3, 16)

    # Tuesday 2 March: three working days ahead is Friday 5 March (8 to 15 March are off).
    assert _swept(at(D(2027, 3, 2))) == {
        "opened": 0,
        "late": 0,
        "escalated": 0,
        "notifications": 0,
    }
    # Wednesday 3 March: 4, 5 and 16 March are the next three working days.
    first = _swept(at(D(2027, 3, 3)))
    assert first["opened"] == 1 and first["notifications"] == 2  # the vendor's two employees
    assert _swept(at(D(2027, 3, 3)))["opened"] == 0
    job.refresh_from_db()
    assert job.status == OccurrenceStatus.OPEN and job.opened_at == at(D(2027, 3, 3))
    to_vendor = Message.objects.filter(to__startswith="utn_vendor")
    assert to_vendor.count() == 2
    assert "16 Maret 2027" in to_vendor.first().subject

    # Due 16 March: not late that day, late on the 17th (told once), escalated once the
    # grace (1 working day) after the close of the due day has passed.
    assert _swept(at(D(2027, 3, 16), 17))["late"] == 0
    late = _swept(at(D(2027, 3, 17), 8))
    assert late == {"opened": 0, "late": 1, "escalated": 0, "notifications": 2}
    assert _swept(at(D(2027, 3, 17), 15))["late"] == 0
    assert _swept(at(D(2027, 3, 17), 15))["escalated"] == 0
    escalated = _swept(at(D(2027, 3, 17), 16) + dt.timedelta(minutes=1))
    # The vendor's employees have no superior: the agency's operational team (Seksi
    # Operasional: its head and two staff) is told.
    assert escalated["escalated"] == 1 and escalated["notifications"] == 3
    assert Message.objects.filter(to__startswith="utn_ops").count() == 2
    again = _swept(at(D(2027, 3, 18), 10))
    assert again["late"] == again["escalated"] == again["opened"] == 0

    # The internal activity goes to the operational team; its escalation to their head.
    assert _swept(at(D(2027, 4, 12)))["opened"] == 1
    internal_row = Occurrence.objects.get(activity=internal)
    assert internal_row.status == OccurrenceStatus.OPEN
    _swept(at(D(2027, 4, 16)))
    to_director = Message.objects.filter(to="utn_direktur@demo.laksana.local")
    assert to_director.count() == 0
    result = _swept(at(D(2027, 4, 19), 16) + dt.timedelta(minutes=1))
    # The superiors of the section's people: the section head's (the director) and theirs.
    assert result["escalated"] == 1 and result["notifications"] == 2
    assert to_director.count() == 1


def test_sweep_tells_on_the_plans_case_and_skips_plans_not_in_force(utn):
    ops = utn["utn_ops1"]
    case = case_services.open_case(
        ops,
        utn.versions[SOP_000],
        "Pemeliharaan SIAKAD 2027",
        application=utn.applications["siakad"],
        now=at(D(2027, 1, 4)),
    )
    plan = _plan(utn, case=case, lead_days=0)
    factories.activity(plan, executor=Executor.INTERNAL, working_day=1)
    draft = factories.plan(utn.applications["lms"], status=PlanStatus.DRAFT, lead_days=0)
    factories.activity(draft, executor=Executor.INTERNAL)
    schedule.generate(plan)
    schedule.generate(draft)
    before = Notification.objects.filter(case=case).count()
    result = _swept(at(D(2027, 1, 4)))
    assert result["opened"] == 1
    # The Seksi Operasional (its head and two staff), on the plan's case.
    assert Notification.objects.filter(case=case).count() - before == 3
    assert Occurrence.objects.filter(plan=draft, status=OccurrenceStatus.PLANNED).count() == 12
