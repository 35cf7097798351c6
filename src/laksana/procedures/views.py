"""The procedure screens: the library list, one procedure's document and its downloads."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from laksana.cases.queries import person_of
from laksana.engine.loader import ProcedureErrors
from laksana.engine.render.bpmn import render_bpmn
from laksana.engine.render.html import render_html
from laksana.engine.render.svg import render_svg
from laksana.procedures import library
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import publish

# A procedure file is a few dozen kilobytes; anything near this is not one.
MAX_SOURCE_BYTES = 1024 * 1024


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
    """The procedure library: every shipped SOP with its number, agency and size, and the
    procedures published from uploaded files."""
    shipped = {e.id for e in library.entries()}
    latest: dict[str, ProcedureVersion] = {}
    for v in ProcedureVersion.objects.exclude(procedure_key__in=shipped).order_by(
        "procedure_key", "-number"
    ):
        latest.setdefault(v.procedure_key, v)
    return render(
        request,
        "procedures/list.html",
        {"entries": library.entries(), "published": list(latest.values())},
    )


@require_safe
def detail(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """One procedure as its official SOP AP document, with the downloads."""
    entry = _entry(procedure_id)
    return render(
        request,
        "procedures/detail.html",
        {
            "entry": entry,
            "spec": entry.spec,
            "document": _document_html(entry.id),
            "versions": ProcedureVersion.objects.filter(procedure_key=entry.id)
            .select_related("published_by")
            .order_by("-number"),
        },
    )


@functools.lru_cache(maxsize=64)
def _version_html(checksum: str, version_pk: int) -> SafeString:
    # Keyed by the checksum: a published version never changes.
    version = ProcedureVersion.objects.get(pk=version_pk)
    return mark_safe(render_html(version.spec, standalone=False))


def _version(procedure_id: str, number: int) -> ProcedureVersion:
    return get_object_or_404(ProcedureVersion, procedure_key=procedure_id, number=number)


@require_safe
def version_detail(request: HttpRequest, procedure_id: str, number: int) -> HttpResponse:
    """One published version as its official document (the text cases of it run on)."""
    version = _version(procedure_id, number)
    return render(
        request,
        "procedures/version.html",
        {
            "version": version,
            "spec": version.spec,
            "document": _version_html(version.checksum, version.pk),
            "versions": ProcedureVersion.objects.filter(procedure_key=procedure_id)
            .select_related("published_by")
            .order_by("-number"),
        },
    )


@require_safe
def version_pdf(request: HttpRequest, procedure_id: str, number: int) -> HttpResponse:
    """A published version's official document as PDF."""
    from laksana.documents.pdf import render_pdf

    version = _version(procedure_id, number)
    return _download(
        render_pdf(version.spec), "application/pdf", f"{procedure_id}-v{version.number}.pdf"
    )


@require_safe
def version_yaml(request: HttpRequest, procedure_id: str, number: int) -> HttpResponse:
    """A published version's source, exactly as published."""
    version = _version(procedure_id, number)
    return _download(
        version.source, "application/yaml; charset=utf-8", f"{procedure_id}-v{version.number}.yaml"
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish_upload(request: HttpRequest) -> HttpResponse:
    """Staff publish a procedure file: it must pass every check, or nothing is published and
    every problem is listed with its line and column."""
    if not request.user.is_staff:
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("source")
        if upload is None:
            errors.append(_("Choose a procedure file (.yaml)."))
        else:
            name = (upload.name or "procedure.yaml").replace("\\", "/").rsplit("/", 1)[-1]
            # At most one byte more than the limit is read, whatever size was declared.
            raw = upload.read(MAX_SOURCE_BYTES + 1)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            if len(raw) > MAX_SOURCE_BYTES or (upload.size or 0) > MAX_SOURCE_BYTES:
                errors.append(
                    _("%(name)s is too large for a procedure file; the limit is 1 MB.")
                    % {"name": name[:100]}
                )
            elif not text and raw:
                errors.append(_("The file is not UTF-8 text; save it as UTF-8 and try again."))
            else:
                try:
                    before = ProcedureVersion.objects.count()
                    version = publish(text, name, by=person_of(request.user))
                except ProcedureErrors as exc:
                    errors = [str(e) for e in exc.errors]
                else:
                    if ProcedureVersion.objects.count() > before:
                        messages.success(
                            request,
                            _("Published as version %(n)s.") % {"n": version.number},
                        )
                    else:
                        messages.info(
                            request,
                            _("This text is already published as version %(n)s.")
                            % {"n": version.number},
                        )
                    return redirect("procedures:version", version.procedure_key, version.number)
    return render(
        request, "procedures/publish.html", {"errors": errors}, status=400 if errors else 200
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
