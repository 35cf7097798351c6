"""The case dossier: one ZIP of a case that an archivist or auditor keeps.

Members::

    dokumen/<number>-<slug>.pdf   the case's final documents (their stored, signed PDF)
    lampiran/<id>-<name>          the case's attachments, as uploaded
    kasus.json                    the case's identity, and which record each member is
    jurnal.json                   the journal: every entry with exactly the fields its hash
                                  covers, and the case's recorded head
    manifest.json                 every other member's size and SHA-256, the result of checking
                                  the journal and the files when the dossier was made, and a
                                  keyed signature (written last)

Everything in it can be checked without Laksana (docs/dossier.md has a script): each member
against the manifest, each journal entry's hash (:func:`laksana.cases.journal.entry_hash`) and
the links between them. The SHA-256 of ``manifest.json`` itself is printed by ``laksana case
export``; kept elsewhere (a register, a letter), it pins the whole dossier.

A case whose journal does not verify is exported all the same: the manifest says what is wrong
(``checks``), which is what an auditor needs to see. So is a file that is missing from storage
or whose content no longer matches the SHA-256 recorded when it was stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import slugify

import laksana
from laksana.cases.journal import verify_case
from laksana.cases.models import Attachment, Case, JournalEntry
from laksana.documents.models import Document, DocumentStatus

FORMAT = 1
KIND = "laksana-case-dossier"
MANIFEST = "manifest.json"
CASE = "kasus.json"
JOURNAL = "jurnal.json"
DOCUMENTS = "dokumen/"
ATTACHMENTS = "lampiran/"
CHUNK = 1024 * 1024
# Members bigger than this (or of unknown size) get ZIP64 headers up front.
_ZIP64_FROM = 1 << 30
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


@dataclass
class Manifest:
    """What :func:`write_dossier` wrote: the manifest as stored, its bytes' SHA-256, and the
    checks it records."""

    data: dict[str, Any]
    sha256: str
    journal_break: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def members(self) -> dict[str, dict[str, Any]]:
        """Every member but the manifest, with its size and SHA-256."""
        members: dict[str, dict[str, Any]] = self.data["members"]
        return members

    @property
    def count(self) -> int:
        """The members of the ZIP, the manifest included."""
        return len(self.members) + 1


def utc_iso(at: dt.datetime) -> str:
    """A time as :func:`laksana.cases.journal.entry_hash` writes it."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat(timespec="seconds")


def safe_name(name: str, fallback: str = "berkas", limit: int = 120) -> str:
    """A file name that is one path segment with no surprises: the last segment of ``name``
    (either slash), letters, digits, ``.``, ``-`` and ``_`` only (anything else becomes
    ``-``), no leading dot, at most ``limit`` characters with its extension kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _UNSAFE.sub("-", name).strip(".-_ ")
    if not name:
        return fallback
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: limit - len(ext) - 1].rstrip(".-_") + "." + ext
        else:
            name = name[:limit]
    return name


class _Names:
    """Member names given out so far: a repeated name gets ``-2``, ``-3``, ... before its
    extension."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, folder: str, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, dot, ext = name, "", ""
        candidate, n = folder + name, 1
        while candidate.lower() in self.used:
            n += 1
            candidate = f"{folder}{stem}-{n}{dot}{ext}"
        self.used.add(candidate.lower())
        return candidate


class _Writer:
    """Adds members to the ZIP, hashing exactly the bytes written."""

    def __init__(self, zf: zipfile.ZipFile, at: dt.datetime) -> None:
        self.zf = zf
        local = timezone.localtime(at)
        self.date_time = (local.year, local.month, local.day, local.hour, local.minute, 0)
        self.members: dict[str, dict[str, Any]] = {}

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def add_chunks(self, name: str, chunks: Iterable[bytes], size: int | None = None) -> None:
        digest = hashlib.sha256()
        total = 0
        big = size is None or size >= _ZIP64_FROM
        with self.zf.open(self._info(name), "w", force_zip64=big) as dest:
            for chunk in chunks:
                digest.update(chunk)
                dest.write(chunk)
                total += len(chunk)
        self.members[name] = {"size": total, "sha256": digest.hexdigest()}

    def add_bytes(self, name: str, body: bytes) -> None:
        self.add_chunks(name, [body], len(body))


