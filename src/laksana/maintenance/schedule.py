"""When a plan's activities fall due, in working days of the agency's calendar.

* :func:`cycle_periods`: the plan's cycles, calendar months or quarters (January, April, July,
  October) from the one holding ``starts_on``, the first and last cut at the plan's start and
  end;
* :func:`due_dates`: an activity's dates. Monthly and quarterly: the Nth working day of the
  calendar month or quarter (the last working day when it has fewer than N), left out when it
  falls before the plan starts or after it ends; the date the schedule names
  (``scheduled_on``) is the first day of the month or quarter inside the plan, so the row
  stays the same when the calendar changes. On dates: each date inside the plan, due on it or,
  when it is a weekend, a national holiday, a cuti bersama or a closure of the agency, on the
  next working day;
* :func:`generate`: the plan's :class:`~laksana.maintenance.models.Occurrence` rows, one per
  (activity, scheduled_on), idempotent: a second run adds nothing and moves the due day of
  the ones not opened yet when the calendar changed meanwhile;
* :func:`late` and :func:`is_late`: activities not done by their due day, for dashboards;
* :func:`sweep` (the worker, every few minutes, :mod:`laksana.maintenance.tasks`): opens the
  activities due within the plan's ``lead_days`` working days and tells their executor, tells
  them again once an activity is late, and tells their superiors once it has been late for
  longer than ``LAKSANA_ESCALATION_GRACE`` (working time). Each notice is guarded by a
  conditional update of its timestamp in the transaction that writes it, as the SLA sweep's
  are (:mod:`laksana.cases.sla`): running it twice, or in two workers at once, tells nobody
  twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from laksana.catalog.lifecycle import SOP_000
from laksana.catalog.models import Contract
from laksana.engine.timetext import TimeStandard, parse_time
from laksana.engine.worktime import Calendar
from laksana.maintenance.models import (
    Activity,
    CycleLength,
    Executor,
    Occurrence,
    OccurrenceStatus,
    Plan,
    PlanStatus,
    Schedule,
)
from laksana.org.models import ActorBinding, Agency, Person, UnitKind
from laksana.worktime.services import calendar_of

# Not done yet: the statuses an activity can be late in.
PENDING = (OccurrenceStatus.PLANNED, OccurrenceStatus.OPEN)
# A date moved off days off never moves further than this (a calendar without working days).
_MAX_SHIFT = 400


@dataclass
class SweepResult:
    """What one sweep did: activities opened, late notices, escalations, notifications."""

    opened: int = 0
    late: int = 0
    escalated: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- periods and dates -----------------------------------------------------------------------


def _months(length: str) -> int:
    return 3 if length in (CycleLength.QUARTER, Schedule.QUARTERLY) else 1


def _period_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def _calendar_periods(starts_on: dt.date, ends_on: dt.date, months: int) -> list[dt.date]:
    """The first days of the calendar months (or quarters) that overlap the dates."""
    out: list[dt.date] = []
    first = _period_start(starts_on, months)
    while first <= ends_on:
        out.append(first)
        first = _add_months(first, months)
    return out


def cycle_periods(plan: Plan) -> list[tuple[int, dt.date, dt.date]]:
    """The plan's cycles as (number from 1, first day, last day), both days included."""
    months = _months(plan.cycle_length)
    out: list[tuple[int, dt.date, dt.date]] = []
    for number, first in enumerate(_calendar_periods(plan.starts_on, plan.ends_on, months), 1):
        last = _add_months(first, months) - dt.timedelta(days=1)
        out.append((number, max(first, plan.starts_on), min(last, plan.ends_on)))
    return out


def next_working_day(calendar: Calendar, day: dt.date) -> dt.date:
    """``day`` if it is a working day of the calendar, else the first working day after it."""
    for shift in range(_MAX_SHIFT):
        candidate = day + dt.timedelta(days=shift)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {_MAX_SHIFT} days after {day}")


