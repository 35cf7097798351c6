"""Real local servers for the monitoring tests, started and stopped by the tests themselves.

Every server listens on 127.0.0.1 with a port chosen by the system and runs in a daemon
thread; leaving the ``with`` block stops it.

- :func:`http_server` — an HTTP/1.1 server answering per path with a :class:`Reply` (status,
  body, headers, delay before answering, redirect, a long streamed body); ``tls=`` a trustme
  leaf certificate makes it HTTPS. Yields a :class:`Server` (``.url`` is the base URL without
  a trailing slash, ``.port``, ``.requests`` the requests received, ``.bytes_sent`` body
  bytes written, ``.completed`` paths whose whole body was written).
- :func:`tls_server` — the same server over TLS, yielding the :class:`Server`
  (``https://127.0.0.1:<port>``).
- :func:`tcp_listener` — a socket that accepts connections and nothing else; yields its port.
- :func:`closed_port` — a port on 127.0.0.1 where nothing listens (connections are refused).
- :func:`new_ca`, :func:`leaf`, :func:`expired_leaf`, :func:`expiring_leaf`, :func:`ca_file` —
  trustme certificate authorities and leaf certificates (valid, expired, expiring soon), and
  the CA's PEM written to a file (for ``LAKSANA_MONITOR_CA_FILE``).

Example::

    with http_server({"/": Reply(500, b"boom")}) as server:
        ... server.url + "/" ...
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

__all__ = [
    "Reply",
    "Request",
    "Server",
    "ca_file",
    "closed_port",
    "expired_leaf",
    "expiring_leaf",
    "http_server",
    "leaf",
    "new_ca",
    "tcp_listener",
    "tls_server",
]


@dataclass(frozen=True)
class Reply:
    """What the server answers on one path.

    ``delay`` seconds are slept before the status line; ``redirect`` sets ``Location`` (the
    status then defaults to what is given, e.g. 302); ``stream_bytes`` > 0 sends a body of that
    many bytes (``body`` first, then ``b"a"`` filler, then ``tail``) in chunks of
    ``chunk`` bytes with a small socket send buffer, counting what was written."""

    status: int = 200
    body: bytes = b"ok"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    redirect: str | None = None
    stream_bytes: int = 0
    tail: bytes = b""
    chunk: int = 16 * 1024


@dataclass
class Request:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    """A running test server."""

    url: str
    port: int
    requests: list[Request] = field(default_factory=list)
    bytes_sent: int = 0
    completed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Client hang-ups and refused handshakes are part of the tests: stay silent."""


def _handler(
    routes: Mapping[str, Reply], state: Server, tls: ssl.SSLContext | None
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            if tls is not None:
                self.request = tls.wrap_socket(self.request, server_side=True)
            super().setup()

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            with state.lock:
                state.requests.append(
                    Request(
                        self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                    )
                )
            reply = routes.get(path) or routes.get("*") or Reply(404, b"not found")
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.redirect is not None:
                self.send_header("Location", reply.redirect)
            if reply.stream_bytes:
                self._stream(reply, path, with_body)
                return
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if with_body:
                self.wfile.write(reply.body)
                with state.lock:
                    state.bytes_sent += len(reply.body)
                    state.completed.append(path)

        def _stream(self, reply: Reply, path: str, with_body: bool) -> None:
            total = reply.stream_bytes
            self.send_header("Content-Length", str(total))
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.flush()
            if not with_body:
                return
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * 1024)
            filler = total - len(reply.body) - len(reply.tail)
            parts = [reply.body, b"a" * max(filler, 0), reply.tail]
            data = memoryview(b"".join(parts)[:total])
            sent = 0
            try:
                while sent < total:
                    piece = data[sent : sent + reply.chunk]
                    self.connection.sendall(piece)
                    sent += len(piece)
                    with state.lock:
                        state.bytes_sent += len(piece)
            except OSError:
                self.close_connection = True
                return
            with state.lock:
                state.completed.append(path)

        def do_GET(self) -> None:
            self._answer(True)

        def do_POST(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

    return Handler


@contextmanager
def http_server(
    routes: Mapping[str, Reply] | None = None, *, tls: trustme.LeafCert | None = None
) -> Iterator[Server]:
    """An HTTP server (HTTPS with ``tls``) answering ``routes`` (path → :class:`Reply`;
    ``"*"`` answers every other path; default: ``"/"`` answers 200 ``ok``)."""
    routes = dict(routes or {"/": Reply()})
    context: ssl.SSLContext | None = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.configure_cert(context)
    state = Server(url="", port=0)
    httpd = _Quiet(("127.0.0.1", 0), _handler(routes, state, context))
    state.port = httpd.server_address[1]
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{state.port}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextmanager
def tls_server(
    cert: trustme.LeafCert, routes: Mapping[str, Reply] | None = None
) -> Iterator[Server]:
    """An HTTPS server presenting ``cert`` (see :func:`http_server`)."""
    with http_server(routes, tls=cert) as server:
        yield server


@contextmanager
def tcp_listener() -> Iterator[int]:
    """A listening TCP socket on 127.0.0.1 that accepts and closes connections; yields its
    port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _addr = sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: a connection there is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def new_ca() -> trustme.CA:
    """A new certificate authority (not trusted by anything until its PEM is given)."""
    return trustme.CA()


def leaf(ca: trustme.CA, *names: str) -> trustme.LeafCert:
    """A certificate valid now for ``names`` (default ``127.0.0.1`` and ``localhost``)."""
    return ca.issue_cert(*(names or ("127.0.0.1", "localhost")))


def expired_leaf(ca: trustme.CA, *names: str, days_ago: int = 3) -> trustme.LeafCert:
    """A certificate that expired ``days_ago`` days ago (its notAfter at midnight UTC)."""
    not_after = _midnight() - dt.timedelta(days=days_ago)
    return ca.issue_cert(
        *(names or ("127.0.0.1", "localhost")),
        not_before=not_after - dt.timedelta(days=30),
        not_after=not_after,
    )


def expiring_leaf(ca: trustme.CA, *names: str, days: int = 3) -> trustme.LeafCert:
    """A certificate that expires in ``days`` days (at midnight UTC)."""
    return ca.issue_cert(
        *(names or ("127.0.0.1", "localhost")),
        not_after=_midnight() + dt.timedelta(days=days),
    )


def ca_file(ca: trustme.CA, directory: Path) -> Path:
    """The CA's certificate written as PEM to ``directory/ca.pem``."""
    path = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def _midnight() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def run_async(awaitable: Any) -> Any:
    """``asyncio.run`` of a coroutine in a thread of its own: the suite's browser tests keep
    Playwright's event loop running in the main thread, where ``asyncio.run`` is refused
    (the scheduler runs its checks in a thread of their own for the same reason)."""
    import asyncio

    results: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(awaitable))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]
