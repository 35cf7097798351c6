"""Issuing, revoking and checking personal API tokens: the only code that writes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.accounts.models import ApiToken
from laksana.org.models import Person

# 32 random bytes: 43 URL-safe characters.
SECRET_BYTES = 32
PREFIX_LENGTH = 8
# last_used_at is a hint for people reviewing their tokens, not an audit log: writing it on
# every request would turn each read into a write.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


class TokenError(Exception):
    """A token action that was not carried out; the message says why, for people."""


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
        # The prefix names the token on the command line, so it must be unambiguous.
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
    token = (
        ApiToken.objects.select_related("person__user", "person__unit", "person__agency")
        .filter(hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    user = token.person.user
    if user is None or not user.is_active:
        return None
    at = now or timezone.now()
    if token.last_used_at is None or token.last_used_at <= at - TOUCH_INTERVAL:
        # Conditional, so concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
            last_used_at=at
        )
        token.last_used_at = at
    return token
