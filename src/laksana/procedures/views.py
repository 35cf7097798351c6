"""The procedure screens: the library of shipped templates, an agency's published versions and
their documents, and publishing.

The shipped SOPs are public templates: anyone, signed in or not, reads them. A published
version belongs to its agency: only that agency's people (and the installation's superuser)
read it, and only its procedure administrators publish. Every rendered document is kept by
the checksum of its text (:mod:`laksana.procedures.documents`), so it is rendered once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from laksana.cases.queries import person_of
from laksana.engine.loader import ProcedureErrors
from laksana.engine.messages import translated
from laksana.org import roles
from laksana.org.models import Agency, Person
from laksana.procedures import documents, drafts, library
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import (
    MAX_SOURCE_BYTES,
    PublishRefused,
    latest_versions,
    publish,
)


def _entry(procedure_id: str) -> library.Entry:
    try:
        return library.get(procedure_id)
    except KeyError:
        raise Http404(f"no procedure {procedure_id!r}") from None


def _template(entry: library.Entry, fmt: str) -> bytes | str:
    return documents.rendered(entry.checksum, fmt, lambda: entry.spec)


def _version_document(version: ProcedureVersion, fmt: str) -> bytes | str:
    logo = documents.agency_logo(version.agency_id)
    return documents.rendered(version.checksum, fmt, lambda: version.spec, logo)


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _readable_versions(request: HttpRequest, person: Person | None) -> QuerySet[ProcedureVersion]:
    """The versions the viewer may read: their agency's (every agency's for the superuser)."""
    if request.user.is_authenticated and request.user.is_superuser:
        return ProcedureVersion.objects.all()
    if person is None:
        return ProcedureVersion.objects.none()
    return ProcedureVersion.objects.filter(agency_id=person.agency_id)


@require_safe
def library_list(request: HttpRequest) -> HttpResponse:
    """The procedure library: every shipped SOP template with its number, agency and size;
    for a person, their agency's published procedures too."""
    person = person_of(request.user)
    own = (
        latest_versions(person.agency_id, "title", "sop_number", "published_at")
        if person is not None
        else []
    )
    return render(
        request,
        "procedures/list.html",
        {
            "entries": library.entries(),
            "published": own,
            "agency": person.agency if person is not None else None,
            "may_publish": bool(roles.publishing_agencies(person, request.user)),
            "may_import": person is not None and drafts.may_write(person, person.agency_id),
        },
    )


