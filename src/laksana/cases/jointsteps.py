"""A step of several actors in a case: done jointly (``joint``: each actor confirms its part,
the step completes once all have), by any one of several actors (``any_of``), and the copies
(tembusan) sent to ``copies`` actors when the step is completed.

Who may act on a step is its actors' holders (:func:`acting_actors`): the step's actor and
its joint or any-of actors, never its copy actors. :mod:`laksana.cases.authority` asks
:func:`holds_step`; the inbox and the visibility gate ask
:func:`laksana.cases.sharedsteps.shared_steps` (which steps of a procedure's versions other
actors act on). The services here write: a joint step's part
confirmed (:func:`confirm_part`, journal ``joint_confirmed``), the completer's own part and
the check that no part is missing (:func:`complete_parts`, called by
:func:`laksana.cases.services.complete_step`), the copies (:func:`send_copies`, journal
``copy_sent``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from laksana.cases import journal, vendors
from laksana.cases.holders import holder_contacts, holders, holds
from laksana.cases.models import Case, CaseStep, JointConfirmation, JournalKind
from laksana.cases.servicebase import (
    NotAllowed,
    ServiceError,
    _atomic,
    _locked_step,
    _notify_on_commit,
    _now,
)
from laksana.engine import stepactors
from laksana.engine.spec import Step
from laksana.org.models import Person
from laksana.outbox import services as outbox


def _step(case: Case, row: CaseStep) -> Step | None:
    spec = case.version.spec
    return spec.step(row.step_key) if spec.has_step(row.step_key) else None


def acting_actors(case: Case, row: CaseStep) -> tuple[str, ...]:
    """The actors whose holders may act on the step: its actor, then its joint or any-of
    actors (never its copy actors)."""
    step = _step(case, row)
    return (row.actor_key, *(stepactors.others(step) if step is not None else ()))


def holds_step(person: Person, case: Case, row: CaseStep) -> bool:
    """Whether ``person`` holds one of the actors acting on the step."""
    return any(holds(person, case, actor) for actor in acting_actors(case, row))


def step_contacts(case: Case, step: Step) -> list[tuple[int, str]]:
    """(id, e-mail) of the holders of every actor acting on ``step``, each once."""
    found: dict[int, str] = {}
    for actor in stepactors.acting(step):
        for pk, email in holder_contacts(case, actor):
            found.setdefault(pk, email)
    return sorted(found.items())


def step_holders(case: Case, row: CaseStep) -> list[Person]:
    """The people holding an actor acting on the step, each once, by id."""
    actors = acting_actors(case, row)
    if len(actors) == 1:
        return list(holders(case, actors[0]).order_by("pk"))
    query = Q(pk__in=[])
    for actor in actors:
        query |= Q(pk__in=holders(case, actor).values("pk"))
    return list(Person.objects.filter(query).order_by("pk"))


# Joint steps ----------------------------------------------------------------------------------


def confirmed(row: CaseStep) -> dict[str, int]:
    """{actor: person id} of the parts of the step confirmed so far."""
    return dict(
        JointConfirmation.objects.filter(step_id=row.pk).values_list("actor_key", "person_id")
    )


def _own_parts(person: Person, case: Case, row: CaseStep, step: Step) -> list[str]:
    """The parts of the joint step ``person`` may confirm: the actors of it they hold."""
    return [a for a in stepactors.parts(step) if holds(person, case, a)]


def _names(case: Case, actors: list[str]) -> str:
    spec = case.version.spec
    return ", ".join(spec.actor(a).name for a in actors)


def _record(
    person: Person,
    case: Case,
    row: CaseStep,
    actors: list[str],
    at: dt.datetime,
    batch: list[tuple[Any, ...]] | None = None,
) -> None:
    JointConfirmation.objects.bulk_create(
        [JointConfirmation(step=row, actor_key=a, person=person, at=at) for a in actors]
    )
    journal.append(
        case,
        JournalKind.JOINT_CONFIRMED,
        person,
        at,
        {"step": row.step_key, "visit": row.visit, "actors": actors},
        batch=batch,
    )


def confirm_refusal(
    person: Person, case: Case, row: CaseStep
) -> tuple[ServiceError | None, list[str]]:
    """Why ``person`` may not confirm a part of the step now (None: they may), and the parts
    they would confirm: the one rule of :func:`confirm_part` and of the API's verdict
    (:func:`laksana.cases.authority.may_confirm`). The step is active (the caller checked)."""
    step = _step(case, row)
    if step is None or not step.joint:
        return ServiceError("not_joint", _("This step is not done jointly.")), []
    # A vendor's employee acts only within its contracts' periods.
    own = _own_parts(person, case, row, step) if vendors.may_act(person, case) else []
    if not own:
        return NotAllowed(
            _("Only a holder of %(actors)s can confirm a part of this step.")
            % {"actors": _names(case, list(stepactors.parts(step)))}
        ), []
    done = confirmed(row)
    todo = [a for a in own if a not in done]
    if not todo:
        return ServiceError(
            "already_confirmed",
            _("The part of %(actors)s in this step is already confirmed.")
            % {"actors": _names(case, own)},
        ), []
    return None, todo


@_atomic
def confirm_part(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """A holder of one of a joint step's actors confirms that actor's part (every part of it
    they hold not yet confirmed). Refused on a step that is not joint, for someone holding
    none of its actors, and when their parts are confirmed already."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    refusal, todo = confirm_refusal(person, case, row)
    if refusal is not None:
        raise refusal
    _record(person, case, row, todo, at)
    case.save(update_fields=["journal_seq", "journal_hash"])
    return row


