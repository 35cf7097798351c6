"""The SLA sweep: almost-due, overdue and escalation notices for the active steps.

A step's due time is stored when it starts (``CaseStep.due_at``, indexed), so the sweep finds
its work with range conditions on ``due_at`` and never reads every open step:

* **almost due**: the share of the step's working time that has passed (working minutes
  from ``activated_at`` to now less the minutes on hold, over the working minutes the
  standard allows) has reached ``LAKSANA_NEAR_DUE_SHARE`` (default 0.75) while ``due_at`` is
  still ahead: the claimant, or everyone who holds the step's actor, is told once;
* **overdue**: ``due_at`` has passed: the same people are told once;
* **escalated**: the step has been overdue for longer than ``LAKSANA_ESCALATION_GRACE``
  (working time in the agency's calendar, default 1 hari): the superiors of the claimant, or
  of the holders, are told once.

Each notice is guarded by a conditional update of its timestamp on the step
(``filter(pk=…, overdue_notified_at__isnull=True).update(overdue_notified_at=now)``, exactly
one row or nothing) in the same transaction as the notification rows: running the sweep
twice, or in two workers at once, never sends a notice twice, and a notice whose transaction
fails is sent by the next sweep. Steps on hold are skipped: their clock stands still.

Open dispositions with a deadline are watched too: once the deadline has passed, the
recipient and the sender are told, once (``Disposition.overdue_notified_at``, set by the same
kind of conditional update; found through a partial index of the open dispositions with a
deadline not yet told). A disposition finished (done, forwarded, withdrawn) before its deadline
is not open and is never told about.

Finding the almost-due steps needs working-time arithmetic, which SQL cannot do; instead, for
each agency calendar and each time standard the sweep computes the latest due time a step of
that standard can have and already be almost due (the working time left at the threshold is
at most ``(1 - share)`` of the standard), and asks the database only for steps due by then.
The exact share is then checked in Python on those few candidates.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from laksana.cases import services
from laksana.cases.jointsteps import step_holders as acting_holders
from laksana.cases.models import OPEN_DISPOSITION, CaseStep, Disposition, StepStatus
from laksana.engine.timetext import TimeStandard, TimeUnit, parse_time
from laksana.engine.worktime import ZONE_ALIASES, Calendar
from laksana.org.models import Agency, Person
from laksana.outbox.services import shorten
from laksana.procedures.models import ProcedureVersion
from laksana.worktime.services import calendars_for

BATCH = 500
_ZONE_NAMES = {zone: name for name, zone in ZONE_ALIASES.items()}


@dataclass
class SweepResult:
    """How many steps got each notice in one sweep, and how many notifications were written."""

    near_due: int = 0
    overdue: int = 0
    escalated: int = 0
    dispositions_overdue: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Calendars:
    """Agency working calendars, looked up once per sweep or report."""

    def __init__(self) -> None:
        self._by_agency: dict[int, Calendar] = {}

    def __call__(self, agency_id: int) -> Calendar:
        calendar = self._by_agency.get(agency_id)
        if calendar is None:
            self.load([agency_id])
            calendar = self._by_agency[agency_id]
        return calendar

    def load(self, agency_ids: Iterable[int]) -> None:
        """Look up the calendars of these agencies at once (one query)."""
        missing = set(agency_ids) - set(self._by_agency)
        if missing:
            self._by_agency.update(calendars_for(missing))


def elapsed_share(
    calendar: Calendar,
    activated_at: dt.datetime,
    due_at: dt.datetime,
    held_minutes: float,
    now: dt.datetime,
) -> float:
    """The share of a step's working time that has passed at ``now``.

    Working minutes from ``activated_at`` to ``now`` less the minutes on hold, over the
    working minutes from ``activated_at`` to ``due_at`` less the minutes on hold (resuming a
    step moves its due time later by the working time it was on hold, so the difference is
    what its standard allows). A step due the moment it starts has used all of its time.
    """
    held = held_minutes or 0
    allowed = calendar.working_minutes_between(activated_at, due_at) - held
    if allowed <= 0:
        return 1.0
    return (calendar.working_minutes_between(activated_at, now) - held) / allowed


def _longest_day(calendar: Calendar) -> int:
    """The most working minutes any day of the calendar can have."""
    schedules = [calendar.schedule, *(period.schedule for period in calendar.periods)]
    return max(
        sum(end - start for start, end in schedule.day_minutes(weekday))
        for schedule in schedules
        for weekday in range(7)
    )


def _longest_allowed(calendar: Calendar, standard: TimeStandard) -> float:
    """An upper bound of the working minutes a step of ``standard`` is allowed.

    Minute and hour standards allow exactly their minutes; N days run from a clock time to
    the same clock time N working days later, which is never more than N + 1 of the
    calendar's longest days.
    """
    if standard.unit is TimeUnit.DAY:
        return (standard.days + 1) * _longest_day(calendar)
    return standard.minutes


def _any(conditions: Sequence[Q]) -> Q | None:
    return functools.reduce(operator.or_, conditions) if conditions else None


def _near_due_condition(
    calendar: Calendar, versions: Sequence[ProcedureVersion], now: dt.datetime, share: float
) -> Q | None:
    """Steps of these versions that may be almost due at ``now`` in this calendar: for each
    time standard, those due no later than the point where what is left of the longest time
    the standard allows is ``(1 - share)`` of it. A superset; the exact share is checked
    after."""
    bounds: dict[tuple[TimeUnit, float], dt.datetime] = {}
    groups: dict[dt.datetime, list[Q]] = {}
    for version in versions:
        keys_by_bound: dict[dt.datetime, list[str]] = {}
        for step in version.spec.steps:
            if step.time is None:
                continue
            key = (step.time.unit, step.time.amount)
            bound = bounds.get(key)
            if bound is None:
                left = math.ceil((1 - share) * _longest_allowed(calendar, step.time))
                bound = bounds[key] = calendar.add_working_minutes(now, left)
            keys_by_bound.setdefault(bound, []).append(step.id)
        for bound, keys in keys_by_bound.items():
            groups.setdefault(bound, []).append(Q(case__version_id=version.pk, step_key__in=keys))
    return _any(
        [Q(due_at__lte=bound) & functools.reduce(operator.or_, qs) for bound, qs in groups.items()]
    )


def _open_steps() -> QuerySet[CaseStep]:
    """Active steps whose clock is running (not on hold) and that have a due time."""
    return CaseStep.objects.filter(
        status=StepStatus.ACTIVE, on_hold_since__isnull=True, due_at__isnull=False
    )


def _pages(qs: QuerySet[CaseStep], *fields: str) -> Iterator[list[tuple[Any, ...]]]:
    """``(pk, due_at, *fields)`` of the steps of ``qs`` in due order, a batch at a time, with
    a keyset on ``(due_at, pk)`` (rows that drop out of ``qs`` meanwhile do no harm)."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        page = qs
        if after is not None:
            page = page.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
        rows = list(page.order_by("due_at", "pk").values_list("pk", "due_at", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        after = (rows[-1][1], rows[-1][0])


def step_holders(row: CaseStep) -> list[Person]:
    """Who holds an active step: its claimant, or everyone who plays its actor (or one of
    its joint or any-of actors)."""
    if row.claimed_by is not None:
        return [row.claimed_by]
    return acting_holders(row.case, row)


def superiors_of(people: Sequence[Person]) -> list[Person]:
    """The distinct superiors of ``people``."""
    ids = {p.superior_id for p in people if p.superior_id is not None}
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def _when(row: CaseStep) -> str:
    assert row.due_at is not None
    zone = row.case.agency.time_zone
    local = timezone.localtime(row.due_at, ZoneInfo(zone))
    return f"{local:%d-%m-%Y %H:%M} {_ZONE_NAMES.get(zone, zone)}"


def _activity(row: CaseStep) -> tuple[str, str]:
    step = row.case.version.spec.step(row.step_key)
    return step.number, shorten(step.activity, 120)


def _near_due_message(row: CaseStep) -> str:
    number, activity = _activity(row)
    return _("Step %(no)s is almost due (due %(due)s): %(activity)s") % {
        "no": number,
        "due": _when(row),
        "activity": activity,
    }


def _overdue_message(row: CaseStep) -> str:
    number, activity = _activity(row)
    return _("Step %(no)s is overdue (it was due %(due)s): %(activity)s") % {
        "no": number,
        "due": _when(row),
        "activity": activity,
    }


def _escalation_message(row: CaseStep, held_by: Sequence[Person]) -> str:
    number, activity = _activity(row)
    return _(
        "Step %(no)s has been overdue since %(due)s and is still with %(names)s: %(activity)s"
    ) % {
        "no": number,
        "due": _when(row),
        "names": ", ".join(p.name for p in held_by[:5]) + (" …" if len(held_by) > 5 else ""),
        "activity": activity,
    }


Sender = Callable[[CaseStep, dt.datetime], int]


def _tell_holders(message: Callable[[CaseStep], str]) -> Sender:
    def send(row: CaseStep, now: dt.datetime) -> int:
        people = step_holders(row)
        services.notify(people, row.case, message(row), now)
        return len(people)

    return send


def _tell_superiors(row: CaseStep, now: dt.datetime) -> int:
    held_by = step_holders(row)
    people = superiors_of(held_by)
    services.notify(people, row.case, _escalation_message(row, held_by), now)
    return len(people)


def _mark_and_send(pk: int, field: str, now: dt.datetime, send: Sender) -> int | None:
    """Set ``field`` to ``now`` on the step if it is still unset and the step still active
    and running, then send the notice, in one transaction. Returns how many people were
    told, or None when another sweep got there first (or the step moved on meanwhile)."""
    with transaction.atomic():
        claimed = (
            CaseStep.objects.filter(pk=pk, status=StepStatus.ACTIVE, on_hold_since__isnull=True)
            .filter(**{f"{field}__isnull": True})
            .update(**{field: now})
        )
        if claimed != 1:
            return None
        row = CaseStep.objects.select_related(
            "case__version", "case__agency", "case__application", "claimed_by"
        ).get(pk=pk)
        return send(row, now)


def _grace_floor(grace: TimeStandard) -> dt.timedelta:
    """How much calendar time the grace period lasts at least: working minutes never run
    faster than the clock, and N working days end on a date at least N days later."""
    if grace.unit is TimeUnit.DAY:
        return dt.timedelta(days=max(grace.days - 1, 0))
    return dt.timedelta(minutes=grace.minutes)


def sweep(
    now: dt.datetime | None = None,
    *,
    share: float | None = None,
    grace: str | None = None,
) -> SweepResult:
    """Send the notices that are due at ``now`` (default: the current time) and say how
    many. ``share`` and ``grace`` default to the settings ``LAKSANA_NEAR_DUE_SHARE`` and
    ``LAKSANA_ESCALATION_GRACE``. Safe to run at any time, as often as wanted, in parallel."""
    now = now or timezone.now()
    share = settings.LAKSANA_NEAR_DUE_SHARE if share is None else share
    grace_standard = parse_time(grace or settings.LAKSANA_ESCALATION_GRACE)
    result = SweepResult()
    calendars = Calendars()
    # Notices are written in the site's language (Indonesian), whoever runs the sweep.
    with translation.override(settings.LANGUAGE_CODE):
        _send_overdue(now, result)
        _send_escalations(now, grace_standard, calendars, result)
        _send_near_due(now, share, calendars, result)
        _send_disposition_deadlines(now, result)
    return result


def _count(result: SweepResult, kind: str, told: int | None) -> None:
    if told is not None:
        setattr(result, kind, getattr(result, kind) + 1)
        result.notifications += told


def _send_overdue(now: dt.datetime, result: SweepResult) -> None:
    """Overdue: due before ``now`` and not yet told (index range on due_at)."""
    send = _tell_holders(_overdue_message)
    steps = _open_steps().filter(overdue_notified_at__isnull=True, due_at__lt=now)
    for page in _pages(steps):
        for pk, _due in page:
            _count(result, "overdue", _mark_and_send(pk, "overdue_notified_at", now, send))


def _send_escalations(
    now: dt.datetime, grace: TimeStandard, calendars: Calendars, result: SweepResult
) -> None:
    """Escalation: overdue for longer than ``grace`` in the agency's working time. The query
    asks for the steps overdue by at least the grace period's least calendar length; the
    working-time check on those is exact."""
    steps = _open_steps().filter(escalated_at__isnull=True, due_at__lt=now - _grace_floor(grace))
    for page in _pages(steps, "case__agency_id"):
        for pk, due_at, agency_id in page:
            if calendars(agency_id).due(due_at, grace) > now:
                continue
            _count(result, "escalated", _mark_and_send(pk, "escalated_at", now, _tell_superiors))


def _send_near_due(
    now: dt.datetime, share: float, calendars: Calendars, result: SweepResult
) -> None:
    """Almost due: due after ``now``, not yet told, and past ``share`` of its working time."""
    send = _tell_holders(_near_due_message)
    versions = list(
        ProcedureVersion.objects.only("pk", "procedure_key", "number", "checksum", "source")
    )
    for agency_id in Agency.objects.order_by("pk").values_list("pk", flat=True):
        calendar = calendars(agency_id)
        condition = _near_due_condition(calendar, versions, now, share)
        if condition is None:
            continue
        steps = _open_steps().filter(
            condition, case__agency_id=agency_id, near_due_notified_at__isnull=True, due_at__gt=now
        )
        for page in _pages(steps, "activated_at", "held_minutes"):
            for pk, due_at, activated_at, held in page:
                if elapsed_share(calendar, activated_at, due_at, held, now) < share:
                    continue
                _count(result, "near_due", _mark_and_send(pk, "near_due_notified_at", now, send))


def _deadline_message(d: Disposition) -> str:
    zone = d.case.agency.time_zone
    assert d.deadline is not None
    local = timezone.localtime(d.deadline, ZoneInfo(zone))
    return _(
        "The disposition from %(sender)s to %(recipient)s is past its deadline "
        "(%(deadline)s): %(instruction)s"
    ) % {
        "sender": d.sender.name,
        "recipient": d.recipient.name,
        "deadline": f"{local:%d-%m-%Y %H:%M} {_ZONE_NAMES.get(zone, zone)}",
        "instruction": shorten(d.instruction, 120),
    }


def _send_disposition_deadlines(now: dt.datetime, result: SweepResult) -> None:
    """Open dispositions whose deadline has passed and that were not told about yet: their
    recipient and their sender are told once. Every disposition of a batch leaves the query
    (marked here or by another sweep, or no longer open), so the loop ends."""
    due = Disposition.objects.filter(
        deadline__isnull=False,
        overdue_notified_at__isnull=True,
        status__in=OPEN_DISPOSITION,
        deadline__lt=now,
    )
    while True:
        batch = list(due.order_by("deadline", "pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return
        for pk in batch:
            with transaction.atomic():
                marked = due.filter(pk=pk).update(overdue_notified_at=now)
                if marked != 1:
                    continue
                d = Disposition.objects.select_related(
                    "case", "case__agency", "sender", "recipient"
                ).get(pk=pk)
                people = [d.recipient] if d.sender_id == d.recipient_id else [d.recipient, d.sender]
                services.notify(people, d.case, _deadline_message(d), now)
            result.dispositions_overdue += 1
            result.notifications += len(people)
