"""Single sign-on with OpenID Connect, against a fake provider on 127.0.0.1.

The provider is a small threaded HTTP server in this file with everything mozilla-django-oidc
uses: discovery, the authorization endpoint (which signs the browser in at once and sends it
back with a code), the token endpoint (checking the client secret, the redirect URI and PKCE,
and answering with an RS256-signed ID token), UserInfo and the JWKS. Each test can make it
misbehave: sign with another key, name another audience or issuer, vouch for an unknown e-mail.
The Django test client drives the real flow: the start route, the provider, the callback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import runpy
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from laksana.accounts import oidc
from laksana.config import settings as settings_module
from laksana.org.models import Person

pytestmark = pytest.mark.django_db

CLIENT_ID = "laksana"
CLIENT_SECRET = "rahasia-klien-sso"
CALLBACK = "http://testserver/akun/sso/kembali/"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# One key pair for the whole module: generating RSA keys is the slow part.
PROVIDER_KEY = new_key()
FORGED_KEY = new_key()


@dataclass
class Provider:
    """What the fake provider answers; tests change the fields to make it misbehave."""

    url: str = ""
    email: str = "kabid@demo.laksana.local"
    email_verified: bool | None = True
    subject: str = "user-0001"
    userinfo_subject: str | None = None  # another subject in UserInfo than in the ID token
    audience: str = CLIENT_ID
    issuer: str | None = None  # default: its own URL
    signing_key: rsa.RSAPrivateKey = PROVIDER_KEY
    nonce_override: str | None = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> subject
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key()))
        return {"keys": [{**jwk, "kid": "kunci-1", "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> str:
        """The provider signs the browser in (as ``email``) and sends it back with a code."""
        assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        request = self.codes.pop(form.get("code", ""), None)
        if (
            request is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != request["redirect_uri"]
            or form.get("grant_type") != "authorization_code"
        ):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != request["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {
            "iss": self.issuer or self.url,
            "sub": self.subject,
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override or request["nonce"],
            "email": self.email,
        }
        id_token = jwt.encode(
            claims, self.signing_key, algorithm="RS256", headers={"kid": "kunci-1"}
        )
        access = secrets.token_urlsafe(16)
        self.tokens[access] = self.userinfo_subject or self.subject
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        subject = self.tokens.get(authorization.removeprefix("Bearer "))
        if subject is None:
            return 401, {"error": "invalid_token"}
        info: dict[str, Any] = {"sub": subject, "email": self.email}
        if self.email_verified is not None:
            info["email_verified"] = self.email_verified
        return 200, info


def handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self.answer(200, provider.discovery())
            elif parts.path == "/jwks":
                self.answer(200, provider.jwks())
            elif parts.path == "/userinfo":
                self.answer(*provider.userinfo(self.headers.get("Authorization", "")))
            elif parts.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
            else:
                self.answer(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/token":
                self.answer(*provider.token(form))
            else:
                self.answer(404, {"error": "not_found"})

    return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    oidc._discovered.pop(state.url, None)


@pytest.fixture
def sso_on(settings, provider: Provider) -> Provider:
    """OpenID Connect configured as the settings module does from LAKSANA_OIDC_* variables."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    settings.OIDC_TIMEOUT = 5
    settings.LAKSANA_OIDC_ISSUER = provider.url
    settings.LAKSANA_OIDC_PROVIDER_NAME = "SSO Pemprov Bali"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "laksana.accounts.oidc.PersonOIDCBackend",
    ]
    return provider


def start(client: Client, provider: Provider, next_url: str | None = None) -> str:
    """The sign-in button: Laksana sends the browser to the provider. Returns that URL."""
    url = reverse("oidc_authentication_init")
    response = client.get(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{provider.url}/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [CALLBACK]
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0].split()
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    return location


