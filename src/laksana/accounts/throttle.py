"""The client address django-axes counts failed sign-ins against (AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person signing in.

    Directly on the Internet it is the connection's address. Behind a reverse proxy
    (``LAKSANA_BEHIND_PROXY``) every connection comes from the proxy, so the address is the
    last entry of ``X-Forwarded-For``: the one the proxy appended itself. Earlier entries are
    whatever the client claimed and are never trusted, or anyone could escape the lockout by
    sending a new address with each guess.
    """
    if getattr(settings, "LAKSANA_BEHIND_PROXY", False):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None
