"""The form of an active step, built from the procedure spec, and reading it back.

For each requirement not yet on the case and each output of the step the form has an input:
a file input for ``file`` artifacts, the declared fields for ``form`` artifacts, the form
fragment a named type registered (:mod:`laksana.cases.artifacts`: the catalogue's proposals,
risk register, work programme entry, deployment, data deletion minutes; the same values the
API accepts) with the signed document as the alternative, for a type whose records a domain
module makes on its own screen (a document) where that record stands with a link to it (the
step then takes the ready record, ``{"ref": ...}`` as in the API) and the signed document as
the alternative, a file input for other named types (a scanned, signed letter or minutes),
and nothing for ``disposition`` outputs: those are
filled by the disposition the person sends on the step. What the person entered is read
back into the arguments of :func:`laksana.cases.services.complete_step`; the engine judges
it, and its refusal is mapped back onto the inputs concerned so the form can be shown again
with every value kept. A decision read from an output the module reads (``decided_by``: SOP
002 row 9, a UAT's minutes) is not offered as a choice: the page says where the outcome is
read from and which outcome the ready record gives; only a signed paper uploaded instead
leaves the person to choose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from laksana.cases import artifacts as case_artifacts
from laksana.cases.artifacts import FormPart, PartField, PartRows, Produced
from laksana.cases.models import Case, CaseStep
from laksana.cases.services import FileInput, ServiceError
from laksana.engine import artifacts as artifact_types
from laksana.engine.messages import Msg, translated
from laksana.engine.spec import ArtifactSpec, FieldType, FormField, ProcedureSpec, Step

# The accept attribute of a file input, per file kind of the spec (a hint to the browser's
# file chooser; the server judges the real type from the content).
_ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "image": "image/*",
    "office": ".doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp",
    "video": "video/*",
    "archive": ".zip,.7z,.gz",
    "text": ".txt,.csv",
}
# A named type given as a file is a scanned or exported document.
_DOCUMENT_KINDS = ("pdf", "image", "office")


class InputKind(StrEnum):
    """How an artifact is entered on the step form."""

    FILE = "file"
    FORM = "form"
    DISPOSITION = "disposition"
    STRUCTURED = "structured"  # a named type's registered fields, or its signed document
    # A record a domain module makes on its own screen (a document): the step takes the
    # record once it is ready, or the signed document uploaded instead.
    PRODUCED = "produced"


def input_kind(art: ArtifactSpec) -> InputKind:
    if art.type == "form":
        return InputKind.FORM
    if art.type == "disposition":
        return InputKind.DISPOSITION
    if case_artifacts.producer_of(art.type) is not None:
        return InputKind.PRODUCED
    if case_artifacts.form_of(art.type) is not None:
        return InputKind.STRUCTURED
    return InputKind.FILE


def accept_attribute(kinds: Iterable[str]) -> str:
    """The accept attribute for these file kinds; empty (anything) for ``any`` or none."""
    kinds = tuple(kinds)
    if not kinds or "any" in kinds:
        return ""
    return ",".join(_ACCEPT[k] for k in kinds if k in _ACCEPT)


def file_input_name(key: str) -> str:
    return f"art-{key}"


def field_input_name(key: str, field_id: str) -> str:
    return f"art-{key}-{field_id}"


def ref_input_name(key: str) -> str:
    return f"art-{key}-ref"


def cell_input_name(key: str, table_id: str, row: int, column_id: str) -> str:
    return f"art-{key}-{table_id}-{row}-{column_id}"


MAX_ROWS = 200
"""The most rows of one table of a form fragment that are read."""


@dataclass
class FieldInput:
    """One declared field of a form artifact, with what was entered."""

    name: str
    label: str
    type: str
    required: bool
    help: str = ""
    choices: Sequence[tuple[str, str]] = ()
    value: str = ""
    enforce: bool = True  # the browser requires it (not when a file may be given instead)


@dataclass
class TableInput:
    """A list of entries of a form fragment, entered as rows of a table."""

    label: str
    columns: list[tuple[str, bool]]  # (label, required)
    rows: list[list[FieldInput]]
    required: bool = False


@dataclass
class ArtifactInput:
    """One artifact of the step as the form shows it."""

    key: str
    name: str
    kind: InputKind
    is_output: bool
    type_label: str = ""
    description: str = ""
    input_name: str = ""
    accept: str = ""
    multiple: bool = False
    is_document: bool = False  # a named type (letter, minutes, ...) given as a scanned file
    fields: list[FieldInput] = field(default_factory=list)
    tables: list[TableInput] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # For a produced record: where it stands, and the input carrying its reference.
    produced: Produced | None = None
    ref_name: str = ""


@dataclass(frozen=True)
class DecidedBy:
    """A decision of the step read from one of its outputs, a record a module reads
    (``Decision.decided_by``): the page says so instead of offering the outcome choice,
    and, once the record is ready, which outcome it gives (``label``; empty until then)."""

    key: str
    name: str
    label: str = ""


class StepInputs(list[ArtifactInput]):
    """The inputs of a step's form, and how its decision is taken when it is read from an
    output (``decided_by``; None when the person chooses)."""

    decided_by: DecidedBy | None = None


@dataclass
class Submission:
    """What the person entered, as complete_step takes it, plus the raw text to show again."""

    values: dict[str, Any]
    files: list[FileInput]
    outcome: str | None
    note: str
    entered: dict[str, str]

    @property
    def has_files(self) -> bool:
        return any(group.files for group in self.files)


def pending_artifacts(spec: ProcedureSpec, step: Step, on_case: Mapping[str, Any]) -> list[str]:
    """The artifacts the form asks for: requirements not yet on the case, then the outputs."""
    keys = [k for k in step.requires if k not in on_case]
    keys += [k for k in step.produces if k not in keys]
    return keys


def build_inputs(
    spec: ProcedureSpec,
    step: Step,
    on_case: Mapping[str, Any],
    people: Sequence[tuple[str, str]] = (),
    entered: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    *,
    case: Case | None = None,
    row: CaseStep | None = None,
) -> StepInputs:
    """The inputs of the step's form. ``people`` are the (value, label) choices of person
    fields; ``entered`` the raw values to show again; ``errors`` per artifact key; ``case``
    and ``row``, the step's case and row, let a produced record say where it stands."""
    entered = entered or {}
    errors = errors or {}
    out = StepInputs()
    for key in pending_artifacts(spec, step, on_case):
        art = spec.artifact(key)
        kind = input_kind(art)
        item = ArtifactInput(
            key=key,
            name=art.name,
            kind=kind,
            is_output=key in step.produces,
            type_label=artifact_types.get(art.type).label
            if artifact_types.is_known(art.type)
            else "",
            description=art.description,
            errors=list(errors.get(key, ())),
        )
        if kind is InputKind.FILE:
            item.input_name = file_input_name(key)
            kinds = art.accept if art.type == "file" else (art.accept or _DOCUMENT_KINDS)
            item.accept = accept_attribute(kinds)
            item.multiple = art.multiple
            item.is_document = art.type != "file"
        elif kind is InputKind.FORM:
            item.fields = [_field_input(key, f, people, entered) for f in art.fields]
        elif kind is InputKind.STRUCTURED:
            part = case_artifacts.form_of(art.type)
            assert part is not None
            item.fields = [
                _part_input(field_input_name(key, f.id), f, entered) for f in part.fields
            ]
            item.tables = [_table_input(key, t, entered) for t in part.tables]
            item.input_name = file_input_name(key)
            item.accept = accept_attribute(art.accept or _DOCUMENT_KINDS)
            item.multiple = art.multiple
            item.is_document = True
        elif kind is InputKind.PRODUCED:
            producer = case_artifacts.producer_of(art.type)
            if producer is not None and case is not None and row is not None:
                item.produced = producer(case, row, art)
            item.ref_name = ref_input_name(key)
            part = case_artifacts.form_of(art.type)
            if part is not None:
                item.fields, item.tables = part_inputs(key, part, entered)
            item.input_name = file_input_name(key)
            item.accept = accept_attribute(art.accept or _DOCUMENT_KINDS)
            item.multiple = art.multiple
            item.is_document = True
        out.append(item)
    out.decided_by = decided_by(spec, step, out, case)
    return out


