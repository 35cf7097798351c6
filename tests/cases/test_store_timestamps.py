"""PostgreSQL: the services' cursor reads timestamps with psycopg's own loader, and gets the
same values, time zone object included, as Django's cursor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from laksana.cases import store

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders"),
]

VALUES = (
    "SELECT now(), '2026-01-01 00:00:00+07'::timestamptz, '1999-12-31 23:59:59.999999-03'"
    "::timestamptz, NULL::timestamptz, '0001-01-01 00:00:00+00'::timestamptz"
)


def test_the_services_cursor_uses_psycopgs_own_timestamp_loader() -> None:
    from psycopg import postgres
    from psycopg.pq import Format

    oid = postgres.types["timestamptz"].oid
    cursor = store._cursor(connection)
    assert cursor.adapters.get_loader(oid, Format.TEXT) is postgres.adapters.get_loader(
        oid, Format.TEXT
    )
    with connection.cursor() as django_cursor:
        # Django's own: a Python loader that sets its time zone.
        django_loader = django_cursor.connection.adapters.get_loader(oid, Format.TEXT)
    assert django_loader is not postgres.adapters.get_loader(oid, Format.TEXT)


def test_the_same_timestamps_as_djangos_cursor() -> None:
    cursor = store._cursor(connection)
    cursor.execute(VALUES)
    ours = cursor.fetchone()
    with connection.cursor() as django_cursor:
        django_cursor.execute(VALUES)
        theirs = django_cursor.fetchone()
    assert ours[1:] == theirs[1:]
    assert ours[1] == dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)
    for mine, django in zip(ours, theirs, strict=True):
        if mine is not None:
            assert mine.tzinfo is django.tzinfo is connection.timezone
    assert ours[3] is None
