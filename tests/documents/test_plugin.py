"""The documents module on the registry of artifact types: a step whose output is a document
is completed with the reference of its final document, and the step's page is told where the
document stands."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.cases import artifacts as case_artifacts
from laksana.cases import services as case_services
from laksana.cases.servicebase import ServiceError
from laksana.documents import drafting, plugin, services
from laksana.documents.kinds import BY_ARTIFACT_TYPE, KINDS
from laksana.documents.models import Document
from laksana.engine import artifacts as engine_artifacts
from laksana.engine.spec import ArtifactSpec
from tests.cases.helpers import pdf

from .drafts import DISCUSSION, case_at_discussion, circulate, draft, finish, step


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(bali, sop002):
    return case_at_discussion(bali, sop002)


def _complete(bali, case, ref):
    row = step(case)
    spec = case.version.spec
    return case_services.complete_step(
        bali["ketuatim"],
        row.pk,
        values={
            "ba_diskusi": {"ref": ref},
            "bahan_diskusi": engine_artifacts.example_value(spec.artifact("bahan_diskusi")),
        },
        files=[case_services.FileInput("dokumen_awal_proses_bisnis", [pdf("awal.pdf")])],
    )


def _refused(bali, case, ref) -> str:
    with pytest.raises(ServiceError) as err:
        _complete(bali, case, ref)
    assert err.value.code == "invalid_artifact" and err.value.field == "ba_diskusi"
    return err.value.message


def test_every_document_type_is_registered():
    for type_name in BY_ARTIFACT_TYPE:
        assert case_artifacts.resolver_of(type_name) is not None
        assert case_artifacts.producer_of(type_name) is not None


def test_a_draft_circulating_or_returned_document_does_not_complete_the_step(bali, case):
    doc = draft(bali, case)
    assert "is a draft, not submitted" in _refused(bali, case, f"document:{doc.pk}")
    doc = services.submit(bali["ketuatim"], doc)
    assert "waiting for I Made Suardana" in _refused(bali, case, f"document:{doc.pk}")
    services.initial(bali["ketuatim"], doc)
    services.initial(bali["kabid"], doc)
    message = _refused(bali, case, f"document:{doc.pk}")
    assert "waiting for Gede Pramana, dr. Ketut Sudiarta" in message
    services.refuse(bali["kadis"], doc, note="Perbaiki")
    assert "returned to its author" in _refused(bali, case, f"document:{doc.pk}")
    assert step(case).step_key == "s5"


def test_another_cases_document_or_none_is_refused_alike(bali, sop002, case):
    other_case = case_at_discussion(bali, sop002, "Kasus lain")
    other = finish(bali, circulate(bali, other_case))
    assert f"this case has no document {other.pk}" in _refused(bali, case, f"document:{other.pk}")
    assert "this case has no document 999999" in _refused(bali, case, "document:999999")
    assert "names no document" in _refused(bali, case, "disposition:1")
    assert "names no document" in _refused(bali, case, "document:-1")


def test_a_document_of_another_kind_or_made_for_nothing_is_refused(bali, case):
    memo = {"to": "Kepala Dinas", "subject": "Laporan", "body": "Isi."}
    one = services.make_draft(
        bali["kabid"],
        case,
        kind="nota_dinas",
        fields=memo,
        signatories=[{"person": bali["kabid"].pk, "role": "sign"}],
    )
    one = services.sign(bali["kabid"], services.submit(bali["kabid"], one))
    assert "is not a Berita Acara Hasil Diskusi" in _refused(bali, case, f"document:{one.pk}")
    loose = services.make_draft(
        bali["kabid"],
        case,
        kind="ba_diskusi",
        fields=DISCUSSION,
        signatories=[{"person": bali["kabid"].pk, "role": "sign"}],
    )
    loose = services.sign(bali["kabid"], services.submit(bali["kabid"], loose))
    message = _refused(bali, case, f"document:{loose.pk}")
    assert "the output of this step is the document made for it" in message


def test_the_final_document_completes_the_step_with_its_number_and_fields(bali, case):
    doc = finish(bali, circulate(bali, case))
    case = _complete(bali, case, f"document:{doc.pk}")
    value = case.state["artifacts"]["ba_diskusi"]
    assert value == {"ref": f"document:{doc.pk}", "number": doc.number, "fields": doc.fields}
    assert step(case).step_key == "s6"


def test_the_step_page_is_told_where_the_document_stands(bali, case):
    row = step(case)
    art = case.version.spec.artifact("ba_diskusi")
    found = plugin.produced(case, row, art)
    assert found.value is None and found.status == "No document yet"
    if found.url:  # the web part mounts documents:new
        assert f"case={case.reference}" in found.url and "artifact=ba_diskusi" in found.url
    doc = draft(bali, case)
    assert plugin.produced(case, row, art).status == f"Draft {doc.draft_number}, not submitted yet"
    services.submit(bali["ketuatim"], doc)
    assert plugin.produced(case, row, art).status == "Waiting for I Made Suardana"
    services.refuse(bali["ketuatim"], doc, note="Salah tanggal")
    assert plugin.produced(case, row, art).status == "Returned to its author: Salah tanggal"
    services.submit(bali["ketuatim"], doc)
    doc = finish(bali, Document.objects.get(pk=doc.pk))
    found = plugin.produced(case, row, art)
    assert found.value == plugin.value_of(doc) and found.status == f"Final: {doc.number}"


def test_the_data_deletion_minutes_value_passes_the_types_check(bali, case):
    fields = drafting.clean_fields(
        KINDS["ba_penghapusan"],
        {
            "date": "2026-12-07",
            "executed_by": "Tim TI",
            "witness": "Inspektorat",
            "items": [{"data": "Data pegawai", "location": "Server A", "method": "Wipe"}],
        },
    )
    value = {"ref": "document:1", "number": "001/BA-HPS/X/2026", "fields": fields}
    spec = ArtifactSpec("ba_penghapusan_data", "BA Penghapusan", "minutes.data_deletion")
    assert engine_artifacts.get("minutes.data_deletion").validate(spec, value) == []


BAST_FIELDS = {
    "place": "Denpasar",
    "warranty": "3 (tiga) bulan sejak serah terima",
    "items": [{"item": "Aplikasi SIKESDA versi 2.1", "quantity": "1", "condition": "Baik"}],
}


def test_sop_002s_bast_is_initialled_by_the_kabid_and_signed_by_both_heads(bali, case):
    """Row 10: the Kepala Dinas makes the BAST; the procedure names its people: the Kabid
    initials, then the Kepala Dinas and the head of the requesting unit sign jointly; the
    final BAST completes the step."""
    from tests.cases.helpers import work

    for who in ("ketuatim", "dev1", "dev1", "dev1", "dinkes_staf"):
        case = work(bali[who], case)
    row = step(case)
    assert row.step_key == "s10"
    with pytest.raises(ServiceError, match="Only someone who may work this step"):
        services.make_draft(bali["dinkes"], case, step=row, artifact_key="bast", fields=BAST_FIELDS)
    doc = services.make_draft(
        bali["kadis"], case, step=row, artifact_key="bast", fields=BAST_FIELDS
    )
    assert [
        (s.person_id, s.role, s.order, s.label) for s in doc.signatories.order_by("order", "pk")
    ] == [
        (bali["kabid"].pk, "initial", 1, ""),
        (bali["kadis"].pk, "sign", 2, "PIHAK PERTAMA"),
        (bali["dinkes"].pk, "sign", 2, "PIHAK KEDUA"),
    ]
    doc = services.submit(bali["kadis"], doc)
    with pytest.raises(ServiceError, match="Ni Luh Putu Ariani must act first"):
        services.sign(bali["dinkes"], doc)
    services.initial(bali["kabid"], doc)
    services.sign(bali["kadis"], doc)
    doc = services.sign(bali["dinkes"], doc)
    assert doc.number.startswith("001/BAST/")
    case = case_services.complete_step(
        bali["kadis"],
        row.pk,
        values={"bast": {"ref": f"document:{doc.pk}"}},
        files=[case_services.FileInput("petunjuk_penggunaan", [pdf("panduan.pdf")])],
    )
    assert case.state["artifacts"]["bast"]["number"] == doc.number
    assert step(case).step_key == "s11"


def test_a_requirement_is_the_document_an_earlier_step_made(bali, case):
    doc = finish(bali, circulate(bali, case))
    case = _complete(bali, case, f"document:{doc.pk}")
    row = step(case)  # s6 requires ba_diskusi
    found = plugin.produced(case, row, case.version.spec.artifact("ba_diskusi"))
    assert found.value == plugin.value_of(doc)
