"""Artifact types against the database: what makes a value real evidence of a case.

The engine checks the *shape* of an artifact value (:mod:`laksana.engine.artifacts`); this
module checks that it names something real, for every door (the step form of the web, the
API, commands), inside :func:`laksana.cases.services.complete_step`'s transaction:

* a file value (``{"files": [{"id": <attachment id>}, ...]}``) must name attachments stored
  on this case through the upload path (:func:`laksana.cases.services.add_attachment`, the
  API's ``POST /api/cases/{reference}/attachments``) that are not yet the evidence of another
  artifact; what the engine then sees is the stored attachment (its real name, sniffed type
  and size), never what the caller wrote. Files uploaded with the completion itself are
  stored by the service and need no id;
* a reference (``{"ref": ...}``) is resolved by the resolver its type registered here: the
  record must exist, belong to the same case and be of that type. A type without a resolver
  takes no reference: Laksana keeps no records of it, so its evidence is the signed document
  uploaded as a file (or, for the catalogue's structured types, the fields of its form);
* a mapping of fields (the catalogue's structured types, ``form`` artifacts) is checked by the
  engine's validators; the effect it has when the step completes is the owning module's.

Domain modules register their types in their ``AppConfig.ready()``: a resolver for
references, and a :class:`FormPart`, the fields the step's page shows to produce a structured
value (web and API accept the same shapes); and, with :func:`follow_completions`, the
:class:`Effect` of a completed step, run in the same transaction (the catalogue's lifecycle).
``cases`` registers ``disposition`` itself. This module imports no domain module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

from laksana.cases import store
from laksana.cases.models import Attachment, Case, CaseStep, Disposition, DispositionStatus
from laksana.engine import artifacts as engine_registry
from laksana.engine.spec import ArtifactSpec

if TYPE_CHECKING:
    from laksana.org.models import Person

MAX_ID = 2**63 - 1  # the largest id a database row can have
MAX_FILES = 100  # the most attachments one value may name


class Unresolved(ValueError):
    """A reference that names no record this step may use; the message says why."""


@dataclass(frozen=True)
class Context:
    """Where a value is resolved: the case, the step being completed, who completes it and
    the artifact (``produced``: an output of the step rather than a requirement)."""

    case: Case
    row: CaseStep
    person: Person
    spec: ArtifactSpec
    produced: bool


Resolver = Callable[[Context, object], dict[str, Any]]
"""Turns the ``ref`` of a value into the value kept on the case, or raises Unresolved."""


# --- form fragments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartField:
    """One input of a form fragment. ``kind``: text, long_text, lines (a list of texts, one
    per line), date, money, number or choice."""

    id: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class PartRows:
    """A list of mappings entered as rows of a table (risks, cost items, deleted data)."""

    id: str
    label: str
    columns: tuple[PartField, ...]
    rows: int = 5
    required: bool = False


@dataclass(frozen=True)
class FormPart:
    """The fields the step's page shows to produce a structured value of a type."""

    fields: tuple[PartField, ...] = ()
    tables: tuple[PartRows, ...] = ()


@dataclass(frozen=True)
class Produced:
    """Where a record of a type stands for one artifact of a step, as its owning module
    tells the step's page: ``value`` is the reference to complete the step with once the
    record is ready (a final document), else None; ``status`` says where it stands, ``url``
    opens the module's screen to make or continue it, ``action`` labels that link."""

    value: dict[str, Any] | None
    status: str
    url: str
    action: str


Producer = Callable[[Case, CaseStep, ArtifactSpec], Produced]
"""For a step's artifact of the type, where its record stands (the step's page asks)."""

Outcome = Callable[[Case, Any], "str | None"]
"""The result a resolved value of the type records ("diterima", "ditolak"), which chooses
the outcome of a decision read from it (``decided_by``); None when it records none."""


@dataclass
class _Entry:
    resolver: Resolver | None = None
    form: FormPart | None = None
    producer: Producer | None = None
    outcome: Outcome | None = None


_REGISTRY: dict[str, _Entry] = {}


def register(
    type_name: str,
    *,
    resolver: Resolver | None = None,
    form: FormPart | None = None,
    producer: Producer | None = None,
    outcome: Outcome | None = None,
) -> None:
    """Declare how references of ``type_name`` are resolved, the form fragment that
    produces its structured value, the module's screen that makes its record (a document),
    and/or how the result it records is read (a decision ``decided_by`` it). Called by the
    owning app's ``AppConfig.ready()``; a later call replaces only the parts it gives (the
    testing module reads the result of the documents module's UAT minutes)."""
    entry = _REGISTRY.setdefault(type_name, _Entry())
    if resolver is not None:
        entry.resolver = resolver
    if form is not None:
        entry.form = form
    if producer is not None:
        entry.producer = producer
    if outcome is not None:
        entry.outcome = outcome