def decided_by(
    spec: ProcedureSpec, step: Step, inputs: Sequence[ArtifactInput], case: Case | None
) -> DecidedBy | None:
    """How the step's decision is shown when it is read from an output: only when that
    output is a record a module makes and reads (a UAT's minutes); a file or a type no module
    reads leaves the choice to the person. The outcome a ready record gives is read as
    completing the step would read it; a record that gives none shows none."""
    decision = step.decision
    if decision is None or not decision.decided_by:
        return None
    key = decision.decided_by
    item = next((i for i in inputs if i.key == key), None)
    if item is None or item.kind is not InputKind.PRODUCED:
        return None
    if case_artifacts.outcome_of(spec.artifact(key).type) is None:
        return None
    label = ""
    ready = item.produced.value if item.produced is not None else None
    if case is not None and ready is not None:
        try:
            label = case_artifacts.read_outcome(case, step.id, {key: ready}, None) or ""
        except (ServiceError, LookupError, TypeError, ValueError):
            label = ""  # the record gives no outcome of this step: completing it says why
    return DecidedBy(key=key, name=item.name, label=label)


def part_inputs(
    key: str, part: FormPart, entered: Mapping[str, str]
) -> tuple[list[FieldInput], list[TableInput]]:
    """The inputs of a form fragment (its fields, its tables) named under ``key``, with what
    was entered; also used by domain modules' own forms (a document's fields)."""
    fields = [_part_input(field_input_name(key, f.id), f, entered) for f in part.fields]
    return fields, [_table_input(key, t, entered) for t in part.tables]


