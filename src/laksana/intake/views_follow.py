"""The follow link's page: UNFINISHED placeholder of the skeleton (the follow helper replaces
it); it answers 404 for every link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def follow(request: HttpRequest, secret: str) -> HttpResponse:
    raise Http404
