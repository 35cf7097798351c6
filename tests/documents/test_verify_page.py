"""The public verification page: a final document's number, title, date, signers and hash
for anyone, without signing in, and nothing else of its case; an unknown code or a document
that is not final is "not found"; an uploaded PDF is judged genuine, altered, not final or
unknown; the page is rate limited like every anonymous request."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from laksana.documents.models import Document

from .drafts import case_at_discussion, circulate, finish


@pytest.fixture
def visitor() -> Client:
    c = Client()
    c.cookies["django_language"] = "en"
    return c


@pytest.fixture
def final(bali, sop002) -> Document:
    case = case_at_discussion(bali, sop002, title="Rahasia: gangguan server keuangan")
    return finish(bali, circulate(bali, case))


def _upload(data: bytes, name: str = "dokumen.pdf") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}


def _bytes(document: Document) -> bytes:
    with document.pdf.open("rb") as f:
        return bytes(f.read())


# --- attacks --------------------------------------------------------------------------------


def test_an_unknown_code_is_not_found(visitor, db):
    response = visitor.get(reverse("documents:verify", args=["TIDAKADA1234"]))
    assert response.status_code == 404
    assert "Not found, or not a final document" in response.content.decode()


def test_a_draft_in_circulation_cannot_be_verified(visitor, bali, sop002):
    case = case_at_discussion(bali, sop002)
    doc = circulate(bali, case)
    response = visitor.get(reverse("documents:verify", args=[doc.code]))
    assert response.status_code == 404
    text = response.content.decode()
    assert doc.title not in text and doc.draft_number not in text


def test_an_overlong_or_odd_code_is_not_found_without_a_server_error(visitor, db):
    for code in ("x" * 300, "%00", "../../etc"):
        response = visitor.get(f"/verifikasi/{code}")
        assert response.status_code == 404, code


def test_the_page_shows_nothing_else_of_the_case(visitor, bali, final):
    response = visitor.get(reverse("documents:verify", args=[final.code]))
    assert response.status_code == 200
    text = response.content.decode()
    assert final.case.title not in text
    assert final.case.reference not in text
    assert "Perbaikan modul laporan" not in text  # the document's substance


# --- what it shows --------------------------------------------------------------------------


def test_a_final_documents_number_title_date_signers_and_hash(visitor, bali, final):
    response = visitor.get(reverse("documents:verify", args=[final.code.lower()]))
    assert response.status_code == 200
    text = response.content.decode()
    assert final.number in text and final.title in text and final.pdf_sha256 in text
    assert bali["kadis"].name in text and bali["dinkes"].name in text
    # Initials are not signatures.
    assert bali["ketuatim"].name not in text


def test_the_genuine_pdf_is_recognised(visitor, final):
    response = visitor.post(reverse("documents:verify_file"), _upload(_bytes(final)))
    assert response.status_code == 200
    assert response.context["verdict"].status == "genuine"
    assert final.number in response.content.decode()


def test_an_altered_pdf_is_named_altered(visitor, final):
    data = _bytes(final).replace(b"%%EOF", b"%% diubah\n%%EOF", 1)
    response = visitor.post(reverse("documents:verify_file"), _upload(data))
    assert response.context["verdict"].status in ("altered", "unknown")
    assert "Genuine" not in response.content.decode().split('id="verdict"', 1)[1][:400]


def test_a_draft_pdf_is_not_final(visitor, bali, sop002):
    case = case_at_discussion(bali, sop002)
    doc = circulate(bali, case)
    response = visitor.post(reverse("documents:verify_file"), _upload(_bytes(doc)))
    assert response.context["verdict"].status == "not_final"


def test_a_file_laksana_did_not_make_is_unknown(visitor, db):
    response = visitor.post(reverse("documents:verify_file"), _upload(b"hello, not a pdf"))
    assert response.context["verdict"].status == "unknown"


def test_the_check_form_without_a_file_names_the_field(visitor, db):
    response = visitor.post(reverse("documents:verify_file"), {})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()


def test_the_page_is_rate_limited_for_visitors(visitor, settings, db, monkeypatch):
    from laksana.web import ratelimit

    settings.LAKSANA_PUBLIC_RATE_LIMIT = 3
    # One minute of the clock: the counts are per minute.
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_800_000_030.0)
    codes = [
        visitor.get(reverse("documents:verify", args=["ABCDEFGH"])).status_code for _ in range(5)
    ]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429
