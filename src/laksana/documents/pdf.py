"""The SOP AP document of a procedure as PDF, printed by WeasyPrint from its HTML.

The HTML (:func:`laksana.engine.render.html.render_html`) already carries the print CSS
(A4 landscape, one flowchart page per sheet, page numbers), so this is a thin wrapper. Text
stays text in the PDF: it can be selected, searched and extracted.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from laksana.engine.render.html import render_html
from laksana.engine.render.model import Logo
from laksana.engine.spec import ProcedureSpec


def _data_only() -> URLFetcher:
    """A fetcher that resolves the document's ``data:`` URIs (the logo) and refuses every other
    URL: printing fetches nothing."""
    return URLFetcher(allowed_protocols={"data"})


def render_pdf(spec: ProcedureSpec, logo: Logo | None = None) -> bytes:
    """The SOP AP document of ``spec`` as PDF bytes (A4 landscape), with the agency's ``logo``
    in its identity block when given."""
    html = render_html(spec, standalone=True, logo=logo)
    document = HTML(string=html, url_fetcher=_data_only()).render()
    data = document.write_pdf()
    assert isinstance(data, bytes)
    return data
