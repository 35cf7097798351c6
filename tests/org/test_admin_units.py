"""The administrator's units and positions (laksana.org.admin_services): what a caller may
name that they must not (another agency's records, made-up ids, cycles, the public desk's
unit, a unit still in use) is refused by field with nothing written; then the happy paths and
their change records."""

from __future__ import annotations

import pytest

from laksana.errors import NotAllowed
from laksana.intake.desk import desk_for
from laksana.org import admin_services as svc
from laksana.org.models import ChangeAction, OrgChange, Position, Unit, UnitKind
from tests.org.admin_state import last_change, nothing_written, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(bali, djki):
    return bali["adminbali"]


# --- attacks ----------------------------------------------------------------------------------


def test_a_non_administrator_and_another_agencys_administrator_are_refused(bali, djki):
    for who in (bali["kadis"], djki["admindjki"], None):
        with nothing_written(), pytest.raises(NotAllowed):
            svc.create_unit(who, bali.agency, name="Bidang Baru", kind=UnitKind.DIVISION)
        with nothing_written(), pytest.raises(NotAllowed):
            svc.remove_unit(who, bali.agency, bali.units["tim_spbe"])
        with nothing_written(), pytest.raises(NotAllowed):
            svc.create_position(who, bali.agency, unit=bali.units["iai"], name="Kasie")


def test_another_agencys_parent_unit_or_a_made_up_id_is_not_found(bali, djki, admin):
    for parent in (djki.units["tiki"], djki.units["tiki"].pk, 10**12, "abc"):
        with refused("parent", "not_found"):
            svc.create_unit(admin, bali.agency, name="X", kind=UnitKind.TEAM, parent=parent)
        with refused("parent", "not_found"):
            svc.change_unit(
                admin,
                bali.agency,
                bali.units["tim_ai"],
                name="X",
                kind=UnitKind.TEAM,
                parent=parent,
            )


def test_another_agencys_unit_is_not_found_to_change_or_remove(bali, djki, admin):
    with refused("unit", "not_found"):
        svc.change_unit(admin, bali.agency, djki.units["seksi_app"], name="X", kind="team")
    with refused("unit", "not_found"):
        svc.remove_unit(admin, bali.agency, djki.units["seksi_net"].pk)


def test_a_unit_cannot_be_placed_below_itself(bali, admin):
    iai = bali.units["iai"]
    for parent in (iai, bali.units["tim_ai"]):
        with refused("parent", "cycle"):
            svc.change_unit(admin, bali.agency, iai, name=iai.name, kind=iai.kind, parent=parent)
    dinas = bali.units["dinas"]
    with refused("parent", "cycle"):
        svc.change_unit(
            admin,
            bali.agency,
            dinas,
            name=dinas.name,
            kind=dinas.kind,
            parent=bali.units["tim_spbe"],
        )


def test_the_public_desks_unit_is_the_desks(bali, admin):
    desk = desk_for(bali.agency)
    with refused("kind", "public_unit"):
        svc.create_unit(admin, bali.agency, name="Loket", kind=UnitKind.PUBLIC)
    with refused("unit", "public_unit"):
        svc.change_unit(admin, bali.agency, desk.unit, name="Loket", kind=UnitKind.TEAM)
    with refused("unit", "public_unit"):
        svc.remove_unit(admin, bali.agency, desk.unit)
    with refused("parent", "public_unit"):
        svc.create_unit(admin, bali.agency, name="X", kind=UnitKind.TEAM, parent=desk.unit)
    with refused("kind", "public_unit"):
        unit = bali.units["bkd"]
        svc.change_unit(admin, bali.agency, unit, name=unit.name, kind=UnitKind.PUBLIC)
    with refused("unit", "public_unit"):
        svc.create_position(admin, bali.agency, unit=desk.unit, name="Petugas")


def test_a_unit_in_use_is_not_removed_and_the_refusal_says_by_what(bali, admin):
    with refused("unit", "in_use") as info:
        svc.remove_unit(admin, bali.agency, bali.units["iai"])
    # members 1, units below it 2, positions 1 (in the language of the request)
    assert [item.rsplit(": ", 1)[1] for item in info.value.items] == ["1", "2", "1"]
    with refused("unit", "in_use") as info:
        svc.remove_unit(admin, bali.agency, bali.units["tim_spbe"])
    # members 2 (dev1, qa1), positions 1, bound to SOP 002's Tim SPBE
    assert [item.rsplit(": ", 1)[1] for item in info.value.items] == ["2", "1", "1"]


def test_an_empty_name_or_unknown_kind_is_refused(bali, admin):
    with refused("name", "required"):
        svc.create_unit(admin, bali.agency, name="  ", kind=UnitKind.TEAM)
    with refused("kind", "invalid"):
        svc.create_unit(admin, bali.agency, name="X", kind="galaxy")


