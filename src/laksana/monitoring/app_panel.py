"""The monitoring panel on an application's record (placeholder until the web part lands)."""

from __future__ import annotations

from typing import Any

from laksana.catalog.models import Application
from laksana.org.models import Person


def application_panel(
    person: Person | None, application: Application
) -> tuple[str, dict[str, Any]] | None:
    return None
