"""The public form's abuse controls: what stands between an open form on the internet and a
flood of scripted or repeated requests (imitating :mod:`laksana.survey.guard`).

- **Per address and per e-mail per hour**: at most ``LAKSANA_INTAKE_PER_ADDRESS_HOUR``
  (default 5) filings from one client address and ``LAKSANA_INTAKE_PER_EMAIL_HOUR``
  (default 3) for one e-mail address in one hour of the clock, over all the agencies' forms.
  The counts live in :class:`~laksana.intake.models.IntakeCounter` under SHA-256 hashes of
  the address or the e-mail (neither is written in plain); only *accepted* filings are
  counted, so a refusal writes nothing. The tracking form (:func:`count_track`) counts every
  attempt of an address instead (``LAKSANA_INTAKE_TRACK_PER_HOUR``, default 10), wrong pairs
  included: that count is what stops guessing, and it is the only thing a refused tracking
  attempt writes.
- **A single-use form token** (:class:`~laksana.intake.models.FormToken`): issued with the
  form, only its hash stored, valid :data:`TOKEN_TTL`, used once. Missing or forged: 400;
  replayed: 409.
- **A minimum fill time** of :data:`MIN_FILL` after the token was issued: a faster form is a
  script's (400). This time-based single-use token is the design instead of a CAPTCHA.
- **A honeypot**: a field people do not see (:data:`HONEYPOT`); a filled one is refused.
- **Confirmation by e-mail** before any case opens (:mod:`laksana.intake.filing`); requests
  not confirmed within :data:`CONFIRM_TTL` are expired by :func:`expire_unconfirmed`, run with
  the periodic tasks (:mod:`laksana.intake.tasks`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.intake.models import (
    FormToken,
    IntakeCounter,
    OutsideRequest,
    PublicService,
    RequestStatus,
)

TOKEN_TTL = dt.timedelta(hours=2)
MIN_FILL = dt.timedelta(seconds=3)
CONFIRM_TTL = dt.timedelta(hours=48)
HONEYPOT = "website"
TOKEN_FIELD = "token"
DEFAULT_PER_ADDRESS = 5
DEFAULT_PER_EMAIL = 3
DEFAULT_TRACK = 10


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def hour_slot(now: dt.datetime) -> int:
    """The counter's slot of ``now``'s hour (hours since the epoch)."""
    return int(now.timestamp() // 3600)


def seconds_to_next_hour(now: dt.datetime | None = None) -> int:
    """Seconds left in the current hour (the Retry-After of a refusal)."""
    return max(1, 3600 - int(_now(now).timestamp()) % 3600)


def address_key(address: str | None) -> str:
    return _sha(f"intake-address:{address or '-'}")


def email_key(email: str) -> str:
    return _sha(f"intake-email:{email.strip().lower()}")


def email_hash(email: str) -> str:
    """The hash an e-mail address is kept as on a request (spam review)."""
    return email_key(email)


def _track_key(address: str | None) -> str:
    return _sha(f"intake-track:{address or '-'}")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def per_address() -> int:
    return _setting("LAKSANA_INTAKE_PER_ADDRESS_HOUR", DEFAULT_PER_ADDRESS)


def per_email() -> int:
    return _setting("LAKSANA_INTAKE_PER_EMAIL_HOUR", DEFAULT_PER_EMAIL)


def per_track() -> int:
    return _setting("LAKSANA_INTAKE_TRACK_PER_HOUR", DEFAULT_TRACK)


def counted(key: str, now: dt.datetime) -> int:
    """How many times ``key`` was counted in ``now``'s hour."""
    found = (
        IntakeCounter.objects.filter(key=key, slot=hour_slot(now))
        .values_list("count", flat=True)
        .first()
    )
    return int(found or 0)


