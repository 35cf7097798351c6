"""An agency administrator's vendors (catalog.Vendor) and the vendors' people.

Every function takes the agency from the URL and the acting person, looks records up within
that agency only (another agency's id is answered as a missing one), checks everything before
writing, and records each write with :func:`laksana.org.changes.record` in the same
transaction. A refusal is an :class:`AdminError` naming the input concerned; nothing is
written. A vendor's employee is a Person with ``vendor`` set, in a unit of kind VENDOR of the
agency (the vendor's own unit, made when the first employee is added); they hold no position
of the agency and are nobody's superior but their own colleagues'.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from laksana.catalog.models import Vendor
from laksana.org.changes import record, snapshot
from laksana.org.models import Agency, ChangeAction, Person, Unit, UnitKind
from laksana.org.usage import person_uses
from laksana.web.params import record_id

VENDOR_FIELDS = ("name",)
PERSON_FIELDS = ("name", "email", "phone", "unit", "vendor", "superior", "user")
UNIT_FIELDS = ("name", "short_name", "kind", "parent")
_PHONE_CHARS = set("0123456789+-() ")


class AdminError(Exception):
    """A change an administrator asked for that was not made; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- looking up, within the agency ------------------------------------------------------


def vendor_of(agency: Agency, vendor_id: object) -> Vendor:
    """The agency's vendor with that id; another agency's or a forged id is refused alike."""
    pk = record_id(vendor_id)
    vendor = Vendor.objects.filter(pk=pk, agency=agency).first() if pk else None
    if vendor is None:
        raise AdminError("vendor", _("%(agency)s has no such vendor.") % {"agency": agency})
    return vendor


def vendor_person_of(vendor: Vendor, person_id: object) -> Person:
    """The vendor's employee with that id (in the vendor's agency)."""
    pk = record_id(person_id)
    person = (
        Person.objects.filter(pk=pk, agency_id=vendor.agency_id, vendor=vendor).first()
        if pk
        else None
    )
    if person is None:
        raise AdminError("person", _("%(vendor)s has no such employee.") % {"vendor": vendor.name})
    return person


def _name(text: str, field: str = "name", limit: int = 200) -> str:
    value = " ".join(text.split())
    if not value:
        raise AdminError(field, _("Give a name."))
    if len(value) > limit:
        raise AdminError(field, _("At most %(n)d characters.") % {"n": limit})
    return value


# --- vendors ------------------------------------------------------------------------------


def _free_vendor_name(agency: Agency, name: str, but: Vendor | None = None) -> None:
    same = Vendor.objects.filter(agency=agency, name__iexact=name)
    if but is not None:
        same = same.exclude(pk=but.pk)
    if same.exists():
        raise AdminError(
            "name", _("%(agency)s already has a vendor of that name.") % {"agency": agency}
        )


@transaction.atomic
def create_vendor(agency: Agency, by: Person | None, name: str) -> Vendor:
    name = _name(name)
    _free_vendor_name(agency, name)
    vendor = Vendor.objects.create(agency=agency, name=name)
    record(
        agency, by, "vendor", vendor, ChangeAction.CREATED, None, snapshot(vendor, VENDOR_FIELDS)
    )
    return vendor


@transaction.atomic
def rename_vendor(agency: Agency, by: Person | None, vendor_id: object, name: str) -> Vendor:
    vendor = vendor_of(agency, vendor_id)
    name = _name(name)
    _free_vendor_name(agency, name, but=vendor)
    before = snapshot(vendor, VENDOR_FIELDS)
    old = vendor.name
    vendor.name = name
    vendor.save(update_fields=["name"])
    record(
        agency, by, "vendor", vendor, ChangeAction.CHANGED, before, snapshot(vendor, VENDOR_FIELDS)
    )
    # The vendor's own unit carries the vendor's name: it follows.
    unit = Unit.objects.filter(agency=agency, kind=UnitKind.VENDOR, name=old).first()
    if unit is not None and old != name:
        unit_before = snapshot(unit, UNIT_FIELDS)
        unit.name = name
        unit.save(update_fields=["name"])
        record(
            agency, by, "unit", unit, ChangeAction.CHANGED, unit_before, snapshot(unit, UNIT_FIELDS)
        )
    return vendor


