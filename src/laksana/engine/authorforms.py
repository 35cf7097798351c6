"""The forms authors try first, read as what they mean and answered with what to write.

A step with two actors (``actor: [a, b]``), a step going on to two steps (``next: [a, b]``):
each is one problem at its line showing the form to write, and the rest of the file is checked
as if the author had written it, so no other problem follows from it. Steps are named in
messages by their number in the document (:func:`step_where`), kinds' Indonesian names lead to
the kind meant (:data:`KIND_ALIASES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from laksana.engine.messages import Msg
from laksana.engine.spec import Decision, Outcome

if TYPE_CHECKING:
    from laksana.engine.builder import Builder

# The kinds' names an Indonesian author may write first, for "did you mean".
KIND_ALIASES = {
    "jabatan": "position",
    "pejabat": "position",
    "tim": "team",
    "orang": "person",
    "perorangan": "person",
    "pegawai": "person",
    "pemohon": "requesting_unit",
    "unit_pemohon": "requesting_unit",
    "penyedia": "vendor",
    "eksternal": "external",
    "luar": "external",
    "dipilih": "chosen",
    "pilihan": "chosen",
}


def step_where(step_id: str, number: str) -> Msg:
    """How messages name a step: by its number in the document with its id, by either alone
    when only one is written, never by its place in the list."""
    if number and step_id:
        return Msg("step %(no)s ('%(step_id)s')", no=number, step_id=step_id)
    if number:
        return Msg("step %(no)s", no=number)
    if step_id:
        return Msg("step '%(step_id)s'", step_id=step_id)
    return Msg("a step without id or number")


def step_actor(b: Builder, node: yaml.Node | None, where: str) -> str:
    """A step's one actor; ``actor: [a, b]`` is one problem saying to write ``actor: a`` with
    ``joint: [b]`` (done together) or ``any_of: [b]`` (any one of them)."""
    if not listed(node):
        return b.r.text(node, Msg("%(where)s actor", where=where))
    assert isinstance(node, yaml.SequenceNode)
    names = [str(item.value).strip() for item in node.value]
    b.r.error(
        node,
        Msg(
            "%(where)s: a step has one actor; write actor: %(actor)s with joint: "
            "[%(others)s] when they do it together, or any_of: [%(others)s] when any one of "
            "them may do it",
            where=where,
            actor=names[0],
            others=", ".join(names[1:]),
        )
        if len(names) > 1
        else Msg(
            "%(where)s: a step has one actor; write actor: %(actor)s",
            where=where,
            actor=names[0],
        ),
    )
    b.listed_actors.update(names[1:])
    return names[0]


def next_list(
    b: Builder, node: yaml.Node, where: str, activity: str
) -> tuple[str | None, Decision | None]:
    """``next: [a, b]``: one problem showing the decision to write. The targets are still
    checked, and the flow read as that decision, so no other step is reported for it."""
    assert isinstance(node, yaml.SequenceNode)
    targets = [(str(item.value).strip(), item) for item in node.value]
    if len(targets) == 1:
        b.r.error(
            node,
            Msg(
                "%(where)s: next names one step; write next: %(target)s",
                where=where,
                target=targets[0][0],
            ),
        )
        b.target_refs.append((targets[0][0], targets[0][1], Msg("%(where)s next", where=where)))
        return targets[0][0], None
    labels = ["Ya", "Tidak"] if len(targets) == 2 else ["..."] * len(targets)
    example = ", ".join(
        f"{{label: {label}, to: {target}}}"
        for label, (target, _) in zip(labels, targets, strict=True)
    )
    b.r.error(
        node,
        Msg(
            "%(where)s: a step goes on to one step; a choice is written as a decision with "
            "outcomes, for example:\n    decision:\n      outcomes: [%(outcomes)s]",
            where=where,
            outcomes=example,
        ),
    )
    b.target_refs.extend((t, n, Msg("%(where)s next", where=where)) for t, n in targets)
    b.flow_guessed = True
    outcomes = tuple(Outcome(label=t, target=t) for t, _ in targets)
    return None, Decision(question=activity, outcomes=outcomes)


def listed(node: yaml.Node | None) -> bool:
    """A non-empty list of plain texts, written where one text belongs."""
    return (
        isinstance(node, yaml.SequenceNode)
        and bool(node.value)
        and all(
            isinstance(item, yaml.ScalarNode) and str(item.value).strip() for item in node.value
        )
    )
