"""Reading a procedure file's YAML safely, keeping every value's position.

The text is composed into a node tree (libyaml when present), bounded before anything walks
it (nesting depth, aliases that contain themselves or expand the file too much), and then read
by :class:`Reader`, which takes typed values out of the nodes from their raw text and collects
each problem as a :class:`LoadError` at the node's file, line and column instead of raising.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import yaml

from laksana.engine.messages import Msg
from laksana.engine.spec import Position

# An id of an actor, an artifact or a step.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class LoadError:
    """One problem in a procedure file, at a position."""

    position: Position
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


def choices_text(values: Iterable[str]) -> str:
    """The allowed values as a message lists them: "a, b, c", or "(none)"."""
    return ", ".join(values) or "(none)"


# Keys an author may write first for the format's keys (Indonesian names of the table's
# columns, other English words), for "did you mean"; used only where the key meant is allowed.
KEY_ALIASES = {
    "kegiatan": "activity",
    "pelaksana": "actor",
    "actors": "actor",
    "executor": "actor",
    "role": "actor",
    "nomor": "no",
    "number": "no",
    "persyaratan": "requires",
    "kelengkapan": "requires",
    "requirements": "requires",
    "requirement": "requires",
    "inputs": "requires",
    "input": "requires",
    "output": "produces",
    "outputs": "produces",
    "keluaran": "produces",
    "waktu": "time",
    "keterangan": "note",
    "notes": "note",
    "keputusan": "decision",
    "then": "next",
    "goto": "next",
    "lanjut": "next",
    "pilihan": "outcomes",
    "options": "outcomes",
    "target": "to",
    "goto_step": "to",
    "ke": "to",
    "nama": "name",
    "jenis": "kind",
}


def closest(word: str, choices: Iterable[str], aliases: dict[str, str] | None = None) -> str:
    """The allowed value an author most likely meant by ``word`` (a misspelling, another
    case, an alias such as the Indonesian name of a kind), or "" when none is close."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    key = word.strip().lower()
    if aliases and key in aliases and aliases[key] in choices:
        return aliases[key]
    if key in lowered:
        return lowered[key]
    found = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else ""


def peek(node: yaml.Node, key: str) -> str:
    """The plain text of ``key`` in a mapping node, read before the mapping is checked
    ("" when the node is no mapping or the value no text)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.value == key
                and isinstance(value_node, yaml.ScalarNode)
            ):
                return str(value_node.value).strip()
    return ""


class Reader:
    """Reads typed values out of YAML nodes, collecting errors instead of raising."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[LoadError] = []

    def pos(self, node: yaml.Node | None) -> Position:
        if node is None:
            return Position(self.filename, 1, 1)
        mark = node.start_mark
        return Position(self.filename, mark.line + 1, mark.column + 1)

    def error(self, node: yaml.Node | None, message: str) -> None:
        self.errors.append(LoadError(self.pos(node), message))

    def mapping(
        self,
        node: yaml.Node,
        where: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """The mapping's entries by key, after checking keys; None if it is no mapping."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, Msg("%(where)s must be a mapping of keys to values", where=where))
            return None
        allowed = list(allowed)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, Msg("%(where)s: a key must be plain text", where=where))
                continue
            key = key_node.value
            if key in out:
                self.error(
                    key_node, Msg("%(where)s: key '%(key)s' is written twice", where=where, key=key)
                )
                continue
            if key not in allowed:
                written = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
                meant = closest(key, [a for a in allowed if a not in written], KEY_ALIASES)
                self.error(
                    key_node,
                    Msg(
                        "%(where)s: unknown key '%(key)s'; did you mean '%(closest)s'? "
                        "allowed: %(allowed)s",
                        where=where,
                        key=key,
                        closest=meant,
                        allowed=choices_text(allowed),
                    )
                    if meant
                    else Msg(
                        "%(where)s: unknown key '%(key)s'; allowed: %(allowed)s",
                        where=where,
                        key=key,
                        allowed=choices_text(allowed),
                    ),
                )
                if meant:  # read as the key meant, so nothing else is reported for it
                    out[meant] = (key_node, value_node)
                continue
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.error(node, Msg("%(where)s: '%(key)s' is required", where=where, key=key))
        return out

    def named_mapping(
        self, node: yaml.Node, where: str
    ) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """Entries of an id -> definition mapping (actors, artifacts), ids checked."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, Msg("%(where)s must be a mapping of ids to definitions", where=where))
            return
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            if not NAME.match(key):
                self.error(
                    key_node,
                    Msg(
                        "%(where)s: id '%(key)s' must be letters, digits, '_' or '-', "
                        "starting with a letter or digit",
                        where=where,
                        key=key,
                    ),
                )
                continue
            if key in seen:
                self.error(
                    key_node, Msg("%(where)s: id '%(key)s' is declared twice", where=where, key=key)
                )
                continue
            seen.add(key)
            yield key, key_node, value_node

    def text(self, node: yaml.Node | None, where: str, required: bool = True) -> str:
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode) or (
            node.tag == "tag:yaml.org,2002:null" and node.style is None
        ):
            if isinstance(node, yaml.ScalarNode) and not required:
                return ""
            self.error(node, Msg("%(where)s must be text", where=where))
            return ""
        value = str(node.value).strip()
        if required and not value:
            self.error(node, Msg("%(where)s must not be empty", where=where))
        return value

    def texts(self, node: yaml.Node | None, where: str) -> tuple[str, ...]:
        """A list of texts; a single text is a list of one."""
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            value = self.text(node, where, required=False)
            return (value,) if value else ()
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, Msg("%(where)s must be a list of texts", where=where))
            return ()
        return tuple(self.text(item, Msg("%(where)s item", where=where)) for item in node.value)

    def date(self, node: yaml.Node | None, where: str) -> dt.date | None:
        if node is None:
            return None
        raw = self.text(node, where, required=False)
        if not raw or raw == "-":
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.error(
                node,
                Msg(
                    "%(where)s must be a date written YYYY-MM-DD, not '%(raw)s'",
                    where=where,
                    raw=raw,
                ),
            )
            return None

    def integer(self, node: yaml.Node | None, where: str, default: int = 0) -> int:
        if node is None:
            return default
        raw = self.text(node, where)
        if not raw.isdecimal():
            self.error(
                node, Msg("%(where)s must be a whole number, not '%(raw)s'", where=where, raw=raw)
            )
            return default
        return int(raw)

    def boolean(self, node: yaml.Node | None, where: str, default: bool) -> bool:
        if node is None:
            return default
        raw = self.text(node, where).lower()
        if raw in ("true", "yes", "ya"):
            return True
        if raw in ("false", "no", "tidak"):
            return False
        self.error(
            node, Msg("%(where)s must be true or false, not '%(raw)s'", where=where, raw=raw)
        )
        return default

    def ids(self, node: yaml.Node | None, where: str) -> list[tuple[str, yaml.Node]]:
        """A list of ids with their nodes; a single id is a list of one."""
        if node is None:
            return []
        items = [node] if isinstance(node, yaml.ScalarNode) else None
        if items is None:
            if not isinstance(node, yaml.SequenceNode):
                self.error(node, Msg("%(where)s must be a list of ids", where=where))
                return []
            items = list(node.value)
        out: list[tuple[str, yaml.Node]] = []
        for item in items:
            value = self.text(item, Msg("%(where)s item", where=where))
            if value:
                out.append((value, item))
        return out


