"""The case dossier as a download (``/kasus/<reference>/berkas.zip``), for those who may see
the case; anyone else gets the answer of a case that does not exist."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from laksana.cases.queries import visible_cases
from laksana.documents import dossier


@login_required
@require_safe
def download(request: HttpRequest, reference: str) -> FileResponse:
    """The ZIP of :mod:`laksana.documents.dossier`, made into a temporary file first (a file
    that cannot be read is recorded in the manifest, never a broken download) and streamed."""
    case = visible_cases(request.user).filter(reference=reference).first()
    if case is None:
        # The same answer whether the case does not exist or may not be seen.
        raise Http404
    handle = tempfile.TemporaryFile(prefix="laksana-dossier-")  # noqa: SIM115 (the response closes it)
    try:
        manifest = dossier.write_dossier(case, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"berkas-{dossier.safe_name(case.reference)}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # What the command prints: the SHA-256 of the manifest, which pins the whole dossier.
    response["X-Manifest-SHA256"] = manifest.sha256
    return response
