"""One error format for the whole API: ``{"code", "message", "field", "items"}``.

``code`` is stable and meant for programs, ``message`` is for people (in the user's language),
``field`` names the input concerned when there is one, and ``items`` lists the things the
message is about (the missing requirements of a refused step, for instance).

| cause | status |
|---|---|
| a service refusal (:class:`~laksana.cases.services.ServiceError`) | 400 |
| a body not read: ``bad_request``, ``too_many_files``, ``too_many_fields``, ``too_large`` | 400 |
| ``not_allowed`` (:class:`~laksana.cases.services.NotAllowed`), ``csrf_failed`` | 403 |
| ``already_completed``, ``already_claimed``, ``already_read``, ``already_confirmed`` | 409 |
| invalid input (ninja's validation), ``invalid``; JSON nested too deeply, ``invalid_json`` | 422 |
| no token, a wrong or revoked token: ``unauthorized`` | 401 |
| an unknown or invisible object, an unknown path: ``not_found`` | 404 |
| a stored file gone from the file store: ``file_missing`` | 404 |
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from laksana.errors import NotAllowed, ServiceError
from laksana.web.errors import request_refusal

logger = logging.getLogger(__name__)

CONFLICT_CODES = frozenset(
    {"already_completed", "already_claimed", "already_read", "already_confirmed"}
)
# Where ninja says an invalid value came from; the first element of an error's location.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
# The names the operations give their schema parameters; not part of a field's name.
_PARAMETER_NAMES = frozenset({"payload", "filters"})
# How deeply a JSON body may nest arrays and objects (the API's own bodies nest four levels).
MAX_JSON_DEPTH = 32


class ErrorOut(Schema):
    """An error answer."""

    code: str
    message: str
    field: str | None = None
    items: list[str] = []


class ApiError(Exception):
    """An error the API itself answers with (not a service refusal)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        items: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.items = tuple(items)


def not_found() -> ApiError:
    """The one answer for an object that does not exist or may not be seen."""
    return ApiError(404, "not_found", _("Not found."))


def responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers of an operation, for the OpenAPI document."""
    return {status: ErrorOut for status in (401, *statuses)}


def service_status(exc: ServiceError) -> int:
    """The HTTP status of a service refusal."""
    if isinstance(exc, NotAllowed):
        return 403
    if exc.code in CONFLICT_CODES:
        return 409
    if exc.code == "not_found":
        return 404
    return 400


def error_body(
    code: str, message: str, field: str | None = None, items: Sequence[str] = ()
) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, "items": list(items)}


def validation_field(location: Sequence[Any]) -> str | None:
    """The input a validation error is about: its location without the source (body, query,
    ...) and the operation's parameter name, dotted (``values.uraian``)."""
    parts = [str(p) for p in location]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _PARAMETER_NAMES:
        parts = parts[1:]
    return ".".join(parts) or None


def file_missing() -> ApiError:
    """The answer for a stored file that is no longer in the file store (logged for the
    operators: the store and the database disagree)."""
    return ApiError(
        404,
        "file_missing",
        _("The file is missing from the file store; ask an administrator to restore it."),
    )


def json_depth(value: Any) -> int:
    """How deeply a parsed JSON value nests arrays and objects (a scalar: 0), without
    recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            depth += 1
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((child, depth) for child in item)
    return deepest


def nesting_refused() -> str:
    """The message for a JSON body nested too deeply."""
    return _("The JSON body is nested too deeply; at most %(count)s levels are read.") % {
        "count": MAX_JSON_DEPTH
    }


def text_refused() -> str:
    """The message for text no database column can store."""
    return _(
        "The request contains text that cannot be stored: NUL characters and unpaired "
        "surrogates are not allowed in any value."
    )


def bad_text(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a parsed JSON value a string holds a NUL character or an unpaired surrogate
    (which no database column can store), or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return path
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = bad_text(key, (*path, str(key))) if isinstance(key, str) else None
            if found is None:
                found = bad_text(item, (*path, str(key)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = bad_text(item, (*path, index))
            if found is not None:
                return found
    return None


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` in the one format."""

    def reply(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = reply(
            request, exc.status, error_body(exc.code, exc.message, exc.field, exc.items)
        )
        if exc.status == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ServiceError)
    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return reply(
            request, service_status(exc), error_body(exc.code, exc.message, exc.field, exc.items)
        )

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        field = validation_field(first.get("loc", ()))
        detail = str(first.get("msg", ""))
        message = (
            _("Invalid input for %(field)s: %(detail)s") % {"field": field, "detail": detail}
            if field
            else _("Invalid input: %(detail)s") % {"detail": detail}
        )
        items = [
            f"{validation_field(e.get('loc', ())) or '-'}: {e.get('msg', '')}" for e in exc.errors
        ]
        return reply(request, 422, error_body("invalid", message, field, items))

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = reply(
            request,
            401,
            error_body(
                "unauthorized",
                _("Sign in: send a valid API token as 'Authorization: Bearer <token>'."),
            ),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}
        return reply(
            request, exc.status_code, error_body(codes.get(exc.status_code, "error"), str(exc))
        )

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(MultiPartParserError)
    def on_unreadable_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return reply(request, 400, error_body(*request_refusal(exc)))

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Too many files or fields, form data over its size limit, ... (Django's limits).
        logger.warning("API request refused on %s %s: %r", request.method, request.path, exc)
        return reply(request, 400, error_body(*request_refusal(exc)))

    @api.exception_handler(BadRequest)
    def on_bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
        return reply(request, 400, error_body(*request_refusal(exc)))

    @api.exception_handler(DataError)
    def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        # The database refused a value of the request (PostgreSQL stores no NUL character in
        # text or JSON); the action's transaction was rolled back, nothing was written.
        return reply(request, 422, error_body("invalid_text", text_refused()))

    @api.exception_handler(UnicodeEncodeError)
    def on_unencodable(request: HttpRequest, exc: UnicodeEncodeError) -> HttpResponse:
        return reply(request, 422, error_body("invalid_text", text_refused()))

    @api.exception_handler(Exception)
    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback for the operators; the caller learns nothing of the inside.
        logger.exception(
            "API error on %s %s",
            request.method,
            request.path,
            exc_info=exc,
            extra={"event": "api_error", "method": request.method, "path": request.path},
        )
        return reply(
            request, 500, error_body("server_error", _("Something went wrong on the server."))
        )
