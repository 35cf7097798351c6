"""The testing panel on an application's record in the catalogue (laksana.catalog.panels):
the application's sets, its latest runs the reader may see and its open findings; nothing of
it for a vendor or for an application with neither sets nor runs that the reader may not
write one for."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from laksana.quality import findings, scenarios
from laksana.quality.models import Severity

from .test_runs import case_at, make_set, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def page(client, person, app) -> str:
    client.force_login(person.user)
    response = client.get(reverse("catalog:detail", args=[app.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_application_page_shows_its_sets_runs_and_open_findings(client, bali, sop002):
    sikesda = bali.applications["sikesda"]
    case = case_at(bali, sop002, "s8")
    run = start(bali, case)
    findings.add_finding(bali["dev1"], run.pk, severity=Severity.HIGH, title="Simpan gagal")
    html = page(client, bali["kadis"], sikesda)
    assert 'id="pengujian"' in html
    assert reverse("quality:set", args=[run.scenario_set_id]) in html
    assert reverse("quality:run", args=[run.pk]) in html
    assert "Open findings:" in html and "High 1" in html
    # A keeper may write a set and read the report.
    assert reverse("quality:sets_new") + f"?application={sikesda.pk}" in html


def test_the_requesting_unit_sees_the_sets_but_no_link_to_write_one(client, bali, sop002):
    sikesda = bali.applications["sikesda"]
    make_set(bali)
    html = page(client, bali["dinkes_staf"], sikesda)
    assert 'id="pengujian"' in html
    assert reverse("quality:sets_new") not in html


def test_another_application_without_sets_shows_the_invitation_to_keepers_only(client, bali):
    other = bali.applications["sikesda"]
    html = page(client, bali["kadis"], other)
    assert "No scenario set for this application yet." in html
    assert 'id="pengujian"' not in page(client, bali["dinkes_staf"], other)


def test_a_vendor_sees_nothing_of_the_testing_module(client, djki):
    ipas = djki.applications["ipas"]
    scenarios.create_set(
        djki["kasie_app"],
        ipas.pk,
        name="SIT IPAS",
        scenarios=[{"number": "1", "title": "Cari", "steps": "Cari", "expected": "Ada"}],
    )
    assert 'id="pengujian"' in page(client, djki["kasie_app"], ipas)
    assert 'id="pengujian"' not in page(client, djki["ipasdev"], ipas)
