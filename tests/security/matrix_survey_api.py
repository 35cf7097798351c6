"""The permission matrix's rows for the survey_api routes (filled in by their builder)."""

from __future__ import annotations

from typing import Any


def entries() -> dict[str, Any]:
    return {}
