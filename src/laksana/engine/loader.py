"""Load a procedure YAML file into a checked :class:`ProcedureSpec`.

Every problem of a file is reported at once, each with the file, line and column of the text
that causes it and a plain message saying what is wrong and what is allowed. The loader never
lets a traceback reach an author: YAML syntax errors, wrong types, unknown keys and names,
unreadable time texts and graph problems (unreachable steps, dead ends) all become
:class:`LoadError` entries of one :class:`ProcedureErrors`.

The YAML is read as a node tree (not as plain data) so every value keeps its position, and
scalars are read from their raw text, so ``label: Tidak`` or ``no: 08`` mean what they say
rather than what YAML 1.1 would guess.

The work is divided by meaning: :mod:`laksana.engine.yamlread` composes and bounds the YAML and
reads typed values with their positions, :mod:`laksana.engine.builder` builds the spec's parts,
:mod:`laksana.engine.graphcheck` checks the flow graph. This module holds the entry points and
the checks across parts: format and id, shared step and end ids, default next steps, references
to actors, artifacts and targets, unused declarations.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import yaml

from laksana.engine.authorforms import step_where
from laksana.engine.builder import Builder
from laksana.engine.graphcheck import check_graph, node_at, pos_node
from laksana.engine.messages import Msg
from laksana.engine.sourcerows import numbering_problems
from laksana.engine.spec import Identity, Position, ProcedureSpec, Step
from laksana.engine.yamlread import (
    MAX_YAML_DEPTH,
    MAX_YAML_EXPANSION,
    LoadError,
    Reader,
    choices_text,
    closest,
    compose,
)

__all__ = [
    "FORMAT",
    "MAX_YAML_DEPTH",
    "MAX_YAML_EXPANSION",
    "LoadError",
    "ProcedureErrors",
    "load_procedure",
    "load_text",
]

FORMAT = "laksana/procedure@1"

_PROCEDURE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOP_KEYS = ("format", "id", "identity", "notes", "actors", "artifacts", "start", "steps", "ends")


class ProcedureErrors(Exception):
    """All the problems found in one procedure file."""

    def __init__(self, errors: list[LoadError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.position.line, e.position.column))
        super().__init__("\n".join(str(e) for e in self.errors))


def load_procedure(path: str | Path) -> ProcedureSpec:
    """Load and check a procedure file; raise :class:`ProcedureErrors` listing every problem."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProcedureErrors([LoadError(Position(name, 1, 1), Msg("no such file"))]) from None
    except IsADirectoryError:
        raise ProcedureErrors(
            [LoadError(Position(name, 1, 1), Msg("is a directory, not a procedure file"))]
        ) from None
    except UnicodeDecodeError as exc:
        raise ProcedureErrors(
            [LoadError(Position(name, 1, 1), Msg("not UTF-8 text (%(reason)s)", reason=exc.reason))]
        ) from None
    except OSError as exc:
        raise ProcedureErrors(
            [
                LoadError(
                    Position(name, 1, 1), Msg("cannot be read: %(strerror)s", strerror=exc.strerror)
                )
            ]
        ) from None
    return load_text(text, name)


