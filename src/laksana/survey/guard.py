"""The public form's abuse controls: what stands between the open link (a QR code on a wall)
and a flood of scripted or repeated answers.

- **Per address per hour**: at most ``SurveySettings.public_per_hour`` answers of one client
  address to one survey in one hour of the clock. The count lives in the rate limit's table
  (:func:`laksana.web.ratelimit.count`) under a key that is a hash of the survey and the
  address (no address is written in plain), in a slot numbered ``HOUR_SLOTS + hours since the
  epoch`` so the site's per-minute clean-up leaves it alone; :func:`forget_old` deletes the
  slots of past hours.
- **A single-use form token** (:class:`~laksana.survey.models.PublicToken`): issued with the
  form, its SHA-256 kept, valid :data:`TOKEN_TTL`, used once. A missing, forged, expired or
  replayed token is refused.
- **A minimum fill time**: a form sent back less than :data:`MIN_FILL` after it was issued is
  refused (the token's issue time is its expiry minus :data:`TOKEN_TTL`).
- **A honeypot**: a field people do not see (:data:`HONEYPOT`); a filled one is refused.
- **A soft "already answered" mark**: a cookie (:data:`COOKIE`) set on the respondent's device
  after an answer; the form then shows a notice, and still takes an answer (a family may share
  a phone).

Every refusal is a :class:`~laksana.errors.ServiceError` with a stable code and a message for
people, and writes nothing (:func:`submit` is one transaction). Nothing here links an answer to
an address or a moment finer than the day: the hourly count says how many, never which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.survey import answers
from laksana.survey.models import Answer, Channel, PublicToken, Survey, SurveySettings
from laksana.web import ratelimit
from laksana.web.models import RequestCount

TOKEN_TTL = dt.timedelta(hours=2)
MIN_FILL = dt.timedelta(seconds=3)
HONEYPOT = "website"
TOKEN_FIELD = "token"
COOKIE = "skm_dijawab"
# Hourly slots in the rate limit's ``minute`` column start here, far beyond any minute number
# (minutes since 1970 reach 10**9 in the 39th century), so the per-minute clean-up skips them.
HOUR_SLOTS = 10**9
DEFAULT_PER_HOUR = 5

_forgotten_before = 0
# When this process last deleted the expired tokens (:func:`issue` does it every ten minutes).
_swept_at: dt.datetime | None = None
SWEEP_EVERY = dt.timedelta(minutes=10)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hour_slot(now: dt.datetime) -> int:
    """The rate limit slot of ``now``'s hour."""
    return HOUR_SLOTS + int(now.timestamp() // 3600)


def address_key(survey: Survey, address: str | None) -> str:
    """The count's key of one address answering one survey (45 characters, hashed)."""
    return "survey:" + _sha(f"{survey.pk}:{address or '-'}")[:38]


def per_hour(survey: Survey) -> int:
    """The agency's limit of public answers per address per hour."""
    found = (
        SurveySettings.objects.filter(agency_id=survey.agency_id)
        .values_list("public_per_hour", flat=True)
        .first()
    )
    return int(found) if found else DEFAULT_PER_HOUR


def answered_this_hour(survey: Survey, address: str | None, *, now: dt.datetime) -> int:
    """The public answers counted for ``address`` in ``now``'s hour."""
    found = (
        RequestCount.objects.filter(address=address_key(survey, address), minute=hour_slot(now))
        .values_list("count", flat=True)
        .first()
    )
    return int(found or 0)


def forget_old(now: dt.datetime) -> None:
    """Delete the hourly counts of hours before the current one (at most once an hour per
    process)."""
    global _forgotten_before
    slot = hour_slot(now)
    if slot > _forgotten_before:
        _forgotten_before = slot
        RequestCount.objects.filter(
            address__startswith="survey:", minute__gte=HOUR_SLOTS, minute__lt=slot
        ).delete()


def check_rate(survey: Survey, address: str | None, *, now: dt.datetime | None = None) -> None:
    """Refuse (``rate_limited``) an address that reached the survey's hourly limit."""
    at = _now(now)
    limit = per_hour(survey)
    if answered_this_hour(survey, address, now=at) >= limit:
        raise ServiceError(
            "rate_limited",
            _(
                "This device's network has already sent %(limit)s answers to this survey in "
                "the last hour. Please try again later."
            )
            % {"limit": limit},
        )


def seconds_to_next_hour(now: dt.datetime | None = None) -> int:
    """Seconds left in the current hour (the Retry-After of a refusal)."""
    return max(1, 3600 - int(_now(now).timestamp()) % 3600)


def issue(survey: Survey, *, now: dt.datetime | None = None) -> str:
    """A new single-use token for one public form of ``survey`` (its hash stored); the
    expired tokens are deleted on the way, at most every :data:`SWEEP_EVERY` per process."""
    global _swept_at
    at = _now(now)
    if _swept_at is None or not _swept_at <= at < _swept_at + SWEEP_EVERY:
        _swept_at = at
        forget_expired(now=at)
    secret = secrets.token_urlsafe(24)
    PublicToken.objects.create(survey=survey, token_sha256=_sha(secret), expires_at=at + TOKEN_TTL)
    return secret


def forget_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the tokens past their expiry; how many."""
    deleted, _kinds = PublicToken.objects.filter(expires_at__lte=_now(now)).delete()
    return deleted


def _redeem(survey: Survey, token: str, *, now: dt.datetime) -> None:
    """Mark the form's token used, or refuse it (inside :func:`submit`'s transaction)."""
    if not token:
        raise ServiceError(
            "token_missing",
            _("This form was not sent from the survey page. Please open the survey again."),
            field=TOKEN_FIELD,
        )
    found = (
        PublicToken.objects.select_for_update()
        .filter(survey=survey, token_sha256=_sha(token[:100]))
        .first()
    )
    if found is None:
        raise ServiceError(
            "token_invalid",
            _("This form is not valid for this survey. Please open the survey again."),
            field=TOKEN_FIELD,
        )
    if found.used:
        raise ServiceError(
            "token_used",
            _("This form has already been sent once; its answer was recorded only once."),
            field=TOKEN_FIELD,
        )
    if found.expires_at <= now:
        raise ServiceError(
            "token_expired",
            _("This form has expired (after two hours). Please send your answer again."),
            field=TOKEN_FIELD,
        )
    if now - (found.expires_at - TOKEN_TTL) < MIN_FILL:
        raise ServiceError(
            "too_fast",
            _("The form was sent too quickly to have been read. Please check it and send again."),
            field=TOKEN_FIELD,
        )
    found.used = True
    found.save(update_fields=["used"])


def check_honeypot(data: Mapping[str, Any]) -> None:
    """Refuse a form whose hidden field was filled (only programs see it)."""
    if str(data.get(HONEYPOT) or "").strip():
        raise ServiceError(
            "honeypot",
            _("The form holds a field that people leave empty. Your answer was not recorded."),
            field=HONEYPOT,
        )


def submit(
    survey: Survey,
    data: Mapping[str, Any],
    *,
    address: str | None,
    now: dt.datetime | None = None,
) -> Answer:
    """Take one answer of the public form: the honeypot, the hourly limit, the token (used
    once, not too fast) and the answer itself (:func:`laksana.survey.answers.record`), all or
    nothing. Refusals raise :class:`ServiceError` (``honeypot``, ``rate_limited``,
    ``token_*``, ``too_fast``, ``survey_closed``, ``invalid_answer``)."""
    at = _now(now)
    check_honeypot(data)
    forget_old(at)
    check_rate(survey, address, now=at)
    with transaction.atomic():
        _redeem(survey, str(data.get(TOKEN_FIELD) or ""), now=at)
        answer = answers.record(survey, data, channel=Channel.PUBLIC, now=at)
        ratelimit.count(address_key(survey, address), hour_slot(at))
    return answer
