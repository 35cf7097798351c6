"""Compliance with the SOP time standards: per procedure and per step, how long the steps
completed in a period actually took in working time, against their standards.

The actual time of a step activation is the working time from its activation to its
completion in the agency's calendar, less the working minutes it spent on hold. It is
within its standard when it was completed by its due time (stored when it started, moved on
by its holds), as the case page says; a step from before due times were stored is measured
against what its standard allows from the moment it started (minutes and hours exactly, N
days up to the same clock time N working days later).
A step whose time standard changed between versions has a row per standard, each with the
runs of the versions that had it and named with their numbers: a run is never shown
against a newer version's standard.
Working-time arithmetic cannot be done in SQL, so the statistics are computed here, over
the filtered completed steps, reading only the columns needed, a chunk at a time.

Everything is read through the visibility gate (:func:`laksana.cases.queries.visible_cases`):
the report shows the same cases to a person as the case list does.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import ngettext

from laksana.cases.models import CaseStep, StepStatus
from laksana.cases.queries import person_of, visible_cases
from laksana.cases.sla import Calendars
from laksana.engine.spec import ProcedureSpec
from laksana.engine.timetext import TimeStandard, TimeUnit
from laksana.engine.worktime import Calendar
from laksana.org.models import Agency, Person, UnitKind
from laksana.procedures.models import ProcedureVersion
from laksana.worktime.display import Span, duration_text

User = AbstractBaseUser | AnonymousUser

CHUNK = 2000
SLOWEST_PER_STEP = 3
SLOWEST_PER_PROCEDURE = 5
# A working day of the national schedule (7.5 hours), for showing long durations in days.
WORKING_DAY_MINUTES = 450
# The SOPs' own words for the units, used when a standard's text has none.
_UNIT_WORDS = {TimeUnit.MINUTE: "menit", TimeUnit.HOUR: "jam", TimeUnit.DAY: "hari"}
# Working minutes are computed in microseconds; this much is still "within" the standard.
_TOLERANCE = 1e-6


# --- who may read the reports --------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a user's reports cover: every agency (superusers) or their own agency's cases,
    always through the visibility gate."""

    user: User
    person: Person | None
    agency_ids: frozenset[int] | None  # None: every agency

    @property
    def is_superuser(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False))

    def agencies(self) -> QuerySet[Agency]:
        if self.agency_ids is None:
            return Agency.objects.order_by("name")
        return Agency.objects.filter(pk__in=self.agency_ids).order_by("name")


def is_agency_staff(person: Person) -> bool:
    """Staff of an agency: people of its own offices, divisions, sections and teams, not of
    a requesting unit or a vendor."""
    return person.vendor_id is None and person.unit.kind not in (
        UnitKind.REQUESTING,
        UnitKind.VENDOR,
    )


def may_read_reports(user: User, person: Person | None) -> bool:
    """Whether ``user`` (whose Person is ``person``) may open the reports: superusers, staff
    of an agency and staff accounts of an agency, not requesters or vendors. No query."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    if person is None:
        return False
    return is_agency_staff(person) or (
        bool(getattr(user, "is_staff", False)) and person.vendor_id is None
    )


def report_scope(user: User, person: Person | None = None, *, known: bool = False) -> Scope:
    """The scope of ``user``'s reports; PermissionDenied for anyone but superusers and staff
    of an agency. ``known=True`` says ``person`` is already the user's Person (or None)."""
    if not known:
        person = person_of(user)
    if not may_read_reports(user, person):
        raise PermissionDenied
    if getattr(user, "is_superuser", False):
        return Scope(user, person, None)
    assert person is not None
    return Scope(user, person, frozenset({person.agency_id}))


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The report's filters: steps completed from ``start`` to ``end`` (both dates included,
    in ``zone``), optionally of one agency, requesting unit, application or procedure."""

    start: dt.date
    end: dt.date
    zone: str = "Asia/Jakarta"
    agency_id: int | None = None
    unit_id: int | None = None
    application_id: int | None = None
    procedure_key: str = ""

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as [from, until) instants: local midnights in ``zone``."""
        tz = ZoneInfo(self.zone)
        start = dt.datetime.combine(self.start, dt.time(), tzinfo=tz)
        until = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return start, until


def completed_steps(scope: Scope, filters: Filters) -> QuerySet[CaseStep]:
    """The completed step activations the report covers (visible to the user, filtered)."""
    start, until = filters.bounds()
    qs = CaseStep.objects.filter(
        status=StepStatus.COMPLETED, completed_at__gte=start, completed_at__lt=until
    )
    if not scope.is_superuser:
        qs = qs.filter(case_id__in=visible_cases(scope.user).values("pk"))
    if scope.agency_ids is not None:
        qs = qs.filter(case__agency_id__in=scope.agency_ids)
    if filters.agency_id is not None:
        qs = qs.filter(case__agency_id=filters.agency_id)
    if filters.unit_id is not None:
        qs = qs.filter(case__requesting_unit_id=filters.unit_id)
    if filters.application_id is not None:
        qs = qs.filter(case__application_id=filters.application_id)
    if filters.procedure_key:
        qs = qs.filter(case__version__procedure_key=filters.procedure_key)
    return qs