def nth_working_day(calendar: Calendar, first: dt.date, last: dt.date, n: int) -> dt.date | None:
    """The Nth working day from ``first`` to ``last`` (the last working day of them when
    there are fewer than N; None when there is none)."""
    found: dt.date | None = None
    count = 0
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            found = day
            count += 1
            if count >= n:
                break
        day += dt.timedelta(days=1)
    return found


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def due_dates(activity: Activity, plan: Plan, calendar: Calendar) -> list[tuple[dt.date, dt.date]]:
    """The activity's (scheduled_on, due_on) pairs in date order (see the module's text)."""
    out: list[tuple[dt.date, dt.date]] = []
    if activity.schedule == Schedule.DATES:
        days = {_parse_date(v) for v in activity.dates or []}
        for day in sorted(d for d in days if d is not None):
            if plan.starts_on <= day <= plan.ends_on:
                out.append((day, next_working_day(calendar, day)))
        return out
    months = _months(activity.schedule)
    n = max(int(activity.working_day or 1), 1)
    for first in _calendar_periods(plan.starts_on, plan.ends_on, months):
        last = _add_months(first, months) - dt.timedelta(days=1)
        due = nth_working_day(calendar, first, last, n)
        if due is None or due < plan.starts_on or due > plan.ends_on:
            continue
        out.append((max(first, plan.starts_on), due))
    return out


def _cycle_of(periods: Sequence[tuple[int, dt.date, dt.date]], day: dt.date) -> int:
    for number, _first, last in periods:
        if day <= last:
            return number
    return periods[-1][0] if periods else 1


def generate(plan: Plan) -> int:
    """Write the plan's occurrences; returns how many were added. A second run adds none;
    the due day (and cycle) of an occurrence not opened yet follows the calendar as it is
    now."""
    calendar = calendar_of(plan.agency_id)
    periods = cycle_periods(plan)
    added = 0
    with transaction.atomic():
        existing = {
            (o.activity_id, o.scheduled_on): o
            for o in Occurrence.objects.filter(plan=plan).only(
                "pk", "activity_id", "scheduled_on", "due_on", "status", "cycle_number"
            )
        }
        new: list[Occurrence] = []
        for activity in plan.activities.all():
            for scheduled_on, due_on in due_dates(activity, plan, calendar):
                number = _cycle_of(periods, due_on)
                row = existing.get((activity.pk, scheduled_on))
                if row is None:
                    new.append(
                        Occurrence(
                            activity=activity,
                            plan=plan,
                            cycle_number=number,
                            scheduled_on=scheduled_on,
                            due_on=due_on,
                        )
                    )
                elif row.status == OccurrenceStatus.PLANNED and (
                    row.due_on != due_on or row.cycle_number != number
                ):
                    Occurrence.objects.filter(pk=row.pk, status=OccurrenceStatus.PLANNED).update(
                        due_on=due_on, cycle_number=number
                    )
        if new:
            Occurrence.objects.bulk_create(new, ignore_conflicts=True)
            added = len(new)
    return added


# --- late activities -----------------------------------------------------------------------


def is_late(occurrence: Occurrence, today: dt.date) -> bool:
    """Whether the activity is neither done nor declared not done and its due day is past."""
    return occurrence.status in PENDING and occurrence.due_on < today


def late(plan_or_agency: Plan | Agency | int, today: dt.date) -> QuerySet[Occurrence]:
    """The late activities of a plan, or of every plan in force of an agency (an Agency or
    its id), oldest due first, with their activity and plan."""
    rows = Occurrence.objects.filter(
        status__in=PENDING, due_on__lt=today, plan__status=PlanStatus.IN_FORCE
    )
    if isinstance(plan_or_agency, Plan):
        rows = rows.filter(plan=plan_or_agency)
    else:
        agency_id = plan_or_agency.pk if isinstance(plan_or_agency, Agency) else plan_or_agency
        rows = rows.filter(plan__agency_id=agency_id)
    return rows.select_related("activity", "plan", "plan__application").order_by("due_on", "pk")


# --- who is told -----------------------------------------------------------------------------


def operational_people(plan: Plan) -> list[Person]:
    """The agency's side of the plan: who plays SOP 000's "operasional" actor in the agency
    (not a vendor's employee), or else the staff of the application's owning unit."""
    binding = ActorBinding.objects.filter(
        agency_id=plan.agency_id, procedure_key=SOP_000, actor_key="operasional"
    ).first()
    people = Person.objects.filter(agency_id=plan.agency_id, vendor__isnull=True)
    if binding is not None:
        if binding.person_id:
            found = people.filter(pk=binding.person_id)
        elif binding.position_id:
            found = people.filter(positions=binding.position_id)
        else:
            found = people.filter(unit_id=binding.unit_id or 0)
        result = list(found.order_by("pk"))
        if result:
            return result
    unit = plan.application.owner_unit
    if unit is None or unit.kind in (UnitKind.REQUESTING, UnitKind.VENDOR):
        return []
    return list(people.filter(unit_id=unit.pk).order_by("pk"))


