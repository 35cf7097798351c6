"""Opening a case automatically: a system account of the agency (a person without a sign-in,
such as the monitoring module's) may open a case for any unit of its agency; nobody who can
sign in may use that door, and no agency's system account opens for another agency."""

from __future__ import annotations

import pytest

from laksana.cases import services
from laksana.cases.models import Case
from laksana.cases.servicebase import NotAllowed
from laksana.org.models import Person


def _robot(org, unit_key: str) -> Person:
    return Person.objects.create(
        agency=org.agency, name="Pemantauan Laksana", unit=org.units[unit_key]
    )


@pytest.mark.django_db
def test_a_system_account_opens_for_another_unit_of_its_agency(djki, sop004) -> None:
    robot = _robot(djki, "tiki")
    ipas = djki.applications["ipas"]
    user_unit = next(u for u in djki.units.values() if u.pk != robot.unit_id)
    case = services.open_case(
        robot, sop004, "Gangguan IPAS", requesting_unit=user_unit, application=ipas, automatic=True
    )
    assert case.requesting_unit_id == user_unit.pk
    assert case.opened_by_id == robot.pk
    assert case.journal.filter(kind="opened", actor=robot).count() == 1


@pytest.mark.django_db
def test_a_person_who_signs_in_cannot_open_automatically(djki, sop004) -> None:
    person = next(p for p in djki.people.values() if p.user_id is not None and p.vendor_id is None)
    other = next(u for u in djki.units.values() if u.pk != person.unit_id)
    before = Case.objects.count()
    with pytest.raises(NotAllowed, match="system account"):
        services.open_case(person, sop004, "Gangguan", requesting_unit=other, automatic=True)
    # Without the flag the old rule stands: only one's own unit.
    with pytest.raises(NotAllowed, match="your own unit"):
        services.open_case(person, sop004, "Gangguan", requesting_unit=other)
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_a_system_account_cannot_open_for_another_agency(djki, bali, sop004, sop002) -> None:
    robot = _robot(djki, "tiki")
    with pytest.raises(NotAllowed):
        services.open_case(
            robot,
            sop004,
            "Gangguan",
            requesting_unit=next(iter(bali.units.values())),
            automatic=True,
        )
    with pytest.raises(NotAllowed):
        services.open_case(robot, sop002, "Gangguan", automatic=True)
