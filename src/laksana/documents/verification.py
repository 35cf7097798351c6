"""Is a printed or downloaded copy genuine? For the public verification page
(``/verifikasi/<code>``) and ``laksana document verify FILE.pdf``.

A final document's PDF is kept with its SHA-256: a file with exactly those bytes is
**genuine**. A file whose bytes are those of a draft (or of a version an official initialled
or signed before the document was final) is **not final**. Any other file is read for the
data every rendered PDF embeds (``laksana-dokumen.json``, :mod:`laksana.documents.render`):
when its code names a document, the file was **altered** after Laksana made it (or is a copy
of a document that is not final yet); otherwise it is **unknown**.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from laksana.documents.models import Document, DocumentStatus, Signatory

GENUINE = "genuine"
ALTERED = "altered"
NOT_FINAL = "not_final"
UNKNOWN = "unknown"

MAX_CODE = 16  # Document.code's length
# What a code can be (the services draw codes from digits and capitals): anything else,
# a NUL byte included (PostgreSQL refuses it in a text), names no document and is not asked.
_CODE = re.compile(rf"[0-9A-Z]{{1,{MAX_CODE}}}")


@dataclass(frozen=True)
class Verdict:
    """What a file is: ``status`` (genuine, altered, not_final, unknown), a message for
    people, and the document it is (or claims to be) a copy of, if any."""

    status: str
    message: str
    document: Document | None = None

    @property
    def genuine(self) -> bool:
        return self.status == GENUINE


def by_code(code: str) -> Document | None:
    """The final document a verification code opens (None for a draft or no document)."""
    text = (code or "").strip().upper()
    if not _CODE.fullmatch(text):
        return None
    return Document.objects.filter(code=text, status=DocumentStatus.FINAL).first()


def check_pdf(data: bytes) -> Verdict:
    """The verdict on a file's bytes."""
    digest = hashlib.sha256(data).hexdigest()
    found = Document.objects.filter(pdf_sha256=digest).order_by("-pk").first()
    if found is not None:
        if found.status == DocumentStatus.FINAL:
            return Verdict(
                GENUINE,
                _("Genuine: this is the final document %(number)s.") % {"number": found.number},
                found,
            )
        return Verdict(NOT_FINAL, _not_final_message(found), found)
    acted = (
        Signatory.objects.filter(pdf_sha256=digest).select_related("document").order_by("-pk")
    ).first()
    if acted is not None:
        return Verdict(
            NOT_FINAL,
            _("Not final: this is an earlier version of a document, not its final copy."),
            acted.document if acted.document.status == DocumentStatus.FINAL else None,
        )
    if not data.startswith(b"%PDF"):
        return Verdict(UNKNOWN, _("Unknown: this file is not a PDF."))
    claimed, readable = _embedded_document(data)
    if claimed is None:
        if not readable:
            return Verdict(UNKNOWN, _("Unknown: Laksana did not make this file."))
        return Verdict(UNKNOWN, _("Unknown: no document has the code this file carries."))
    if claimed.status != DocumentStatus.FINAL:
        return Verdict(NOT_FINAL, _not_final_message(claimed), claimed)
    return Verdict(
        ALTERED,
        _(
            "Altered: this file claims to be document %(number)s, but it is not the file "
            "Laksana made; ask for the copy on the verification page."
        )
        % {"number": claimed.number},
        claimed,
    )


def _not_final_message(document: Document) -> str:
    return _("Not final: this is a draft (%(number)s), not yet signed by everyone.") % {
        "number": document.draft_number
    }


def _embedded_document(data: bytes) -> tuple[Document | None, bool]:
    """The document the data a PDF embeds names (by its verification code, or a draft by its
    temporary number and case), and whether the file carried Laksana's data at all."""
    try:
        from laksana.documents import render

        embedded: Any = render.embedded_data(data)
    except Exception:  # a damaged or foreign file: nothing to read
        return None, False
    if not isinstance(embedded, Mapping):
        return None, False
    check = embedded.get("verifikasi")
    code = check.get("kode") if isinstance(check, Mapping) else embedded.get("code")
    if isinstance(code, str) and _CODE.fullmatch(code.strip().upper()):
        return Document.objects.filter(code=code.strip().upper()).first(), True
    doc = embedded.get("dokumen")
    case = embedded.get("kasus")
    number = doc.get("nomor") if isinstance(doc, Mapping) else None
    reference = case.get("nomor") if isinstance(case, Mapping) else None
    if (
        isinstance(number, str)
        and isinstance(reference, str)
        and number
        and reference
        and "\x00" not in number + reference
    ):
        found = Document.objects.filter(
            draft_number=number[:60], case__reference=reference[:60]
        ).first()
        return found, True
    return None, True
