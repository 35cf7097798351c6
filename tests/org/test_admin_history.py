"""The agency's change history screen (/organisasi/<agency>/riwayat/): the agency's own
records only, newest first, filtered, paginated, each field before and after in words."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.org import history, instructions_admin, vendors_admin
from laksana.org.changes import record
from laksana.org.models import ChangeAction, OrgChange
from tests.org.admin_helpers import signed_in

pytestmark = pytest.mark.django_db

SCREEN = "/organisasi/diskominfos-bali/riwayat/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_only_the_agencys_administrators_read_it_and_never_another_agencys_records(bali, djki):
    vendors_admin.create_vendor(djki.agency, djki["admindjki"], "PT Rahasia DJKI")
    vendors_admin.create_vendor(bali.agency, bali["adminbali"], "PT Mitra Bali")
    assert signed_in(djki["admindjki"]).get(SCREEN).status_code == 404
    assert signed_in(bali["kadis"]).get(SCREEN).status_code == 403
    admin = signed_in(bali["adminbali"])
    page = admin.get(SCREEN).content.decode()
    assert "PT Mitra Bali" in page and "PT Rahasia DJKI" not in page
    # Naming DJKI's administrator as the person filter shows none of DJKI's records either.
    url = f"{SCREEN}?orang={djki['admindjki'].pk}&jenis=vendor"
    page = admin.get(url).content.decode()
    assert "PT Rahasia DJKI" not in page
    for junk in ("?orang=abc", "?jenis=<b>", "?halaman=999", "?orang=99999999999999999999"):
        assert admin.get(SCREEN + junk).status_code == 200


def test_changes_are_listed_newest_first_with_fields_in_words_and_filtered(bali):
    admin_person = bali["adminbali"]
    vendor = vendors_admin.create_vendor(bali.agency, admin_person, "PT Mitra Bali")
    vendors_admin.rename_vendor(bali.agency, admin_person, vendor.pk, "PT Mitra Dewata")
    instructions_admin.add_preset(bali.agency, bali["kadis"], "Segera laporkan")
    admin = signed_in(admin_person)
    page = admin.get(SCREEN).content.decode()
    assert page.index("Segera laporkan") < page.index("PT Mitra Dewata")
    assert "Name: PT Mitra Bali → PT Mitra Dewata" in page
    assert "Disposition preset" in page and "Komang Sri Wahyuni" in page
    page = admin.get(SCREEN + "?jenis=instruction").content.decode()
    assert "Segera laporkan" in page and "PT Mitra" not in page
    page = admin.get(f"{SCREEN}?orang={admin_person.pk}").content.decode()
    assert "PT Mitra Dewata" in page and "Segera laporkan" not in page


def test_it_is_paginated(bali):
    for i in range(55):
        record(
            bali.agency,
            None,
            "unit",
            None,
            ChangeAction.CREATED,
            None,
            {"name": f"Unit {i:02d}"},
            label=f"Unit {i:02d}",
        )
    admin = signed_in(bali["adminbali"])
    first = admin.get(SCREEN).content.decode()
    assert "Unit 54" in first and "Unit 04" not in first and "Page 1 of 2" in first
    second = admin.get(SCREEN + "?halaman=2").content.decode()
    assert "Unit 04" in second and "Unit 54" not in second


def test_values_are_described_in_words():
    change = OrgChange(
        subject="unit",
        action=ChangeAction.CHANGED,
        before={"kind": "team", "parent": None, "name": "Tim"},
        after={"kind": "division", "parent": {"id": 3, "name": "Dinas"}, "name": "Tim"},
    )
    line = history.describe(change)
    assert line.subject == "Unit"
    assert [(f.label, f.before, f.after) for f in line.fields] == [
        ("Kind", "Team", "Division (bidang, sub-directorate)"),
        ("Parent unit", "—", "Dinas"),
    ]
