"""Numbers in query strings and form fields, read only when they can name a database row."""

from __future__ import annotations

# The largest primary key (a signed 64-bit integer on PostgreSQL and SQLite alike); a larger
# number is no row's id, and the database drivers refuse to send it.
MAX_ID = 2**63 - 1


def record_id(text: object) -> int | None:
    """``text`` as a row id (a decimal number from 1 to :data:`MAX_ID`), or None."""
    value = str(text).strip()
    if not value.isdecimal() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
