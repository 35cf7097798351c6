"""Is a copy genuine? The verdict on a file's bytes (genuine, altered, not final, unknown),
the document a verification code opens, and ``laksana document verify FILE.pdf``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from laksana.documents import pdfstore, verification
from laksana.documents.models import DocumentStatus

from .drafts import case_at_discussion, circulate, draft, finish


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def final(bali, sop002):
    case = case_at_discussion(bali, sop002)
    doc = circulate(bali, case)
    draft_pdf = pdfstore.read(doc)
    doc = finish(bali, doc)
    return doc, draft_pdf


def _altered(content: bytes) -> bytes:
    """The same PDF rewritten with one word of its metadata changed (attachments kept)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.add_metadata({"/Title": "Diubah"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_exact_final_file_is_genuine(final):
    doc, _draft = final
    verdict = verification.check_pdf(pdfstore.read(doc))
    assert verdict.status == verification.GENUINE and verdict.document == doc
    assert doc.number in verdict.message


def test_an_altered_final_file_is_altered(final):
    doc, _draft = final
    content = pdfstore.read(doc)
    for changed in (_altered(content), content + b"\n% tambahan\n"):
        verdict = verification.check_pdf(changed)
        assert verdict.status == verification.ALTERED, verdict
        assert verdict.document == doc and doc.number in verdict.message


def test_the_draft_a_signer_saw_is_not_final(final):
    _doc, draft_pdf = final
    verdict = verification.check_pdf(draft_pdf)
    assert verdict.status == verification.NOT_FINAL
    assert "earlier version" in verdict.message


def test_a_draft_is_not_final_and_so_is_an_altered_draft(bali, sop002):
    case = case_at_discussion(bali, sop002)
    doc = circulate(bali, case)
    content = pdfstore.read(doc)
    verdict = verification.check_pdf(content)
    assert verdict.status == verification.NOT_FINAL and doc.draft_number in verdict.message
    assert verification.check_pdf(_altered(content)).status == verification.NOT_FINAL


def test_a_file_laksana_did_not_make_is_unknown(db):
    foreign = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert verification.check_pdf(foreign).status == verification.UNKNOWN
    verdict = verification.check_pdf(b"just some text")
    assert verdict.status == verification.UNKNOWN and "not a PDF" in verdict.message


def test_a_code_opens_a_final_document_only(bali, sop002, final):
    doc, _draft = final
    assert verification.by_code(doc.code) == doc
    assert verification.by_code(doc.code.lower()) == doc
    other = draft(bali, case_at_discussion(bali, sop002, "Kasus lain"))
    assert other.status == DocumentStatus.DRAFT
    assert verification.by_code(other.code) is None
    assert verification.by_code("X" * 200) is None
    assert verification.by_code("") is None


def _verify(path: Path) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("document", "verify", str(path), stdout=out)
    except CommandError as exc:
        return str(exc), exc.returncode
    return out.getvalue(), 0


def test_the_command_prints_a_genuine_documents_number_title_date_and_signers(final, tmp_path):
    doc, _draft_pdf = final
    good = tmp_path / "ba.pdf"
    good.write_bytes(pdfstore.read(doc))
    text, code = _verify(good)
    assert code == 0, text
    assert f"number: {doc.number}" in text and f"title: {doc.title}" in text
    assert f"date: {doc.date.isoformat()}" in text
    assert "signed: Gede Pramana (PIHAK PERTAMA)" in text
    assert "initialled: I Made Suardana" in text
    assert doc.pdf_sha256 in text


def test_the_command_exits_1_saying_why(final, tmp_path):
    doc, draft_pdf = final
    cases = {
        "altered": _altered(pdfstore.read(doc)),
        "not_final": draft_pdf,
        "unknown": b"%PDF-1.4\n%%EOF\n",
    }
    for status, content in cases.items():
        path = tmp_path / f"{status}.pdf"
        path.write_bytes(content)
        text, code = _verify(path)
        assert code == 1 and f": {status}: " in text, (status, text)
    text, code = _verify(tmp_path / "tidak-ada.pdf")
    assert code == 1 and "cannot be read" in text
    (tmp_path / "catatan.txt").write_text("bukan pdf")
    text, code = _verify(tmp_path / "catatan.txt")
    assert code == 1 and "not a PDF" in text
