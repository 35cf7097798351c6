"""The public form's abuse controls (laksana.survey.guard): the hourly limit per address, the
single-use token (missing, forged, replayed, expired, another survey's), the minimum fill
time and the honeypot. Every refusal names its reason and writes no answer and uses no token.
Time is passed to the services (``now=``), never waited for."""

from __future__ import annotations

import datetime as dt

import pytest

from laksana.errors import ServiceError
from laksana.survey import guard
from laksana.survey.models import Answer, Channel, PublicToken, SurveySettings
from laksana.web.models import RequestCount
from laksana.web.ratelimit import current_minute, forget_old

from .respondents import NOON, full_answer, open_survey

pytestmark = pytest.mark.django_db

LATER = NOON + dt.timedelta(seconds=40)


@pytest.fixture
def survey(bali):
    return open_survey(bali)


def refused(code: str, survey, data, *, address="203.0.113.9", now=LATER) -> ServiceError:
    before = Answer.objects.count()
    with pytest.raises(ServiceError) as caught:
        guard.submit(survey, data, address=address, now=now)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message
    assert Answer.objects.count() == before
    return caught.value


def test_it_records_a_public_answer_once_with_a_fresh_token(survey) -> None:
    token = guard.issue(survey, now=NOON)
    answer = guard.submit(survey, {**full_answer(3), "token": token}, address="1.2.3.4", now=LATER)
    assert answer.channel == Channel.PUBLIC and answer.u1 == 3 and answer.sex == "P"
    assert answer.submitted_on == dt.date(2026, 6, 10)
    stored = PublicToken.objects.get(survey=survey)
    assert stored.used and stored.token_sha256 != token and len(stored.token_sha256) == 64
    assert stored.expires_at == NOON + guard.TOKEN_TTL


def test_it_refuses_a_replayed_token(survey) -> None:
    token = guard.issue(survey, now=NOON)
    guard.submit(survey, {**full_answer(), "token": token}, address="1.2.3.4", now=LATER)
    exc = refused("token_used", survey, {**full_answer(), "token": token}, address="1.2.3.4")
    assert exc.field == "token"
    assert Answer.objects.count() == 1


def test_it_refuses_a_missing_or_forged_token(survey) -> None:
    guard.issue(survey, now=NOON)
    refused("token_missing", survey, full_answer())
    refused("token_invalid", survey, {**full_answer(), "token": "dibuat-buat"})
    assert not PublicToken.objects.filter(used=True).exists()


def test_it_refuses_another_surveys_token(bali, survey) -> None:
    other = open_survey(bali, code="kode-lain")
    token = guard.issue(other, now=NOON)
    refused("token_invalid", survey, {**full_answer(), "token": token})
    assert not PublicToken.objects.get(survey=other).used


def test_it_refuses_an_expired_token(survey) -> None:
    token = guard.issue(survey, now=NOON)
    late = NOON + guard.TOKEN_TTL + dt.timedelta(seconds=1)
    refused("token_expired", survey, {**full_answer(), "token": token}, now=late)
    assert not PublicToken.objects.get(survey=survey).used


def test_it_refuses_a_form_sent_faster_than_it_can_be_read(survey) -> None:
    token = guard.issue(survey, now=NOON)
    data = {**full_answer(), "token": token}
    refused("too_fast", survey, data, now=NOON + dt.timedelta(seconds=2))
    # The token is not used up: the same form sent after the minimum time is taken.
    guard.submit(survey, data, address="1.2.3.4", now=NOON + guard.MIN_FILL)
    assert Answer.objects.count() == 1


def test_it_refuses_a_filled_honeypot_and_keeps_the_token(survey) -> None:
    token = guard.issue(survey, now=NOON)
    exc = refused("honeypot", survey, {**full_answer(), "token": token, "website": "http://x"})
    assert exc.field == guard.HONEYPOT
    assert not PublicToken.objects.get(survey=survey).used


def test_an_invalid_answer_writes_nothing_and_keeps_the_token(survey) -> None:
    token = guard.issue(survey, now=NOON)
    data = {**full_answer(), "u3": "5", "token": token}
    data.pop("u7")
    exc = refused("invalid_answer", survey, data)
    assert {"u3", "u7"} <= {item.split(":")[0] for item in exc.items}
    assert not PublicToken.objects.get(survey=survey).used
    assert not RequestCount.objects.exists()
    # Corrected, the same form is taken.
    guard.submit(survey, {**full_answer(), "token": token}, address="1.2.3.4", now=LATER)


def test_it_limits_answers_per_address_per_hour(bali, survey) -> None:
    SurveySettings.objects.create(agency=bali.agency, public_per_hour=2)
    for _ in range(2):
        token = guard.issue(survey, now=NOON)
        guard.submit(survey, {**full_answer(), "token": token}, address="10.0.0.1", now=LATER)
    token = guard.issue(survey, now=NOON)
    exc = refused("rate_limited", survey, {**full_answer(), "token": token}, address="10.0.0.1")
    assert "2" in exc.message
    assert not PublicToken.objects.get(token_sha256=guard._sha(token)).used
    # Another address is not limited; nor is the same address in the next hour.
    guard.submit(survey, {**full_answer(), "token": token}, address="10.0.0.2", now=LATER)
    token = guard.issue(survey, now=NOON + dt.timedelta(hours=1))
    guard.submit(
        survey,
        {**full_answer(), "token": token},
        address="10.0.0.1",
        now=NOON + dt.timedelta(hours=1, seconds=30),
    )
    assert Answer.objects.count() == 4


def test_the_limit_is_per_survey(bali, survey) -> None:
    SurveySettings.objects.create(agency=bali.agency, public_per_hour=1)
    other = open_survey(bali, code="kode-lain")
    for each in (survey, other):
        token = guard.issue(each, now=NOON)
        guard.submit(each, {**full_answer(), "token": token}, address="10.0.0.1", now=LATER)
    assert Answer.objects.count() == 2


def test_the_count_keeps_no_address_in_plain_and_outlives_the_minute_clean_up(survey) -> None:
    token = guard.issue(survey, now=NOON)
    guard.submit(survey, {**full_answer(), "token": token}, address="198.51.100.7", now=LATER)
    row = RequestCount.objects.get()
    assert "198.51.100.7" not in row.address and row.address.startswith("survey:")
    assert len(row.address) <= 45
    forget_old(current_minute())
    assert guard.answered_this_hour(survey, "198.51.100.7", now=LATER) == 1
    guard._forgotten_before = 0
    guard.forget_old(NOON + dt.timedelta(hours=2))
    assert not RequestCount.objects.exists()


def test_expired_tokens_are_forgotten(survey) -> None:
    guard.issue(survey, now=NOON)
    live = guard.issue(survey, now=NOON + dt.timedelta(hours=1))
    assert guard.forget_expired(now=NOON + guard.TOKEN_TTL) == 1
    assert PublicToken.objects.get().token_sha256 == guard._sha(live)


def test_a_closed_survey_refuses_and_keeps_the_token(survey) -> None:
    token = guard.issue(survey, now=NOON)
    survey.status = "closed"
    survey.save()
    refused("survey_closed", survey, {**full_answer(), "token": token})
    assert not PublicToken.objects.get().used


def test_issuing_a_form_sweeps_the_expired_tokens(survey) -> None:
    guard._swept_at = None
    guard.issue(survey, now=NOON)
    later = NOON + guard.TOKEN_TTL + guard.SWEEP_EVERY
    fresh = guard.issue(survey, now=later)
    assert list(PublicToken.objects.values_list("token_sha256", flat=True)) == [guard._sha(fresh)]
