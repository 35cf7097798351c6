"""The security test's checklist (issue 18, item 4): OWASP ASVS 4.0.3 level 1 as a shipped
scenario set, installed for an application by its agency's keepers."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from laksana.errors import NotAllowed, ServiceError
from laksana.quality import security
from laksana.quality.models import Priority, ScenarioSet, ScenarioSetRevision, SetKind

pytestmark = pytest.mark.django_db

CHAPTERS = {"V2", "V3", "V4", "V5", "V7", "V8", "V9", "V10", "V11", "V12", "V13", "V14"}


def test_the_checklist_is_asvs_level_one_items_checkable_by_hand() -> None:
    shipped = security.checklist()
    numbers = [s.number for s in shipped.scenarios]
    assert 40 <= len(numbers) <= 70
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"V\d{1,2}\.\d{1,2}\.\d{1,2}", n) for n in numbers)
    assert {n.split(".")[0] for n in numbers} == CHAPTERS
    # Items the standard has at level 1 and an agency checks in the browser.
    for must in ("V2.1.1", "V3.4.1", "V3.4.2", "V4.2.1", "V5.3.3", "V9.1.1", "V14.4.3"):
        assert must in numbers
    for scenario in shipped.scenarios:
        assert scenario.requirement.startswith("ASVS " + scenario.number.split(".")[0] + " ")
        assert scenario.title and scenario.steps.startswith("1. ") and scenario.expected
        assert scenario.priority in Priority.values
    by_number = {s.number: s for s in shipped.scenarios}
    assert by_number["V4.2.1"].priority == Priority.HIGH  # another's data by its id
    assert by_number["V14.4.6"].priority == Priority.LOW  # a Referrer-Policy header


def test_a_keeper_installs_it_as_a_security_set(bali) -> None:
    sikesda = bali.applications["sikesda"]
    made = security.install_checklist(bali["kadis"], sikesda.pk)
    assert made.kind == SetKind.SECURITY and made.application == sikesda
    assert made.agency == bali.agency and made.revision == 1
    shipped = security.checklist().scenarios
    assert made.scenarios.count() == len(shipped)
    first = made.scenarios.order_by("position").first()
    assert first is not None and first.number == shipped[0].number == "V2.1.1"
    assert first.requirement == "ASVS V2 Autentikasi"
    revision = ScenarioSetRevision.objects.get(set=made)
    assert [r["number"] for r in revision.scenarios] == [s.number for s in shipped]
    # A second installation is a set of its own (another version of the application).
    again = security.install_checklist(bali["kadis"], sikesda.pk)
    assert again.pk != made.pk


def test_a_requester_may_not_install_it(bali) -> None:
    with pytest.raises(NotAllowed):
        security.install_checklist(bali["dinkes_staf"], bali.applications["sikesda"].pk)
    assert not ScenarioSet.objects.exists()


def test_another_agencys_application_is_not_found(bali, djki) -> None:
    with pytest.raises(ServiceError) as refused:
        security.install_checklist(bali["kadis"], djki.applications["ipas"].pk)
    assert refused.value.code == "not_found"
    with pytest.raises(ServiceError) as made_up:
        security.install_checklist(bali["kadis"], 987654)
    assert made_up.value.code == "not_found"
    assert not ScenarioSet.objects.exists()


def test_the_command_installs_it(bali) -> None:
    out = io.StringIO()
    sikesda = bali.applications["sikesda"]
    call_command(
        "quality",
        "install-checklist",
        "--application",
        str(sikesda.pk),
        "--as",
        "kadis",
        stdout=out,
    )
    made = ScenarioSet.objects.get(application=sikesda, kind=SetKind.SECURITY)
    assert made.created_by == bali["kadis"]
    assert f"set {made.pk}" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("quality", "install-checklist", "--application", "987654")
    with pytest.raises(CommandError):
        call_command(
            "quality", "install-checklist", "--application", str(sikesda.pk), "--as", "nobody"
        )
