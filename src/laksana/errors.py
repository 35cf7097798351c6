"""The refusals every service of every app raises: one vocabulary for the web, the API and
the commands. No Django models here, so any app imports it without importing another app's
services."""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    """An action that was not carried out. ``code`` is stable, ``message`` is for people,
    ``field`` names the input concerned (for forms and API errors)."""

    def __init__(
        self, code: str, message: str, field: str | None = None, items: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.items = tuple(items)


class NotAllowed(ServiceError):
    """The person may not do this."""

    def __init__(self, message: str) -> None:
        super().__init__("not_allowed", message)
