"""A procedure's YAML as a plain tree, its canonical text, its sections and field paths.

The editor's forms work on plain data (dicts, lists, texts, whole numbers, true/false); the
procedure stays YAML, the exchange format. :func:`parse` reads the text into that tree from
the YAML's own text (a plain ``no: 08`` stays "08", ``yes: s4`` keeps its key ``yes``), and
:func:`dump` writes a tree back as the format's canonical YAML: its key order, every text
double-quoted (long texts folded), dates written YYYY-MM-DD. ``load_text(dump(parse(s)))``
checks to the same procedure as ``load_text(s)``; comments are not kept (the ``notes`` list
is). :func:`path_at` maps a loader message's line and column to the field it concerns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from django.utils.translation import gettext as _

from laksana.engine.messages import translated
from laksana.engine.yamlread import LoadError, compose
from laksana.errors import ServiceError

# The editor's sections of a procedure; "service" is the service-level block, which the YAML
# keeps under identity.
SECTIONS = ("identity", "service", "actors", "artifacts", "steps", "flow", "notes")

SERVICE_KEYS = (
    "purpose",
    "scope",
    "definitions",
    "service_requirements",
    "service_time",
    "cost",
    "product",
    "success_indicators",
)

# The format's key order at each place (keys not listed follow in the order written).
_TOP_ORDER = ("format", "id", "identity", "notes", "actors", "artifacts", "start", "steps", "ends")
_IDENTITY_ORDER = (
    "number",
    "title",
    "agency",
    "government",
    "unit",
    "made",
    "revised",
    "effective",
    "effective_text",
    "revision",
    "approved_by",
    "legal_basis",
    "qualifications",
    "related",
    "equipment",
    "warnings",
    "records",
    *SERVICE_KEYS,
)
_ORDERS: dict[str, tuple[str, ...]] = {
    "": _TOP_ORDER,
    "identity": _IDENTITY_ORDER,
    "identity.approved_by": ("title", "name", "nip"),
    "actors.*": ("name", "kind", "description"),
    "artifacts.*": ("name", "type", "accept", "multiple", "fields"),
    "artifacts.*.fields.*": ("id", "label", "type", "required", "choices", "help"),
    "steps.*": (
        "id",
        "no",
        "activity",
        "actor",
        "joint",
        "any_of",
        "copies",
        "requires",
        "requirements_text",
        "time",
        "produces",
        "output_text",
        "revises",
        "note",
        "also_rows",
        "next",
        "decision",
    ),
    "steps.*.also_rows.*": ("no", "activity", "requirements_text", "time", "output_text", "note"),
    "steps.*.decision": ("question", "decided_by", "yes", "no", "outcomes"),
    "steps.*.decision.outcomes.*": ("label", "to", "when"),
    "start": ("label", "to"),
    "ends.*": ("id", "label"),
}
_EMPTY_MEANS = ("requirements_text", "output_text")  # "" differs from not written
_DATE_KEYS = ("identity.made", "identity.revised", "identity.effective")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^(0|[1-9][0-9]{0,17})$")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_FOLD_AT = 80  # texts longer than this are written folded
_WIDTH = 92

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# parse ------------------------------------------------------------------------------------


def parse(source: str) -> dict[str, Any]:
    """The procedure text as plain data; ``ServiceError("yaml", ..., field="source")`` when it
    is no YAML mapping (a syntax error, nesting too deep, aliases expanding too far)."""
    composed = compose(source, "<source>")
    if isinstance(composed, LoadError):
        raise ServiceError(
            "yaml",
            f"{composed.position.line}:{composed.position.column}: "
            f"{translated(composed.message, _)}",
            field="source",
        )
    tree = _plain(composed)
    if not isinstance(tree, dict):
        raise ServiceError("yaml", _("the procedure must be a mapping of keys"), field="source")
    return tree


def _plain(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
            if key not in out:  # a key written twice: the first (the loader reports it)
                out[key] = _plain(value_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    value = str(node.value)
    if not getattr(node, "style", None):  # plain: a null, a whole number, true/false, a text
        if node.tag == "tag:yaml.org,2002:null":
            return None
        if _WHOLE.match(value):
            return int(value)
        if value in ("true", "false"):
            return value == "true"
    return value


# dump -------------------------------------------------------------------------------------


def dump(tree: dict[str, Any]) -> str:
    """The canonical YAML of a tree: the format's key order, texts double-quoted (long ones
    folded), dates YYYY-MM-DD, whole numbers and true/false plain; empty values (None, "")
    left out of mappings."""
    root = _node(tree, "")
    text = yaml.serialize(root, Dumper=yaml.SafeDumper, allow_unicode=True, width=_WIDTH)
    return str(text)


def _key_pattern(path: str) -> str:
    """A path with list indexes and actor/artifact ids as '*' ("steps.3.time" -> "steps.*.time")."""
    parts = path.split(".") if path else []
    out = []
    for i, part in enumerate(parts):
        if part.isdigit() or (i == 1 and parts[0] in ("actors", "artifacts")):
            out.append("*")
        else:
            out.append(part)
    return ".".join(out)


def _ordered(data: dict[str, Any], path: str) -> list[str]:
    order = _ORDERS.get(_key_pattern(path), ())
    first = [k for k in order if k in data]
    return first + [k for k in data if k not in order]


def _node(value: Any, path: str) -> yaml.Node:
    if isinstance(value, dict):
        pairs = []
        for key in _ordered(value, path):
            item = value[key]
            # An empty Kelengkapan/Output text means an empty printed cell: it is kept.
            if item is None or (item == "" and key not in _EMPTY_MEANS):
                continue
            sub = f"{path}.{key}" if path else str(key)
            pairs.append((_key_node(str(key)), _node(item, sub)))
        return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)
    if isinstance(value, list | tuple):
        items = [_node(item, f"{path}.{i}") for i, item in enumerate(value)]
        short = all(
            isinstance(v, str | int) and not isinstance(v, bool) and len(str(v)) <= 40
            for v in value
        )
        flow = bool(value) and short and sum(len(str(v)) + 4 for v in value) < 60
        return yaml.SequenceNode("tag:yaml.org,2002:seq", items, flow_style=flow or not value)
    if isinstance(value, bool):
        return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode("tag:yaml.org,2002:int", str(value))
    if isinstance(value, dt.date):
        return yaml.ScalarNode("tag:yaml.org,2002:timestamp", value.isoformat()[:10])
    text = str(value)
    if _key_pattern(path) in _DATE_KEYS and _ISO_DATE.match(text):
        return yaml.ScalarNode("tag:yaml.org,2002:timestamp", text)
    return yaml.ScalarNode(_STR, text, style=">" if _foldable(text) else '"')


def _key_node(key: str) -> yaml.ScalarNode:
    # A key is written plain when it is a name (``no``, ``yes`` included: the loader reads a
    # key's text, not its YAML 1.1 meaning); any other key is quoted.
    if _PLAIN_KEY.match(key):
        tag = str(_RESOLVER.resolve(yaml.ScalarNode, key, (True, False)))  # type: ignore[no-untyped-call]
        return yaml.ScalarNode(tag, key)
    return yaml.ScalarNode(_STR, key, style='"')


def _foldable(text: str) -> bool:
    """Whether a text is long and folds back to itself (one line, no runs of spaces)."""
    return (
        len(text) > _FOLD_AT
        and text == text.strip()
        and "\n" not in text
        and "  " not in text
        and text.isprintable()
        and _folds_back(text)
    )


def _folds_back(text: str) -> bool:
    node = yaml.ScalarNode(_STR, text, style=">")
    written = yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=_WIDTH)
    composed = yaml.compose(written, Loader=_LOADER)
    return composed is not None and composed.value == text


# sections ---------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if name not in SECTIONS:
        raise ServiceError(
            "section",
            _("unknown section '%(name)s'; sections: %(allowed)s")
            % {"name": name[:50], "allowed": ", ".join(SECTIONS)},
            field="section",
        )


def section(tree: dict[str, Any], name: str) -> Any:
    """One section of a tree (a copy of its plain data)."""
    _check_name(name)
    identity = tree.get("identity") if isinstance(tree.get("identity"), dict) else {}
    assert isinstance(identity, dict)
    if name == "identity":
        data = {k: v for k, v in identity.items() if k not in SERVICE_KEYS}
        return {"id": tree.get("id", ""), **data}
    if name == "service":
        return {k: identity[k] for k in SERVICE_KEYS if k in identity}
    if name == "flow":
        return {k: tree[k] for k in ("start", "ends") if k in tree}
    default: Any = [] if name in ("steps", "notes") else {}
    return tree.get(name, default)


def with_section(tree: dict[str, Any], name: str, data: Any) -> dict[str, Any]:
    """A new tree with one section replaced by ``data`` (ServiceError for a section that does
    not exist or data of the wrong shape, naming the section)."""
    _check_name(name)
    out = dict(tree)
    identity = dict(tree["identity"]) if isinstance(tree.get("identity"), dict) else {}
    if name in ("identity", "service", "actors", "artifacts", "flow") and not isinstance(
        data, dict
    ):
        raise ServiceError(
            "shape", _("%(name)s must be a mapping of keys to values") % {"name": name}, field=name
        )
    if name in ("steps", "notes") and not isinstance(data, list):
        raise ServiceError("shape", _("%(name)s must be a list") % {"name": name}, field=name)
    if name == "identity":
        fields = dict(data)
        if "id" in fields:
            out["id"] = fields.pop("id")
        service = {k: v for k, v in identity.items() if k in SERVICE_KEYS}
        out["identity"] = {**{k: v for k, v in fields.items() if k not in SERVICE_KEYS}, **service}
    elif name == "service":
        unknown = [k for k in data if k not in SERVICE_KEYS]
        if unknown:
            raise ServiceError(
                "shape",
                _("service: unknown key '%(key)s'; allowed: %(allowed)s")
                % {"key": unknown[0][:50], "allowed": ", ".join(SERVICE_KEYS)},
                field=f"identity.{unknown[0]}",
            )
        kept = {k: v for k, v in identity.items() if k not in SERVICE_KEYS}
        out["identity"] = {**kept, **data}
    elif name == "flow":
        unknown = [k for k in data if k not in ("start", "ends")]
        if unknown:
            raise ServiceError(
                "shape",
                _("flow: unknown key '%(key)s'; allowed: start, ends") % {"key": unknown[0][:50]},
                field=unknown[0][:50],
            )
        out.pop("start", None)
        out.pop("ends", None)
        out.update(data)
    else:
        out[name] = data
    return out


# paths ------------------------------------------------------------------------------------


def _walk(node: yaml.Node, path: str) -> Iterator[tuple[yaml.Node, str]]:
    yield node, path
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            sub = f"{path}.{key}" if path else key
            yield key_node, sub
            yield from _walk(value_node, sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk(item, f"{path}.{i}" if path else str(i))


def path_at(source: str, line: int, column: int, message: object = "") -> str:
    """The field a message at ``line``:``column`` (1-based) of ``source`` concerns, as a path
    ("identity.number", "actors.kadis.kind", "steps.3.time", "ends.0.label"); "" when it
    maps to nothing (the message belongs at the top). A message about a missing key (the
    loader points at the mapping: "'number' is required") is at that key's path; one about an
    item of a list of ids or texts ("steps.0.joint.0") at the list, as the editor shows it."""
    return path_finder(source)(line, column, message)


_REQUIRED = re.compile(r"'([A-Za-z_][A-Za-z0-9_-]*)' is required")


def _missing_key(message: object) -> str:
    """The key a loader message says is missing ("" when it says no such thing)."""
    params = getattr(message, "params", None)
    if getattr(message, "template", "").endswith("'%(key)s' is required") and params:
        return str(params.get("key", ""))
    found = _REQUIRED.search(str(message)) if message else None
    return found.group(1) if found else ""


def path_finder(source: str) -> Callable[..., str]:
    """:func:`path_at` for many positions of one text (composed once): ``find(line, column,
    message="")``."""
    composed = compose(source, "<source>")
    if isinstance(composed, LoadError):
        return lambda line, column, message="": ""
    nodes = list(_walk(composed, ""))
    spans = [
        (
            (node.start_mark.line, node.start_mark.column),
            (node.end_mark.line, node.end_mark.column),
            path,
        )
        for node, path in nodes
    ]
    kinds = {path: node for node, path in nodes if not isinstance(node, yaml.ScalarNode)}

    def depth(path: str) -> int:
        return path.count(".") if path else -1

    def shown(path: str, message: object) -> str:
        node = kinds.get(path)
        if isinstance(node, yaml.MappingNode):
            key = _missing_key(message)
            return f"{path}.{key}" if key and path else key or path
        head, _sep, last = path.rpartition(".")
        if last.isdigit() and head and node is None:  # a text item of a list: the list
            return head
        return path

    def find(line: int, column: int, message: object = "") -> str:
        at = (line - 1, column - 1)
        exact = [path for start, _end, path in spans if start == at]
        if exact:
            # A mapping starts where its first key does: the mapping (the shallowest) is
            # meant, as the loader points at a mapping for a key it misses.
            return shown(min(exact, key=depth), message)
        inside = [path for start, end, path in spans if start <= at < end]
        return shown(max(inside, key=depth), message) if inside else ""

    return find


# renaming ---------------------------------------------------------------------------------

RENAMES = ("actor", "artifact", "step")


def _swap(value: Any, old: str, new: str) -> Any:
    """An id, or a list of ids, with ``old`` replaced by ``new``."""
    if isinstance(value, list):
        return [new if item == old else item for item in value]
    return new if value == old else value


def _renamed_key(mapping: Any, old: str, new: str) -> Any:
    if not isinstance(mapping, dict) or old not in mapping or new in mapping:
        return mapping
    return {(new if k == old else k): v for k, v in mapping.items()}


def rename(tree: dict[str, Any], kind: str, old: str, new: str) -> dict[str, Any]:
    """A new tree where the actor, artifact or step ``old`` is called ``new``: its definition
    (when it is still called ``old`` and ``new`` is free) and every place that refers to it.
    An actor: steps' actor, joint, any_of and copies, documents' signed_by and initialled_by;
    an artifact: steps' requires, produces and revises and decisions' decided_by; a step:
    steps' next, decisions' outcomes' to (and yes/no), and the start."""
    if kind not in RENAMES:
        raise ServiceError(
            "invalid",
            _("unknown kind '%(kind)s'; allowed: %(allowed)s")
            % {"kind": str(kind)[:50], "allowed": ", ".join(RENAMES)},
            field="kind",
        )
    out = dict(tree)
    if not old or not new or old == new:
        return out
    step_keys = {
        "actor": ("actor", "joint", "any_of", "copies"),
        "artifact": ("requires", "produces", "revises"),
        "step": ("next",),
    }[kind]
    steps = []
    for step in tree.get("steps") or []:
        if not isinstance(step, dict):
            steps.append(step)
            continue
        step = dict(step)
        for key in step_keys:
            if key in step:
                step[key] = _swap(step[key], old, new)
        if kind == "step" and step.get("id") == old:
            step["id"] = new
        decision = step.get("decision")
        if isinstance(decision, dict):
            decision = dict(decision)
            if kind == "artifact" and "decided_by" in decision:
                decision["decided_by"] = _swap(decision["decided_by"], old, new)
            if kind == "step":
                for key in ("yes", "no"):
                    if key in decision:
                        decision[key] = _swap(decision[key], old, new)
                if isinstance(decision.get("outcomes"), list):
                    decision["outcomes"] = [
                        {**o, "to": _swap(o["to"], old, new)}
                        if isinstance(o, dict) and "to" in o
                        else o
                        for o in decision["outcomes"]
                    ]
            step["decision"] = decision
        steps.append(step)
    if "steps" in tree:
        out["steps"] = steps
    if kind == "actor":
        out["actors"] = _renamed_key(tree.get("actors"), old, new)
        if isinstance(tree.get("artifacts"), dict):
            out["artifacts"] = {
                k: {
                    **a,
                    **{p: _swap(a[p], old, new) for p in ("signed_by", "initialled_by") if p in a},
                }
                if isinstance(a, dict)
                else a
                for k, a in tree["artifacts"].items()
            }
    elif kind == "artifact":
        out["artifacts"] = _renamed_key(tree.get("artifacts"), old, new)
    else:
        start = tree.get("start")
        if isinstance(start, dict) and "to" in start:
            out["start"] = {**start, "to": _swap(start["to"], old, new)}
        elif start is not None:
            out["start"] = _swap(start, old, new)
    return {k: v for k, v in out.items() if k in tree}


