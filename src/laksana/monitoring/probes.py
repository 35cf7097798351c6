"""The checks: one :func:`check` of a monitor's :class:`Spec` gives an :class:`Outcome` (up or
down, latency, status code, what failed and its language-neutral detail, the certificate's
expiry); it never raises. :func:`describe` turns an error and its detail into a translated
sentence.

- HTTP(S): the request through the guarded client (:func:`netguard.make_client`), the status
  against the expected codes, the keyword looked for in at most
  ``LAKSANA_MONITOR_BODY_LIMIT`` bytes of the body (streamed, never kept), the latency, and
  for HTTPS the certificate's expiry read from the connection.
- TCP: a connection to a checked address.
- TLS: a verified handshake (SNI = the host) and the certificate's expiry; an expired
  certificate's date is read by a second handshake that does not verify.
- DNS: the name resolved by the event loop's resolver; the expected address among the
  answers. A DNS check connects nowhere, so its answers are not checked against the allowed
  networks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx
from cryptography import x509
from django.conf import settings
from django.utils.translation import gettext as _

from laksana.monitoring import netguard
from laksana.monitoring.targets import Target, parse_statuses, parse_target, status_ok

if TYPE_CHECKING:
    from laksana.monitoring.models import Monitor

__all__ = ["Error", "Outcome", "Spec", "check", "describe"]

DETAIL_MAX = 200
# OpenSSL's verification codes (X509_V_ERR_*).
_CERT_HAS_EXPIRED = 10
_HOSTNAME_MISMATCH = 62


class Error(StrEnum):
    STATUS = "status"
    KEYWORD_MISSING = "keyword_missing"
    KEYWORD_PRESENT = "keyword_present"
    SLOW = "slow"
    TIMEOUT = "timeout"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    DNS = "dns"
    DNS_MISMATCH = "dns_mismatch"
    ADDRESS_REFUSED = "address_refused"
    TLS_UNTRUSTED = "tls_untrusted"
    TLS_EXPIRED = "tls_expired"
    TLS_EXPIRING = "tls_expiring"
    TLS_HOSTNAME = "tls_hostname"
    REDIRECTS = "redirects"
    ERROR = "error"


@dataclass(frozen=True)
class Spec:
    """Everything a check needs, copied from a Monitor (no ORM in the checks)."""

    id: int
    kind: str
    target: str
    method: str
    expected_statuses: str
    keyword: str
    keyword_absent: bool
    max_latency_ms: int | None
    follow_redirects: bool
    headers: dict[str, str]
    tls_min_days: int
    dns_expected: str
    timeout_seconds: int

    @classmethod
    def of(cls, monitor: Monitor) -> Spec:
        headers = monitor.headers if isinstance(monitor.headers, dict) else {}
        return cls(
            id=monitor.pk,
            kind=monitor.kind,
            target=monitor.target,
            method=monitor.method,
            expected_statuses=monitor.expected_statuses,
            keyword=monitor.keyword,
            keyword_absent=monitor.keyword_absent,
            max_latency_ms=monitor.max_latency_ms,
            follow_redirects=monitor.follow_redirects,
            headers={str(k): str(v) for k, v in headers.items()},
            tls_min_days=monitor.tls_min_days,
            dns_expected=monitor.dns_expected,
            timeout_seconds=monitor.timeout_seconds,
        )


@dataclass(frozen=True)
class Outcome:
    """A check's result. ``at`` is when it started (UTC); ``latency_ms`` the time to the
    answer (None when none came); ``error`` an :class:`Error` value ("" when ok) and
    ``detail`` its language-neutral detail ("500", "10", "2026-01-31", an address, ...)."""

    monitor_id: int
    at: dt.datetime
    ok: bool
    latency_ms: int | None
    status_code: int | None
    error: str
    detail: str
    cert_expires_at: dt.datetime | None


class _Failed(Exception):
    """A check's failure with its error and detail (raised inside the probes)."""

    def __init__(self, error: Error, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(error.value)
        self.error = error
        self.detail = detail[:DETAIL_MAX]
        self.status = status


@dataclass
class _Found:
    latency_ms: int | None = None
    status_code: int | None = None
    cert_expires_at: dt.datetime | None = None


def _ms(start: float) -> int:
    return max(0, round((time.perf_counter() - start) * 1000))


def _date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).date().isoformat()


