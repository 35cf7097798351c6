"""The Word import screens, under /prosedur/impor/: upload an SOP AP document, then review what
the import could not decide beside the source's flowchart table, confirm or correct each item,
and save the result as a draft (:mod:`laksana.procedures.docx_pending`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laksana.cases.queries import person_of
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.procedures import docx_pending
from laksana.procedures.docx_pending import PendingNotFound
from laksana.procedures.models import PendingImport

# How a flowchart symbol found in a Pelaksana cell is shown in the source table.
GLYPHS = {
    "process": "▭",
    "decision": "◇",
    "terminator": "⬭",
    "connector": "○",
    "mark": "✓",
}


def _importer(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if not docx_pending.may_import(person):
        raise PermissionDenied
    assert person is not None
    return person


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload an SOP AP Word document: it is imported and kept for review."""
    person = _importer(request)
    error = ""
    if request.method == "POST":
        document = request.FILES.get("document")
        if document is None:
            error = _("Choose a Word document (.docx).")
        else:
            try:
                pending = docx_pending.start(person, document.name or "", document)
            except NotAllowed:
                raise PermissionDenied from None
            except ServiceError as exc:
                error = exc.message
            else:
                return redirect("procedures:import_review", pending.pk)
    return render(
        request,
        "procedures/import.html",
        {
            "error": error,
            "pending": docx_pending.mine(person),
            "limit_mb": docx_pending.MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status=422 if error else 200,
    )


def _draft_url(pk: int) -> str:
    try:
        return reverse("procedures:draft", args=[pk])
    except NoReverseMatch:  # the editor's screens not installed
        return f"/prosedur/draf/{pk}/"


def _items(
    pending: PendingImport,
    confirmed: set[str],
    fixes: dict[str, str],
    open_items: set[str],
) -> list[dict[str, Any]]:
    tree = docx_pending.tree_of(pending)
    out: list[dict[str, Any]] = []
    for i, item in enumerate(pending.to_confirm):
        where, text = docx_pending.item_text(item)
        out.append(
            {
                "index": i,
                "number": i + 1,
                "where": where,
                "text": text,
                "row": item.get("row") or 0,
                "fix": item.get("fix") or "",
                "choices": docx_pending.choices(pending, i, tree),
                "checked": str(i) in confirmed,
                "chosen": fixes.get(str(i), ""),
                "open": str(i + 1) in open_items,
            }
        )
    return out


def _rows(pending: PendingImport, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    marked: dict[int, list[int]] = {}
    for item in items:
        if item["row"]:
            marked.setdefault(item["row"], []).append(item["number"])
    rows: list[dict[str, Any]] = []
    for row in pending.table:
        cells = [
            {
                "text": c.get("text", ""),
                "span": c.get("span", 1),
                "glyph": GLYPHS.get(c.get("symbol", ""), ""),
                "symbol": c.get("symbol", ""),
                "continued": c.get("continued", False),
            }
            for c in row.get("cells", [])
        ]
        rows.append(
            {"row": row.get("row"), "cells": cells, "items": marked.get(row.get("row"), [])}
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import could not decide, beside the source's table; every item confirmed or
    corrected, the import is saved as a draft (or discarded)."""
    person = _importer(request)
    try:
        pending = docx_pending.get(person, pk)
    except PendingNotFound:
        raise Http404 from None
    confirmed: set[str] = set()
    fixes: dict[str, str] = {}
    error = ""
    open_items: set[str] = set()
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            docx_pending.discard(person, pending)
            messages.info(request, _("The import of %(name)s was discarded.") % {"name": pending})
            return redirect("procedures:import")
        confirmed = set(request.POST.getlist("confirm")[:1000])
        fixes = {
            key[4:]: str(request.POST.get(key, ""))[:200]
            for key in list(request.POST.keys())[:1000]
            if key.startswith("fix-")
        }
        try:
            draft = docx_pending.save(person, pending, confirmed, fixes)
        except NotAllowed:
            raise PermissionDenied from None
        except PendingNotFound:
            raise Http404 from None
        except ServiceError as exc:
            error = exc.message
            open_items = set(exc.items)
        else:
            messages.success(request, _("Saved as a draft: %(title)s.") % {"title": draft})
            return redirect(_draft_url(draft.pk))
    items = _items(pending, confirmed, fixes, open_items)
    return render(
        request,
        "procedures/import_review.html",
        {
            "pending": pending,
            "items": items,
            "rows": _rows(pending, items),
            "error": error,
        },
        status=422 if error else 200,
    )