def _part_input(name: str, f: PartField, entered: Mapping[str, str]) -> FieldInput:
    return FieldInput(
        name=name,
        label=f.label,
        type="long_text" if f.kind == "lines" else f.kind,
        required=f.required,
        help=f.help,
        choices=f.choices,
        value=entered.get(name, ""),
        enforce=False,
    )


def _table_input(key: str, t: PartRows, entered: Mapping[str, str]) -> TableInput:
    used = [
        i
        for i in range(MAX_ROWS)
        if any(entered.get(cell_input_name(key, t.id, i, c.id)) for c in t.columns)
    ]
    count = max(t.rows, used[-1] + 2 if used else 0)
    rows = [
        [_part_input(cell_input_name(key, t.id, i, c.id), c, entered) for c in t.columns]
        for i in range(min(count, MAX_ROWS))
    ]
    return TableInput(
        label=t.label,
        columns=[(c.label, c.required) for c in t.columns],
        rows=rows,
        required=t.required,
    )


def _field_input(
    key: str, f: FormField, people: Sequence[tuple[str, str]], entered: Mapping[str, str]
) -> FieldInput:
    name = field_input_name(key, f.id)
    choices: Sequence[tuple[str, str]] = ()
    if f.type is FieldType.CHOICE:
        choices = [(c, c) for c in f.choices]
    elif f.type is FieldType.PERSON:
        choices = people
    elif f.type is FieldType.YES_NO:
        choices = [("yes", _("Yes")), ("no", _("No"))]
    return FieldInput(
        name=name,
        label=f.label,
        type=f.type.value,
        required=f.required,
        help=f.help,
        choices=choices,
        value=entered.get(name, ""),
    )


def read_submission(
    spec: ProcedureSpec,
    step: Step,
    on_case: Mapping[str, Any],
    post: Mapping[str, Any],
    uploads: MultiValueDict[str, UploadedFile[bytes]],
) -> Submission:
    """The step form's POST read into complete_step's arguments.

    Empty fields are left out, so the engine names what is missing; a value that cannot be
    converted (a number written as words) is passed as written, so the engine says what is
    wrong with it instead of the value silently disappearing."""
    values: dict[str, Any] = {}
    files: list[FileInput] = []
    entered: dict[str, str] = {}
    for key in pending_artifacts(spec, step, on_case):
        art = spec.artifact(key)
        kind = input_kind(art)
        if kind is InputKind.FILE:
            chosen = [u for u in uploads.getlist(file_input_name(key)) if u is not None]
            if chosen:
                files.append(FileInput(key, chosen))
        elif kind is InputKind.FORM:
            given: dict[str, Any] = {}
            for f in art.fields:
                name = field_input_name(key, f.id)
                raw = _text(post.get(name, ""), multiline=f.type is FieldType.LONG_TEXT)
                entered[name] = raw
                if raw:
                    given[f.id] = convert(f.type, raw)
            if given or all(not f.required for f in art.fields):
                values[key] = given
        elif kind is InputKind.STRUCTURED:
            part = case_artifacts.form_of(art.type)
            assert part is not None
            value = read_part(key, part, post, entered)
            if value:
                values[key] = value
            chosen = [u for u in uploads.getlist(file_input_name(key)) if u is not None]
            if chosen:
                files.append(FileInput(key, chosen))
        elif kind is InputKind.PRODUCED:
            chosen = [u for u in uploads.getlist(file_input_name(key)) if u is not None]
            part = case_artifacts.form_of(art.type)
            value = read_part(key, part, post, entered) if part is not None else {}
            ref = _text(post.get(ref_input_name(key), ""), multiline=False)
            if value:
                values[key] = value
            elif ref and not chosen:
                # The record the module made ({"ref": "document:<id>"}), as the API takes it;
                # its resolver judges it.
                values[key] = {"ref": ref}
            if chosen:
                files.append(FileInput(key, chosen))
    outcome = str(post.get("outcome", "")).strip() or None
    note = _text(post.get("note", ""), multiline=True)
    entered["note"] = note
    return Submission(values=values, files=files, outcome=outcome, note=note, entered=entered)


