"""A person's inbox: the steps offered to them, the steps they claimed, the dispositions
addressed to them. Read-only; every query is limited to cases the visibility gate allows.

"Offered" is :func:`laksana.cases.holders.holders` turned around: instead of asking who holds
the actor of one step, it asks which active steps have an actor this person holds, in one
query (bound actors by the agency's bindings, the requesting unit and the vendor per case,
a chosen actor by the case's choice). A step a superior reassigned is offered to the person it
was given to only (:mod:`laksana.cases.reassign`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from laksana.cases import vendors
from laksana.cases.display import StepClock, step_clock
from laksana.cases.jointsteps import holds_step
from laksana.cases.models import (
    OPEN_DISPOSITION,
    Case,
    CaseStep,
    Disposition,
    DispositionStatus,
    StepStatus,
)
from laksana.cases.queries import visible_cases
from laksana.cases.sharedsteps import shared_of, shared_steps
from laksana.engine import stepactors
from laksana.engine.spec import ActorKind, Step
from laksana.org.models import ActorBinding, Person
from laksana.procedures.models import ProcedureVersion
from laksana.worktime.services import calendars_for

# Per version (id and checksum), its actors resolved per case: (actor key, kind). Versions
# never change, so a version is parsed for this once per process. (Keyed by the checksum too:
# a test database may give an id to another version.)
_CASE_ACTORS: dict[tuple[int, str], tuple[tuple[str, ActorKind], ...]] = {}


def _case_actors() -> dict[int, tuple[tuple[str, ActorKind], ...]]:
    keys = set(ProcedureVersion.objects.values_list("pk", "checksum"))
    missing = {pk for pk, checksum in keys if (pk, checksum) not in _CASE_ACTORS}
    for version in ProcedureVersion.objects.filter(pk__in=missing):
        _CASE_ACTORS[(version.pk, version.checksum)] = tuple(
            (a.id, a.kind)
            for a in version.spec.actors
            if a.kind in (ActorKind.REQUESTING_UNIT, ActorKind.VENDOR)
        )
    return {pk: _CASE_ACTORS[(pk, c)] for pk, c in keys if (pk, c) in _CASE_ACTORS}


def _held_actor_filter(person: Person) -> Q:
    """A CaseStep filter: steps whose actor this person holds in the step's case, or that
    were reassigned to them; never a step reassigned to someone else."""
    q = Q(assigned_to=person) | Q(
        case__chosen_actors__person=person, case__chosen_actors__actor_key=F("actor_key")
    )
    bindings = (
        ActorBinding.objects.filter(
            Q(person=person) | Q(position__holders=person) | Q(unit_id=person.unit_id)
        )
        .values_list("agency_id", "procedure_key", "actor_key")
        .distinct()
    )
    shared = shared_steps()  # steps other actors (joint, any-of) act on too
    for agency_id, procedure_key, actor_key in bindings:
        q |= Q(
            case__agency_id=agency_id,
            case__version__procedure_key=procedure_key,
            actor_key=actor_key,
        )
        for version_id, keys in shared_of(shared, procedure_key, [actor_key]):
            q |= Q(case__agency_id=agency_id, case__version_id=version_id, step_key__in=keys)
    others = {pk: by_actor for versions in shared.values() for pk, by_actor in versions}
    for version_id, actors in _case_actors().items():
        for actor_key, kind in actors:
            steps = Q(actor_key=actor_key) | Q(
                step_key__in=others.get(version_id, {}).get(actor_key, ())
            )
            if kind is ActorKind.REQUESTING_UNIT:
                q |= steps & Q(case__version_id=version_id, case__requesting_unit_id=person.unit_id)
            elif person.vendor_id is not None:
                q |= steps & Q(
                    case__version_id=version_id,
                    case__application__contracts__vendor_id=person.vendor_id,
                )
    return q & (Q(assigned_to__isnull=True) | Q(assigned_to=person))


def _steps() -> QuerySet[CaseStep]:
    return CaseStep.objects.select_related(
        "case", "case__version", "case__requesting_unit", "claimed_by"
    ).order_by("activated_at", "pk")


def offered_steps(
    person: Person, user: AbstractBaseUser | AnonymousUser | None, limit: int = 100
) -> list[CaseStep]:
    """Active steps nobody has claimed whose actor this person holds, oldest first (at most
    ``limit``; the case list shows the rest)."""
    rows = (
        _steps()
        .filter(_held_actor_filter(person), status=StepStatus.ACTIVE, claimed_by__isnull=True)
        .filter(case__in=visible_cases(user).values("pk"))
        .distinct()[:limit]
    )
    out = []
    for row in rows:
        spec = row.case.version.spec
        step = spec.step(row.step_key)
        kinds = {spec.actor(a).kind for a in (row.actor_key, *stepactors.others(step))}
        # A vendor's employee holds nothing outside its contracts' periods, whichever way the
        # actor reaches them; the vendor actor only while its contract is the current one.
        if person.vendor_id is not None and not vendors.may_act(person, row.case):
            continue
        if (
            kinds & {ActorKind.VENDOR, ActorKind.CHOSEN}
            and row.assigned_to_id is None
            and not holds_step(person, row.case, row)
        ):
            # The vendor of this case's application; the person chosen for this case (a
            # binding of a chosen actor stands in only where nobody was chosen).
            continue
        out.append(row)
    return out


def claimed_steps(person: Person) -> list[CaseStep]:
    """Active steps this person has claimed, oldest first."""
    return list(_steps().filter(status=StepStatus.ACTIVE, claimed_by=person))


def open_dispositions(person: Person) -> list[Disposition]:
    """Dispositions to this person not yet finished: unread first, then newest first."""
    rows = (
        Disposition.objects.filter(recipient=person, status__in=OPEN_DISPOSITION)
        .select_related("case", "case__version", "sender", "step")
        .order_by("-created_at", "-pk")
    )
    return sorted(rows, key=lambda d: d.status != DispositionStatus.UNREAD)


@dataclass(frozen=True)
class InboxItem:
    """One line of the inbox, whatever brought it there."""

    case: Case
    step: Step | None
    row: CaseStep | None
    disposition: Disposition | None
    waiting_since: dt.datetime
    urgency: str = ""
    urgency_label: str = ""
    deadline: dt.datetime | None = None
    time_standard: str = ""
    clock: StepClock | None = None  # the step's due time in words, on the agency's calendar

    @property
    def unread(self) -> bool:
        return self.disposition is not None and self.disposition.status == DispositionStatus.UNREAD


def step_items(rows: Sequence[CaseStep], now: dt.datetime | None = None) -> list[InboxItem]:
    now = now or timezone.now()
    calendars = calendars_for({row.case.agency_id for row in rows})
    items = []
    for row in rows:
        step = row.case.version.spec.step(row.step_key)
        items.append(
            InboxItem(
                case=row.case,
                step=step,
                row=row,
                disposition=None,
                waiting_since=row.claimed_at or row.activated_at,
                time_standard=step.time.text if step.time else "",
                clock=step_clock(calendars[row.case.agency_id], row, step, now),
            )
        )
    return items


def disposition_items(rows: Sequence[Disposition]) -> list[InboxItem]:
    items = []
    for d in rows:
        step = d.case.version.spec.step(d.step.step_key) if d.step else None
        items.append(
            InboxItem(
                case=d.case,
                step=step,
                row=d.step,
                disposition=d,
                waiting_since=d.created_at,
                urgency=d.urgency,
                urgency_label=d.get_urgency_display(),
                deadline=d.deadline,
            )
        )
    return items
