"""Backup and restore of a whole Laksana installation: the database and the uploaded files.

A backup is ONE ``.tar.gz`` archive::

    database/laksana.sqlite3   (SQLite)  or  database/laksana.pgdump  (PostgreSQL, custom format)
    files/<path>               every file under MEDIA_ROOT, by its path there
    manifest.json              format, versions, time, backend, row counts, file totals and
                               the size and SHA-256 of every other member (written last),
                               signed: HMAC-SHA-256 with a key derived from the journal key

Consistency. The database is copied as one consistent snapshot while the server keeps
working: SQLite through its online backup API (``sqlite3.Connection.backup``, one step, so
the copy is the database as of one instant), PostgreSQL with ``pg_dump`` running inside a
repeatable-read snapshot that this module exports and counts rows in, so the manifest's counts
describe exactly the dumped data. Uploaded files are written under generated names before the
transaction that records them commits, and are never changed afterwards; so every file the
snapshot refers to already exists, complete, when the snapshot is taken, and copying the files
*after* the snapshot puts each of them in the archive. Files written later (or by actions that
failed) may come along too; they are harmless extras. The backup checks this: a file the
snapshot refers to but the files folder lacks is reported (and listed in the manifest).

Restoring checks the manifest's signature (a member changed together with its manifest entry is
refused: re-signing needs the journal key), then every member's size and checksum *before*
anything is changed, unpacking into staging places next to the targets; then replaces the
database in one step (SQLite: an atomic rename of a synced file; PostgreSQL: ``pg_restore`` in a
single transaction) and swaps the files folder by renames. Afterwards it compares the row counts
with the manifest and verifies the journal (``laksana journal verify``: chains, covered rows,
files and seals).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import FileField, Model
from django.utils import timezone

import laksana

FORMAT = 1
MANIFEST = "manifest.json"
DB_SQLITE = "database/laksana.sqlite3"
DB_POSTGRES = "database/laksana.pgdump"
FILES = "files/"
CHUNK = 1024 * 1024

# Rows that `laksana migrate` writes itself: a database holding only these holds no data.
_MIGRATE_ROWS = {"contenttypes.ContentType", "auth.Permission"}
# The main tables, listed first in the manifest and in the restore report.
MAIN_MODELS = (
    "org.Agency",
    "org.Unit",
    "org.Person",
    "auth.User",
    "catalog.Application",
    "procedures.ProcedureVersion",
    "cases.Case",
    "cases.CaseStep",
    "cases.JournalEntry",
    "cases.Attachment",
    "cases.Disposition",
    "accounts.ApiToken",
)


class BackupError(Exception):
    """A backup or restore that could not be done. ``status`` is the command's exit status:
    2 when it was refused and nothing was changed, 1 when it failed."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Refused(BackupError):
    """Refused before anything was changed (exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=2)


class _Cursor(Protocol):
    def execute(self, sql: str, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...


# The facts of one database -------------------------------------------------------------------


def _models() -> list[type[Model]]:
    """Every concrete table of the installed apps (many-to-many tables included), main first."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    order = {label: i for i, label in enumerate(MAIN_MODELS)}
    return sorted(found, key=lambda m: (order.get(m._meta.label, len(order)), m._meta.label))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(cursor: _Cursor, tables: set[str]) -> dict[str, int]:
    """Rows per model (by label) for the models whose table exists; works on any DB-API
    cursor of SQLite or PostgreSQL, so a snapshot is counted exactly as a live database."""
    counts: dict[str, int] = {}
    for model in _models():
        table = model._meta.db_table
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[model._meta.label] = int(cursor.fetchall()[0][0])
    return counts


def referenced_files(cursor: _Cursor, tables: set[str]) -> set[str]:
    """The names (relative to MEDIA_ROOT) of every file a file field of a row refers to."""
    names: set[str] = set()
    for model in _models():
        table = model._meta.db_table
        if table not in tables:
            continue
        for f in model._meta.local_fields:
            if isinstance(f, FileField):
                col = _quote(f.column or f.name)
                cursor.execute(f"SELECT {col} FROM {_quote(table)} WHERE {col} <> ''")
                names.update(str(row[0]) for row in cursor.fetchall() if row[0])
    return names


