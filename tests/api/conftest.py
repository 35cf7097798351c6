"""API test helpers: a client that sends a person's token, and opening cases through it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from laksana.accounts.services import issue_token
from laksana.org.models import Person


class Api:
    """The Django test client speaking to /api/ with one person's bearer token."""

    def __init__(self, client: Client, secret: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api{path}", params or {}, **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """A JSON request."""
        return self.client.post(
            f"/api{path}", json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def post_form(self, path: str, data: dict[str, Any]) -> Any:
        """A multipart request (files and form fields)."""
        return self.client.post(f"/api{path}", data, **self.headers)


@pytest.fixture
def api_as(client: Client) -> Callable[[Person], Api]:
    """``api_as(person)``: an API client with a fresh token of ``person``."""

    def make(person: Person) -> Api:
        _token, secret = issue_token(person, "tests")
        return Api(client, secret)

    return make


@pytest.fixture
def anonymous(client: Client) -> Api:
    return Api(client, None)


def open_case(api: Api, title: str = "SIKESDA tidak bisa login", **extra: Any) -> dict[str, Any]:
    """Open a SOP 002 case through the API; its JSON."""
    response = api.post(
        "/cases", {"procedure": "sop-002-penanganan-masalah-aplikasi", "title": title, **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()
