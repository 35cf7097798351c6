"""URLs of the API, under /api/: ninja's operations, the OpenAPI document (/api/openapi.json),
the docs page (/api/docs) and its files, and JSON answers for unknown paths and methods."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _

from laksana.api import docs
from laksana.api.errors import (
    MAX_JSON_DEPTH,
    bad_text,
    error_body,
    json_depth,
    nesting_refused,
    text_refused,
)
from laksana.api.instance import api
from laksana.web.errors import request_refusal


def _refuse_bad_text(request: HttpRequest) -> HttpResponse | None:
    """A JSON body nested deeper than :data:`MAX_JSON_DEPTH` levels, or with a string no
    database column can store (a NUL character, an unpaired surrogate), is refused before any
    operation sees it: 422, the latter naming the field."""
    if request.content_type != "application/json":
        return None
    try:
        body = request.body
    except RequestDataTooBig as exc:
        return JsonResponse(error_body(*request_refusal(exc)), status=400)
    if not body:
        return None
    try:
        data = json.loads(body)
    except RecursionError:
        return JsonResponse(error_body("invalid_json", nesting_refused()), status=422)
    except ValueError:
        return None  # ninja answers malformed JSON itself
    if json_depth(data) > MAX_JSON_DEPTH:
        return JsonResponse(error_body("invalid_json", nesting_refused()), status=422)
    where = bad_text(data)
    if where is None:
        return None
    field = ".".join(str(p) for p in where) or None
    message = text_refused()
    return JsonResponse(
        error_body("invalid", message, field, [f"{field or '-'}: {message}"]), status=422
    )


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a wrong method in plain text; answer in the API's error format."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = _refuse_bad_text(request)
        if refused is not None:
            return refused
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            answer = JsonResponse(
                error_body(
                    "method_not_allowed",
                    _("Method %(method)s is not allowed here.") % {"method": request.method},
                ),
                status=405,
            )
            answer["Allow"] = response.get("Allow", "")
            return answer
        return response

    return wrapper


def root(request: HttpRequest) -> HttpResponse:
    """Where to start: the OpenAPI document and the docs page."""
    return JsonResponse({"openapi": "/api/openapi.json", "docs": "/api/docs"})


def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def _ninja_patterns() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_405(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("", root, name="api-index"),
    path("docs/assets/<str:name>", docs.asset, name="api-docs-asset"),
    path("", _ninja_patterns()),
    re_path(r"^(?P<rest>.*)$", unknown),
]
