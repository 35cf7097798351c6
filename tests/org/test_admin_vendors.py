"""The agency administrator's vendors and their people (laksana.org.vendors_admin and its
screens): what an administrator may not name first, then the changes and their records."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from laksana.catalog.models import Vendor
from laksana.org import vendors_admin
from laksana.org.models import (
    ActorBinding,
    ChangeAction,
    OrgChange,
    Person,
    Position,
    Unit,
    UnitKind,
)
from laksana.org.vendors_admin import AdminError, PersonInput
from tests.org.admin_helpers import counts, signed_in

pytestmark = pytest.mark.django_db

VENDORS = "/organisasi/diskominfos-bali/vendor/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def vendor_url(vendor: Vendor) -> str:
    return f"{VENDORS}{vendor.pk}/"


@pytest.fixture
def ipas(djki) -> Vendor:
    return Vendor.objects.get(agency=djki.agency)


@pytest.fixture
def mitra(bali) -> Vendor:
    return vendors_admin.create_vendor(bali.agency, bali["adminbali"], "PT Mitra Bali")


# --- attacks ---------------------------------------------------------------------------------


def test_other_agencies_administrators_and_plain_staff_reach_nothing(bali, djki, mitra):
    before = counts()
    other = signed_in(djki["admindjki"])
    assert other.get(VENDORS).status_code == 404
    assert other.post(VENDORS, {"action": "create", "name": "PT Asing"}).status_code == 404
    assert other.post(vendor_url(mitra), {"action": "remove"}).status_code == 404
    staff = bali["dev1"]
    staff.user.is_staff = True  # Django's is_staff is no product role
    staff.user.save(update_fields=["is_staff"])
    plain = signed_in(staff)
    assert plain.get(VENDORS).status_code == 403
    assert plain.post(VENDORS, {"action": "create", "name": "PT Staf"}).status_code == 403
    assert plain.post(vendor_url(mitra), {"action": "rename", "name": "X"}).status_code == 403
    anonymous = signed_in(staff)
    anonymous.logout()
    assert anonymous.get(VENDORS).status_code == 302
    assert counts() == before
    assert Vendor.objects.get(pk=mitra.pk).name == "PT Mitra Bali"


def test_another_agencys_vendor_is_not_found_on_the_screen_or_in_the_service(bali, ipas):
    before = counts()
    admin = signed_in(bali["adminbali"])
    assert admin.get(vendor_url(ipas)).status_code == 404
    assert (
        admin.post(vendor_url(ipas), {"action": "rename", "name": "Milik Bali"}).status_code == 404
    )
    for forged in (ipas.pk, "abc", "-1", "99999999999999999999", ""):
        with pytest.raises(AdminError, match="has no such vendor"):
            vendors_admin.rename_vendor(bali.agency, bali["adminbali"], forged, "Milik Bali")
        with pytest.raises(AdminError, match="has no such vendor"):
            vendors_admin.add_vendor_person(
                bali.agency, bali["adminbali"], forged, PersonInput(name="Penyusup")
            )
    assert counts() == before
    assert Vendor.objects.get(pk=ipas.pk).name == "PT Solusi IPAS Nusantara"


def test_a_vendors_employee_is_refused_units_positions_and_superiors_not_theirs(bali, djki, mitra):
    admin = signed_in(bali["adminbali"])
    url = vendor_url(mitra)
    colleague = vendors_admin.add_vendor_person(
        bali.agency, None, mitra.pk, PersonInput(name="Rekan Vendor")
    )
    position = Position.objects.filter(agency=bali.agency).first()
    before = counts()
    refused = [
        ({"unit": djki.units["ipas_dev"].pk}, "has no such unit"),  # another agency's unit
        ({"unit": bali.units["dinas"].pk}, "belongs to a vendor unit"),  # not a vendor unit
        ({"unit": "12abc"}, "has no such unit"),  # forged
        ({"positions": position.pk}, "holds no position"),
        ({"superior": bali["kadis"].pk}, "another employee of PT Mitra Bali"),  # agency staff
        ({"superior": djki["ipasdev"].pk}, "another employee of PT Mitra Bali"),  # DJKI's
        ({"email": "bukan-surel"}, "valid e-mail"),
        ({"phone": "<script>"}, "phone number"),
        ({"name": "  "}, "Give a name"),
    ]
    for extra, message in refused:
        data = {"action": "add_person", "name": "Budi Vendor", **extra}
        response = admin.post(url, data)
        assert response.status_code == 400, extra
        assert message in response.content.decode(), extra
    # Updating an employee of another agency's vendor through Bali's vendor.
    response = admin.post(
        url, {"action": "update_person", "person": djki["ipasdev"].pk, "name": "Diambil"}
    )
    assert response.status_code == 400 and "has no such employee" in response.content.decode()
    # A vendor's employee made the superior of the agency's own staff.
    with pytest.raises(AdminError, match="cannot be the superior"):
        vendors_admin.refuse_vendor_superior(colleague, bali["dev1"])
    vendors_admin.refuse_vendor_superior(bali["kadis"], bali["dev1"])  # staff over staff: fine
    assert counts() == before
    assert Person.objects.get(pk=djki["ipasdev"].pk).name == "Rizky Ramadhan"


def test_the_sign_in_account_is_checked_before_anything_is_written(bali, mitra):
    admin = signed_in(bali["adminbali"])
    before = counts()
    refused = [
        (
            {"username": "dev1", "password": "Rahasia-2026!x", "password2": "Rahasia-2026!x"},
            "taken",
        ),
        (
            {"username": "DEV1", "password": "Rahasia-2026!x", "password2": "Rahasia-2026!x"},
            "taken",
        ),
        ({"username": "baru", "password": "Rahasia-2026!x", "password2": "lain"}, "differ"),
        ({"username": "baru", "password": "", "password2": ""}, "initial password"),
        (
            {"username": "bad name!", "password": "Rahasia-2026!x", "password2": "Rahasia-2026!x"},
            "",
        ),
    ]
    for extra, message in refused:
        response = admin.post(vendor_url(mitra), {"action": "add_person", "name": "Budi", **extra})
        assert response.status_code == 400, extra
        assert message in response.content.decode()
    assert counts() == before


def test_a_vendor_in_use_is_not_removed_and_the_refusal_names_what_uses_it(djki, ipas):
    before = counts()
    with pytest.raises(AdminError) as refused:
        vendors_admin.remove_vendor(djki.agency, djki["admindjki"], ipas.pk)
    assert "KTR-IPAS/2026/001" in refused.value.message
    assert "Rizky Ramadhan" in refused.value.message
    response = signed_in(djki["admindjki"]).post(
        f"/organisasi/djki/vendor/{ipas.pk}/", {"action": "remove"}
    )
    assert response.status_code == 400 and "KTR-IPAS/2026/001" in response.content.decode()
    assert counts() == before


def test_an_employee_who_still_plays_a_part_is_not_removed(djki, ipas):
    person = djki["ipasdev"]
    ActorBinding.objects.create(
        agency=djki.agency, procedure_key="sop-004", actor_key="penguji", person=person
    )
    before = counts()
    with pytest.raises(AdminError, match="Rizky Ramadhan cannot be removed"):
        vendors_admin.remove_vendor_person(djki.agency, None, ipas.pk, person.pk)
    assert counts() == before and Person.objects.filter(pk=person.pk).exists()


# --- the changes and their records ---------------------------------------------------------


def test_an_administrator_keeps_a_vendor_and_its_people_and_every_change_is_recorded(bali):
    admin = signed_in(bali["adminbali"])
    response = admin.post(VENDORS, {"action": "create", "name": "PT Mitra Bali"})
    assert response.status_code == 302
    vendor = Vendor.objects.get(agency=bali.agency, name="PT Mitra Bali")
    url = vendor_url(vendor)
    data = {
        "action": "add_person",
        "name": "Budi Vendor",
        "email": "budi@mitra.example",
        "phone": "+62 812-3456",
        "username": "budi.mitra",
        "password": "Rahasia-2026!x",
        "password2": "Rahasia-2026!x",
    }
    assert admin.post(url, data).status_code == 302
    budi = Person.objects.get(vendor=vendor)
    assert budi.agency == bali.agency and budi.unit.kind == UnitKind.VENDOR
    assert budi.unit.name == "PT Mitra Bali" and not budi.positions.exists()
    assert budi.user.username == "budi.mitra" and budi.user.check_password("Rahasia-2026!x")
    assert not budi.user.is_staff
    # A second employee goes into the same unit, under Budi.
    data = {"action": "add_person", "name": "Sari Vendor", "superior": budi.pk}
    assert admin.post(url, data).status_code == 302
    sari = Person.objects.get(name="Sari Vendor")
    assert sari.unit == budi.unit and sari.superior == budi and sari.user is None
    assert Unit.objects.filter(agency=bali.agency, kind=UnitKind.VENDOR).count() == 1
    data = {"action": "update_person", "person": sari.pk, "name": "Sari W.", "phone": "0361"}
    assert admin.post(url, data).status_code == 302
    sari.refresh_from_db()
    assert sari.name == "Sari W." and sari.phone == "0361" and sari.superior is None
    # The page lists them.
    page = admin.get(url).content.decode()
    assert "Budi Vendor" in page and "budi.mitra" in page and "Sari W." in page
    # Renaming the vendor renames its unit.
    assert admin.post(url, {"action": "rename", "name": "PT Mitra Dewata"}).status_code == 302
    budi.unit.refresh_from_db()
    assert budi.unit.name == "PT Mitra Dewata"
    # Remove both employees (Budi's account goes too), then the vendor.
    user_id = budi.user_id
    for person in (sari, budi):
        assert admin.post(url, {"action": "remove_person", "person": person.pk}).status_code == 302
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert admin.post(url, {"action": "remove"}).status_code == 302
    assert not Vendor.objects.filter(pk=vendor.pk).exists()

    rows = list(OrgChange.objects.filter(agency=bali.agency).order_by("id"))
    assert [(r.subject, r.action) for r in rows] == [
        ("vendor", ChangeAction.CREATED),
        ("unit", ChangeAction.CREATED),
        ("vendor_person", ChangeAction.CREATED),
        ("vendor_person", ChangeAction.CREATED),
        ("vendor_person", ChangeAction.CHANGED),
        ("vendor", ChangeAction.CHANGED),
        ("unit", ChangeAction.CHANGED),
        ("vendor_person", ChangeAction.REMOVED),
        ("vendor_person", ChangeAction.REMOVED),
        ("vendor", ChangeAction.REMOVED),
    ]
    assert all(r.by == bali["adminbali"] for r in rows)
    assert rows[2].after["user"]["name"] == "budi.mitra"
    assert "Rahasia" not in str([(r.before, r.after) for r in rows])
    assert rows[5].before == {"name": "PT Mitra Bali"} and rows[5].after == {
        "name": "PT Mitra Dewata"
    }
    assert rows[4].before["name"] == "Sari Vendor" and rows[4].after["name"] == "Sari W."
