"""The rendered documents of procedures (HTML, PDF, SVG flowchart, BPMN), kept by checksum.

A published version never changes, nor does a shipped template while the process runs: each
document is rendered once per process and kept under the SHA-256 of the procedure's text and
its format (and, for the HTML and the PDF of an agency's version, the SHA-256 of the agency's
logo, so that a changed logo prints anew), so repeated requests for it cost no rendering. At
most :data:`KEPT` documents are kept (the least recently used go first).

An agency's version prints the logo of the agency's letterhead (the one without a unit, as
letters of the agency without a unit's own letterhead do), embedded as data; a shipped
template prints none.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from laksana.engine.render.bpmn import render_bpmn
from laksana.engine.render.html import render_html
from laksana.engine.render.model import MAX_LOGO_BYTES, Logo
from laksana.engine.render.svg import render_svg
from laksana.engine.spec import ProcedureSpec

KEPT = 128

# The key of a document: the checksum of its text, its format, the SHA-256 of its logo ("").
Key = tuple[str, str, str]
_documents: OrderedDict[Key, bytes | str] = OrderedDict()
_lock = threading.Lock()
# Per key, a lock held while it is rendered, so concurrent requests render it once.
_rendering: dict[Key, threading.Lock] = {}


def _html(spec: ProcedureSpec, logo: Logo | None) -> str:
    # render_html escapes every text of the spec; the fragment is trusted markup.
    return render_html(spec, standalone=False, logo=logo)


def _pdf(spec: ProcedureSpec, logo: Logo | None) -> bytes:
    # Imported on first use: WeasyPrint loads the Pango system library, and every other
    # screen must work on a machine where it is missing.
    from laksana.documents.pdf import render_pdf

    return render_pdf(spec, logo)


def _svg(spec: ProcedureSpec, logo: Logo | None) -> str:
    return render_svg(spec)  # the flowchart alone: no identity block, no logo


def _bpmn(spec: ProcedureSpec, logo: Logo | None) -> str:
    return render_bpmn(spec)


RENDERERS: dict[str, Callable[[ProcedureSpec, Logo | None], bytes | str]] = {
    "html": _html,
    "pdf": _pdf,
    "svg": _svg,
    "bpmn": _bpmn,
}
# The formats that print the identity block, and so the logo.
WITH_LOGO = frozenset({"html", "pdf"})


def agency_logo(agency_id: int) -> Logo | None:
    """The logo of the agency's letterhead (PNG or JPEG, at most
    :data:`~laksana.engine.render.model.MAX_LOGO_BYTES`), or ``None``: no letterhead, no logo,
    a file missing or unreadable, too large or not an image."""
    from laksana.documents.models import Letterhead

    head = Letterhead.objects.filter(agency_id=agency_id, unit__isnull=True).first()
    if head is None or not head.logo:
        return None
    try:
        with head.logo.open("rb") as f:
            data = f.read(MAX_LOGO_BYTES + 1)
    except OSError:
        return None
    return Logo.of(data)


def _kept(key: Key) -> bytes | str | None:
    with _lock:
        document = _documents.get(key)
        if document is not None:
            _documents.move_to_end(key)
        return document


def rendered(
    checksum: str, fmt: str, spec: Callable[[], ProcedureSpec], logo: Logo | None = None
) -> bytes | str:
    """The document of format ``fmt`` of the procedure whose text has this checksum, with
    ``logo`` in its identity block, rendered from ``spec()`` the first time it is asked for."""
    if fmt not in WITH_LOGO:
        logo = None
    key = (checksum, fmt, logo.sha256 if logo is not None else "")
    document = _kept(key)
    if document is not None:
        return document
    with _lock:
        key_lock = _rendering.setdefault(key, threading.Lock())
    with key_lock:
        document = _kept(key)
        if document is None:
            document = RENDERERS[fmt](spec(), logo)
            with _lock:
                _documents[key] = document
                while len(_documents) > KEPT:
                    _documents.popitem(last=False)
                _rendering.pop(key, None)
    return document


def html_fragment(
    checksum: str, spec: Callable[[], ProcedureSpec], logo: Logo | None = None
) -> SafeString:
    """The official document as an HTML fragment for a page."""
    fragment = rendered(checksum, "html", spec, logo)
    assert isinstance(fragment, str)
    return mark_safe(fragment)  # every text escaped by render_html


def clear() -> None:
    """Forget every kept document (tests)."""
    with _lock:
        _documents.clear()
