"""Who may work a step of a case: one rule, asked by the services (which enforce it), the case
page (which buttons and forms it shows) and the API (``GET .../steps/{id}/actions``).

A step is worked (claimed, completed, put on hold, resumed, dispositioned further) by:

* its **claimant**, once it is claimed, and nobody else who holds its actor: the claim stands
  until the claimant releases it (:func:`laksana.cases.services.release_step`) or someone
  above the claimant in the ``Person.superior`` chain takes it over
  (:func:`laksana.cases.services.take_over_step`, recorded in the journal);
* while it is not claimed, anyone who **holds** its actor, or one of its joint or any-of
  actors (:func:`laksana.cases.jointsteps.holds_step`; never its copy actors), or, once a
  superior has reassigned the step of this case to one person (:mod:`laksana.cases.reassign`),
  that person only;
* the recipient of an open **disposition** of the step, while the disposition comes from
  someone entitled: its chain of forwards starts with a disposition whose sender may work
  the step (the claimant; a holder while the step is not claimed; or the recipient of such a
  disposition). A disposition never grants more than its sender holds: when the sender loses
  the step (someone else claims it, a superior takes it over) the dispositions sent on it
  grant nothing any more.

Where the step's output *is* a disposition (SOP 002 steps 3 and 4: "the head dispositions to
the division"), the disposition sent on it is the step's product, not a delegation of the
step, so its recipient does not gain the step.

A vendor's employee works nothing outside its contracts' periods
(:func:`laksana.cases.vendors.may_act`).

Nothing here writes; the services call these functions on the locked case, the page on the
rows it has read (pass ``dispositions`` and ``holder`` to spare the queries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from laksana.cases import vendors
from laksana.cases.jointsteps import confirm_refusal, holds_step
from laksana.cases.models import (
    OPEN_DISPOSITION,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    DispositionStatus,
    StepStatus,
)
from laksana.org.models import Person

# Dispositions that still carry their grant down a chain: open ones, and those forwarded
# (their recipient passed them on; the forward's recipient holds the grant now).
_CHAIN = (*OPEN_DISPOSITION, DispositionStatus.FORWARDED)

# How far up the superior chain a take-over looks (a guard against a cycle in the data).
_MAX_LEVELS = 50


@dataclass(frozen=True)
class Decision:
    """Whether a person may do something to a step, and why (``code``). ``message`` says
    why not, for people, when the reason is more than "not yours"; ``via`` is the
    disposition that grants the step, when that is the reason."""

    allowed: bool
    code: str
    message: str = ""
    via: int | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def explain(self, default: str) -> str:
        """The refusal's message: the specific reason, or ``default``."""
        return self.message or default


def _yes(code: str, via: int | None = None) -> Decision:
    return Decision(True, code, via=via)


def _no(code: str, message: str = "") -> Decision:
    return Decision(False, code, message)


def delegates(case: Case, row: CaseStep) -> bool:
    """Whether a disposition of this step hands the step on (it does unless the step's own
    output is a disposition)."""
    spec = case.version.spec
    step = spec.step(row.step_key)
    return not any(spec.artifact(a).type == "disposition" for a in step.produces)


def _step_dispositions(
    row: CaseStep, dispositions: Sequence[Disposition] | None
) -> dict[int, Disposition]:
    if dispositions is None:
        found = Disposition.objects.filter(step_id=row.pk, status__in=_CHAIN).only(
            "pk", "step_id", "parent_id", "sender_id", "recipient_id", "status"
        )
        return {d.pk: d for d in found}
    return {d.pk: d for d in dispositions if d.step_id == row.pk and d.status in _CHAIN}


