"""`laksana backup` and `laksana restore`: a round trip keeps every row, file and journal entry;
a damaged archive or an installation holding data is refused with nothing changed.

The data is committed (transactional tests), so the backup reads it the way it reads a running
server's. Restores into a fresh installation run the installed `laksana` script in its own
process, against its own data folder and, on PostgreSQL, a scratch database.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.accounts.services import issue_token
from laksana.cases import services
from laksana.cases.models import Attachment, Case
from laksana.ops.backup import (
    DB_POSTGRES,
    DB_SQLITE,
    MANIFEST,
    BackupError,
    live_counts,
    pg_tool,
    sign_manifest,
)
from tests.cases.helpers import work

from .support import (
    COUNTS_CODE,
    installation_env,
    laksana,
    laksana_json,
    on_postgres,
    pg_connect,
    scratch_database,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _build(bali, sop002) -> None:
    """Cases with journal entries, files (photos with thumbnails, PDFs), a disposition, a
    comment and a token."""
    staf = bali["dinkes_staf"]
    first = services.open_case(staf, sop002, "SIKESDA tidak bisa login")
    first = work(staf, first)  # s1: photo + PDF
    first = work(staf, first)  # s2: another PDF
    first = work(bali["kadis"], first)  # s3: the head's disposition
    second = services.open_case(staf, sop002, "Laporan SIMPEG kosong")
    work(staf, second)
    services.add_comment(bali["dinkes"], second.pk, "Mohon segera ditindaklanjuti.")
    services.open_case(bali["bkd"], sop002, "Akun terkunci")
    issue_token(staf, "integrasi helpdesk")


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _backup(path: Path) -> str:
    out = StringIO()
    call_command("backup", "-o", str(path), stdout=out)
    return out.getvalue()


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _write_archive(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


def _restore_in_process(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("restore", *args, stdout=StringIO(), stderr=StringIO())
    return caught.value


@pytest.fixture
def archive(tmp_path, bali, sop002) -> Path:
    _build(bali, sop002)
    path = tmp_path / "backups" / "laksana.tar.gz"
    _backup(path)
    return path


def test_the_archive_holds_the_snapshot_the_files_and_a_manifest_of_both(archive):
    members = _members(archive)
    manifest = json.loads(members.pop(MANIFEST))
    db_member = DB_POSTGRES if on_postgres() else DB_SQLITE
    assert manifest["format"] == 1
    assert manifest["backend"] == ("postgresql" if on_postgres() else "sqlite")
    assert manifest["database"] == db_member and db_member in members
    assert manifest["laksana_version"] and manifest["created_at"]
    # The counts are the database's, per model, the main tables among them.
    counts = live_counts()
    assert manifest["counts"] == counts
    assert counts["cases.Case"] == 3 and counts["cases.Attachment"] >= 3
    assert counts["cases.JournalEntry"] == sum(c.journal_seq for c in Case.objects.all())
    for label in ("cases.CaseStep", "org.Person", "catalog.Application", "accounts.ApiToken"):
        assert manifest["counts"][label] > 0, label
    # Every uploaded file (and thumbnail) is in, byte for byte, with its checksum.
    media = _files(Path(settings.MEDIA_ROOT))
    assert {f"files/{n}": b for n, b in media.items()} == {
        n: b for n, b in members.items() if n.startswith("files/")
    }
    assert manifest["files"] == {
        "count": len(media),
        "bytes": sum(len(b) for b in media.values()),
        "missing": [],
    }
    for name, body in members.items():
        assert manifest["members"][name] == {
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    attachment_files = {a.file.name for a in Attachment.objects.all()}
    assert attachment_files and attachment_files <= set(media)


def test_round_trip_into_a_fresh_installation(archive, tmp_path):
    """Restore into a new installation, in its own process: the same rows, the same file
    bytes, and the journal verifies; then refused over data without --replace, and with
    --replace the installation is the backup again."""
    counts = live_counts()
    media = _files(Path(settings.MEDIA_ROOT))
    target = tmp_path / "target"
    if on_postgres():
        with scratch_database("laksana_s2_restore") as url:
            _round_trip(archive, installation_env(target, url), counts, media, target)
    else:
        _round_trip(archive, installation_env(target), counts, media, target)


def _round_trip(archive, env, counts, media, target) -> None:
    restored = laksana("restore", archive, env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "counts match the backup; journal ok: 3 cases verified" in restored.stdout
    assert laksana_json(COUNTS_CODE, env) == counts
    assert _files(target / "files") == media
    verify = laksana("journal", "verify", env=env)
    assert verify.returncode == 0, verify.stderr
    assert "journal ok: 3 cases" in verify.stdout

    # The installation now holds data: refused, nothing changed.
    again = laksana("restore", archive, env=env)
    assert again.returncode == 2
    assert "holds data" in again.stderr and "--replace" in again.stderr

    # Work goes on after the backup: a comment and a stray file. --replace brings the
    # installation back to the backup exactly.
    laksana(
        "shell",
        "-c",
        "from laksana.cases import services; from laksana.cases.models import Case; "
        "from laksana.org.models import Person; "
        "services.add_comment(Person.objects.get(user__username='dinkes_staf'), "
        "Case.objects.order_by('pk').first().pk, 'Sesudah backup')",
        env=env,
        check=True,
    )
    changed = laksana_json(COUNTS_CODE, env)
    assert changed["cases.JournalEntry"] == counts["cases.JournalEntry"] + 1
    (target / "files" / "stray.txt").write_text("not in the backup")
    replaced = laksana("restore", archive, "--replace", env=env)
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert laksana_json(COUNTS_CODE, env) == counts
    assert _files(target / "files") == media
    assert laksana("journal", "verify", env=env).returncode == 0
    # No staging left behind next to the files folder.
    assert sorted(p.name for p in target.iterdir() if p.name.startswith(".")) == []

    # While something else uses the database (a server that was not stopped), refused.
    with _database_in_use(env, target):
        busy = laksana("restore", archive, "--replace", env=env)
    assert busy.returncode == 2, busy.stdout + busy.stderr
    assert "stop the server" in busy.stderr
    assert laksana_json(COUNTS_CODE, env) == counts

    # A restore whose result does not match its manifest exits 1 and says what differs.
    members = _members(archive)
    manifest = json.loads(members[MANIFEST])
    manifest["counts"]["cases.JournalEntry"] += 1
    manifest["signature"] = sign_manifest(manifest)  # as only the key's holder can
    members[MANIFEST] = json.dumps(manifest).encode()
    wrong = archive.with_name("wrong-counts.tar.gz")
    _write_archive(wrong, members)
    mismatch = laksana("restore", wrong, "--replace", env=env)
    assert mismatch.returncode == 1, mismatch.stdout + mismatch.stderr
    assert "restored, but it does not match the backup" in mismatch.stderr
    assert (
        f"cases.JournalEntry: {counts['cases.JournalEntry']} rows, the backup has "
        f"{counts['cases.JournalEntry'] + 1}" in mismatch.stderr
    )


@contextmanager
def _database_in_use(env: dict[str, str], target: Path) -> Iterator[None]:
    """Another connection to the installation's database, in the middle of a read."""
    if on_postgres():
        with pg_connect(env["LAKSANA_DATABASE_URL"].rsplit("/", 1)[1]) as conn:
            conn.execute("SELECT 1")
            yield
    else:
        conn = sqlite3.connect(target / "laksana.sqlite3")
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT COUNT(*) FROM cases_case").fetchall()
            yield
        finally:
            conn.close()