def read_part(
    key: str, part: FormPart, post: Mapping[str, Any], entered: dict[str, str]
) -> dict[str, Any]:
    """A form fragment's inputs read into the type's structured value (empty inputs and
    empty rows left out, so the type's checks name what is missing); the raw text is kept in
    ``entered`` to show again."""
    value: dict[str, Any] = {}
    for f in part.fields:
        name = field_input_name(key, f.id)
        raw = _text(post.get(name, ""), multiline=f.kind in ("long_text", "lines"))
        entered[name] = raw
        if raw:
            value[f.id] = _part_value(f.kind, raw)
    for t in part.tables:
        rows: list[dict[str, Any]] = []
        for i in range(MAX_ROWS):
            names = {c.id: cell_input_name(key, t.id, i, c.id) for c in t.columns}
            if i >= t.rows and not any(n in post for n in names.values()):
                break
            row: dict[str, Any] = {}
            for c in t.columns:
                raw = _text(post.get(names[c.id], ""), multiline=False)
                entered[names[c.id]] = raw
                if raw:
                    row[c.id] = _part_value(c.kind, raw)
            if row:
                rows.append(row)
        if rows:
            value[t.id] = rows
    return value


def _part_value(kind: str, raw: str) -> Any:
    if kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if kind == "money":
        return convert(FieldType.MONEY, raw)
    if kind == "number":
        return convert(FieldType.NUMBER, raw)
    return raw


def _text(value: object, *, multiline: bool) -> str:
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text if multiline else " ".join(text.split())


_INT = re.compile(r"^[+-]?\d+$")


def convert(field_type: FieldType, raw: str) -> Any:
    """A field's text as the engine's value: yes/no to bool, numbers to int or float, money
    to a string of digits (rupiah; dots and spaces are thousands separators)."""
    if field_type is FieldType.YES_NO:
        return {"yes": True, "no": False}.get(raw, raw)
    if field_type is FieldType.NUMBER:
        text = raw.replace(" ", "")
        if _INT.match(text):
            return int(text)
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return raw
    if field_type is FieldType.MONEY:
        text = re.sub(r"(?i)^rp\.?", "", raw).strip()
        whole, _sep, cents = text.partition(",")
        if cents.strip("0 ") and cents.strip().isdigit():
            return raw  # not whole rupiah: let the engine say so
        digits = re.sub(r"[.\s]", "", whole)
        return digits if digits.isdigit() else raw
    return raw


def map_errors(
    error: ServiceError, spec: ProcedureSpec, keys: Sequence[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """A refusal spread over the form: messages per artifact key, and the general ones."""
    per_key: dict[str, list[str]] = {}
    general: list[str] = []
    by_name = {spec.artifact(k).name: k for k in keys}
    if error.field and error.field in keys:
        per_key.setdefault(error.field, []).append(error.message)
        return per_key, general
    general.append(error.message)
    if error.code in ("missing_requirements", "missing_outputs"):
        for name in error.items:
            key = by_name.get(name)
            if key is not None:
                per_key.setdefault(key, []).append(_("This is still missing."))
    elif error.code == "invalid_artifact":
        for item in error.items:
            name, _sep, problem = item.partition(": ")
            if isinstance(item, Msg):  # "artifact: problem" from the engine, in English
                problem = translated(item.params.get("problem", problem), _)
            key = by_name.get(name)
            if key is not None:
                per_key.setdefault(key, []).append(problem)
    return per_key, general
