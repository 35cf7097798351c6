"""The procedure screens: the library list, one procedure's document and its downloads."""

from __future__ import annotations

import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from laksana.engine.render.bpmn import render_bpmn
from laksana.engine.render.html import render_html
from laksana.engine.render.svg import render_svg
from laksana.procedures import library


def _entry(procedure_id: str) -> library.Entry:
    try:
        return library.get(procedure_id)
    except KeyError:
        raise Http404(f"no procedure {procedure_id!r}") from None


# Shipped specs never change while the process runs, so each document is rendered once.
@functools.cache
def _document_html(procedure_id: str) -> SafeString:
    # render_html escapes every text of the spec; the fragment is trusted markup.
    return mark_safe(render_html(library.get(procedure_id).spec, standalone=False))


@functools.cache
def _pdf(procedure_id: str) -> bytes:
    # Imported on first use: WeasyPrint loads the Pango system library, and every other
    # screen must work on a machine where it is missing.
    from laksana.documents.pdf import render_pdf

    return render_pdf(library.get(procedure_id).spec)


@functools.cache
def _svg(procedure_id: str) -> str:
    return render_svg(library.get(procedure_id).spec)


@functools.cache
def _bpmn(procedure_id: str) -> str:
    return render_bpmn(library.get(procedure_id).spec)


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def library_list(request: HttpRequest) -> HttpResponse:
    """The procedure library: every shipped SOP with its number, agency and size."""
    return render(request, "procedures/list.html", {"entries": library.entries()})


@require_safe
def detail(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """One procedure as its official SOP AP document, with the downloads."""
    entry = _entry(procedure_id)
    return render(
        request,
        "procedures/detail.html",
        {"entry": entry, "spec": entry.spec, "document": _document_html(entry.id)},
    )


@require_safe
def download_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The official document as PDF."""
    entry = _entry(procedure_id)
    return _download(_pdf(entry.id), "application/pdf", f"{entry.id}.pdf")


@require_safe
def download_svg(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The flowchart as SVG."""
    entry = _entry(procedure_id)
    return _download(_svg(entry.id), "image/svg+xml; charset=utf-8", f"{entry.id}.svg")


@require_safe
def download_bpmn(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The process as BPMN 2.0 XML, for other modelling tools."""
    entry = _entry(procedure_id)
    return _download(_bpmn(entry.id), "application/xml; charset=utf-8", f"{entry.id}.bpmn")


@require_safe
def download_yaml(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The procedure's source file, as shipped."""
    entry = _entry(procedure_id)
    return _download(
        entry.path.read_bytes(), "application/yaml; charset=utf-8", f"{entry.path.name}"
    )
