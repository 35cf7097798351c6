"""The rate limit of requests without a sign-in, per client address.

Everything an anonymous visitor can reach — the sign-in page, the public procedure library and
its rendered documents, the API's index and documentation, the sign-in routes of OpenID
Connect — costs the server work that nobody is accountable for. :class:`PublicRateLimitMiddleware`
counts those requests per client address (:func:`laksana.web.proxies.client_address`) in
minutes of the clock and, past ``LAKSANA_PUBLIC_RATE_LIMIT`` in a minute, answers 429 with
``Retry-After`` (the seconds left in the minute): a translated page on the site, the API's
error format (``throttled``) under ``/api/``.

Not counted: a signed-in session, and an API request with a valid token (checked here once and
handed on to the API's authentication, :class:`laksana.api.auth.TokenAuth`). A made-up token is
counted like any anonymous request. The counts live in the database (one row per address and
minute, incremented by one ``INSERT ... ON CONFLICT`` statement on SQLite and PostgreSQL alike),
so every worker process of the server shares them; each process deletes the rows of past
minutes at most once a minute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from laksana.ops.logs import hidden
from laksana.web.models import RequestCount
from laksana.web.proxies import client_address

log = logging.getLogger(__name__)

# The API's documentation is public: a token offered there proves nothing.
_PUBLIC_API_PATHS = ("/api/docs", "/api/openapi.json")
_forgotten_before = 0


def _clock() -> float:
    """The clock the counts are kept by (seconds since the epoch)."""
    return time.time()


def current_minute(now: float | None = None) -> int:
    """Minutes since the Unix epoch."""
    return int((_clock() if now is None else now) // 60)


def count(address: str, minute: int) -> int:
    """Add one request of ``address`` in ``minute``; the requests counted so far, this one
    included."""
    table = connection.ops.quote_name(RequestCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (address, minute, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (address, minute) DO UPDATE SET count = {table}.count + 1 "
            "RETURNING count",
            [address, minute],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 1


def forget_old(minute: int) -> None:
    """Delete the counts of minutes before the previous one."""
    RequestCount.objects.filter(minute__lt=minute - 1).delete()


def _valid_token(request: HttpRequest) -> bool:
    """Whether the request carries a live API token (kept on the request for the API)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return False
    from laksana.accounts.services import authenticate

    found = authenticate(secret.strip())
    request._laksana_api_token = (secret.strip(), found)  # type: ignore[attr-defined]
    return found is not None


def _counted(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    path = request.path_info
    if path.startswith("/api/") and not path.startswith(_PUBLIC_API_PATHS):
        return not _valid_token(request)
    return True


def refusal(request: HttpRequest, wait: int) -> HttpResponse:
    """The 429 answer: the API's error format under /api/, the site's page elsewhere."""
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "throttled",
                "message": _("Too many requests from your address; try again in a minute."),
                "field": None,
                "items": [],
            },
            status=429,
        )
    else:
        response = render(request, "web/rate_limited.html", {"seconds": wait}, status=429)
    response["Retry-After"] = str(wait)
    if hidden(request.path) != request.path:
        # Django's request log would write the path with its secret: this refusal is logged
        # by the middleware instead, with the secret left out.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class PublicRateLimitMiddleware:
    """Answer 429 to a client address past its requests of the minute (after the session's
    user is known: AuthenticationMiddleware comes first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        global _forgotten_before
        limit = int(getattr(settings, "LAKSANA_PUBLIC_RATE_LIMIT", 0) or 0)
        address = client_address(request) if limit > 0 else None
        if address and _counted(request):
            now = _clock()
            minute = current_minute(now)
            try:
                if minute > _forgotten_before:
                    _forgotten_before = minute
                    forget_old(minute)
                counted = count(address, minute)
            except DatabaseError:
                # The limit protects the site; it never takes it down itself.
                log.exception("rate limit not counted", extra={"event": "rate_limit_error"})
                counted = 0
            if counted > limit:
                log.info(
                    "rate limit: %s over %s requests a minute",
                    address,
                    limit,
                    extra={
                        "event": "rate_limited",
                        "address": address,
                        "path": hidden(request.path),
                    },
                )
                return refusal(request, max(1, 60 - int(now % 60)))
        return self.get_response(request)
