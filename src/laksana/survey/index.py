"""The Indeks Kepuasan Masyarakat (IKM) of PermenPANRB No. 14/2017, exactly.

Per unsur the NRR is the sum of its scores over the number of answers; the IKM is the sum of
the nine NRR times exactly one ninth, converted times 25; the grade is read on the converted
value with ``>=`` thresholds (88.31 A, 76.61 B, 65.00 C, else D), so no value falls between
grades. Everything is a :class:`~fractions.Fraction` until it is shown (:func:`shown`, two
decimals, half up). Beside it, the figure many published reports give: the weight rounded
to 0,111 (:attr:`Result.ikm_0111`), labelled as such where it is shown.

The totals come from the database in one aggregate query (:func:`of_survey`): answers are
never read row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Case, CharField, Count, Q, Sum, Value, When

from laksana.survey import elements as element_table
from laksana.survey.models import UNSUR_COUNT, Answer, Education, Occupation, Sex, Survey

WEIGHT = Fraction(1, UNSUR_COUNT)
ROUNDED_WEIGHT = Decimal("0.111")
CONVERSION = 25
_EXACT = Context(prec=28)


@dataclass(frozen=True)
class Grade:
    """The quality of service (mutu pelayanan): its letter and the regulation's words."""

    letter: str
    label: str


GRADE_A = Grade("A", "Sangat Baik")
GRADE_B = Grade("B", "Baik")
GRADE_C = Grade("C", "Kurang Baik")
GRADE_D = Grade("D", "Tidak Baik")
_THRESHOLDS: tuple[tuple[Fraction, Grade], ...] = (
    (Fraction("88.31"), GRADE_A),
    (Fraction("76.61"), GRADE_B),
    (Fraction("65.00"), GRADE_C),
)


def grade_of(converted: Fraction | Decimal) -> Grade:
    """The grade of a converted value (25..100), compared exactly."""
    value = Fraction(converted)
    for threshold, grade in _THRESHOLDS:
        if value >= threshold:
            return grade
    return GRADE_D


@dataclass(frozen=True)
class ElementResult:
    """One unsur's figures: the total of its scores, its NRR, NRR × 25 and its grade."""

    position: int
    key: str
    name: str
    total: int
    nrr: Fraction
    converted: Fraction
    grade: Grade


@dataclass(frozen=True)
class Result:
    """A survey's index over its answers (or a spreadsheet's)."""

    respondents: int
    elements: tuple[ElementResult, ...]
    ikm: Fraction
    converted: Fraction
    grade: Grade
    ikm_0111: Decimal
    converted_0111: Decimal
    weakest: tuple[ElementResult, ...]


def _decimal(value: Fraction) -> Decimal:
    return _EXACT.divide(Decimal(value.numerator), Decimal(value.denominator))


def compute(
    totals: Sequence[int], respondents: int, elements: Sequence[Mapping[str, Any]]
) -> Result | None:
    """The index from the nine totals of scores (in the survey's order) and the number of
    answers; None without answers. ``elements`` names the unsur (``key``, ``name``)."""
    if len(totals) != UNSUR_COUNT:
        raise ValueError(f"{UNSUR_COUNT} totals expected, got {len(totals)}")
    if respondents <= 0:
        return None
    rows: list[ElementResult] = []
    for position, total in enumerate(totals, start=1):
        element = elements[position - 1] if position - 1 < len(elements) else {}
        nrr = Fraction(int(total), respondents)
        converted = nrr * CONVERSION
        rows.append(
            ElementResult(
                position=position,
                key=str(element.get("key", f"u{position}")),
                name=str(element.get("name", f"U{position}")),
                total=int(total),
                nrr=nrr,
                converted=converted,
                grade=grade_of(converted),
            )
        )
    nrr_sum = sum((row.nrr for row in rows), Fraction(0))
    ikm = nrr_sum * WEIGHT
    converted = ikm * CONVERSION
    ikm_0111 = sum((_decimal(row.nrr) for row in rows), Decimal(0)) * ROUNDED_WEIGHT
    weakest = tuple(sorted(rows, key=lambda row: (row.nrr, row.position))[:3])
    return Result(
        respondents=respondents,
        elements=tuple(rows),
        ikm=ikm,
        converted=converted,
        grade=grade_of(converted),
        ikm_0111=ikm_0111,
        converted_0111=ikm_0111 * CONVERSION,
        weakest=weakest,
    )


def _answers(survey: Survey, start: dt.date | None, end: dt.date | None) -> Any:
    answers = Answer.objects.filter(survey_id=survey.pk)
    if start is not None:
        answers = answers.filter(submitted_on__gte=start)
    if end is not None:
        answers = answers.filter(submitted_on__lte=end)
    return answers


