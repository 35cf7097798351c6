"""Whether the people bound to a procedure's actors can do its steps, and be reached by the
dispositions that hand the work to them.

A step is offered to the holders of its actor (:mod:`laksana.cases.holders`); a disposition
(:func:`laksana.cases.dispositions.dispose`) goes only from a person to their subordinates,
directly or further down the ``Person.superior`` tree. So a binding can be saved that leaves
a step nobody can do, or that no disposition can reach. For one agency's version of a
procedure, per bound actor (kinds position, team, person, external), this module finds:

**Problems** (``severity == "problem"``; ``laksana bindings check`` exits with status 1):

* ``no_holder`` — the actor is bound, but nobody who can sign in holds it: a position
  nobody holds, a unit with no members, a person without an account or whose account is
  inactive. Every step of the actor is offered to nobody.

**Warnings** (``severity == "warning"``; shown, listed by the check, never a failure):

* ``not_forwardable`` — "a disposition chain cannot reach the position bound to a step":
  a step P whose output is a disposition (SOP 002 steps 3 and 4: the head dispositions to
  the division) hands the work to a step S (P's ``next`` or one of its decision's outcomes),
  and none of the people holding S's actor (its actor, joint or any-of actors) is one of
  the people holding P's actor or among their subordinates. P's holders can then do their
  step only by dispositioning to somebody else, and S's holders receive the case without
  the disposition the procedure prescribes. Only steps P whose actor is bound and held are
  considered (a requester, a vendor or a person chosen per case dispositions to nobody).
* ``outside_chain`` — a holder of the actor has no superior and no subordinate: no
  disposition can reach them, and they belong to no chain starting at the agency's head
  (the agency's heads are the people with no superior who have subordinates: cases come
  to them directly). Named per holder. A vendor's employees are not warned of: they work
  under their vendor's contract, outside the agency's chains (a disposition step that must
  reach them is still warned of, as above).

Steps that hand work on without a disposition need none: the next step is offered to its
holders when the previous one completes. The analysis itself (:func:`analyse`) is pure; the
agency's bindings and people are read by :func:`findings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from laksana.engine.spec import ActorKind, ProcedureSpec, Step
from laksana.org.models import ActorBinding, Agency, Person
from laksana.procedures.models import ProcedureVersion

PROBLEM = "problem"
WARNING = "warning"

_CHECKED_KINDS = frozenset(
    {ActorKind.POSITION, ActorKind.TEAM, ActorKind.PERSON, ActorKind.EXTERNAL}
)


@dataclass(frozen=True)
class Member:
    """A person of the agency as the analysis needs them."""

    id: int
    name: str
    superior_id: int | None
    can_sign_in: bool
    vendor: bool = False  # a vendor's employee: works under contract, outside the chains


@dataclass(frozen=True)
class Bound:
    """What an actor is bound to: ``kind`` ("position", "unit", "person"), its name, and the
    ids of the people it names (holders of the position, members of the unit, the person)."""

    kind: str
    name: str
    people: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Finding:
    """One thing wrong with an actor's binding; ``steps`` are the step numbers concerned."""

    actor: str
    code: str
    severity: str
    message: str
    steps: tuple[str, ...] = ()

    @property
    def is_problem(self) -> bool:
        return self.severity == PROBLEM


def _actors_of(step: Step) -> list[str]:
    return [step.actor, *step.joint, *step.any_of]


def _hands_to(spec: ProcedureSpec, step: Step) -> list[Step]:
    targets = [step.next] if step.next else []
    if step.decision is not None:
        targets += [o.target for o in step.decision.outcomes]
    steps = {s.id: s for s in spec.steps}
    return [steps[t] for t in dict.fromkeys(targets) if t in steps]


def _dispositions(spec: ProcedureSpec, step: Step) -> bool:
    artifacts = {a.id: a for a in spec.artifacts}
    return any(a in artifacts and artifacts[a].type == "disposition" for a in step.produces)


def _below(people: Mapping[int, Member]) -> dict[int, set[int]]:
    """Each person's subordinates, directly or further down (cycles in the data stop)."""
    children: dict[int, set[int]] = {}
    for m in people.values():
        if m.superior_id is not None:
            children.setdefault(m.superior_id, set()).add(m.id)
    trees: dict[int, set[int]] = {}
    for pk in people:
        found: set[int] = set()
        frontier = set(children.get(pk, ()))
        while frontier:
            found |= frontier
            frontier = {c for f in frontier for c in children.get(f, ())} - found - {pk}
        trees[pk] = found
    return trees


def _nobody(bound: Bound) -> str:
    if bound.kind == "position":
        return _("Nobody holds the position %(name)s.") % {"name": bound.name}
    if bound.kind == "unit":
        return _("The unit %(name)s has no members.") % {"name": bound.name}
    return _("%(name)s cannot sign in (no account, or an inactive one).") % {"name": bound.name}


