"""The agency administrator's services for the agency's people: create, change, remove, and
give a person a sign-in account (a user name with an initial password typed by the
administrator, or with none: the person then signs in through single sign-on, see
:func:`laksana.accounts.services.account_for_sso`).

Same rules as :mod:`laksana.org.admin_services`: the administrator's check, records of the
agency only, refusals naming the field, a change record in the same transaction. Vendors'
people are managed with their vendor; the public desk's system account is not a person to
manage. A NIP is unique in the whole installation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.org.admin_services import (
    SOURCE,
    check_admin,
    delete_or_refuse,
    lock_admins,
    own,
    refuse_if_used,
    refuse_last_admin,
    text_field,
)
from laksana.org.changes import record, snapshot
from laksana.org.models import (
    ActorBinding,
    Agency,
    ChangeAction,
    Person,
    Position,
    RoleKind,
    Unit,
    UnitKind,
)

PERSON_FIELDS = ("name", "nip", "email", "phone", "unit", "superior")
NIP = re.compile(r"\d{18}")


def person_snapshot(person: Person) -> dict[str, Any]:
    """The person's fields, positions held and account name, for the change record."""
    data = snapshot(person, PERSON_FIELDS) or {}
    data["positions"] = [{"id": p.pk, "name": p.name} for p in person.positions.order_by("pk")]
    data["account"] = person.user.get_username() if person.user is not None else ""
    return data


def _manageable(agency: Agency, person: Person | int) -> Person:
    from laksana.intake.desk import is_desk_person

    found = own(Person, agency, person, "person")
    assert found is not None
    if found.vendor_id is not None:
        raise ServiceError(
            "vendor_person",
            _("%(person)s works for a vendor: the vendor's people are managed on its page.")
            % {"person": found},
            field="person",
        )
    if is_desk_person(found):
        raise ServiceError(
            "desk_person",
            _("The public desk's system account is not changed here."),
            field="person",
        )
    return found


def _nip(nip: str, person: Person | None) -> str:
    nip = (nip or "").strip()
    if not nip:
        return ""
    if not NIP.fullmatch(nip):
        raise ServiceError("nip", _("A NIP is 18 digits."), field="nip")
    taken = Person.objects.filter(nip=nip)
    if person is not None:
        taken = taken.exclude(pk=person.pk)
    if taken.exists():
        raise ServiceError(
            "nip_taken", _("Another person in Laksana already has this NIP."), field="nip"
        )
    return nip