def panel_parts(
    person: Person | None, case: Case, row: CaseStep, running: bool
) -> tuple[list[tuple[str, str]], bool]:
    """For the case page: each actor's part of a joint step with the name of who confirmed
    it ("" while not), and whether ``person`` may confirm a part of theirs now."""
    step = _step(case, row)
    if step is None or not step.joint:
        return [], False
    done = confirmed(row)
    names = dict(Person.objects.filter(pk__in=set(done.values())).values_list("pk", "name"))
    spec = case.version.spec
    parts = [(spec.actor(a).name, names.get(done.get(a, 0), "")) for a in stepactors.parts(step)]
    can = person is not None and running and confirm_refusal(person, case, row)[0] is None
    return parts, can


def parts_missing(person: Person, case: Case, row: CaseStep) -> list[str]:
    """The parts of a joint step still to be confirmed if ``person`` completed it now (their
    own parts count as confirmed by completing); empty for a step that is not joint."""
    step = _step(case, row)
    if step is None or not step.joint:
        return []
    done = set(confirmed(row)) | set(_own_parts(person, case, row, step))
    return [a for a in stepactors.parts(step) if a not in done]


def check_complete(person: Person, case: Case, row: CaseStep) -> None:
    """Refuse completing a joint step while a part other than the completer's own is not
    confirmed, naming the actors still missing."""
    missing = parts_missing(person, case, row)
    if missing:
        raise ServiceError(
            "joint_incomplete",
            _(
                "This step is done jointly: %(actors)s must still confirm their part before "
                "it can be completed."
            )
            % {"actors": _names(case, missing)},
        )


def complete_parts(
    person: Person, case: Case, row: CaseStep, at: dt.datetime, batch: list[tuple[Any, ...]]
) -> None:
    """The completer's own parts of a joint step, confirmed by completing it."""
    step = _step(case, row)
    if step is None or not step.joint:
        return
    done = confirmed(row)
    todo = [a for a in _own_parts(person, case, row, step) if a not in done]
    if todo:
        _record(person, case, row, todo, at, batch)


# Copies (tembusan) ---------------------------------------------------------------------------


def send_copies(
    person: Person, case: Case, row: CaseStep, at: dt.datetime, batch: list[tuple[Any, ...]]
) -> None:
    """When a step with ``copies`` is completed: its copy actors' holders are notified (in
    the app and by e-mail through the outbox) and the journal names the actors once."""
    step = _step(case, row)
    if step is None or not step.copies:
        return
    spec = case.version.spec
    contacts: dict[int, str] = {}
    for actor in step.copies:
        for pk, email in holder_contacts(case, actor):
            contacts.setdefault(pk, email)
    journal.append(
        case,
        JournalKind.COPY_SENT,
        person,
        at,
        {
            "step": row.step_key,
            "visit": row.visit,
            "actors": list(step.copies),
            "names": [spec.actor(a).name for a in step.copies],
            "people": sorted(contacts),
        },
        batch=batch,
    )
    if contacts:
        message = _("Copy (tembusan): %(name)s completed step %(no)s: %(activity)s") % {
            "name": person.name,
            "no": step.number,
            "activity": outbox.shorten(step.activity, 120),
        }
        _notify_on_commit(sorted(contacts.items()), case, message, at)
