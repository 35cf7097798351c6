"""The case dossier: the ZIP's members and manifest, the standalone check in docs/dossier.md run
on a real export (and on altered ones), the ``laksana case export`` command, and who may
download it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from laksana.cases import services, vendors
from laksana.cases.journal import entry_hash
from laksana.cases.models import Attachment, Case, JournalEntry
from laksana.catalog.models import Contract
from laksana.demo.orgs import SOP_004
from laksana.documents import dossier
from laksana.documents.models import Document, DocumentStatus, TemplateVersion
from laksana.org.models import Person

from ..cases.helpers import pdf, png, work
from .drafts import case_at_discussion, circulate, finish

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "dossier.md"
FINAL_PDF = b"%PDF-1.7\n% BAST final, signed\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
DRAFT_PDF = b"%PDF-1.7\n% draft\n%%EOF\n"


# --- the scenario ----------------------------------------------------------------------------


def make_document(case: Case, author: Person, status: str, body: bytes, **fields: Any) -> Document:
    """A document row with a stored PDF, made directly (the documents' services make them in
    the product; the dossier only reads what they stored)."""
    template, _new = TemplateVersion.objects.get_or_create(
        agency=None,
        kind="bast",
        number=1,
        defaults={
            "source": "<p>{{ nomor }}</p>",
            "sha256": "0" * 64,
            "created_at": timezone.now(),
        },
    )
    now = timezone.now()
    document = Document(
        agency=case.agency,
        case=case,
        kind="bast",
        template=template,
        author=author,
        status=status,
        date=now.date(),
        created_at=now,
        code=fields.pop("code"),
        pdf_sha256=hashlib.sha256(body).hexdigest(),
        **fields,
    )
    document.pdf.save("dokumen.pdf", ContentFile(body), save=False)
    document.save()
    return document


@pytest.fixture
def case(bali, sop002) -> Case:
    """A Bali SOP 002 case at step 3: the requester's two steps done with uploads, two more
    attachments (one with the same name as another), a comment; a final BAST and a draft."""
    requester = bali["dinkes_staf"]
    c = services.open_case(
        requester,
        sop002,
        "SIKESDA error saat simpan data",
        application=bali.applications["sikesda"],
    )
    c = work(requester, c)
    c = work(requester, c)
    services.add_attachment(requester, c.pk, png("tangkapan layar.png"))
    services.add_attachment(requester, c.pk, pdf("surat_permohonan.pdf"))
    services.add_comment(requester, c.pk, "Mohon segera — terima kasih.")
    make_document(
        c,
        bali["kadis"],
        DocumentStatus.FINAL,
        FINAL_PDF,
        title="Berita Acara Serah Terima SIKESDA",
        number="001/BAST/DISKOMINFOS/2026",
        draft_number="DRAFT-1",
        code="FINAL0001",
        finalised_at=timezone.now(),
    )
    make_document(
        c,
        bali["kadis"],
        DocumentStatus.CIRCULATING,
        DRAFT_PDF,
        title="Surat Penyampaian",
        draft_number="DRAFT-2",
        code="DRAFT0002",
    )
    c.refresh_from_db()
    return c


def export(case: Case) -> tuple[bytes, dossier.Manifest]:
    out = io.BytesIO()
    manifest = dossier.write_dossier(case, out)
    return out.getvalue(), manifest


def members(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return {name: z.read(name) for name in z.namelist()}


# --- what the ZIP holds ----------------------------------------------------------------------


def test_the_dossier_holds_every_member_with_its_size_and_sha256(case):
    body, manifest = export(case)
    files = members(body)
    assert files["manifest.json"].startswith(b"{")
    assert hashlib.sha256(files["manifest.json"]).hexdigest() == manifest.sha256
    listed = json.loads(files["manifest.json"])
    assert listed == manifest.data
    assert set(listed["members"]) == set(files) - {"manifest.json"}
    assert manifest.count == len(files)
    for name, entry in listed["members"].items():
        assert entry == {
            "size": len(files[name]),
            "sha256": hashlib.sha256(files[name]).hexdigest(),
        }
    assert listed["case"] == case.reference
    assert listed["checks"]["journal"] == {
        "ok": True,
        "problem": None,
        "entries": case.journal_seq,
        "head": case.journal_hash,
    }
    assert listed["checks"]["files"] == {"ok": True, "problems": []}
    assert set(listed["signature"]) == {"hmac_sha256", "key"}
    assert listed["signature"] == dossier.sign(listed)


def test_it_holds_the_final_documents_and_every_attachment_as_stored_but_no_draft(case):
    files = members(export(case)[0])
    documents = sorted(n for n in files if n.startswith("dokumen/"))
    assert documents == ["dokumen/001-BAST-DISKOMINFOS-2026-berita-acara-serah-terima-sikesda.pdf"]
    assert files[documents[0]] == FINAL_PDF
    assert DRAFT_PDF not in files.values()
    attachments = Attachment.objects.filter(case=case).order_by("id")
    assert attachments.count() >= 4  # the steps' uploads and the two added
    stored = sorted(n for n in files if n.startswith("lampiran/"))
    assert stored == sorted(
        f"lampiran/{a.pk}-{a.original_name}".replace(" ", "-") for a in attachments
    )
    for a in attachments:
        with a.file.open("rb") as f:
            assert files[f"lampiran/{a.pk}-{a.original_name}".replace(" ", "-")] == f.read()
    record = json.loads(files["kasus.json"])
    assert record["documents"][0]["member"] == documents[0]
    assert [d["number"] for d in record["documents"]] == ["001/BAST/DISKOMINFOS/2026"]
    assert {a["member"] for a in record["attachments"]} == set(stored)


def test_a_document_signed_through_the_services_is_in_the_dossier_as_signed(bali, sop002, tmp_path):
    """End to end: a Berita Acara Hasil Diskusi drafted, initialled and signed by its people;
    the dossier holds its final PDF, whose SHA-256 the journal's final entry names, and the
    documented script passes it."""
    c = case_at_discussion(bali, sop002)
    in_circulation = circulate(bali, c)
    document = finish(bali, in_circulation)
    assert document.status == DocumentStatus.FINAL and document.number
    c.refresh_from_db()
    body, manifest = export(c)
    files = members(body)
    (name,) = [n for n in files if n.startswith("dokumen/")]
    assert files[name].startswith(b"%PDF")
    assert hashlib.sha256(files[name]).hexdigest() == document.pdf_sha256
    record = json.loads(files["kasus.json"])
    assert record["documents"][0]["number"] == document.number
    journal = json.loads(files["jurnal.json"])
    kinds = [e["kind"] for e in journal["entries"]]
    assert kinds.count("signed") == 2 and kinds.count("initialled") == 2
    final = next(e for e in journal["entries"] if e["kind"] == "document_final")
    assert document.pdf_sha256 in json.dumps(final["data"])
    assert manifest.data["checks"]["journal"]["ok"] is True
    done = run(tmp_path, body, manifest.sha256)
    assert done.returncode == 0, done.stdout


def test_the_case_is_named_by_its_identity(case, bali, sop002):
    record = json.loads(members(export(case)[0])["kasus.json"])
    assert record["reference"] == case.reference
    assert record["title"] == "SIKESDA error saat simpan data"
    assert record["procedure"]["key"] == sop002.procedure_key
    assert record["procedure"]["version"] == sop002.number
    assert record["agency"] == {"slug": "diskominfos-bali", "name": bali.agency.name}
    assert record["requesting_unit"]["name"] == bali.units["dinkes"].name
    assert record["application"]["name"] == bali.applications["sikesda"].name
    assert record["status"] == "running" and record["finished_at"] is None
    assert record["opened_at"] == case.opened_at.astimezone(dt.UTC).isoformat(timespec="seconds")


def test_the_journal_has_exactly_the_hashed_fields_and_recomputes(case):
    journal = json.loads(members(export(case)[0])["jurnal.json"])
    assert journal["journal_seq"] == case.journal_seq
    assert journal["journal_hash"] == case.journal_hash
    rows = list(JournalEntry.objects.filter(case=case).order_by("seq"))
    assert len(journal["entries"]) == len(rows) == case.journal_seq
    prev = ""
    for entry, row in zip(journal["entries"], rows, strict=True):
        assert set(entry) == {
            "case",
            "seq",
            "kind",
            "actor",
            "actor_name",
            "at",
            "data",
            "prev",
            "hash",
        }
        assert entry["hash"] == row.hash and entry["prev"] == prev
        at = dt.datetime.fromisoformat(entry["at"])
        assert at == row.at
        assert (
            entry_hash(
                entry["case"],
                entry["seq"],
                entry["kind"],
                entry["actor"],
                entry["actor_name"],
                at,
                entry["data"],
                entry["prev"],
            )
            == entry["hash"]
        )
        prev = entry["hash"]
    assert prev == case.journal_hash
    # Non-ASCII text survives as it was hashed.
    assert any(e["data"].get("text") == "Mohon segera — terima kasih." for e in journal["entries"])


def test_member_names_are_safe_and_never_repeat(case):
    first, second = Attachment.objects.filter(case=case).order_by("id")[:2]
    Attachment.objects.filter(pk=first.pk).update(original_name="../../etc/passwd")
    Attachment.objects.filter(pk=second.pk).update(original_name="..\\..\\C:\\boot\x07.ini")
    make_document(
        case,
        case.opened_by,
        DocumentStatus.FINAL,
        FINAL_PDF + b"2",
        title="Berita Acara Serah Terima SIKESDA",
        number="001/BAST/DISKOMINFOS/2026",
        draft_number="DRAFT-3",
        code="FINAL0003",
        finalised_at=timezone.now(),
    )
    files = members(export(case)[0])
    for name in files:
        assert not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
        assert "\x07" not in name
        assert name.count("/") <= 1
    assert f"lampiran/{first.pk}-passwd" in files
    assert f"lampiran/{second.pk}-boot.ini" in files
    documents = sorted(n for n in files if n.startswith("dokumen/"))
    assert documents == [
        "dokumen/001-BAST-DISKOMINFOS-2026-berita-acara-serah-terima-sikesda-2.pdf",
        "dokumen/001-BAST-DISKOMINFOS-2026-berita-acara-serah-terima-sikesda.pdf",
    ]
    assert len(files) == len(set(files))


def test_a_broken_journal_is_exported_and_the_manifest_says_so(case):
    entry = JournalEntry.objects.get(case=case, seq=3)
    JournalEntry.objects.filter(pk=entry.pk).update(actor_name="Orang Lain")
    body, manifest = export(case)
    check = json.loads(members(body)["manifest.json"])["checks"]["journal"]
    assert check["ok"] is False
    assert (
        check["problem"]
        == f"case {case.reference}, entry 3: its content was changed after it was written"
    )
    assert manifest.journal_break == check["problem"]


def test_a_missing_or_changed_file_is_recorded_and_the_rest_exported(case):
    missing, changed = Attachment.objects.filter(case=case).order_by("id")[:2]
    Path(missing.file.path).unlink()
    with open(changed.file.path, "ab") as f:
        f.write(b"tampered")
    body, manifest = export(case)
    files = members(body)
    assert not any(n.startswith(f"lampiran/{missing.pk}-") for n in files)
    assert any(n.startswith(f"lampiran/{changed.pk}-") for n in files)
    problems = json.loads(files["manifest.json"])["checks"]["files"]["problems"]
    assert len(problems) == 2 and problems == manifest.problems
    assert f"lampiran/{missing.pk}-" in problems[0] and "cannot be read" in problems[0]
    assert f"lampiran/{changed.pk}-" in problems[1] and changed.sha256 in problems[1]


# --- the standalone check of docs/dossier.md -------------------------------------------------


def script(tmp_path: Path) -> Path:
    """The checking script, exactly as the documentation shows it."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- verify-script:start -->\s*```python\n(.*?)```\s*<!-- verify-script:end -->",
        text,
        re.S,
    )
    assert found, "docs/dossier.md shows the script between its markers"
    path = tmp_path / "periksa_berkas.py"
    path.write_text(found.group(1), encoding="utf-8")
    return path