def _not_after_of_der(der: bytes | None) -> dt.datetime | None:
    if not der:
        return None
    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc
    except ValueError:
        return None


def _not_after(ssl_object: Any) -> dt.datetime | None:
    """The peer certificate's notAfter from an ``ssl.SSLObject``/``SSLSocket``."""
    if ssl_object is None:
        return None
    try:
        der = ssl_object.getpeercert(binary_form=True)
    except (ValueError, AttributeError, ssl.SSLError):
        return None
    return _not_after_of_der(der)


def _judge_expiry(not_after: dt.datetime | None, min_days: int, now: dt.datetime) -> None:
    if not_after is None:
        return
    if not_after <= now:
        raise _Failed(Error.TLS_EXPIRED, _date(not_after))
    if not_after - now < dt.timedelta(days=min_days):
        raise _Failed(Error.TLS_EXPIRING, _date(not_after))


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


async def _unverified_not_after(host: str, port: int) -> dt.datetime | None:
    """The certificate's notAfter read by a handshake that does not verify (to date an
    expired certificate); the connection is guarded like any other."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        addresses = await netguard.resolve(host, port)
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(addresses[0], port, ssl=context, server_hostname=_sni(host)),
            timeout=5,
        )
    except (OSError, TimeoutError, netguard.AddressRefused):
        return None
    try:
        return _not_after(writer.get_extra_info("ssl_object"))
    finally:
        writer.close()


def _sni(host: str) -> str | None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None


async def _tls_failure(exc: BaseException, host: str, port: int) -> _Failed | None:
    """The TLS failure an exception chain holds (expired, hostname, untrusted), if any."""
    for item in _cause_chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            if item.verify_code == _CERT_HAS_EXPIRED:
                not_after = await _unverified_not_after(host, port)
                return _Failed(Error.TLS_EXPIRED, _date(not_after) if not_after else "")
            if item.verify_code == _HOSTNAME_MISMATCH:
                return _Failed(Error.TLS_HOSTNAME, host)
            return _Failed(Error.TLS_UNTRUSTED, str(item.verify_message or "")[:DETAIL_MAX])
    return None


def _connect_failure(exc: BaseException, where: str) -> _Failed:
    for item in _cause_chain(exc):
        if isinstance(item, ConnectionRefusedError):
            return _Failed(Error.REFUSED, where)
        if isinstance(item, netguard.AddressRefused):
            return _Failed(Error.ADDRESS_REFUSED, item.address)
    text = str(exc)
    if "refused" in text.lower():
        return _Failed(Error.REFUSED, where)
    return _Failed(Error.UNREACHABLE, where)


async def _read_body(response: httpx.Response, keyword: bytes) -> bool:
    """Reads at most LAKSANA_MONITOR_BODY_LIMIT bytes of the body (nothing kept but a tail
    as long as the keyword) and tells whether the keyword was among them."""
    limit = int(settings.LAKSANA_MONITOR_BODY_LIMIT)
    read = 0
    tail = b""
    keep = max(len(keyword) - 1, 0)
    async for chunk in response.aiter_raw():
        piece = chunk[: limit - read]
        read += len(piece)
        if keyword:
            window = tail + piece
            if keyword in window:
                return True
            tail = window[-keep:] if keep else b""
        if read >= limit:
            break
    return False


async def _http(spec: Spec, target: Target, client: httpx.AsyncClient, found: _Found) -> None:
    ranges = parse_statuses(spec.expected_statuses)
    method = spec.method.upper() if spec.method.upper() in ("GET", "HEAD") else "GET"
    request = client.build_request(
        method,
        target.url,
        headers=spec.headers,
        timeout=httpx.Timeout(float(spec.timeout_seconds)),
    )
    start = time.perf_counter()
    try:
        response = await client.send(request, stream=True, follow_redirects=spec.follow_redirects)
    except httpx.TimeoutException:
        raise _Failed(Error.TIMEOUT, str(spec.timeout_seconds)) from None
    except httpx.TooManyRedirects:
        raise _Failed(Error.REDIRECTS, "") from None
    except httpx.ConnectError as exc:
        try:
            url = exc.request.url
        except RuntimeError:
            url = request.url
        host, port = url.host, url.port or (443 if url.scheme == "https" else 80)
        failure = await _tls_failure(exc, host, port) if url.scheme == "https" else None
        raise (failure or _connect_failure(exc, f"{host}:{port}")) from None
    try:
        stream = response.extensions.get("network_stream")
        if stream is not None and response.url.scheme == "https":
            found.cert_expires_at = _not_after(stream.get_extra_info("ssl_object"))
        found.status_code = response.status_code
        keyword = spec.keyword.encode("utf-8")
        present = False
        if method != "HEAD":
            try:
                present = await _read_body(response, keyword)
            except httpx.TimeoutException:
                raise _Failed(
                    Error.TIMEOUT, str(spec.timeout_seconds), status=response.status_code
                ) from None
        found.latency_ms = _ms(start)
    finally:
        await response.aclose()
    if not status_ok(ranges, response.status_code):
        raise _Failed(Error.STATUS, str(response.status_code))
    if keyword and method != "HEAD":
        if spec.keyword_absent and present:
            raise _Failed(Error.KEYWORD_PRESENT, spec.keyword)
        if not spec.keyword_absent and not present:
            raise _Failed(Error.KEYWORD_MISSING, spec.keyword)
    if spec.max_latency_ms is not None and found.latency_ms > spec.max_latency_ms:
        raise _Failed(Error.SLOW, f"{found.latency_ms}/{spec.max_latency_ms}")
    _judge_expiry(found.cert_expires_at, spec.tls_min_days, dt.datetime.now(dt.UTC))


async def _open(target: Target, context: ssl.SSLContext | None) -> tuple[asyncio.StreamWriter, str]:
    """A connection to the first checked address of the target that answers."""
    assert target.port is not None
    addresses = await netguard.resolve(target.host, target.port)
    error: OSError | None = None
    for address in addresses:
        try:
            _reader, writer = await asyncio.open_connection(
                address,
                target.port,
                ssl=context,
                server_hostname=target.host if context is not None else None,
            )
        except ssl.SSLError:
            raise
        except OSError as exc:
            error = exc
            continue
        return writer, address
    assert error is not None
    raise error


async def _tcp(spec: Spec, target: Target, found: _Found) -> None:
    start = time.perf_counter()
    where = f"{target.host}:{target.port}"
    try:
        writer, _address = await _open(target, None)
    except OSError as exc:
        if isinstance(exc, ConnectionRefusedError):
            raise _Failed(Error.REFUSED, where) from None
        if isinstance(exc, ssl.SSLError | TimeoutError):
            raise
        raise _connect_failure(exc, where) from None
    found.latency_ms = _ms(start)
    writer.close()


async def _tls(spec: Spec, target: Target, found: _Found) -> None:
    start = time.perf_counter()
    assert target.port is not None
    where = f"{target.host}:{target.port}"
    try:
        writer, _address = await _open(target, netguard.ssl_context())
    except ssl.SSLError as exc:
        failure = await _tls_failure(exc, target.host, target.port)
        raise (failure or _Failed(Error.TLS_UNTRUSTED, str(exc)[:DETAIL_MAX])) from None
    except ConnectionRefusedError:
        raise _Failed(Error.REFUSED, where) from None
    except OSError as exc:
        if isinstance(exc, TimeoutError):
            raise
        raise _connect_failure(exc, where) from None
    found.latency_ms = _ms(start)
    try:
        found.cert_expires_at = _not_after(writer.get_extra_info("ssl_object"))
    finally:
        writer.close()
    _judge_expiry(found.cert_expires_at, spec.tls_min_days, dt.datetime.now(dt.UTC))


async def _dns(spec: Spec, target: Target, found: _Found) -> None:
    """Resolves the name with the event loop's resolver. No address guard: the check
    connects nowhere, it only reads the answers."""
    import socket

    start = time.perf_counter()
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(target.host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise _Failed(Error.DNS, target.host) from None
    found.latency_ms = _ms(start)
    answers: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in answers:
            answers.append(address)
    if spec.dns_expected:
        try:
            expected = ipaddress.ip_address(spec.dns_expected.strip())
        except ValueError:
            raise _Failed(Error.DNS_MISMATCH, ",".join(answers)) from None
        if expected not in {ipaddress.ip_address(a.split("%", 1)[0]) for a in answers}:
            raise _Failed(Error.DNS_MISMATCH, ",".join(answers))


async def _run(spec: Spec, client: httpx.AsyncClient, found: _Found) -> None:
    target = parse_target(spec.kind, spec.target)
    if spec.kind == "http":
        await _http(spec, target, client, found)
    elif spec.kind == "tcp":
        await _tcp(spec, target, found)
    elif spec.kind == "tls":
        await _tls(spec, target, found)
    else:
        await _dns(spec, target, found)


async def check(spec: Spec, client: httpx.AsyncClient) -> Outcome:
    """Checks one monitor; never raises (every failure is an Outcome that is down)."""
    at = dt.datetime.now(dt.UTC)
    found = _Found()
    error: Error | None = None
    detail = ""
    try:
        async with asyncio.timeout(max(spec.timeout_seconds, 1)):
            await _run(spec, client, found)
    except _Failed as failed:
        error, detail = failed.error, failed.detail
        found.status_code = found.status_code or failed.status
    except TimeoutError:
        error, detail = Error.TIMEOUT, str(spec.timeout_seconds)
    except netguard.AddressRefused as exc:
        error, detail = Error.ADDRESS_REFUSED, exc.address
    except OSError as exc:
        import socket

        if isinstance(exc, socket.gaierror):
            error, detail = Error.DNS, _host_of(spec)
        else:
            error, detail = Error.UNREACHABLE, type(exc).__name__
    except Exception as exc:
        error, detail = Error.ERROR, type(exc).__name__
    ok = error is None
    return Outcome(
        monitor_id=spec.id,
        at=at,
        ok=ok,
        latency_ms=found.latency_ms,
        status_code=found.status_code,
        error="" if error is None else error.value,
        detail=detail[:DETAIL_MAX],
        cert_expires_at=found.cert_expires_at,
    )


def _host_of(spec: Spec) -> str:
    try:
        return parse_target(spec.kind, spec.target).host
    except ValueError:
        return ""


def describe(error: str, detail: str) -> str:
    """A translated sentence telling what failed ("" when nothing did)."""
    if not error:
        return ""
    short = (detail or "")[:DETAIL_MAX]
    if error == Error.STATUS:
        return _("HTTP %(code)s") % {"code": short}
    if error == Error.KEYWORD_MISSING:
        return _("Keyword “%(kw)s” not found") % {"kw": short}
    if error == Error.KEYWORD_PRESENT:
        return _("Keyword “%(kw)s” found where it must not appear") % {"kw": short}
    if error == Error.SLOW:
        took, _sep, limit = short.partition("/")
        return _("Answered in %(ms)s ms (limit %(limit)s ms)") % {"ms": took, "limit": limit}
    if error == Error.TIMEOUT:
        return _("No answer within %(s)s seconds") % {"s": short}
    if error == Error.REFUSED:
        return _("Connection refused")
    if error == Error.UNREACHABLE:
        return _("Unreachable (%(detail)s)") % {"detail": short} if short else _("Unreachable")
    if error == Error.DNS:
        return _("The name %(host)s does not resolve") % {"host": short}
    if error == Error.DNS_MISMATCH:
        return _("DNS answered %(answers)s, not the expected address") % {"answers": short}
    if error == Error.ADDRESS_REFUSED:
        return _("Monitoring may not reach the address %(address)s.") % {"address": short}
    if error == Error.TLS_UNTRUSTED:
        return _("Certificate not trusted")
    if error == Error.TLS_EXPIRED:
        if short:
            return _("Certificate expired on %(date)s") % {"date": short}
        return _("Certificate expired")
    if error == Error.TLS_EXPIRING:
        return _("Certificate expires on %(date)s (sooner than the limit)") % {"date": short}
    if error == Error.TLS_HOSTNAME:
        return _("Certificate not valid for %(host)s") % {"host": short}
    if error == Error.REDIRECTS:
        return _("Too many redirects")
    return _("Check failed (%(detail)s)") % {"detail": short} if short else _("Check failed")