class _Rule:
    """The rule for one step, with the step's dispositions read once."""

    def __init__(
        self,
        case: Case,
        row: CaseStep,
        dispositions: Sequence[Disposition] | None,
        holders: dict[int, bool],
    ) -> None:
        self.case = case
        self.row = row
        self.delegates = delegates(case, row)
        self._given = dispositions
        self._dispositions: dict[int, Disposition] | None = None
        self.holders = holders  # person id -> holds the step's actor (known answers)

    @property
    def dispositions(self) -> dict[int, Disposition]:
        """The step's dispositions that may carry a grant, read on first use (none where a
        disposition of the step is its output)."""
        if self._dispositions is None:
            self._dispositions = _step_dispositions(self.row, self._given) if self.delegates else {}
        return self._dispositions

    def holds(self, person_id: int, person: Person | None = None) -> bool:
        if self.row.assigned_to_id is not None:
            # Reassigned by a superior (laksana.cases.reassign): only that person holds it.
            return person_id == self.row.assigned_to_id
        known = self.holders.get(person_id)
        if known is None:
            who = person or Person.objects.get(pk=person_id)
            known = self.holders[person_id] = holds_step(who, self.case, self.row)
        return known

    def directly(self, person_id: int, person: Person | None = None) -> str | None:
        """Why the person may work the step without a disposition: ``claimant`` or
        ``holder``; None if they may not."""
        claimant = self.row.claimed_by_id
        if claimant is not None:
            return "claimant" if claimant == person_id else None
        return "holder" if self.holds(person_id, person) else None

    def grant(self, person_id: int, seen: frozenset[int] = frozenset()) -> Disposition | None:
        """An open disposition of the step to the person that comes from someone entitled."""
        if person_id in seen:
            return None
        for d in self.dispositions.values():
            if (
                d.recipient_id == person_id
                and d.status in OPEN_DISPOSITION
                and self.chain_entitled(d, seen | {person_id})
            ):
                return d
        return None

    def chain_entitled(self, d: Disposition, seen: frozenset[int]) -> bool:
        """Whether the chain of forwards that ``d`` ends starts with an entitled sender."""
        hops = 0
        while d.parent_id is not None:
            parent = self.dispositions.get(d.parent_id)
            hops += 1
            # A forward keeps its parent's step and comes from the parent's recipient.
            if parent is None or parent.recipient_id != d.sender_id or hops > _MAX_LEVELS:
                return False
            d = parent
        sender = d.sender_id
        return self.directly(sender) is not None or self.grant(sender, seen) is not None


def _inactive(case: Case, row: CaseStep) -> Decision | None:
    if case.status == CaseStatus.FINISHED:
        return _no("case_finished", _("The case is already finished."))
    if row.status != StepStatus.ACTIVE:
        return _no("not_active", _("This step is not active now."))
    return None


def _claimed_by_name(row: CaseStep) -> str:
    claimant = row.claimed_by
    return claimant.name if claimant is not None else "?"


def may_work(
    person: Person,
    case: Case,
    row: CaseStep,
    *,
    dispositions: Sequence[Disposition] | None = None,
    holder: bool | None = None,
) -> Decision:
    """Whether ``person`` may work the active step ``row`` now (complete it, put it on hold,
    resume it, disposition it further). ``dispositions`` (the case's, as read by the caller)
    and ``holder`` (whether the person holds the step's actor) spare the queries."""
    refused = _inactive(case, row)
    if refused is not None:
        return refused
    if not vendors.may_act(person, case):
        # A vendor's employee works nothing once no contract of the vendor for the case's
        # application is in its period, not even a step they claimed before.
        return _no("out_of_contract", vendors.out_of_contract())
    rule = _Rule(case, row, dispositions, {} if holder is None else {person.pk: holder})
    direct = rule.directly(person.pk, person)
    if direct is not None:
        return _yes(direct)
    granted = rule.grant(person.pk)
    if granted is not None:
        return _yes("disposition", granted.pk)
    if row.claimed_by_id is not None:
        return _no(
            "claimed",
            _(
                "%(name)s has taken this step: only they, someone they dispositioned it to, "
                "or their superior taking it over can work it now."
            )
            % {"name": _claimed_by_name(row)},
        )
    if row.assigned_to_id is not None:
        return _no("assigned", assigned_message(row))
    return _no("not_holder")


def assigned_message(row: CaseStep) -> str:
    """Why a step reassigned to one person is not anyone else's."""
    to = row.assigned_to
    return _("This step was reassigned to %(name)s: only they can work it.") % {
        "name": to.name if to is not None else "?"
    }


