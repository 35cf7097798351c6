"""The client address django-axes counts failed sign-ins against (AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

from django.http import HttpRequest

from laksana.web.proxies import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person signing in (:func:`laksana.web.proxies.client_address`).

    Directly on the network it is the connection's address. Behind a reverse proxy
    (``LAKSANA_BEHIND_PROXY``) it is read from ``X-Forwarded-For``, but only on connections
    from the configured proxies (``LAKSANA_PROXY_ADDRESSES``) and only the entries they
    appended: earlier entries are whatever the client claimed and are never trusted, or anyone
    could escape the lockout by sending a new address with each guess.
    """
    return client_address(request)
