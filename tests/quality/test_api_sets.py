"""The scenario sets API (issue 18, item 5): other agencies' ids are not found, members read,
keepers write, bad input is a 422 naming the field, and XLSX goes in and out."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from laksana.accounts.services import issue_token
from laksana.quality import scenarios, spreadsheet
from laksana.quality.models import Scenario, ScenarioSet, ScenarioSetRevision

from .test_scenarios import login
from .test_spreadsheet import HEADER, good_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


class Api:
    def __init__(self, client: Client, person: Any) -> None:
        _token, secret = issue_token(person, "tests")
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api" + path, params, **self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            "/api" + path, json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            "/api" + path, json.dumps(body), content_type="application/json", **self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete("/api" + path, **self.headers)

    def upload(self, path: str, data: bytes, **fields: Any) -> Any:
        file = SimpleUploadedFile("skenario.xlsx", data, content_type=spreadsheet.XLSX_TYPE)
        return self.client.post("/api" + path, {"file": file, **fields}, **self.headers)


@pytest.fixture
def api(client):
    return lambda person: Api(client, person)


@pytest.fixture
def sikesda_set(bali) -> ScenarioSet:
    return scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="UAT SIKESDA",
        app_version="2.1",
        scenarios=[login(1), login(2)],
    )


def counts() -> tuple[int, int, int]:
    return (
        ScenarioSet.objects.count(),
        Scenario.objects.count(),
        ScenarioSetRevision.objects.count(),
    )


SCENARIO = {
    "number": "SK-09",
    "title": "Cetak laporan",
    "steps": "1. Buka Laporan\n2. Tekan Cetak",
    "expected": "PDF terunduh",
    "priority": "tinggi",
}


# --- the attacks -------------------------------------------------------------------------------


def test_another_agencys_set_and_application_are_not_found(api, bali, djki, sikesda_set):
    other = api(djki["kasie_app"])
    scenario = sikesda_set.scenarios.first()
    base = f"/scenario-sets/{sikesda_set.pk}"
    before = counts()
    answers = [
        other.get(base),
        other.get(base + "/revisions"),
        other.get(base + "/revisions/1"),
        other.get(base + "/export"),
        other.patch(base, {"name": "Curian"}),
        other.post(base + "/scenarios", SCENARIO),
        other.patch(f"{base}/scenarios/{scenario.pk}", {"title": "x"}),
        other.delete(f"{base}/scenarios/{scenario.pk}"),
        other.upload(base + "/import", spreadsheet.write_xlsx(sikesda_set)),
        other.post(
            "/scenario-sets",
            {"application_id": bali.applications["sikesda"].pk, "name": "Curian"},
        ),
        other.upload(
            "/scenario-sets/import",
            spreadsheet.write_xlsx(sikesda_set),
            application_id=bali.applications["sikesda"].pk,
            name="Curian",
        ),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert {a.json()["code"] for a in answers} == {"not_found"}
    assert counts() == before
    assert other.get("/scenario-sets").json()["items"] == []


def test_a_scenario_id_of_another_set_is_not_found(api, bali, sikesda_set):
    other_set = scenarios.create_set(
        bali["kadis"], bali.applications["simpeg"].pk, name="SIMPEG", scenarios=[login(1)]
    )
    foreign = other_set.scenarios.get()
    kadis = api(bali["kadis"])
    path = f"/scenario-sets/{sikesda_set.pk}/scenarios/{foreign.pk}"
    assert kadis.patch(path, {"title": "Dibajak"}).status_code == 404
    assert kadis.delete(path).status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Masuk ke aplikasi 1"


def test_a_requesting_unit_member_reads_and_may_not_write(api, bali, sikesda_set):
    member = api(bali["dinkes_staf"])
    base = f"/scenario-sets/{sikesda_set.pk}"
    assert member.get(base).status_code == 200
    assert member.get(base + "/export").status_code == 200
    scenario = sikesda_set.scenarios.first()
    before = counts()
    answers = [
        member.patch(base, {"name": "Diubah"}),
        member.post(base + "/scenarios", SCENARIO),
        member.patch(f"{base}/scenarios/{scenario.pk}", {"title": "x"}),
        member.delete(f"{base}/scenarios/{scenario.pk}"),
        member.upload(base + "/import", spreadsheet.write_xlsx(sikesda_set)),
        member.post(
            "/scenario-sets",
            {"application_id": bali.applications["sikesda"].pk, "name": "Baru"},
        ),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    assert counts() == before


def test_a_vendor_reads_nothing(api, djki):
    ipas = scenarios.create_set(
        djki["kasie_app"], djki.applications["ipas"].pk, name="SIT IPAS", scenarios=[login(1)]
    )
    vendor = api(djki["ipasdev"])
    assert vendor.get(f"/scenario-sets/{ipas.pk}").status_code == 404
    assert vendor.get(f"/scenario-sets/{ipas.pk}/export").status_code == 404
    assert vendor.get("/scenario-sets").json()["items"] == []


def test_without_a_token_it_is_401(client, sikesda_set):
    assert client.get(f"/api/scenario-sets/{sikesda_set.pk}").status_code == 401


# --- keepers -----------------------------------------------------------------------------------


def test_a_keeper_makes_a_set_and_works_its_scenarios(api, bali):
    kadis = api(bali["kadis"])
    made = kadis.post(
        "/scenario-sets",
        {
            "application_id": bali.applications["sikesda"].pk,
            "name": "SIT SIKESDA",
            "app_version": "3.0",
            "scenarios": [SCENARIO],
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["revision"] == 1 and [s["number"] for s in body["scenarios"]] == ["SK-09"]
    base = f"/scenario-sets/{body['id']}"
    added = kadis.post(base + "/scenarios", {**SCENARIO, "number": "SK-10"})
    assert added.status_code == 201 and added.json()["position"] == 2
    first = body["scenarios"][0]["id"]
    changed = kadis.patch(f"{base}/scenarios/{first}", {"expected": "PDF tercetak"})
    assert changed.status_code == 200
    assert (
        changed.json()["expected"] == "PDF tercetak" and changed.json()["title"] == "Cetak laporan"
    )
    assert kadis.delete(f"{base}/scenarios/{added.json()['id']}").status_code == 204
    current = kadis.get(base).json()
    assert current["revision"] == 4 and len(current["scenarios"]) == 1
    old = kadis.get(base + "/revisions/1").json()
    assert old["scenarios"][0]["expected"] == "PDF terunduh"
    assert [r["number"] for r in kadis.get(base + "/revisions").json()] == [4, 3, 2, 1]
    assert kadis.get(base + "/revisions/9").status_code == 404
    version = kadis.patch(base, {"app_version": "3.1"})
    assert version.status_code == 200 and version.json()["revision"] == 5
    archived = kadis.patch(base, {"archived": True})
    assert archived.json()["archived"] is True
    refused = kadis.post(base + "/scenarios", {**SCENARIO, "number": "SK-11"})
    assert refused.status_code == 400 and refused.json()["code"] == "archived"


def test_bad_input_is_422_naming_the_field(api, bali, sikesda_set):
    kadis = api(bali["kadis"])
    base = f"/scenario-sets/{sikesda_set.pk}"
    before = counts()
    duplicate = kadis.post(base + "/scenarios", {**SCENARIO, "number": "SK-01"})
    assert duplicate.status_code == 422
    assert duplicate.json()["field"] == "number" and "SK-01" in duplicate.json()["message"]
    blank = kadis.post(base + "/scenarios", {**SCENARIO, "title": "   "})
    assert blank.status_code == 422 and blank.json()["field"] == "title"
    missing = kadis.post(base + "/scenarios", {"number": "SK-20"})
    assert missing.status_code == 422 and missing.json()["field"] == "title"
    priority = kadis.post(base + "/scenarios", {**SCENARIO, "priority": "darurat"})
    assert priority.status_code == 422 and priority.json()["field"] == "priority"
    long = kadis.post(base + "/scenarios", {**SCENARIO, "title": "J" * 301})
    assert long.status_code == 422 and long.json()["field"] == "title"
    nul = kadis.post(base + "/scenarios", {**SCENARIO, "steps": "a\x00b"})
    assert nul.status_code == 422
    unknown = kadis.post("/scenario-sets", {"application_id": 2**63, "name": "x"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "application_id"
    dup_list = kadis.post(
        "/scenario-sets",
        {
            "application_id": bali.applications["sikesda"].pk,
            "name": "x",
            "scenarios": [SCENARIO, SCENARIO],
        },
    )
    assert dup_list.status_code == 422 and dup_list.json()["field"] == "number"
    assert kadis.get("/scenario-sets", after="abc").status_code == 422
    assert counts() == before


# --- lists and spreadsheets --------------------------------------------------------------------


def test_the_list_pages_and_filters(api, bali, sikesda_set):
    for n in range(3):
        scenarios.create_set(bali["kadis"], bali.applications["simpeg"].pk, name=f"SIMPEG {n}")
    member = api(bali["dinkes_staf"])
    first = member.get("/scenario-sets", limit=2).json()
    assert len(first["items"]) == 2 and first["next"]
    rest = member.get("/scenario-sets", limit=2, after=first["next"]).json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    only = member.get("/scenario-sets", application=bali.applications["sikesda"].pk).json()
    assert [s["name"] for s in only["items"]] == ["UAT SIKESDA"]


def test_export_and_import_round_trip(api, bali, sikesda_set):
    kadis = api(bali["kadis"])
    exported = kadis.get(f"/scenario-sets/{sikesda_set.pk}/export")
    assert exported.status_code == 200
    assert exported["Content-Type"] == spreadsheet.XLSX_TYPE
    rows = list(load_workbook(io.BytesIO(exported.content))["Skenario"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    made = kadis.upload(
        "/scenario-sets/import",
        exported.content,
        application_id=sikesda_set.application_id,
        name="Salinan",
    )
    assert made.status_code == 201, made.content
    copy = ScenarioSet.objects.get(pk=made.json()["id"])
    assert scenarios.snapshot(copy) == scenarios.snapshot(sikesda_set)
    again = kadis.upload(f"/scenario-sets/{sikesda_set.pk}/import", exported.content)
    assert again.status_code == 200 and again.json()["revision"] == 2
    earlier = kadis.get(f"/scenario-sets/{sikesda_set.pk}/export", revision=1)
    assert earlier.status_code == 200
    assert kadis.get(f"/scenario-sets/{sikesda_set.pk}/export", revision=5).status_code == 404


def test_a_bad_spreadsheet_is_422_with_every_problem(api, bali, sikesda_set):
    kadis = api(bali["kadis"])
    data = xlsx([HEADER, good_row(1, title=""), good_row(1, priority="Darurat")])
    before = counts()
    answer = kadis.upload(f"/scenario-sets/{sikesda_set.pk}/import", data)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_spreadsheet" and body["field"] == "file"
    # In Indonesian, the language of the API unless the person chose another.
    assert body["items"] == [
        "Baris 2, kolom Judul Skenario: Judul skenario wajib diisi.",
        "Baris 3, kolom No. Skenario: nomor SK-01 sudah dipakai di baris 2.",
        "Baris 3, kolom Prioritas: Darurat bukan prioritas; tulis Tinggi, Sedang, atau Rendah.",
    ]
    junk = kadis.upload(f"/scenario-sets/{sikesda_set.pk}/import", b"PK junk")
    assert junk.status_code == 422
    assert counts() == before


def test_the_api_export_writes_formulas_as_text(api, bali):
    from .test_views_sets import HOSTILE, assert_formulas_are_text

    made = scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="@SUM(1)",
        scenarios=[login(1, **HOSTILE)],
    )
    answer = api(bali["dinkes_staf"]).get(f"/scenario-sets/{made.pk}/export")
    assert answer.status_code == 200
    assert_formulas_are_text(answer.content)


def sets_ids(bali: Any) -> dict[str, int]:
    """The ids of a scenario set of SIKESDA and one of its scenarios: the path parameters of
    the scenario sets' API operations for the API's fuzzing (tests/security/test_api_fuzz.py,
    whose ``number`` is 1: the set's first revision exists)."""
    made = scenarios.create_set(
        bali["kadis"], bali.applications["sikesda"].pk, name="Fuzz set", scenarios=[login(1)]
    )
    return {"set_id": made.pk, "scenario_id": made.scenarios.get().pk}