def run(tmp_path: Path, body: bytes, *args: str) -> subprocess.CompletedProcess[str]:
    archive = tmp_path / "berkas.zip"
    archive.write_bytes(body)
    return subprocess.run(
        [sys.executable, "-I", str(script(tmp_path)), str(archive), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def rebuilt(body: bytes, change: dict[str, bytes]) -> bytes:
    """The same ZIP with some members' content replaced (the manifest kept as it is unless
    it is one of them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(out, "w") as dest:
        for info in src.infolist():
            dest.writestr(info, change.get(info.filename, src.read(info)))
    return out.getvalue()


def test_the_documented_script_passes_a_real_dossier(case, tmp_path):
    body, manifest = export(case)
    done = run(tmp_path, body)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"manifest sha256: {manifest.sha256}" in done.stdout
    assert f"dossier OK: {case.reference}, {manifest.count} members" in done.stdout
    assert run(tmp_path, body, manifest.sha256).returncode == 0
    wrong = run(tmp_path, body, "0" * 64)
    assert wrong.returncode == 1
    assert "manifest.json is not the one whose SHA-256 was kept" in wrong.stdout


def test_the_script_fails_after_one_byte_of_a_member_changes(case, tmp_path):
    body, _manifest = export(case)
    name = next(n for n in members(body) if n.startswith("dokumen/"))
    content = bytearray(members(body)[name])
    content[100] ^= 0x01
    done = run(tmp_path, rebuilt(body, {name: bytes(content)}))
    assert done.returncode == 1
    assert f"PROBLEM: {name}: its content does not match the manifest" in done.stdout
    # One byte of the archive itself, inside the member's compressed data.
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        info = z.getinfo(name)
    raw = bytearray(body)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0x01
    done = run(tmp_path, bytes(raw))
    assert done.returncode == 1 and f"PROBLEM: {name}" in done.stdout


def test_the_script_fails_after_one_journal_entry_changes(case, tmp_path):
    body, manifest = export(case)
    journal = json.loads(members(body)["jurnal.json"])
    journal["entries"][2]["actor_name"] = "Orang Lain"
    text = json.dumps(journal, ensure_ascii=False).encode("utf-8")
    # The manifest's entry for jurnal.json changed too: only the chain can tell.
    listed = dict(manifest.data)
    listed["members"] = {
        **manifest.members,
        "jurnal.json": {"size": len(text), "sha256": hashlib.sha256(text).hexdigest()},
    }
    forged = json.dumps(listed).encode("utf-8")
    done = run(tmp_path, rebuilt(body, {"jurnal.json": text, "manifest.json": forged}))
    assert done.returncode == 1
    assert "PROBLEM: journal entry 3: its content does not match its hash" in done.stdout
    # ...and the manifest is no longer the one whose SHA-256 the export printed.
    assert manifest.sha256 not in done.stdout
    # Leaving an entry out breaks the links and the head.
    del journal["entries"][2]
    text = json.dumps(journal).encode("utf-8")
    done = run(tmp_path, rebuilt(body, {"jurnal.json": text}))
    assert done.returncode == 1
    assert "PROBLEM: journal entry 4: expected entry 3" in done.stdout
    assert "PROBLEM: journal entry 4: does not link to the entry before it" in done.stdout
    assert "PROBLEM: journal: the last entry is not the case's recorded head" in done.stdout


def test_the_script_reports_what_was_recorded_at_export(case, tmp_path):
    JournalEntry.objects.filter(case=case, seq=2).update(kind="comment")
    done = run(tmp_path, export(case)[0])
    assert done.returncode == 1
    assert "PROBLEM: recorded at export: journal: case " in done.stdout
    assert "PROBLEM: journal entry 2: its content does not match its hash" in done.stdout


# --- the command -----------------------------------------------------------------------------


def test_the_command_writes_the_dossier_and_prints_its_manifest_hash(case, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "berkas.zip"
    out = io.StringIO()
    call_command("case", "export", case.reference, "-o", str(target), stdout=out)
    lines = out.getvalue().splitlines()
    body = target.read_bytes()
    files = members(body)
    sha = hashlib.sha256(files["manifest.json"]).hexdigest()
    assert lines == [str(target), f"members: {len(files)}", f"manifest sha256: {sha}"]
    assert target.stat().st_mode & 0o077 == 0  # personal data: the owner's alone
    assert [p.name for p in tmp_path.iterdir()] == ["berkas.zip"]
    assert run(tmp_path, body, sha).returncode == 0


def test_the_command_warns_of_a_journal_that_does_not_verify_and_exports_it(case, tmp_path):
    JournalEntry.objects.filter(case=case, seq=2).update(actor_name="X")
    err = io.StringIO()
    call_command(
        "case",
        "export",
        case.reference,
        "-o",
        str(tmp_path / "b.zip"),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "does not verify: case" in err.getvalue() and "entry 2" in err.getvalue()
    assert (tmp_path / "b.zip").exists()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("nowhere/berkas.zip", "does not exist"),
        (".", "is a folder"),
        ("file.txt/berkas.zip", "does not exist"),
    ],
)
def test_the_command_refuses_an_output_it_cannot_write(case, tmp_path, where, message):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CommandError) as exc:
        call_command("case", "export", case.reference, "-o", str(tmp_path / where))
    assert exc.value.returncode == 1
    assert message in str(exc.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_the_command_refuses_an_unknown_case(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("case", "export", "tidak-ada-2026-000001", "-o", str(tmp_path / "b.zip"))
    assert exc.value.returncode == 1
    assert "no case with the reference 'tidak-ada-2026-000001'" in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_an_export_cut_short_leaves_no_file(case, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "berkas.zip"
    target.write_bytes(b"the previous export")

    def fail(case: Case, out: Any) -> None:
        out.write(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dossier, "write_dossier", fail)
    with pytest.raises(CommandError) as exc:
        call_command("case", "export", case.reference, "-o", str(target))
    assert exc.value.returncode == 1 and "No space left on device" in str(exc.value)
    assert [p.name for p in tmp_path.iterdir()] == ["berkas.zip"]
    assert target.read_bytes() == b"the previous export"


def verify(path: Path, *args: str) -> tuple[str, str | None]:
    """``laksana case verify``: what it printed, and its error (None: exit 0)."""
    out = io.StringIO()
    try:
        call_command("case", "verify", str(path), *args, stdout=out)
    except CommandError as exc:
        assert exc.returncode == 1
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_the_verify_command_passes_a_genuine_dossier_and_checks_its_signature(case, tmp_path):
    body, manifest = export(case)
    path = tmp_path / "berkas.zip"
    path.write_bytes(body)
    printed, error = verify(path, "--expect", manifest.sha256.upper())
    assert error is None
    assert printed.splitlines() == [
        f"manifest sha256: {manifest.sha256}",
        f"dossier ok: {case.reference}, {manifest.count} members, {case.journal_seq} journal "
        "entries, signature checked",
    ]
    printed, error = verify(path, "--expect", "0" * 64)
    assert error is not None and "manifest.json is not the one whose SHA-256 was kept" in error


def test_the_verify_command_names_every_problem(case, tmp_path, settings):
    body, manifest = export(case)
    journal = json.loads(members(body)["jurnal.json"])
    journal["entries"][2]["data"] = {"forged": True}
    text = json.dumps(journal).encode("utf-8")
    forged = dict(manifest.data)
    forged["members"] = {
        **manifest.members,
        "jurnal.json": {"size": len(text), "sha256": hashlib.sha256(text).hexdigest()},
    }
    name = next(n for n in manifest.members if n.startswith("lampiran/"))
    path = tmp_path / "berkas.zip"
    path.write_bytes(
        rebuilt(
            body,
            {"jurnal.json": text, "manifest.json": json.dumps(forged).encode(), name: b"lain"},
        )
    )
    _printed, error = verify(path)
    assert error is not None
    assert f"{name}: its content does not match the manifest" in error
    assert "journal entry 3: its content does not match its hash" in error
    assert "manifest.json does not match its signature: it was changed after export" in error
    assert "3 problem(s) found" in error
    # Another installation (another journal key) cannot check the signature, and says so.
    path.write_bytes(body)
    settings.LAKSANA_JOURNAL_KEY = "another installation's key"
    _printed, error = verify(path)
    assert error is not None and "its signature cannot be checked here" in error


def test_the_verify_command_refuses_what_is_not_a_dossier(db, tmp_path):
    (tmp_path / "a.zip").write_bytes(b"not a zip")
    assert "not a ZIP file" in (verify(tmp_path / "a.zip")[1] or "")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as z:
        z.writestr("readme.txt", "hello")
    assert "not a case dossier" in (verify(tmp_path / "b.zip")[1] or "")
    assert "no file" in (verify(tmp_path / "c.zip")[1] or "")


@pytest.mark.django_db(transaction=True)
def test_an_export_outside_a_transaction_reads_one_snapshot(bali, sop002, tmp_path):
    """The command's own transaction (on PostgreSQL a repeatable-read snapshot)."""
    c = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    target = tmp_path / "b.zip"
    call_command("case", "export", c.reference, "-o", str(target), stdout=io.StringIO())
    assert verify(target)[1] is None
    assert run(tmp_path, target.read_bytes()).returncode == 0


# --- who may download it ---------------------------------------------------------------------


def download(client: Client, case: Case, person: Person | None) -> Any:
    if person is not None:
        assert person.user is not None
        client.force_login(person.user)
    return client.get(reverse("documents:dossier", args=[case.reference]))


def test_the_requester_and_staff_who_see_the_case_download_it(case, bali, client):
    for who in ("dinkes_staf", "kadis"):
        response = download(client, case, bali[who])
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/zip"
        assert (
            response["Content-Disposition"] == f'attachment; filename="berkas-{case.reference}.zip"'
        )
        assert response["Cache-Control"] == "private, no-store"
        body = b"".join(response.streaming_content)
        files = members(body)
        assert hashlib.sha256(files["manifest.json"]).hexdigest() == response["X-Manifest-SHA256"]
        assert json.loads(files["kasus.json"])["reference"] == case.reference
        client.logout()


def test_people_who_may_not_see_the_case_get_not_found(case, bali, djki, client):
    for person in (bali["bkd"], djki["direktur"], djki["ipasdev"]):
        response = download(client, case, person)
        assert response.status_code == 404, person
        client.logout()
    unknown = client.get(reverse("documents:dossier", args=["tidak-ada-2026-000001"]))
    assert unknown.status_code == 302  # signed out above: to sign in first
    client.force_login(bali["dinkes_staf"].user)
    assert (
        client.get(reverse("documents:dossier", args=["tidak-ada-2026-000001"])).status_code == 404
    )
    assert client.post(reverse("documents:dossier", args=[case.reference])).status_code == 405


def test_anonymous_is_sent_to_sign_in(case, client):
    response = download(client, case, None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_vendor_downloads_only_while_its_contract_runs(djki, client):
    ipas = services.open_case(
        djki["merek_staf"],
        djki.versions[SOP_004],
        "IPAS lambat",
        application=djki.applications["ipas"],
    )
    vendor = djki["ipasdev"]
    assert download(client, ipas, vendor).status_code == 200
    contract = Contract.objects.get(application=djki.applications["ipas"], vendor=vendor.vendor)
    today = vendors.today(djki.agency.pk)
    Contract.objects.filter(pk=contract.pk).update(
        starts_on=today - dt.timedelta(days=400), ends_on=today - dt.timedelta(days=1)
    )
    assert download(client, ipas, vendor).status_code == 404