# --- statistics ----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) of sorted ``values`` by linear interpolation between the
    closest ranks (the "inclusive" method of :func:`statistics.quantiles`, numpy's default)."""
    if not values:
        raise ValueError("no values")
    position = (len(values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass(frozen=True)
class Activation:
    """One completed step activation: its case, its actual and allowed working minutes."""

    step_id: int
    case_reference: str
    case_title: str
    step_number: str
    actual: float
    allowed: float | None  # None: the step has no time standard
    within: bool | None  # None: the step has no time standard

    @property
    def ratio(self) -> float | None:
        if self.allowed is None or self.allowed <= 0:
            return None
        return self.actual / self.allowed


@dataclass
class StepStats:
    """A step of a procedure over the period."""

    step_key: str
    number: str
    activity: str
    standard: TimeStandard | None
    actual: list[float] = field(default_factory=list)  # sorted once complete
    allowed: list[float] = field(default_factory=list)
    within: int = 0
    slowest: list[Activation] = field(default_factory=list)
    #: The numbers of the procedure's versions whose runs these are (all with this standard).
    versions: list[int] = field(default_factory=list)
    #: Whether the step has other rows, of versions with another standard.
    split: bool = False

    @property
    def version_text(self) -> str:
        """The versions of this row when the step's standard changed between versions (the
        runs of each version are measured and shown with their own standard), else ""."""
        if not self.split:
            return ""
        numbers = ", ".join(str(n) for n in self.versions)
        return ngettext("version %(numbers)s", "versions %(numbers)s", len(self.versions)) % {
            "numbers": numbers
        }

    @property
    def count(self) -> int:
        return len(self.actual)

    @property
    def median(self) -> float | None:
        return percentile(self.actual, 0.5) if self.actual else None

    @property
    def p90(self) -> float | None:
        return percentile(self.actual, 0.9) if self.actual else None

    @property
    def standard_text(self) -> str:
        """The time standard as the SOP writes it, with its unit when the SOP left it out
        ("±1" in a column of hours reads "±1 jam")."""
        if self.standard is None:
            return ""
        text = self.standard.text
        if not any(ch.isalpha() for ch in text):
            text = f"{text} {_UNIT_WORDS[self.standard.unit]}"
        return text

    @property
    def standard_minutes(self) -> float | None:
        """What the standard allows in working minutes: exact for minutes and hours, the
        median over the activations for days (it depends on when each started)."""
        if self.standard is None or not self.allowed:
            return None
        return percentile(self.allowed, 0.5)

    @property
    def share_within(self) -> float | None:
        if self.standard is None or not self.actual:
            return None
        return self.within / len(self.actual)


@dataclass
class ProcedureStats:
    """A procedure over the period: its steps in the order of the procedure."""

    procedure_key: str
    title: str
    steps: list[StepStats]
    slowest: list[Activation]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.steps)

    @property
    def timed_count(self) -> int:
        return sum(s.count for s in self.steps if s.standard is not None)

    @property
    def share_within(self) -> float | None:
        timed = self.timed_count
        if not timed:
            return None
        return sum(s.within for s in self.steps if s.standard is not None) / timed


@dataclass
class Report:
    """The compliance report: the filters it was made with and a block per procedure."""

    filters: Filters
    procedures: list[ProcedureStats]

    @property
    def count(self) -> int:
        return sum(p.count for p in self.procedures)


def _specs(version_ids: Iterable[int]) -> dict[int, tuple[str, int, ProcedureSpec]]:
    rows = ProcedureVersion.objects.filter(pk__in=set(version_ids)).only(
        "pk", "procedure_key", "number", "title", "checksum", "source"
    )
    return {v.pk: (v.procedure_key, v.number, v.spec) for v in rows}


def compliance(scope: Scope, filters: Filters) -> Report:
    """The compliance report for ``scope`` under ``filters``."""
    rows = (
        completed_steps(scope, filters)
        .order_by()
        .values_list(
            "pk",
            "case__reference",
            "case__title",
            "case__agency_id",
            "case__version_id",
            "step_key",
            "activated_at",
            "completed_at",
            "due_at",
            "held_minutes",
        )
    )
    calendars = Calendars()
    specs: dict[int, tuple[str, int, ProcedureSpec]] = {}
    # procedure key -> (step key, time standard) -> stats: the runs of versions with different
    # standards for a step are counted apart, each against its own standard. And the newest
    # version seen, for titles and order.
    stats: dict[str, dict[tuple[str, TimeStandard | None], StepStats]] = {}
    newest: dict[str, tuple[int, ProcedureSpec]] = {}
    slow_steps: dict[
        tuple[str, tuple[str, TimeStandard | None]], list[tuple[float, int, Activation]]
    ] = {}
    slow_cases: dict[str, list[tuple[float, int, Activation]]] = {}
    for (
        pk,
        reference,
        title,
        agency_id,
        version_id,
        step_key,
        activated_at,
        completed_at,
        due_at,
        held,
    ) in rows.iterator(chunk_size=CHUNK):
        if version_id not in specs:
            specs.update(_specs([version_id]))
        procedure_key, number, spec = specs[version_id]
        if number > newest.get(procedure_key, (0, spec))[0]:
            newest[procedure_key] = (number, spec)
        step = spec.step(step_key)
        calendar = calendars(agency_id)
        assert completed_at is not None  # a completed step
        actual = max(calendar.working_minutes_between(activated_at, completed_at) - held, 0.0)
        allowed, within = _against_standard(
            calendar, step.time, activated_at, completed_at, due_at, held
        )
        group = (step_key, step.time)
        entry = stats.setdefault(procedure_key, {}).get(group)
        if entry is None:
            entry = StepStats(step_key, step.number, step.activity, step.time)
            stats[procedure_key][group] = entry
        if number not in entry.versions:
            if not entry.versions or number > max(entry.versions):
                entry.number, entry.activity = step.number, step.activity
            entry.versions.append(number)
        activation = Activation(pk, reference, title, step.number, actual, allowed, within)
        entry.actual.append(actual)
        if allowed is not None:
            entry.allowed.append(allowed)
            if within:
                entry.within += 1
        _keep_largest(
            slow_steps.setdefault((procedure_key, group), []),
            actual,
            activation,
            SLOWEST_PER_STEP,
        )
        ratio = activation.ratio
        if ratio is not None:
            _keep_largest(
                slow_cases.setdefault(procedure_key, []), ratio, activation, SLOWEST_PER_PROCEDURE
            )
    procedures = []
    for procedure_key, by_step in stats.items():
        _number, spec = newest[procedure_key]
        order = {step.id: index for index, step in enumerate(spec.steps)}
        steps = sorted(
            by_step.values(),
            key=lambda s: (order.get(s.step_key, len(order)), s.step_key, -max(s.versions)),
        )
        rows_per_step = Counter(s.step_key for s in steps)
        for s in steps:
            # A step keeps the number and wording of the newest version it ran on, and the
            # standard of its own versions (never a newer version's).
            s.versions.sort()
            s.split = rows_per_step[s.step_key] > 1
            s.actual.sort()
            s.allowed.sort()
            s.slowest = _largest(slow_steps[(procedure_key, (s.step_key, s.standard))])
        procedures.append(
            ProcedureStats(
                procedure_key,
                spec.identity.title,
                steps,
                _largest(slow_cases.get(procedure_key, [])),
            )
        )
    procedures.sort(key=lambda p: p.title)
    return Report(filters, procedures)


def _against_standard(
    calendar: Calendar,
    standard: TimeStandard | None,
    activated_at: dt.datetime,
    completed_at: dt.datetime,
    due_at: dt.datetime | None,
    held: float,
) -> tuple[float | None, bool | None]:
    """What the standard allowed a step activation (working minutes, time on hold left out)
    and whether it was done within it, as the case page says: by its stored due time (set
    when it started, moved by its holds), or for a step from before due times were stored,
    by the standard counted from its start."""
    if standard is None:
        return None, None
    if due_at is not None:
        allowed = calendar.working_minutes_between(activated_at, due_at) - held
        return max(allowed, 0.0), completed_at <= due_at
    allowed = calendar.working_minutes_between(activated_at, calendar.due(activated_at, standard))
    actual = calendar.working_minutes_between(activated_at, completed_at) - held
    return allowed, actual <= allowed + _TOLERANCE


def _keep_largest(
    heap: list[tuple[float, int, Activation]], key: float, item: Activation, size: int
) -> None:
    entry = (key, -item.step_id, item)
    if len(heap) < size:
        heapq.heappush(heap, entry)
    elif entry[:2] > heap[0][:2]:
        heapq.heapreplace(heap, entry)


def _largest(heap: list[tuple[float, int, Activation]]) -> list[Activation]:
    return [item for _key, _tie, item in sorted(heap, key=lambda e: e[:2], reverse=True)]


# --- showing durations ---------------------------------------------------------------------


def working_time_text(minutes: float | None) -> str:
    """A working duration for people, worded as on the case pages: "45 min", "2 h 15 min",
    "3 working days 2 h" (a day of statistics is the national schedule's 7.5 hours)."""
    if minutes is None:
        return "—"
    whole = max(round(minutes), 0)
    days, rest = divmod(whole, WORKING_DAY_MINUTES)
    hours, rest = divmod(rest, 60)
    return duration_text(Span(days, hours, rest))


def share_text(share: float | None) -> str:
    """A share as a whole percentage, "—" when there is none."""
    return "—" if share is None else f"{round(share * 100)}%"
