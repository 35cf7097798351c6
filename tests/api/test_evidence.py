"""Evidence is real (issue 16 item 3), through the API: a file value names attachments stored on
the case, a reference names a record of the same case and of the artifact's type, and an
artifact the case holds is not replaced by a later step that does not revise it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from laksana.cases import coverage, services
from laksana.cases.models import Attachment, Case, CaseStep, JournalKind, StepStatus
from tests.cases.helpers import active, pdf, png, work

from .conftest import Api, open_case

pytestmark = pytest.mark.django_db

FORM = {"keterangan_proses": {"uraian": "Login gagal setelah ganti sandi"}}


def _upload(api: Api, reference: str, upload: Any) -> int:
    response = api.post_form(f"/cases/{reference}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _complete(api: Api, reference: str, step_id: int, values: dict[str, Any], **files: Any) -> Any:
    return api.post_form(
        f"/cases/{reference}/steps/{step_id}/complete",
        {"data": json.dumps({"values": values}), **files},
    )


def _refused_nothing_written(response: Any, step_id: int, word: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "invalid_artifact", error
    assert word in error["message"], error["message"]
    assert CaseStep.objects.get(pk=step_id).status == StepStatus.ACTIVE


def test_made_up_file_descriptions_complete_no_step(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    step_id = case["active_step_ids"][0]
    made_up = {
        "files": [{"id": "999", "name": "foto.png", "content_type": "image/png", "size": 10}]
    }
    letter = {
        "files": [{"id": "x", "name": "surat.pdf", "content_type": "application/pdf", "size": 9}]
    }
    response = _complete(
        api,
        case["reference"],
        step_id,
        {
            **FORM,
            "foto_masalah": made_up,
            "surat_permohonan": letter,
            "dokumen_analisis": {
                "files": [{"id": "a1", "name": "a.pdf", "content_type": "application/pdf"}]
            },
        },
    )
    _refused_nothing_written(response, step_id, "unggah dulu ke kasus")
    assert not Case.objects.get(reference=case["reference"]).state["artifacts"]


def test_files_uploaded_to_the_case_first_are_named_by_id(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    reference, step_id = case["reference"], case["active_step_ids"][0]
    photo = _upload(api, reference, png("layar.png"))
    letter = _upload(api, reference, pdf("surat.pdf"))
    analysis = _upload(api, reference, pdf("analisis.pdf"))
    # What the caller says about a file does not count: the stored attachment does.
    values = {
        **FORM,
        "foto_masalah": {"files": [{"id": photo, "name": "lie.exe", "content_type": "x/y"}]},
        "surat_permohonan": {"files": [{"id": str(letter)}]},
        "dokumen_analisis": {"files": [{"id": analysis}]},
    }
    response = _complete(api, reference, step_id, values)
    assert response.status_code == 200, response.content
    stored = Case.objects.get(reference=reference).state["artifacts"]
    assert stored["foto_masalah"] == {
        "files": [Attachment.objects.get(pk=photo).as_artifact_file()]
    }
    assert stored["foto_masalah"]["files"][0]["name"] == "layar.png"
    assert stored["surat_permohonan"]["files"][0]["id"] == str(letter)
    # The rows still match the journal (the attachments are as uploaded).
    assert coverage.check_case(Case.objects.get(reference=reference)) == []
    completed = Case.objects.get(reference=reference).journal.get(kind=JournalKind.COMPLETED)
    assert completed.data["event"]["artifacts"]["dokumen_analisis"]["files"][0]["id"] == str(
        analysis
    )
    # An attachment is the evidence of one artifact: it cannot serve again.
    step2 = active(Case.objects.get(reference=reference))
    response = _complete(
        api,
        reference,
        step2.pk,
        {
            "proses_bisnis_masalah": {"files": [{"id": analysis}]},
            "permohonan_kantor_virtual": {"files": [{"id": _upload(api, reference, pdf())}]},
        },
    )
    _refused_nothing_written(response, step2.pk, "sudah menjadi bukti untuk")


def test_an_attachment_of_another_case_is_not_evidence(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    other = open_case(api, "Kasus lain")
    foreign = _upload(api, other["reference"], png())
    case = open_case(api)
    step_id = case["active_step_ids"][0]
    mine = _upload(api, case["reference"], pdf())
    response = _complete(
        api,
        case["reference"],
        step_id,
        {
            **FORM,
            "foto_masalah": {
                "files": [{"id": foreign, "name": "a.png", "content_type": "image/png"}]
            },
            "surat_permohonan": {"files": [{"id": mine, "name": "surat.pdf"}]},
        },
        dokumen_analisis=pdf("analisis.pdf"),
    )
    _refused_nothing_written(response, step_id, "bukan berkas kasus ini")
    assert not Attachment.objects.filter(artifact_key="dokumen_analisis").exists()


def test_a_made_up_reference_completes_no_step(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    step_id = case["active_step_ids"][0]
    response = _complete(
        api,
        case["reference"],
        step_id,
        {**FORM, "surat_permohonan": {"ref": "x"}},
        foto_masalah=png(),
        dokumen_analisis=pdf(),
    )
    # The letter is an official document of the case: a reference names one by its id.
    _refused_nothing_written(response, step_id, 'tidak menunjuk dokumen; berikan {"ref"')
    assert "Surat permohonan perbaikan sistem" in response.json()["message"]
    assert not Attachment.objects.exists()


def _at_step_3(bali: Any, sop002: Any) -> Case:
    case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA error")
    case = work(bali["dinkes_staf"], case)
    return work(bali["dinkes_staf"], case)


def test_a_disposition_is_a_disposition_of_this_case_sent_on_the_step(api_as, bali, sop002):
    other = _at_step_3(bali, sop002)
    (foreign,) = services.dispose(
        bali["kadis"], other.pk, [bali["kabid"]], "Proses", step_id=active(other).pk
    )
    case = _at_step_3(bali, sop002)
    step3 = active(case)
    api = api_as(bali["kadis"])
    for ref, word in (
        ("x", "tidak menunjuk disposisi"),
        (f"disposition:{foreign.pk}", "kasus ini tidak memiliki disposisi"),
        (foreign.pk, "kasus ini tidak memiliki disposisi"),
    ):
        response = _complete(api, case.reference, step3.pk, {"disposisi_kadis": {"ref": ref}})
        _refused_nothing_written(response, step3.pk, word)
    # The page shows no "✓ Disposisi Kepala Dinas": nothing was stored.
    case.refresh_from_db()
    assert "disposisi_kadis" not in case.state["artifacts"]
    # Sent on the step, it is the step's output.
    (d,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses", step_id=step3.pk)
    response = _complete(api, case.reference, step3.pk, {"disposisi_kadis": {"ref": d.pk}})
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.state["artifacts"]["disposisi_kadis"] == {"ref": f"disposition:{d.pk}"}


def test_a_reference_of_the_wrong_type_is_refused(api_as, bali, sop002):
    case = _at_step_3(bali, sop002)
    step3 = active(case)
    (d,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses", step_id=step3.pk)
    case = work(bali["kadis"], case)
    case = work(bali["kabid"], case)  # 4, with the Kabid's own disposition
    step5 = active(case)
    api = api_as(bali["ketuatim"])
    # A disposition is no Berita Acara: minutes are official documents of the case.
    response = _complete(
        api,
        case.reference,
        step5.pk,
        {
            "bahan_diskusi": {
                "alur_sistem": "a",
                "data_input_output": "b",
                "mekanisme_validasi": "c",
                "role_pengguna": "d",
                "mekanisme_pelaporan": "e",
                "proses_bisnis_lainnya": "f",
            },
            "ba_diskusi": {"ref": f"disposition:{d.pk}"},
        },
        dokumen_awal_proses_bisnis=pdf(),
    )
    _refused_nothing_written(response, step5.pk, '"disposition:')
    assert "tidak menunjuk dokumen" in response.json()["message"]
    assert "Berita Acara Hasil Diskusi" in response.json()["message"]


def test_a_later_step_cannot_replace_the_teams_development_document(api_as, bali, sop002):
    case = _at_step_3(bali, sop002)
    for who in ("kadis", "kabid", "ketuatim", "dev1", "qa1", "dev1", "dinkes_staf"):
        case = work(bali[who], case)
    step10 = active(case)
    assert step10.step_key == "s10"
    before = case.state["artifacts"]["dokumen_pengembangan"]
    api = api_as(bali["kadis"])
    response = api.post_form(
        f"/cases/{case.reference}/steps/{step10.pk}/complete",
        {
            "data": "{}",
            "dokumen_pengembangan": pdf("palsu.pdf"),
            "bast": pdf("bast.pdf"),
            "petunjuk_penggunaan": pdf("petunjuk.pdf"),
        },
    )
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "artifact_on_case"
    assert error["items"] == ["Dokumen Pengembangan Aplikasi"]
    case.refresh_from_db()
    assert case.state["artifacts"]["dokumen_pengembangan"] == before
    assert not Attachment.objects.filter(original_name="palsu.pdf").exists()
    assert not case.journal.filter(kind=JournalKind.FILE_ADDED, data__name="palsu.pdf").exists()


def test_a_file_value_names_a_bounded_number_of_attachments(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    step_id = case["active_step_ids"][0]
    many = {"files": [{"id": n} for n in range(1, 102)]}
    response = _complete(api, case["reference"], step_id, {**FORM, "foto_masalah": many})
    _refused_nothing_written(response, step_id, "paling banyak 100 berkas")
