"""Load a procedure YAML file into a checked :class:`ProcedureSpec`.

Every problem of a file is reported at once, each with the file, line and column of the text
that causes it and a plain message saying what is wrong and what is allowed. The loader never
lets a traceback reach an author: YAML syntax errors, wrong types, unknown keys and names,
unreadable time texts and graph problems (unreachable steps, dead ends) all become
:class:`LoadError` entries of one :class:`ProcedureErrors`.

The YAML is read as a node tree (not as plain data) so every value keeps its position, and
scalars are read from their raw text, so ``label: Tidak`` or ``no: 08`` mean what they say
rather than what YAML 1.1 would guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from laksana.engine import artifacts as artifact_registry
from laksana.engine.messages import Msg
from laksana.engine.spec import (
    Actor,
    ActorKind,
    ArtifactSpec,
    Decision,
    End,
    FieldType,
    FormField,
    Identity,
    Official,
    Outcome,
    Position,
    ProcedureSpec,
    Step,
)
from laksana.engine.timetext import TimeStandard, TimeTextError, parse_time

FORMAT = "laksana/procedure@1"

_PROCEDURE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class LoadError:
    """One problem in a procedure file, at a position."""

    position: Position
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


class ProcedureErrors(Exception):
    """All the problems found in one procedure file."""

    def __init__(self, errors: list[LoadError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.position.line, e.position.column))
        super().__init__("\n".join(str(e) for e in self.errors))


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values) or "(none)"


class _Reader:
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
                self.error(
                    key_node,
                    Msg(
                        "%(where)s: unknown key '%(key)s'; allowed: %(allowed)s",
                        where=where,
                        key=key,
                        allowed=_choices(allowed),
                    ),
                )
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
            if not _NAME.match(key):
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


_TOP_KEYS = ("format", "id", "identity", "notes", "actors", "artifacts", "start", "steps", "ends")
_IDENTITY_LISTS = (
    "legal_basis",
    "related",
    "qualifications",
    "equipment",
    "warnings",
    "records",
    "definitions",
    "success_indicators",
)
_IDENTITY_KEYS = (
    "number",
    "title",
    "agency",
    "unit",
    "government",
    "made",
    "revised",
    "effective",
    "effective_text",
    "revision",
    "approved_by",
    "purpose",
    "scope",
    *_IDENTITY_LISTS,
)
_STEP_KEYS = (
    "id",
    "no",
    "activity",
    "actor",
    "requires",
    "requirements_text",
    "time",
    "produces",
    "output_text",
    "revises",
    "note",
    "next",
    "decision",
)


class _Builder:
    """Builds a spec from the node tree, recording every reference to check afterwards."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        self.positions: dict[str, Position] = {}
        # (target id, node, what refers to it) for step/end targets
        self.target_refs: list[tuple[str, yaml.Node, str]] = []
        # (artifact id, node, what refers to it) for requires/produces
        self.artifact_refs: list[tuple[str, yaml.Node, str]] = []

    # identity -----------------------------------------------------------------------------

    def identity(self, node: yaml.Node) -> Identity:
        r = self.r
        m = r.mapping(node, "identity", _IDENTITY_KEYS, required=("number", "title", "agency"))
        if m is None:
            return Identity(number="", title="", agency="")

        def value(key: str) -> yaml.Node | None:
            return m[key][1] if key in m else None

        approved: Official | None = None
        if "approved_by" in m:
            a = r.mapping(
                m["approved_by"][1],
                "identity.approved_by",
                ("title", "name", "nip"),
                required=("title",),
            )
            if a is not None:
                nip_node = a["nip"][1] if "nip" in a else None
                nip = re.sub(r"\s+", "", r.text(nip_node, "approved_by.nip", required=False))
                if nip and not re.fullmatch(r"\d{18}", nip):
                    r.error(
                        nip_node, Msg("approved_by.nip must be 18 digits, not '%(nip)s'", nip=nip)
                    )
                approved = Official(
                    title=r.text(a["title"][1] if "title" in a else None, "approved_by.title"),
                    name=r.text(
                        a["name"][1] if "name" in a else None, "approved_by.name", required=False
                    ),
                    nip=nip,
                )
        lists = {k: r.texts(value(k), f"identity.{k}") for k in _IDENTITY_LISTS}
        return Identity(
            number=r.text(value("number"), "identity.number"),
            title=r.text(value("title"), "identity.title"),
            agency=r.text(value("agency"), "identity.agency"),
            unit=r.text(value("unit"), "identity.unit", required=False),
            government=r.text(value("government"), "identity.government", required=False),
            made=r.date(value("made"), "identity.made"),
            revised=r.date(value("revised"), "identity.revised"),
            effective=r.date(value("effective"), "identity.effective"),
            effective_text=r.text(
                value("effective_text"), "identity.effective_text", required=False
            ),
            revision=r.integer(value("revision"), "identity.revision"),
            approved_by=approved,
            purpose=r.text(value("purpose"), "identity.purpose", required=False),
            scope=r.text(value("scope"), "identity.scope", required=False),
            **lists,
        )

    # actors and artifacts -----------------------------------------------------------------

    def actors(self, node: yaml.Node) -> list[Actor]:
        out = []
        kinds = [k.value for k in ActorKind]
        for actor_id, key_node, value_node in self.r.named_mapping(node, "actors"):
            where = Msg("actor '%(actor_id)s'", actor_id=actor_id)
            m = self.r.mapping(
                value_node, where, ("name", "kind", "description"), required=("name", "kind")
            )
            if m is None:
                continue
            kind_node = m["kind"][1] if "kind" in m else None
            kind_text = self.r.text(kind_node, Msg("%(where)s kind", where=where))
            if kind_text and kind_text not in kinds:
                self.r.error(
                    kind_node,
                    Msg(
                        "%(where)s: unknown kind '%(kind_text)s'; allowed: %(allowed)s",
                        where=where,
                        kind_text=kind_text,
                        allowed=_choices(kinds),
                    ),
                )
                continue
            if not kind_text:
                continue
            self.positions[f"actor:{actor_id}"] = self.r.pos(key_node)
            out.append(
                Actor(
                    id=actor_id,
                    name=self.r.text(
                        m["name"][1] if "name" in m else None, Msg("%(where)s name", where=where)
                    ),
                    kind=ActorKind(kind_text),
                    description=self.r.text(
                        m.get("description", (None, None))[1],
                        Msg("%(where)s description", where=where),
                        required=False,
                    ),
                )
            )
        if not out and not self.r.errors:
            self.r.error(node, Msg("actors: at least one actor is needed"))
        return out

    def artifacts(self, node: yaml.Node | None) -> list[ArtifactSpec]:
        if node is None:
            return []
        out = []
        for art_id, key_node, value_node in self.r.named_mapping(node, "artifacts"):
            art = self.artifact(art_id, value_node)
            if art is not None:
                self.positions[f"artifact:{art_id}"] = self.r.pos(key_node)
                out.append(art)
        return out

    def artifact(self, art_id: str, node: yaml.Node) -> ArtifactSpec | None:
        r = self.r
        where = Msg("artifact '%(art_id)s'", art_id=art_id)
        m = r.mapping(
            node,
            where,
            ("name", "type", "accept", "multiple", "fields", "description"),
            required=("name", "type"),
        )
        if m is None or "type" not in m:
            return None
        type_node = m["type"][1]
        type_name = r.text(type_node, Msg("%(where)s type", where=where))
        if not type_name:
            return None
        if not artifact_registry.is_known(type_name):
            names = [n for n, _ in artifact_registry.known_types()]
            r.error(
                type_node,
                Msg(
                    "%(where)s: unknown artifact type '%(type_name)s'; known types: %(allowed)s",
                    where=where,
                    type_name=type_name,
                    allowed=_choices(names),
                ),
            )
            return None
        accept: list[str] = []
        for kind, kind_node in r.ids(
            m["accept"][1] if "accept" in m else None, Msg("%(where)s accept", where=where)
        ):
            if kind not in artifact_registry.FILE_KINDS:
                r.error(
                    kind_node,
                    Msg(
                        "%(where)s: unknown file kind '%(kind)s'; allowed: %(allowed)s",
                        where=where,
                        kind=kind,
                        allowed=_choices(artifact_registry.FILE_KINDS),
                    ),
                )
            else:
                accept.append(kind)
        if accept and type_name == "form":
            r.error(m["accept"][0], Msg("%(where)s: 'accept' is for files, not forms", where=where))
        fields: list[FormField] = []
        if type_name == "form":
            if "fields" not in m:
                r.error(node, Msg("%(where)s: a form needs 'fields'", where=where))
            else:
                fields = self.fields(where, m["fields"][1])
        elif "fields" in m:
            r.error(
                m["fields"][0], Msg("%(where)s: 'fields' is for forms (type: form)", where=where)
            )
        return ArtifactSpec(
            id=art_id,
            name=r.text(m["name"][1] if "name" in m else None, Msg("%(where)s name", where=where)),
            type=type_name,
            accept=tuple(accept),
            multiple=r.boolean(
                m["multiple"][1] if "multiple" in m else None,
                Msg("%(where)s multiple", where=where),
                False,
            ),
            fields=tuple(fields),
            description=r.text(
                m["description"][1] if "description" in m else None,
                Msg("%(where)s description", where=where),
                required=False,
            ),
        )

    def fields(self, where: str, node: yaml.Node) -> list[FormField]:
        r = self.r
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            r.error(
                node, Msg("%(where)s: 'fields' must be a non-empty list of fields", where=where)
            )
            return []
        out = []
        seen: set[str] = set()
        types = [t.value for t in FieldType]
        for item in node.value:
            m = r.mapping(
                item,
                Msg("%(where)s field", where=where),
                ("id", "label", "type", "required", "choices", "help"),
                required=("id", "label", "type"),
            )
            if m is None or not {"id", "label", "type"} <= set(m):
                continue
            fid = r.text(m["id"][1], Msg("%(where)s field id", where=where))
            if fid in seen:
                r.error(
                    m["id"][1],
                    Msg("%(where)s: field id '%(fid)s' is declared twice", where=where, fid=fid),
                )
                continue
            seen.add(fid)
            ftype = r.text(m["type"][1], Msg("%(where)s field type", where=where))
            if ftype not in types:
                r.error(
                    m["type"][1],
                    Msg(
                        "%(where)s: field '%(fid)s' has unknown type '%(ftype)s'; allowed: "
                        "%(allowed)s",
                        where=where,
                        fid=fid,
                        ftype=ftype,
                        allowed=_choices(types),
                    ),
                )
                continue
            choices = r.texts(
                m["choices"][1] if "choices" in m else None, Msg("%(where)s choices", where=where)
            )
            if ftype == FieldType.CHOICE and not choices:
                r.error(
                    m["type"][1],
                    Msg("%(where)s: choice field '%(fid)s' needs 'choices'", where=where, fid=fid),
                )
            out.append(
                FormField(
                    id=fid,
                    label=r.text(m["label"][1], Msg("%(where)s field label", where=where)),
                    type=FieldType(ftype),
                    required=r.boolean(
                        m["required"][1] if "required" in m else None,
                        Msg("%(where)s field required", where=where),
                        True,
                    ),
                    choices=choices,
                    help=r.text(
                        m["help"][1] if "help" in m else None,
                        Msg("%(where)s help", where=where),
                        required=False,
                    ),
                )
            )
        return out

    # steps --------------------------------------------------------------------------------

    def time(self, node: yaml.Node | None, where: str) -> TimeStandard | None:
        if node is None:
            return None
        r = self.r
        text_node: yaml.Node | None = node
        unit: str | None = None
        if isinstance(node, yaml.MappingNode):
            m = r.mapping(
                node, Msg("%(where)s time", where=where), ("text", "unit"), required=("text",)
            )
            if m is None or "text" not in m:
                return None
            text_node = m["text"][1]
            unit = (
                r.text(m["unit"][1], Msg("%(where)s time unit", where=where))
                if "unit" in m
                else None
            )
        text = r.text(text_node, Msg("%(where)s time", where=where))
        if not text:
            return None
        try:
            return parse_time(text, unit)
        except TimeTextError as exc:
            r.error(text_node, Msg("%(where)s: %(exc)s", where=where, exc=exc.args[0]))
            return None

    def decision(self, node: yaml.Node, where: str, activity: str) -> Decision | None:
        r = self.r
        m = r.mapping(
            node,
            Msg("%(where)s decision", where=where),
            ("question", "outcomes"),
            required=("outcomes",),
        )
        if m is None:
            return None
        outcomes: list[Outcome] = []
        if "outcomes" in m:
            seq = m["outcomes"][1]
            if not isinstance(seq, yaml.SequenceNode) or not seq.value:
                r.error(
                    seq,
                    Msg(
                        "%(where)s: a decision needs outcomes, e.g. [{label: Ya, to: ...}, "
                        "{label: Tidak, to: ...}]",
                        where=where,
                    ),
                )
            else:
                labels: set[str] = set()
                for item in seq.value:
                    o = r.mapping(
                        item,
                        Msg("%(where)s outcome", where=where),
                        ("label", "to", "description"),
                        required=("label", "to"),
                    )
                    if o is None or not {"label", "to"} <= set(o):
                        continue
                    label = r.text(o["label"][1], Msg("%(where)s outcome label", where=where))
                    if label in labels:
                        r.error(
                            o["label"][1],
                            Msg(
                                "%(where)s: outcome '%(label)s' is written twice",
                                where=where,
                                label=label,
                            ),
                        )
                        continue
                    labels.add(label)
                    target = r.text(
                        o["to"][1],
                        Msg("%(where)s outcome '%(label)s' to", where=where, label=label),
                    )
                    self.target_refs.append(
                        (
                            target,
                            o["to"][1],
                            Msg("%(where)s outcome '%(label)s'", where=where, label=label),
                        )
                    )
                    outcomes.append(
                        Outcome(
                            label=label,
                            target=target,
                            description=r.text(
                                o["description"][1] if "description" in o else None,
                                Msg("%(where)s outcome description", where=where),
                                required=False,
                            ),
                        )
                    )
                if len(seq.value) == 1:
                    r.error(
                        seq, Msg("%(where)s: a decision needs at least two outcomes", where=where)
                    )
        question = (
            r.text(m["question"][1], Msg("%(where)s question", where=where))
            if "question" in m
            else activity
        )
        return Decision(question=question, outcomes=tuple(outcomes))

    def steps(self, node: yaml.Node) -> list[tuple[Step, dict[str, tuple[yaml.Node, yaml.Node]]]]:
        r = self.r
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            r.error(node, Msg("steps must be a non-empty list of steps"))
            return []
        out = []
        for index, item in enumerate(node.value, start=1):
            m = r.mapping(
                item,
                Msg("step %(index)s", index=index),
                _STEP_KEYS,
                required=("id", "activity", "actor"),
            )
            if m is None or "id" not in m:
                continue
            step_id = r.text(m["id"][1], Msg("step %(index)s id", index=index))
            if step_id and not _NAME.match(step_id):
                r.error(
                    m["id"][1],
                    Msg(
                        "step id '%(step_id)s' must be letters, digits, '_' or '-'", step_id=step_id
                    ),
                )
            where = Msg("step '%(step_id)s'", step_id=step_id)
            activity = r.text(
                m["activity"][1] if "activity" in m else None,
                Msg("%(where)s activity", where=where),
            )
            decision = None
            if "decision" in m:
                decision = self.decision(m["decision"][1], where, activity)
                if "next" in m:
                    r.error(
                        m["next"][0],
                        Msg(
                            "%(where)s: a decision leads on through its outcomes; remove 'next'",
                            where=where,
                        ),
                    )
            next_id = (
                r.text(m["next"][1], Msg("%(where)s next", where=where)) if "next" in m else None
            )
            if next_id is not None and decision is None:
                self.target_refs.append((next_id, m["next"][1], Msg("%(where)s next", where=where)))
            self.positions[f"step:{step_id}"] = r.pos(m["id"][1])
            produces = self.artifact_ids(m, "produces", where)
            out.append(
                (
                    Step(
                        id=step_id,
                        number=r.text(m["no"][1], Msg("%(where)s no", where=where))
                        if "no" in m
                        else str(index),
                        activity=activity,
                        actor=r.text(
                            m["actor"][1] if "actor" in m else None,
                            Msg("%(where)s actor", where=where),
                        ),
                        requires=self.artifact_ids(m, "requires", where),
                        produces=produces,
                        time=self.time(m["time"][1] if "time" in m else None, where),
                        note=r.text(
                            m["note"][1], Msg("%(where)s note", where=where), required=False
                        )
                        if "note" in m
                        else "",
                        next=next_id,
                        decision=decision,
                        requirements_text=r.text(
                            m["requirements_text"][1],
                            Msg("%(where)s requirements_text", where=where),
                            required=False,
                        )
                        if "requirements_text" in m
                        else "",
                        output_text=r.text(
                            m["output_text"][1],
                            Msg("%(where)s output_text", where=where),
                            required=False,
                        )
                        if "output_text" in m
                        else "",
                        revises=self.revises(m, where, produces),
                    ),
                    m,
                )
            )
        return out

    def artifact_ids(
        self, m: dict[str, tuple[yaml.Node, yaml.Node]], key: str, where: str
    ) -> tuple[str, ...]:
        if key not in m:
            return ()
        refs = self.r.ids(m[key][1], Msg("%(where)s %(key)s", where=where, key=key))
        self.artifact_refs.extend(
            (ref, node, Msg("%(where)s %(key)s", where=where, key=key)) for ref, node in refs
        )
        return tuple(ref for ref, _ in refs)

    def revises(
        self, m: dict[str, tuple[yaml.Node, yaml.Node]], where: str, made: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The outputs a step may replace on the case: each must be one of its ``produces``."""
        if "revises" not in m:
            return ()
        out = []
        for ref, node in self.r.ids(m["revises"][1], Msg("%(where)s revises", where=where)):
            if ref not in made:
                self.r.error(
                    node,
                    Msg(
                        "%(where)s revises '%(ref)s', which it does not produce; a step can "
                        "only revise its own outputs (%(value)s)",
                        where=where,
                        ref=ref,
                        value=_choices(made) if made else Msg("it produces none"),
                    ),
                )
            out.append(ref)
        return tuple(out)

    def ends(self, node: yaml.Node | None) -> list[End]:
        if node is None:
            return [End(id="selesai", label="Selesai")]
        r = self.r
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            r.error(node, Msg("ends must be a non-empty list of {id, label}"))
            return []
        out = []
        for item in node.value:
            m = r.mapping(item, "end", ("id", "label"), required=("id",))
            if m is None or "id" not in m:
                continue
            end_id = r.text(m["id"][1], "end id")
            self.positions[f"end:{end_id}"] = r.pos(m["id"][1])
            out.append(
                End(
                    id=end_id,
                    label=r.text(m["label"][1], Msg("end '%(end_id)s' label", end_id=end_id))
                    if "label" in m
                    else "Selesai",
                )
            )
        return out


# libyaml composes a file about fifteen times faster than the pure-Python loader and gives the
# same positions; the pure-Python loader words syntax errors better, so it reads failed files.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# How deeply a procedure file may nest lists and mappings (the format itself needs six levels),
# and how much larger than the file its aliases may make it, in characters of its values.
MAX_YAML_DEPTH = 32
MAX_YAML_EXPANSION = 100_000


def _compose(text: str, filename: str) -> yaml.Node | LoadError:
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


def load_text(text: str, filename: str = "<text>") -> ProcedureSpec:
    """Load and check procedure text; ``filename`` is used in the error positions."""
    composed = _compose(text, filename)
    if isinstance(composed, LoadError):
        raise ProcedureErrors([composed])
    r = _Reader(filename)
    b = _Builder(r)
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
                None if f"end:{e.id}" not in b.positions else _node_at(b, e.id),
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
                r.error(
                    m["id"][1],
                    Msg(
                        "step '%(id)s' is the last step and there are %(count)s ends: say "
                        "which with 'next'",
                        id=s.id,
                        count=len(ends),
                    ),
                )
        resolved.append(s)
    steps = resolved

    actor_ids = [a.id for a in actors]
    art_ids = [a.id for a in arts]
    used_actors: set[str] = set()
    used_arts: set[str] = set()
    for s, m in steps_m:
        if s.actor and s.actor not in actor_ids and actors:
            r.error(
                m["actor"][1],
                Msg(
                    "step '%(id)s': unknown actor '%(actor)s'; actors: %(allowed)s",
                    id=s.id,
                    actor=s.actor,
                    allowed=_choices(actor_ids),
                ),
            )
        used_actors.add(s.actor)
    for ref, ref_node, what in b.artifact_refs:
        used_arts.add(ref)
        if ref not in art_ids:
            r.error(
                ref_node,
                Msg(
                    "%(what)s: unknown artifact '%(ref)s'; artifacts: %(allowed)s",
                    what=what,
                    ref=ref,
                    allowed=_choices(art_ids),
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
                    allowed=_choices(targets_known),
                ),
            )
    if start_id and start_id in node_ids and node_ids[start_id] == "end":
        r.error(start_node, Msg("start must lead to a step, not straight to an end"))
    for a in actors:
        if a.id not in used_actors:
            r.error(
                _pos_node(b, f"actor:{a.id}"),
                Msg("actor '%(id)s' is declared but no step uses it", id=a.id),
            )
    for art in arts:
        if art.id not in used_arts:
            r.error(
                _pos_node(b, f"artifact:{art.id}"),
                Msg("artifact '%(id)s' is declared but no step requires or produces it", id=art.id),
            )

    if not bad_refs and start_id in node_ids and steps:
        _check_graph(r, b, steps, ends, start_id)

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


class _PosNode(yaml.Node):
    """A stand-in node carrying only a position, for errors about declared names."""

    def __init__(self, position: Position) -> None:
        mark = yaml.Mark(position.file, 0, position.line - 1, position.column - 1, "", 0)
        super().__init__("", "", mark, mark)


def _pos_node(b: _Builder, key: str) -> yaml.Node | None:
    pos = b.positions.get(key)
    return _PosNode(pos) if pos else None


def _node_at(b: _Builder, end_id: str) -> yaml.Node | None:
    return _pos_node(b, f"end:{end_id}")


def _replace_next(step: Step, next_id: str) -> Step:
    from dataclasses import replace

    return replace(step, next=next_id)


def _check_graph(r: _Reader, b: _Builder, steps: list[Step], ends: list[End], start: str) -> None:
    """Every step reachable from the start; from every step an end reachable."""
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
        node = _pos_node(b, f"step:{s.id}")
        if s.id not in reached:
            r.error(node, Msg("step '%(id)s' cannot be reached from the start", id=s.id))
        elif s.id not in can_end:
            r.error(
                node,
                Msg("step '%(id)s' leads to no end: from it, the case can never finish", id=s.id),
            )
    for e in ends:
        if e.id not in reached:
            r.error(_pos_node(b, f"end:{e.id}"), Msg("end '%(id)s' is never reached", id=e.id))
