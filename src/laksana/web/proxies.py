"""Who is at the other end of a request, behind a reverse proxy or not.

Directly on the network the client is the connection's address (``REMOTE_ADDR``). Behind a
reverse proxy (``LAKSANA_BEHIND_PROXY``) every connection comes from the proxy, which appends
the address it was connected from to ``X-Forwarded-For`` and states the protocol in
``X-Forwarded-Proto``. Those headers are believed only on connections from
``LAKSANA_PROXY_ADDRESSES``: anyone who reaches the server directly could otherwise choose the
address the sign-in lockout and the rate limit count (a new one with every guess) or claim
HTTPS. :class:`ProxyHeadersMiddleware` drops both headers from any other connection, and
:func:`client_address` walks ``X-Forwarded-For`` from its end past the trusted proxies to the
first address they did not append themselves; what a client wrote before that is never read.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")


@functools.cache
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_proxy(address: str | None) -> bool:
    """Whether ``address`` is one of the configured reverse proxies (with the setting on)."""
    if not getattr(settings, "LAKSANA_BEHIND_PROXY", False) or not address:
        return False
    found = _address(address)
    if found is None:
        return False
    networks = _networks(tuple(getattr(settings, "LAKSANA_PROXY_ADDRESSES", ())))
    return any(found in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind a trusted proxy the last
    ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    peer = request.META.get("REMOTE_ADDR")
    peer = str(peer) if peer else None
    if not is_proxy(peer):
        return peer
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    for hop in reversed(hops):
        found = _address(hop)
        if found is None:
            # Not an address: what came before it cannot be trusted either.
            return peer
        if not is_proxy(str(found)):
            return str(found)
    return peer


class ProxyHeadersMiddleware:
    """Forget ``X-Forwarded-For`` and ``X-Forwarded-Proto`` unless the connection comes from a
    configured proxy (first of the middleware, before Django's SecurityMiddleware reads the
    protocol)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_proxy(request.META.get("REMOTE_ADDR")):
            for name in _FORWARDED:
                request.META.pop(name, None)
        return self.get_response(request)
