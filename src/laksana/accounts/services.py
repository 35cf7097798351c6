"""Issuing, revoking and checking personal API tokens, and the sign-in account of a person
who signs in through single sign-on: the only code that writes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.accounts.models import ApiToken
from laksana.cases import store
from laksana.org.models import Person

# 32 random bytes: 43 URL-safe characters.
SECRET_BYTES = 32
PREFIX_LENGTH = 8
# last_used_at is a hint for people reviewing their tokens, not an audit log: writing it on
# every request would turn each read into a write.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


class TokenError(Exception):
    """A token action that was not carried out; the message says why, for people."""


class SignInRefused(Exception):
    """A single sign-on that gives no account; the message says why, for people."""


def hash_secret(secret: str) -> str:
    """The stored form of a secret (SHA-256, hex)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(
    person: Person, name: str, *, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``person``; returns it with its secret, which is never stored and
    cannot be shown again."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name (what it is for)."))
    if person.user_id is None:
        raise TokenError(
            _("%(name)s has no sign-in account, so cannot have API tokens.") % {"name": person.name}
        )
    while True:
        secret = secrets.token_urlsafe(SECRET_BYTES)
        prefix = secret[:PREFIX_LENGTH]
        # The prefix names the token on the command line, so it must be unambiguous, and it
        # must not start with "-" (it would be read as an option there).
        if prefix.startswith("-"):
            continue
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    token = ApiToken.objects.create(
        person=person,
        name=name[:100],
        prefix=prefix,
        hash=hash_secret(secret),
        created_at=now or timezone.now(),
    )
    return token, secret


def revoke_token(token: ApiToken, *, now: dt.datetime | None = None) -> bool:
    """Revoke a token from now on. Returns False if it was already revoked (it keeps the
    time it was first revoked)."""
    at = now or timezone.now()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at)
    token.refresh_from_db(fields=["revoked_at"])
    return bool(updated)


def authenticate(secret: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token with this secret, with its person and user loaded, or None.

    A revoked token, a person without a sign-in account and a deactivated account are all
    refused. ``last_used_at`` is updated at most once per :data:`TOUCH_INTERVAL`.
    """
    if not secret or len(secret) > 200:
        return None
    # One lean statement (laksana.cases.store): every API request is authenticated here. A
    # person without an account has no row to join.
    user_model = get_user_model()
    found = store.load_joined(
        ApiToken,
        "accounts_apitoken.hash = %s AND accounts_apitoken.revoked_at IS NULL",
        [hash_secret(secret)],
        [
            (Person, "p", "p.id = accounts_apitoken.person_id"),
            (user_model, "u", "u.id = p.user_id"),
        ],
    )
    if found is None:
        return None
    token, person, user = found
    assert isinstance(token, ApiToken) and isinstance(person, Person)
    assert isinstance(user, user_model)
    if not user.is_active:
        return None
    person.user = user
    token.person = person
    at = now or timezone.now()
    if token.last_used_at is None or token.last_used_at <= at - TOUCH_INTERVAL:
        # Conditional, so concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
            last_used_at=at
        )
        token.last_used_at = at
    return token


@transaction.atomic
def account_for_sso(email: str) -> AbstractBaseUser:
    """The sign-in account of the one person whose e-mail address is ``email`` (the address
    the identity provider vouched for), created and linked to that person on their first
    single sign-on.

    Nobody gets an account without being a person of an agency: an address no person has, an
    address several people share, or a deactivated account is refused, and nothing is written.
    """
    email = email.strip()
    if not email:
        raise SignInRefused(_("The identity provider did not give an e-mail address."))
    people = list(
        # Locks the person rows (not their possibly missing accounts), so two first sign-ons of
        # the same person queue and the second finds the account the first created.
        Person.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(email__iexact=email)
        .exclude(email="")[:2]
    )
    if not people:
        raise SignInRefused(
            _(
                "No one in Laksana has the e-mail address %(email)s. Ask your agency's "
                "administrator to record it on your personal data."
            )
            % {"email": email}
        )
    if len(people) > 1:
        raise SignInRefused(
            _(
                "More than one person in Laksana has the e-mail address %(email)s, so it "
                "cannot tell who you are. Ask your agency's administrator to correct it."
            )
            % {"email": email}
        )
    (person,) = people
    user = person.user
    if user is not None:
        if not user.is_active:
            raise SignInRefused(
                _("Your Laksana account is deactivated. Ask your agency's administrator.")
            )
        return user
    user_model = get_user_model()
    base = email.lower()[:140]
    username, n = base, 1
    while user_model.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = user_model.objects.create_user(username, email=person.email)  # unusable password
    person.user = user
    person.save(update_fields=["user"])
    return user
