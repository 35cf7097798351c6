"""The agency's change history (org.OrgChange) in words: who, when, which record, and each
changed field's value before and after, with Indonesian labels (through gettext)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from laksana.org.changes import changed_fields
from laksana.org.models import Agency, OrgChange, Person, RoleKind, UnitKind

SUBJECTS: dict[str, Any] = {
    "unit": _("Unit"),
    "position": _("Position"),
    "person": _("Person"),
    "vendor": _("Vendor"),
    "vendor_person": _("Vendor's employee"),
    "instruction": _("Disposition preset"),
    "role": _("Role"),
    "binding": _("Actor binding"),
    "public_service": _("Public service"),
    "outside_request": _("Request from outside"),
    "numbering": _("Numbering pattern"),
    "letterhead": _("Letterhead"),
}

FIELDS: dict[str, Any] = {
    "name": _("Name"),
    "short_name": _("Short name"),
    "kind": _("Kind"),
    "parent": _("Parent unit"),
    "unit": _("Unit"),
    "superior": _("Superior"),
    "positions": _("Positions held"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "nip": _("NIP"),
    "vendor": _("Vendor"),
    "user": _("Sign-in account"),
    "text": _("Instruction"),
    "order": _("Order"),
    "person": _("Person"),
    "position": _("Position"),
    "procedure_key": _("Procedure"),
    "actor_key": _("Actor"),
    "active": _("Active"),
    "description": _("Description"),
    "pattern": _("Pattern"),
    "government": _("Government"),
    "agency_name": _("Agency name"),
    "unit_name": _("Unit name"),
    "address": _("Address"),
    "website": _("Website"),
    "logo": _("Logo"),
    "status": _("Status"),
    "spam_reason": _("Reason"),
    "title": _("Title"),
    "slug": _("Address"),
    "intro": _("Introduction"),
    "is_open": _("Open to requests"),
    "accepts_files": _("Accepts files"),
    "role": _("Role"),
    "target": _("Bound to"),
}

_CHOICES: dict[str, Any] = {**dict(UnitKind.choices), **dict(RoleKind.choices)}


def _words(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        return str(value.get("name", value.get("id", "")))
    if isinstance(value, list):
        return ", ".join(_words(field, v) for v in value)
    if field == "kind" and str(value) in _CHOICES:
        return str(_CHOICES[str(value)])
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Line:
    change: OrgChange
    subject: str
    fields: list[FieldChange]


def describe(change: OrgChange) -> Line:
    """One change with its subject's label and the fields that differ, in words."""
    fields = [
        FieldChange(
            str(FIELDS.get(name, name.replace("_", " "))),
            _words(name, (change.before or {}).get(name)) if change.before is not None else "",
            _words(name, (change.after or {}).get(name)) if change.after is not None else "",
        )
        for name in changed_fields(change.before, change.after)
    ]
    return Line(change, str(SUBJECTS.get(change.subject, change.subject)), fields)


def changes(agency: Agency, subject: str = "", person: Person | None = None) -> QuerySet[OrgChange]:
    """The agency's changes, newest first; of one kind of record, and made by or to one person."""
    rows = OrgChange.objects.filter(agency=agency).order_by("-at", "-id")
    if subject:
        rows = rows.filter(subject=subject)
    if person is not None:
        rows = rows.filter(
            Q(by=person) | Q(subject__in=["person", "vendor_person"], object_id=str(person.pk))
        )
    return rows