def _unchanged(counts: dict[str, int], media: dict[str, bytes]) -> None:
    assert live_counts() == counts
    assert _files(Path(settings.MEDIA_ROOT)) == media
    leftovers = [
        p.name for p in Path(settings.MEDIA_ROOT).parent.iterdir() if ".restore-" in p.name
    ]
    assert leftovers == []


def test_existing_data_is_not_replaced_without_replace(archive):
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    error = _restore_in_process(str(archive))
    assert error.returncode == 2
    assert "nothing was restored: the database holds data" in str(error)
    assert "--replace" in str(error)
    _unchanged(counts, media)


@pytest.mark.parametrize("which", ["file", "database"])
def test_a_member_with_a_flipped_byte_is_refused_naming_it(archive, tmp_path, which):
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    members = _members(archive)
    name = next(
        n
        for n in members
        if (n.startswith("files/") if which == "file" else n.startswith("database/"))
    )
    body = bytearray(members[name])
    body[len(body) // 2] ^= 0x01
    members[name] = bytes(body)
    bad = tmp_path / "bad.tar.gz"
    _write_archive(bad, members)
    error = _restore_in_process(str(bad), "--replace")
    assert error.returncode == 2
    assert f"member {name!r} is corrupt" in str(error)
    _unchanged(counts, media)
    # --check says the same without restoring.
    assert f"member {name!r} is corrupt" in str(_restore_in_process(str(bad), "--check"))


def test_a_truncated_or_damaged_archive_is_refused(archive, tmp_path):
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) // 2])
    error = _restore_in_process(str(truncated), "--replace")
    assert error.returncode == 2
    assert "damaged or truncated at member" in str(error)
    # A flipped byte in the compressed stream: the gzip check catches it.
    damaged = tmp_path / "damaged.tar.gz"
    raw = bytearray(data)
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    error = _restore_in_process(str(damaged), "--replace")
    assert error.returncode == 2
    # Without its manifest an archive is not a backup.
    members = _members(archive)
    del members[MANIFEST]
    headless = tmp_path / "headless.tar.gz"
    _write_archive(headless, members)
    error = _restore_in_process(str(headless), "--replace")
    assert error.returncode == 2 and "no manifest.json" in str(error)
    _unchanged(counts, media)


