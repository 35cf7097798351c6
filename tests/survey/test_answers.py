"""One respondent's answer checked and recorded (laksana.survey.answers): every problem by
field at once, nothing written then; only an open survey within its period takes answers;
what is written is the day, the channel, the scores and the profile given."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from laksana.demo.orgs import SOP_002
from laksana.errors import ServiceError
from laksana.survey import answers, services
from laksana.survey.models import Answer, Channel, ServiceKind

AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
SCORES = {f"u{i}": "3" for i in range(1, 10)}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def survey(bali):
    keeper = bali.people["ketuatim"]
    made = services.create_survey(
        keeper,
        {
            "title": "SKM",
            "service_kind": ServiceKind.PROCEDURE,
            "procedure_key": SOP_002,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
        },
        now=AT,
    )
    return services.open_survey(keeper, made.pk, now=AT)


def test_check_reports_every_problem_by_field():
    checked = answers.check(
        {**SCORES, "u1": "", "u2": "5", "u3": True, "age": "7", "sex": "X",
         "education": "s9", "occupation": 3, "suggestion": "x" * 2001}
    )  # fmt: skip
    assert set(checked.problems) == {
        "u1", "u2", "u3", "age", "sex", "education", "occupation", "suggestion"
    }  # fmt: skip
    assert checked.problems["u2"] == "5 is not a score: give 1, 2, 3 or 4"


def test_check_accepts_the_choices_spelt_loosely():
    checked = answers.check({**SCORES, "u9": 4.0, "age": " 33 ", "sex": "p", "education": "S2"})
    assert not checked.problems
    assert (checked.values["u9"], checked.values["age"], checked.values["sex"]) == (4, 33, "P")
    assert checked.values["education"] == "s2"


def test_record_writes_the_day_channel_scores_and_profile(survey):
    made = answers.record(survey, {**SCORES, "sex": "L"}, channel=Channel.PUBLIC, now=AT)
    assert made.submitted_on == dt.date(2026, 3, 2)
    assert (made.channel, made.u1, made.sex) == (Channel.PUBLIC, 3, "L")


def test_a_bad_answer_writes_nothing(survey):
    with pytest.raises(ServiceError) as refused:
        answers.record(survey, {**SCORES, "u4": "0"}, channel=Channel.PUBLIC, now=AT)
    assert refused.value.code == "invalid_answer" and refused.value.field == "u4"
    assert not Answer.objects.exists()


def test_only_an_open_survey_within_its_period_takes_answers(bali, survey):
    with pytest.raises(ServiceError) as refused:
        answers.record(
            survey, SCORES, channel=Channel.PUBLIC, now=dt.datetime(2026, 7, 2, tzinfo=dt.UTC)
        )
    assert refused.value.code == "survey_closed"
    services.close_survey(bali.people["ketuatim"], survey.pk, now=AT)
    survey.refresh_from_db()
    with pytest.raises(ServiceError):
        answers.record(survey, SCORES, channel=Channel.INVITATION, now=AT)
    with pytest.raises(ValueError):
        answers.record(survey, SCORES, channel=Channel.IMPORT, now=AT)
    assert not Answer.objects.exists()
