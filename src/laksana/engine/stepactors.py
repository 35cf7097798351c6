"""A step's other actors: those who do it together with its actor (``joint``: bersama,
berkoordinasi dengan), those any one of whom may do it instead (``any_of``), and those who
only receive a copy when it is completed (``copies``: tembusan).

The loader reads the three keys here (:func:`read`): each names declared actors, not the
step's own actor, none twice, and a step is either joint or any-of, not both. The helpers
below answer, for the cases and the document, which actors act on a step and how.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import yaml

from laksana.engine.messages import Msg
from laksana.engine.spec import ProcedureSpec, Step

if TYPE_CHECKING:
    from laksana.engine.builder import Builder

KEYS = ("joint", "any_of", "copies")


def read(
    b: Builder, m: dict[str, tuple[yaml.Node, yaml.Node]], where: str, actor: str
) -> dict[str, tuple[str, ...]]:
    """The step's ``joint``, ``any_of`` and ``copies``, each checked; unknown actors are
    told by the loader with the closest declared one (they are recorded as references)."""
    r = b.r
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}  # actor -> the key that named it first
    for key in KEYS:
        if key not in m:
            out[key] = ()
            continue
        found = r.ids(m[key][1], Msg("%(where)s %(key)s", where=where, key=key))
        kept: list[str] = []
        for ref, node in found:
            if ref == actor:
                r.error(
                    node,
                    Msg(
                        "%(where)s %(key)s: '%(actor)s' is the step's own actor; name only "
                        "the others",
                        where=where,
                        key=key,
                        actor=ref,
                    ),
                )
                continue
            if ref in seen:
                r.error(
                    node,
                    Msg(
                        "%(where)s %(key)s: '%(actor)s' is already named in %(first)s",
                        where=where,
                        key=key,
                        actor=ref,
                        first=seen[ref],
                    ),
                )
                continue
            seen[ref] = key
            kept.append(ref)
            b.actor_refs.append((ref, node, Msg("%(where)s %(key)s", where=where, key=key)))
        out[key] = tuple(kept)
    if "joint" in m and "any_of" in m:
        r.error(
            m["any_of"][0],
            Msg(
                "%(where)s: a step is done either jointly (joint) or by any one of several "
                "actors (any_of), not both; keep one",
                where=where,
            ),
        )
    return out


def acting(step: Step) -> tuple[str, ...]:
    """The actors whose holders are offered the step: its actor, then the joint or any-of
    ones (never the copies)."""
    return (step.actor, *step.joint, *step.any_of)


def parts(step: Step) -> tuple[str, ...]:
    """The actors each of whom confirms its part of a joint step (its actor first); empty
    for a step that is not joint."""
    return (step.actor, *step.joint) if step.joint else ()


def others(step: Step) -> tuple[str, ...]:
    """The actors beside the step's own that act on it (joint or any-of)."""
    return (*step.joint, *step.any_of)


def lane_actors(steps: tuple[Step, ...] | list[Step]) -> set[str]:
    """The actors that have a swimlane: those acting on a step. An actor named only in
    ``copies`` is declared but drawn in no lane."""
    return {a for s in steps for a in acting(s)}


def drawn(spec: ProcedureSpec) -> ProcedureSpec:
    """``spec`` with only the actors that have a swimlane (an actor named only in
    ``copies`` has none), for drawing."""
    lanes = lane_actors(spec.steps)
    kept = tuple(a for a in spec.actors if a.id in lanes)
    return spec if len(kept) == len(spec.actors) else replace(spec, actors=kept)


# How the document tells a joint step from an any-of one (the marker's word, and the legend
# printed in Keterangan), and the copies.
MARKER_WORDS = {"joint": "bersama", "any_of": "atau"}


def note_text(spec: ProcedureSpec, step: Step) -> str:
    """The step's Keterangan: its note, then the legend of the markers drawn in the other
    actors' lanes, then "Tembusan: <names>"."""

    def names(actors: tuple[str, ...]) -> str:
        return ", ".join(spec.actor(a).name for a in actors)

    parts = [step.note.strip()] if step.note.strip() else []
    if step.joint:
        parts.append(
            f"Dikerjakan bersama oleh {spec.actor(step.actor).name} dan {names(step.joint)} "
            "(simbol bergaris putus bertanda “bersama” di lajurnya)."
        )
    if step.any_of:
        parts.append(
            f"Dapat dikerjakan oleh salah satu: {spec.actor(step.actor).name} atau "
            f"{names(step.any_of)} (simbol bergaris titik-titik bertanda “atau” di lajurnya)."
        )
    if step.copies:
        parts.append(f"Tembusan: {names(step.copies)}.")
    return " ".join(parts)
