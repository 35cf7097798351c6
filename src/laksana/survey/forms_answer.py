"""The questionnaire as the respondents' forms show it (the public link and the invitation,
one partial: ``survey/respond/_questionnaire.html``): the survey's nine questions with their
four answer labels, the optional profile and the suggestion, with what the respondent already
chose and the problems :func:`laksana.survey.answers.check` found, by field.

The rules of an answer live in :mod:`laksana.survey.answers`; this module only reads the
posted form into the mapping it checks and lays the questions out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from laksana.errors import ServiceError
from laksana.survey.answers import MAX_AGE, MAX_SUGGESTION, MIN_AGE, SCORE_FIELDS
from laksana.survey.models import Education, Occupation, Sex, Survey

PROFILE_FIELDS = ("age", "sex", "education", "occupation")
ANSWER_FIELDS = (*SCORE_FIELDS, *PROFILE_FIELDS, "suggestion")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class Question:
    """One unsur as asked: its field (``u1`` ..), name, question, four options, problem."""

    number: int
    name: str
    field: str
    title: str
    question: str
    options: tuple[Option, ...]
    problem: str


def posted(data: QueryDict | Mapping[str, Any]) -> dict[str, str]:
    """The answer's fields of a posted form (other fields left out), as text."""
    return {name: str(data.get(name) or "").strip() for name in ANSWER_FIELDS}


def problems_of(exc: ServiceError) -> dict[str, str]:
    """The problems of a refused answer by field (``u1: text`` items), or the message under
    its field."""
    out: dict[str, str] = {}
    for item in exc.items:
        name, sep, text = item.partition(": ")
        if sep and name in ANSWER_FIELDS:
            out[name] = text
    if not out:
        out[exc.field or "form"] = exc.message
    return out


def _options(choices: Any, chosen: str) -> tuple[Option, ...]:
    return tuple(Option(str(v), str(label), str(v) == chosen) for v, label in choices.choices)


def questionnaire(
    survey: Survey,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The partial's context: ``questions`` (the survey's elements in its order),
    ``profile`` (choices of sex, education, occupation with the chosen one), ``values``,
    ``problems``."""
    values = values or {}
    problems = problems or {}
    questions = []
    for number, element in enumerate(survey.elements, start=1):
        field = f"u{number}"
        labels = list(element.get("labels") or [])[:4]
        options = tuple(
            Option(str(score), str(label), values.get(field) == str(score))
            for score, label in enumerate(labels, start=1)
        )
        questions.append(
            Question(
                number=number,
                name=str(element.get("key") or field),
                field=field,
                title=str(element.get("name") or ""),
                question=str(element.get("question") or ""),
                options=options,
                problem=problems.get(field, ""),
            )
        )
    return {
        "questions": questions,
        "sexes": _options(Sex, values.get("sex", "")),
        "educations": _options(Education, values.get("education", "")),
        "occupations": _options(Occupation, values.get("occupation", "")),
        "values": values,
        "problems": problems,
        "min_age": MIN_AGE,
        "max_age": MAX_AGE,
        "max_suggestion": MAX_SUGGESTION,
    }