def load_text(text: str, filename: str = "<text>", draft: bool = False) -> ProcedureSpec:
    """Load and check procedure text; ``filename`` is used in the error positions.

    ``draft``: the text is a draft being written, whose SOP number (``identity.number``) may
    be empty or missing; everything else is checked as for publishing."""
    composed = compose(text, filename)
    if isinstance(composed, LoadError):
        raise ProcedureErrors([composed])
    r = Reader(filename)
    b = Builder(r)
    top = r.mapping(
        composed,
        "procedure",
        _TOP_KEYS,
        required=("format", "id", "identity", "actors", "start", "steps"),
    )
    if top is None:
        raise ProcedureErrors(r.errors)

    def node(key: str) -> yaml.Node | None:
        return top[key][1] if key in top else None

    fmt = r.text(node("format"), "format") if "format" in top else ""
    if "format" in top and fmt != FORMAT:
        r.error(
            node("format"),
            Msg(
                "format '%(fmt)s' is not supported; write format: %(format)s",
                fmt=fmt,
                format=FORMAT,
            ),
        )
    proc_id = r.text(node("id"), "id") if "id" in top else ""
    if proc_id and not _PROCEDURE_ID.match(proc_id):
        r.error(
            node("id"),
            Msg("id '%(proc_id)s' must be lower-case letters, digits and '-'", proc_id=proc_id),
        )
    identity = b.identity(top["identity"][1]) if "identity" in top else Identity("", "", "")
    notes = r.texts(node("notes"), "notes")
    actors = b.actors(top["actors"][1]) if "actors" in top else []
    arts = b.artifacts(node("artifacts"))
    steps_m = b.steps(top["steps"][1]) if "steps" in top else []
    ends = b.ends(node("ends"))
    steps = [s for s, _ in steps_m]

    start_label, start_id, start_node = "Mulai", "", node("start")
    if start_node is not None:
        if isinstance(start_node, yaml.MappingNode):
            sm = r.mapping(start_node, "start", ("label", "to"), required=("to",))
            if sm and "to" in sm:
                start_node = sm["to"][1]
                start_id = r.text(start_node, "start to")
                if "label" in sm:
                    start_label = r.text(sm["label"][1], "start label")
        else:
            start_id = r.text(start_node, "start")
        if start_id:
            b.target_refs.append((start_id, start_node, "start"))

    # Ids: steps and ends share a namespace, since both are targets.
    node_ids: dict[str, str] = {}
    for s, m in steps_m:
        if s.id in node_ids:
            r.error(
                m["id"][1],
                Msg(
                    "duplicate id '%(id)s': already used by a %(node_ids)s",
                    id=s.id,
                    node_ids=node_ids[s.id],
                ),
            )
        node_ids.setdefault(s.id, "step")
    for e in ends:
        if e.id in node_ids:
            r.error(
                None if f"end:{e.id}" not in b.positions else node_at(b, e.id),
                Msg(
                    "duplicate id '%(id)s': already used by a %(node_ids)s",
                    id=e.id,
                    node_ids=node_ids[e.id],
                ),
            )
        node_ids.setdefault(e.id, "end")

    # Default next: the following step; the last step goes to the only end.
    resolved: list[Step] = []
    for i, (s, m) in enumerate(steps_m):
        if s.decision is None and s.next is None:
            if i + 1 < len(steps_m):
                s = _replace_next(s, steps_m[i + 1][0].id)
            elif len(ends) == 1:
                s = _replace_next(s, ends[0].id)
            else:
                b.flow_guessed = True
                r.error(
                    m["id"][1],
                    Msg(
                        "%(where)s is the last step and there are %(count)s ends: say which "
                        "with 'next'",
                        where=step_where(s.id, s.number if "no" in m else ""),
                        count=len(ends),
                    ),
                )
        resolved.append(s)
    steps = resolved

    actor_ids = [a.id for a in actors]
    art_ids = [a.id for a in arts]
    # An unknown name is told with the closest declared one, and the one meant counts as used
    # (it is not told unused as well).
    used_actors: set[str] = set(b.listed_actors)
    used_arts: set[str] = set()
    actor_uses = [
        (s.actor, m["actor"][1], step_where(s.id, s.number if "no" in m else ""))
        for s, m in steps_m
        if s.actor and actors
    ]
    used_actors.update(s.actor for s, _ in steps_m)
    # Joint and any-of actors act on their steps; copy actors are told (tembusan): all used.
    used_actors.update(a for s, _ in steps_m for a in (*s.joint, *s.any_of, *s.copies))
    for ref, ref_node, what in actor_uses + b.actor_refs:
        if ref in actor_ids or ref in b.declared_actors:  # a declared actor's own problem is told
            continue
        meant = closest(ref, actor_ids)
        if meant:
            used_actors.add(meant)
        r.error(
            ref_node,
            Msg(
                "%(what)s: unknown actor '%(actor)s'; did you mean '%(closest)s'? "
                "actors: %(allowed)s",
                what=what,
                actor=ref,
                closest=meant,
                allowed=choices_text(actor_ids),
            )
            if meant
            else Msg(
                "%(what)s: unknown actor '%(actor)s'; actors: %(allowed)s",
                what=what,
                actor=ref,
                allowed=choices_text(actor_ids),
            ),
        )
    for ref, ref_node, what in b.artifact_refs:
        used_arts.add(ref)
        if ref not in art_ids:
            meant = closest(ref, art_ids)
            used_arts.add(meant)
            r.error(
                ref_node,
                Msg(
                    "%(what)s: unknown artifact '%(ref)s'; did you mean '%(closest)s'? "
                    "artifacts: %(allowed)s",
                    what=what,
                    ref=ref,
                    closest=meant,
                    allowed=choices_text(art_ids),
                )
                if meant
                else Msg(
                    "%(what)s: unknown artifact '%(ref)s'; artifacts: %(allowed)s",
                    what=what,
                    ref=ref,
                    allowed=choices_text(art_ids),
                ),
            )
    targets_known = sorted(node_ids)
    bad_refs = False
    for target, ref_node, what in b.target_refs:
        if target and target not in node_ids:
            bad_refs = True
            r.error(
                ref_node,
                Msg(
                    "%(what)s: unknown step or end '%(target)s'; known: %(allowed)s",
                    what=what,
                    target=target,
                    allowed=choices_text(targets_known),
                ),
            )
    if start_id and start_id in node_ids and node_ids[start_id] == "end":
        r.error(start_node, Msg("start must lead to a step, not straight to an end"))
    for a in actors:
        if a.id not in used_actors:
            r.error(
                pos_node(b, f"actor:{a.id}"),
                Msg("actor '%(id)s' is declared but no step uses it", id=a.id),
            )
    for art in arts:
        if art.id not in used_arts:
            r.error(
                pos_node(b, f"artifact:{art.id}"),
                Msg("artifact '%(id)s' is declared but no step requires or produces it", id=art.id),
            )

    for step_id, problem in numbering_problems(steps):
        r.error(pos_node(b, f"step:{step_id}"), problem)

    if not bad_refs and not b.flow_guessed and start_id in node_ids and steps:
        names = {s.id: step_where(s.id, s.number if "no" in m else "") for s, m in steps_m}
        check_graph(r, b, steps, ends, start_id, names)

    if draft:
        r.errors = [e for e in r.errors if not _about_number(e)]
    if r.errors:
        raise ProcedureErrors(r.errors)
    return ProcedureSpec(
        id=proc_id,
        identity=identity,
        actors=tuple(actors),
        artifacts=tuple(arts),
        steps=tuple(steps),
        start=start_id,
        ends=tuple(ends),
        start_label=start_label,
        notes=notes,
        source=filename,
        positions=MappingProxyType(dict(b.positions)),
    )


def _about_number(error: LoadError) -> bool:
    """Whether the problem is only that the SOP number is missing or empty (a draft's)."""
    message = error.message
    if not isinstance(message, Msg):
        return False
    params = message.params
    return (
        message.template == "%(where)s: '%(key)s' is required"
        and params.get("where") == "identity"
        and params.get("key") == "number"
    ) or (
        message.template in ("%(where)s must not be empty", "%(where)s must be text")
        and params.get("where") == "identity.number"
    )


def _replace_next(step: Step, next_id: str) -> Step:
    from dataclasses import replace

    return replace(step, next=next_id)
