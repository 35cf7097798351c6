"""The checks against real local servers: HTTP statuses, timeouts, refused connections,
keywords, latency, redirects, headers, the body limit, certificates (valid, expired,
self-signed, expiring, wrong host), TCP ports and DNS names."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from django.utils import translation

from laksana.monitoring.models import Monitor
from laksana.monitoring.netguard import make_client
from laksana.monitoring.probes import Error, Outcome, Spec, check, describe

from .servers import (
    Reply,
    ca_file,
    closed_port,
    expired_leaf,
    expiring_leaf,
    http_server,
    leaf,
    new_ca,
    run_async,
    tcp_listener,
    tls_server,
)

BASE = Spec(
    id=7,
    kind="http",
    target="",
    method="GET",
    expected_statuses="200-399",
    keyword="",
    keyword_absent=False,
    max_latency_ms=None,
    follow_redirects=True,
    headers={},
    tls_min_days=7,
    dns_expected="",
    timeout_seconds=5,
)


def spec(target: str, **changes: object) -> Spec:
    return replace(BASE, target=target, **changes)  # type: ignore[arg-type]


def run(the_spec: Spec) -> Outcome:
    async def go() -> Outcome:
        async with make_client(concurrency=4) as client:
            return await check(the_spec, client)

    return run_async(go())


@pytest.fixture
def ca(settings, tmp_path: Path):
    """A CA the checks trust (LAKSANA_MONITOR_CA_FILE)."""
    authority = new_ca()
    settings.LAKSANA_MONITOR_CA_FILE = str(ca_file(authority, tmp_path))
    return authority


# --- HTTP ---------------------------------------------------------------------------------


def test_http_up_gives_status_and_latency():
    with http_server({"/": Reply(200, b"hello")}) as server:
        outcome = run(spec(server.url + "/"))
    assert outcome.ok, outcome
    assert outcome.error == "" and outcome.detail == ""
    assert outcome.status_code == 200
    assert outcome.latency_ms is not None and outcome.latency_ms < 2000
    assert outcome.monitor_id == 7
    assert outcome.at.tzinfo is not None
    assert outcome.cert_expires_at is None


def test_http_500_is_down_with_the_code():
    with http_server({"/": Reply(500, b"boom")}) as server:
        outcome = run(spec(server.url + "/"))
    assert not outcome.ok
    assert (outcome.error, outcome.detail, outcome.status_code) == ("status", "500", 500)


def test_expected_statuses_decide():
    with http_server({"/": Reply(404, b"gone")}) as server:
        assert not run(spec(server.url + "/")).ok
        assert run(spec(server.url + "/", expected_statuses="200,404")).ok


def test_timeout_is_down_with_the_seconds():
    with http_server({"/": Reply(200, b"late", delay=2.5)}) as server:
        started = time.monotonic()
        outcome = run(spec(server.url + "/", timeout_seconds=1))
        elapsed = time.monotonic() - started
    assert (outcome.error, outcome.detail) == ("timeout", "1")
    assert outcome.latency_ms is None
    assert elapsed < 2.0


def test_connection_refused():
    port = closed_port()
    outcome = run(spec(f"http://127.0.0.1:{port}/"))
    assert (outcome.error, outcome.detail) == ("refused", f"127.0.0.1:{port}")
    assert outcome.latency_ms is None and outcome.status_code is None


def test_keyword_missing_and_present():
    with http_server({"/": Reply(200, b"<h1>Selamat datang di IPAS</h1>")}) as server:
        assert run(spec(server.url + "/", keyword="IPAS")).ok
        missing = run(spec(server.url + "/", keyword="Maintenance"))
        assert (missing.error, missing.detail) == ("keyword_missing", "Maintenance")
        absent_ok = run(spec(server.url + "/", keyword="Maintenance", keyword_absent=True))
        assert absent_ok.ok
        present = run(spec(server.url + "/", keyword="IPAS", keyword_absent=True))
        assert (present.error, present.detail) == ("keyword_present", "IPAS")


def test_keyword_across_chunks_is_found():
    body = b"x" * 20_000 + b"NEEDLE" + b"y" * 100
    with http_server({"/": Reply(stream_bytes=len(body), body=body, chunk=20_003)}) as server:
        assert run(spec(server.url + "/", keyword="NEEDLE")).ok


def test_slow_answer_over_max_latency():
    with http_server({"/": Reply(200, b"ok", delay=0.3)}) as server:
        outcome = run(spec(server.url + "/", max_latency_ms=100))
        fast_enough = run(spec(server.url + "/", max_latency_ms=3000))
    assert outcome.error == "slow"
    took, limit = outcome.detail.split("/")
    assert int(took) >= 300 and limit == "100"
    assert outcome.status_code == 200
    assert fast_enough.ok


def test_redirect_followed_or_judged_by_its_own_status():
    with http_server(
        {"/old": Reply(302, b"", redirect="/new"), "/new": Reply(500, b"broken")}
    ) as server:
        followed = run(spec(server.url + "/old"))
        not_followed = run(spec(server.url + "/old", follow_redirects=False))
        strict = run(spec(server.url + "/old", follow_redirects=False, expected_statuses="200"))
        paths = [r.path for r in server.requests]
    assert (followed.error, followed.detail) == ("status", "500")
    assert not_followed.ok and not_followed.status_code == 302
    assert (strict.error, strict.detail) == ("status", "302")
    assert paths == ["/old", "/new", "/old", "/old"]


def test_redirect_loop_is_too_many_redirects():
    with http_server({"/loop": Reply(302, b"", redirect="/loop")}) as server:
        outcome = run(spec(server.url + "/loop"))
    assert outcome.error == "redirects"


def test_headers_and_method_are_sent():
    with http_server() as server:
        assert run(spec(server.url + "/", headers={"X-Token": "rahasia"}, method="HEAD")).ok
        request = server.requests[-1]
    assert request.method == "HEAD"
    assert request.headers["x-token"] == "rahasia"
    assert "cookie" not in request.headers


def test_no_cookie_is_kept_between_checks():
    with http_server({"/": Reply(200, b"ok", headers={"Set-Cookie": "sid=abc; Path=/"})}) as s:

        async def twice() -> None:
            async with make_client(concurrency=2) as client:
                await check(spec(s.url + "/"), client)
                await check(spec(s.url + "/"), client)

        run_async(twice())
        assert [r.headers.get("cookie") for r in s.requests] == [None, None]


def test_body_read_at_most_to_the_limit(settings):
    """A 10 MB body with the keyword after the limit: the keyword is not found and the server
    could not write the whole body (the check hung up after the limit)."""
    settings.LAKSANA_MONITOR_BODY_LIMIT = 64 * 1024
    size = 10 * 1024 * 1024
    with http_server({"/big": Reply(stream_bytes=size, tail=b"NEEDLE")}) as server:
        outcome = run(spec(server.url + "/big", keyword="NEEDLE"))
        time.sleep(0.2)
        sent = server.bytes_sent
        completed = list(server.completed)
    assert (outcome.error, outcome.detail) == ("keyword_missing", "NEEDLE")
    assert "/big" not in completed
    assert sent < size // 2


def test_keyword_within_the_limit_is_found(settings):
    settings.LAKSANA_MONITOR_BODY_LIMIT = 64 * 1024
    body = b"a" * 1000 + b"NEEDLE"
    with http_server({"/": Reply(stream_bytes=10 * 1024 * 1024, body=body)}) as server:
        assert run(spec(server.url + "/", keyword="NEEDLE")).ok


def test_unexpected_exception_becomes_error(monkeypatch):
    from laksana.monitoring import probes

    async def boom(*args: object) -> None:
        raise ZeroDivisionError("x")

    monkeypatch.setattr(probes, "_http", boom)
    outcome = run(spec("http://127.0.0.1:1/"))
    assert (outcome.ok, outcome.error, outcome.detail) == (False, "error", "ZeroDivisionError")


def test_bad_target_becomes_error_not_exception():
    outcome = run(spec("ftp://example.test/"))
    assert (outcome.ok, outcome.error, outcome.detail) == (False, "error", "TargetError")


# --- HTTPS --------------------------------------------------------------------------------


def test_https_valid_certificate_reports_its_expiry(ca):
    cert = leaf(ca)
    with tls_server(cert) as server:
        outcome = run(spec(server.url + "/"))
    assert outcome.ok, outcome
    assert outcome.cert_expires_at is not None
    assert outcome.cert_expires_at > dt.datetime.now(dt.UTC) + dt.timedelta(days=300)


def test_https_expired_certificate(ca):
    cert = expired_leaf(ca, days_ago=3)
    expected = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).date().isoformat()
    with tls_server(cert) as server:
        outcome = run(spec(server.url + "/"))
    assert (outcome.error, outcome.detail) == ("tls_expired", expected)


def test_https_self_signed_is_untrusted(ca):
    stranger = new_ca()
    with tls_server(leaf(stranger)) as server:
        outcome = run(spec(server.url + "/"))
    assert outcome.error == "tls_untrusted"


def test_https_expiring_soon_is_down(ca):
    with tls_server(expiring_leaf(ca, days=3)) as server:
        soon = run(spec(server.url + "/", tls_min_days=7))
        relaxed = run(spec(server.url + "/", tls_min_days=1))
    assert soon.error == "tls_expiring"
    assert soon.detail == (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()
    assert soon.cert_expires_at is not None
    assert relaxed.ok


def test_https_hostname_mismatch(ca):
    with tls_server(leaf(ca, "intranet.example")) as server:
        outcome = run(spec(f"https://localhost:{server.port}/"))
    assert (outcome.error, outcome.detail) == ("tls_hostname", "localhost")


# --- TLS ----------------------------------------------------------------------------------


def test_tls_valid(ca):
    with tls_server(leaf(ca)) as server:
        outcome = run(spec(f"localhost:{server.port}", kind="tls"))
    assert outcome.ok, outcome
    assert outcome.cert_expires_at is not None and outcome.latency_ms is not None


def test_tls_expired_self_signed_expiring_and_mismatch(ca):
    expected = (dt.datetime.now(dt.UTC) - dt.timedelta(days=5)).date().isoformat()
    with tls_server(expired_leaf(ca, days_ago=5)) as server:
        expired = run(spec(f"127.0.0.1:{server.port}", kind="tls"))
    with tls_server(leaf(new_ca())) as server:
        untrusted = run(spec(f"127.0.0.1:{server.port}", kind="tls"))
    with tls_server(expiring_leaf(ca, days=2)) as server:
        expiring = run(spec(f"localhost:{server.port}", kind="tls", tls_min_days=14))
    with tls_server(leaf(ca, "intranet.example")) as server:
        mismatch = run(spec(f"localhost:{server.port}", kind="tls"))
    assert (expired.error, expired.detail) == ("tls_expired", expected)
    assert untrusted.error == "tls_untrusted"
    assert expiring.error == "tls_expiring" and expiring.cert_expires_at is not None
    assert (mismatch.error, mismatch.detail) == ("tls_hostname", "localhost")


def test_tls_refused():
    port = closed_port()
    outcome = run(spec(f"127.0.0.1:{port}", kind="tls"))
    assert outcome.error == "refused"


# --- TCP and DNS --------------------------------------------------------------------------


def test_tcp_open_and_closed():
    with tcp_listener() as port:
        up = run(spec(f"127.0.0.1:{port}", kind="tcp"))
    closed = closed_port()
    down = run(spec(f"127.0.0.1:{closed}", kind="tcp"))
    assert up.ok and up.latency_ms is not None
    assert (down.error, down.detail) == ("refused", f"127.0.0.1:{closed}")


def test_dns_resolves_or_not():
    ok = run(spec("localhost", kind="dns"))
    expected = run(spec("localhost", kind="dns", dns_expected="127.0.0.1"))
    mismatch = run(spec("localhost", kind="dns", dns_expected="192.0.2.1"))
    missing = run(spec("tidak-ada.invalid", kind="dns"))
    assert ok.ok and ok.latency_ms is not None
    assert expected.ok
    assert mismatch.error == "dns_mismatch" and "127.0.0.1" in mismatch.detail
    assert (missing.error, missing.detail) == ("dns", "tidak-ada.invalid")


def test_http_to_unresolvable_name_is_dns():
    outcome = run(spec("http://tidak-ada.invalid/"))
    assert (outcome.error, outcome.detail) == ("dns", "tidak-ada.invalid")


# --- many checks, one client ----------------------------------------------------------------


def test_client_limits_follow_concurrency():
    client = make_client(concurrency=17)
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections == 17
    run_async(client.aclose())


def test_many_checks_share_one_client():
    with http_server({"/": Reply(200, b"ok", delay=0.2)}) as server:

        async def go() -> list[Outcome]:
            async with make_client(concurrency=20) as client:
                specs = [replace(spec(server.url + "/"), id=i) for i in range(40)]
                return await asyncio.gather(*(check(s, client) for s in specs))

        started = time.monotonic()
        outcomes = run_async(go())
        elapsed = time.monotonic() - started
    assert all(o.ok for o in outcomes)
    assert sorted(o.monitor_id for o in outcomes) == list(range(40))
    assert elapsed < 2.0  # 40 answers of 0.2 s, 20 at once: about 0.4 s, not 8 s


# --- Spec and describe ----------------------------------------------------------------------


def test_spec_of_a_monitor():
    monitor = Monitor(
        pk=3,
        kind="http",
        target="https://a.example/",
        method="HEAD",
        expected_statuses="200",
        keyword="ok",
        keyword_absent=True,
        max_latency_ms=900,
        follow_redirects=False,
        headers={"X-A": "1"},
        tls_min_days=10,
        dns_expected="",
        timeout_seconds=4,
    )
    assert Spec.of(monitor) == Spec(
        id=3,
        kind="http",
        target="https://a.example/",
        method="HEAD",
        expected_statuses="200",
        keyword="ok",
        keyword_absent=True,
        max_latency_ms=900,
        follow_redirects=False,
        headers={"X-A": "1"},
        tls_min_days=10,
        dns_expected="",
        timeout_seconds=4,
    )


def test_describe_in_indonesian():
    with translation.override("id"):
        assert describe("", "") == ""
        assert describe("status", "500") == "HTTP 500"
        assert describe("timeout", "10") == "Tidak menjawab dalam 10 detik"
        assert describe("refused", "127.0.0.1:80") == "Koneksi ditolak"
        assert describe("keyword_missing", "IPAS") == "Kata kunci “IPAS” tidak ditemukan"
        assert describe("tls_expired", "2026-01-31") == "Sertifikat kedaluwarsa pada 2026-01-31"
        assert describe("tls_untrusted", "x") == "Sertifikat tidak dipercaya"
        assert "203.0.113.9" in describe("address_refused", "203.0.113.9")
        assert "tidak boleh" in describe("address_refused", "203.0.113.9")
        for error in Error:
            text = describe(error.value, "x" * 500)
            assert text and len(text) < 320


def test_every_error_has_a_translation():
    for error in Error:
        if error == Error.STATUS:  # "HTTP 500" in both languages
            continue
        with translation.override("en"):
            english = describe(error.value, "1/2")
        with translation.override("id"):
            indonesian = describe(error.value, "1/2")
        assert english != indonesian, error


def test_client_is_httpx():
    assert isinstance(make_client(concurrency=1), httpx.AsyncClient)
