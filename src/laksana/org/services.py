"""Actor bindings: who plays each actor of a procedure in an agency.

The only code that writes :class:`~laksana.org.models.ActorBinding` rows outside the admin.
Actors of kind requesting_unit and vendor are never bound: they are resolved per case (the
unit that opened it, the vendor holding a contract on its application).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from laksana.cases.holders import unbound_actors
from laksana.cases.models import Case
from laksana.engine.spec import Actor, ActorKind
from laksana.org.changes import record
from laksana.org.models import (
    ActorBinding,
    Agency,
    ChangeAction,
    Person,
    Position,
    Unit,
    UnitKind,
)
from laksana.procedures.models import ProcedureVersion

BOUND_KINDS = frozenset({ActorKind.POSITION, ActorKind.TEAM, ActorKind.PERSON, ActorKind.EXTERNAL})
"""Actor kinds an agency binds; the others are resolved per case."""

BINDABLE_KINDS = BOUND_KINDS | {ActorKind.CHOSEN}
"""Actor kinds an agency may bind: a chosen actor optionally, as the person a case opened
automatically (by a system account, which chooses nobody) falls back to."""

Target = Position | Unit | Person


class BindingError(Exception):
    """A binding that was not saved; ``actor`` names the actor concerned."""

    def __init__(self, actor: str, message: str) -> None:
        super().__init__(message)
        self.actor = actor
        self.message = message


def own_top_unit(agency_id: int) -> Unit | None:
    """The agency's own unit at the top of its tree (not a requesting unit, not a vendor):
    where its system accounts (monitoring, surveys) belong. Else any own unit, else any unit
    of the agency; None for an agency without units."""
    own = (
        Unit.objects.filter(agency_id=agency_id)
        .exclude(kind__in=[UnitKind.REQUESTING, UnitKind.VENDOR])
        .order_by("pk")
    )
    return (
        own.filter(parent__isnull=True).first()
        or own.first()
        or Unit.objects.filter(agency_id=agency_id).order_by("pk").first()
    )


def bound_actors(version: ProcedureVersion) -> list[Actor]:
    """The actors of the version that an agency must bind (in the procedure's order)."""
    return [a for a in version.spec.actors if a.kind in BOUND_KINDS]


def unbound(agency: Agency, version: ProcedureVersion) -> list[Actor]:
    """The actors of the version that ``agency`` has not bound yet."""
    actors = bound_actors(version)
    missing = set(unbound_actors(agency.pk, version.procedure_key, [a.id for a in actors]))
    return [a for a in actors if a.id in missing]


def latest_version(agency: Agency, procedure_key: str) -> ProcedureVersion | None:
    """The agency's newest published version of a procedure, or None if it published none."""
    return (
        ProcedureVersion.objects.filter(agency=agency, procedure_key=procedure_key)
        .order_by("-number")
        .first()
    )


def agencies_running(procedure_key: str) -> list[Agency]:
    """The agencies that run a procedure: they have published it, or have bindings or cases
    for it."""
    return list(
        Agency.objects.filter(
            Q(bindings__procedure_key=procedure_key)
            | Q(procedure_versions__procedure_key=procedure_key)
            | Q(pk__in=Case.objects.filter(version__procedure_key=procedure_key).values("agency"))
        )
        .distinct()
        .order_by("name")
    )


def procedures_run_by(agency: Agency) -> set[str]:
    """The keys of the procedures an agency runs: it has bindings or cases for them."""
    bound = ActorBinding.objects.filter(agency=agency).values_list("procedure_key", flat=True)
    opened = Case.objects.filter(agency=agency).values_list("version__procedure_key", flat=True)
    return set(bound) | set(opened)


def published_by(agency: Agency) -> set[str]:
    """The keys of the procedures the agency has published (adopted or written)."""
    return set(
        ProcedureVersion.objects.filter(agency=agency).values_list("procedure_key", flat=True)
    )


def published_keys() -> list[str]:
    """The keys of every published procedure, sorted."""
    rows = ProcedureVersion.objects.values("procedure_key").annotate(n=Max("number"))
    return sorted(row["procedure_key"] for row in rows)


@dataclass(frozen=True)
class Change:
    """One saved change of a binding: the actor and its new target (None: unbound)."""

    actor: str
    target: Target | None


def _target_record(target: Target | None) -> dict[str, object] | None:
    """A binding's target as the change record keeps it: its kind, id and name."""
    if target is None:
        return None
    kind = (
        "position"
        if isinstance(target, Position)
        else "unit"
        if isinstance(target, Unit)
        else "person"
    )
    return {"kind": kind, "id": target.pk, "name": str(target)}


@transaction.atomic
def set_bindings(
    agency: Agency,
    version: ProcedureVersion,
    targets: Mapping[str, Target | None],
    *,
    by: Person | None = None,
    source: str = "",
) -> list[Change]:
    """Bind actors of a procedure in an agency, each to a position, unit or person of that
    agency (None removes the binding). All or nothing: the first invalid target raises
    :class:`BindingError` and nothing is saved. Every change is recorded
    (:func:`laksana.org.changes.record`, subject ``binding``) as made by ``by`` (None: the
    installation's operator). Returns the bindings that changed."""
    actors = {a.id: a for a in version.spec.actors}
    for key, target in targets.items():
        actor = actors.get(key)
        if actor is None:
            raise BindingError(key, _("The procedure has no actor %(actor)s.") % {"actor": key})
        if actor.kind not in BINDABLE_KINDS:
            raise BindingError(
                key,
                _("%(actor)s is resolved per case and is not bound.") % {"actor": actor.name},
            )
        if target is not None and target.agency_id != agency.pk:
            raise BindingError(
                key,
                _("%(target)s does not belong to %(agency)s.")
                % {"target": target, "agency": agency},
            )
    changes: list[Change] = []
    for key, target in targets.items():
        current = (
            ActorBinding.objects.select_for_update()
            .filter(agency=agency, procedure_key=version.procedure_key, actor_key=key)
            .first()
        )
        label = f"{version.procedure_key} / {actors[key].name}"
        before = _target_record(current.target if current is not None else None)
        if target is None:
            if current is not None:
                pk = current.pk
                current.delete()
                current.pk = pk  # the record names the binding that was removed
                record(
                    agency,
                    by,
                    "binding",
                    current,
                    ChangeAction.REMOVED,
                    before,
                    None,
                    source=source,
                    label=label,
                )
                changes.append(Change(key, None))
            continue
        if current is not None and current.target == target:
            continue
        saved, _created = ActorBinding.objects.update_or_create(
            agency=agency,
            procedure_key=version.procedure_key,
            actor_key=key,
            defaults={
                "position": target if isinstance(target, Position) else None,
                "unit": target if isinstance(target, Unit) else None,
                "person": target if isinstance(target, Person) else None,
            },
        )
        action = ChangeAction.CREATED if current is None else ChangeAction.CHANGED
        record(
            agency,
            by,
            "binding",
            saved,
            action,
            before,
            _target_record(target),
            source=source,
            label=label,
        )
        changes.append(Change(key, target))
    return changes


def bind_actor(
    agency: Agency,
    version: ProcedureVersion,
    actor_key: str,
    target: Target | None,
    *,
    by: Person | None = None,
) -> list[Change]:
    """Bind one actor (see :func:`set_bindings`)."""
    return set_bindings(agency, version, {actor_key: target}, by=by)
