"""Shared set-up of the respondents' tests: an open survey of Bali's with its public link on,
and a full answer as the form posts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from laksana.survey.elements import default_elements
from laksana.survey.models import ServiceKind, Survey, SurveyStatus

TODAY = dt.date(2026, 6, 10)
NOON = timezone.make_aware(dt.datetime(2026, 6, 10, 12, 0))


def open_survey(org: Any, *, code: str = "kode-publik-uji", **changes: Any) -> Survey:
    """An open survey of the org's agency over 2026, public link on (as the services leave it
    after create + open; made here directly so these tests stand on their own)."""
    values: dict[str, Any] = {
        "agency": org.agency,
        "title": "SKM Layanan Helpdesk 2026",
        "service_kind": ServiceKind.UNIT_SERVICE,
        "service_name": "Helpdesk",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "elements": default_elements(),
        "status": SurveyStatus.OPEN,
        "public_code": code,
        "public_enabled": True,
        "created_by": org["kadis"],
        "created_at": NOON - dt.timedelta(days=30),
    }
    values.update(changes)
    return Survey.objects.create(**values)


def full_answer(score: int = 4, **extra: str) -> dict[str, str]:
    """The nine scores and a profile as the form posts them."""
    data = {f"u{i}": str(score) for i in range(1, 10)}
    data.update({"age": "34", "sex": "P", "education": "d4_s1", "occupation": "swasta"})
    data.update({"suggestion": "Antrean lebih cepat"})
    data.update(extra)
    return data
