"""Each shipped template renders from a context built on real rows: the PDF (PDF/A-3b, its
data embedded) and the DOCX hold the parties, the number and the date in words."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from docx import Document as read_docx
from PIL import Image
from pypdf import PdfReader

from laksana.cases import services as case_services
from laksana.cases.models import Disposition
from laksana.catalog.models import Contract, Vendor
from laksana.documents import context, render, templating
from laksana.documents.kinds import KINDS
from laksana.documents.models import (
    Document,
    Letterhead,
    Signatory,
    SignatoryRole,
    SignatoryStatus,
    TemplateVersion,
)

DATE = dt.date(2026, 12, 7)
SENTENCE = "Pada hari ini Senin tanggal tujuh bulan Desember tahun dua ribu dua puluh enam"

FIELDS: dict[str, dict[str, Any]] = {
    "ba_diskusi": {
        "place": "Ruang Rapat Diskominfos",
        "topic": "Perbaikan modul laporan SIKESDA",
        "agreements": "Perbaikan selesai dalam 30 hari\nUji coba bersama Dinkes",
        "participants": [{"name": "I Made Suardana", "position": "Ketua Tim AI"}],
    },
    "ba_sit": {
        "version": "2.1.0",
        "environment": "https://uji.sikesda.baliprov.go.id",
        "conclusion": "Diterima",
        "tests": [
            {"id": "S-01", "description": "Masuk", "expected": "Berhasil", "verdict": "Lulus"}
        ],
        "findings": [{"finding": "Label salah", "follow_up": "Diperbaiki", "due": "2026-12-14"}],
    },
    "ba_uat": {
        "version": "2.1.0",
        "environment": "https://uji.sikesda.baliprov.go.id",
        "conclusion": "Diterima dengan catatan",
        "tests": [{"id": "U-01", "description": "Cetak laporan", "verdict": "Lulus"}],
    },
    # Made from a test run (laksana.quality.minutes): every column of the minutes.
    "laporan_uji_keamanan": {
        "place": "Ruang Server Diskominfos",
        "run": "Uji Keamanan 3",
        "version": "2.1.0",
        "environment": "Staging — https://uji.sikesda.baliprov.go.id",
        "conclusion": "Ditolak",
        "reasons": ["1 temuan terbuka dengan tingkat Kritis atau Tinggi"],
        "tests": [
            {
                "id": "V2.1.1",
                "description": "Panjang kata sandi minimal 12 karakter",
                "steps": "Buat akun dengan kata sandi 8 karakter",
                "input_data": "sandi123",
                "expected": "Ditolak",
                "actual": "Diterima",
                "verdict": "Gagal",
            }
        ],
        "findings": [
            {
                "number": "T-1",
                "finding": "Kata sandi pendek diterima",
                "severity": "Tinggi",
                "owner": "Komang Adi Wiguna",
                "follow_up": "Belum ditindaklanjuti",
                "due": "2026-12-14",
            }
        ],
    },
    # Made from a maintenance plan and its records (laksana.maintenance.plandoc, .report).
    "rencana_pemeliharaan": {
        "place": "Denpasar",
        "application": "SIKESDA",
        "contract": "440/0217/SPK/DINKES/2026 — PT Mitra",
        "period": "1 Januari 2027 – 31 Desember 2027",
        "cycle": "Bulanan",
        "objective": "Menjaga SIKESDA tetap tersedia dan aman.",
        "total_budget": "Rp 120.000.000",
        "activities": [
            {
                "activity": "Pembaruan keamanan",
                "kind": "Pembaruan keamanan",
                "schedule": "Bulanan, hari kerja ke-3",
                "executor": "Vendor",
                "documentation": "Laporan pembaruan",
                "budget": "Rp 2.000.000",
            }
        ],
        "criteria": [
            {
                "criterion": "Ketersediaan minimal 99,5% per bulan",
                "indicator": "Ketersediaan (pemantauan)",
                "target": "99,5",
                "period": "Bulan",
            }
        ],
    },
    "laporan_manajemen_pemeliharaan": {
        "place": "Denpasar",
        "plan": "Pemeliharaan SIKESDA 2027",
        "application": "SIKESDA",
        "period": "1 Januari 2027 – 31 Maret 2027",
        "summary": "12 kegiatan jatuh tempo, 11 tepat waktu.",
        "recommendations": ["Perkuat pemantauan basis data"],
        "activities": [
            {
                "activity": "Pembaruan keamanan",
                "executor": "Vendor",
                "due": "3",
                "on_time": "3",
                "late": "0",
                "not_done": "0",
                "budget": "Rp 6.000.000",
                "cost": "Rp 6.000.000",
            }
        ],
        "criteria": [
            {"cycle": "1", "criterion": "Ketersediaan", "figure": "99,42 / 99,5", "result": "Tidak"}
        ],
        "downtime": [
            {"month": "Januari 2027", "incidents": "1", "minutes": "260", "uptime": "99,42%"}
        ],
    },
    # Made from a satisfaction survey's answers (laksana.survey.report).
    "laporan_skm": {
        "place": "Denpasar",
        "survey": "Survei Kepuasan SIKESDA 2026",
        "service": "SIKESDA",
        "period": "1 Januari 2026 s.d. 31 Desember 2026",
        "method": "Kuesioner sembilan unsur PermenPANRB No. 14 Tahun 2017.",
        "respondents": "29",
        "sample": "Jumlah responden 29 orang berada di bawah sampel minimum 80 orang.",
        "sample_below": "ya",
        "ikm": "3,66",
        "converted": "91,48",
        "ikm_0111": "3,66",
        "converted_0111": "91,38",
        "grade": "A",
        "grade_label": "Sangat Baik",
        "weakest": ["U8 Penanganan Pengaduan, Saran dan Masukan: NRR 3,379, konversi 84,48"],
        "elements": [
            {
                "code": "U1",
                "name": "Persyaratan",
                "total": "108",
                "nrr": "3,724",
                "converted": "93,10",
                "grade": "A (Sangat Baik)",
            }
        ],
        "profile": [
            {"group": "Jenis kelamin", "label": "Perempuan", "count": "15", "share": "51,72%"}
        ],
        "follow_up": [
            {
                "unsur": "Penanganan Pengaduan, Saran dan Masukan",
                "action": "Kanal pengaduan daring",
                "due": "2027-03-31",
                "responsible": "Tim TI",
            }
        ],
    },
    "bast": {
        "place": "Denpasar",
        "warranty": "3 (tiga) bulan sejak serah terima",
        "items": [
            {"item": "Aplikasi SIKESDA versi 2.1", "quantity": "1", "condition": "Baik"},
            {"item": "Kode sumber", "quantity": "1 repositori", "condition": "Baik"},
        ],
    },
    "ba_penghapusan": {
        "date": "2026-12-07",
        "executed_by": "Tim SPBE",
        "witness": "Bidang IAI",
        "items": [{"data": "Data uji", "location": "Server uji", "method": "Dihapus permanen"}],
    },
    "surat_permohonan": {
        "subject": "Permohonan perbaikan aplikasi",
        "body": "Mohon perbaikan modul laporan.",
        "attachments": "Tangkapan layar",
    },
    "surat_penyampaian": {"subject": "Penyampaian hasil perbaikan"},
    "nota_dinas": {"to": "Kepala Dinas", "subject": "Laporan", "body": "Perbaikan selesai."},
    "lembar_disposisi": {},
}


@pytest.fixture
def made(bali: Any) -> dict[str, Any]:
    """A SOP 002 case of Dinkes about SIKESDA, with its contract and a letterhead."""
    from tests.conftest import DemoVersions

    version = DemoVersions()["sop-002-penanganan-masalah-aplikasi"]
    application = bali.applications["sikesda"]
    vendor = Vendor.objects.create(agency=bali.agency, name="PT Sukses Makmur")
    Contract.objects.create(
        application=application,
        vendor=vendor,
        number="027/SPK/DISKOMINFOS/2026",
        signed_on=dt.date(2026, 3, 2),
        value=Decimal("150000000"),
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 11, 30),
        support_ends_on=dt.date(2027, 2, 28),
    )
    logo = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(logo, format="PNG")
    head = Letterhead(
        agency=bali.agency,
        government="Pemerintah Provinsi Bali",
        agency_name="Dinas Komunikasi, Informatika dan Statistik",
        address="Jl. D.I. Panjaitan No. 7, Denpasar",
        phone="(0361) 229000",
        website="diskominfos.baliprov.go.id",
        email="diskominfos@baliprov.go.id",
    )
    head.logo.save("logo.png", ContentFile(logo.getvalue()), save=False)
    head.save()
    case = case_services.open_case(
        bali["dinkes_staf"], version, "Gangguan laporan SIKESDA", application=application
    )
    return {"bali": bali, "case": case}


def _document(made: dict[str, Any], kind: str, n: int = 1) -> Document:
    bali, case = made["bali"], made["case"]
    template = TemplateVersion.objects.get_or_create(
        agency=None,
        kind=kind,
        number=1,
        defaults={
            "source": templating.shipped_source(kind),
            "sha256": "0" * 64,
            "created_at": timezone.now(),
        },
    )[0]
    fields = dict(FIELDS[kind])
    if kind == "lembar_disposisi":
        first = case_services.dispose(
            bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut"
        )
        fields["disposition"] = Disposition.objects.get(case=case, sender=bali["kadis"]).pk
        assert first is not None
    doc = Document.objects.create(
        agency=bali.agency,
        case=case,
        kind=kind,
        title=KINDS[kind].label,
        template=template,
        author=bali["ketuatim"],
        fields=fields,
        date=DATE,
        place=fields.get("place", ""),
        draft_number=f"DRAF-{kind}-{n}",
        code=f"K{kind[:6].upper()}{n}",
        created_at=timezone.now(),
    )
    Signatory.objects.create(
        document=doc, order=1, role=SignatoryRole.INITIAL, person=bali["kabid"]
    )
    Signatory.objects.create(
        document=doc,
        order=2,
        role=SignatoryRole.SIGN,
        person=bali["kadis"],
        label="PIHAK PERTAMA",
        status=SignatoryStatus.DONE,
        acted_at=dt.datetime(2026, 12, 7, 2, 15, tzinfo=dt.UTC),
    )
    Signatory.objects.create(
        document=doc, order=2, role=SignatoryRole.SIGN, person=bali["dinkes"], label="PIHAK KEDUA"
    )
    return doc


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join((page.extract_text() or "") for page in reader.pages)


def _docx_text(data: bytes) -> str:
    doc = read_docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]

    def cells(tables: Any) -> None:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(doc.tables)
    for section in doc.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_shipped_template_renders(made: dict[str, Any], kind: str) -> None:
    doc = _document(made, kind)
    data = context.build(doc, number="001/X/2026", final=True, verify_url="https://l.test/v/K1")
    json.dumps(data)  # serialisable as it is
    source = templating.shipped_source(kind)
    assert templating.check(source, kind) == []
    html = templating.render_html(source, data)
    pdf = render.pdf(html, data)
    assert pdf.startswith(b"%PDF")
    text = _squash(_pdf_text(pdf))
    assert "001/X/2026" in text
    assert "Gede Pramana" in text  # the first signer (PIHAK PERTAMA)
    assert "19680531 199703 1 002" in text
    assert "dr. Ketut Sudiarta" in text
    expected_date = SENTENCE if KINDS[kind].minutes else "7 Desember 2026"
    assert expected_date in text
    assert render.embedded_data(pdf) == json.loads(json.dumps(data, sort_keys=True))
    words = _squash(_docx_text(render.docx(html)))
    assert "001/X/2026" in words
    assert "Gede Pramana" in words
    assert "dr. Ketut Sudiarta" in words
    assert expected_date in words


def _pdfa_ids(data: bytes) -> tuple[str, str]:
    import re

    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    part = re.search(rb'pdfaid:part="(\d)"', xmp)
    conformance = re.search(rb'pdfaid:conformance="(\w)"', xmp)
    assert part and conformance
    return part.group(1).decode(), conformance.group(1).decode()


def test_pdf_is_pdfa_3b_with_the_data_attached(made: dict[str, Any]) -> None:
    doc = _document(made, "bast")
    data = context.build(doc)
    pdf = render.pdf(templating.render_html(templating.shipped_source("bast"), data), data)
    assert _pdfa_ids(pdf) == ("3", "B")
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == ["laksana-dokumen.json"]
    assert "/AF" in reader.trailer["/Root"]  # associated with the document (PDF/A-3)
    assert json.loads(reader.attachments["laksana-dokumen.json"][0])["dokumen"]["nomor"] == (
        "DRAF-bast-1"
    )
    # A draft says so, in the PDF and in the DOCX.
    assert "DRAF" in _pdf_text(pdf)
    words = _docx_text(render.docx(templating.render_html(templating.shipped_source("bast"), data)))
    assert words.lstrip().startswith("DRAF")


def test_final_docx_has_the_logo_and_the_qr_code_in_its_footer(made: dict[str, Any]) -> None:
    doc = _document(made, "bast")
    data = context.build(doc, number="9/BAST/2026", final=True, verify_url="https://l.test/v/K")
    word = read_docx(
        io.BytesIO(render.docx(templating.render_html(templating.shipped_source("bast"), data)))
    )
    assert not any(p.text.strip() == "DRAF" for p in word.paragraphs)
    body_images = word.element.body.xpath(".//pic:pic")
    assert len(body_images) == 1  # the letterhead's logo
    footer = word.sections[0].footer
    assert len(footer._element.xpath(".//pic:pic")) == 1  # the QR code
    assert "https://l.test/v/K" in footer.paragraphs[0].text
    assert doc.code in footer.paragraphs[0].text


def test_embedded_data_of_anything_else_is_none() -> None:
    from weasyprint import HTML

    plain = HTML(string="<p>Bukan dokumen Laksana</p>").write_pdf()
    assert isinstance(plain, bytes)
    for junk in (b"", b"junk", b"%PDF-1.7\n garbage", plain, plain[: len(plain) // 2]):
        assert render.embedded_data(junk) is None
    from weasyprint import Attachment

    for payload in ("bukan json", "[1, 2]"):
        other = HTML(string="<p>x</p>").write_pdf(
            attachments=[Attachment(string=payload, name="laksana-dokumen.json")]
        )
        assert isinstance(other, bytes)
        assert render.embedded_data(other) is None
    assert render.embedded_data(render.pdf("<p>x</p>", {"a": 1})) == {"a": 1}
    assert render.embedded_data("not bytes") is None  # type: ignore[arg-type]


def test_pdf_reads_no_file_and_no_host(tmp_path: Any) -> None:
    picture = tmp_path / "rahasia.png"
    Image.new("RGB", (30, 30), "red").save(picture)
    logo = io.BytesIO()
    Image.new("RGB", (30, 30), "blue").save(logo, format="PNG")
    import base64

    inline = "data:image/png;base64," + base64.b64encode(logo.getvalue()).decode()
    html = (
        f'<p>a</p><img src="{picture.as_uri()}"><img src="http://127.0.0.1:9/x.png">'
        f'<link rel="stylesheet" href="{picture.as_uri()}">'
    )
    pdf = render.pdf(html, {})
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0
    pdf = render.pdf(html + f'<img src="{inline}">', {})
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # data: URIs only


def test_docx_keeps_tables_merged_cells_lists_and_images(made: dict[str, Any]) -> None:
    html = (
        "<h1>Judul</h1><p>Satu <b>tebal</b> <i>miring</i> <u>garis</u><br>baris dua</p>"
        '<table class="data"><tr><th>A</th><th>B</th></tr>'
        '<tr><td colspan="2">gabung</td></tr></table>'
        "<ol><li>pertama</li><li>kedua</li></ol><ul><li>butir</li></ul>"
    )
    doc = read_docx(io.BytesIO(render.docx(html)))
    texts = [p.text for p in doc.paragraphs]
    assert "Satu tebal miring garis\nbaris dua" in texts
    assert "1. pertama" in texts and "2. kedua" in texts and "\u2022 butir" in texts
    runs = {r.text: r for p in doc.paragraphs for r in p.runs}
    assert runs["tebal"].bold and runs["miring"].italic and runs["garis"].underline
    table = doc.tables[0]
    assert table.style.name == "Table Grid"
    assert table.cell(1, 0).text == "gabung" and table.cell(1, 1).text == "gabung"  # merged
