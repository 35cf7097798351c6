"""The registry of artifact types, and validation of artifact values.

Requirements (Kelengkapan) and outputs of a step are typed artifacts. Two types are generic:
``file`` (uploaded files of accepted kinds) and ``form`` (declared fields). Every other type is
named and owned by a domain module (``minutes.uat`` by the minutes module, ``maintenance.plan``
by maintenance, ...). A procedure naming a type that is not registered is an error that lists
the known ones, so a typo cannot slip into a published SOP.

Values are plain JSON data, so a case state serializes as is:

* file: ``{"files": [{"id": ..., "name": ..., "content_type": ..., "size": ...}, ...]}``
* form: ``{"<field id>": <value>, ...}``
* named type: ``{"ref": "<record id>"}`` pointing at the owning module's record, or a file
  value (a scanned, signed document), or a mapping the owning module's validator accepts.

The engine checks shapes only. That a file names an attachment stored on the case and a
reference a record of the same case and type is the host's check
(:mod:`laksana.cases.artifacts`), made before the engine is asked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from laksana.engine.messages import Msg
from laksana.engine.spec import ArtifactSpec, FieldType, FormField

Validator = Callable[[ArtifactSpec, object], list[str]]

# Content types by file kind; the web layer sniffs the real type from the bytes.
FILE_KINDS: dict[str, tuple[str, ...]] = {
    "pdf": ("application/pdf",),
    "image": ("image/jpeg", "image/png", "image/webp", "image/gif"),
    "office": (
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    ),
    "video": ("video/mp4", "video/webm", "video/quicktime"),
    "archive": ("application/zip", "application/x-7z-compressed", "application/gzip"),
    "text": ("text/plain", "text/csv"),
    "any": (),
}


@dataclass(frozen=True, slots=True)
class ArtifactType:
    """A kind of artifact: its registry name, the Indonesian label, and its validator."""

    name: str
    label: str
    module: str
    validate: Validator


def _problems_file(spec: ArtifactSpec, value: object) -> list[str]:
    if not isinstance(value, Mapping) or not isinstance(value.get("files"), list):
        return [Msg("expected a file value {'files': [...]}")]
    files = value["files"]
    if not files:
        return [Msg("at least one file is needed")]
    if len(files) > 1 and not spec.multiple:
        return [Msg("only one file is allowed, got %(count)s", count=len(files))]
    problems: list[str] = []
    allowed = _allowed_types(spec.accept)
    for i, f in enumerate(files, start=1):
        if not isinstance(f, Mapping) or not f.get("id") or not f.get("name"):
            problems.append(Msg("file %(number)s: needs an id and a name", number=i))
            continue
        ctype = str(f.get("content_type", ""))
        if allowed and ctype not in allowed:
            problems.append(
                Msg(
                    "file %(number)s (%(name)s): type %(type)s is not accepted; "
                    "accepted: %(accepted)s",
                    number=i,
                    name=f["name"],
                    type=ctype or Msg("unknown"),
                    accepted=", ".join(spec.accept),
                )
            )
    return problems


def _allowed_types(kinds: tuple[str, ...]) -> set[str]:
    if not kinds or "any" in kinds:
        return set()
    return {t for k in kinds for t in FILE_KINDS[k]}


_NIP_OR_ID = re.compile(r"^\S+$")


# The longest value of a one-line text field and of a long text field, in characters.
MAX_TEXT = 500
MAX_LONG_TEXT = 10_000


def _field_problem(field: FormField, value: object) -> Msg | None:
    """Why ``value`` is not a valid value of ``field``, or None."""
    t = field.type
    if t in (FieldType.TEXT, FieldType.LONG_TEXT):
        if not isinstance(value, str) or not value.strip():
            return Msg("must be non-empty text")
        if t is FieldType.TEXT and "\n" in value:
            return Msg("must be a single line")
        limit = MAX_TEXT if t is FieldType.TEXT else MAX_LONG_TEXT
        if len(value) > limit:
            return Msg(
                "must be at most %(limit)s characters long (it has %(count)s)",
                limit=f"{limit:,}",
                count=f"{len(value):,}",
            )
    elif t is FieldType.DATE:
        if not isinstance(value, str):
            return Msg("must be a date YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return Msg("must be a date YYYY-MM-DD")
    elif t is FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Msg("must be a number")
    elif t is FieldType.MONEY:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return Msg("must be an amount of money in rupiah")
        if isinstance(value, bool) or amount < 0 or not amount.is_finite():
            return Msg("must be an amount of money in rupiah, zero or more")
    elif t is FieldType.CHOICE:
        if value not in field.choices:
            return Msg("must be one of: %(choices)s", choices=", ".join(field.choices))
    elif t is FieldType.YES_NO:
        if not isinstance(value, bool):
            return Msg("must be yes or no (true/false)")
    elif t is FieldType.PERSON and (
        not isinstance(value, str) or len(value) > 64 or not _NIP_OR_ID.match(value)
    ):
        return Msg("must name a person (their id or NIP)")
    return None


def _problems_form(spec: ArtifactSpec, value: object) -> list[str]:
    if not isinstance(value, Mapping):
        return [Msg("expected the form's fields as a mapping")]
    problems: list[str] = []
    known = {f.id for f in spec.fields}
    for f in spec.fields:
        v = value.get(f.id)
        if v is None or v == "":
            if f.required:
                problems.append(Msg("field '%(label)s' is required", label=f.label))
            continue
        why = _field_problem(f, v)
        if why:
            problems.append(Msg("field '%(label)s' %(problem)s", label=f.label, problem=why))
    for extra in sorted(set(value) - known):
        problems.append(
            Msg(
                "unknown field '%(field)s'; fields: %(fields)s",
                field=extra,
                fields=", ".join(sorted(known)),
            )
        )
    return problems


def _problems_named(spec: ArtifactSpec, value: object) -> list[str]:
    """Until its module registers a richer validator: a record reference or a file."""
    if isinstance(value, Mapping):
        if "files" in value:
            return _problems_file(spec, value)
        ref = value.get("ref")
        if isinstance(ref, str | int) and str(ref).strip():
            return []
    return [
        Msg("expected a reference to a %(type)s record ({'ref': ...}) or a file", type=spec.type)
    ]


_REGISTRY: dict[str, ArtifactType] = {}


def register(name: str, label: str, module: str, validate: Validator = _problems_named) -> None:
    """Register (or replace) an artifact type; domain modules call this when they load."""
    _REGISTRY[name] = ArtifactType(name=name, label=label, module=module, validate=validate)


def is_known(name: str) -> bool:
    return name in _REGISTRY


def get(name: str) -> ArtifactType:
    return _REGISTRY[name]


def known_types() -> list[tuple[str, str]]:
    """Every registered type as (name, label), sorted by name."""
    return sorted((t.name, t.label) for t in _REGISTRY.values())


def problems(spec: ArtifactSpec, value: object) -> list[str]:
    """Everything wrong with ``value`` as a value of the artifact ``spec``; empty if valid."""
    return _REGISTRY[spec.type].validate(spec, value)


register("file", "Berkas", "engine", _problems_file)
register("form", "Formulir", "engine", _problems_form)
for _name, _label, _module in (
    ("letter", "Surat", "documents"),
    ("letter.request", "Surat Permohonan", "documents"),
    ("letter.completion", "Surat Penyampaian", "documents"),
    ("letter.memo", "Nota Dinas", "documents"),
    ("instruction", "Perintah / instruksi", "cases"),
    ("disposition", "Disposisi", "cases"),
    ("complaint.report", "Laporan pengaduan", "cases"),
    ("journal.entry", "Catatan jurnal harian", "cases"),
    ("minutes.discussion", "Berita Acara Hasil Diskusi", "documents"),
    ("minutes.sit", "Berita Acara SIT", "documents"),
    ("minutes.uat", "Berita Acara UAT", "documents"),
    ("minutes.handover", "Berita Acara Serah Terima (BAST)", "documents"),
    ("minutes.data_deletion", "Berita Acara Penghapusan Data", "documents"),
    ("maintenance.plan", "Rencana pemeliharaan", "maintenance"),
    ("maintenance.acceptance_criteria", "Kriteria penerimaan", "maintenance"),
    ("maintenance.documentation", "Dokumentasi kegiatan pemeliharaan", "maintenance"),
    ("maintenance.evaluation", "Evaluasi ketercapaian kriteria pemeliharaan", "maintenance"),
    ("maintenance.report", "Laporan manajemen pemeliharaan", "maintenance"),
    ("quality.test_scenarios", "Dokumen skenario pengujian", "quality"),
    ("quality.satisfaction_survey", "Survei kepuasan pengguna", "quality"),
    ("quality.evaluation_report", "Laporan evaluasi aplikasi", "quality"),
    ("proposal.needs_analysis", "Analisis kebutuhan", "catalog"),
    ("proposal.development_plan", "Rencana pengembangan aplikasi", "catalog"),
    ("proposal.budget_plan", "Rencana Anggaran Biaya (RAB)", "catalog"),
    ("proposal.risk_register", "Daftar risiko dan mitigasi", "catalog"),
    ("catalog.work_programme_entry", "Program kerja (proker)", "catalog"),
    ("catalog.deployment", "Catatan instalasi aplikasi", "catalog"),
    ("security.test_report", "Laporan uji keamanan", "quality"),
):
    register(_name, _label, _module)


def example_value(
    spec: ArtifactSpec, tag: str = "1", file: Mapping[str, object] | None = None
) -> object:
    """A value of ``spec`` of the right shape, for the engine in memory (tests, benchmarks).

    Forms get their fields filled. A file, and a named type (a letter, minutes, a report),
    gets a file value: ``file`` when given (an attachment's reference, as the host stores
    it), else a placeholder the engine accepts and the host refuses, since it names no
    attachment of a case (:mod:`laksana.cases.artifacts`). Never a record reference: a
    reference is only ever to a record that exists."""
    if spec.type == "form":
        return {f.id: _example_field(f) for f in spec.fields}
    if file is not None:
        return {"files": [dict(file)]}
    kinds = [k for k in spec.accept if k != "any"]
    ctype = FILE_KINDS[kinds[0]][0] if kinds else "application/pdf"
    return {
        "files": [
            {
                "id": f"{spec.id}-{tag}",
                "name": f"{spec.id}-{tag}",
                "content_type": ctype,
                "size": 1024,
            }
        ]
    }


def _example_field(field: FormField) -> object:
    examples: dict[FieldType, object] = {
        FieldType.TEXT: f"Isian {field.label}",
        FieldType.LONG_TEXT: f"Uraian {field.label}.\nBaris kedua.",
        FieldType.DATE: "2026-01-05",
        FieldType.NUMBER: 3,
        FieldType.YES_NO: True,
        FieldType.PERSON: "199001012020121001",
        FieldType.MONEY: "1500000",
    }
    if field.type is FieldType.CHOICE:
        return field.choices[0]
    return examples[field.type]