@require_safe
def detail(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """One shipped procedure as its official SOP AP document, with the downloads; for a
    person, their agency's versions of it."""
    entry = _entry(procedure_id)
    person = person_of(request.user)
    return render(
        request,
        "procedures/detail.html",
        {
            "entry": entry,
            "spec": entry.spec,
            "document": documents.html_fragment(entry.checksum, lambda: entry.spec),
            "versions": _readable_versions(request, person)
            .filter(procedure_key=entry.id)
            .select_related("published_by", "agency")
            .order_by("agency__name", "-number"),
        },
    )


def _version(request: HttpRequest, agency: str, procedure_id: str, number: int) -> ProcedureVersion:
    """The version, if the viewer may read it (404 otherwise, as for one that does not
    exist)."""
    return get_object_or_404(
        _readable_versions(request, person_of(request.user)).select_related("agency"),
        agency__slug=agency,
        procedure_key=procedure_id,
        number=number,
    )


@login_required
@require_safe
def version_detail(
    request: HttpRequest, agency: str, procedure_id: str, number: int
) -> HttpResponse:
    """One published version of an agency as its official document (the text its cases run
    on)."""
    version = _version(request, agency, procedure_id, number)
    person = person_of(request.user)
    return render(
        request,
        "procedures/version.html",
        {
            "version": version,
            "may_revise": person is not None
            and person.agency_id == version.agency_id
            and drafts.may_write(person, version.agency),
            "spec": version.spec,
            "document": documents.html_fragment(
                version.checksum, lambda: version.spec, documents.agency_logo(version.agency_id)
            ),
            "versions": ProcedureVersion.objects.filter(
                agency_id=version.agency_id, procedure_key=procedure_id
            )
            .select_related("published_by", "agency")
            .order_by("-number"),
        },
    )


@login_required
@require_safe
def version_pdf(request: HttpRequest, agency: str, procedure_id: str, number: int) -> HttpResponse:
    """A published version's official document as PDF."""
    version = _version(request, agency, procedure_id, number)
    return _download(
        _version_document(version, "pdf"),
        "application/pdf",
        f"{procedure_id}-v{version.number}.pdf",
    )


@login_required
@require_safe
def version_yaml(request: HttpRequest, agency: str, procedure_id: str, number: int) -> HttpResponse:
    """A published version's source, exactly as published."""
    version = _version(request, agency, procedure_id, number)
    return _download(
        version.source, "application/yaml; charset=utf-8", f"{procedure_id}-v{version.number}.yaml"
    )


def _read_upload(request: HttpRequest, errors: list[str]) -> tuple[str, str] | None:
    """The uploaded file's name and text, or None with the problem added to ``errors``."""
    upload = request.FILES.get("source")
    if upload is None:
        errors.append(_("Choose a procedure file (.yaml)."))
        return None
    name = (upload.name or "procedure.yaml").replace("\\", "/").rsplit("/", 1)[-1][:100]
    # At most one byte more than the limit is read, whatever size was declared.
    raw = upload.read(MAX_SOURCE_BYTES + 1)
    if len(raw) > MAX_SOURCE_BYTES or (upload.size or 0) > MAX_SOURCE_BYTES:
        errors.append(
            _("%(name)s is too large for a procedure file; the limit is %(limit)s kB.")
            % {"name": name, "limit": MAX_SOURCE_BYTES // 1024}
        )
        return None
    try:
        return name, raw.decode("utf-8")
    except UnicodeDecodeError:
        errors.append(_("The file is not UTF-8 text; save it as UTF-8 and try again."))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def publish_upload(request: HttpRequest) -> HttpResponse:
    """A procedure administrator publishes a procedure file as a version of their agency: it
    must pass every check and be within the bounds, or nothing is published and every problem
    is listed with its line and column."""
    person = person_of(request.user)
    agencies = roles.publishing_agencies(person, request.user)
    if not agencies:
        raise PermissionDenied
    errors: list[str] = []
    chosen: Agency | None = agencies[0] if len(agencies) == 1 else None
    if request.method == "POST":
        slug = request.POST.get("agency", "")
        if slug:
            chosen = Agency.objects.filter(slug=slug[:50]).first()
            if chosen is None:
                errors.append(_("Choose the agency to publish for."))
        elif chosen is None:
            errors.append(_("Choose the agency to publish for."))
        read = _read_upload(request, errors)
        if read is not None and chosen is not None and not errors:
            name, text = read
            by = person
            if request.user.is_superuser and (person is None or person.agency_id != chosen.pk):
                by = None  # the superuser publishes for another agency as the installation
            try:
                before = ProcedureVersion.objects.filter(agency=chosen).count()
                version = publish(text, name, chosen, by=by)
            except PublishRefused as exc:
                raise PermissionDenied(exc.message) from None
            except ProcedureErrors as exc:
                # The loader's checks are English messages; shown in the screen's language.
                errors = [f"{e.position}: {translated(e.message, _)}" for e in exc.errors]
            else:
                if ProcedureVersion.objects.filter(agency=chosen).count() > before:
                    messages.success(
                        request, _("Published as version %(n)s.") % {"n": version.number}
                    )
                else:
                    messages.info(
                        request,
                        _("This text is already published as version %(n)s.")
                        % {"n": version.number},
                    )
                return redirect(
                    "procedures:version", chosen.slug, version.procedure_key, version.number
                )
    return render(
        request,
        "procedures/publish.html",
        {"errors": errors, "agencies": agencies, "chosen": chosen},
        status=400 if errors else 200,
    )


@require_safe
def download_pdf(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The template's official document as PDF."""
    entry = _entry(procedure_id)
    return _download(_template(entry, "pdf"), "application/pdf", f"{entry.id}.pdf")


@require_safe
def download_svg(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The template's flowchart as SVG."""
    entry = _entry(procedure_id)
    return _download(_template(entry, "svg"), "image/svg+xml; charset=utf-8", f"{entry.id}.svg")


@require_safe
def download_bpmn(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The template's process as BPMN 2.0 XML, for other modelling tools."""
    entry = _entry(procedure_id)
    return _download(_template(entry, "bpmn"), "application/xml; charset=utf-8", f"{entry.id}.bpmn")


@require_safe
def download_yaml(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The template's source file, as shipped."""
    entry = _entry(procedure_id)
    return _download(
        entry.path.read_bytes(), "application/yaml; charset=utf-8", f"{entry.path.name}"
    )
