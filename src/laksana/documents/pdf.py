"""The SOP AP document of a procedure as PDF, printed by WeasyPrint from its HTML.

The HTML (:func:`laksana.engine.render.html.render_html`) already carries the print CSS
(A4 landscape, one flowchart page per sheet, page numbers), so this is a thin wrapper. Text
stays text in the PDF: it can be selected, searched and extracted.
"""

from __future__ import annotations

from weasyprint import HTML

from laksana.engine.render.html import render_html
from laksana.engine.spec import ProcedureSpec


def render_pdf(spec: ProcedureSpec) -> bytes:
    """The SOP AP document of ``spec`` as PDF bytes (A4 landscape)."""
    document = HTML(string=render_html(spec, standalone=True)).render()
    data = document.write_pdf()
    assert isinstance(data, bytes)
    return data
