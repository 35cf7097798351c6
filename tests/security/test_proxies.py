"""Behind a reverse proxy (``LAKSANA_BEHIND_PROXY``) the forwarded headers are believed only
when the connection comes from one of ``LAKSANA_PROXY_ADDRESSES``: anyone else reaching the
server directly cannot choose the address the sign-in lockout and the rate limit count, nor
claim HTTPS."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from laksana.accounts.throttle import client_ip
from laksana.web.proxies import client_address

PROXY = "10.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.LAKSANA_BEHIND_PROXY = True
    settings.LAKSANA_PROXY_ADDRESSES = ("10.0.0.0/29", "fd00::1/128")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def request(peer: str, forwarded: str | None = None, proto: str | None = None):
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    if proto is not None:
        meta["HTTP_X_FORWARDED_PROTO"] = proto
    return RequestFactory().get("/", **meta)


def test_a_direct_client_cannot_choose_its_address(behind_proxy) -> None:
    # Today's code took the last X-Forwarded-For entry from anyone: an attacker reaching the
    # server directly sent a new address with every guess and was never locked out.
    attacker = request("203.0.113.9", forwarded="198.51.100.1")
    assert client_ip(attacker) == "203.0.113.9"
    assert client_address(attacker) == "203.0.113.9"


def test_from_the_proxy_the_appended_address_counts(behind_proxy) -> None:
    assert client_address(request(PROXY, forwarded="1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_address(request("fd00::1", forwarded="2001:db8::5")) == "2001:db8::5"


def test_a_chain_of_proxies_is_walked_from_the_right(behind_proxy) -> None:
    # client -> proxy 10.0.0.2 -> proxy 10.0.0.1 -> server: the last untrusted hop counts.
    got = client_address(request(PROXY, forwarded="6.6.6.6, 203.0.113.7, 10.0.0.2"))
    assert got == "203.0.113.7"


def test_garbage_in_the_forwarded_header_is_not_an_address(behind_proxy) -> None:
    assert client_address(request(PROXY, forwarded="not-an-ip")) == PROXY
    assert client_address(request(PROXY, forwarded="")) == PROXY


def test_without_the_setting_nothing_forwarded_is_believed(settings) -> None:
    settings.LAKSANA_BEHIND_PROXY = False
    assert client_address(request(PROXY, forwarded="203.0.113.7")) == PROXY


def test_a_direct_client_cannot_claim_https(behind_proxy) -> None:
    behind_proxy.SECURE_SSL_REDIRECT = True
    direct = Client(REMOTE_ADDR="203.0.113.9")
    response = direct.get("/akun/masuk/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    via_proxy = Client(REMOTE_ADDR=PROXY)
    assert via_proxy.get("/akun/masuk/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
