"""A date given to a service: a date, or text written YYYY-MM-DD, in the years a government
record can carry (2000 to 2100). Shared by the modules that take dates from forms and the
API (a document's date, a finding's follow-up date)."""

from __future__ import annotations

import datetime as dt

from laksana.errors import ServiceError


def given_date(value: object, *, field: str, message: str) -> dt.date:
    """``value`` as a date, or a ServiceError ``invalid`` naming ``field`` with ``message``
    (which says the format expected)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or not 2000 <= value.year <= 2100:
        raise ServiceError("invalid", message, field=field)
    return value
