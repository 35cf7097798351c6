"""The forms of the agency administrator's screens for units, positions, people and roles.

They read and show what was entered; the choices are the agency's own records, and every rule
is judged again by the services (:mod:`laksana.org.admin_services`,
:mod:`laksana.org.admin_people`), whose refusals are shown at the field they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laksana.errors import ServiceError
from laksana.org.models import Agency, Person, Position, RoleKind, Unit, UnitKind


def unit_tree(agency: Agency) -> list[tuple[Unit, int]]:
    """The agency's units in tree order (each after its parent), with their depth."""
    units = list(Unit.objects.filter(agency=agency).order_by("name", "pk"))
    children: dict[int | None, list[Unit]] = {}
    known = {u.pk for u in units}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in known else None, []).append(u)
    out: list[tuple[Unit, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for u in children.get(parent, []):
            if u.pk not in seen:
                seen.add(u.pk)
                out.append((u, depth))
                walk(u.pk, depth + 1)

    walk(None, 0)
    out.extend((u, 0) for u in units if u.pk not in seen)
    return out


def indented(unit: Unit, depth: int) -> str:
    """A unit's name indented by its depth, for lists and choices."""
    return f"{'— ' * depth}{unit.name}"


def staff(agency: Agency) -> QuerySet[Person]:
    """The agency's own staff: not vendors' people, not the public desk's account."""
    return (
        Person.objects.filter(agency=agency, vendor__isnull=True)
        .exclude(unit__kind=UnitKind.PUBLIC)
        .select_related("unit")
        .order_by("name", "pk")
    )


def show_refusal(form: forms.Form, exc: ServiceError) -> None:
    """Show a service's refusal at the field it names (else above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class _AgencyForm(forms.Form):
    def __init__(self, agency: Agency, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency


class UnitForm(_AgencyForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"))
    parent = forms.TypedChoiceField(
        label=gettext_lazy("Parent unit"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, agency: Agency, *args: Any, unit: Unit | None = None, **kw: Any) -> None:
        super().__init__(agency, *args, **kw)
        kinds = [(v, label) for v, label in UnitKind.choices if v != UnitKind.PUBLIC]
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        parents = [
            (u.pk, indented(u, d))
            for u, d in unit_tree(agency)
            if u.kind != UnitKind.PUBLIC and (unit is None or u.pk != unit.pk)
        ]
        self.fields["parent"].choices = [("", _("(top of the tree)")), *parents]  # type: ignore[attr-defined]


class PositionForm(_AgencyForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    superior = forms.TypedChoiceField(
        label=gettext_lazy("Superior position"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, agency: Agency, *args: Any, position: Position | None = None, **kw: Any
    ) -> None:
        super().__init__(agency, *args, **kw)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            (u.pk, indented(u, d)) for u, d in unit_tree(agency) if u.kind != UnitKind.PUBLIC
        ]
        others = Position.objects.filter(agency=agency).order_by("name", "pk")
        if position is not None:
            others = others.exclude(pk=position.pk)
        self.fields["superior"].choices = [  # type: ignore[attr-defined]
            ("", _("(none)")),
            *[(p.pk, p.name) for p in others],
        ]


class PersonForm(_AgencyForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    nip = forms.CharField(
        label=gettext_lazy("NIP"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("18 digits; leave empty for someone who is not a civil servant."),
    )
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    positions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Positions held"), required=False, coerce=int
    )
    superior = forms.TypedChoiceField(
        label=gettext_lazy("Superior"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, agency: Agency, *args: Any, person: Person | None = None, **kw: Any) -> None:
        super().__init__(agency, *args, **kw)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            (u.pk, indented(u, d))
            for u, d in unit_tree(agency)
            if u.kind not in (UnitKind.PUBLIC, UnitKind.VENDOR)
        ]
        self.fields["positions"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.name} ({p.unit})")
            for p in Position.objects.filter(agency=agency).select_related("unit")
        ]
        others = staff(agency)
        if person is not None:
            others = others.exclude(pk=person.pk)
        self.fields["superior"].choices = [  # type: ignore[attr-defined]
            ("", _("(none)")),
            *[(p.pk, p.name) for p in others],
        ]


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150, required=False)
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Leave empty for an account that signs in through single sign-on only."
        ),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Initial password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", _("The two passwords differ."))
        if data.get("password") and not data.get("username", "").strip():
            self.add_error("username", _("A password needs a user name."))
        return data


class NewPersonForm(PersonForm, AccountForm):
    """A new person, with an optional sign-in account (asked after the person)."""

    field_order = [*PersonForm.base_fields, *AccountForm.base_fields]

    def __init__(self, agency: Agency, *args: Any, **kw: Any) -> None:
        PersonForm.__init__(self, agency, *args, **kw)


class AccountOnlyForm(AccountForm):
    """A sign-in account for a person who has none: the user name is required."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("username", "").strip() and "username" not in self.errors:
            self.add_error("username", _("This field is required."))
        return data


class PeopleFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or NIP"), max_length=100, required=False)
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Unit"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, agency: Agency, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", _("(all units)")),
            *[(u.pk, indented(u, d)) for u, d in unit_tree(agency)],
        ]


class RoleForm(_AgencyForm):
    person = forms.TypedChoiceField(label=gettext_lazy("Person"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Role"), choices=RoleKind.choices)

    def __init__(self, agency: Agency, *args: Any, **kw: Any) -> None:
        super().__init__(agency, *args, **kw)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.name} ({p.unit})") for p in staff(agency)
        ]
