"""The maintenance module's plug-ins (artifact types of SOP 000, outcomes, panels). The core
knows none of it."""

from __future__ import annotations


def register() -> None:
    return None