def latest_migrations(cursor: _Cursor, tables: set[str]) -> dict[str, str]:
    """The last applied migration of each app (by name order)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app")
    return {str(app): str(name) for app, name in cursor.fetchall()}


def _sqlite_tables(cursor: _Cursor) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in cursor.fetchall()}


def _postgres_tables(cursor: _Cursor) -> set[str]:
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ANY(current_schemas(false))"
    )
    return {str(r[0]) for r in cursor.fetchall()}


def live_tables() -> set[str]:
    """The tables of the configured database, as it is now."""
    with connections["default"].cursor() as cursor:
        return set(connections["default"].introspection.table_names(cursor))


def live_counts() -> dict[str, int]:
    """Row counts of the configured database, as it is now."""
    tables = live_tables()
    with connections["default"].cursor() as cursor:
        return count_rows(cursor, tables)


def data_rows(counts: dict[str, int]) -> dict[str, int]:
    """The counts that show real data (not the rows ``migrate`` writes itself)."""
    return {k: v for k, v in counts.items() if v and k not in _MIGRATE_ROWS}


# Files ---------------------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under ``root`` as (name relative to root, path), sorted."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile, hashing what was read."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.hash = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.hash.update(data)
        self.size += len(data)
        return data


# PostgreSQL connection and client tools ------------------------------------------------------


def backend() -> str:
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"the database engine {engine} is not supported by backup and restore")


def _pg_params() -> dict[str, str]:
    db = connections["default"].settings_dict
    params = {
        "dbname": str(db.get("NAME") or ""),
        "user": str(db.get("USER") or ""),
        "password": str(db.get("PASSWORD") or ""),
        "host": str(db.get("HOST") or ""),
        "port": str(db.get("PORT") or ""),
    }
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        params["sslmode"] = str(sslmode)
    return {k: v for k, v in params.items() if v}


def _pg_env() -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the password never goes on a command line."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: v for k, v in _pg_params().items()})
    return env


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore); a clear error if none."""
    found = shutil.which(name)
    if found:
        return found
    fallback = Path("/usr/bin") / name
    if fallback.exists():
        return str(fallback)
    raise BackupError(
        f"{name} was not found (looked on PATH and in /usr/bin). Install the PostgreSQL client "
        f"tools of the server's major version or newer (Debian/Ubuntu: apt install "
        f"postgresql-client)."
    )


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed (exit status {result.returncode}): {detail}")


# Backup --------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The database copied to a file, with the facts read from that same snapshot."""

    path: Path
    member: str
    counts: dict[str, int]
    referenced: set[str]
    migrations: dict[str, str]


@contextmanager
def _sqlite_snapshot(workdir: Path) -> Iterator[Snapshot]:
    source_path = Path(connections["default"].settings_dict["NAME"])
    if not source_path.exists():
        raise BackupError(f"the database file {source_path} does not exist")
    target = workdir / "laksana.sqlite3"
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            # pages=-1: the whole database in one step, under one read transaction, so the
            # copy is the database as of one instant even while the server writes.
            source.backup(copy, pages=-1)
            # One self-contained file (no WAL beside it), checked before it is archived.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise BackupError(f"the database copy fails its integrity check: {check[:5]}")
            cursor = copy.cursor()
            tables = _sqlite_tables(cursor)
            counts = count_rows(cursor, tables)
            referenced = referenced_files(cursor, tables)
            migrations = latest_migrations(cursor, tables)
        finally:
            copy.close()
    finally:
        source.close()
    yield Snapshot(target, DB_SQLITE, counts, referenced, migrations)


