"""A document's PDF: rendered from its template and records, and kept with its SHA-256.

:func:`render` builds the template's variables (:func:`laksana.documents.context.build`),
renders the template (:mod:`laksana.documents.templating`) and prints the PDF/A-3b with the
data embedded (:mod:`laksana.documents.render`); :func:`keep` stores it on the document in the
running action (a failed action removes the file again, see
:func:`laksana.cases.servicebase._atomic`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse

from laksana.cases.servicebase import _WRITTEN
from laksana.documents.models import Document, DocumentStatus


def sha256(content: str | bytes) -> str:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def written(storage: Any, name: str) -> None:
    """A file the running action wrote: removed again if its transaction fails."""
    files = _WRITTEN.get()
    if files is not None and name:
        files.append((storage, name))


def verify_url(document: Document) -> str:
    """The absolute address of the document's public verification page
    (``LAKSANA_SITE_URL`` + ``/verifikasi/<code>``)."""
    try:
        path = reverse("documents:verify", args=[document.code])
    except NoReverseMatch:
        path = f"/verifikasi/{document.code}"
    base = str(getattr(settings, "LAKSANA_SITE_URL", "") or "").rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def render(
    document: Document, *, final: bool = False, number: str | None = None
) -> tuple[bytes, dict[str, Any]]:
    """The document's PDF and the data it was made from (and embeds)."""
    from laksana.documents import context, render, templating

    data = context.build(
        document, number=number, final=final, verify_url=verify_url(document) if final else ""
    )
    html = templating.render_html(document.template.source, data)
    return render.pdf(html, data), data


def keep(document: Document, pdf: bytes, data: dict[str, Any]) -> None:
    """Store ``pdf`` as the document's PDF (the caller saves the document)."""
    name = f"{document.code}{'' if document.status == DocumentStatus.FINAL else '-draf'}.pdf"
    document.pdf.save(name, ContentFile(pdf), save=False)
    written(document.pdf.storage, document.pdf.name or "")
    document.pdf_sha256 = sha256(pdf)
    document.data = data


def read(document: Document) -> bytes:
    """The bytes of the document's current PDF."""
    with document.pdf.open("rb") as f:
        return bytes(f.read())