def test_positions_refuse_another_agencys_unit_superior_and_position(bali, djki, admin):
    kadis = Position.objects.get(agency=bali.agency, name="Kepala Dinas")
    theirs = Position.objects.filter(agency=djki.agency).first()
    with refused("unit", "not_found"):
        svc.create_position(admin, bali.agency, unit=djki.units["tiki"], name="X")
    with refused("superior", "not_found"):
        svc.create_position(admin, bali.agency, unit=bali.units["iai"], name="X", superior=theirs)
    with refused("superior", "not_found"):
        svc.create_position(admin, bali.agency, unit=bali.units["iai"], name="X", superior=10**9)
    with refused("position", "not_found"):
        svc.change_position(admin, bali.agency, theirs, unit=bali.units["iai"], name="X")
    with refused("position", "not_found"):
        svc.remove_position(admin, bali.agency, theirs.pk)
    with refused("unit", "required"):
        svc.create_position(admin, bali.agency, unit=None, name="X", superior=kadis)


def test_a_position_cannot_be_above_its_own_superior(bali, admin):
    kadis = Position.objects.get(agency=bali.agency, name="Kepala Dinas")
    kabid = Position.objects.get(agency=bali.agency, name__startswith="Kepala Bidang")
    ketua = Position.objects.get(agency=bali.agency, name__startswith="Ketua Tim")
    for superior in (kadis, kabid, ketua):
        with refused("superior", "cycle"):
            svc.change_position(
                admin, bali.agency, kadis, unit=kadis.unit, name=kadis.name, superior=superior
            )


def test_a_held_or_bound_position_is_not_removed(bali, admin):
    with refused("position", "in_use") as info:
        svc.remove_position(admin, bali.agency, Position.objects.get(name="Kepala Dinas"))
    assert [item.rsplit(": ", 1)[1] for item in info.value.items] == ["1", "1"]


# --- happy paths ------------------------------------------------------------------------------


def test_units_are_created_changed_and_removed_with_their_records(bali, admin):
    iai = bali.units["iai"]
    unit = svc.create_unit(
        admin, bali.agency, name="Seksi Data", short_name="Data", kind="section", parent=iai.pk
    )
    assert unit.agency == bali.agency and unit.parent == iai
    made = last_change()
    assert (made.subject, made.action, made.before, made.by) == ("unit", "created", None, admin)
    assert made.after == {
        "parent": {"id": iai.pk, "name": str(iai)},
        "name": "Seksi Data",
        "short_name": "Data",
        "kind": "section",
    }
    svc.change_unit(admin, bali.agency, unit, name="Seksi Data dan Statistik", kind="section")
    changed = last_change()
    assert changed.action == ChangeAction.CHANGED
    assert changed.before["name"] == "Seksi Data" and changed.before["parent"]["id"] == iai.pk
    assert changed.after["name"] == "Seksi Data dan Statistik" and changed.after["parent"] is None
    count = OrgChange.objects.count()
    svc.change_unit(admin, bali.agency, unit, name="Seksi Data dan Statistik", kind="section")
    assert OrgChange.objects.count() == count, "a change that changes nothing is not recorded"
    svc.remove_unit(admin, bali.agency, unit.pk)
    assert not Unit.objects.filter(pk=unit.pk).exists()
    gone = last_change()
    assert gone.action == "removed" and gone.after is None
    assert gone.before["name"] == "Seksi Data dan Statistik"


def test_a_unit_moves_to_another_branch(bali, admin):
    spbe = bali.units["tim_spbe"]
    svc.change_unit(admin, bali.agency, spbe, name=spbe.name, kind=spbe.kind, parent=None)
    spbe.refresh_from_db()
    assert spbe.parent is None


def test_a_superuser_without_a_person_manages_any_agency(djki, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    unit = svc.create_unit(None, djki.agency, name="Seksi Baru", kind="section", user=root)
    assert unit.agency == djki.agency and last_change().by is None


def test_positions_are_created_changed_and_removed_with_their_records(bali, admin):
    kabid = Position.objects.get(agency=bali.agency, name__startswith="Kepala Bidang")
    pos = svc.create_position(
        admin, bali.agency, unit=bali.units["tim_ai"], name="Analis", superior=kabid
    )
    made = last_change()
    assert made.subject == "position" and made.after["superior"] == {
        "id": kabid.pk,
        "name": kabid.name,
    }
    below = svc.create_position(
        admin, bali.agency, unit=bali.units["tim_ai"], name="Pranata", superior=pos
    )
    svc.change_position(admin, bali.agency, pos, unit=bali.units["iai"], name="Analis Senior")
    changed = last_change()
    assert changed.before["name"] == "Analis" and changed.after["name"] == "Analis Senior"
    assert changed.before["superior"]["id"] == kabid.pk and changed.after["superior"] is None
    svc.remove_position(admin, bali.agency, pos)
    below.refresh_from_db()
    assert below.superior is None
    records = list(OrgChange.objects.order_by("-pk")[:2])
    assert records[0].action == "removed" and records[0].before["name"] == "Analis Senior"
    assert records[1].object_id == str(below.pk) and records[1].after["superior"] is None
