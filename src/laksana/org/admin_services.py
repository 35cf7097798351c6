"""The agency administrator's services for the organisation's units, positions and product
roles (people: :mod:`laksana.org.admin_people`).

Every function takes the acting person (None for a superuser without one) and account and the
agency, checks :func:`laksana.org.roles.may_administer`, resolves every record it is given in
that agency only (another agency's record, or a made-up id, is "not found"), refuses with a
:class:`~laksana.errors.ServiceError` naming the field, and records the change
(:func:`laksana.org.changes.record`) in the same transaction. A refusal writes nothing.

The public desk's unit (kind ``public``) belongs to the desk (:mod:`laksana.intake.desk`): it
is not created, changed or removed here.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from laksana.errors import NotAllowed, ServiceError
from laksana.org import roles
from laksana.org.changes import record, snapshot
from laksana.org.models import (
    ActorBinding,
    Agency,
    ChangeAction,
    Person,
    Position,
    RoleAssignment,
    RoleKind,
    Unit,
    UnitKind,
)
from laksana.web.params import record_id

UNIT_FIELDS = ("parent", "name", "short_name", "kind")
POSITION_FIELDS = ("unit", "name", "superior")
SOURCE = "admin"

M = TypeVar("M", bound=models.Model)


def check_admin(by: Person | None, agency: Agency, user: Any = None) -> None:
    """Refuse anyone who does not administer ``agency``."""
    if not roles.may_administer(by, agency, user):
        raise NotAllowed(_("Only the agency's administrators manage its organisation."))


def own(model: type[M], agency: Agency, value: M | int | str | None, field: str) -> M | None:
    """The record of ``agency`` named by ``value`` (a record or its id), None for none; a record
    of another agency or a made-up id is refused as not found."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, models.Model) else record_id(value)
    found = model._default_manager.filter(agency=agency, pk=pk).first() if pk is not None else None
    if found is None:
        raise ServiceError(
            "not_found",
            _("No %(what)s with this id in %(agency)s.")
            % {"what": model._meta.verbose_name, "agency": agency},
            field=field,
        )
    return found


def text_field(value: str, field: str, limit: int, *, required: bool = False) -> str:
    """``value`` stripped, refused by ``field`` when missing (if required) or too long."""
    value = (value or "").strip()
    if required and not value:
        raise ServiceError("required", _("This field is required."), field=field)
    if len(value) > limit:
        raise ServiceError(
            "too_long",
            _("At most %(n)s characters.") % {"n": limit},
            field=field,
        )
    return value


def refuse_if_used(obj: models.Model, field: str, uses: list[tuple[str, int]]) -> None:
    """Refuse to remove ``obj`` while any of ``uses`` (what, how many) counts something; the
    refusal lists them."""
    still = [f"{what}: {n}" for what, n in uses if n]
    if still:
        raise ServiceError(
            "in_use",
            _("%(name)s is still used (%(uses)s): move or remove those first.")
            % {"name": obj, "uses": ", ".join(still)},
            field=field,
            items=still,
        )


def delete_or_refuse(obj: models.Model, field: str) -> None:
    """Delete ``obj``, or refuse (nothing deleted) naming the kinds of records that still
    refer to it."""
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        found = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        names = ", ".join(sorted({str(o._meta.verbose_name_plural) for o in found}))
        raise ServiceError(
            "in_use",
            _("%(name)s cannot be removed: %(uses)s still refer to it.")
            % {"name": obj, "uses": names},
            field=field,
        ) from exc


# --- units ------------------------------------------------------------------------------------


def _unit_kind(kind: str) -> str:
    if kind == UnitKind.PUBLIC:
        raise ServiceError(
            "public_unit",
            _("The public desk's unit is made by the public desk, not here."),
            field="kind",
        )
    if kind not in UnitKind.values:
        raise ServiceError("invalid", _("Choose one of the kinds offered."), field="kind")
    return kind


def _parent(agency: Agency, parent: Unit | int | None, unit: Unit | None) -> Unit | None:
    found = own(Unit, agency, parent, "parent")
    if found is None:
        return None
    if found.kind == UnitKind.PUBLIC:
        raise ServiceError(
            "public_unit", _("The public desk's unit has no units below it."), field="parent"
        )
    if unit is not None:
        if found.pk == unit.pk:
            raise ServiceError("cycle", _("A unit cannot be its own parent."), field="parent")
        above, seen = found, {found.pk}
        while above.parent_id is not None and above.parent_id not in seen:
            if above.parent_id == unit.pk:
                raise ServiceError(
                    "cycle",
                    _("%(parent)s is below %(unit)s: a unit cannot be placed below itself.")
                    % {"parent": found, "unit": unit},
                    field="parent",
                )
            seen.add(above.parent_id)
            above = Unit.objects.get(pk=above.parent_id)
    return found


