"""Requests without a sign-in (the sign-in page, the public procedure library and its
documents, the API's documentation) are limited per client address: past
``LAKSANA_PUBLIC_RATE_LIMIT`` requests in a minute the answer is 429 with ``Retry-After`` and a
translated page (the API's error format under /api/). The count is kept in the database, so
every worker process of the server shares it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from laksana.accounts.services import issue_token
from laksana.demo.orgs import SOP_002
from laksana.web import ratelimit
from laksana.web.models import RequestCount

LIMIT = 3


# The middle of one minute of the clock: the counts are per minute, and a test whose requests
# straddled a minute's end would see its count start again.
FROZEN = 1_800_000_030.0


@pytest.fixture
def limited(settings, monkeypatch):
    settings.LAKSANA_PUBLIC_RATE_LIMIT = LIMIT
    monkeypatch.setattr(ratelimit, "_clock", lambda: FROZEN)
    return settings


def test_the_public_library_answers_429_past_the_limit(limited, versions) -> None:
    # Today nothing counts: an anonymous client could ask for rendered documents forever.
    client = Client(REMOTE_ADDR="203.0.113.5")
    urls = [
        reverse("procedures:list"),
        reverse("procedures:detail", args=[SOP_002]),
        reverse("procedures:yaml", args=[SOP_002]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200
    response = client.get(reverse("procedures:pdf", args=[SOP_002]))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "Terlalu banyak permintaan" in page  # Indonesian, the site's language
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.6").get(urls[0]).status_code == 200


def test_the_sign_in_page_is_limited_too(limited, db) -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(LIMIT):
        client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 429


def test_the_api_documentation_answers_in_the_api_format(limited, db) -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(LIMIT):
        assert client.get(reverse("api:openapi-json")).status_code == 200
    response = client.get(reverse("api:openapi-json"), HTTP_AUTHORIZATION="Bearer made-up")
    assert response.status_code == 429 and response["Retry-After"]
    assert response.json()["code"] == "throttled"


def test_signed_in_people_and_valid_tokens_are_not_counted(limited, bali) -> None:
    person = bali["kadis"]
    assert person.user is not None
    session = Client(REMOTE_ADDR="203.0.113.5")
    session.force_login(person.user)
    for _ in range(LIMIT + 3):
        assert session.get(reverse("procedures:list")).status_code == 200
    _token, secret = issue_token(person, "test")
    api = Client(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {secret}")
    for _ in range(LIMIT + 3):
        assert api.get("/api/me").status_code == 200
    assert not RequestCount.objects.filter(address="203.0.113.5").exists()
    # A made-up token on an operation is counted like any anonymous request.
    stranger = Client(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer made-up")
    answers = [stranger.get("/api/me").status_code for _ in range(LIMIT + 1)]
    assert answers == [401] * LIMIT + [429]


def test_the_count_is_shared_through_the_database(limited, db) -> None:
    # Another worker process counted this address's requests already this minute.
    RequestCount.objects.create(address="203.0.113.5", minute=ratelimit.current_minute(), count=3)
    response = Client(REMOTE_ADDR="203.0.113.5").get(reverse("login"))
    assert response.status_code == 429


def test_zero_turns_the_limit_off(settings, db) -> None:
    settings.LAKSANA_PUBLIC_RATE_LIMIT = 0
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert all(client.get(reverse("login")).status_code == 200 for _ in range(5))
    assert not RequestCount.objects.exists()


def test_old_minutes_are_forgotten(limited, db) -> None:
    now = ratelimit.current_minute()
    RequestCount.objects.create(address="198.51.100.1", minute=now - 5, count=99)
    RequestCount.objects.create(address="198.51.100.2", minute=now, count=1)
    ratelimit.forget_old(now)
    assert list(RequestCount.objects.values_list("address", flat=True)) == ["198.51.100.2"]
