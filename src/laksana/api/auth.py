"""Who is calling the API: a personal token (``Authorization: Bearer ...``) or, for pages of
the same site, the web session (then with Django's CSRF check on unsafe methods)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from laksana.accounts.services import authenticate
from laksana.api.errors import ApiError
from laksana.cases.queries import person_of
from laksana.org.models import Person


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: the Django user (for visibility) and their person (for
    actions), which a session user without a person record does not have."""

    user: AbstractBaseUser
    person: Person | None


class TokenAuth(HttpBearer):
    """A personal API token, looked up by the hash of the secret."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        # The rate limit (laksana.web.ratelimit) may have looked the same token up already.
        checked = getattr(request, "_laksana_api_token", None)
        secret = token.strip()
        found = checked[1] if checked and checked[0] == secret else authenticate(secret)
        if found is None:
            return None
        user = found.person.user
        assert user is not None  # authenticate() refuses tokens of people without an account
        return Caller(user=user, person=found.person)


class SessionAuth(APIKeyCookie):
    """The signed-in web session, for the site's own pages; unsafe methods need the CSRF token
    (the ``X-CSRFToken`` header), exactly like a form of the site."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Caller | None:
        # A request that offers a token is judged by the token alone: a wrong token is a 401
        # even in a browser that also has a session.
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                _("The CSRF check failed: send the X-CSRFToken header with the session."),
            )
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated:
            return None
        assert isinstance(user, AbstractBaseUser)
        return Caller(user=user, person=person_of(user))


def caller(request: HttpRequest) -> Caller:
    """The caller of an authenticated operation."""
    auth: Any = getattr(request, "auth", None)
    assert isinstance(auth, Caller), "the operation must be authenticated"
    return auth


M = TypeVar("M", bound=Model)


def visible_to_caller(
    request: HttpRequest, model: type[M], visible: Callable[[Person | None], QuerySet[M]]
) -> QuerySet[M]:
    """The records of a module the caller may read: ``visible(person)`` for the caller's
    person, ``visible(None)`` (everything) for a superuser without one, none for any other
    account without a person."""
    who = caller(request)
    if who.person is None and not getattr(who.user, "is_superuser", False):
        return model._default_manager.none()
    return visible(who.person)


def acting_person(request: HttpRequest) -> Person:
    """The person on whose behalf an action is taken; a 403 for an account without one."""
    person = caller(request).person
    if person is None:
        raise ApiError(
            403,
            "no_person",
            _("Your account is not linked to a person, so it cannot act on cases."),
        )
    return person