def outcome_of(type_name: str) -> Outcome | None:
    entry = _REGISTRY.get(type_name)
    return entry.outcome if entry else None


def resolver_of(type_name: str) -> Resolver | None:
    entry = _REGISTRY.get(type_name)
    return entry.resolver if entry else None


def form_of(type_name: str) -> FormPart | None:
    entry = _REGISTRY.get(type_name)
    return entry.form if entry else None


def producer_of(type_name: str) -> Producer | None:
    entry = _REGISTRY.get(type_name)
    return entry.producer if entry else None


# --- effects of a completed step -------------------------------------------------------------


class Effect(Protocol):
    """What a domain module does, in the completing transaction, when a step of a case it
    follows is completed (the catalogue: stage changes, work programme, risks, environments,
    deletion records). ``artifacts`` are the case's artifacts after the step."""

    def __call__(
        self,
        case: Case,
        step_key: str,
        outcome: str,
        artifacts: Mapping[str, Any],
        *,
        by: Person | None = None,
        at: dt.datetime | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class _Follower:
    applies: Callable[[Case], bool]
    effect: Effect


_FOLLOWERS: dict[str, _Follower] = {}


def follow_completions(name: str, effect: Effect, *, applies: Callable[[Case], bool]) -> None:
    """Register (or replace, by ``name``) a domain module's effect of completed steps.
    ``applies`` says cheaply, from the case alone, whether the effect can concern it (most
    completions then pay nothing). Called by the owning app's ``AppConfig.ready()``."""
    _FOLLOWERS[name] = _Follower(applies, effect)


class TypeEffect(Protocol):
    """What the owning module does, in the completing transaction, with one produced value
    of its type (``key`` names the artifact in the procedure)."""

    def __call__(
        self,
        case: Case,
        step_key: str,
        key: str,
        value: Any,
        *,
        by: Person | None = None,
        at: dt.datetime | None = None,
    ) -> None: ...


_TYPE_EFFECTS: dict[str, TypeEffect] = {}


def declare(
    type_name: str,
    *,
    check: Callable[[ArtifactSpec, object], list[str]] | None = None,
    form: FormPart | None = None,
    resolver: Resolver | None = None,
    producer: Producer | None = None,
    on_complete: TypeEffect | None = None,
    outcome: Outcome | None = None,
) -> None:
    """The one call by which a domain app declares an artifact type it owns (from its
    ``AppConfig.ready()``): the value's checks (pure Python; the engine runs them), the form
    fragment a step shows to produce it, how a ``{"ref": ...}`` is resolved against the
    database, the module's screen that makes its record, and the effect, in the completing
    transaction, of each value of the type a completed step produced, and the result a value
    records when a decision is read from it (``outcome``). The type's name and
    label are the engine's (:mod:`laksana.engine.artifacts`); each part is optional."""
    if check is not None:
        known = engine_registry.get(type_name)
        engine_registry.register(type_name, known.label, known.module, check)
    register(type_name, resolver=resolver, form=form, producer=producer, outcome=outcome)
    if on_complete is not None:
        _TYPE_EFFECTS[type_name] = on_complete


def _typed_outputs(case: Case) -> bool:
    return bool(_TYPE_EFFECTS) and any(a.type in _TYPE_EFFECTS for a in case.version.spec.artifacts)


def _run_type_effects(
    case: Case,
    step_key: str,
    outcome: str,
    artifacts: Mapping[str, Any],
    *,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> None:
    """The declared effects of the values the completed step produced, in its order."""
    spec = case.version.spec
    for key in spec.step(step_key).produces:
        effect = _TYPE_EFFECTS.get(spec.artifact(key).type)
        if effect is not None and key in artifacts:
            effect(case, step_key, key, artifacts[key], by=by, at=at)


def effects_for(case: Case) -> list[Effect]:
    """The effects that may concern ``case``: first those of the artifact types its steps
    produce (:func:`declare`), then the followers, in the order of registration."""
    found: list[Effect] = [_run_type_effects] if _typed_outputs(case) else []
    return found + [f.effect for f in _FOLLOWERS.values() if f.applies(case)]


# --- the check --------------------------------------------------------------------------------


def _refuse(art: ArtifactSpec, key: str, problem: str) -> Exception:
    from laksana.cases.services import ServiceError

    item = f"{art.name}: {problem}"
    return ServiceError(
        "invalid_artifact",
        _("Please correct: %(items)s") % {"items": item},
        field=key,
        items=[item],
    )


def resolve(
    case: Case,
    row: CaseStep,
    person: Person,
    values: Mapping[str, Any],
    uploaded: Collection[str] = (),
) -> dict[str, Any]:
    """``values`` with every file and reference replaced by what the database holds, or a
    ServiceError naming the artifact and why. ``uploaded``: the artifacts given as files
    uploaded with the completion. Keys the step does not take are left for the engine."""
    spec = case.version.spec
    step = spec.step(row.step_key)
    out = dict(values)
    taken: set[int] = set()
    for key, value in values.items():
        if key not in (*step.requires, *step.produces):
            continue
        art = spec.artifact(key)
        if key in uploaded:
            raise _refuse(art, key, _("give either uploaded files or a value, not both"))
        if art.type == "form" or not isinstance(value, Mapping):
            continue  # fields: the engine's validators judge them
        if "files" in value:
            out[key] = {"files": _attachments(case, art, key, value["files"], taken)}
        elif "ref" in value and art.type != "file":
            ctx = Context(case, row, person, art, key in step.produces)
            out[key] = _reference(ctx, key, value)
    return out


def _attachments(
    case: Case, art: ArtifactSpec, key: str, given: object, taken: set[int]
) -> list[dict[str, object]]:
    """The stored attachments a file value names, as the engine's file references."""
    if not isinstance(given, list) or not given:
        return []  # the engine names the expected shape
    if len(given) > MAX_FILES:
        raise _refuse(art, key, _("at most %(count)s files") % {"count": MAX_FILES})
    ids: list[int] = []
    for item in given:
        raw = item.get("id") if isinstance(item, Mapping) else None
        pk = _int(raw)
        if pk is None:
            raise _refuse(
                art,
                key,
                _(
                    "name each file by the id of an attachment of this case "
                    '({"files": [{"id": ...}]}): upload it to the case first'
                ),
            )
        if pk in ids or pk in taken:
            raise _refuse(art, key, _("attachment %(id)s is named twice") % {"id": pk})
        ids.append(pk)
    # One lean read (a completion is the hot path): the columns the check and the engine need.
    marks = ", ".join(["%s"] * len(ids))
    found = {
        pk: (name, ctype, size, artifact_key)
        for pk, name, ctype, size, artifact_key in store.fetch(
            "SELECT id, original_name, content_type, size, artifact_key FROM cases_attachment "
            f"WHERE case_id = %s AND id IN ({marks})",
            [case.pk, *ids],
        )
    }
    in_use = _named_files(case)
    for pk in ids:
        a = found.get(pk)
        if a is None:
            raise _refuse(
                art,
                key,
                _("attachment %(id)s is not a file of this case: upload it to the case first")
                % {"id": pk},
            )
        other = a[3] or in_use.get(pk)
        if other:
            raise _refuse(
                art,
                key,
                _("the file %(name)s is already the evidence of %(other)s")
                % {"name": a[0], "other": _artifact_name(case, other)},
            )
    taken.update(ids)
    # As Attachment.as_artifact_file() gives them.
    return [
        {"id": str(pk), "name": found[pk][0], "content_type": found[pk][1], "size": found[pk][2]}
        for pk in ids
    ]


def _named_files(case: Case) -> dict[int, str]:
    """The attachments the case's artifacts name now, with the artifact naming each."""
    out: dict[int, str] = {}
    for key, value in case.state.get("artifacts", {}).items():
        files = value.get("files") if isinstance(value, Mapping) else None
        for f in files if isinstance(files, list) else []:
            pk = _int(f.get("id")) if isinstance(f, Mapping) else None
            if pk is not None:
                out[pk] = key
    return out


def _artifact_name(case: Case, key: str) -> str:
    spec = case.version.spec
    return next((a.name for a in spec.artifacts if a.id == key), key)


def _reference(ctx: Context, key: str, value: Mapping[str, Any]) -> dict[str, Any]:
    art = ctx.spec
    resolver = resolver_of(art.type)
    if resolver is None:
        accepted = (
            _("fill in its fields or upload the signed document as a file")
            if form_of(art.type) is not None
            else _("upload the signed document as a file")
        )
        raise _refuse(
            art,
            key,
            _("a reference is not accepted: Laksana keeps no records of this kind; %(accepted)s")
            % {"accepted": accepted},
        )
    try:
        return resolver(ctx, value.get("ref"))
    except Unresolved as exc:
        raise _refuse(art, key, str(exc)) from None


def _int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        n = raw
    elif isinstance(raw, str) and re.fullmatch(r"\d{1,19}", raw.strip()):
        n = int(raw)
    else:
        return None
    return n if 0 < n <= MAX_ID else None


# --- a decision read from an artifact -------------------------------------------------------


def read_outcome(
    case: Case, step_key: str, values: Mapping[str, Any], given: str | None
) -> str | None:
    """The outcome of a decision ``decided_by`` an artifact, read by its owning module from the
    resolved value the step produces (or, for an artifact the step requires, the value the
    case holds): the person completing the step does not choose it,
    and an outcome they give that differs is refused. When the value records no result the
    module can read (a signed paper uploaded as a file) or no module reads the type, the
    person chooses as for any decision. Other steps: ``given`` unchanged."""
    step = case.version.spec.step(step_key)
    decision = step.decision
    if decision is None or not decision.decided_by:
        return given
    key = decision.decided_by
    art = case.version.spec.artifact(key)
    reader = outcome_of(art.type)
    value = values.get(key)
    if value is None and key in step.requires and key not in step.produces:
        # Read from what the case holds (SOP 000 row 3: the branch is the plan's executor).
        value = (case.state.get("artifacts") or {}).get(key)
    result = reader(case, value) if reader is not None and isinstance(value, Mapping) else None
    if result is None:
        return given
    chosen = decision.outcome_for(result)
    if chosen is None:
        raise _refuse(
            art,
            key,
            _("its result %(result)s chooses no outcome of this step") % {"result": result},
        )
    if given and given != chosen.label:
        from laksana.cases.services import ServiceError

        raise ServiceError(
            "outcome_decided",
            _("The outcome of this step is read from %(name)s: %(label)s, not %(given)s.")
            % {"name": art.name, "label": chosen.label, "given": given[:100]},
            field="outcome",
        )
    return chosen.label


# --- what a case really holds -----------------------------------------------------------------


def held(
    case: Case,
    keys: Sequence[str],
    attachments: Sequence[Attachment],
    dispositions: Sequence[Disposition],
) -> dict[str, list[Attachment]]:
    """Of ``keys``, the artifacts the case holds as real evidence, with their files: a file
    value whose attachments are on the case, a disposition that was sent and not withdrawn,
    a mapping of fields. A value that names nothing (written before these checks) is not
    evidence, so the page does not show it as provided. A reference of another type with a
    resolver (a final document) was checked when its step completed."""
    on_case: Mapping[str, Any] = case.state.get("artifacts", {})
    spec = case.version.spec
    stored = {str(a.pk): a for a in attachments}
    sent = {f"disposition:{d.pk}" for d in dispositions if d.status != DispositionStatus.WITHDRAWN}
    out: dict[str, list[Attachment]] = {}
    for key in keys:
        value = on_case.get(key)
        if not isinstance(value, Mapping) or not spec.has_artifact(key):
            continue
        if "files" in value:
            files = value["files"] if isinstance(value["files"], list) else []
            ids = [str(f.get("id")) for f in files if isinstance(f, Mapping)]
            if ids and all(i in stored for i in ids):
                out[key] = [stored[i] for i in ids]
        elif "ref" in value:
            kind = spec.artifact(key).type
            if kind == "disposition":
                if str(value["ref"]) in sent:
                    out[key] = []
            elif resolver_of(kind) is not None:
                # Resolved when the step completed (a final document): it cannot be undone.
                out[key] = []
        elif value:
            out[key] = []
    return out


# --- the types cases owns ---------------------------------------------------------------------


def resolve_disposition(ctx: Context, ref: object) -> dict[str, Any]:
    """A disposition of this case, not withdrawn; as a step's output, the one the person
    completing it sent on that step."""
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    pk = _int(text.removeprefix("disposition:"))
    if pk is None:
        raise Unresolved(
            _('"%(ref)s" names no disposition; give {"ref": "disposition:<id>"}')
            % {"ref": text[:40]}
        )
    d = Disposition.objects.filter(pk=pk, case=ctx.case).first()
    if d is None:
        raise Unresolved(_("this case has no disposition %(id)s") % {"id": pk})
    if d.status == DispositionStatus.WITHDRAWN:
        raise Unresolved(_("disposition %(id)s was withdrawn") % {"id": pk})
    if ctx.produced and (d.step_id != ctx.row.pk or d.sender_id != ctx.person.pk):
        raise Unresolved(
            _("the output of this step is the disposition you send on it, not disposition %(id)s")
            % {"id": pk}
        )
    return {"ref": f"disposition:{d.pk}"}


def register_own() -> None:
    """The types ``cases`` owns (called from its AppConfig.ready())."""
    register("disposition", resolver=resolve_disposition)
