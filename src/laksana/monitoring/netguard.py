"""Where checks may connect: every address a check connects to (the first and every redirect
hop) is resolved here, checked against ``settings.LAKSANA_MONITOR_NETWORKS`` and a list of
addresses always refused (link-local, cloud metadata, unspecified, multicast and broadcast,
also as IPv4-mapped IPv6), and the connection is made to the very address checked (no second
resolution that a DNS rebinding could answer differently).

:func:`make_client` gives the HTTP client of the checks: an httpx client whose transport's
connection pool connects through :class:`GuardedBackend`. :func:`ssl_context` is the trust
of every TLS connection (the system's CAs plus ``LAKSANA_MONITOR_CA_FILE``).
"""

from __future__ import annotations

import asyncio
import functools
import http.cookiejar
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from httpcore._backends.auto import AutoBackend

__all__ = [
    "AddressRefused",
    "GuardedBackend",
    "make_client",
    "refusal",
    "resolve",
    "ssl_context",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Refused whatever LAKSANA_MONITOR_NETWORKS says: link-local (where cloud metadata lives),
# the metadata addresses of EC2 (IPv6), Alibaba and others, unspecified, "this network",
# multicast, broadcast.
ALWAYS_REFUSED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.0.0/16",
        "fe80::/10",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "0.0.0.0/8",
        "::/128",
        "224.0.0.0/4",
        "ff00::/8",
        "255.255.255.255/32",
    )
)


class AddressRefused(Exception):
    """A check would connect to an address monitoring may not reach: ``address`` is it,
    ``message`` a translated sentence."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.message = _("Monitoring may not reach the address %(address)s.") % {"address": address}
        super().__init__(address)


@functools.lru_cache(maxsize=8)
def _networks(texts: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(text, strict=False) for text in texts)


def _allowed_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(str(net) for net in settings.LAKSANA_MONITOR_NETWORKS))


def refusal(address: str) -> str | None:
    """Why ``address`` (an IP literal) may not be reached — the address itself, normalised —
    or None when it lies in ``LAKSANA_MONITOR_NETWORKS`` and is not always refused. A text
    that is not an IP address is refused."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return address[:100]
    shown = str(ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip.version == net.version and ip in net for net in ALWAYS_REFUSED):
        return shown
    if not any(ip.version == net.version and ip in net for net in _allowed_networks()):
        return shown
    return None


async def _getaddrinfo(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (the event loop's resolver); a test may replace it."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


async def resolve(host: str, port: int) -> list[str]:
    """All the addresses of ``host``, each checked: raises :class:`AddressRefused` (naming the
    first refused address) when any is refused, ``socket.gaierror`` when the name does not
    resolve. An IP literal is checked as it is."""
    bare = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(bare))]
    except ValueError:
        addresses = await _getaddrinfo(bare, port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    for address in addresses:
        refused = refusal(address)
        if refused is not None:
            raise AddressRefused(refused)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves and checks every host before connecting and
    connects to the checked address (tried in order)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(path[:100])

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (its request and response mapping) over a connection pool that
    connects through :class:`GuardedBackend` and trusts :func:`ssl_context`."""

    def __init__(self, *, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context(), trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(),
        )


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Keeps no cookie: every check starts without any."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def make_client(*, concurrency: int) -> httpx.AsyncClient:
    """The client the checks of one pass share: at most ``concurrency`` connections at once,
    every connection guarded, TLS verified with :func:`ssl_context`, no cookies kept, no
    proxy or other setting read from the environment."""
    limits = httpx.Limits(
        max_connections=concurrency,
        max_keepalive_connections=concurrency,
        keepalive_expiry=5.0,
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(limits=limits),
        trust_env=False,
        follow_redirects=False,
        cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
        headers={"User-Agent": "Laksana-Monitor/1", "Accept-Encoding": "identity"},
    )


@functools.lru_cache(maxsize=4)
def _context(ca_file: str, stamp: int) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def ssl_context() -> ssl.SSLContext:
    """The trust of every TLS connection of the checks: the system's CAs plus the PEM file
    ``LAKSANA_MONITOR_CA_FILE`` (if set), hostnames verified."""
    ca_file = str(getattr(settings, "LAKSANA_MONITOR_CA_FILE", "") or "")
    stamp = 0
    if ca_file:
        try:
            stamp = os.stat(ca_file).st_mtime_ns
        except OSError:
            stamp = -1
    return _context(ca_file, stamp)
