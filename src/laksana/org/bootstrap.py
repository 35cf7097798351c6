"""A new agency on an installation: the agency, its top unit, its first administrator with a
sign-in account and the agency administrator's role, and the usual disposition presets.

Everything else (units, positions, people, vendors, calendar, bindings, public services) the
administrator then sets up in the product's screens or imports. Used by
``laksana org agency create`` (the installation's operator runs it once per agency).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.org import changes, roles
from laksana.org.models import (
    DEFAULT_INSTRUCTIONS,
    Agency,
    ChangeAction,
    DispositionInstruction,
    Person,
    RoleKind,
    TimeZone,
    Unit,
    UnitKind,
)


@dataclass(frozen=True)
class NewAgency:
    name: str
    short_name: str
    slug: str
    unit_name: str
    admin_username: str
    admin_name: str
    admin_email: str
    admin_password: str
    time_zone: str = TimeZone.WIB


def _check(new: NewAgency) -> None:
    for field in ("name", "short_name", "slug", "unit_name", "admin_username", "admin_name"):
        if not getattr(new, field).strip():
            raise ServiceError("required", _("Give the %(field)s.") % {"field": field}, field=field)
    try:
        validate_slug(new.slug)
    except ValidationError:
        raise ServiceError(
            "invalid",
            _("The slug may hold only letters, digits, hyphens and underscores."),
            field="slug",
        ) from None
    if Agency.objects.filter(slug=new.slug).exists():
        raise ServiceError(
            "taken", _("An agency with the slug %(slug)s exists.") % {"slug": new.slug}, "slug"
        )
    if new.time_zone not in TimeZone.values:
        raise ServiceError(
            "invalid",
            _("The time zone is one of %(zones)s.") % {"zones": ", ".join(TimeZone.values)},
            field="time_zone",
        )
    try:
        validate_email(new.admin_email)
    except ValidationError:
        raise ServiceError(
            "invalid", _("The administrator's e-mail is not valid."), field="admin_email"
        ) from None
    if get_user_model().objects.filter(username=new.admin_username).exists():
        raise ServiceError(
            "taken",
            _("The user name %(name)s is taken.") % {"name": new.admin_username},
            field="admin_username",
        )
    try:
        validate_password(new.admin_password)
    except ValidationError as exc:
        raise ServiceError("invalid", " ".join(exc.messages), field="admin_password") from None


@transaction.atomic
def create_agency(new: NewAgency) -> tuple[Agency, Person]:
    """Make the agency, its top unit and its first administrator (all or nothing)."""
    _check(new)
    agency = Agency.objects.create(
        name=new.name.strip(),
        short_name=new.short_name.strip(),
        slug=new.slug,
        time_zone=new.time_zone,
    )
    unit = Unit.objects.create(agency=agency, name=new.unit_name.strip(), kind=UnitKind.OFFICE)
    user = get_user_model().objects.create_user(
        username=new.admin_username, email=new.admin_email, password=new.admin_password
    )
    person = Person.objects.create(
        user=user,
        agency=agency,
        name=new.admin_name.strip(),
        email=new.admin_email,
        unit=unit,
    )
    roles.grant(person, RoleKind.AGENCY_ADMIN)
    for order, text in enumerate(DEFAULT_INSTRUCTIONS):
        DispositionInstruction.objects.create(agency=agency, text=text, order=order)
    source = "laksana org agency create"
    changes.record(
        agency,
        None,
        "unit",
        unit,
        ChangeAction.CREATED,
        None,
        changes.snapshot(unit, ("name", "kind")),
        source=source,
    )
    changes.record(
        agency,
        None,
        "person",
        person,
        ChangeAction.CREATED,
        None,
        changes.snapshot(person, ("name", "email", "unit")),
        source=source,
    )
    changes.record(
        agency,
        None,
        "role",
        person,
        ChangeAction.CREATED,
        None,
        {"role": RoleKind.AGENCY_ADMIN.value},
        source=source,
    )
    return agency, person
