"""Signing goes through one interface: the in-product signature by default, another provider
(a certified one, later) named by LAKSANA_SIGNATURE_PROVIDER."""

from __future__ import annotations

import hashlib

import pytest

from laksana.cases.models import JournalKind
from laksana.documents import pdfstore, signing
from laksana.documents.models import DocumentStatus

from .drafts import case_at_discussion, circulate, finish

CALLS: list[tuple[str, str]] = []


class StampingProvider:
    """A provider that signs the file itself (as a certified one would): it returns a new
    PDF, which the document keeps."""

    name = "stamping"

    def sign(self, document, signatory, pdf, at):
        CALLS.append((signatory.person.name, hashlib.sha256(pdf).hexdigest()))
        signed = pdf + b"\n%stamped\n"
        return signing.SignatureMark(
            provider=self.name,
            person_id=signatory.person_id,
            person_name=signatory.person.name,
            at=at,
            pdf_sha256=hashlib.sha256(signed).hexdigest(),
            signed_pdf=signed,
        )


@pytest.fixture(autouse=True)
def _fresh_providers():
    signing._load.cache_clear()
    CALLS.clear()
    yield
    signing._load.cache_clear()


def test_the_default_provider_is_the_in_product_signature(settings):
    settings.LAKSANA_SIGNATURE_PROVIDER = ""
    assert isinstance(signing.provider(), signing.InProductSignature)
    del settings.LAKSANA_SIGNATURE_PROVIDER
    assert signing.provider().name == "in_product"


def test_a_named_provider_that_cannot_sign_is_refused(settings):
    settings.LAKSANA_SIGNATURE_PROVIDER = "builtins.object"
    with pytest.raises(TypeError, match="not a signature provider"):
        signing.provider()


def test_in_product_signatures_record_the_pdf_acted_on(bali, sop002):
    case = case_at_discussion(bali, sop002)
    doc = finish(bali, circulate(bali, case))
    signed = case.journal.filter(kind=JournalKind.SIGNED).order_by("seq")
    assert [e.data["provider"] for e in signed] == ["in_product", "in_product"]
    assert signed.last().data["sha256"] == doc.pdf_sha256
    assert hashlib.sha256(pdfstore.read(doc)).hexdigest() == doc.pdf_sha256


def test_signatures_go_through_the_provider_the_setting_names(bali, sop002, settings):
    settings.LAKSANA_SIGNATURE_PROVIDER = f"{__name__}.StampingProvider"
    case = case_at_discussion(bali, sop002)
    doc = finish(bali, circulate(bali, case))
    assert doc.status == DocumentStatus.FINAL
    # Signatures only (the two signers); initials are the person's action in Laksana.
    assert [name for name, _sha in CALLS] == ["dr. Ketut Sudiarta", "Gede Pramana"]
    content = pdfstore.read(doc)
    assert content.endswith(b"%stamped\n")
    assert hashlib.sha256(content).hexdigest() == doc.pdf_sha256
    last = case.journal.filter(kind=JournalKind.SIGNED).order_by("seq").last()
    assert last.data["provider"] == "stamping" and last.data["sha256"] == doc.pdf_sha256
    final = case.journal.get(kind=JournalKind.DOCUMENT_FINAL)
    assert final.data["sha256"] == doc.pdf_sha256
    assert doc.signatories.get(person=bali["kadis"]).pdf_sha256 == doc.pdf_sha256
