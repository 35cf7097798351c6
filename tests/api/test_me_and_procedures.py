"""The caller (/api/me) and the published procedures."""

from __future__ import annotations

import pytest

from laksana.demo.orgs import SOP_002, SOP_004
from laksana.procedures.services import publish

pytestmark = pytest.mark.django_db


def test_me_names_the_person_unit_positions_and_superior(api_as, bali):
    body = api_as(bali["kabid"]).get("/me").json()
    assert body["username"] == "kabid" and body["name"] == "Ni Luh Putu Ariani"
    assert body["nip"] == "197604122003122004"
    assert body["unit"] == {"id": bali.units["iai"].pk, "name": bali.units["iai"].name}
    assert body["agency"]["id"] == bali.agency.pk
    assert [p["name"] for p in body["positions"]] == [
        "Kepala Bidang Infrastruktur dan Aplikasi Informatika"
    ]
    assert body["superior"] == {"id": bali["kadis"].pk, "name": "Gede Pramana"}
    assert body["vendor"] is None


def test_me_names_a_vendor(api_as, djki):
    body = api_as(djki["ipasdev"]).get("/me").json()
    assert body["vendor"]["name"] == "PT Solusi IPAS Nusantara" and body["positions"] == []


def test_a_session_account_without_a_person_cannot_act(client, django_user_model, sop002):
    user = django_user_model.objects.create_user("tamu", password="x")
    client.force_login(user)
    response = client.get("/api/me")
    assert response.status_code == 403 and response.json()["code"] == "no_person"
    assert client.get("/api/cases").json() == {"items": [], "next": None}


def test_it_lists_the_latest_version_of_each_procedure(api_as, bali, sop002):
    source = sop002.source.replace('title: "Penanganan Masalah Aplikasi"', 'title: "Revisi"')
    publish(source, "sop-002.yaml", bali.agency)
    body = api_as(bali["dinkes_staf"]).get("/procedures").json()
    assert len(body) == 1  # Bali's own: it adopted SOP 002 only
    (sop,) = [p for p in body if p["key"] == SOP_002]
    assert (sop["agency"], sop["number"], sop["title"]) == ("diskominfos-bali", 2, "Revisi")
    assert sop["sop_number"] == "B.24.473.1/12074/IAI/D.KOMINFOS"


def test_a_version_shows_its_steps_with_times_and_decisions(api_as, bali, sop002):
    body = api_as(bali["dinkes_staf"]).get(f"/procedures/{SOP_002}/versions/1").json()
    assert body["key"] == SOP_002 and body["start"] == "s1"
    s1 = body["steps"][0]
    assert (s1["id"], s1["number"], s1["actor"], s1["time"]) == ("s1", "1", "pemohon", "±3 Hari")
    assert s1["requires"] == ["surat_permohonan", "foto_masalah", "keterangan_proses"]
    assert s1["produces"] == ["dokumen_analisis"]
    # Row 9 is the one decision, read from the UAT's minutes (no person chooses it).
    assert [s["id"] for s in body["steps"] if s["decision"]] == ["s9"]
    uat = next(s["decision"] for s in body["steps"] if s["decision"])
    assert uat["decided_by"] == "ba_uat"
    assert uat["outcomes"] == [
        {"label": "Diterima", "target": "s10", "when": ["diterima", "diterima_dengan_catatan"]},
        {"label": "Ditolak", "target": "s6", "when": ["ditolak"]},
    ]
    photo = next(a for a in body["artifacts"] if a["id"] == "foto_masalah")
    assert (photo["type"], photo["accept"], photo["multiple"]) == ("file", ["image"], True)
    form = next(a for a in body["artifacts"] if a["id"] == "keterangan_proses")
    assert [f["id"] for f in form["fields"]] == ["uraian"]
    assert {a["id"] for a in body["actors"]} >= {"pemohon", "kadis"}


def test_a_decision_step_shows_its_question_and_outcomes(api_as, djki, sop004):
    body = api_as(djki["merek_staf"]).get(f"/procedures/{SOP_004}/versions/1").json()
    decision = next(s["decision"] for s in body["steps"] if s["decision"])
    assert decision["question"] == "Apakah gangguan berasal dari sistem aplikasi IPAS?"
    assert decision["outcomes"] == [
        {"label": "Ya", "target": "s7a", "when": []},
        {"label": "Tidak", "target": "s7b", "when": []},
    ]
    assert decision["decided_by"] == ""


def test_an_unknown_version_is_not_found(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    assert api.get(f"/procedures/{SOP_002}/versions/9").status_code == 404
    assert api.get("/procedures/tidak-ada/versions/1").json()["code"] == "not_found"
