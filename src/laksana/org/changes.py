"""The record of every change an agency's administrators make to its organisation.

Every service that writes a unit, position, person, vendor, disposition preset, role, binding
or public service of an agency calls :func:`record` in the same transaction, with the record's
fields before and after (:func:`snapshot`), so the history screen can say who changed what,
when, from what to what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from laksana.org.models import Agency, ChangeAction, OrgChange, Person


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model | None, fields: Iterable[str]) -> dict[str, Any] | None:
    """The named fields of ``obj`` as JSON-ready values (a related record as its id and
    name), or None for no record."""
    if obj is None:
        return None
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    agency: Agency | int,
    by: Person | None,
    subject: str,
    obj: models.Model | None,
    action: ChangeAction | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    source: str = "",
    label: str = "",
    at: dt.datetime | None = None,
) -> OrgChange | None:
    """Write one change; nothing when a change leaves every field as it was (before ==
    after). ``obj`` names the record (its id and name, or ``label``)."""
    if action == ChangeAction.CHANGED and before == after:
        return None
    return OrgChange.objects.create(
        agency_id=agency if isinstance(agency, int) else agency.pk,
        at=at or timezone.now(),
        by=by,
        by_name=by.name if by is not None else "",
        subject=subject,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(label or (str(obj) if obj is not None else ""))[:300],
        action=action,
        before=before,
        after=after,
        source=source[:200],
    )


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The names of the fields whose values differ."""
    keys = set(before or {}) | set(after or {})
    return sorted(k for k in keys if (before or {}).get(k) != (after or {}).get(k))