def _editable_unit(agency: Agency, unit: Unit | int) -> Unit:
    found = own(Unit, agency, unit, "unit")
    assert found is not None
    if found.kind == UnitKind.PUBLIC:
        raise ServiceError(
            "public_unit",
            _("The public desk's unit belongs to the public desk and is not changed here."),
            field="unit",
        )
    return found


@transaction.atomic
def create_unit(
    by: Person | None,
    agency: Agency,
    *,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Unit | int | None = None,
    user: Any = None,
) -> Unit:
    """A new unit of ``agency`` (below ``parent``, or at the top)."""
    check_admin(by, agency, user)
    unit = Unit(
        agency=agency,
        name=text_field(name, "name", 200, required=True),
        short_name=text_field(short_name, "short_name", 60),
        kind=_unit_kind(kind),
        parent=_parent(agency, parent, None),
    )
    unit.save()
    record(
        agency,
        by,
        "unit",
        unit,
        ChangeAction.CREATED,
        None,
        snapshot(unit, UNIT_FIELDS),
        source=SOURCE,
    )
    return unit


@transaction.atomic
def change_unit(
    by: Person | None,
    agency: Agency,
    unit: Unit | int,
    *,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Unit | int | None = None,
    user: Any = None,
) -> Unit:
    """Change a unit of ``agency``: its name, short name, kind and place in the tree."""
    check_admin(by, agency, user)
    found = _editable_unit(agency, unit)
    before = snapshot(found, UNIT_FIELDS)
    found.name = text_field(name, "name", 200, required=True)
    found.short_name = text_field(short_name, "short_name", 60)
    found.kind = _unit_kind(kind)
    found.parent = _parent(agency, parent, found)
    found.save()
    record(
        agency,
        by,
        "unit",
        found,
        ChangeAction.CHANGED,
        before,
        snapshot(found, UNIT_FIELDS),
        source=SOURCE,
    )
    return found


@transaction.atomic
def remove_unit(by: Person | None, agency: Agency, unit: Unit | int, *, user: Any = None) -> None:
    """Remove a unit nobody and nothing uses any more: no members, units below it, positions,
    actor bindings or cases (the refusal says what still uses it)."""
    from laksana.cases.models import Case

    check_admin(by, agency, user)
    found = _editable_unit(agency, unit)
    uses = [
        (_("members"), found.members.count()),
        (_("units below it"), found.children.count()),
        (_("positions"), found.positions.count()),
        (_("actor bindings"), ActorBinding.objects.filter(unit=found).count()),
        (_("cases"), Case.objects.filter(requesting_unit=found).count()),
    ]
    refuse_if_used(found, "unit", uses)
    before = snapshot(found, UNIT_FIELDS)
    delete_or_refuse(found, "unit")
    record(
        agency,
        by,
        "unit",
        found,
        ChangeAction.REMOVED,
        before,
        None,
        source=SOURCE,
        label=str(before["name"]) if before else "",
    )


# --- positions --------------------------------------------------------------------------------


def _position_unit(agency: Agency, unit: Unit | int | None) -> Unit:
    if unit is None:
        raise ServiceError("required", _("This field is required."), field="unit")
    found = own(Unit, agency, unit, "unit")
    assert found is not None
    if found.kind == UnitKind.PUBLIC:
        raise ServiceError(
            "public_unit", _("The public desk's unit has no positions."), field="unit"
        )
    return found


def _superior_position(
    agency: Agency, superior: Position | int | None, position: Position | None
) -> Position | None:
    found = own(Position, agency, superior, "superior")
    if found is None or position is None:
        return found
    above: Position | None = found
    seen: set[int] = set()
    while above is not None and above.pk not in seen:
        if above.pk == position.pk:
            raise ServiceError(
                "cycle",
                _("%(superior)s is below %(position)s: a position cannot be its own superior.")
                % {"superior": found, "position": position},
                field="superior",
            )
        seen.add(above.pk)
        above = above.superior
    return found


@transaction.atomic
def create_position(
    by: Person | None,
    agency: Agency,
    *,
    unit: Unit | int | None,
    name: str,
    superior: Position | int | None = None,
    user: Any = None,
) -> Position:
    """A new position (jabatan) in a unit of ``agency``."""
    check_admin(by, agency, user)
    position = Position(
        agency=agency,
        unit=_position_unit(agency, unit),
        name=text_field(name, "name", 200, required=True),
        superior=_superior_position(agency, superior, None),
    )
    position.save()
    record(
        agency,
        by,
        "position",
        position,
        ChangeAction.CREATED,
        None,
        snapshot(position, POSITION_FIELDS),
        source=SOURCE,
    )
    return position


