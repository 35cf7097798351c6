"""The index against worked examples computed by hand with exact fractions, the grade
boundaries, the 0,111 figure beside the exact one, and the database doing the sums."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from laksana.demo.orgs import SOP_002
from laksana.survey import index, services
from laksana.survey.elements import default_elements
from laksana.survey.models import Answer, Channel, ServiceKind

# Four respondents, scores U1..U9 (worked by hand below).
HAND = (
    (4, 4, 4, 4, 4, 4, 4, 4, 4),
    (3, 4, 3, 4, 3, 4, 3, 4, 3),
    (3, 3, 3, 4, 3, 3, 4, 3, 3),
    (4, 3, 2, 4, 3, 4, 4, 3, 2),
)
# Column totals: 14 14 12 16 13 15 15 14 12 = 125; NRR sum = 125/4 = 31.25.
HAND_TOTALS = (14, 14, 12, 16, 13, 15, 15, 14, 12)


def test_the_hand_worked_example_exactly():
    result = index.compute(HAND_TOTALS, 4, default_elements())
    assert result is not None
    assert [row.nrr for row in result.elements] == [
        Fraction(7, 2), Fraction(7, 2), Fraction(3), Fraction(4), Fraction(13, 4),
        Fraction(15, 4), Fraction(15, 4), Fraction(7, 2), Fraction(3),
    ]  # fmt: skip
    # IKM = 125/4 × 1/9 = 125/36; converted = 3125/36 = 86.8055…
    assert result.ikm == Fraction(125, 36)
    assert result.converted == Fraction(3125, 36)
    assert index.shown(result.converted) == "86.81"
    assert index.shown(result.ikm) == "3.47"
    assert result.grade == index.Grade("B", "Baik")
    # With the weight rounded to 0,111: 31.25 × 0.111 = 3.46875; × 25 = 86.71875.
    assert result.ikm_0111 == Decimal("3.46875")
    assert result.converted_0111 == Decimal("86.71875")
    assert index.shown(result.converted_0111) == "86.72"
    # Per unsur: U4 is 4 × 25 = 100 (A); U3 is 75 (C).
    assert result.elements[3].converted == 100 and result.elements[3].grade.letter == "A"
    assert result.elements[2].converted == 75 and result.elements[2].grade.letter == "C"
    assert result.elements[0].key == "persyaratan" and result.elements[0].total == 14
    # The three lowest NRR, ties by position: U3 (3), U9 (3), U5 (3.25).
    assert [row.position for row in result.weakest] == [3, 9, 5]


def test_twenty_nine_respondents_91_48_exact_and_91_38_with_0_111():
    # The public worked example's figures: the nine totals sum to 955 over 29 respondents.
    totals = (107, 106, 106, 106, 106, 106, 106, 106, 106)
    result = index.compute(totals, 29, default_elements())
    assert result is not None
    assert result.converted == Fraction(955 * 25, 29 * 9)
    assert index.shown(result.converted) == "91.48"
    assert index.shown(result.converted_0111) == "91.38"
    assert result.grade.letter == "A"


@pytest.mark.parametrize(
    ("value", "letter", "label"),
    [
        ("100", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.30", "B", "Baik"),
        ("88.3099", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25", "D", "Tidak Baik"),
    ],
)
def test_grade_boundaries(value, letter, label):
    assert index.grade_of(Fraction(value)) == index.Grade(letter, label)
    assert index.grade_of(Decimal(value)) == index.Grade(letter, label)


def test_the_grade_is_read_on_the_exact_value_not_the_shown_one():
    # 88.305… is shown 88.31 but is below 88.31: B.
    value = Fraction(88305, 1000) + Fraction(1, 10**6)
    assert index.shown(value) == "88.31"
    assert index.grade_of(value).letter == "B"


def test_shown_rounds_half_up_and_dashes_nothing():
    assert index.shown(Fraction(1, 8)) == "0.13"
    assert index.shown(Decimal("2.675")) == "2.68"
    assert index.shown(Fraction(2, 3)) == "0.67"
    assert index.shown(None) == "-"


def test_no_answers_no_index():
    assert index.compute((0,) * 9, 0, default_elements()) is None
    with pytest.raises(ValueError):
        index.compute((1,) * 8, 1, default_elements())


@pytest.fixture
def survey(bali):
    return services.create_survey(
        bali.people["ketuatim"],
        {
            "title": "SKM",
            "service_kind": ServiceKind.PROCEDURE,
            "procedure_key": SOP_002,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "population": 20,
        },
    )


def _answers(survey, rows, day=dt.date(2026, 3, 1), **profile):
    Answer.objects.bulk_create(
        Answer(
            survey=survey,
            submitted_on=day,
            channel=Channel.IMPORT,
            **{f"u{i}": score for i, score in enumerate(row, start=1)},
            **profile,
        )
        for row in rows
    )


def test_of_survey_is_one_aggregate_query(survey, django_assert_num_queries):
    _answers(survey, HAND)
    with django_assert_num_queries(1):
        result = index.of_survey(survey)
    assert result is not None
    assert result.respondents == 4
    assert result.converted == Fraction(3125, 36)
    assert [row.total for row in result.elements] == list(HAND_TOTALS)


def test_of_survey_within_dates_and_without_answers(survey):
    assert index.of_survey(survey) is None
    _answers(survey, HAND[:2], day=dt.date(2026, 1, 10))
    _answers(survey, HAND[2:], day=dt.date(2026, 5, 10))
    early = index.of_survey(survey, end=dt.date(2026, 1, 31))
    assert early is not None and early.respondents == 2
    late = index.of_survey(survey, start=dt.date(2026, 2, 1))
    assert late is not None and late.respondents == 2
    assert index.of_survey(survey, start=dt.date(2026, 6, 1)) is None


def test_the_profile_is_counted_by_group(survey):
    _answers(survey, HAND[:1], age=19, sex="P", education="d4_s1", occupation="pns")
    _answers(survey, HAND[:2], age=45, sex="L", education="sma", occupation="swasta")
    _answers(survey, HAND[:1], age=60)
    _answers(survey, HAND[:1])
    found = index.profile(survey)
    assert dict((v, n) for v, _l, n in found["sex"]) == {"L": 2, "P": 1, "": 2}
    ages = dict((v, n) for v, _l, n in found["age"])
    assert ages == {"<20": 1, "20-29": 0, "30-39": 0, "40-49": 2, "50-59": 0, ">=60": 1, "": 1}
    assert dict((v, n) for v, _l, n in found["education"])["d4_s1"] == 1
    assert dict((v, n) for v, _l, n in found["occupation"])["swasta"] == 2


def test_the_sample_against_krejcie_morgan(survey):
    found = index.sample(survey, 18)
    assert (found.population, found.minimum, found.enough) == (20, 19, False)
    assert index.sample(survey, 19).enough is True
    survey.population = None
    assert index.sample(survey, 5).enough is None
    survey.population = 500
    assert index.sample(survey, 217).enough is True
    assert index.sample(survey, 216).minimum == 217


def test_the_indexes_of_many_surveys_come_from_one_query(bali, survey, django_assert_num_queries):
    """of_surveys gives each survey the index of_survey gives it (None without answers), in
    one grouped query."""
    other = services.create_survey(
        bali.people["ketuatim"],
        {
            "title": "SKM 2",
            "service_kind": ServiceKind.PROCEDURE,
            "procedure_key": SOP_002,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
        },
    )
    empty = services.create_survey(
        bali.people["ketuatim"],
        {
            "title": "SKM 3",
            "service_kind": ServiceKind.PROCEDURE,
            "procedure_key": SOP_002,
            "period_start": "2028-01-01",
            "period_end": "2028-12-31",
        },
    )
    _answers(survey, HAND)
    _answers(other, [(4,) * 9, (1,) * 9, (3,) * 9])
    surveys = [survey, other, empty]
    with django_assert_num_queries(1):
        many = index.of_surveys(surveys)
    assert many == {s.pk: index.of_survey(s) for s in surveys}
    assert many[empty.pk] is None and many[survey.pk] != many[other.pk]
