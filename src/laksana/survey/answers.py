"""Recording one respondent's answer: the one writer of :class:`~laksana.survey.models.Answer`
for the invitation, the public form and the API (imports go through
:mod:`laksana.survey.imports`, which checks each row with :func:`check`).

Every problem of an answer is reported at once, by field (``u1`` .. ``u9``, ``age``, ``sex``,
``education``, ``occupation``, ``suggestion``); nothing is written then. What is written names
nobody: the date (not the time), the channel, the scores, the profile the respondent gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.survey.models import (
    UNSUR_COUNT,
    Answer,
    Channel,
    Education,
    Occupation,
    Sex,
    Survey,
    SurveyStatus,
)

MAX_SUGGESTION = 2000
MIN_AGE, MAX_AGE = 10, 120
SCORE_FIELDS: tuple[str, ...] = tuple(f"u{i}" for i in range(1, UNSUR_COUNT + 1))


@dataclass
class Checked:
    """An answer's values after :func:`check`, and its problems by field."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def _int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 6:
        return int(raw.strip())
    return None


def _choice(raw: object, choices: Any) -> str | None:
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if text in choices.values:
        return text
    upper = text.upper() if choices is Sex else text.lower()
    return upper if upper in choices.values else None


def check(data: Mapping[str, Any]) -> Checked:
    """The values of one answer from ``data`` (``u1`` .. ``u9`` scores 1..4, required; optional
    ``age``, ``sex``, ``education``, ``occupation``, ``suggestion``), or its problems."""
    out = Checked()
    for name in SCORE_FIELDS:
        raw = data.get(name)
        score = _int(raw)
        if raw in (None, ""):
            out.problems[name] = _("a score from 1 to 4 is required")
        elif score is None or not 1 <= score <= 4:
            out.problems[name] = _("%(value)s is not a score: give 1, 2, 3 or 4") % {
                "value": str(raw)[:20]
            }
        else:
            out.values[name] = score
    age_raw = data.get("age")
    if age_raw not in (None, ""):
        age = _int(age_raw)
        if age is None or not MIN_AGE <= age <= MAX_AGE:
            out.problems["age"] = _(
                "the age is a whole number of years from %(low)s to %(high)s"
            ) % {
                "low": MIN_AGE,
                "high": MAX_AGE,
            }
        else:
            out.values["age"] = age
    for name, choices in (("sex", Sex), ("education", Education), ("occupation", Occupation)):
        raw = data.get(name)
        if raw in (None, ""):
            out.values[name] = ""
            continue
        chosen = _choice(raw, choices)
        if chosen is None:
            out.problems[name] = _("%(value)s is not one of: %(allowed)s") % {
                "value": str(raw)[:40],
                "allowed": ", ".join(choices.values),
            }
        else:
            out.values[name] = chosen
    suggestion = data.get("suggestion")
    text = suggestion.strip() if isinstance(suggestion, str) else ""
    if suggestion not in (None, "") and not isinstance(suggestion, str):
        out.problems["suggestion"] = _("the suggestion is text")
    elif len(text) > MAX_SUGGESTION:
        out.problems["suggestion"] = _("the suggestion is longer than %(max)s characters") % {
            "max": MAX_SUGGESTION
        }
    else:
        out.values["suggestion"] = text
    return out


def refuse(problems: Mapping[str, str]) -> ServiceError:
    """One refusal listing every problem, the first field named."""
    items = [f"{name}: {text}" for name, text in problems.items()]
    return ServiceError(
        "invalid_answer",
        _("Please correct: %(items)s") % {"items": "; ".join(items)},
        field=next(iter(problems)),
        items=items,
    )


def open_on(survey: Survey, day: dt.date) -> bool:
    """Whether the survey takes answers on ``day`` (open, and the day within its period)."""
    return survey.status == SurveyStatus.OPEN and survey.period_start <= day <= survey.period_end


def record(
    survey: Survey,
    data: Mapping[str, Any],
    *,
    channel: str,
    now: dt.datetime | None = None,
) -> Answer:
    """Record one answer to an open survey on a day of its period (``channel``: invitation or
    public). The caller holds the transaction (the invitation marks itself answered in it)."""
    if channel not in (Channel.INVITATION, Channel.PUBLIC):
        raise ValueError(channel)
    day = timezone.localdate(now or timezone.now())
    if not open_on(survey, day):
        raise ServiceError(
            "survey_closed", _("This survey is not taking answers now."), field="survey"
        )
    checked = check(data)
    if checked.problems:
        raise refuse(checked.problems)
    return Answer.objects.create(survey=survey, submitted_on=day, channel=channel, **checked.values)
