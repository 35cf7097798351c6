"""Which steps of a procedure's versions an actor acts on beside the step's own actor (its
joint or any-of actors, :mod:`laksana.engine.stepactors`): the inbox and the visibility gate
offer and show those steps to the actor's holders too (:mod:`laksana.cases.jointsteps`)."""

from __future__ import annotations

from laksana.engine import stepactors
from laksana.procedures.models import ProcedureVersion

# Per version (id, checksum): {actor: step keys the actor acts on beside the step's actor}.
# Versions never change, so each is read for this once per process.
_SHARED: dict[tuple[int, str], dict[str, tuple[str, ...]]] = {}

Shared = dict[str, list[tuple[int, dict[str, tuple[str, ...]]]]]


def shared_steps() -> Shared:
    """{procedure key: [(version id, {actor: step keys})]}: the steps each actor acts on
    beside the step's own actor (joint or any-of), per version; versions without such steps
    are left out. One query (the versions' ids), each version parsed once per process."""
    rows = list(ProcedureVersion.objects.values_list("pk", "checksum", "procedure_key"))
    missing = [pk for pk, checksum, _key in rows if (pk, checksum) not in _SHARED]
    for version in ProcedureVersion.objects.filter(pk__in=missing):
        by_actor: dict[str, list[str]] = {}
        for step in version.spec.steps:
            for actor in stepactors.others(step):
                by_actor.setdefault(actor, []).append(step.id)
        _SHARED[(version.pk, version.checksum)] = {a: tuple(k) for a, k in by_actor.items()}
    out: Shared = {}
    for pk, checksum, key in sorted(rows):
        found = _SHARED.get((pk, checksum))
        if found:
            out.setdefault(key, []).append((pk, found))
    return out


def shared_of(
    shared: Shared, procedure_key: str, actors: set[str] | list[str]
) -> list[tuple[int, list[str]]]:
    """(version id, step keys) of ``procedure_key``'s versions in ``shared``
    (:func:`shared_steps`): the steps any of ``actors`` acts on beside the step's actor."""
    out = []
    for version_id, by_actor in shared.get(procedure_key, ()):
        keys = sorted({k for a in actors for k in by_actor.get(a, ())})
        if keys:
            out.append((version_id, keys))
    return out


def bound_shared(
    bound: dict[tuple[int, str], set[str]],
) -> list[tuple[int, int, list[str]]]:
    """(agency id, version id, step keys) for a viewer's bound actors ({(agency, procedure):
    actors}): the steps those actors act on beside the step's own actor, which the visibility
    gate counts as theirs while active, as it does their own actor's steps."""
    if not bound:
        return []
    shared = shared_steps()
    return [
        (agency_id, version_id, keys)
        for (agency_id, procedure_key), actors in sorted(bound.items())
        for version_id, keys in shared_of(shared, procedure_key, actors)
    ]
