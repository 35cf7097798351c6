"""The API's docs page: ninja's Swagger UI, with its scripts and styles served from the
installed ninja package by this site, never from a CDN (government networks often cannot
reach one, and a page that loads outside code is an outside dependency at run time)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSETS_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}

# ninja's own swagger.html, with the asset URLs of this site; swagger-ui-init.js reads the
# settings and the CSRF token from the page (no inline script).
PAGE = """<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ assets.css }}">
  <link rel="icon" type="image/png" href="{{ assets.favicon }}">
</head>
<body data-csrf-token="{{ csrf }}" data-api-csrf="true">
  <script type="application/json" id="swagger-settings">{{ settings }}</script>
  <div id="swagger-ui"></div>
  <script src="{{ assets.bundle }}"></script>
  <script src="{{ assets.init }}"></script>
</body>
</html>
"""


def asset_url(name: str) -> str:
    return reverse("api-docs-asset", args=[name])


class LocalSwagger(Swagger):
    """Swagger UI from this site's own URLs."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # "<" escaped so no value can close the script element.
        text = json.dumps(settings).replace("<", "\\u003c")
        page = engines["django"].from_string(PAGE)
        html = page.render(
            {
                "title": api.title,
                "csrf": get_token(request),
                "settings": mark_safe(text),  # JSON with "<" escaped, inside a JSON script
                "assets": {
                    "css": asset_url("swagger-ui.css"),
                    "favicon": asset_url("favicon.png"),
                    "bundle": asset_url("swagger-ui-bundle.js"),
                    "init": asset_url("swagger-ui-init.js"),
                },
            },
            request,
        )
        return HttpResponse(html)


@require_safe
def asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the docs page's files, from the installed ninja package."""
    content_type = ASSETS.get(name)
    if content_type is None:
        raise Http404
    response = FileResponse((ASSETS_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
