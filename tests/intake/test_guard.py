"""The public form's abuse controls (laksana.intake.guard) through the filing service: a
missing, forged, replayed, expired or too fast token, a filled honeypot, the hourly limits per
address and per e-mail — each refused with nothing written; counts kept only as hashes; old
counts, stale tokens and unconfirmed requests swept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from laksana.errors import ServiceError
from laksana.intake import filing, guard
from laksana.intake.models import FormToken, IntakeCounter, OutsideRequest

from .helpers import counts, form, open_service

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"


@pytest.fixture
def service(bali):
    return open_service(bali)


def refused(service, data, *, address: str = ADDRESS, now=None) -> str:
    before = counts()
    with pytest.raises(ServiceError) as caught:
        filing.file_request(service, data, [], address=address, now=now)
    assert counts() == before, "a refused filing wrote something"
    return caught.value.code


def test_a_form_without_a_token_is_refused(service) -> None:
    assert refused(service, form(service, token="")) == "token_missing"


def test_a_forged_token_is_refused(service) -> None:
    assert refused(service, form(service, token="dibuat-sendiri")) == "token_invalid"


def test_another_services_token_is_refused(service, bali) -> None:
    other = open_service(bali, slug="lain", key="lain")
    assert refused(service, form(service, token=guard.issue(other))) == "token_invalid"


def test_a_replayed_form_is_filed_once(service) -> None:
    data = form(service)
    filing.file_request(service, data, [], address=ADDRESS)
    assert refused(service, data) == "token_used"
    assert OutsideRequest.objects.count() == 1


def test_a_form_sent_within_three_seconds_is_a_scripts(service) -> None:
    assert refused(service, form(service, token=guard.issue(service))) == "too_fast"
    token = guard.issue(service)
    later = timezone.now() + dt.timedelta(seconds=4)
    filing.file_request(service, form(service, token=token), [], address=ADDRESS, now=later)


def test_a_token_older_than_two_hours_is_refused(service) -> None:
    later = timezone.now() + guard.TOKEN_TTL + dt.timedelta(seconds=1)
    assert refused(service, form(service), now=later) == "token_expired"


def test_a_filled_honeypot_is_refused(service) -> None:
    assert refused(service, form(service, website="http://spam.example")) == "honeypot"


def test_the_address_limit_refuses_the_sixth_filing_of_the_hour(service) -> None:
    for i in range(guard.DEFAULT_PER_ADDRESS):
        filing.file_request(service, form(service, email=f"o{i}@contoh.id"), [], address=ADDRESS)
    assert refused(service, form(service, email="baru@contoh.id")) == "rate_limited"
    # Another address is not concerned.
    filing.file_request(service, form(service, email="baru@contoh.id"), [], address="192.0.2.1")


def test_the_email_limit_refuses_the_fourth_filing_of_the_hour(service) -> None:
    for i in range(guard.DEFAULT_PER_EMAIL):
        filing.file_request(service, form(service), [], address=f"192.0.2.{i + 10}")
    code = refused(service, form(service, email="AYU@contoh.id"), address="192.0.2.99")
    assert code == "rate_limited"


def test_the_limits_follow_the_settings(service, settings) -> None:
    settings.LAKSANA_INTAKE_PER_ADDRESS_HOUR = 1
    filing.file_request(service, form(service), [], address=ADDRESS)
    assert refused(service, form(service, email="lain@contoh.id")) == "rate_limited"


def test_the_counts_are_hashes_and_a_new_hour_starts_afresh(service) -> None:
    filing.file_request(service, form(service), [], address=ADDRESS)
    keys = list(IntakeCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all(len(k) == 64 for k in keys)
    assert not any(ADDRESS in k or "ayu" in k for k in keys)
    assert guard.counted(guard.address_key(ADDRESS), timezone.now()) == 1
    next_hour = timezone.now() + dt.timedelta(hours=1)
    assert guard.counted(guard.address_key(ADDRESS), next_hour) == 0
    guard.forget_old(now=next_hour)
    assert IntakeCounter.objects.count() == 0


def test_stale_tokens_are_swept(service) -> None:
    guard.issue(service)
    assert guard.forget_old(now=timezone.now() + guard.TOKEN_TTL + dt.timedelta(seconds=1)) == 1
    assert FormToken.objects.count() == 0


def test_tracking_counts_every_attempt_and_refuses_past_the_limit(service, settings) -> None:
    settings.LAKSANA_INTAKE_TRACK_PER_HOUR = 2
    for _ in range(2):
        assert filing.resend_link("X", "a@contoh.id", address=ADDRESS) is False
    with pytest.raises(ServiceError) as caught:
        filing.resend_link("X", "a@contoh.id", address=ADDRESS)
    assert caught.value.code == "rate_limited"
    assert guard.counted(guard._track_key(ADDRESS), timezone.now()) == 2