def vendor_uses(vendor: Vendor) -> list[str]:
    """What keeps the vendor from removal, in words (contracts, employees, applications)."""
    uses = []
    contracts = list(vendor.contracts.values_list("number", flat=True)[:5])
    if contracts:
        uses.append(_("contracts %(list)s") % {"list": ", ".join(contracts)})
    staff = list(Person.objects.filter(vendor=vendor).values_list("name", flat=True)[:5])
    if staff:
        uses.append(_("employees %(list)s") % {"list": ", ".join(staff)})
    apps = list(vendor.developed_applications.values_list("name", flat=True)[:5])
    if apps:
        uses.append(_("applications it develops: %(list)s") % {"list": ", ".join(apps)})
    return uses


@transaction.atomic
def remove_vendor(agency: Agency, by: Person | None, vendor_id: object) -> None:
    vendor = vendor_of(agency, vendor_id)
    uses = vendor_uses(vendor)
    if uses:
        raise AdminError(
            "vendor",
            _("%(vendor)s cannot be removed while it has %(uses)s.")
            % {"vendor": vendor.name, "uses": "; ".join(uses)},
        )
    before = snapshot(vendor, VENDOR_FIELDS)
    record(agency, by, "vendor", vendor, ChangeAction.REMOVED, before, None)
    vendor.delete()


# --- the vendor's people --------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    """What the form of a vendor's employee gives (texts as typed)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    unit: str = ""
    superior: str = ""
    # Posted positions: a vendor's employee holds none, so any is refused.
    positions: tuple[str, ...] = ()


def vendor_unit(agency: Agency, by: Person | None, vendor: Vendor) -> Unit:
    """The vendor's own unit (kind VENDOR, named like the vendor), made if there is none."""
    unit = Unit.objects.filter(agency=agency, kind=UnitKind.VENDOR, name=vendor.name).first()
    if unit is None:
        unit = Unit.objects.create(agency=agency, name=vendor.name, kind=UnitKind.VENDOR)
        record(agency, by, "unit", unit, ChangeAction.CREATED, None, snapshot(unit, UNIT_FIELDS))
    return unit


def _checked(
    agency: Agency, by: Person | None, vendor: Vendor, data: PersonInput, person: Person | None
) -> dict[str, object]:
    if any(p.strip() for p in data.positions):
        raise AdminError("positions", _("A vendor's employee holds no position of the agency."))
    name = _name(data.name)
    email = data.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AdminError("email", _("Give a valid e-mail address.")) from None
    phone = data.phone.strip()
    if len(phone) > 40 or not set(phone) <= _PHONE_CHARS:
        raise AdminError(
            "phone", _("Give a phone number: digits, spaces, +, - and brackets, at most 40.")
        )
    if data.unit.strip():
        pk = record_id(data.unit)
        unit = Unit.objects.filter(pk=pk, agency=agency).first() if pk else None
        if unit is None:
            raise AdminError("unit", _("%(agency)s has no such unit.") % {"agency": agency})
        if unit.kind != UnitKind.VENDOR:
            raise AdminError(
                "unit",
                _("A vendor's employee belongs to a vendor unit, not to %(unit)s.")
                % {"unit": unit.name},
            )
    else:
        unit = person.unit if person is not None else vendor_unit(agency, by, vendor)
    superior = None
    if data.superior.strip():
        pk = record_id(data.superior)
        superior = (
            Person.objects.filter(pk=pk, agency=agency, vendor=vendor).first() if pk else None
        )
        if superior is None or (person is not None and superior.pk == person.pk):
            raise AdminError(
                "superior",
                _("The superior of a vendor's employee is another employee of %(vendor)s.")
                % {"vendor": vendor.name},
            )
        if person is not None and superior.pk in person.subordinates_tree():
            raise AdminError(
                "superior",
                _("%(name)s is below this person: that would make a loop.")
                % {"name": superior.name},
            )
    return {"name": name, "email": email, "phone": phone, "unit": unit, "superior": superior}


