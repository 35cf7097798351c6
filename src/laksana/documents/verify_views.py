"""The public verification page: is a printed or downloaded document genuine?

``/verifikasi/<code>`` (the QR code and the short code a final PDF carries) shows a FINAL
document's number, title, date, signers and the SHA-256 of its PDF, and nothing else of its
case; an unknown code, or one of a document that is not final, gets the same "not found"
page (404). ``/verifikasi/`` takes a PDF and says whether it is genuine, altered, not final or
unknown (:func:`laksana.documents.verification.check_pdf`). No sign-in; anonymous requests
are rate limited per address (:mod:`laksana.web.ratelimit`).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from laksana.documents import verification
from laksana.documents.models import Document, SignatoryRole, SignatoryStatus

MAX_PDF = 20 * 1024 * 1024


class CheckForm(forms.Form):
    file = forms.FileField(label=_("The PDF to check"))

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if f.size > MAX_PDF:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f


def _signers(document: Document) -> list[dict[str, object]]:
    return [
        {"name": s.person.name, "position": s.position_title, "at": s.acted_at, "label": s.label}
        for s in document.signatories.filter(
            role=SignatoryRole.SIGN, status=SignatoryStatus.DONE
        ).select_related("person")
    ]


@require_safe
def by_code(request: HttpRequest, code: str) -> HttpResponse:
    """A final document's public facts, or the "not found / not final" page (404)."""
    document = verification.by_code(code)
    if document is None:
        return render(request, "documents/verify_missing.html", {"code": code[:40]}, status=404)
    return render(
        request,
        "documents/verify.html",
        {"document": document, "signers": _signers(document), "form": CheckForm()},
    )


@require_http_methods(["GET", "POST"])
def check_file(request: HttpRequest) -> HttpResponse:
    """Upload a PDF and learn whether it is a genuine final document of Laksana."""
    verdict = None
    signers: list[dict[str, object]] = []
    status = 200
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        if form.is_valid():
            verdict = verification.check_pdf(form.cleaned_data["file"].read())
            if verdict.genuine and verdict.document is not None:
                signers = _signers(verdict.document)
        else:
            status = 422
    else:
        form = CheckForm()
    return render(
        request,
        "documents/verify_file.html",
        {"form": form, "verdict": verdict, "signers": signers},
        status=status,
    )
