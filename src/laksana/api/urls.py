"""URLs of the API, under /api/: ninja's operations, the OpenAPI document (/api/openapi.json),
the docs page (/api/docs) and its files, and JSON answers for unknown paths and methods."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _

from laksana.api import docs
from laksana.api.errors import error_body
from laksana.api.instance import api


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a wrong method in plain text; answer in the API's error format."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