def _email(email: str) -> str:
    email = text_field(email, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ServiceError("email", _("Enter a valid e-mail address."), field="email") from exc
    return email


def _unit(agency: Agency, unit: Unit | int | None) -> Unit:
    if unit is None:
        raise ServiceError("required", _("This field is required."), field="unit")
    found = own(Unit, agency, unit, "unit")
    assert found is not None
    if found.kind in (UnitKind.PUBLIC, UnitKind.VENDOR):
        raise ServiceError(
            "unit_kind",
            _("Staff belong to the agency's own units, not to a vendor's or the public desk's."),
            field="unit",
        )
    return found


def _positions(agency: Agency, positions: Iterable[Position | int]) -> list[Position]:
    found = [own(Position, agency, p, "positions") for p in positions]
    return sorted({p.pk: p for p in found if p is not None}.values(), key=lambda p: p.pk)


def _superior(
    agency: Agency, superior: Person | int | None, person: Person | None
) -> Person | None:
    found = own(Person, agency, superior, "superior")
    if found is None or person is None:
        return found
    if found.pk == person.pk:
        raise ServiceError("cycle", _("A person cannot be their own superior."), field="superior")
    if found.pk in person.subordinates_tree():
        raise ServiceError(
            "cycle",
            _("%(superior)s is below %(person)s: a person cannot be above their own superior.")
            % {"superior": found, "person": person},
            field="superior",
        )
    return found


def _give_account(person: Person, username: str, password: str) -> None:
    user_model = get_user_model()
    username = text_field(username, "username", 150, required=True)
    try:
        user_model.username_validator(username)
    except ValidationError as exc:
        raise ServiceError(
            "username",
            _("A user name has letters, digits and @ . + - _ only."),
            field="username",
        ) from exc
    if user_model.objects.filter(username__iexact=username).exists():
        raise ServiceError("username_taken", _("This user name is taken."), field="username")
    user = user_model(username=username, email=person.email, first_name=person.name[:150])
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            messages = [str(m) for m in exc.messages]
            raise ServiceError(
                "password", " ".join(messages), field="password", items=messages
            ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person.user = user
    person.save(update_fields=["user"])


@transaction.atomic
def create_person(
    by: Person | None,
    agency: Agency,
    *,
    name: str,
    unit: Unit | int | None,
    nip: str = "",
    email: str = "",
    phone: str = "",
    positions: Iterable[Position | int] = (),
    superior: Person | int | None = None,
    username: str = "",
    password: str = "",
    user: Any = None,
) -> Person:
    """A new member of staff of ``agency``; with ``username``, a sign-in account too (its
    initial ``password``, or none)."""
    check_admin(by, agency, user)
    person = Person(
        agency=agency,
        name=text_field(name, "name", 200, required=True),
        nip=_nip(nip, None),
        email=_email(email),
        phone=text_field(phone, "phone", 40),
        unit=_unit(agency, unit),
        superior=_superior(agency, superior, None),
    )
    held = _positions(agency, positions)
    person.save()
    person.positions.set(held)
    if (username or "").strip():
        _give_account(person, username, password)
    record(
        agency,
        by,
        "person",
        person,
        ChangeAction.CREATED,
        None,
        person_snapshot(person),
        source=SOURCE,
    )
    return person


@transaction.atomic
def change_person(
    by: Person | None,
    agency: Agency,
    person: Person | int,
    *,
    name: str,
    unit: Unit | int | None,
    nip: str = "",
    email: str = "",
    phone: str = "",
    positions: Iterable[Position | int] = (),
    superior: Person | int | None = None,
    user: Any = None,
) -> Person:
    """Change a member of staff of ``agency``."""
    check_admin(by, agency, user)
    found = _manageable(agency, person)
    before = person_snapshot(found)
    found.name = text_field(name, "name", 200, required=True)
    found.nip = _nip(nip, found)
    found.email = _email(email)
    found.phone = text_field(phone, "phone", 40)
    found.unit = _unit(agency, unit)
    found.superior = _superior(agency, superior, found)
    held = _positions(agency, positions)
    found.save()
    found.positions.set(held)
    record(
        agency,
        by,
        "person",
        found,
        ChangeAction.CHANGED,
        before,
        person_snapshot(found),
        source=SOURCE,
    )
    return found


@transaction.atomic
def give_account(
    by: Person | None,
    agency: Agency,
    person: Person | int,
    *,
    username: str,
    password: str = "",
    user: Any = None,
) -> Person:
    """A sign-in account for a member of staff who has none."""
    check_admin(by, agency, user)
    found = _manageable(agency, person)
    if found.user_id is not None:
        raise ServiceError(
            "has_account",
            _("%(person)s already has a sign-in account.") % {"person": found},
            field="username",
        )
    before = person_snapshot(found)
    _give_account(found, username, password)
    record(
        agency,
        by,
        "person",
        found,
        ChangeAction.CHANGED,
        before,
        person_snapshot(found),
        source=SOURCE,
    )
    return found


@transaction.atomic
def remove_person(
    by: Person | None, agency: Agency, person: Person | int, *, user: Any = None
) -> None:
    """Remove a member of staff who left no trace: no cases opened or worked on, no actor
    bound to them, nobody below them, and not the agency's last administrator. Their sign-in
    account is deactivated. A person with a history cannot be removed (there is no
    deactivation of a person yet): the refusal says what refers to them."""
    from laksana.cases.models import Case

    check_admin(by, agency, user)
    found = _manageable(agency, person)
    if by is not None and found.pk == by.pk:
        raise ServiceError("self", _("You cannot remove yourself."), field="person")
    lock_admins(agency)
    if found.roles.filter(kind=RoleKind.AGENCY_ADMIN).exists():
        refuse_last_admin(agency, found, "person")
    uses = [
        (_("cases opened"), Case.objects.filter(opened_by=found).count()),
        (_("actor bindings"), ActorBinding.objects.filter(person=found).count()),
        (_("people below them"), found.subordinates.count()),
    ]
    refuse_if_used(found, "person", uses)
    before = person_snapshot(found)
    account = found.user
    label = found.name
    delete_or_refuse(found, "person")
    if account is not None and account.is_active:
        account.is_active = False
        account.save(update_fields=["is_active"])
    record(
        agency,
        by,
        "person",
        None,
        ChangeAction.REMOVED,
        before,
        None,
        source=SOURCE,
        label=label,
    )