def _read(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _add_file(
    w: _Writer, name: str, stored: FieldFile | None, expected_sha256: str, problems: list[str]
) -> bool:
    """Add a stored file, streamed; False (and a problem noted) when it cannot be read. A
    file whose content no longer matches its recorded SHA-256 is added, and noted."""
    label = name
    if not stored:
        problems.append(f"{label}: no file is recorded")
        return False
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        problems.append(f"{label}: the stored file cannot be read ({exc.__class__.__name__})")
        return False
    try:
        try:
            size: int | None = stored.size
        except OSError:
            size = None
        w.add_chunks(name, _read(handle), size)
    finally:
        handle.close()
    got = w.members[name]["sha256"]
    if expected_sha256 and got != expected_sha256:
        problems.append(
            f"{label}: its content does not match the SHA-256 recorded when it was stored "
            f"({expected_sha256})"
        )
    return True


def _journal_chunks(case: Case) -> Iterator[bytes]:
    """jurnal.json, written entry by entry (a long journal is never held whole)."""
    head = {
        "case": case.reference,
        "journal_seq": case.journal_seq,
        "journal_hash": case.journal_hash,
        "hash_fields": ["case", "seq", "kind", "actor", "actor_name", "at", "data", "prev"],
    }
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    yield (opening + ',\n "entries": [').encode("utf-8")
    entries = JournalEntry.objects.filter(case=case).order_by("seq")
    first = True
    for e in entries.iterator(chunk_size=2000):
        entry = {
            "case": case.reference,
            "seq": e.seq,
            "kind": e.kind,
            "actor": e.actor_id,
            "actor_name": e.actor_name,
            "at": utc_iso(e.at),
            "data": e.data,
            "prev": e.prev_hash,
            "hash": e.hash,
        }
        text = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        yield (("\n  " if first else ",\n  ") + text).encode("utf-8")
        first = False
    yield b"\n ]\n}\n"


def _case_record(
    case: Case,
    documents: list[tuple[Document, str | None]],
    attachments: list[tuple[Attachment, str | None]],
) -> dict[str, Any]:
    version = case.version
    application = case.application
    return {
        "reference": case.reference,
        "title": case.title,
        "description": case.description,
        "procedure": {
            "key": version.procedure_key,
            "version": version.number,
            "title": version.title,
            "sop_number": version.sop_number,
        },
        "agency": {"slug": case.agency.slug, "name": case.agency.name},
        "requesting_unit": {"id": case.requesting_unit_id, "name": case.requesting_unit.name},
        "application": (
            None if application is None else {"id": application.pk, "name": application.name}
        ),
        "opened_by": {"id": case.opened_by_id, "name": case.opened_by.name},
        "status": case.status,
        "end": case.end_key,
        "opened_at": _iso(case.opened_at),
        "finished_at": _iso(case.finished_at),
        "documents": [
            {
                "member": member,
                "number": d.number,
                "kind": d.kind,
                "title": d.title,
                "date": d.date.isoformat(),
                "finalised_at": _iso(d.finalised_at),
                "pdf_sha256": d.pdf_sha256,
                "verification_code": d.code,
            }
            for d, member in documents
        ],
        "attachments": [
            {
                "member": member,
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "artifact": a.artifact_key,
                "uploaded_by": a.uploaded_by_id,
                "uploaded_at": _iso(a.uploaded_at),
            }
            for a, member in attachments
        ],
    }


def sign(manifest: dict[str, Any]) -> dict[str, str]:
    """The manifest's keyed signature (HMAC-SHA-256 with a key derived from the journal key,
    over its canonical JSON without ``signature``): only the installation that made the
    dossier can check it; anyone can check the rest."""
    from laksana.cases import seals

    body = json.dumps(
        {k: v for k, v in manifest.items() if k != "signature"},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    mac = hmac.new(seals.derived_key("case dossier"), body, hashlib.sha256).hexdigest()
    return {"hmac_sha256": mac, "key": seals.key_id()}


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the whole export, so the journal, the head and the records are of
    one moment: on PostgreSQL a repeatable-read snapshot (unless the caller's transaction is
    already open); on SQLite a read transaction is one already."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def write_dossier(case: Case, out: BinaryIO) -> Manifest:
    """Write the dossier of ``case`` as a ZIP to ``out`` (any writable binary file; it need
    not be seekable). Files are streamed in chunks, never held whole."""
    with _snapshot():
        return _write(case, out)


def _write(case: Case, out: BinaryIO) -> Manifest:
    case = (
        Case.objects.select_related(
            "agency", "version", "requesting_unit", "application", "opened_by"
        )
        .filter(pk=case.pk)
        .get()
    )
    created = timezone.now()
    problems: list[str] = []
    names = _Names()
    documents: list[tuple[Document, str | None]] = []
    attachments: list[tuple[Attachment, str | None]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        w = _Writer(zf, created)
        finals = Document.objects.filter(case=case, status=DocumentStatus.FINAL).order_by(
            "finalised_at", "id"
        )
        for d in finals:
            # A number is full of slashes (001/BAST/UNIT/2026): they are part of it.
            number = re.sub(r"[/\\]+", "-", d.number or d.draft_number or f"dokumen-{d.pk}")
            stem = safe_name(number, limit=60)
            slug = slugify(d.title)[:60].strip("-") or d.kind or "dokumen"
            member = names.take(DOCUMENTS, safe_name(f"{stem}-{slug}.pdf"))
            added = _add_file(w, member, d.pdf, d.pdf_sha256, problems)
            documents.append((d, member if added else None))
        for a in Attachment.objects.filter(case=case).order_by("id"):
            member = names.take(ATTACHMENTS, f"{a.pk}-{safe_name(a.original_name)}")
            added = _add_file(w, member, a.file, a.sha256, problems)
            attachments.append((a, member if added else None))
        w.add_chunks(JOURNAL, _journal_chunks(case))
        record = _case_record(case, documents, attachments)
        w.add_bytes(CASE, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
        broken = verify_case(case)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "kind": KIND,
            "laksana_version": laksana.__version__,
            "created_at": _iso(created),
            "case": case.reference,
            "checks": {
                "journal": {
                    "ok": broken is None,
                    "problem": None if broken is None else str(broken),
                    "entries": case.journal_seq,
                    "head": case.journal_hash,
                },
                "files": {"ok": not problems, "problems": problems},
            },
            "members": w.members,
        }
        manifest["signature"] = sign(manifest)
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        info = w._info(MANIFEST)
        zf.writestr(info, body)
    return Manifest(
        data=manifest,
        sha256=hashlib.sha256(body).hexdigest(),
        journal_break=None if broken is None else str(broken),
        problems=problems,
    )


# --- checking a dossier ----------------------------------------------------------------------

_HASHED = ("case", "seq", "kind", "actor", "actor_name", "at", "data", "prev")


@dataclass
class Checked:
    """What :func:`check_dossier` found: the manifest's SHA-256, the case, and every problem
    (none: the dossier is as this installation made it)."""

    sha256: str
    case: str
    members: int
    entries: int
    problems: list[str]


def _member_problems(z: zipfile.ZipFile, listed: dict[str, Any], names: list[str]) -> list[str]:
    problems: list[str] = []
    for name in names:
        if name == MANIFEST:
            continue
        want = listed.get(name)
        if not isinstance(want, dict):
            problems.append(f"{name}: not listed in the manifest")
            continue
        digest, size = hashlib.sha256(), 0
        try:
            with z.open(name) as member:
                for chunk in _read(member):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            problems.append(f"{name}: cannot be read ({exc})")
            continue
        if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
            problems.append(f"{name}: its content does not match the manifest")
    problems.extend(
        f"{name}: listed in the manifest but missing" for name in listed if name not in names
    )
    return problems


def _journal_problems(journal: dict[str, Any], reference: str) -> tuple[int, list[str]]:
    problems: list[str] = []
    prev, entries = "", journal.get("entries")
    if not isinstance(entries, list):
        return 0, ["jurnal.json holds no list of entries"]
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or any(k not in entry for k in (*_HASHED, "hash")):
            problems.append(f"journal entry {number}: fields are missing")
            continue
        where = f"journal entry {entry['seq']}"
        if entry["seq"] != number:
            problems.append(f"{where}: expected entry {number}")
        if entry["case"] != reference:
            problems.append(f"{where}: belongs to another case")
        if entry["prev"] != prev:
            problems.append(f"{where}: does not link to the entry before it")
        text = json.dumps(
            {k: entry[k] for k in _HASHED},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != entry["hash"]:
            problems.append(f"{where}: its content does not match its hash")
        prev = entry["hash"]
    if journal.get("journal_seq") != len(entries) or journal.get("journal_hash") != prev:
        problems.append("journal: the last entry is not the case's recorded head")
    return len(entries), problems


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def check_dossier(source: str | IO[bytes]) -> Checked:
    """Check a dossier as docs/dossier.md's script does (every member against the manifest,
    the journal's hashes, links and head, the checks recorded at export) and, in addition,
    the manifest's keyed signature. Raises :class:`ValueError` for a file that is not a
    dossier at all."""
    try:
        z = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"not a ZIP file ({exc})") from None
    with z:
        names = z.namelist()
        try:
            body = z.read(MANIFEST)
            manifest = json.loads(body.decode("utf-8"))
            journal = json.loads(z.read(JOURNAL).decode("utf-8"))
        except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
            raise ValueError(f"not a case dossier: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
            raise ValueError(f"not a case dossier: {MANIFEST} is not of a {KIND}")
        problems = []
        if len(names) != len(set(names)):
            problems.append("a member name appears more than once")
        listed = manifest.get("members")
        problems += _member_problems(z, listed if isinstance(listed, dict) else {}, names)
    reference = str(manifest.get("case"))
    entries, found = _journal_problems(journal if isinstance(journal, dict) else {}, reference)
    problems += found
    checks = _mapping(manifest.get("checks"))
    journal_check, files_check = _mapping(checks.get("journal")), _mapping(checks.get("files"))
    if journal_check.get("ok") is not True:
        problems.append(f"recorded at export: journal: {journal_check.get('problem')}")
    recorded = files_check.get("problems")
    problems += [
        f"recorded at export: {p}" for p in (recorded if isinstance(recorded, list) else [])
    ]
    signature = manifest.get("signature")
    want = sign(manifest)
    if not isinstance(signature, dict) or not isinstance(signature.get("hmac_sha256"), str):
        problems.append(f"{MANIFEST} is not signed")
    elif signature.get("key") != want["key"]:
        problems.append(
            f"{MANIFEST} was signed with the journal key {signature.get('key')!r}, not with "
            f"this installation's ({want['key']!r}): its signature cannot be checked here"
        )
    elif not hmac.compare_digest(signature["hmac_sha256"], want["hmac_sha256"]):
        problems.append(f"{MANIFEST} does not match its signature: it was changed after export")
    return Checked(hashlib.sha256(body).hexdigest(), reference, len(names), entries, problems)
