"""The accounts part of the API: who the caller is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from laksana.api.auth import acting_person
from laksana.api.errors import responses
from laksana.org.models import Person

router = Router(tags=["accounts"])


class Ref(Schema):
    id: int
    name: str


class PositionOut(Schema):
    id: int
    name: str
    unit: Ref


class MeOut(Schema):
    """The calling person, their unit and the positions they hold."""

    id: int
    username: str
    name: str
    nip: str
    email: str
    agency: Ref
    unit: Ref
    positions: list[PositionOut]
    superior: Ref | None
    vendor: Ref | None


@router.get("/me", response={200: MeOut, **responses(403)})
def me(request: HttpRequest) -> MeOut:
    """The caller: person, agency, unit, positions, superior and vendor."""
    person = (
        Person.objects.select_related("user", "agency", "unit", "superior", "vendor")
        .prefetch_related("positions__unit")
        .get(pk=acting_person(request).pk)
    )
    return MeOut(
        id=person.pk,
        username=person.user.get_username() if person.user else "",
        name=person.name,
        nip=person.nip,
        email=person.email,
        agency=Ref(id=person.agency.pk, name=person.agency.name),
        unit=Ref(id=person.unit.pk, name=person.unit.name),
        positions=[
            PositionOut(id=p.pk, name=p.name, unit=Ref(id=p.unit.pk, name=p.unit.name))
            for p in person.positions.all()
        ],
        superior=Ref(id=person.superior.pk, name=person.superior.name) if person.superior else None,
        vendor=Ref(id=person.vendor.pk, name=person.vendor.name) if person.vendor else None,
    )
