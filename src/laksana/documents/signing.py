"""How a signature is made: one interface, so a certified provider can be added.

Today a signature (and an initial) is an action of the person in Laksana: who acted, when,
and the SHA-256 of the exact PDF they acted on, written to the case's journal
(:class:`InProductSignature`). A certified electronic signature (TTE, issued through BSrE)
would implement :class:`SignatureProvider` too: given the PDF, it returns the mark and, when
it signs the file itself, the signed PDF that replaces it. The services call the provider the
setting ``LAKSANA_SIGNATURE_PROVIDER`` names (a dotted path to a class, or ``in_product``,
the default).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from laksana.documents.models import Document, Signatory

DEFAULT_PROVIDER = "in_product"


@dataclass(frozen=True)
class SignatureMark:
    """What a provider made of one signature: by whom, when, over which PDF (its SHA-256),
    and, when the provider signs the file itself, the signed PDF (``signed_pdf``), which the
    document then keeps instead."""

    provider: str
    person_id: int
    person_name: str
    at: dt.datetime
    pdf_sha256: str
    signed_pdf: bytes | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class SignatureProvider(Protocol):
    """A way of signing a document's PDF for one signatory."""

    name: str

    def sign(
        self, document: Document, signatory: Signatory, pdf: bytes, at: dt.datetime
    ) -> SignatureMark: ...


class InProductSignature:
    """The signature is the person's action in Laksana, recorded in the case's journal with
    the time and the SHA-256 of the PDF; the file itself is not changed."""

    name = DEFAULT_PROVIDER

    def sign(
        self, document: Document, signatory: Signatory, pdf: bytes, at: dt.datetime
    ) -> SignatureMark:
        return SignatureMark(
            provider=self.name,
            person_id=signatory.person_id,
            person_name=signatory.person.name,
            at=at,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        )


@functools.cache
def _load(path: str) -> SignatureProvider:
    if path == DEFAULT_PROVIDER:
        return InProductSignature()
    made = import_string(path)()
    if not callable(getattr(made, "sign", None)):
        raise TypeError(f"{path} is not a signature provider (it has no sign())")
    return made  # type: ignore[no-any-return]


def provider() -> SignatureProvider:
    """The provider the setting ``LAKSANA_SIGNATURE_PROVIDER`` names (default in-product)."""
    return _load(str(getattr(settings, "LAKSANA_SIGNATURE_PROVIDER", "") or DEFAULT_PROVIDER))