def _defined(tree: dict[str, Any], kind: str) -> list[str]:
    if kind == "step":
        return [str(s.get("id")) for s in tree.get("steps") or [] if isinstance(s, dict)]
    mapping = tree.get("actors" if kind == "actor" else "artifacts")
    return [str(k) for k in mapping] if isinstance(mapping, dict) else []


def apply_renames(
    tree: dict[str, Any], renames: Any, before: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``tree`` (a section just replaced in it; ``before``: the tree before that) with each
    (kind, old, new) of ``renames`` carried to every reference (:func:`rename`). A rename is
    carried only when ``old`` is no longer defined; one whose ``new`` id is defined twice (two
    steps with one id) is refused (ServiceError at the renamed one's id), as a reference to it
    would be ambiguous."""
    if not isinstance(renames, list | tuple) or len(renames) > 500:
        raise ServiceError("invalid", _("renames must be a list"), field="renames")
    for item in renames:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 3
            or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in item)
        ):
            raise ServiceError(
                "invalid", _("each rename is [kind, old id, new id]"), field="renames"
            )
        kind, old, new = item
        defined = _defined(tree, kind) if kind in RENAMES else []
        if defined.count(new) > 1:
            raise ServiceError(
                "invalid",
                _("Two %(what)s have the id %(id)s; give each its own id.")
                % {
                    "what": {"step": _("steps"), "actor": _("actors")}.get(kind, _("documents")),
                    "id": new,
                },
                field=_renamed_at(defined, before, kind, old, new),
            )
        if old not in defined:
            tree = rename(tree, kind, old, new)
    return tree


def _renamed_at(
    defined: list[str], before: dict[str, Any] | None, kind: str, old: str, new: str
) -> str:
    """The path of the id renamed to ``new`` (the one that was ``old`` before)."""
    if kind != "step":
        return f"{kind}s.{new}"
    earlier = _defined(before, kind) if before is not None else []
    places = [i for i, key in enumerate(defined) if key == new]
    renamed = [i for i in places if i < len(earlier) and earlier[i] == old]
    return f"steps.{(renamed or places)[0]}.id"