def executing_vendor_id(plan: Plan, on: dt.date) -> int | None:
    """The vendor that carries out the plan's vendor activities on the date: the vendor of
    the plan's contract while it is in its period; for a plan of a budget year, the vendor
    whose contract for the application is in its period (the latest started)."""
    contracts = Contract.objects.filter(Contract.in_period(on))
    if plan.contract_id is not None:
        contracts = contracts.filter(pk=plan.contract_id)
    else:
        contracts = contracts.filter(application_id=plan.application_id)
    return contracts.order_by("-starts_on", "-pk").values_list("vendor_id", flat=True).first()


def contract_vendor_people(plan: Plan, on: dt.date) -> list[Person]:
    """The employees of the vendor carrying out the plan's vendor activities on the date."""
    vendor_id = executing_vendor_id(plan, on)
    if vendor_id is None:
        return []
    return list(Person.objects.filter(vendor_id=vendor_id).order_by("pk"))


def executors(occurrence: Occurrence, on: dt.date) -> list[Person]:
    """Who carries the activity out: the contract vendor's employees for a vendor activity
    (the agency's side when no contract of the plan is in its period), the agency's side
    for an internal one."""
    plan = occurrence.plan
    if occurrence.activity.executor == Executor.VENDOR:
        people = contract_vendor_people(plan, on)
        if people:
            return people
    return operational_people(plan)


def _superiors(people: Sequence[Person], plan: Plan) -> list[Person]:
    """The notified people's superiors; the agency's side of the plan when none has one (a
    vendor's employees)."""
    ids = {p.superior_id for p in people if p.superior_id is not None}
    if ids:
        return list(Person.objects.filter(pk__in=ids).order_by("pk"))
    return [p for p in operational_people(plan) if p.pk not in {q.pk for q in people}]


# --- the sweep -------------------------------------------------------------------------------


def _day_text(day: dt.date) -> str:
    return str(formats.date_format(day, "j F Y"))


def _what(o: Occurrence) -> dict[str, str]:
    app = o.plan.application
    return {
        "title": o.activity.title,
        "app": app.short_name or app.name,
        "due": _day_text(o.due_on),
    }


def _opened_message(o: Occurrence) -> str:
    return _("Maintenance activity due %(due)s: %(title)s (%(app)s)") % _what(o)


def _late_message(o: Occurrence) -> str:
    return _("Maintenance activity is late (it was due %(due)s): %(title)s (%(app)s)") % _what(o)


def _escalation_message(o: Occurrence, people: Sequence[Person]) -> str:
    names = ", ".join(p.name for p in people[:5]) + (" …" if len(people) > 5 else "")
    return _(
        "Maintenance activity late since %(due)s and not recorded yet by %(names)s: "
        "%(title)s (%(app)s)"
    ) % {**_what(o), "names": names or "-"}


def _plan_path(plan: Plan) -> str:
    try:
        return reverse("maintenance:plan", args=[plan.pk])
    except NoReverseMatch:
        return "/pemeliharaan/"


def tell(people: Sequence[Person], plan: Plan, message: str, now: dt.datetime) -> int:
    """Tell people about a plan's activity inside the caller's transaction: on the plan's
    case (in-app notices and e-mails) when it has one, else by e-mail. Returns how many."""
    if not people:
        return 0
    case = plan.case if plan.case_id is not None else None
    if case is not None:
        from laksana.cases import services

        services.notify(people, case, message, now)
        return len(people)
    from laksana.outbox import services as outbox

    subject = f"[Laksana] {plan.title}: {message}"
    body = f"{message}\n\n{plan.title}\n{outbox.absolute(_plan_path(plan))}\n"
    outbox.queue([p.email for p in people], subject, body, agency_id=plan.agency_id, now=now)
    return len(people)


def _local_today(agency: Agency, now: dt.datetime) -> dt.date:
    return timezone.localtime(now, ZoneInfo(agency.time_zone)).date()


