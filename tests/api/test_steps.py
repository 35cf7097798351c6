"""Working steps through the API: claiming, completing with files and values, the gate."""

from __future__ import annotations

import json

import pytest

from laksana.cases import services
from laksana.cases.models import Attachment, CaseStep, JournalKind, StepStatus
from tests.cases.helpers import active, pdf, png, work

from .conftest import open_case

pytestmark = pytest.mark.django_db

STEP_1_VALUES = {"keterangan_proses": {"uraian": "Login gagal setelah ganti sandi"}}


def test_a_requester_drives_step_1_with_photos_and_form_values(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api, "SIKESDA tidak bisa login")
    step_id = case["active_step_ids"][0]
    photo = png("layar login.png")
    response = api.post_form(
        f"/cases/{case['reference']}/steps/{step_id}/complete",
        {
            "data": json.dumps({"values": STEP_1_VALUES, "note": "Terjadi sejak pagi"}),
            "foto_masalah": [photo, png("layar 2.png", "blue")],
            "dokumen_analisis": pdf("analisis.pdf"),
            "surat_permohonan": pdf("surat.pdf"),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(s["step_key"], s["status"]) for s in body["steps"]] == [
        ("s1", "completed"),
        ("s2", "active"),
    ]
    assert body["steps"][0]["completed_by"]["id"] == bali["dinkes_staf"].pk
    assert body["active_steps"] == ["s2"]
    assert {"surat_permohonan", "keterangan_proses", "foto_masalah"} <= set(body["artifacts"])
    photos = [a for a in body["attachments"] if a["artifact"] == "foto_masalah"]
    assert [(a["name"], a["type"]) for a in photos] == [
        ("layar login.png", "image/png"),
        ("layar 2.png", "image/png"),
    ]
    assert photos[0]["step_id"] == step_id
    # The stored photo is the uploaded one, and can be downloaded again.
    download = api.client.get(photos[0]["url"], **api.headers)
    assert download.status_code == 200
    photo.seek(0)
    assert b"".join(download.streaming_content) == photo.read()
    kinds = [e["kind"] for e in api.get(f"/cases/{case['reference']}/journal").json()["items"]]
    assert kinds.count(JournalKind.FILE_ADDED) == 4
    assert JournalKind.COMMENT in kinds


def test_a_refused_completion_names_the_missing_requirement(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    step_id = case["active_step_ids"][0]
    response = api.post_form(
        f"/cases/{case['reference']}/steps/{step_id}/complete",
        {
            "data": json.dumps({"values": STEP_1_VALUES}),
            "dokumen_analisis": pdf(),
            "surat_permohonan": pdf("surat.pdf"),
        },
    )
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "missing_requirements"
    assert error["items"] == ["Foto dokumentasi permasalahan"]
    assert "Foto dokumentasi permasalahan" in error["message"]
    # Nothing was written: the step is still active and no file kept.
    assert CaseStep.objects.get(pk=step_id).status == StepStatus.ACTIVE
    assert not Attachment.objects.exists()


def test_a_completion_without_data_lists_everything_missing(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    response = api.post_form(
        f"/cases/{case['reference']}/steps/{case['active_step_ids'][0]}/complete", {}
    )
    assert response.status_code == 400
    assert len(response.json()["items"]) == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [("{not json", "data"), ('{"values": []}', "data.values"), ('{"note": 5}', "data.note")],
)
def test_invalid_data_is_a_422_naming_the_part(api_as, bali, sop002, data, field):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    response = api.post_form(
        f"/cases/{case['reference']}/steps/{case['active_step_ids'][0]}/complete", {"data": data}
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid", field)


def test_a_file_for_an_artifact_the_step_does_not_take_is_refused(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    response = api.post_form(
        f"/cases/{case['reference']}/steps/{case['active_step_ids'][0]}/complete",
        {"data": json.dumps({"values": STEP_1_VALUES}), "bast": pdf()},
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid", "bast")


def test_completion_also_takes_a_json_body_for_steps_without_files(api_as, bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    case = work(bali["dinkes_staf"], case)
    case = work(bali["dinkes_staf"], case)
    step = active(case)
    services.dispose(
        bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut", step_id=step.pk
    )
    response = api_as(bali["kadis"]).post(
        f"/cases/{case.reference}/steps/{step.pk}/complete", {"note": "Segera"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["active_steps"] == ["s4"]


def test_claiming_takes_the_step_and_a_second_claim_is_a_conflict(api_as, bali, sop002):
    staff = api_as(bali["dinkes_staf"])
    case = open_case(staff)
    path = f"/cases/{case['reference']}/steps/{case['active_step_ids'][0]}"
    claimed = staff.post(f"{path}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["claimed_by"]["id"] == bali["dinkes_staf"].pk
    assert claimed.json()["claimed_at"]
    other = api_as(bali["dinkes"]).post(f"{path}/claim")
    assert other.status_code == 409
    assert other.json()["code"] == "already_claimed"
    assert "Putu Eka Pratama" in other.json()["message"]


def test_completing_a_completed_step_is_a_conflict(api_as, bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    step = active(case)
    work(bali["dinkes_staf"], case)
    response = api_as(bali["dinkes"]).post(f"/cases/{case.reference}/steps/{step.pk}/complete")
    assert response.status_code == 409
    assert response.json()["code"] == "already_completed"


def test_a_step_of_someone_else_is_forbidden(api_as, bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    case = work(bali["dinkes_staf"], case)
    case = work(bali["dinkes_staf"], case)
    step = active(case)  # s3, the Kepala Dinas's
    response = api_as(bali["dinkes_staf"]).post(f"/cases/{case.reference}/steps/{step.pk}/claim")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_a_step_of_another_case_is_not_found(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    first, second = open_case(api, "Satu"), open_case(api, "Dua")
    response = api.post(f"/cases/{first['reference']}/steps/{second['active_step_ids'][0]}/claim")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