@contextmanager
def _postgres_snapshot(workdir: Path) -> Iterator[Snapshot]:
    import psycopg

    dump = pg_tool("pg_dump")
    target = workdir / "laksana.pgdump"
    with psycopg.connect(**_pg_params(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None
            snapshot_id = str(row[0])
            cursor = conn.cursor()
            tables = _postgres_tables(cursor)
            counts = count_rows(cursor, tables)
            referenced = referenced_files(cursor, tables)
            migrations = latest_migrations(cursor, tables)
            # pg_dump reads the very snapshot counted above (it stays valid while this
            # transaction is open).
            _run(
                [dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"],
                "pg_dump",
            )
        finally:
            conn.execute("COMMIT")
    yield Snapshot(target, DB_POSTGRES, counts, referenced, migrations)


def default_backup_path(now: dt.datetime | None = None) -> Path:
    """``<data folder>/backups/laksana-backup-YYYYmmdd-HHMMSS.tar.gz`` (UTC)."""
    at = (now or timezone.now()).astimezone(dt.UTC)
    return Path(settings.DATA_DIR) / "backups" / f"laksana-backup-{at:%Y%m%d-%H%M%S}.tar.gz"


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    missing: list[str] = field(default_factory=list)


def create_backup(output: Path | None = None) -> BackupResult:
    """Write one archive of the database snapshot and the files. The archive is written under
    a temporary name, synced, and renamed into place, so a backup that is cut short never
    leaves a truncated archive under the final name."""
    kind = backend()
    output = Path(output) if output else default_backup_path()
    output = output.expanduser().resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.is_dir():
        raise BackupError(f"{output} is a folder; give the archive's file name")
    media = _media_root()
    created = timezone.now().astimezone(dt.UTC)
    members: dict[str, dict[str, Any]] = {}
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="laksana-backup-") as tmp:
        snapshot_cm = _sqlite_snapshot if kind == "sqlite" else _postgres_snapshot
        try:
            with snapshot_cm(Path(tmp)) as snap, partial.open("wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                    members[snap.member] = _add(tar, snap.member, snap.path)
                    # The files, AFTER the snapshot (see the module's explanation).
                    count = total = 0
                    for name, path in _media_files(media):
                        try:
                            entry = _add(tar, FILES + name, path)
                        except FileNotFoundError:
                            continue  # removed meanwhile: a failed action's file
                        members[FILES + name] = entry
                        count += 1
                        total += entry["size"]
                    have = {n[len(FILES) :] for n in members if n.startswith(FILES)}
                    missing = sorted(snap.referenced - have)
                    manifest = {
                        "format": FORMAT,
                        "laksana_version": laksana.__version__,
                        "created_at": created.isoformat(timespec="seconds"),
                        "backend": kind,
                        "database": snap.member,
                        "counts": snap.counts,
                        "migrations": snap.migrations,
                        "files": {"count": count, "bytes": total, "missing": missing},
                        "members": members,
                    }
                    manifest["signature"] = sign_manifest(manifest)
                    body = json.dumps(manifest, indent=2, sort_keys=False).encode("utf-8")
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(body)
                    info.mtime = int(created.timestamp())
                    info.mode = 0o600
                    tar.addfile(info, io.BytesIO(body))
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(partial, 0o600)
            os.replace(partial, output)
            _fsync_dir(output.parent)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(output, manifest, missing)


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    """Add one file, hashing exactly the bytes archived."""
    with path.open("rb") as f:
        st = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size = st.st_size
        info.mtime = int(st.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(f)
        tar.addfile(info, reader)
        if reader.size != st.st_size:
            raise BackupError(f"{path} changed size while it was archived")
    return {"size": st.st_size, "sha256": reader.hash.hexdigest()}


# Restore -------------------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    p = PurePosixPath(name)
    return (
        bool(name)
        and not p.is_absolute()
        and ".." not in p.parts
        and "\\" not in name
        and "\x00" not in name
        and str(p) == name
    )


@dataclass
class Checked:
    """An archive whose every member matched its manifest entry."""

    manifest: dict[str, Any]
    database: Path | None = None
    files: Path | None = None


def read_archive(
    archive: Path,
    *,
    database_to: Path | None = None,
    files_to: Path | None = None,
    on_member: Callable[[str], None] | None = None,
) -> Checked:
    """Read the whole archive, checking every member against the manifest; with
    ``database_to``/``files_to``, unpack the database file and the files there as well (the
    caller removes them). Raises :class:`Refused` naming the first member that is wrong."""
    if not archive.is_file():
        raise Refused(f"{archive}: no such file")
    seen: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    database: Path | None = None
    current = "(the archive's start)"
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                current = member.name
                if not member.isfile() or not _safe_member_name(member.name):
                    raise Refused(f"{archive}: unexpected member {member.name!r}")
                if member.name in seen or (member.name == MANIFEST and manifest is not None):
                    raise Refused(f"{archive}: member {member.name!r} appears twice")
                source = tar.extractfile(member)
                assert source is not None
                if member.name == MANIFEST:
                    manifest = _parse_manifest(archive, source.read())
                    continue
                dest: Path | None = None
                if member.name in (DB_SQLITE, DB_POSTGRES):
                    if any(n in seen for n in (DB_SQLITE, DB_POSTGRES)):
                        raise Refused(f"{archive}: more than one database member")
                    if database_to is not None:
                        dest = database = database_to
                elif member.name.startswith(FILES):
                    if files_to is not None:
                        dest = files_to / member.name[len(FILES) :]
                else:
                    raise Refused(f"{archive}: unexpected member {member.name!r}")
                seen[member.name] = _copy_member(source, dest)
                if on_member:
                    on_member(member.name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise Refused(
            f"{archive}: the archive is damaged or truncated at member {current!r}: {exc}"
        ) from exc
    if manifest is None:
        raise Refused(f"{archive}: no {MANIFEST} (not a Laksana backup, or truncated)")
    expected: dict[str, Any] = manifest["members"]
    for name, entry in seen.items():
        want = expected.get(name)
        if want is None:
            raise Refused(f"{archive}: member {name!r} is not listed in the manifest")
        if want.get("size") != entry["size"] or want.get("sha256") != entry["sha256"]:
            raise Refused(
                f"{archive}: member {name!r} is corrupt: its checksum does not match the "
                f"manifest (size {entry['size']}, expected {want.get('size')})"
            )
    absent = sorted(set(expected) - set(seen))
    if absent:
        raise Refused(
            f"{archive}: {len(absent)} member(s) listed in the manifest are missing, "
            f"first {absent[0]!r}"
        )
    if manifest["database"] not in seen:
        raise Refused(f"{archive}: the database member {manifest['database']!r} is missing")
    return Checked(manifest, database, files_to)


def sign_manifest(manifest: dict[str, Any]) -> dict[str, str]:
    """The manifest's keyed signature: HMAC-SHA-256 over its canonical JSON (every key but
    ``signature``), with a key derived from the journal key, and which key made it. Without
    the key, a member and its manifest entry cannot be changed together unnoticed."""
    from laksana.cases import seals

    body = json.dumps(
        {k: v for k, v in manifest.items() if k != "signature"},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    mac = hmac.new(seals.derived_key("backup manifest"), body, hashlib.sha256).hexdigest()
    return {"hmac_sha256": mac, "key": seals.key_id()}


def _check_signature(archive: Path, manifest: dict[str, Any]) -> None:
    signature = manifest.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("hmac_sha256"), str):
        raise Refused(
            f"{archive}: {MANIFEST} is not signed; a backup's manifest carries a keyed "
            "signature, so this archive was not made by laksana backup or was altered"
        )
    want = sign_manifest(manifest)
    if signature.get("key") != want["key"]:
        raise Refused(
            f"{archive}: {MANIFEST} was signed with the journal key {signature.get('key')!r}, "
            f"but the configured key is {want['key']!r}: restore with the key of the "
            "installation that made the backup (LAKSANA_JOURNAL_KEY)"
        )
    if not hmac.compare_digest(signature["hmac_sha256"], want["hmac_sha256"]):
        raise Refused(
            f"{archive}: {MANIFEST} does not match its signature: the manifest was changed "
            "after the backup was made (with or without its members)"
        )


def _parse_manifest(archive: Path, body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise Refused(f"{archive}: {MANIFEST} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        fmt = manifest.get("format") if isinstance(manifest, dict) else None
        raise Refused(
            f"{archive}: {MANIFEST} has format {fmt!r}; this Laksana reads format {FORMAT}"
        )
    for key in ("backend", "database", "counts", "files", "members"):
        if key not in manifest:
            raise Refused(f"{archive}: {MANIFEST} lacks {key!r}")
    if manifest["database"] not in (DB_SQLITE, DB_POSTGRES):
        raise Refused(f"{archive}: {MANIFEST} names an unknown database member")
    _check_signature(archive, manifest)
    return manifest


def _copy_member(source: IO[bytes], dest: Path | None) -> dict[str, Any]:
    h = hashlib.sha256()
    size = 0
    if dest is None:
        while chunk := source.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
        return {"size": size, "sha256": h.hexdigest()}
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("xb") as out:
        while chunk := source.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(dest, 0o600)
    return {"size": size, "sha256": h.hexdigest()}


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    counts: dict[str, int]
    count_mismatches: list[str]
    files: tuple[int, int]
    file_mismatch: str | None
    journal_breaks: list[str]
    cases_verified: int
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and not self.file_mismatch and not self.journal_breaks


def _sqlite_path() -> Path:
    return Path(connections["default"].settings_dict["NAME"])


def _check_target_free(target_has_data: dict[str, int], replace: bool) -> None:
    media = _media_root()
    media_files = sum(1 for _ in _media_files(media))
    if (target_has_data or media_files) and not replace:
        shown = ", ".join(f"{k} {v}" for k, v in list(target_has_data.items())[:6])
        what = []
        if target_has_data:
            what.append(f"the database holds data ({shown})")
        if media_files:
            what.append(f"the files folder {media} holds {media_files} file(s)")
        raise Refused(
            "nothing was restored: "
            + " and ".join(what)
            + ". Restore into an empty installation, or give --replace to replace everything "
            "with the backup."
        )


def _refuse_in_use(kind: str) -> None:
    """Refuse while something else uses the database (a server that was not stopped)."""
    if kind == "sqlite":
        if _sqlite_path().exists():
            _refuse_sqlite_in_use(_sqlite_path())
        return
    # A client that has just disconnected can be listed for a moment: wait a little.
    others = _other_connections()
    deadline = time.monotonic() + 10
    while others and time.monotonic() < deadline:
        time.sleep(0.2)
        others = _other_connections()
    if others:
        raise Refused(
            f"{others} other connection(s) to the database are open; stop the server "
            "and the task worker, then restore"
        )


def _refuse_sqlite_in_use(path: Path) -> None:
    """Leaving WAL mode needs the database to itself: it fails while any other connection
    has it open, even an idle one (a server that was not stopped). On success the log has
    been checkpointed into the file and removed; WAL mode is then set back."""
    connections.close_all()
    conn = sqlite3.connect(path, timeout=2)
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()
        conn.execute("PRAGMA journal_mode=WAL").fetchall()
    except sqlite3.OperationalError as exc:
        raise Refused(
            f"the database {path} is in use ({exc}); stop the server and the task worker, "
            "then restore"
        ) from exc
    finally:
        conn.close()


def _other_connections() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def restore_backup(
    archive: Path, *, replace: bool = False, progress: Callable[[str], None] | None = None
) -> RestoreReport:
    """Restore an archive into the configured database and files folder (see the module)."""
    say = progress or (lambda _m: None)
    kind = backend()
    archive = Path(archive).expanduser().resolve()
    if not archive.is_file():
        raise Refused(f"{archive}: no such file")
    existing = data_rows(live_counts())
    _check_target_free(existing, replace)
    restore_tool = pg_tool("pg_restore") if kind == "postgresql" else ""
    media = _media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{media.name}.restore-", dir=media.parent))
    db_stage_dir: Path | None = None
    try:
        if kind == "sqlite":
            target = _sqlite_path()
            db_stage_dir = Path(tempfile.mkdtemp(prefix=".restore-", dir=target.parent))
            db_file = db_stage_dir / target.name
        else:
            db_file = stage / "laksana.pgdump"
        say("checking the archive (every member against the manifest) ...")
        checked = read_archive(archive, database_to=db_file, files_to=stage / "files")
        manifest = checked.manifest
        if manifest["backend"] != kind:
            raise Refused(
                f"{archive} holds a {manifest['backend']} database; the configured database "
                f"is {kind}. Restore it into a {manifest['backend']} installation."
            )
        (stage / "files").mkdir(exist_ok=True)
        warnings = _migration_warnings(manifest)
        _refuse_in_use(kind)
        # From here on the installation is changed.
        connections.close_all()
        if kind == "sqlite":
            say("replacing the database file ...")
            _swap_sqlite(db_file, _sqlite_path())
        else:
            say("restoring the database with pg_restore (one transaction) ...")
            _run(
                [
                    restore_tool,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={_pg_params()['dbname']}",
                    str(db_file),
                ],
                "pg_restore",
            )
        say("putting the files in place ...")
        _swap_dir(stage / "files", media)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if db_stage_dir is not None:
            shutil.rmtree(db_stage_dir, ignore_errors=True)
    connections.close_all()
    return _after_restore(manifest, warnings)


def _swap_sqlite(staged: Path, target: Path) -> None:
    """Put the staged (synced) database file in place of the target in one rename. The old
    database's write-ahead log was checkpointed into it by the in-use check; leftover
    -wal/-shm files are removed first so they can never be applied to the new file."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)
    _fsync_dir(target.parent)


def _swap_dir(staged: Path, target: Path) -> None:
    """Replace the files folder by the staged one: two renames, the old one then removed."""
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(staged, target)
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _migration_warnings(manifest: dict[str, Any]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = {key for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(manifest.get("migrations", {}).items())
        if app in apps.app_configs and (app, name) not in known
    ]
    if unknown:
        return [
            "the backup was made by a newer Laksana (migrations unknown here: "
            + ", ".join(unknown)
            + "); restore it with that version or a newer one"
        ]
    return []


def _after_restore(manifest: dict[str, Any], warnings: list[str]) -> RestoreReport:
    from laksana.cases import integrity

    counts = live_counts()
    mismatches = [
        f"{label}: {counts.get(label, 'missing')} rows, the backup has {want}"
        for label, want in manifest["counts"].items()
        if counts.get(label) != want
    ]
    files = [p for _n, p in _media_files(_media_root())]
    have = (len(files), sum(p.stat().st_size for p in files))
    want_files = (manifest["files"]["count"], manifest["files"]["bytes"])
    file_mismatch = (
        None
        if have == want_files
        else f"{have[0]} files ({have[1]} bytes), the backup has {want_files[0]} ({want_files[1]})"
    )
    # The whole journal check: chains, the rows the entries cover, the files, the seals.
    journal = integrity.verify()
    return RestoreReport(
        manifest, counts, mismatches, have, file_mismatch, journal.problems, journal.cases, warnings
    )
