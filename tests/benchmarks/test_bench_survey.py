"""The survey part of `laksana bench`: the satisfaction index of a survey of generated answers
beside the bare COUNT and SUM through the DB-API cursor, the two agreeing, its rows rolled
back."""

from __future__ import annotations

from fractions import Fraction

import pytest

from laksana.benchmarks import survey as bench
from laksana.benchmarks.run import PARTS
from laksana.org.models import Agency
from laksana.survey.models import Answer, Survey


def _expected(count: int) -> list[int]:
    return [sum(bench.score(n, u) for n in range(count)) for u in range(1, 10)]


def test_the_generated_answers_are_what_the_scores_say(db: None) -> None:
    """The answers written inside the database hold the scores :func:`bench.score` gives,
    over the year's days, and the bare aggregate reads only the survey's own."""
    world = bench.generate(730)
    survey, other = world["survey"], world["other"]
    row = bench.bare(survey.pk)
    assert row[0] == 730 and [int(v) for v in row[1:]] == _expected(730)
    assert bench.bare(other.pk)[0] == 73
    answers = Answer.objects.filter(survey=survey)
    assert answers.filter(submitted_on="2026-01-01").count() == 2
    assert answers.filter(submitted_on="2026-12-31").count() == 2
    assert not answers.exclude(channel="import").exists()
    # A realistic spread: every score occurs, the mean between 3 and 3.4.
    assert set(answers.values_list("u1", flat=True)) == {1, 2, 3, 4}
    assert 3 * 730 * 9 < sum(row[1:]) < Fraction(34, 10) * 730 * 9


def test_the_index_and_the_bare_aggregate_agree(db: None) -> None:
    """The index reads the same count and sums as the bare path (what is compared is the same)."""
    from laksana.survey import index

    world = bench.generate(400)
    result = index.of_survey(world["survey"])
    assert result is not None
    row = bench.bare(world["survey"].pk)
    assert result.respondents == row[0] == 400
    assert [e.total for e in result.elements] == [int(v) for v in row[1:]] == _expected(400)
    assert result.ikm == sum(Fraction(t, 400) for t in _expected(400)) * Fraction(1, 9)


@pytest.mark.django_db
def test_the_survey_part_measures_a_ratio_and_leaves_nothing() -> None:
    lines: list[str] = []
    (figure,) = bench.measure(True, log=lines.append, answers=2000)
    assert "survey" in PARTS
    assert figure.part == "survey" and figure.unit == "x"
    assert figure.target == 1.5 and not figure.higher_is_better
    assert 0.1 < figure.value < 100  # a ratio of two readings of the same rows
    extra = figure.extra
    assert extra["answers"] == 2000 and extra["other_answers"] == 200 and extra["rounds"] == 5
    assert extra["respondents"] == 2000 and extra["grade"] in "ABCD"
    assert extra["laksana_p50_ms"] > 0 and extra["bare_p50_ms"] > 0
    assert lines and lines[0].startswith("survey: the index of a survey of 2,000 answers")
    assert not Answer.objects.exists() and not Survey.objects.exists()
    assert not Agency.objects.exists()
