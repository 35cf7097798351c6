"""Writing a checked staff import (:func:`laksana.org.staffimport.import_staff`): the units
and positions it creates, the people it creates and updates, each write recorded in the
organisation's history with the source ``import: <file name>``. Called inside the import's
transaction, with a plan without problems."""

from __future__ import annotations

from laksana.org.changes import record, snapshot
from laksana.org.models import ChangeAction, Person, Position, Unit, UnitKind
from laksana.org.staffimport import Plan, key, state, top_unit

UNIT_FIELDS = ("name", "short_name", "kind", "parent")
POSITION_FIELDS = ("name", "unit", "superior")


def apply(plan: Plan, by: Person | None) -> None:
    """Write ``plan`` (checked, without problems)."""
    assert plan.ok
    agency = plan.agency
    source = f"import: {plan.file_name}"
    top = top_unit(agency)
    units: dict[str, Unit] = {}
    for r in plan.rows:
        if r.unit is None and key(r.unit_text) not in units:
            unit = Unit.objects.create(
                agency=agency,
                parent=top,
                name=r.unit_text,
                kind=UnitKind.DIVISION if top else UnitKind.OFFICE,
            )
            units[key(r.unit_text)] = unit
            after = snapshot(unit, UNIT_FIELDS)
            record(agency, by, "unit", unit, ChangeAction.CREATED, None, after, source=source)
    positions: dict[tuple[int, str], Position] = {}
    new_positions: list[tuple[Position, str]] = []  # with the superior's NIP
    held: dict[str, Position] = {}
    for r in plan.rows:
        unit = r.unit or units[key(r.unit_text)]
        r.unit = unit
        position = r.position or positions.get((unit.pk, key(r.position_text)))
        if position is None:
            position = Position.objects.create(agency=agency, unit=unit, name=r.position_text)
            positions[(unit.pk, key(r.position_text))] = position
            new_positions.append((position, r.superior_nip))
        held[r.nip] = position
    people: dict[str, Person] = {}
    # A person the file leaves exactly as they are is not written (nor recorded) again.
    unchanged = {r.nip for r in plan.rows if r.person is not None and not r.changes}
    for r in plan.rows:
        person = r.person
        assert r.unit is not None  # set above
        if person is not None and r.nip in unchanged:
            people[r.nip] = person
            continue
        if person is None:
            person = Person.objects.create(
                agency=agency, name=r.name, nip=r.nip, email=r.email, phone=r.phone, unit=r.unit
            )
        else:
            person.name, person.unit = r.name, r.unit
            person.email, person.phone = r.after["email"], r.after["phone"]
            person.save(update_fields=["name", "unit", "email", "phone"])
        person.positions.set([held[r.nip]])
        people[r.nip] = person
    stored = {
        p.nip: p
        for p in Person.objects.filter(
            agency=agency, nip__in={r.after["superior"] for r in plan.rows} - set(people) - {""}
        ).prefetch_related("positions")
    }
    for r in plan.rows:
        person = people[r.nip]
        superior = people.get(r.after["superior"]) or stored.get(r.after["superior"])
        if person.superior_id != (superior.pk if superior else None):
            person.superior = superior
            person.save(update_fields=["superior"])
    for position, superior_nip in new_positions:
        if superior_nip in held:
            position.superior = held[superior_nip]
        elif superior_nip in stored:
            position.superior = stored[superior_nip].positions.order_by("pk").first()
        if position.superior_id:
            position.save(update_fields=["superior"])
        after = snapshot(position, POSITION_FIELDS)
        record(agency, by, "position", position, ChangeAction.CREATED, None, after, source=source)
    for r in plan.rows:
        if r.nip in unchanged:
            continue
        person = people[r.nip]
        after = {"nip": r.nip, **state(person)}
        if r.before is None:
            record(agency, by, "person", person, ChangeAction.CREATED, None, after, source=source)
        else:
            before = {"nip": r.nip, **r.before}
            record(agency, by, "person", person, ChangeAction.CHANGED, before, after, source=source)
