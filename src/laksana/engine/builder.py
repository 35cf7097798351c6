"""Building a procedure's parts from its YAML nodes: identity, actors, artifacts (with form
fields), steps (time standards, decisions, revisions) and ends.

:class:`Builder` reads each part through a :class:`~laksana.engine.yamlread.Reader` and records
the positions of what is declared and every reference to a step, end or artifact, for the
loader to check across the whole file afterwards.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from laksana.engine import artifacts as artifact_registry
from laksana.engine import stepactors
from laksana.engine.authorforms import KIND_ALIASES, listed, next_list, step_actor, step_where
from laksana.engine.decisions import DECISION_KEYS, yes_no
from laksana.engine.messages import Msg
from laksana.engine.servicelevel import SERVICE_KEYS, read_time, with_service_level
from laksana.engine.sourcerows import read_also_rows
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
    Step,
)
from laksana.engine.timetext import TimeStandard
from laksana.engine.yamlread import NAME, Reader, choices_text, closest, peek

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
    *SERVICE_KEYS,
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
    "also_rows",
    *stepactors.KEYS,
)


class Builder:
    """Builds a spec from the node tree, recording every reference to check afterwards."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.positions: dict[str, Position] = {}
        # (target id, node, what refers to it) for step/end targets
        self.target_refs: list[tuple[str, yaml.Node, str]] = []
        # (artifact id, node, what refers to it) for requires/produces
        self.artifact_refs: list[tuple[str, yaml.Node, str]] = []
        # Actors named outside a step's 'actor' (a document's signers).
        self.actor_refs: list[tuple[str, yaml.Node, str]] = []
        # Every actor id declared, also those whose definition has a problem: a step naming
        # one is not told again that its actor is unknown.
        self.declared_actors: set[str] = set()
        # Actors a step names beside its one actor (``actor: [a, b]``, already reported).
        self.listed_actors: set[str] = set()
        # The flow is not known as the author means it (a step going on to several steps,
        # ``next: [a, b]``; the last step not saying which end), a problem already reported:
        # it is not checked for unreachable steps.
        self.flow_guessed = False

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
        lists: dict[str, Any] = {k: r.texts(value(k), f"identity.{k}") for k in _IDENTITY_LISTS}
        identity = Identity(
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
        return with_service_level(r, m, identity)

    # actors and artifacts -----------------------------------------------------------------

    def actors(self, node: yaml.Node) -> list[Actor]:
        out = []
        kinds = [k.value for k in ActorKind]
        for actor_id, key_node, value_node in self.r.named_mapping(node, "actors"):
            self.declared_actors.add(actor_id)
            where = Msg("actor '%(actor_id)s'", actor_id=actor_id)
            m = self.r.mapping(
                value_node, where, ("name", "kind", "description"), required=("name", "kind")
            )
            if m is None:
                continue
            kind_node = m["kind"][1] if "kind" in m else None
            kind_text = self.r.text(kind_node, Msg("%(where)s kind", where=where))
            if kind_text and kind_text not in kinds:
                meant = closest(kind_text, kinds, KIND_ALIASES)
                self.r.error(
                    kind_node,
                    Msg(
                        "%(where)s: unknown kind '%(kind_text)s'; did you mean '%(closest)s'? "
                        "allowed: %(allowed)s",
                        where=where,
                        kind_text=kind_text,
                        closest=meant,
                        allowed=choices_text(kinds),
                    )
                    if meant
                    else Msg(
                        "%(where)s: unknown kind '%(kind_text)s'; allowed: %(allowed)s",
                        where=where,
                        kind_text=kind_text,
                        allowed=choices_text(kinds),
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
            (
                "name",
                "type",
                "accept",
                "multiple",
                "fields",
                "description",
                "signed_by",
                "initialled_by",
            ),
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
                    allowed=choices_text(names),
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
                        allowed=choices_text(artifact_registry.FILE_KINDS),
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
        people: dict[str, tuple[str, ...]] = {}
        for key in ("signed_by", "initialled_by"):
            found = r.ids(
                m[key][1] if key in m else None, Msg("%(where)s %(key)s", where=where, key=key)
            )
            if found and type_name in ("file", "form"):
                r.error(
                    m[key][0],
                    Msg(
                        "%(where)s: '%(key)s' is for documents (letters, minutes), not %(type)s",
                        where=where,
                        key=key,
                        type=type_name,
                    ),
                )
            self.actor_refs.extend((a, n, f"artifact '{art_id}' {key}") for a, n in found)
            people[key] = tuple(a for a, _ in found)
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
            signed_by=people["signed_by"],
            initialled_by=people["initialled_by"],
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
                        allowed=choices_text(types),
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
        label, unit = Msg("%(where)s time", where=where), Msg("%(where)s time unit", where=where)
        return read_time(self.r, node, label, unit, where)

    def decision(
        self, node: yaml.Node, where: str, activity: str, key: yaml.Node | None = None
    ) -> Decision | None:
        r = self.r
        m = r.mapping(node, Msg("%(where)s decision", where=where), DECISION_KEYS)
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
                        ("label", "to", "description", "when"),
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
                            when=r.texts(
                                o["when"][1] if "when" in o else None,
                                Msg("%(where)s outcome '%(label)s' when", where=where, label=label),
                            ),
                        )
                    )
                if len(seq.value) == 1:
                    r.error(
                        seq, Msg("%(where)s: a decision needs at least two outcomes", where=where)
                    )
        outcomes += yes_no(self, m, key or node, where)  # no outcomes: Ya and Tidak
        question = (
            r.text(m["question"][1], Msg("%(where)s question", where=where))
            if "question" in m
            else activity
        )
        decided_by = (
            r.text(m["decided_by"][1], Msg("%(where)s decided_by", where=where))
            if "decided_by" in m
            else ""
        )
        self.check_decided(node, where, decided_by, outcomes)
        return Decision(question=question, outcomes=tuple(outcomes), decided_by=decided_by)

    def check_decided(
        self, node: yaml.Node, where: str, decided_by: str, outcomes: list[Outcome]
    ) -> None:
        """A decision read from an artifact names, on every outcome, the results that choose
        it, each result once; a decision a person takes names none."""
        r = self.r
        if not decided_by:
            if any(o.when for o in outcomes):
                r.error(
                    node,
                    Msg(
                        "%(where)s: 'when' on an outcome needs 'decided_by', the artifact whose "
                        "result chooses the outcome",
                        where=where,
                    ),
                )
            return
        seen: set[str] = set()
        for o in outcomes:
            if not o.when:
                r.error(
                    node,
                    Msg(
                        "%(where)s: outcome '%(label)s' needs 'when', the results of "
                        "%(artifact)s that choose it",
                        where=where,
                        label=o.label,
                        artifact=decided_by,
                    ),
                )
            for result in o.when:
                if result in seen:
                    r.error(
                        node,
                        Msg(
                            "%(where)s: the result '%(result)s' chooses two outcomes",
                            where=where,
                            result=result,
                        ),
                    )
                seen.add(result)

    def steps(self, node: yaml.Node) -> list[tuple[Step, dict[str, tuple[yaml.Node, yaml.Node]]]]:
        r = self.r
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            r.error(node, Msg("steps must be a non-empty list of steps"))
            return []
        out = []
        for index, item in enumerate(node.value, start=1):
            number = peek(item, "no")
            m = r.mapping(
                item,
                step_where(peek(item, "id"), number),
                _STEP_KEYS,
                required=("id", "activity", "actor"),
            )
            if m is None or "id" not in m:
                continue
            step_id = r.text(
                m["id"][1], Msg("%(where)s id", where=step_where(peek(item, "id"), number))
            )
            if step_id and not NAME.match(step_id):
                r.error(
                    m["id"][1],
                    Msg(
                        "step id '%(step_id)s' must be letters, digits, '_' or '-'", step_id=step_id
                    ),
                )
            where = step_where(step_id, number)
            activity = r.text(
                m["activity"][1] if "activity" in m else None,
                Msg("%(where)s activity", where=where),
            )
            decision = None
            if "decision" in m:
                decision = self.decision(m["decision"][1], where, activity, m["decision"][0])
                if "next" in m:
                    r.error(
                        m["next"][0],
                        Msg(
                            "%(where)s: a decision leads on through its outcomes; remove 'next'",
                            where=where,
                        ),
                    )
            if "next" in m and listed(m["next"][1]):  # with a decision: told to remove it
                next_id, decision = (
                    next_list(self, m["next"][1], where, activity)
                    if decision is None
                    else (None, decision)
                )
            else:
                next_id = (
                    r.text(m["next"][1], Msg("%(where)s next", where=where))
                    if "next" in m
                    else None
                )
            if next_id is not None and decision is None:
                self.target_refs.append((next_id, m["next"][1], Msg("%(where)s next", where=where)))
            self.positions[f"step:{step_id}"] = r.pos(m["id"][1])
            produces = self.artifact_ids(m, "produces", where)
            requires = self.artifact_ids(m, "requires", where)
            if (
                decision is not None
                and decision.decided_by
                and decision.decided_by not in produces
                and decision.decided_by not in requires
            ):
                r.error(
                    m["decision"][1],
                    Msg(
                        "%(where)s: decided_by names %(artifact)s, which this step neither "
                        "produces nor requires; a decision is read from an output or a "
                        "requirement of its own step",
                        where=where,
                        artifact=decision.decided_by,
                    ),
                )
            actor = step_actor(self, m["actor"][1] if "actor" in m else None, where)
            out.append(
                (
                    Step(
                        id=step_id,
                        number=r.text(m["no"][1], Msg("%(where)s no", where=where))
                        if "no" in m
                        else str(index),
                        activity=activity,
                        actor=actor,
                        requires=requires,
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
                        else None,
                        output_text=r.text(
                            m["output_text"][1],
                            Msg("%(where)s output_text", where=where),
                            required=False,
                        )
                        if "output_text" in m
                        else None,
                        revises=self.revises(m, where, produces),
                        also_rows=read_also_rows(r, m["also_rows"][1], where)
                        if "also_rows" in m
                        else (),
                        **stepactors.read(self, m, where, actor),
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
                        value=choices_text(made) if made else Msg("it produces none"),
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
