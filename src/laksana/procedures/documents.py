"""The rendered documents of procedures (HTML, PDF, SVG flowchart, BPMN), kept by checksum.

A published version never changes, nor does a shipped template while the process runs: each
document is rendered once per process and kept under the SHA-256 of the procedure's text and
its format, so repeated requests for it cost no rendering. At most :data:`KEPT` documents
are kept (the least recently used go first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from laksana.engine.render.bpmn import render_bpmn
from laksana.engine.render.html import render_html
from laksana.engine.render.svg import render_svg
from laksana.engine.spec import ProcedureSpec

KEPT = 128

_documents: OrderedDict[tuple[str, str], bytes | str] = OrderedDict()
_lock = threading.Lock()
# Per key, a lock held while it is rendered, so concurrent requests render it once.
_rendering: dict[tuple[str, str], threading.Lock] = {}


def _html(spec: ProcedureSpec) -> str:
    # render_html escapes every text of the spec; the fragment is trusted markup.
    return render_html(spec, standalone=False)


def _pdf(spec: ProcedureSpec) -> bytes:
    # Imported on first use: WeasyPrint loads the Pango system library, and every other
    # screen must work on a machine where it is missing.
    from laksana.documents.pdf import render_pdf

    return render_pdf(spec)


RENDERERS: dict[str, Callable[[ProcedureSpec], bytes | str]] = {
    "html": _html,
    "pdf": _pdf,
    "svg": render_svg,
    "bpmn": render_bpmn,
}


def _kept(key: tuple[str, str]) -> bytes | str | None:
    with _lock:
        document = _documents.get(key)
        if document is not None:
            _documents.move_to_end(key)
        return document


def rendered(checksum: str, fmt: str, spec: Callable[[], ProcedureSpec]) -> bytes | str:
    """The document of format ``fmt`` of the procedure whose text has this checksum, rendered
    from ``spec()`` the first time it is asked for."""
    key = (checksum, fmt)
    document = _kept(key)
    if document is not None:
        return document
    with _lock:
        key_lock = _rendering.setdefault(key, threading.Lock())
    with key_lock:
        document = _kept(key)
        if document is None:
            document = RENDERERS[fmt](spec())
            with _lock:
                _documents[key] = document
                while len(_documents) > KEPT:
                    _documents.popitem(last=False)
                _rendering.pop(key, None)
    return document


def html_fragment(checksum: str, spec: Callable[[], ProcedureSpec]) -> SafeString:
    """The official document as an HTML fragment for a page."""
    fragment = rendered(checksum, "html", spec)
    assert isinstance(fragment, str)
    return mark_safe(fragment)  # every text escaped by render_html


def clear() -> None:
    """Forget every kept document (tests)."""
    with _lock:
        _documents.clear()