def count(key: str, now: dt.datetime) -> int:
    """Add one to ``key``'s count of ``now``'s hour (one INSERT ... ON CONFLICT on both
    databases); the count, this one included."""
    q = connection.ops.quote_name
    table = q(IntakeCounter._meta.db_table)
    key_, slot, n = q("key"), q("slot"), q("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {slot}, {n}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_}, {slot}) DO UPDATE SET {n} = {table}.{n} + 1 "
            f"RETURNING {n}",
            [key, hour_slot(now)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 1


def _limited(message: str) -> ServiceError:
    return ServiceError("rate_limited", message)


def check_rate(address: str | None, email: str, *, now: dt.datetime | None = None) -> None:
    """Refuse (``rate_limited``) an address or an e-mail that reached its hourly limit."""
    at = _now(now)
    if counted(address_key(address), at) >= per_address():
        raise _limited(
            _(
                "Too many requests were sent from your network in the last hour. Please try "
                "again later."
            )
        )
    if email and counted(email_key(email), at) >= per_email():
        raise _limited(
            _(
                "Too many requests were sent for this e-mail address in the last hour. Please "
                "try again later."
            )
        )


def count_filing(address: str | None, email: str, *, now: dt.datetime) -> None:
    """Count an accepted filing for its address and e-mail (in the filing's transaction)."""
    count(address_key(address), now)
    count(email_key(email), now)


def count_track(address: str | None, *, now: dt.datetime | None = None) -> None:
    """Count one attempt of the tracking form, or refuse (``rate_limited``) past the limit
    (a refused attempt is not counted further)."""
    at = _now(now)
    key = _track_key(address)
    if counted(key, at) >= per_track():
        raise _limited(
            _("Too many tracking attempts from your network in the last hour. Please try later.")
        )
    count(key, at)


def issue(service: PublicService, *, now: dt.datetime | None = None) -> str:
    """A new single-use token for one form of ``service`` (its hash stored)."""
    secret = secrets.token_urlsafe(24)
    FormToken.objects.create(token_hash=_sha(secret), service=service, issued_at=_now(now))
    return secret


def redeem(service: PublicService, token: str, *, now: dt.datetime) -> None:
    """Mark the form's token used, or refuse it (inside the filing's transaction)."""
    if not token:
        raise ServiceError(
            "token_missing",
            _("This form was not sent from the service's page. Please open the form again."),
            field=TOKEN_FIELD,
        )
    found = (
        FormToken.objects.select_for_update()
        .filter(service=service, token_hash=_sha(token[:100]))
        .first()
    )
    if found is None:
        raise ServiceError(
            "token_invalid",
            _("This form is not valid for this service. Please open the form again."),
            field=TOKEN_FIELD,
        )
    if found.used_at is not None:
        raise ServiceError(
            "token_used",
            _("This form has already been sent once; your request was recorded only once."),
            field=TOKEN_FIELD,
        )
    if found.issued_at + TOKEN_TTL <= now:
        raise ServiceError(
            "token_expired",
            _("This form has expired (after two hours). Please send your request again."),
            field=TOKEN_FIELD,
        )
    if now - found.issued_at < MIN_FILL:
        raise ServiceError(
            "too_fast",
            _("The form was sent too quickly to have been filled in by a person."),
            field=TOKEN_FIELD,
        )
    found.used_at = now
    found.save(update_fields=["used_at"])


def check_honeypot(data: Mapping[str, Any]) -> None:
    """Refuse a form whose hidden field was filled (only programs see it)."""
    if str(data.get(HONEYPOT) or "").strip():
        raise ServiceError(
            "honeypot",
            _("The form holds a field that people leave empty. Your request was not recorded."),
            field=HONEYPOT,
        )


def forget_old(*, now: dt.datetime | None = None) -> int:
    """Delete the counts of past hours and the form tokens past their validity; how many."""
    at = _now(now)
    counters, _kinds = IntakeCounter.objects.filter(slot__lt=hour_slot(at)).delete()
    tokens, _kinds = FormToken.objects.filter(issued_at__lte=at - TOKEN_TTL).delete()
    return counters + tokens


def expire_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Mark the requests not confirmed within :data:`CONFIRM_TTL` expired (their confirmation
    secret forgotten, their files deleted); how many."""
    at = _now(now)
    stale = OutsideRequest.objects.filter(
        status=RequestStatus.AWAITING, created_at__lte=at - CONFIRM_TTL
    )
    ids = list(stale.values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    from laksana.intake.models import RequestFile

    for stored in RequestFile.objects.filter(request_id__in=ids):
        stored.file.delete(save=False)
        stored.delete()
    return OutsideRequest.objects.filter(pk__in=ids, status=RequestStatus.AWAITING).update(
        status=RequestStatus.EXPIRED, confirm_hash=""
    )


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic pass: expired requests, old counts and tokens."""
    at = _now(now)
    return {"expired": expire_unconfirmed(now=at), "forgotten": forget_old(now=at)}