def of_survey(
    survey: Survey, *, start: dt.date | None = None, end: dt.date | None = None
) -> Result | None:
    """The survey's index over its answers (those submitted from ``start`` to ``end`` when
    given), from one aggregate query; None without answers."""
    names = [f"u{i}" for i in range(1, UNSUR_COUNT + 1)]
    figures = _answers(survey, start, end).aggregate(
        n=Count("id"), **{f"t{name}": Sum(name) for name in names}
    )
    respondents = int(figures["n"] or 0)
    totals = [int(figures[f"t{name}"] or 0) for name in names]
    return compute(totals, respondents, survey.elements or element_table.default_elements())


def of_surveys(surveys: Sequence[Survey]) -> dict[int, Result | None]:
    """The index of each survey over all its answers, from one aggregate query grouped by
    survey (a list of surveys costs one query, not one per survey)."""
    names = [f"u{i}" for i in range(1, UNSUR_COUNT + 1)]
    rows = (
        Answer.objects.filter(survey_id__in=[s.pk for s in surveys])
        .order_by()
        .values("survey_id")
        .annotate(n=Count("id"), **{f"t{name}": Sum(name) for name in names})
    )
    found: dict[int, dict[str, Any]] = {row["survey_id"]: dict(row) for row in rows}
    out: dict[int, Result | None] = {}
    for survey in surveys:
        row = found.get(survey.pk)
        out[survey.pk] = (
            compute(
                [int(row[f"t{name}"] or 0) for name in names],
                int(row["n"] or 0),
                survey.elements or element_table.default_elements(),
            )
            if row is not None
            else None
        )
    return out


AGE_BANDS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("<20", "< 20", None, 19),
    ("20-29", "20–29", 20, 29),
    ("30-39", "30–39", 30, 39),
    ("40-49", "40–49", 40, 49),
    ("50-59", "50–59", 50, 59),
    (">=60", "≥ 60", 60, None),
)


def _counted(survey: Survey, column: str, choices: Any) -> list[tuple[str, str, int]]:
    counts = dict(
        _answers(survey, None, None)
        .order_by()
        .values_list(column)
        .annotate(n=Count("id"))
        .values_list(column, "n")
    )
    rows = [(str(value), str(label), int(counts.get(value, 0))) for value, label in choices]
    rows.append(("", "-", int(counts.get("", 0))))
    return rows


def profile(survey: Survey) -> dict[str, list[tuple[str, str, int]]]:
    """The respondents' profile, counted by the database: for ``sex``, ``education``,
    ``occupation`` and ``age`` (bands), rows ``(value, label, count)`` in the choices' order,
    the value ``""`` counting those who did not say."""
    whens = []
    for key, _label, low, high in AGE_BANDS:
        condition = Q()
        if low is not None:
            condition &= Q(age__gte=low)
        if high is not None:
            condition &= Q(age__lte=high)
        whens.append(When(condition & Q(age__isnull=False), then=Value(key)))
    band = Case(*whens, default=Value(""), output_field=CharField())
    ages = dict(
        _answers(survey, None, None)
        .order_by()
        .annotate(band=band)
        .values_list("band")
        .annotate(n=Count("id"))
        .values_list("band", "n")
    )
    age_rows = [(key, label, int(ages.get(key, 0))) for key, label, _l, _h in AGE_BANDS]
    age_rows.append(("", "-", int(ages.get("", 0))))
    return {
        "sex": _counted(survey, "sex", Sex.choices),
        "education": _counted(survey, "education", Education.choices),
        "occupation": _counted(survey, "occupation", Occupation.choices),
        "age": age_rows,
    }


def shown(value: Fraction | Decimal | None) -> str:
    """A figure for display: two decimals, half up, with a point ("91.48"); "-" for None.
    Callers localise the separator."""
    if value is None:
        return "-"
    exact = _decimal(value) if isinstance(value, Fraction) else value
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Sample:
    """The number of respondents against the Krejcie–Morgan minimum for the population;
    ``enough`` None when the population is not known."""

    population: int | None
    minimum: int | None
    respondents: int
    enough: bool | None


def sample(survey: Survey, respondents: int) -> Sample:
    """Whether ``respondents`` reach the minimum sample of the survey's population."""
    population = survey.population
    if population is None:
        return Sample(population=None, minimum=None, respondents=respondents, enough=None)
    minimum = element_table.minimum_sample(population)
    return Sample(
        population=population,
        minimum=minimum,
        respondents=respondents,
        enough=respondents >= minimum,
    )
