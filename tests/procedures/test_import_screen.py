"""The Word import screen (/prosedur/impor/): SOP AP documents built with python-docx uploaded,
reviewed beside their source table and saved as drafts; attacks first (another person's or
agency's import, a vendor's staff, zip bombs, renamed files, forged items, saving too early)."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from laksana.engine.loader import load_text
from laksana.procedures import docx_pending, drafttree
from laksana.procedures.models import PendingImport, ProcedureDraft

from .sopdocx import Row, build

ACTORS = ["Pemohon", "Operator", "Kepala Bidang"]
# Row 1 has no symbol (actor to confirm), row 2 a time without unit, row 3 a question without
# a target for 'Tidak'; the symbols are a DrawingML shape, a VML diamond and a typed mark.
ROWS = [
    Row("1", "Menyampaikan permohonan", None, "", "", "1 Hari", "Surat Permohonan"),
    Row("2", "Operator memeriksa permohonan", 1, "dml", "Surat Permohonan", "2",
        "Catatan Pemeriksaan"),
    Row("3", "Apakah permohonan lengkap?", 1, "vml-diamond", "Catatan Pemeriksaan", "15 menit"),
    Row("4", "Kepala Bidang menyetujui", 2, "✓", "", "1 Hari", "Persetujuan"),
]  # fmt: skip


@pytest.fixture
def sop(tmp_path: Path) -> bytes:
    return build(tmp_path / "sop.docx", ACTORS, ROWS).read_bytes()


def upload(client, content: bytes, name: str = "sop.docx"):
    return client.post(
        reverse("procedures:import"), {"document": SimpleUploadedFile(name, content)}
    )


def review_url(pending: PendingImport) -> str:
    return reverse("procedures:import_review", args=[pending.pk])


@pytest.fixture
def pending(client, bali, sop) -> PendingImport:
    client.force_login(bali["kadis"].user)
    response = upload(client, sop)
    found = PendingImport.objects.get()
    assert response.status_code == 302 and response["Location"] == review_url(found)
    return found


def kinds(pending: PendingImport) -> dict[str, int]:
    """Item index by its correction kind."""
    return {item["fix"]: i for i, item in enumerate(pending.to_confirm) if item["fix"]}


# --- who may see and use it ----------------------------------------------------------------


def test_another_person_of_the_agency_gets_404_and_changes_nothing(client, bali, pending):
    client.force_login(bali["kabid"].user)
    everything = [str(i) for i in range(len(pending.to_confirm))]
    assert client.get(review_url(pending)).status_code == 404
    response = client.post(review_url(pending), {"action": "save", "confirm": everything})
    assert response.status_code == 404
    assert client.post(review_url(pending), {"action": "discard"}).status_code == 404
    assert PendingImport.objects.filter(pk=pending.pk).exists()
    assert not ProcedureDraft.objects.exists()
    assert "sop.docx" not in client.get(reverse("procedures:import")).content.decode()


def test_another_agency_gets_404(client, bali, djki, pending):
    client.force_login(djki["direktur"].user)
    assert client.get(review_url(pending)).status_code == 404
    assert client.post(review_url(pending), {"action": "discard"}).status_code == 404
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_a_made_up_id_is_404(client, bali, pending):
    url = reverse("procedures:import_review", args=[pending.pk + 1000])
    assert client.get(url).status_code == 404


def test_vendor_staff_and_requesting_units_get_403(client, bali, djki, pending, sop):
    for person in (djki["ipasdev"], bali["dinkes_staf"]):
        client.force_login(person.user)
        assert client.get(reverse("procedures:import")).status_code == 403
        assert upload(client, sop).status_code == 403
        assert client.get(review_url(pending)).status_code == 403
    assert PendingImport.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client, bali):
    response = client.get(reverse("procedures:import"))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_library_links_to_the_import_for_those_who_may_write(client, bali, djki):
    client.force_login(bali["kadis"].user)
    assert reverse("procedures:import") in client.get(reverse("procedures:list")).content.decode()
    client.force_login(djki["ipasdev"].user)
    page = client.get(reverse("procedures:list")).content.decode()
    assert reverse("procedures:import") not in page


# --- files the import refuses ---------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_quickly(client, bali):
    client.force_login(bali["kadis"].user)
    bomb = _zip({"word/document.xml": b"<w/>", "word/media/x.bin": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < docx_pending.MAX_UPLOAD_BYTES
    started = time.monotonic()
    response = upload(client, bomb, "bom.docx")
    assert time.monotonic() - started < 5
    assert response.status_code == 422
    assert "unpacks to 200 MB, more than 50 MB" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_package_of_thousands_of_parts_is_refused(client, bali):
    client.force_login(bali["kadis"].user)
    many = _zip({f"word/p{i}.xml": b"" for i in range(1500)} | {"word/document.xml": b"<w/>"})
    response = upload(client, many, "banyak.docx")
    assert response.status_code == 422
    assert "1501 parts" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_renamed_text_file_and_a_text_file_are_refused(client, bali):
    client.force_login(bali["kadis"].user)
    response = upload(client, b"bukan dokumen", "catatan.docx")
    assert response.status_code == 422
    assert "catatan.docx: not a Word .docx file" in response.content.decode()
    response = upload(client, b"bukan dokumen", "catatan.txt")
    assert response.status_code == 422
    assert "catatan.txt is not a Word document (.docx)" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_document_without_the_flowchart_table_is_refused(client, bali, tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Hanya teks, tanpa tabel.")
    document.save(str(tmp_path / "teks.docx"))
    client.force_login(bali["kadis"].user)
    response = upload(client, (tmp_path / "teks.docx").read_bytes(), "teks.docx")
    assert response.status_code == 422
    assert "teks.docx: no flowchart table found" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_file_over_the_limit_is_refused(client, bali, monkeypatch, sop):
    monkeypatch.setattr(docx_pending, "MAX_UPLOAD_BYTES", len(sop) - 1)
    client.force_login(bali["kadis"].user)
    response = upload(client, sop)
    assert response.status_code == 422 and "too large" in response.content.decode()
    assert not PendingImport.objects.exists()


# --- the review -----------------------------------------------------------------------------


def test_the_review_lists_the_items_beside_the_source_table(client, pending):
    page = client.get(review_url(pending)).content.decode()
    assert set(kinds(pending)) == {"actor", "time_unit", "decision_target"}
    for n, item in enumerate(pending.to_confirm, 1):
        assert escape(item["where"]) in page and f'id="item-{n}"' in page
        if item["row"]:
            assert f'href="#src-row-{item["row"]}"' in page
            assert f'id="src-row-{item["row"]}"' in page
    assert "◇" in page and "▭" in page and "✓" in page  # the symbols found, in their columns
    assert "Menyampaikan permohonan" in page
    row = pending.to_confirm[kinds(pending)["actor"]]
    assert (row["table"], row["row"], row["no"], row["column"]) == (2, 3, "1", "Pelaksana")


def test_the_items_are_shown_in_indonesian(client, pending):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page = client.get(review_url(pending)).content.decode()
    assert escape("tabel bagan alir 2, baris 3 (No 1), kolom 'Pelaksana'") in page
    assert "tidak ada simbol di kolom Pelaksana mana pun" in page


def test_a_forged_item_index_or_choice_is_refused_and_changes_nothing(client, pending):
    every = [str(i) for i in range(len(pending.to_confirm))]
    for data in (
        {"confirm": [*every, "99"]},
        {"confirm": [*every, "-1"]},
        {"confirm": [*every, "x"]},
        {"confirm": every, "fix-99": "operator"},
        {"confirm": every, f"fix-{kinds(pending)['actor']}": "tidak_ada"},
        {"confirm": every, f"fix-{kinds(pending)['time_unit']}": "abad"},
        {"confirm": every, "fix-0": "operator"} if pending.to_confirm[0]["fix"] == "" else {},
    ):
        if not data:
            continue
        response = client.post(review_url(pending), {"action": "save", **data})
        assert response.status_code == 422, data
    assert PendingImport.objects.filter(pk=pending.pk).exists()
    assert not ProcedureDraft.objects.exists()


def test_saving_with_items_open_names_them_and_writes_nothing(client, pending):
    response = client.post(review_url(pending), {"action": "save", "confirm": ["0"]})
    assert response.status_code == 422
    still = ", ".join(str(i) for i in range(2, len(pending.to_confirm) + 1))
    assert f"still open: {still}." in response.content.decode()
    assert "confirm-item--open" in response.content.decode()
    assert PendingImport.objects.get(pk=pending.pk).source == pending.source
    assert not ProcedureDraft.objects.exists()


def test_the_corrections_are_applied_and_the_draft_saved(client, bali, pending):
    fix = kinds(pending)
    rest = [str(i) for i in range(len(pending.to_confirm)) if i not in fix.values()]
    response = client.post(
        review_url(pending),
        {
            "action": "save",
            "confirm": rest,
            f"fix-{fix['actor']}": "pemohon",
            f"fix-{fix['time_unit']}": "jam",
            f"fix-{fix['decision_target']}": "s1",
        },
    )
    draft = ProcedureDraft.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/draf/{draft.pk}/")
    assert not PendingImport.objects.exists()
    assert draft.origin == "docx" and draft.agency_id == bali["kadis"].agency_id
    assert draft.to_confirm and all(item["confirmed"] for item in draft.to_confirm)
    tree = drafttree.parse(draft.source)
    steps = {s["id"]: s for s in tree["steps"]}
    assert steps["s1"]["actor"] == "pemohon" and tree["actors"]["pemohon"]["name"] == "Pemohon"
    assert steps["s2"]["time"] == {"text": "2", "unit": "jam"}
    tidak = [o for o in steps["s3"]["decision"]["outcomes"] if o["label"] == "Tidak"]
    assert tidak == [{"label": "Tidak", "to": "s1"}]
    spec = load_text(draft.source, "draft.yaml")
    assert spec.step("s1").actor == "pemohon"


def test_confirming_every_item_saves_the_import_as_it_was_read(client, pending):
    every = [str(i) for i in range(len(pending.to_confirm))]
    response = client.post(review_url(pending), {"action": "save", "confirm": every})
    assert response.status_code == 302
    draft = ProcedureDraft.objects.get()
    assert drafttree.parse(draft.source) == drafttree.parse(pending.source)


def test_discarding_removes_the_import(client, pending):
    response = client.post(review_url(pending), {"action": "discard"})
    assert response.status_code == 302 and not PendingImport.objects.exists()
    assert not ProcedureDraft.objects.exists()


def test_imports_older_than_a_day_are_removed_on_the_next_upload(client, bali, pending, sop):
    old = timezone.now() - dt.timedelta(days=1, minutes=1)
    PendingImport.objects.filter(pk=pending.pk).update(created_at=old)
    assert client.get(review_url(pending)).status_code == 404  # expired: gone for its owner
    other = PendingImport.objects.create(
        agency=bali["kadis"].agency,
        by=bali["kabid"],
        created_at=timezone.now() - dt.timedelta(hours=23),
        file_name="baru.docx",
        source=pending.source,
    )
    assert upload(client, sop).status_code == 302
    remaining = set(PendingImport.objects.values_list("pk", flat=True))
    assert pending.pk not in remaining and other.pk in remaining and len(remaining) == 2
