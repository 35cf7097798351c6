"""Requests whose body cannot be read (a multipart body without a boundary, too many files or
fields, form data over the size limit): what to tell the sender, on the web's message page
(``handler400``) and in the API's error format alike."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{max(1, count // 1024)} KB"


def request_refusal(exc: BaseException | None) -> tuple[str, str]:
    """(code, message) for a request Django could not read, naming the limit it broke."""
    if isinstance(exc, TooManyFilesSent):
        return "too_many_files", _(
            "The request sends too many files; at most %(count)s files may be sent at once."
        ) % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    if isinstance(exc, TooManyFieldsSent):
        return "too_many_fields", _(
            "The request sends too many form fields; at most %(count)s are read."
        ) % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    if isinstance(exc, RequestDataTooBig):
        return "too_large", _(
            "The request's data other than files is too large; the limit is %(size)s."
        ) % {"size": _size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)}
    return "bad_request", _(
        "The request cannot be read: its form data is damaged or incomplete (a multipart "
        "body needs a boundary). Send the form again."
    )


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """The site's 400 page (``handler400``): what was wrong with the request, in words."""
    _code, message = request_refusal(exception)
    return render(
        request,
        "web/message.html",
        {"heading": _("The request cannot be read"), "message": message},
        status=400,
    )
