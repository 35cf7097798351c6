"""Where checks may go: metadata and link-local addresses refused whatever the settings say,
redirect hops checked before any connection, names resolving to refused addresses refused,
the allowed networks from the settings, the address checked is the address connected to."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from laksana.monitoring import netguard
from laksana.monitoring.netguard import AddressRefused, make_client, refusal, resolve
from laksana.monitoring.probes import Outcome, Spec, check

from .servers import Reply, http_server, run_async, tcp_listener

BASE = Spec(
    id=1,
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
    timeout_seconds=3,
)


def run(target: str, **changes: object) -> Outcome:
    the_spec = replace(BASE, target=target, **changes)  # type: ignore[arg-type]

    async def go() -> Outcome:
        async with make_client(concurrency=2) as client:
            return await check(the_spec, client)

    return run_async(go())


@pytest.fixture
def connections(monkeypatch):
    """Every address the guarded backend asks the real backend to connect to."""
    seen: list[tuple[str, int]] = []
    inner = netguard.AutoBackend.connect_tcp

    async def spy(self, host, port, *args, **kwargs):
        seen.append((host, port))
        return await inner(self, host, port, *args, **kwargs)

    monkeypatch.setattr(netguard.AutoBackend, "connect_tcp", spy)
    return seen


@pytest.fixture
def fake_dns(monkeypatch):
    """Names a test makes resolve to given addresses (others resolve as usual)."""
    names: dict[str, list[str]] = {}
    real = netguard._getaddrinfo

    async def lookup(host: str, port: int) -> list[str]:
        if host in names:
            return list(names[host])
        return await real(host, port)

    monkeypatch.setattr(netguard, "_getaddrinfo", lookup)
    return names


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.0.1",
        "fe80::1",
        "fd00:ec2::254",
        "100.100.100.200",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "255.255.255.255",
        "::ffff:169.254.169.254",
        "::ffff:100.100.100.200",
    ],
)
def test_always_refused_even_when_everything_is_allowed(settings, address):
    settings.LAKSANA_MONITOR_NETWORKS = ("0.0.0.0/0", "::/0")
    assert refusal(address) is not None


def test_default_networks_allow_private_and_this_host_only():
    for address in ("127.0.0.1", "10.1.2.3", "192.168.1.10", "172.20.0.5", "::1", "fd12::1"):
        assert refusal(address) is None, address
    for address in ("8.8.8.8", "203.0.113.9", "2001:db8::1", "not-an-address"):
        assert refusal(address) is not None, address
    assert refusal("::ffff:127.0.0.1") is None
    assert refusal("::ffff:8.8.8.8") is not None


def test_narrowed_networks_refuse_this_host(settings):
    settings.LAKSANA_MONITOR_NETWORKS = ("10.0.0.0/8",)
    assert refusal("127.0.0.1") == "127.0.0.1"
    assert refusal("10.9.9.9") is None


def test_narrowed_networks_refuse_a_check_of_this_host(settings, connections):
    settings.LAKSANA_MONITOR_NETWORKS = ("10.0.0.0/8",)
    with http_server() as server:
        outcome = run(server.url + "/")
        assert server.requests == []
    assert (outcome.error, outcome.detail) == ("address_refused", "127.0.0.1")
    assert connections == []


def test_redirect_to_metadata_is_refused_before_connecting(connections):
    with http_server(
        {"/": Reply(302, b"", redirect="http://169.254.169.254/latest/meta-data/")}
    ) as server:
        outcome = run(server.url + "/")
    assert (outcome.ok, outcome.error, outcome.detail) == (
        False,
        "address_refused",
        "169.254.169.254",
    )
    assert [host for host, _port in connections] == ["127.0.0.1"]


def test_redirect_to_a_name_of_a_refused_address_is_refused(fake_dns, connections):
    fake_dns["metadata.example"] = ["169.254.169.254"]
    with http_server({"/": Reply(302, b"", redirect="http://metadata.example/")}) as server:
        outcome = run(server.url + "/")
    assert (outcome.error, outcome.detail) == ("address_refused", "169.254.169.254")
    assert [host for host, _port in connections] == ["127.0.0.1"]


def test_a_name_resolving_to_a_refused_address_is_refused(fake_dns, connections):
    fake_dns["intranet.example"] = ["10.0.0.5", "fd00:ec2::254"]
    for kind, target in (
        ("http", "http://intranet.example/"),
        ("tcp", "intranet.example:80"),
        ("tls", "intranet.example:443"),
    ):
        outcome = run(target, kind=kind)
        assert (outcome.error, outcome.detail) == ("address_refused", "fd00:ec2::254"), kind
    assert connections == []


def test_connects_to_the_checked_address_not_a_second_lookup(fake_dns, connections):
    """The name is resolved once, by the guard; the connection goes to that address."""
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    netguard._getaddrinfo = rebinding  # restored by monkeypatch of fake_dns
    with http_server() as server:
        outcome = run(f"http://rebind.example:{server.port}/")
        assert len(server.requests) == 1
    assert outcome.ok, outcome
    assert calls == ["rebind.example"]
    assert connections == [("127.0.0.1", server.port)]


def test_resolve_checks_every_address(fake_dns):
    fake_dns["mixed.example"] = ["127.0.0.1", "169.254.169.254"]
    with pytest.raises(AddressRefused) as refused:
        run_async(resolve("mixed.example", 80))
    assert refused.value.address == "169.254.169.254"
    assert "169.254.169.254" in refused.value.message
    assert run_async(resolve("127.0.0.1", 80)) == ["127.0.0.1"]
    assert run_async(resolve("[::1]", 80)) == ["::1"]


def test_resolve_of_a_missing_name_raises_gaierror():
    with pytest.raises(socket.gaierror):
        run_async(resolve("tidak-ada.invalid", 80))


def test_tcp_check_is_guarded_too(settings):
    settings.LAKSANA_MONITOR_NETWORKS = ("192.168.0.0/16",)
    with tcp_listener() as port:
        outcome = run(f"127.0.0.1:{port}", kind="tcp")
    assert (outcome.error, outcome.detail) == ("address_refused", "127.0.0.1")


def test_ssl_context_trusts_the_extra_ca_file(settings, tmp_path):
    from .servers import ca_file, new_ca

    before = netguard.ssl_context().cert_store_stats()["x509_ca"]
    settings.LAKSANA_MONITOR_CA_FILE = str(ca_file(new_ca(), tmp_path))
    after = netguard.ssl_context().cert_store_stats()["x509_ca"]
    assert after == before + 1
    assert netguard.ssl_context().check_hostname