def _horizon(calendar: Calendar, today: dt.date, lead_days: int) -> dt.date:
    """The day ``lead_days`` working days after today (today itself with no lead)."""
    day, count = today, 0
    while count < lead_days:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return day


def _late_from(calendar: Calendar, day: dt.date) -> dt.datetime:
    """The last working moment of ``day`` (its closing time less a microsecond: working time
    counted from it runs on at once), or midnight after it on a day off, in the calendar's
    zone: where the grace before an escalation is counted from."""
    intervals = calendar.working_intervals(day)
    if intervals:
        closing = dt.datetime.combine(day, intervals[-1][1], tzinfo=calendar.tz)
        return closing - dt.timedelta(microseconds=1)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=calendar.tz)


def _load(pk: int) -> Occurrence:
    return Occurrence.objects.select_related(
        "activity", "plan", "plan__application__owner_unit", "plan__case"
    ).get(pk=pk)


def _claim(pk: int, pending: Q, field: str, now: dt.datetime, **more: object) -> bool:
    return (
        Occurrence.objects.filter(pending, pk=pk, **{f"{field}__isnull": True}).update(
            **{field: now}, **more
        )
        == 1
    )


def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Open, tell about late and escalate the activities of the plans in force at ``now``
    (default: the present). Safe to run at any time, as often as wanted, in parallel."""
    now = now or timezone.now()
    grace = parse_time(settings.LAKSANA_ESCALATION_GRACE)
    result = SweepResult()
    agencies = Agency.objects.filter(
        pk__in=Plan.objects.filter(status=PlanStatus.IN_FORCE).values("agency_id")
    ).order_by("pk")
    with translation.override(settings.LANGUAGE_CODE):
        for agency in agencies:
            calendar = calendar_of(agency.pk)
            today = _local_today(agency, now)
            _open(agency, calendar, today, now, result)
            _late(agency, today, now, result)
            _escalate(agency, calendar, today, now, grace, result)
    return result


def _in_force(agency: Agency) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(plan__agency_id=agency.pk, plan__status=PlanStatus.IN_FORCE)


def _open(
    agency: Agency, calendar: Calendar, today: dt.date, now: dt.datetime, result: SweepResult
) -> None:
    leads = (
        Plan.objects.filter(agency_id=agency.pk, status=PlanStatus.IN_FORCE)
        .values_list("lead_days", flat=True)
        .distinct()
    )
    planned = Q(status=OccurrenceStatus.PLANNED)
    for lead in sorted(set(leads)):
        horizon = _horizon(calendar, today, lead)
        rows = _in_force(agency).filter(planned, plan__lead_days=lead, due_on__lte=horizon)
        for pk in rows.order_by("due_on", "pk").values_list("pk", flat=True):
            with transaction.atomic():
                if not _claim(pk, planned, "opened_at", now, status=OccurrenceStatus.OPEN):
                    continue
                o = _load(pk)
                result.opened += 1
                result.notifications += tell(executors(o, today), o.plan, _opened_message(o), now)


def _late(agency: Agency, today: dt.date, now: dt.datetime, result: SweepResult) -> None:
    pending = Q(status__in=PENDING)
    rows = _in_force(agency).filter(pending, due_on__lt=today, late_noticed_at__isnull=True)
    for pk in rows.order_by("due_on", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not _claim(pk, pending, "late_noticed_at", now):
                continue
            o = _load(pk)
            result.late += 1
            result.notifications += tell(executors(o, today), o.plan, _late_message(o), now)


def _escalate(
    agency: Agency,
    calendar: Calendar,
    today: dt.date,
    now: dt.datetime,
    grace: TimeStandard,
    result: SweepResult,
) -> None:
    pending = Q(status__in=PENDING)
    rows = _in_force(agency).filter(
        pending, due_on__lt=today, late_noticed_at__isnull=False, escalated_at__isnull=True
    )
    for pk, due_on in rows.order_by("due_on", "pk").values_list("pk", "due_on"):
        if calendar.due(_late_from(calendar, due_on), grace) > now:
            continue
        with transaction.atomic():
            if not _claim(pk, pending, "escalated_at", now):
                continue
            o = _load(pk)
            held_by = executors(o, today)
            people = _superiors(held_by, o.plan)
            result.escalated += 1
            result.notifications += tell(people, o.plan, _escalation_message(o, held_by), now)