def may_claim(
    person: Person,
    case: Case,
    row: CaseStep,
    *,
    dispositions: Sequence[Disposition] | None = None,
    holder: bool | None = None,
) -> Decision:
    """Whether ``person`` may take the step: it is free and they may work it."""
    taken = _not_free(person, case, row)
    if taken is not None:
        return taken
    return may_work(person, case, row, dispositions=dispositions, holder=holder)


def _not_free(person: Person, case: Case, row: CaseStep) -> Decision | None:
    """Why the step cannot be taken whoever asks (inactive, or claimed), or None."""
    refused = _inactive(case, row)
    if refused is not None:
        return refused
    if row.claimed_by_id == person.pk:
        return _no("already_yours", _("You have already taken this step."))
    if row.claimed_by_id is not None:
        return _no(
            "already_claimed",
            _("This step was already claimed by %(name)s.") % {"name": _claimed_by_name(row)},
        )
    return None


def may_release(person: Person, case: Case, row: CaseStep) -> Decision:
    """Whether ``person`` may give the step's claim up: only its claimant."""
    refused = _inactive(case, row)
    if refused is not None:
        return refused
    if row.claimed_by_id is None:
        return _no("not_claimed", _("Nobody has taken this step."))
    if row.claimed_by_id != person.pk:
        return _no("not_claimant", _("Only the person who took the step can release it."))
    return _yes("claimant")


def superiors(person_id: int) -> list[int]:
    """Ids of the people above this one in the ``superior`` chain, nearest first."""
    found: list[int] = []
    current: int | None = person_id
    while current is not None and len(found) < _MAX_LEVELS:
        above = Person.objects.filter(pk=current).values_list("superior_id", flat=True).first()
        if above is None or above in found or above == person_id:
            break
        found.append(above)
        current = above
    return found


def may_take_over(person: Person, case: Case, row: CaseStep) -> Decision:
    """Whether ``person`` may take the step over from its claimant: they are above the
    claimant in the superior chain (directly or further up). A fellow holder who is not
    asks the claimant to release it."""
    refused = _inactive(case, row)
    if refused is not None:
        return refused
    claimant = row.claimed_by_id
    if claimant is None:
        return _no("not_claimed", _("Nobody has taken this step."))
    if claimant == person.pk:
        return _no("already_yours", _("You have already taken this step."))
    if person.pk not in superiors(claimant):
        return _no(
            "not_superior",
            _("Only a superior of %(name)s can take this step over.")
            % {"name": _claimed_by_name(row)},
        )
    return _yes("superior")


@dataclass(frozen=True)
class StepActions:
    """What a person may do to one active step, each with its reason (the case page's
    buttons and forms, the API's ``actions`` answer)."""

    work: Decision
    claim: Decision
    release: Decision
    take_over: Decision


def step_actions(
    person: Person,
    case: Case,
    row: CaseStep,
    *,
    dispositions: Sequence[Disposition] | None = None,
    holder: bool | None = None,
) -> StepActions:
    """Every decision about the step for the person, from the functions above."""
    if dispositions is None:
        dispositions = list(_step_dispositions(row, None).values())
    work = may_work(person, case, row, dispositions=dispositions, holder=holder)
    taken = _not_free(person, case, row)
    return StepActions(
        work=work,
        claim=work if taken is None else taken,  # may_claim, without working ``work`` out again
        release=may_release(person, case, row),
        take_over=may_take_over(person, case, row),
    )


def may_confirm(person: Person, case: Case, row: CaseStep) -> Decision:
    """Whether ``person`` may confirm a part of the joint step now
    (:func:`laksana.cases.jointsteps.confirm_part`'s own rule)."""
    if case.status != CaseStatus.RUNNING:
        return _no("case_finished", _("The case is already finished."))
    if row.status != StepStatus.ACTIVE:
        return _no("not_active", _("This step is not active now."))
    refusal, _parts = confirm_refusal(person, case, row)
    if refusal is not None:
        return _no(refusal.code, refusal.message)
    return _yes("holder")