def sso(client: Client, provider: Provider, next_url: str | None = None):
    """The whole round trip; returns Laksana's answer to the callback."""
    at_provider = requests.get(start(client, provider, next_url), allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert f"http://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


NOT_VERIFIED = "answer could not be verified"


@pytest.fixture
def client() -> Client:
    """A browser that chose English, so the tests can read the reasons given."""
    browser = Client()
    browser.cookies["django_language"] = "en"
    return browser


def refused(response, text: str = "") -> None:
    assert response.status_code == 403
    assert "accounts/sso_refused.html" in [t.name for t in response.templates]
    if text:
        assert text in response.content.decode()


# --- signing in -------------------------------------------------------------------------------


def test_a_person_signs_in_through_the_provider(client: Client, bali, sso_on: Provider) -> None:
    response = sso(client, sso_on)
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert signed_in_as(client) == bali["kabid"].user.pk
    assert client.get(reverse("cases:inbox")).status_code == 200
    # The token request carried the client secret, the same redirect URI and the PKCE verifier.
    (form,) = sso_on.token_requests
    assert form["client_secret"] == CLIENT_SECRET and form["redirect_uri"] == CALLBACK
    assert form["code_verifier"]


def test_it_returns_to_the_page_asked_for(client: Client, bali, sso_on: Provider) -> None:
    response = sso(client, sso_on, next_url=reverse("cases:list"))
    assert response.status_code == 302 and response["Location"] == reverse("cases:list")
    assert signed_in_as(client) == bali["kabid"].user.pk


def test_a_person_without_an_account_gets_one_linked_to_them(
    client: Client, bali, sso_on: Provider
) -> None:
    wayan = Person.objects.create(
        agency=bali.agency,
        name="I Wayan Sudarma",
        unit=bali.units["dinkes"],
        email="Wayan.Sudarma@baliprov.go.id",
    )
    sso_on.email = "wayan.sudarma@baliprov.go.id"  # the provider's spelling
    response = sso(client, sso_on)
    assert response.status_code == 302
    wayan.refresh_from_db()
    assert wayan.user is not None and signed_in_as(client) == wayan.user.pk
    assert not wayan.user.has_usable_password() and wayan.user.email == wayan.email
    # The next time, the same account.
    client.logout()
    sso(client, sso_on)
    assert signed_in_as(client) == wayan.user.pk
    assert get_user_model().objects.filter(email__iexact=wayan.email).count() == 1


def test_the_endpoints_can_be_given_without_discovery(
    client: Client, bali, sso_on: Provider, settings
) -> None:
    settings.LAKSANA_OIDC_ISSUER = None
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{sso_on.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{sso_on.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{sso_on.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{sso_on.url}/jwks"
    assert sso(client, sso_on).status_code == 302
    assert signed_in_as(client) == bali["kabid"].user.pk


def test_the_sign_in_page_offers_the_provider(client: Client, sso_on: Provider) -> None:
    html = client.get(reverse("login")).content.decode()
    assert reverse("oidc_authentication_init") in html and "SSO Pemprov Bali" in html


# --- refusals ---------------------------------------------------------------------------------


def test_an_unknown_e_mail_gets_no_account(client: Client, bali, sso_on: Provider) -> None:
    users = get_user_model().objects.count()
    sso_on.email = "orang.asing@example.org"
    refused(sso(client, sso_on), "No one in Laksana has the e-mail address orang.asing@")
    assert signed_in_as(client) is None
    assert get_user_model().objects.count() == users


def test_a_token_signed_with_another_key_is_refused(client: Client, bali, sso_on: Provider) -> None:
    sso_on.signing_key = FORGED_KEY
    refused(sso(client, sso_on), NOT_VERIFIED)
    assert signed_in_as(client) is None


def test_a_token_for_another_client_is_refused(client: Client, bali, sso_on: Provider) -> None:
    sso_on.audience = "aplikasi-lain"
    refused(sso(client, sso_on), NOT_VERIFIED)
    assert signed_in_as(client) is None


def test_a_token_from_another_issuer_is_refused(client: Client, bali, sso_on: Provider) -> None:
    sso_on.issuer = "https://sso.penipu.example"
    refused(sso(client, sso_on), NOT_VERIFIED)
    assert signed_in_as(client) is None


def test_a_token_with_another_nonce_is_refused(client: Client, bali, sso_on: Provider) -> None:
    sso_on.nonce_override = "nonce-lama"
    refused(sso(client, sso_on), NOT_VERIFIED)
    assert signed_in_as(client) is None


def test_userinfo_about_someone_else_is_refused(client: Client, bali, sso_on: Provider) -> None:
    sso_on.userinfo_subject = "user-9999"
    refused(sso(client, sso_on), NOT_VERIFIED)
    assert signed_in_as(client) is None


def test_an_unverified_e_mail_is_refused(client: Client, bali, sso_on: Provider) -> None:
    sso_on.email_verified = False
    refused(sso(client, sso_on), "has not verified the e-mail address")
    assert signed_in_as(client) is None


def test_a_deactivated_account_is_refused(client: Client, bali, sso_on: Provider) -> None:
    user = bali["kabid"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    refused(sso(client, sso_on), "deactivated")
    assert signed_in_as(client) is None


def test_an_e_mail_shared_by_two_people_is_refused(client: Client, bali, sso_on: Provider) -> None:
    Person.objects.create(
        agency=bali.agency,
        name="Kembaran",
        unit=bali.units["bkd"],
        email="kabid@demo.laksana.local",
    )
    refused(sso(client, sso_on), "More than one person")
    assert signed_in_as(client) is None


def test_a_callback_without_a_started_sign_in_signs_nobody_in(
    client: Client, bali, sso_on: Provider
) -> None:
    response = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})
    assert response.status_code in (400, 403)
    assert signed_in_as(client) is None


def test_the_provider_s_error_is_shown(client: Client, sso_on: Provider) -> None:
    start(client, sso_on)
    response = client.get(
        reverse("oidc_authentication_callback"), {"error": "access_denied", "state": "x"}
    )
    refused(response, "did not sign you in")
    assert signed_in_as(client) is None


def test_a_password_sign_in_never_reaches_the_provider(
    client: Client, bali, sso_on: Provider
) -> None:
    # A password form posted to an address with ?code=&state= is a password sign-in only.
    url = reverse("login") + "?code=abc&state=def"
    response = client.post(url, {"username": "kabid", "password": "laksana-demo"})
    assert response.status_code == 302
    assert not sso_on.token_requests


def test_an_unreachable_provider_is_said_so(client: Client, sso_on: Provider, settings) -> None:
    settings.LAKSANA_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 503
    assert "could not be reached" in response.content.decode()
    assert signed_in_as(client) is None


# --- off unless configured ------------------------------------------------------------------


def test_without_configuration_there_is_no_sso(client: Client, bali) -> None:
    assert not oidc.configured()
    assert "laksana.accounts.oidc.PersonOIDCBackend" not in settings_module.AUTHENTICATION_BACKENDS
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    callback = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})
    assert callback.status_code == 404
    assert reverse("oidc_authentication_init") not in client.get(reverse("login")).content.decode()


# --- the settings module ----------------------------------------------------------------------

OIDC_VARIABLES = (
    "LAKSANA_OIDC_ISSUER",
    "LAKSANA_OIDC_CLIENT_ID",
    "LAKSANA_OIDC_CLIENT_SECRET",
    "LAKSANA_OIDC_CLIENT_SECRET_FILE",
    "LAKSANA_OIDC_AUTHORIZATION_ENDPOINT",
    "LAKSANA_OIDC_TOKEN_ENDPOINT",
    "LAKSANA_OIDC_USERINFO_ENDPOINT",
    "LAKSANA_OIDC_JWKS_ENDPOINT",
    "LAKSANA_OIDC_PROVIDER_NAME",
)


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def run(**env: str) -> dict[str, Any]:
        for name in OIDC_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LAKSANA_DATA_DIR", str(tmp_path / "data"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(settings_module.__file__)

    return run


def test_the_settings_turn_sso_on_from_the_variables(load, tmp_path: Path) -> None:
    secret = tmp_path / "oidc-secret"
    secret.write_text("dari-berkas\n")
    s = load(
        LAKSANA_OIDC_ISSUER="https://sso.baliprov.go.id/realms/pemprov/",
        LAKSANA_OIDC_CLIENT_ID="laksana",
        LAKSANA_OIDC_CLIENT_SECRET_FILE=str(secret),
        LAKSANA_OIDC_PROVIDER_NAME="SSO Pemprov",
    )
    assert s["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert s["AUTHENTICATION_BACKENDS"][-1] == "laksana.accounts.oidc.PersonOIDCBackend"
    assert s["LAKSANA_OIDC_ISSUER"] == "https://sso.baliprov.go.id/realms/pemprov"
    assert (s["OIDC_RP_CLIENT_ID"], s["OIDC_RP_CLIENT_SECRET"]) == ("laksana", "dari-berkas")
    assert s["OIDC_RP_SIGN_ALGO"] == "RS256" and s["OIDC_USE_PKCE"] is True
    assert s["LAKSANA_OIDC_PROVIDER_NAME"] == "SSO Pemprov"


def test_without_the_variables_the_settings_have_no_sso(load) -> None:
    s = load()
    assert "OIDC_RP_CLIENT_ID" not in s
    assert s["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"LAKSANA_OIDC_ISSUER": "https://sso.example.go.id"}, "LAKSANA_OIDC_CLIENT_ID"),
        (
            {"LAKSANA_OIDC_CLIENT_ID": "x", "LAKSANA_OIDC_CLIENT_SECRET": "y"},
            "LAKSANA_OIDC_AUTHORIZATION_ENDPOINT",
        ),
        (
            {"LAKSANA_OIDC_ISSUER": "https://sso.example.go.id", "LAKSANA_OIDC_CLIENT_ID": "x"},
            "LAKSANA_OIDC_CLIENT_SECRET",
        ),
    ],
)
def test_half_a_configuration_is_an_error(load, env: dict[str, str], missing: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=missing):
        load(**env)


def test_an_issuer_that_is_not_a_url_is_an_error(load) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_OIDC_ISSUER="):
        load(LAKSANA_OIDC_ISSUER="sso.example.go.id")


def test_a_missing_client_secret_file_is_an_error(load, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_OIDC_CLIENT_SECRET_FILE: cannot read"):
        load(
            LAKSANA_OIDC_ISSUER="https://sso.example.go.id",
            LAKSANA_OIDC_CLIENT_ID="laksana",
            LAKSANA_OIDC_CLIENT_SECRET_FILE=str(tmp_path / "tidak-ada"),
        )