# libyaml composes a file about fifteen times faster than the pure-Python loader and gives the
# same positions; the pure-Python loader words syntax errors better, so it reads failed files.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# How deeply a procedure file may nest lists and mappings (the format itself needs six levels),
# and how much larger than the file its aliases may make it, in characters of its values.
MAX_YAML_DEPTH = 32
MAX_YAML_EXPANSION = 100_000


def compose(text: str, filename: str) -> yaml.Node | LoadError:
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as fast_error:
        if "maximum nesting depth" in str(fast_error):
            return _too_deep(filename, getattr(fast_error, "problem_mark", None))
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = " ".join(p for p in (exc.context, exc.problem) if p)
            return LoadError(
                Position(filename, line, col),
                Msg("YAML syntax error: %(problem)s", problem=problem),
            )
        except yaml.YAMLError as exc:
            return LoadError(Position(filename, 1, 1), Msg("YAML error: %(exc)s", exc=exc))
        except RecursionError:
            return _too_deep(filename, None)
    if node is None:
        return LoadError(Position(filename, 1, 1), Msg("the file is empty"))
    return _bounded(node, len(text), filename)


def _too_deep(filename: str, mark: yaml.Mark | None) -> LoadError:
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return LoadError(
        Position(filename, line, col),
        Msg(
            "lists and mappings are nested too deeply; at most %(max_yaml_depth)s levels",
            max_yaml_depth=MAX_YAML_DEPTH,
        ),
    )


def _bounded(root: yaml.Node, size: int, filename: str) -> yaml.Node | LoadError:
    """The composed file if its structure is bounded: nested at most MAX_YAML_DEPTH levels,
    no alias inside the node it names, and its aliases, expanded, adding at most
    MAX_YAML_EXPANSION characters to the file (a "billion laughs" of anchors is refused
    before anything walks it). Each node is visited once, without recursion."""
    weight: dict[int, int] = {}  # a finished node: characters of its values, expanded
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    limit = 2 * size + MAX_YAML_EXPANSION
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            weight[key], depth[key] = len(node.value) + 1, 0
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = list(node.value)
        if children_done:
            open_nodes.discard(key)
            weight[key] = 1 + sum(weight[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            mark = node.start_mark
            if depth[key] > MAX_YAML_DEPTH:
                return _too_deep(filename, mark)
            if weight[key] > limit:
                return LoadError(
                    Position(filename, mark.line + 1, mark.column + 1),
                    Msg(
                        "aliases expand the file to more than %(limit)s characters; repeat "
                        "less through anchors and aliases",
                        limit=limit,
                    ),
                )
            continue
        if key in weight:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                mark = child.start_mark
                return LoadError(
                    Position(filename, mark.line + 1, mark.column + 1),
                    Msg(
                        "an alias refers to the list or mapping it is inside of (it contains "
                        "itself)"
                    ),
                )
            if id(child) not in weight:
                stack.append((child, False))
        if len(open_nodes) > MAX_YAML_DEPTH:
            return _too_deep(filename, node.start_mark)
    return root
