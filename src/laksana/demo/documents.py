"""The demo's official documents: letters and minutes made, initialled and signed through
:mod:`laksana.documents.services`, as the people of the demo would, at the story's times.

:func:`signed_document` gives the value a step completes with (a final document);
:func:`circulating_document` leaves a document waiting for its signers (for the demo logins
to sign). What each document's author writes is here (:data:`FIELDS`); everything else comes
from the case, the application, its contract and the people."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from laksana.cases.models import Case, CaseStep
from laksana.documents import configure as configure_documents
from laksana.documents import services as documents
from laksana.documents.kinds import BY_ARTIFACT_TYPE, KINDS
from laksana.documents.models import Document, SignatoryRole, SignatoryStatus
from laksana.org.models import Agency, Person

FIELDS: dict[str, dict[str, Any]] = {
    "surat_permohonan": {
        "subject": "Permohonan perbaikan sistem aplikasi",
        "body": (
            "Sehubungan dengan permasalahan pada aplikasi yang kami gunakan, dengan ini kami "
            "mohon bantuan perbaikan sistem sebagaimana uraian dan dokumentasi terlampir."
        ),
        "attachments": ["Foto dokumentasi permasalahan", "Keterangan proses"],
        "nature": "Segera",
    },
    "permohonan_kantor_virtual": {
        "subject": "Permohonan penanganan masalah sistem aplikasi",
        "body": (
            "Bersama ini kami sampaikan permohonan penanganan masalah sistem aplikasi yang "
            "bersifat khusus, dilengkapi dengan dokumen analisis masalah dan dokumen proses "
            "bisnis masalah."
        ),
        "attachments": [
            "Dokumen Analisis Masalah dan Spesifikasi Aplikasi",
            "Dokumen Proses Bisnis Masalah",
        ],
        "nature": "Biasa",
    },
    "ba_diskusi": {
        "place": "Ruang Rapat Bidang Infrastruktur dan Aplikasi Informatika",
        "topic": "Proses bisnis masalah aplikasi yang disampaikan unit kerja pemohon.",
        "agreements": [
            "Penyebab masalah disepakati berada pada aturan validasi data.",
            "Perbaikan dikerjakan Tim SPBE di server pengembangan, lalu diuji (SIT dan UAT).",
            "Unit kerja pemohon menyiapkan data uji dan petugas UAT.",
        ],
        "timeline": "Perbaikan 10 hari kerja, SIT 3 hari, UAT 7 hari.",
        "participants": [
            {"name": "I Made Suardana", "position": "Ketua Tim Aplikasi Informatika"},
            {"name": "Komang Adi Wiguna", "position": "Pengembang Tim SPBE"},
        ],
    },
    "bast": {
        "place": "Denpasar",
        "warranty": "3 (tiga) bulan sejak tanggal serah terima",
        "notes": "Aplikasi telah lulus SIT dan UAT.",
        "items": [
            {
                "item": "Perbaikan aplikasi (kode sumber dan skrip basis data) versi 2.3.1",
                "quantity": "1 paket",
                "condition": "Baik, berfungsi",
            },
            {
                "item": "Dokumen dan video petunjuk penggunaan",
                "quantity": "1 set",
                "condition": "Lengkap",
            },
        ],
    },
    "surat_selesai": {
        "subject": "Penyampaian penyelesaian perbaikan sistem aplikasi",
        "body": "",
        "attachments": ["Berita Acara Serah Terima Aplikasi", "Petunjuk penggunaan"],
        "nature": "Biasa",
    },
}


def is_document(art_type: str) -> bool:
    """Whether an artifact of this type is drafted by hand as an official document (the
    minutes of a test run are made by closing the run: :mod:`laksana.demo.quality`)."""
    kind = BY_ARTIFACT_TYPE.get(art_type)
    return kind is not None and not getattr(kind, "made_by", "")


def _fields(key: str, at: dt.datetime) -> dict[str, Any]:
    found = dict(FIELDS.get(key, {}))
    if key == "ba_penghapusan_data":
        found = {
            "place": "Ruang server",
            "date": at.date().isoformat(),
            "executed_by": "Tim Teknologi Informasi",
            "witness": "Kepala Bidang Aplikasi Informatika",
            "items": [
                {
                    "data": "Basis data aplikasi lama",
                    "location": "Server basis data",
                    "method": "Penghapusan aman (tiga kali tulis ulang)",
                },
            ],
        }
    return found


def _draft(
    case: Case, row: CaseStep, key: str, author: Person, tick: Callable[[float], dt.datetime]
) -> Document:
    art = case.version.spec.artifact(key)
    at = tick(0.5)
    doc = documents.make_draft(
        author,
        case,
        kind=BY_ARTIFACT_TYPE[art.type].code,
        step=row,
        artifact_key=key,
        fields=_fields(key, at),
        date=at.date(),
        at=at,
    )
    return documents.submit(author, doc, at=tick(0.25))


def _act(doc: Document, tick: Callable[[float], dt.datetime], *, leave: int = 0) -> Document:
    """The signatories act in their turns, all but the last ``leave``."""
    pending = list(doc.signatories.filter(status=SignatoryStatus.PENDING).order_by("order", "pk"))
    for s in pending[: len(pending) - leave]:
        act = documents.initial if s.role == SignatoryRole.INITIAL else documents.sign
        doc = act(s.person, doc, seen_sha256=doc.pdf_sha256, at=tick(1))
    return doc


def sign_in_turn(doc: Document, tick: Callable[[float], dt.datetime]) -> Document:
    """Every pending signatory of a circulating document acts in turn (initials first): the
    document becomes final. For the minutes a test run made (:mod:`laksana.demo.quality`)."""
    return _act(doc, tick)


def signed_document(
    case: Case, row: CaseStep, key: str, author: Person, tick: Callable[[float], dt.datetime]
) -> Mapping[str, Any]:
    """A final document for ``key`` of the step, made by ``author`` and signed in order; the
    value the step completes with."""
    doc = _act(_draft(case, row, key, author, tick), tick)
    return {"ref": f"document:{doc.pk}"}


def circulating_document(
    case: Case,
    row: CaseStep,
    key: str,
    author: Person,
    tick: Callable[[float], dt.datetime],
    *,
    acted: int,
) -> Document:
    """A document sent for initials and signatures, of which the first ``acted`` are done."""
    doc = _draft(case, row, key, author, tick)
    total = doc.signatories.count()
    return _act(doc, tick, leave=total - acted)


# --- each agency's letterhead and numbering ----------------------------------------------------

LETTERHEADS: dict[str, dict[str, str]] = {
    "diskominfos-bali": {
        "government": "PEMERINTAH PROVINSI BALI",
        "agency_name": "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK",
        "address": "Jalan D.I. Panjaitan Nomor 7, Renon, Denpasar, Bali 80235",
        "phone": "(0361) 000000",
        "website": "diskominfos.baliprov.go.id",
        "email": "diskominfos@baliprov.go.id",
    },
    "diskominfo-sukamaju": {
        "government": "PEMERINTAH KABUPATEN SUKAMAJU",
        "agency_name": "DINAS KOMUNIKASI DAN INFORMATIKA",
        "address": "Jalan Merdeka Nomor 1, Sukamaju",
        "phone": "(0000) 000000",
        "website": "diskominfo.sukamajukab.go.id",
        "email": "diskominfo@sukamajukab.go.id",
    },
}
NUMBER_CODES = {"diskominfos-bali": "DISKOMINFOS", "diskominfo-sukamaju": "DISKOMINFO"}


def _logo(text: str) -> SimpleUploadedFile:
    """A plain round emblem with the agency's initials (the demo has no real logo)."""
    size = 240
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill="#1f4e79", outline="#c9a227", width=10)
    font = ImageFont.load_default(size=56)
    box = draw.textbbox((0, 0), text, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    draw.text(((size - w) / 2, (size - h) / 2 - box[1]), text, fill="white", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


def configure(agency: Agency, admin: Person, written: list[str]) -> None:
    """The agency's letterhead (with a logo) and its numbering patterns, set by its procedure
    administrator through the documents' services, as on the settings screen."""
    fields = LETTERHEADS.get(agency.slug)
    if fields is None:
        return
    initials = "".join(w[0] for w in agency.short_name.split()[:2]).upper()
    given: dict[str, Any] = {**fields, "logo": _logo(initials)}
    head = configure_documents.save_letterhead(admin, agency, None, **given)
    if head.logo and head.logo.name and head.logo.name not in written:
        written.append(head.logo.name)
    code = NUMBER_CODES[agency.slug]
    for kind in KINDS.values():
        configure_documents.save_numbering_pattern(
            admin, agency, kind.code, "{seq:03d}/" + kind.number_code + "/" + code + "/{year}"
        )