def analyse(
    spec: ProcedureSpec, bindings: Mapping[str, Bound], people: Mapping[int, Member]
) -> list[Finding]:
    """The findings for one procedure in one agency: ``bindings`` by actor id (unbound
    actors are absent: :func:`laksana.org.services.unbound` lists them), ``people`` every
    person of the agency by id. Problems first, then warnings, each in the actors' order."""
    actors = {a.id: a for a in spec.actors}
    checked = {
        key: bound
        for key, bound in bindings.items()
        if key in actors and actors[key].kind in _CHECKED_KINDS
    }
    able = {
        key: {pk for pk in bound.people if pk in people and people[pk].can_sign_in}
        for key, bound in checked.items()
    }
    steps_of: dict[str, list[str]] = {}
    for step in spec.steps:
        for key in _actors_of(step):
            steps_of.setdefault(key, []).append(step.number)
    below = _below(people)
    out: list[Finding] = []
    for key, bound in checked.items():
        if not able[key]:
            if bound.kind == "person" or not bound.people:
                message = _nobody(bound)
            else:
                message = _("Nobody in %(name)s can sign in (no account, or an inactive one).") % {
                    "name": bound.name
                }
            out.append(Finding(key, "no_holder", PROBLEM, message, tuple(steps_of.get(key, ()))))
    for step in spec.steps:
        if not _dispositions(spec, step):
            continue
        senders = set().union(*(able.get(k, set()) for k in _actors_of(step)))
        if not senders:
            continue
        reach = senders.union(*(below.get(pk, set()) for pk in senders))
        for target in _hands_to(spec, step):
            for key in _actors_of(target):
                if not able.get(key) or able[key] & reach:
                    continue
                out.append(
                    Finding(
                        key,
                        "not_forwardable",
                        WARNING,
                        _(
                            "Step %(from)s ends with a disposition to step %(to)s, but nobody "
                            "bound to %(actor)s is a subordinate of %(senders)s, so the "
                            "disposition cannot reach them."
                        )
                        % {
                            "from": step.number,
                            "to": target.number,
                            "actor": actors[key].name,
                            "senders": _names(people, senders),
                        },
                        (step.number, target.number),
                    )
                )
    for key in checked:
        alone = sorted(
            pk
            for pk in able[key]
            if people[pk].superior_id is None and not below.get(pk) and not people[pk].vendor
        )
        if alone:
            out.append(
                Finding(
                    key,
                    "outside_chain",
                    WARNING,
                    _(
                        "%(names)s has no superior and no subordinates: no disposition can "
                        "reach them."
                    )
                    % {"names": _names(people, alone)},
                    tuple(steps_of.get(key, ())),
                )
            )
    order = {a.id: i for i, a in enumerate(spec.actors)}
    return sorted(out, key=lambda f: (not f.is_problem, order.get(f.actor, 0)))


def _names(people: Mapping[int, Member], ids: Iterable[int]) -> str:
    return ", ".join(sorted(people[pk].name for pk in ids if pk in people))


def members(agency: Agency) -> dict[int, Member]:
    """Every person of the agency, for :func:`analyse`."""
    rows = Person.objects.filter(agency=agency).values_list(
        "pk", "name", "superior_id", "user_id", "user__is_active", "vendor_id"
    )
    return {
        pk: Member(pk, name, superior, user is not None and bool(active), vendor is not None)
        for pk, name, superior, user, active, vendor in rows
    }


def bound_targets(agency: Agency, procedure_key: str) -> dict[str, Bound]:
    """The agency's bindings of a procedure's actors, each with the people it names."""
    found: dict[str, Bound] = {}
    rows = ActorBinding.objects.filter(agency=agency, procedure_key=procedure_key)
    for b in rows.select_related("position", "unit", "person"):
        if b.position is not None:
            ids = b.position.holders.values_list("pk", flat=True)
            found[b.actor_key] = Bound("position", b.position.name, frozenset(ids))
        elif b.unit is not None:
            ids = b.unit.members.values_list("pk", flat=True)
            found[b.actor_key] = Bound("unit", b.unit.name, frozenset(ids))
        elif b.person is not None:
            found[b.actor_key] = Bound("person", b.person.name, frozenset({b.person.pk}))
    return found


def findings(
    agency: Agency, version: ProcedureVersion, people: Mapping[int, Member] | None = None
) -> list[Finding]:
    """The findings for the agency's bindings of ``version`` (pass ``people`` from
    :func:`members` to check several procedures of one agency with one read of its staff)."""
    return analyse(
        version.spec,
        bound_targets(agency, version.procedure_key),
        people if people is not None else members(agency),
    )


def by_actor(found: Sequence[Finding]) -> dict[str, list[Finding]]:
    """The findings grouped by actor id."""
    grouped: dict[str, list[Finding]] = {}
    for f in found:
        grouped.setdefault(f.actor, []).append(f)
    return grouped
