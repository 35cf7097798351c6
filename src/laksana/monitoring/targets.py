"""What a monitor checks, read from its text (syntax only, no network): a URL for HTTP(S),
``host:port`` for TCP, ``host[:port]`` for TLS (443 by default; an ``https://`` URL is also
read), a host name for DNS; and the expected HTTP status codes ("200-299,301").

Host names are kept in their ASCII (IDNA) form, lower case; IPv6 literals without brackets.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

__all__ = ["Target", "TargetError", "parse_statuses", "parse_target", "status_ok"]

MAX_TARGET = 2000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PORT = re.compile(r"^[0-9]{1,5}$")


class TargetError(ValueError):
    """A monitor's target that cannot be checked; ``str(exc)`` is a translated, specific
    message."""


@dataclass(frozen=True)
class Target:
    """A parsed target: ``kind`` (a ``Kind`` value), ``host`` (ASCII host name or IP literal,
    no brackets), ``port`` (HTTP: from the URL or 80/443; TCP: given; TLS: 443 by default;
    DNS: None) and ``url`` (HTTP: the normalised URL; "" otherwise)."""

    kind: str
    host: str
    port: int | None
    url: str

    @property
    def is_ip(self) -> bool:
        return _ip(self.host) is not None


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _host(text: str) -> str:
    """The ASCII form of a host name or IP literal (brackets removed), or TargetError."""
    host = text.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        if not isinstance(_ip(host), ipaddress.IPv6Address):
            raise TargetError(_("“%(host)s” is not an IPv6 address.") % {"host": text[:100]})
        return str(ipaddress.ip_address(host))
    if not host:
        raise TargetError(_("The address names no host."))
    ip = _ip(host)
    if ip is not None:
        return str(ip)
    host = host.rstrip(".").lower()
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetError(
            _("“%(host)s” is not a valid host name.") % {"host": text[:100]}
        ) from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise TargetError(_("“%(host)s” is not a valid host name.") % {"host": text[:100]})
    if re.fullmatch(r"[0-9.]+", ascii_host):
        raise TargetError(_("“%(host)s” is not a valid host name.") % {"host": text[:100]})
    return ascii_host


def _port(text: str) -> int:
    if not _PORT.match(text) or not 1 <= int(text) <= 65535:
        raise TargetError(_("The port must be a number from 1 to 65535."))
    return int(text)


def _split_host_port(text: str) -> tuple[str, str | None]:
    """``host:port``, ``[v6]:port``, ``host``, ``[v6]`` or a bare IPv6 literal."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise TargetError(_("“%(host)s” is not an IPv6 address.") % {"host": text[:100]})
        rest = text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise TargetError(_("Write the address as host:port."))
        return text[: end + 1], (rest[1:] if rest else None)
    if text.count(":") > 1:  # a bare IPv6 literal
        return text, None
    if ":" in text:
        host, port = text.split(":", 1)
        return host, port
    return text, None


def _http(text: str) -> Target:
    try:
        parts = urlsplit(text)
        port_text = parts.port
    except ValueError:
        raise TargetError(_("The port must be a number from 1 to 65535.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetError(_("The address must begin with http:// or https://."))
    if parts.username is not None or parts.password is not None:
        raise TargetError(_("The address must not contain a user name or password."))
    if not parts.hostname:
        raise TargetError(_("The address names no host."))
    raw_host = parts.netloc.rsplit("@", 1)[-1]
    if port_text is not None:
        raw_host = raw_host[: raw_host.rfind(":")]
    host = _host(raw_host)
    if port_text is not None and not 1 <= port_text <= 65535:
        raise TargetError(_("The port must be a number from 1 to 65535."))
    default = 443 if scheme == "https" else 80
    port = port_text or default
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if port == default else f"{shown}:{port}"
    url = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return Target("http", host, port, url)


def parse_target(kind: str, text: str) -> Target:
    """The target of a monitor of ``kind`` written as ``text``; raises :class:`TargetError`."""
    text = (text or "").strip()
    if not text:
        raise TargetError(_("Enter the address to check."))
    if len(text) > MAX_TARGET:
        raise TargetError(_("The address is longer than %(n)d characters.") % {"n": MAX_TARGET})
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise TargetError(_("The address must not contain spaces or control characters."))
    if kind == "http":
        return _http(text)
    if kind == "tls" and "://" in text:
        url = _http(text)
        if not url.url.startswith("https://"):
            raise TargetError(_("Write the address as host:port."))
        return Target("tls", url.host, url.port, "")
    if kind in ("tcp", "tls"):
        if "/" in text or "@" in text:
            raise TargetError(_("Write the address as host:port."))
        host_text, port_text = _split_host_port(text)
        host = _host(host_text)
        if port_text is None:
            if kind == "tcp":
                raise TargetError(_("A TCP check needs a port: write host:port."))
            return Target("tls", host, 443, "")
        return Target(kind, host, _port(port_text), "")
    if kind == "dns":
        if "/" in text or "@" in text or ":" in text:
            raise TargetError(_("A DNS check needs a host name only, e.g. sipd.example.go.id."))
        host = _host(text)
        if _ip(host) is not None:
            raise TargetError(_("A DNS check needs a host name, not an IP address."))
        return Target("dns", host, None, "")
    raise TargetError(_("Unknown kind of check “%(kind)s”.") % {"kind": str(kind)[:20]})


def parse_statuses(text: str) -> list[tuple[int, int]]:
    """``"200-299,301"`` → ``[(200, 299), (301, 301)]``; codes 100..599 only; raises
    ValueError with a translated message."""
    ranges: list[tuple[int, int]] = []
    items = [item.strip() for item in (text or "").split(",")]
    if not any(items):
        raise ValueError(_("Enter the expected status codes, e.g. 200-399."))
    for item in items:
        match = re.fullmatch(r"([0-9]{3})(?:\s*-\s*([0-9]{3}))?", item)
        if match is None:
            raise ValueError(
                _("“%(item)s” is not a status code or a range like 200-299.") % {"item": item[:20]}
            )
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not (100 <= low <= 599 and 100 <= high <= 599):
            raise ValueError(_("Status codes lie between 100 and 599."))
        if high < low:
            raise ValueError(_("The range %(item)s ends before it begins.") % {"item": item[:20]})
        ranges.append((low, high))
    return ranges


def status_ok(ranges: list[tuple[int, int]], code: int) -> bool:
    """Whether ``code`` lies in one of ``ranges``."""
    return any(low <= code <= high for low, high in ranges)
