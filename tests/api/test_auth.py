"""Who may call the API: a live token, or the signed-in session with its CSRF token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from laksana.accounts.services import issue_token, revoke_token

from .conftest import Api

pytestmark = pytest.mark.django_db


def test_it_answers_401_without_a_token(anonymous):
    response = anonymous.get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic ZGlua2VzOng=", "token"])
def test_it_answers_401_with_a_bad_token(client, bali, header):
    response = client.get("/api/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "field", "items"}


def test_it_answers_401_with_a_revoked_token(client, bali):
    token, secret = issue_token(bali["dinkes_staf"], "helpdesk")
    api = Api(client, secret)
    assert api.get("/me").status_code == 200
    revoke_token(token)
    assert api.get("/me").status_code == 401


def test_a_signed_in_session_can_read(client, bali):
    client.force_login(bali["dinkes_staf"].user)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["name"] == "Putu Eka Pratama"


def test_a_bad_token_is_not_rescued_by_the_session(client, bali):
    client.force_login(bali["dinkes_staf"].user)
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_session_writes_need_the_csrf_token(bali, sop002):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bali["dinkes_staf"].user)
    body = json.dumps({"procedure": sop002.procedure_key, "title": "Gangguan"})
    refused = browser.post("/api/cases", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    browser.get("/api/docs")  # the docs page hands out the CSRF cookie, as a site page does
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/cases", body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201, accepted.content


def test_a_token_needs_no_csrf_token(bali, sop002):
    _token, secret = issue_token(bali["dinkes_staf"], "helpdesk")
    program = Client(enforce_csrf_checks=True)
    response = program.post(
        "/api/cases",
        json.dumps({"procedure": sop002.procedure_key, "title": "Gangguan"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201