@transaction.atomic
def change_position(
    by: Person | None,
    agency: Agency,
    position: Position | int,
    *,
    unit: Unit | int | None,
    name: str,
    superior: Position | int | None = None,
    user: Any = None,
) -> Position:
    """Change a position of ``agency``: its unit, name and superior position."""
    check_admin(by, agency, user)
    found = own(Position, agency, position, "position")
    assert found is not None
    before = snapshot(found, POSITION_FIELDS)
    found.unit = _position_unit(agency, unit)
    found.name = text_field(name, "name", 200, required=True)
    found.superior = _superior_position(agency, superior, found)
    found.save()
    record(
        agency,
        by,
        "position",
        found,
        ChangeAction.CHANGED,
        before,
        snapshot(found, POSITION_FIELDS),
        source=SOURCE,
    )
    return found


@transaction.atomic
def remove_position(
    by: Person | None, agency: Agency, position: Position | int, *, user: Any = None
) -> None:
    """Remove a position nobody holds and no actor is bound to (positions below it lose their
    superior position)."""
    check_admin(by, agency, user)
    found = own(Position, agency, position, "position")
    assert found is not None
    uses = [
        (_("holders"), found.holders.count()),
        (_("actor bindings"), ActorBinding.objects.filter(position=found).count()),
    ]
    refuse_if_used(found, "position", uses)
    before = snapshot(found, POSITION_FIELDS)
    below = list(found.subordinates.all())
    for sub in below:
        sub_before = snapshot(sub, POSITION_FIELDS)
        sub.superior = None
        sub.save(update_fields=["superior"])
        record(
            agency,
            by,
            "position",
            sub,
            ChangeAction.CHANGED,
            sub_before,
            snapshot(sub, POSITION_FIELDS),
            source=SOURCE,
        )
    label = found.name
    found.delete()
    record(
        agency,
        by,
        "position",
        None,
        ChangeAction.REMOVED,
        before,
        None,
        source=SOURCE,
        label=label,
    )


# --- roles ------------------------------------------------------------------------------------


def _role_kind(kind: str) -> str:
    if kind not in RoleKind.values:
        raise ServiceError("invalid", _("Choose one of the roles offered."), field="kind")
    return kind


def _role_holder(agency: Agency, person: Person | int) -> Person:
    from laksana.intake.desk import is_desk_person

    found = own(Person, agency, person, "person")
    assert found is not None
    if found.vendor_id is not None or is_desk_person(found):
        raise ServiceError(
            "not_staff",
            _(
                "Roles are given to the agency's own staff, not to vendors' people or the "
                "public desk's account."
            ),
            field="person",
        )
    return found


def _role_snapshot(person: Person, kind: str) -> dict[str, Any]:
    return {"person": {"id": person.pk, "name": person.name}, "role": kind}


@transaction.atomic
def grant_role(
    by: Person | None, agency: Agency, person: Person | int, kind: str, *, user: Any = None
) -> RoleAssignment:
    """Give a person of ``agency`` a product role (nothing recorded when they hold it)."""
    check_admin(by, agency, user)
    found = _role_holder(agency, person)
    kind = _role_kind(kind)
    held = RoleAssignment.objects.filter(person=found, agency=agency, kind=kind).first()
    if held is not None:
        return held
    assignment = roles.grant(found, kind)
    record(
        agency,
        by,
        "role",
        found,
        ChangeAction.CREATED,
        None,
        _role_snapshot(found, kind),
        source=SOURCE,
        label=f"{found.name}: {RoleKind(kind).label}",
    )
    return assignment


def lock_admins(agency: Agency) -> None:
    """Serialise the changes that may take an agency's last administrator away."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()


def refuse_last_admin(agency: Agency, person: Person, field: str) -> None:
    """Refuse when ``person`` is the agency's only administrator (call after
    :func:`lock_admins`)."""
    admins = RoleAssignment.objects.filter(agency=agency, kind=RoleKind.AGENCY_ADMIN)
    if admins.filter(person=person).exists() and admins.count() <= 1:
        raise ServiceError(
            "last_admin",
            _(
                "%(person)s is the agency's only administrator: make someone else an "
                "administrator first, so the agency always has one."
            )
            % {"person": person},
            field=field,
        )


@transaction.atomic
def revoke_role(
    by: Person | None, agency: Agency, person: Person | int, kind: str, *, user: Any = None
) -> None:
    """Take a product role from a person of ``agency``; the agency's last administrator keeps
    theirs."""
    check_admin(by, agency, user)
    found = own(Person, agency, person, "person")
    assert found is not None
    kind = _role_kind(kind)
    lock_admins(agency)
    held = RoleAssignment.objects.filter(person=found, agency=agency, kind=kind)
    if not held.exists():
        raise ServiceError(
            "not_held",
            _("%(person)s does not hold this role.") % {"person": found},
            field="kind",
        )
    if kind == RoleKind.AGENCY_ADMIN:
        refuse_last_admin(agency, found, "person")
    held.delete()
    record(
        agency,
        by,
        "role",
        found,
        ChangeAction.REMOVED,
        _role_snapshot(found, kind),
        None,
        source=SOURCE,
        label=f"{found.name}: {RoleKind(kind).label}",
    )