def refuse_vendor_superior(superior: Person | None, person: Person) -> None:
    """A vendor's employee is nobody's superior but a colleague's of the same vendor (for
    every service that sets a superior)."""
    if superior is not None and superior.vendor_id and superior.vendor_id != person.vendor_id:
        raise AdminError(
            "superior",
            _("%(name)s works for a vendor and cannot be the superior of the agency's staff.")
            % {"name": superior.name},
        )


def _account(username: str, password: str, password2: str, person_name: str, email: str) -> object:
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise AdminError("username", _("Give a user name for signing in."))
    try:
        user_model._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise AdminError("username", " ".join(exc.messages)) from None
    if len(username) > 150:
        raise AdminError("username", _("At most %(n)d characters.") % {"n": 150})
    if user_model.objects.filter(username__iexact=username).exists():
        raise AdminError("username", _("The user name %(name)s is taken.") % {"name": username})
    if not password:
        raise AdminError("password", _("Give an initial password."))
    if password != password2:
        raise AdminError("password2", _("The two passwords differ."))
    candidate = user_model(username=username, email=email, first_name=person_name[:150])
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise AdminError("password", " ".join(exc.messages)) from None
    candidate.set_password(password)
    candidate.save()
    return candidate


@transaction.atomic
def add_vendor_person(
    agency: Agency,
    by: Person | None,
    vendor_id: object,
    data: PersonInput,
    *,
    username: str = "",
    password: str = "",
    password2: str = "",
) -> Person:
    """A new employee of the vendor, with a sign-in account when a user name is given."""
    vendor = vendor_of(agency, vendor_id)
    values = _checked(agency, by, vendor, data, None)
    user = None
    if username.strip() or password:
        user = _account(username, password, password2, str(values["name"]), str(values["email"]))
    person = Person.objects.create(agency=agency, vendor=vendor, user=user, **values)  # type: ignore[misc]
    record(
        agency,
        by,
        "vendor_person",
        person,
        ChangeAction.CREATED,
        None,
        snapshot(person, PERSON_FIELDS),
    )
    return person


@transaction.atomic
def update_vendor_person(
    agency: Agency, by: Person | None, vendor_id: object, person_id: object, data: PersonInput
) -> Person:
    vendor = vendor_of(agency, vendor_id)
    person = vendor_person_of(vendor, person_id)
    values = _checked(agency, by, vendor, data, person)
    before = snapshot(person, PERSON_FIELDS)
    for key, value in values.items():
        setattr(person, key, value)
    person.save(update_fields=list(values))
    record(
        agency,
        by,
        "vendor_person",
        person,
        ChangeAction.CHANGED,
        before,
        snapshot(person, PERSON_FIELDS),
    )
    return person


@transaction.atomic
def remove_vendor_person(
    agency: Agency, by: Person | None, vendor_id: object, person_id: object
) -> None:
    """Remove an employee who has taken part in nothing; their sign-in account goes too."""
    vendor = vendor_of(agency, vendor_id)
    person = vendor_person_of(vendor, person_id)
    uses = person_uses(person)
    if uses:
        raise AdminError(
            "person",
            _("%(name)s cannot be removed: the records keep %(uses)s of theirs.")
            % {"name": person.name, "uses": ", ".join(uses)},
        )
    record(
        agency,
        by,
        "vendor_person",
        person,
        ChangeAction.REMOVED,
        snapshot(person, PERSON_FIELDS),
        None,
    )
    user = person.user
    person.delete()
    if user is not None:
        user.delete()
