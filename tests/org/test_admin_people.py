"""The administrator's people (laksana.org.admin_people): another agency's unit, position,
superior or person, made-up ids, superior cycles, a NIP that is not 18 digits or belongs to
someone (in any agency), vendors' people, the public desk's account, a person with a history
and the last administrator are refused by field with nothing written; then the happy paths."""

from __future__ import annotations

import pytest

from laksana.cases import services as cases
from laksana.errors import NotAllowed
from laksana.intake.desk import desk_for
from laksana.org import admin_people as svc
from laksana.org.models import OrgChange, Person, Position
from tests.org.admin_state import last_change, nothing_written, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(bali, djki):
    return bali["adminbali"]


def new(admin, agency, **kw):
    kw.setdefault("name", "Ni Made Sari")
    if "unit" not in kw:
        kw["unit"] = agency.units.get(name__startswith="Dinas Komunikasi")
    return svc.create_person(admin, agency, **kw)


# --- attacks ----------------------------------------------------------------------------------


def test_a_non_administrator_and_another_agencys_administrator_are_refused(bali, djki):
    for who in (bali["kabid"], djki["admindjki"], None):
        with nothing_written(), pytest.raises(NotAllowed):
            new(who, bali.agency, unit=bali.units["iai"])
        with nothing_written(), pytest.raises(NotAllowed):
            svc.remove_person(who, bali.agency, bali["bkd"])


def test_another_agencys_records_in_every_field_are_not_found(bali, djki, admin):
    theirs_pos = Position.objects.filter(agency=djki.agency).first()
    cases_ = [
        ("unit", {"unit": djki.units["tiki"]}),
        ("unit", {"unit": 10**12}),
        (
            "positions",
            {"positions": [Position.objects.filter(agency=bali.agency).first(), theirs_pos]},
        ),
        ("positions", {"positions": ["x"]}),
        ("superior", {"superior": djki["direktur"]}),
        ("superior", {"superior": djki["direktur"].pk}),
    ]
    for field, kw in cases_:
        with refused(field, "not_found"):
            new(admin, bali.agency, **kw)
        with refused(field, "not_found"):
            svc.change_person(
                admin,
                bali.agency,
                bali["bkd"],
                **{"name": "Wayan", "unit": bali.units["bkd"], **kw},
            )
    for person in (djki["kasie_app"], djki["kasie_app"].pk, 10**12):
        with refused("person", "not_found"):
            svc.change_person(admin, bali.agency, person, name="X", unit=bali.units["bkd"])
        with refused("person", "not_found"):
            svc.remove_person(admin, bali.agency, person)
        with refused("person", "not_found"):
            svc.give_account(admin, bali.agency, person, username="siapa")


def test_a_person_cannot_be_their_own_superior_nor_below_themselves(bali, admin):
    kadis = bali["kadis"]
    for superior, code in ((kadis, "cycle"), (bali["kabid"], "cycle"), (bali["dev1"], "cycle")):
        with refused("superior", code):
            svc.change_person(
                admin, bali.agency, kadis, name=kadis.name, unit=kadis.unit, superior=superior
            )


def test_a_nip_is_18_digits_and_unique_in_the_installation(bali, djki, admin):
    for nip in ("12345", "19900315201503200x", "1" * 19):
        with refused("nip", "nip"):
            new(admin, bali.agency, nip=nip)
    for nip in (bali["kadis"].nip, djki["direktur"].nip):
        with refused("nip", "nip_taken"):
            new(admin, bali.agency, nip=nip)
        with refused("nip", "nip_taken"):
            svc.change_person(
                admin, bali.agency, bali["bkd"], name="Wayan", unit=bali.units["bkd"], nip=nip
            )


def test_vendors_people_and_the_public_desks_account_are_not_managed_here(bali, djki):
    admin = djki["admindjki"]
    with refused("person", "vendor_person"):
        svc.change_person(admin, djki.agency, djki["ipasdev"], name="X", unit=djki.units["tu"])
    with refused("person", "vendor_person"):
        svc.remove_person(admin, djki.agency, djki["ipasdev"])
    with refused("unit", "unit_kind"):
        new(admin, djki.agency, unit=djki.units["ipas_dev"])
    desk = desk_for(bali.agency)
    with refused("person", "desk_person"):
        svc.change_person(bali["adminbali"], bali.agency, desk.robot, name="X", unit=desk.unit)
    with refused("person", "desk_person"):
        svc.remove_person(bali["adminbali"], bali.agency, desk.robot)
    with refused("unit", "unit_kind"):
        new(bali["adminbali"], bali.agency, unit=desk.unit)


