"""The cursor of a list the API pages through newest first: the last row's time and id,
written as opaque text (the cases' and the test runs' lists)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.utils.translation import gettext as _

from laksana.api.errors import ApiError


def encode(at: dt.datetime, pk: int) -> str:
    """The cursor after the row of time ``at`` and id ``pk``."""
    raw = f"{at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str) -> tuple[dt.datetime, int]:
    """The time and id a cursor names, or a 422 naming ``after``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        at, pk = raw.split("|")
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or not 0 < int(pk) < 2**63:
            raise ValueError("not a cursor")
        return when, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ApiError(
            422, "invalid", _("The cursor is not valid; use the 'next' of a page."), field="after"
        ) from None