def test_a_member_outside_the_manifest_or_an_unsafe_name_is_refused(archive, tmp_path):
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    members = _members(archive)
    extra = tmp_path / "extra.tar.gz"
    _write_archive(extra, {"files/extra.pdf": b"%PDF-1.4", **members})
    error = _restore_in_process(str(extra), "--replace")
    assert error.returncode == 2 and "'files/extra.pdf' is not listed" in str(error)
    escape = tmp_path / "escape.tar.gz"
    _write_archive(escape, {"files/../../escape.txt": b"x", **members})
    error = _restore_in_process(str(escape), "--replace")
    assert error.returncode == 2 and "unexpected member" in str(error)
    assert not (tmp_path / "escape.txt").exists()
    _unchanged(counts, media)


def test_an_archive_of_the_other_backend_is_refused(archive, tmp_path):
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    members = _members(archive)
    manifest = json.loads(members[MANIFEST])
    manifest["backend"] = "sqlite" if on_postgres() else "postgresql"
    manifest["signature"] = sign_manifest(manifest)  # as only the key's holder can
    members[MANIFEST] = json.dumps(manifest).encode()
    other = tmp_path / "other.tar.gz"
    _write_archive(other, members)
    error = _restore_in_process(str(other), "--replace")
    assert error.returncode == 2 and f"holds a {manifest['backend']} database" in str(error)
    _unchanged(counts, media)


def test_a_member_changed_together_with_its_manifest_is_refused(archive, tmp_path, settings):
    """A file swapped in the archive with its manifest entry (size and SHA-256) rewritten to
    match: the manifest's keyed signature no longer matches, and without the journal key it
    cannot be made again; a manifest without its signature is refused as well."""
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    members = _members(archive)
    manifest = json.loads(members[MANIFEST])
    name = next(n for n in members if n.startswith("files/") and n.endswith(".pdf"))
    body = b"%PDF-1.4\n% another letter\n%%EOF\n"
    manifest["files"]["bytes"] += len(body) - len(members[name])
    members[name] = body
    manifest["members"][name] = {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    members[MANIFEST] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.tar.gz"
    _write_archive(forged, members)
    for args in (("--check",), ("--replace",)):
        error = _restore_in_process(str(forged), *args)
        assert error.returncode == 2, args
        assert "manifest.json does not match its signature" in str(error)
    del manifest["signature"]
    members[MANIFEST] = json.dumps(manifest).encode()
    _write_archive(forged, members)
    error = _restore_in_process(str(forged), "--check")
    assert error.returncode == 2 and "manifest.json is not signed" in str(error)
    # The genuine archive, read by an installation with another journal key: named as such.
    settings.LAKSANA_JOURNAL_KEY = "another-key-" + "Qw9xZ3vB7nM2kL5pR8tY" * 2
    error = _restore_in_process(str(archive), "--check")
    assert error.returncode == 2 and "was signed with the journal key" in str(error)
    _unchanged(counts, media)


def test_check_reads_a_good_archive_without_changing_anything(archive):
    counts, media = live_counts(), _files(Path(settings.MEDIA_ROOT))
    out = StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "members match the manifest" in out.getvalue()
    _unchanged(counts, media)


def test_default_name_and_a_missing_referenced_file_is_reported(bali, sop002, settings, tmp_path):
    _build(bali, sop002)
    settings.DATA_DIR = tmp_path / "data"
    lost = Attachment.objects.order_by("pk").first()
    assert lost is not None
    Path(lost.file.path).unlink()
    out, err = StringIO(), StringIO()
    call_command("backup", stdout=out, stderr=err)
    written = list((tmp_path / "data" / "backups").glob("laksana-backup-*.tar.gz"))
    assert len(written) == 1 and str(written[0]) in out.getvalue()
    manifest = json.loads(_members(written[0])[MANIFEST])
    assert manifest["files"]["missing"] == [lost.file.name]
    assert "1 file(s) the database refers to were not in the files folder" in err.getvalue()
    # No partial archive is left beside it.
    assert [p.name for p in written[0].parent.iterdir()] == [written[0].name]


def test_a_missing_postgresql_tool_is_a_clear_error():
    with pytest.raises(BackupError, match="pg_nonexistent_tool was not found"):
        pg_tool("pg_nonexistent_tool")


def test_a_backup_from_a_newer_laksana_is_named_in_a_warning():
    from django.db.migrations.loader import MigrationLoader

    from laksana.ops.backup import _migration_warnings

    known = max(n for app, n in MigrationLoader(None).disk_migrations if app == "cases")
    assert _migration_warnings({"migrations": {"cases": known}}) == []
    (warning,) = _migration_warnings({"migrations": {"cases": "9999_from_the_future"}})
    assert "made by a newer Laksana" in warning and "cases.9999_from_the_future" in warning
