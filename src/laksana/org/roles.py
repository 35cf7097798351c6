"""Product roles: who may administer an agency, publish its procedures or keep its catalogue.

A role is held by a person in their own agency (:class:`~laksana.org.models.RoleAssignment`);
Django's ``is_staff`` grants none of them. The installation's superuser may do everything.
"""

from __future__ import annotations

from typing import Any

from laksana.org.models import Agency, Person, RoleAssignment, RoleKind


def is_superuser(person: Person | None = None, user: Any = None) -> bool:
    """Whether the account (given, or the person's) is the installation's superuser."""
    account = user if user is not None else (person.user if person is not None else None)
    return bool(account is not None and getattr(account, "is_superuser", False))


def has_role(person: Person | None, agency: Agency | int, kind: RoleKind | str) -> bool:
    """Whether ``person`` holds ``kind`` in ``agency`` (a role counts only in the person's own
    agency)."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    if person is None or person.agency_id != agency_id:
        return False
    return RoleAssignment.objects.filter(person=person, agency_id=agency_id, kind=kind).exists()


def may_publish(person: Person | None, agency: Agency | int, user: Any = None) -> bool:
    """Whether the person (or account) may publish and revise ``agency``'s procedures: its
    procedure administrators, and the installation's superuser."""
    return is_superuser(person, user) or has_role(person, agency, RoleKind.PROCEDURE_ADMIN)


def may_administer(person: Person | None, agency: Agency | int, user: Any = None) -> bool:
    """Whether the person (or account) administers ``agency``: its units, positions, people,
    vendors, calendar, disposition presets, documents' settings, bindings and public services.
    The agency's own administrators (in that agency only) and the installation's superuser."""
    return is_superuser(person, user) or has_role(person, agency, RoleKind.AGENCY_ADMIN)


def may_keep_procedures(person: Person | None, agency: Agency | int, user: Any = None) -> bool:
    """Whether the person (or account) keeps what goes with ``agency``'s procedures: their
    bindings, public services, documents' settings, and closing a case. The agency's
    administrators and procedure administrators, and the installation's superuser."""
    return may_administer(person, agency, user) or has_role(
        person, agency, RoleKind.PROCEDURE_ADMIN
    )


def administered_agencies(person: Person | None, user: Any = None) -> list[Agency]:
    """The agencies the person (or account) administers."""
    if is_superuser(person, user):
        return list(Agency.objects.order_by("name"))
    if person is None:
        return []
    return list(
        Agency.objects.filter(
            pk=person.agency_id,
            role_assignments__person=person,
            role_assignments__kind=RoleKind.AGENCY_ADMIN,
        ).distinct()
    )


def publishing_agencies(person: Person | None, user: Any = None) -> list[Agency]:
    """The agencies whose procedures the person (or account) may publish."""
    if is_superuser(person, user):
        return list(Agency.objects.order_by("name"))
    if person is None:
        return []
    return list(
        Agency.objects.filter(
            pk=person.agency_id,
            role_assignments__person=person,
            role_assignments__kind=RoleKind.PROCEDURE_ADMIN,
        ).distinct()
    )


def grant(person: Person, kind: RoleKind | str) -> RoleAssignment:
    """Give ``person`` the role ``kind`` in their agency (idempotent)."""
    assignment, _created = RoleAssignment.objects.get_or_create(
        person=person, agency_id=person.agency_id, kind=kind
    )
    return assignment


def revoke(person: Person, kind: RoleKind | str) -> None:
    """Take the role ``kind`` from ``person``."""
    RoleAssignment.objects.filter(person=person, kind=kind).delete()
