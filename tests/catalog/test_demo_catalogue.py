"""``laksana demo``'s catalogue: the sample inventory in Bali, and the lifecycle cases of the
other agencies moving their applications."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings

from laksana.catalog.models import Application, Stage, StageChange, WorkProgrammeEntry
from laksana.demo.build import build_demo

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_demo_loads_the_inventory_and_its_cases_move_their_applications():
    demo = build_demo()
    bali = demo.orgs["bali"].agency
    apps = Application.objects.filter(agency=bali)
    assert apps.count() == 32  # the 30 of the inventory, SIMPEG and SIKESDA
    sikesda = apps.get(short_name="SIKESDA")
    assert sikesda.contracts.count() == 2 and sikesda.risks.count() == 2
    # The demo's three SOP 002 cases are about it, and the recovery case its outage opened.
    assert sikesda.cases.count() == 4
    tnde = apps.get(short_name="TNDE")
    assert tnde.stage == Stage.RETIRED and tnde.data_deletions.count() == 3
    web_lab = Application.objects.get(short_name="Web Lab SB")
    # Installed at SOP 003 row 7 (its security test at row 8 followed).
    assert web_lab.stage == Stage.IN_PRODUCTION
    assert web_lab.environments.get(kind="production").domain == "labsb.ft.utn.ac.id"
    assert WorkProgrammeEntry.objects.get(application=web_lab).budget == 185000000
    retribusi = Application.objects.get(short_name="e-Retribusi")
    assert retribusi.stage == Stage.IN_PRODUCTION
    assert retribusi.environments.get(kind="production").domain == "eretribusi.sukamajukab.go.id"
    assert retribusi.risks.count() == 2
    assert Application.objects.get(short_name="SIANDUK").stage == Stage.IN_DEVELOPMENT
    assert Application.objects.get(short_name="SIAKAD").stage == Stage.UNDER_MAINTENANCE
    # UTN's two maintenance plans' SOP 000 cases put the e-Learning and Web FT under maintenance.
    for name in ("e-Learning", "Web FT"):
        assert Application.objects.get(short_name=name).stage == Stage.UNDER_MAINTENANCE
    driven = StageChange.objects.exclude(case=None)
    assert driven.count() == 11 and all(change.step_key for change in driven)
