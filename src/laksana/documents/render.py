"""A document's rendered HTML as PDF/A-3b (its data embedded as JSON) and as an editable DOCX.

The PDF is printed by WeasyPrint with no access to files or the network (images are data
URIs); the data the document was made from travels inside it as the attachment
``laksana-dokumen.json``, which :func:`embedded_data` reads back. The DOCX is made from the
same HTML by a small converter of the subset the templates use (:mod:`laksana.documents.htmldocx`).
"""

from __future__ import annotations

import io
import json
from typing import Any

from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher

from laksana.documents import htmldocx

ATTACHMENT_NAME = "laksana-dokumen.json"


def _fetcher() -> URLFetcher:
    # Only the data: URIs the templates carry (logo, QR code); never a file or a host.
    return URLFetcher(allowed_protocols={"data"})


def pdf(html: str, data: dict[str, Any]) -> bytes:
    """The HTML as a PDF/A-3b, ``data`` embedded as the JSON attachment
    ``laksana-dokumen.json``."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    attachment = Attachment(
        string=payload,
        name=ATTACHMENT_NAME,
        description="Data dokumen Laksana",
        relationship="Data",
        url_fetcher=_fetcher(),
    )
    out = HTML(string=html, url_fetcher=_fetcher()).write_pdf(
        pdf_variant="pdf/a-3b", attachments=[attachment], custom_metadata=False
    )
    assert isinstance(out, bytes)
    return out


def embedded_data(pdf_bytes: bytes) -> dict[str, Any] | None:
    """The data embedded in a PDF made by :func:`pdf`; None for anything else (another PDF,
    a damaged one, not a PDF at all)."""
    if not isinstance(pdf_bytes, bytes | bytearray) or not pdf_bytes.startswith(b"%PDF"):
        return None
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf_bytes), strict=False)
        files = reader.attachments
        contents = files.get(ATTACHMENT_NAME)
        if not contents:
            return None
        value = json.loads(contents[0].decode("utf-8"))
    except Exception:
        return None
    return value if isinstance(value, dict) else None


def docx(html: str) -> bytes:
    """The HTML as an editable Word document."""
    return htmldocx.convert(html)