def test_a_person_with_a_history_is_not_removed(bali, admin, sop002):
    cases.open_case(bali["dinkes_staf"], sop002, "Galat", application=bali.applications["sikesda"])
    with refused("person", "in_use"):
        svc.remove_person(admin, bali.agency, bali["dinkes_staf"])  # opened a case
    with refused("person", "in_use"):
        svc.remove_person(admin, bali.agency, bali["kabkd"])  # Wayan Sutama is below him
    with refused("person", "self"):
        svc.remove_person(admin, bali.agency, admin)


def test_the_last_administrator_is_not_removed(bali, djki, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    with refused("person", "last_admin"):
        svc.remove_person(None, bali.agency, bali["adminbali"], user=root)


def test_an_account_needs_a_free_valid_user_name_and_a_good_password(bali, admin):
    for username, code in (
        ("kadis", "username_taken"),
        ("KADIS", "username_taken"),
        ("a b", "username"),
    ):
        with refused("username", code):
            new(admin, bali.agency, username=username)
    with refused("password", "password"):
        new(admin, bali.agency, username="sari", password="123")
    with refused("username", "has_account"):
        svc.give_account(admin, bali.agency, bali["kadis"], username="kadis2")


# --- happy paths ------------------------------------------------------------------------------


def test_a_person_is_created_with_an_account_and_an_initial_password(bali, admin):
    kabid_pos = Position.objects.get(agency=bali.agency, name__startswith="Kepala Bidang")
    person = new(
        admin,
        bali.agency,
        nip="199501012020012001",
        email="sari@baliprov.go.id",
        phone="0812",
        unit=bali.units["iai"].pk,
        positions=[kabid_pos.pk],
        superior=bali["kabid"].pk,
        username="sari",
        password="Bunga-Jepun-2026",
    )
    assert person.agency == bali.agency and person.user is not None
    assert person.user.check_password("Bunga-Jepun-2026")
    made = last_change()
    assert (made.subject, made.action, made.before) == ("person", "created", None)
    assert made.after == {
        "name": "Ni Made Sari",
        "nip": "199501012020012001",
        "email": "sari@baliprov.go.id",
        "phone": "0812",
        "unit": {"id": bali.units["iai"].pk, "name": "Bidang IAI"},
        "superior": {"id": bali["kabid"].pk, "name": bali["kabid"].name},
        "positions": [{"id": kabid_pos.pk, "name": kabid_pos.name}],
        "account": "sari",
    }
    assert "Bunga" not in str(made.after)


def test_a_person_is_changed_and_given_an_account_without_a_password(bali, admin):
    person = new(admin, bali.agency, nip="199501012020012001")
    svc.change_person(
        admin,
        bali.agency,
        person.pk,
        name="Ni Made Sari Dewi",
        unit=bali.units["bkd"],
        superior=bali["kabkd"],
        nip="",
    )
    changed = last_change()
    assert changed.before["name"] == "Ni Made Sari" and changed.after["name"] == "Ni Made Sari Dewi"
    assert changed.before["nip"] == "199501012020012001" and changed.after["nip"] == ""
    assert changed.after["superior"]["id"] == bali["kabkd"].pk
    svc.give_account(admin, bali.agency, person, username="sari")
    person.refresh_from_db()
    assert person.user is not None and not person.user.has_usable_password()
    account = last_change()
    assert account.before["account"] == "" and account.after["account"] == "sari"


def test_a_person_without_a_history_is_removed_and_their_account_deactivated(bali, admin):
    person = new(admin, bali.agency, username="sari", password="Bunga-Jepun-2026")
    user = person.user
    svc.remove_person(admin, bali.agency, person)
    assert not Person.objects.filter(pk=person.pk).exists()
    user.refresh_from_db()
    assert not user.is_active
    gone = last_change()
    assert gone.action == "removed" and gone.before["account"] == "sari" and gone.after is None
    assert OrgChange.objects.filter(subject="person", agency=bali.agency).count() == 2
