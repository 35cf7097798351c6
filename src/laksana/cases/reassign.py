"""A step of one case reassigned by a superior of the person who holds it now (the claimant;
the person it was reassigned to before; while it is offered, one of its actor's holders), to
themself or to someone under them. From then on only that person may claim and work the
step of that case (:mod:`laksana.cases.authority`), and it is in their inbox
(:mod:`laksana.cases.inbox`); the journal records from whom, to whom, by whom and why.

Refused: by anyone who is not above the holder in the ``Person.superior`` chain, to anyone
not themself or under them, to someone who cannot sign in (a system account) or a vendor's
employee outside its contracts, to another agency's person (answered as not found), for a
step that is not active (completed, not reached yet) or of a finished case, without a reason.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from laksana.cases import journal, participation, vendors
from laksana.cases.authority import Decision
from laksana.cases.holders import holders
from laksana.cases.limits import check_length
from laksana.cases.models import Case, CaseStatus, CaseStep, JournalKind, StepStatus
from laksana.cases.servicebase import (
    NotAllowed,
    ServiceError,
    _atomic,
    _lock,
    _notify_on_commit,
    _now,
)
from laksana.org.models import Person
from laksana.outbox import services as outbox


def current_holders(case: Case, row: CaseStep) -> list[int]:
    """Who holds the step now: its claimant, else the person it was reassigned to, else
    everyone who holds its actor in the case."""
    if row.claimed_by_id is not None:
        return [row.claimed_by_id]
    if row.assigned_to_id is not None:
        return [row.assigned_to_id]
    return list(holders(case, row.actor_key).values_list("pk", flat=True))


def may_reassign(by: Person, case: Case, row: CaseStep, below: set[int] | None = None) -> Decision:
    """Whether ``by`` may reassign the active step ``row``: they are above (directly or
    further up) someone who holds it now. ``below`` is ``by``'s subordinates when known."""
    if case.status == CaseStatus.FINISHED:
        return Decision(False, "case_finished", _("The case is already finished."))
    if row.status != StepStatus.ACTIVE:
        return Decision(False, "not_active", _("This step is not active now."))
    if by.agency_id != case.agency_id:
        return Decision(
            False, "not_superior", _("Only a superior of its holder can reassign this step.")
        )
    if below is None:
        below = by.subordinates_tree()
    if not below:
        return Decision(
            False, "not_superior", _("Only a superior of its holder can reassign this step.")
        )
    held = current_holders(case, row)
    if not any(pk in below for pk in held):
        return Decision(
            False, "not_superior", _("Only a superior of its holder can reassign this step.")
        )
    return Decision(True, "superior")


def _active_row(case: Case, step_key: str) -> CaseStep:
    """The active row of the step in the locked case, or the refusal saying why there is none."""
    if case.status == CaseStatus.FINISHED:
        raise ServiceError("case_finished", _("The case is already finished."))
    if step_key not in {s.id for s in case.version.spec.steps}:
        raise ServiceError("not_found", _("The procedure has no such step."), field="step")
    rows = list(
        CaseStep.objects.filter(case_id=case.pk, step_key=step_key)
        .select_related("claimed_by", "assigned_to", "completed_by")
        .order_by("-visit", "-pk")
    )
    active = next((r for r in rows if r.status == StepStatus.ACTIVE), None)
    if active is not None:
        active.case = case
        return active
    if rows and rows[0].status == StepStatus.COMPLETED:
        who = rows[0].completed_by.name if rows[0].completed_by else "?"
        raise ServiceError(
            "already_completed", _("This step was already completed by %(name)s.") % {"name": who}
        )
    raise ServiceError("not_active", _("This step is not active now."))


@_atomic
def reassign_step(
    by: Person,
    case: Case,
    step_key: str,
    to: Person,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> CaseStep:
    """Give the active step ``step_key`` of ``case`` to ``to`` (``by`` or someone under
    them): the claim on it is released, only ``to`` may claim and work it from now on, the
    journal records it (REASSIGNED) and ``to`` is told."""
    at = _now(now)
    reason = reason.strip()
    try:
        locked = _lock(case.pk)
    except Case.DoesNotExist:
        raise ServiceError("not_found", _("No such case.")) from None
    if by.agency_id != locked.agency_id:
        raise ServiceError("not_found", _("No such case."))
    row = _active_row(locked, step_key)
    below = by.subordinates_tree()
    decision = may_reassign(by, locked, row, below)
    if not decision:
        raise NotAllowed(decision.message)
    if to.agency_id != locked.agency_id:
        # Another agency's person is not named, as if there were no such person.
        raise ServiceError("not_found", _("There is no such person in your agency."), field="to")
    if to.pk != by.pk and to.pk not in below:
        raise NotAllowed(_("You can reassign a step only to yourself or to someone under you."))
    user = to.user if to.user_id is not None else None
    if user is None or not user.is_active:
        raise ServiceError(
            "invalid",
            _("%(name)s cannot sign in (a system account): choose someone who can.")
            % {"name": to.name},
            field="to",
        )
    if to.vendor_id is not None and not vendors.may_act(to, locked):
        raise ServiceError("invalid", vendors.out_of_contract(), field="to")
    if to.pk == row.assigned_to_id and row.claimed_by_id in (None, to.pk):
        raise ServiceError(
            "already_assigned",
            _("This step is already assigned to %(name)s.") % {"name": to.name},
            field="to",
        )
    if not reason:
        raise ServiceError("required", _("Say why the step is reassigned."), field="reason")
    check_length("reassign_reason", reason, "reason")
    former = row.claimed_by or row.assigned_to
    row.assigned_to = to
    row.claimed_by = None
    row.claimed_at = None
    row.save(update_fields=["assigned_to", "claimed_by", "claimed_at"])
    participation.record(locked, [by.pk, to.pk])
    journal.append(
        locked,
        JournalKind.REASSIGNED,
        by,
        at,
        {
            "step": row.step_key,
            "visit": row.visit,
            "from": former.pk if former is not None else None,
            "from_name": former.name if former is not None else "",
            "to": to.pk,
            "to_name": to.name,
            "by": by.pk,
            "reason": reason,
        },
    )
    locked.save(update_fields=["journal_seq", "journal_hash"])
    step = locked.version.spec.step(row.step_key)
    message = _("%(name)s gave step %(no)s to you: %(activity)s") % {
        "name": by.name,
        "no": step.number,
        "activity": outbox.shorten(step.activity, 120),
    }
    if to.pk != by.pk:
        _notify_on_commit([to], locked, message, at)
    if former is not None and former.pk not in (to.pk, by.pk):
        taken = _("%(name)s gave step %(no)s to %(to)s: %(reason)s") % {
            "name": by.name,
            "no": step.number,
            "to": to.name,
            "reason": outbox.shorten(reason, 120),
        }
        _notify_on_commit([former], locked, taken, at)
    return row
