"""The static checks of a procedure's flow graph: every step reachable from the start, an end
reachable from every step, every end reached; and the stand-in nodes that let errors about
declared names point at their recorded positions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

import yaml

from laksana.engine.builder import Builder
from laksana.engine.messages import Msg
from laksana.engine.sourcerows import step_name
from laksana.engine.spec import End, Position, Step
from laksana.engine.yamlread import Reader


class _PosNode(yaml.Node):
    """A stand-in node carrying only a position, for errors about declared names."""

    def __init__(self, position: Position) -> None:
        mark = yaml.Mark(position.file, 0, position.line - 1, position.column - 1, "", 0)
        super().__init__("", "", mark, mark)


def pos_node(b: Builder, key: str) -> yaml.Node | None:
    """A node at the recorded position of ``key`` (``step:<id>``, ``actor:<id>``, ...)."""
    pos = b.positions.get(key)
    return _PosNode(pos) if pos else None


def node_at(b: Builder, end_id: str) -> yaml.Node | None:
    """A node at the position of the end ``end_id``."""
    return pos_node(b, f"end:{end_id}")


def check_graph(
    r: Reader,
    b: Builder,
    steps: list[Step],
    ends: list[End],
    start: str,
    names: Mapping[str, str] | None = None,
) -> None:
    """Every step reachable from the start; from every step an end reachable. ``names``: how
    messages name each step (by id), by default its number with its id."""
    succ = {s.id: s.targets() for s in steps}
    reached = {start}
    queue = deque([start])
    while queue:
        for nxt in succ.get(queue.popleft(), ()):
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    pred: dict[str, list[str]] = {}
    for src, targets in succ.items():
        for t in targets:
            pred.setdefault(t, []).append(src)
    can_end = {e.id for e in ends}
    queue = deque(can_end)
    while queue:
        for p in pred.get(queue.popleft(), ()):
            if p not in can_end:
                can_end.add(p)
                queue.append(p)
    for s in steps:
        node = pos_node(b, f"step:{s.id}")
        where = names[s.id] if names and s.id in names else step_name(s)
        if s.id not in reached:
            r.error(node, Msg("%(where)s cannot be reached from the start", where=where))
        elif s.id not in can_end:
            r.error(
                node,
                Msg(
                    "%(where)s leads to no end: from it, the case can never finish",
                    where=where,
                ),
            )
    for e in ends:
        if e.id not in reached:
            r.error(pos_node(b, f"end:{e.id}"), Msg("end '%(id)s' is never reached", id=e.id))
