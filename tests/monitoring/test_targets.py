"""A monitor's target read from its text, and the expected status codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.monitoring.targets import (
    Target,
    TargetError,
    parse_statuses,
    parse_target,
    status_ok,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "http://ipas.example.go.id",
            Target("http", "ipas.example.go.id", 80, "http://ipas.example.go.id/"),
        ),
        (
            "HTTPS://IPAS.Example.go.id:443/a?b=1#frag",
            Target("http", "ipas.example.go.id", 443, "https://ipas.example.go.id/a?b=1"),
        ),
        (
            "http://10.0.0.5:8080/health",
            Target("http", "10.0.0.5", 8080, "http://10.0.0.5:8080/health"),
        ),
        ("https://[::1]:8443/", Target("http", "::1", 8443, "https://[::1]:8443/")),
        (
            "https://bücher.example/",
            Target("http", "xn--bcher-kva.example", 443, "https://xn--bcher-kva.example/"),
        ),
    ],
)
def test_http_targets(text, expected):
    assert parse_target("http", text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ipas.example.go.id",
        "ftp://ipas.example.go.id/",
        "file:///etc/passwd",
        "http://user:pw@ipas.example.go.id/",
        "http://ipas.example.go.id:0/",
        "http://ipas.example.go.id:70000/",
        "http://ipas example.go.id/",
        "http://ipas.example.go.id/\r\nX: y",
        "http:///path",
        "http://-bad-.example/",
        "http://" + "a" * 64 + ".example/",
        "http://[1.2.3.4]/",
        "http://" + "a" * 2000 + "/",
    ],
)
def test_bad_http_targets(text):
    with pytest.raises(TargetError):
        parse_target("http", text)


def test_tcp_tls_dns_targets():
    assert parse_target("tcp", "db.example:5432") == Target("tcp", "db.example", 5432, "")
    assert parse_target("tcp", "[fd00::5]:22") == Target("tcp", "fd00::5", 22, "")
    assert parse_target("tls", "ipas.example.go.id") == Target("tls", "ipas.example.go.id", 443, "")
    assert parse_target("tls", "ipas.example.go.id:8443") == Target(
        "tls", "ipas.example.go.id", 8443, ""
    )
    assert parse_target("tls", "https://ipas.example.go.id/x") == Target(
        "tls", "ipas.example.go.id", 443, ""
    )
    assert parse_target("tls", "fd00::5") == Target("tls", "fd00::5", 443, "")
    assert parse_target("dns", "IPAS.example.go.id.") == Target(
        "dns", "ipas.example.go.id", None, ""
    )


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("tcp", "db.example"),
        ("tcp", "db.example:port"),
        ("tcp", "db.example:99999"),
        ("tcp", "http://db.example/"),
        ("tcp", "[fd00::5"),
        ("tls", "http://ipas.example.go.id/"),
        ("dns", "10.0.0.1"),
        ("dns", "ipas.example.go.id:53"),
        ("dns", "https://ipas.example.go.id/"),
        ("smtp", "mail.example:25"),
    ],
)
def test_bad_other_targets(kind, text):
    with pytest.raises(TargetError):
        parse_target(kind, text)


def test_target_errors_are_translated_and_specific():
    with translation.override("id"):
        with pytest.raises(TargetError) as port:
            parse_target("tcp", "db.example")
        with pytest.raises(TargetError) as scheme:
            parse_target("http", "ftp://x.example/")
    assert str(port.value) == "Pemeriksaan TCP memerlukan port: tulis host:port."
    assert str(scheme.value) == "Alamat harus diawali http:// atau https://."


def test_statuses():
    assert parse_statuses("200-299,301") == [(200, 299), (301, 301)]
    assert parse_statuses(" 200 - 204 , 404 ") == [(200, 204), (404, 404)]
    ranges = parse_statuses("200-299,301")
    assert status_ok(ranges, 204) and status_ok(ranges, 301)
    assert not status_ok(ranges, 302) and not status_ok(ranges, 500)


@pytest.mark.parametrize(
    "text", ["", "abc", "200-", "99", "600", "200-700", "299-200", "2000", "200;300"]
)
def test_bad_statuses(text):
    with pytest.raises(ValueError):
        parse_statuses(text)
