"""Single sign-on with the agency's OpenID Connect provider (Keycloak and the like), through
mozilla-django-oidc.

It is on only when ``settings`` name a client id, a client secret and the provider (the issuer,
whose discovery document gives the endpoints, or the endpoints themselves); the settings module
sets them from ``LAKSANA_OIDC_*`` variables and then also installs :class:`PersonOIDCBackend`.
The two routes (``oidc_authentication_init``, ``oidc_authentication_callback``) are always in
the URL configuration and answer 404 while it is off, so the URL map does not depend on the
environment.

The flow is the authorization-code flow with state, nonce and PKCE. The ID token must be
signed (RS256) by a key of the provider's JWKS and name this client as its audience and the
configured issuer as its issuer; the person is then found by the e-mail address the provider
gives (:func:`laksana.accounts.services.account_for_sso`): a person of an agency with that
address signs in as their account, which is created and linked on the first sign-on. Nobody
else gets an account.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from laksana.accounts import services

log = logging.getLogger(__name__)

# The request attribute where the backend leaves the reason of a refused sign-on for the page.
REFUSAL = "laksana_sso_refusal"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class ProviderError(Exception):
    """The provider could not be asked (unreachable, or an unusable discovery document)."""


def configured() -> bool:
    """Whether single sign-on is on (see the module's description)."""
    return bool(
        getattr(settings, "OIDC_RP_CLIENT_ID", None)
        and getattr(settings, "OIDC_RP_CLIENT_SECRET", None)
        and (
            getattr(settings, "LAKSANA_OIDC_ISSUER", None)
            or getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", None)
        )
    )


def provider_name() -> str:
    """The provider's name on the sign-in button."""
    return str(getattr(settings, "LAKSANA_OIDC_PROVIDER_NAME", None) or "SSO")


def expected_issuer() -> str | None:
    """The issuer every ID token must name; None when only endpoints are configured."""
    issuer = getattr(settings, "LAKSANA_OIDC_ISSUER", None)
    return str(issuer).rstrip("/") if issuer else None


_discovered: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document, read once per process."""
    with _discovery_lock:
        cached = _discovered.get(issuer)
    if cached is not None:
        return cached
    try:
        response = requests.get(
            issuer + DISCOVERY_PATH,
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(f"cannot read {issuer}{DISCOVERY_PATH}: {exc}") from exc
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was read from.
        raise ProviderError(f"{issuer}{DISCOVERY_PATH} names another issuer")
    with _discovery_lock:
        _discovered[issuer] = document
    return document


def endpoint(setting: str, key: str) -> str:
    """An endpoint of the provider: the one configured, else the discovery document's."""
    explicit = getattr(settings, setting, None)
    if explicit:
        return str(explicit)
    issuer = expected_issuer()
    if issuer is None:
        raise ProviderError(f"{setting} is not configured")
    value = discovery(issuer).get(key)
    if not value:
        raise ProviderError(f"the discovery document of {issuer} has no {key}")
    return str(value)


def refuse(request: HttpRequest, reason: str) -> None:
    """Leave the reason of a refused sign-on for the page (the first one counts)."""
    if not getattr(request, REFUSAL, None):
        setattr(request, REFUSAL, reason)


class PersonOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, checking the ID token's audience and issuer too, and
    signing in the person whose e-mail address the provider gives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every authenticate() and every request's user; the
        # parent reads (here: discovers) the endpoints, which happens only on a sign-on.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", None)
        self.OIDC_RP_CLIENT_SECRET = getattr(settings, "OIDC_RP_CLIENT_SECRET", None)
        self.OIDC_RP_SIGN_ALGO = getattr(settings, "OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None)
        self.OIDC_OP_TOKEN_ENDPOINT: str | None = None
        self.OIDC_OP_USER_ENDPOINT: str | None = None
        self.OIDC_OP_JWKS_ENDPOINT: str | None = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback's call (request, nonce, code_verifier): never a password sign-in,
        # even one whose address happens to carry ?code=...&state=...
        if request is None or "nonce" not in kwargs or "username" in kwargs:
            return None
        if "password" in kwargs or not configured():
            return None
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = endpoint("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint")
            self.OIDC_OP_USER_ENDPOINT = endpoint("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint")
            if self.OIDC_RP_IDP_SIGN_KEY is None:
                self.OIDC_OP_JWKS_ENDPOINT = endpoint("OIDC_OP_JWKS_ENDPOINT", "jwks_uri")
            user = super().authenticate(request, **kwargs)
        except services.SignInRefused as exc:
            refuse(request, str(exc))
            return None
        except (SuspiciousOperation, jwt.InvalidTokenError) as exc:
            log.warning("single sign-on refused: %s", exc)
            refuse(request, _("The identity provider's answer could not be verified."))
            return None
        except (ProviderError, requests.RequestException, ValueError, KeyError) as exc:
            log.warning("single sign-on failed: %s", exc)
            refuse(request, _("The identity provider could not be reached. Try again later."))
            return None
        if user is None:
            refuse(request, _("The identity provider's answer could not be verified."))
        return user

    def get_payload_data(self, token: bytes | str, key: Any) -> dict[str, Any]:
        """The ID token's claims, once its signature, algorithm, audience (this client),
        issuer and validity times are checked (the parent checks only the signature)."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        issuer = expected_issuer()
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=issuer,
            leeway=60,
            options={"require": ["exp", "iat", "aud", "sub", *(["iss"] if issuer else [])]},
        )
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(user_info, dict) or user_info.get("sub") != payload.get("sub"):
            # OpenID Connect Core 1.0, 5.3.2: the UserInfo answer is about the token's subject.
            raise SuspiciousOperation("the UserInfo answer is about another subject")
        email = str(user_info.get("email") or payload.get("email") or "")
        if False in (user_info.get("email_verified"), payload.get("email_verified")):
            raise services.SignInRefused(
                _("The identity provider has not verified the e-mail address %(email)s.")
                % {"email": email}
            )
        return services.account_for_sso(email)


def _refused_page(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(
        request,
        "accounts/sso_refused.html",
        {"reason": reason, "provider": provider_name()},
        status=status,
    )


class SSOStartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the provider's sign-in page (with state, nonce and PKCE)."""

    def __init__(self, **kwargs: Any) -> None:
        # The parent reads the endpoint here, which exists only while single sign-on is on.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            raise Http404
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint(
                "OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"
            )
        except ProviderError as exc:
            log.warning("single sign-on unavailable: %s", exc)
            reason = _("The identity provider could not be reached. Try again later.")
            return _refused_page(request, reason, status=503)
        response: HttpResponse = super().get(request)
        return response


class SSOCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the provider sends the browser back: signs the person in, or shows why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            raise Http404
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, REFUSAL, None)
        if not reason and self.request.GET.get("error"):
            reason = _("The identity provider did not sign you in.")
        return _refused_page(self.request, reason or _("Signing in with single sign-on failed."))
