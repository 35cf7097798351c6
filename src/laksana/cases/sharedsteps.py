"""Which steps of a procedure's versions an actor acts on beside the step's own actor (its
joint or any-of actors, :mod:`laksana.engine.stepactors`), and which it receives a copy of
(its ``copies`` actors, tembusan): the inbox and the visibility gate offer and show the first
to the actor's holders while they are active (:mod:`laksana.cases.jointsteps`); the gate lets
the holders of a copy actor read a case once a step copied to it is completed (never act)."""

from __future__ import annotations

from laksana.engine import stepactors
from laksana.procedures.models import ProcedureVersion

# {actor: step keys}, per version (id, checksum): the steps each actor acts on beside the
# step's actor, and the steps copied to it. Versions never change, so each is read for this
# once per process.
ByActor = dict[str, tuple[str, ...]]
_SHARED: dict[tuple[int, str], tuple[ByActor, ByActor]] = {}

Shared = dict[str, list[tuple[int, ByActor]]]


def _parsed(version: ProcedureVersion) -> tuple[ByActor, ByActor]:
    acting: dict[str, list[str]] = {}
    copied: dict[str, list[str]] = {}
    for step in version.spec.steps:
        for actor in stepactors.others(step):
            acting.setdefault(actor, []).append(step.id)
        for actor in step.copies:
            copied.setdefault(actor, []).append(step.id)
    return (
        {a: tuple(k) for a, k in acting.items()},
        {a: tuple(k) for a, k in copied.items()},
    )


def _by_version(copies: bool) -> Shared:
    rows = list(ProcedureVersion.objects.values_list("pk", "checksum", "procedure_key"))
    missing = [pk for pk, checksum, _key in rows if (pk, checksum) not in _SHARED]
    for version in ProcedureVersion.objects.filter(pk__in=missing):
        _SHARED[(version.pk, version.checksum)] = _parsed(version)
    out: Shared = {}
    for pk, checksum, key in sorted(rows):
        parsed = _SHARED.get((pk, checksum))
        found = parsed[1 if copies else 0] if parsed is not None else None
        if found:
            out.setdefault(key, []).append((pk, found))
    return out


def shared_steps() -> Shared:
    """{procedure key: [(version id, {actor: step keys})]}: the steps each actor acts on
    beside the step's own actor (joint or any-of), per version; versions without such steps
    are left out. One query (the versions' ids), each version parsed once per process."""
    return _by_version(copies=False)


def copy_steps() -> Shared:
    """As :func:`shared_steps`, the steps copied to each actor (``copies``)."""
    return _by_version(copies=True)


def shared_of(
    shared: Shared, procedure_key: str, actors: set[str] | list[str]
) -> list[tuple[int, list[str]]]:
    """(version id, step keys) of ``procedure_key``'s versions in ``shared``
    (:func:`shared_steps` or :func:`copy_steps`): the steps of any of ``actors``."""
    out = []
    for version_id, by_actor in shared.get(procedure_key, ()):
        keys = sorted({k for a in actors for k in by_actor.get(a, ())})
        if keys:
            out.append((version_id, keys))
    return out


def _bound(
    shared: Shared, bound: dict[tuple[int, str], set[str]]
) -> list[tuple[int, int, list[str]]]:
    return [
        (agency_id, version_id, keys)
        for (agency_id, procedure_key), actors in sorted(bound.items())
        for version_id, keys in shared_of(shared, procedure_key, actors)
    ]


def bound_shared(
    bound: dict[tuple[int, str], set[str]],
) -> list[tuple[int, int, list[str]]]:
    """(agency id, version id, step keys) for a viewer's bound actors ({(agency, procedure):
    actors}): the steps those actors act on beside the step's own actor, which the visibility
    gate counts as theirs while active, as it does their own actor's steps."""
    return _bound(shared_steps(), bound) if bound else []


def bound_copies(
    bound: dict[tuple[int, str], set[str]],
) -> list[tuple[int, int, list[str]]]:
    """(agency id, version id, step keys) for a viewer's bound actors: the steps copied to
    those actors (``copies``), which let the viewer read a case once one of them is
    completed."""
    return _bound(copy_steps(), bound) if bound else []
