"""Working a step short of completing it: claiming it, putting it on hold and resuming it,
releasing the claim, a superior taking it over (completing: :mod:`laksana.cases.services`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from laksana.cases import authority, holds, journal, participation
from laksana.cases.jointsteps import step_contacts
from laksana.cases.limits import check_length
from laksana.cases.models import Case, CaseStep, JournalKind
from laksana.cases.servicebase import (
    NotAllowed,
    ServiceError,
    _atomic,
    _locked_step,
    _notify_on_commit,
    _now,
)
from laksana.org.models import Person
from laksana.outbox import services as outbox
from laksana.worktime.services import calendar_for


def may_work(person: Person, case: Case, row: CaseStep) -> bool:
    """Whether ``person`` may work the step now: the one rule of
    :func:`laksana.cases.authority.may_work` (the claimant; a holder of its actor while it is
    not claimed; the recipient of an open disposition of it from someone entitled; a vendor's
    employee only within its contracts' periods)."""
    return bool(authority.may_work(person, case, row))


@_atomic
def claim_step(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """Take an offered step: it is then in the claimant's inbox and no longer offered."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_claim(person, case, row)
    if decision.code in ("already_claimed", "already_yours"):
        raise ServiceError("already_claimed", decision.message)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to take.")))
    row.claimed_by = person
    row.claimed_at = at
    row.save(update_fields=["claimed_by", "claimed_at"])
    participation.record(case, [person.pk])
    journal.append(
        case, JournalKind.CLAIMED, person, at, {"step": row.step_key, "visit": row.visit}
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    return row


# Holding a step ----------------------------------------------------------------------------


@_atomic
def hold_step(
    person: Person, case_step_id: int, reason: str, *, now: dt.datetime | None = None
) -> CaseStep:
    """Put an active step on hold, with a reason (waiting on the requester for missing
    evidence, say): its clock stops until :func:`resume_step`. Only the step's workers may."""
    at = _now(now)
    reason = reason.strip()
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to put on hold.")))
    if row.on_hold_since is not None:
        raise ServiceError("on_hold", _("This step is already on hold."))
    if not reason:
        raise ServiceError(
            "required", _("Say why the step is put on hold (what it waits for)."), field="reason"
        )
    check_length("hold_reason", reason, "reason")
    data: dict[str, Any] = {"step": row.step_key, "visit": row.visit, "reason": reason[:300]}
    if row.due_at is not None:
        # For the record: the working minutes left (negative: overdue) when the clock stopped.
        data["due_at"] = row.due_at.isoformat()
        data["remaining_minutes"] = calendar_for(case.agency).working_minutes_between(
            at, row.due_at
        )
    row.on_hold_since = at
    row.hold_reason = reason[:300]
    row.save(update_fields=["on_hold_since", "hold_reason"])
    journal.append(case, JournalKind.HELD, person, at, data)
    case.save(update_fields=["journal_seq", "journal_hash"])
    holds.held(case, row, by=person, at=at)  # domain modules that follow holds
    return row


@_atomic
def resume_step(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """Restart the clock of a step on hold. The working minutes on hold are added to
    ``held_minutes``, and the due time moves later by exactly that much working time: the
    working time that was left when the step was put on hold is left again now (a step that
    was overdue by some working time when it was held is overdue by the same amount)."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to resume.")))
    since = row.on_hold_since
    if since is None:
        raise ServiceError("not_on_hold", _("This step is not on hold."))
    at = max(at, since)
    calendar = calendar_for(case.agency)
    held = calendar.working_minutes_between(since, at)
    data: dict[str, Any] = {
        "step": row.step_key,
        "visit": row.visit,
        "since": since.isoformat(),
        "held_minutes": held,
    }
    if row.due_at is not None and held > 0:
        remaining = calendar.working_minutes_between(since, row.due_at)
        if remaining > 0:
            # The clock continues where it stopped: what was left is left again.
            due = calendar.add_working_minutes(at, remaining)
        else:
            # Overdue when held: as overdue now, by working time (the hold does not count).
            due = calendar.add_working_minutes(row.due_at, held)
        data["due_before"] = row.due_at.isoformat()
        data["due_after"] = due.isoformat()
        row.due_at = due
    row.held_minutes += held
    row.on_hold_since = None
    row.hold_reason = ""
    row.save(update_fields=["due_at", "held_minutes", "on_hold_since", "hold_reason"])
    journal.append(case, JournalKind.RESUMED, person, at, data)
    case.save(update_fields=["journal_seq", "journal_hash"])
    return row


@_atomic
def release_step(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """The claimant gives the claim up: the step is offered to its holders again."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_release(person, case, row)
    if not decision:
        if decision.code == "not_claimed":
            raise ServiceError("not_claimed", decision.message)
        raise NotAllowed(decision.message)
    row.claimed_by = None
    row.claimed_at = None
    row.save(update_fields=["claimed_by", "claimed_at"])
    journal.append(
        case, JournalKind.RELEASED, person, at, {"step": row.step_key, "visit": row.visit}
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    step = case.version.spec.step(row.step_key)
    message = _("Step %(no)s was released by %(name)s and is waiting for you: %(activity)s") % {
        "no": step.number,
        "name": person.name,
        "activity": outbox.shorten(step.activity, 120),
    }
    others = [c for c in step_contacts(case, step) if c[0] != person.pk]
    _notify_on_commit(others, case, message, at)
    return row


@_atomic
def take_over_step(
    person: Person, case_step_id: int, *, now: dt.datetime | None = None
) -> CaseStep:
    """A superior of the claimant (directly or further up the ``superior`` chain) takes the
    claimed step over: the claim becomes theirs, the journal records from whom, and the former
    claimant is told. Dispositions the former claimant sent on the step grant nothing any more
    (:mod:`laksana.cases.authority`)."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_take_over(person, case, row)
    if not decision:
        if decision.code == "not_claimed":
            raise ServiceError("not_claimed", decision.message)
        if decision.code == "already_yours":
            raise ServiceError("already_claimed", decision.message)
        raise NotAllowed(decision.message)
    former = row.claimed_by
    assert former is not None
    row.claimed_by = person
    row.claimed_at = at
    row.save(update_fields=["claimed_by", "claimed_at"])
    participation.record(case, [person.pk])
    journal.append(
        case,
        JournalKind.TAKEN_OVER,
        person,
        at,
        {"step": row.step_key, "visit": row.visit, "from": former.pk, "from_name": former.name},
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    step = case.version.spec.step(row.step_key)
    message = _("%(name)s took step %(no)s over from you: %(activity)s") % {
        "name": person.name,
        "no": step.number,
        "activity": outbox.shorten(step.activity, 120),
    }
    _notify_on_commit([former], case, message, at)
    return row
