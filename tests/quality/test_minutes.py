"""The minutes a run makes (issue 18, item 3): the documents module drafts BA SIT, BA UAT and
the Laporan Uji Keamanan only from a run, keeps their run's fields, and prints the columns
DOMAIN.md lists per scenario with the application, version, environment, date and place,
participants, findings with follow-up dates, conclusion and signatures."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.documents import context, made, templating
from laksana.documents import services as documents
from laksana.documents.kinds import KINDS
from laksana.documents.models import Document, DocumentStatus
from laksana.errors import ServiceError
from laksana.quality import findings, minutes, runs
from tests.quality.test_runs import active, case_at, start, verdicts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def closed(bali, sop002):
    run = start(bali, case_at(bali, sop002, "s8"), url="https://uji.sikesda.test")
    verdicts(bali, run, "dev1", "lulus", "diblokir")
    findings.add_finding(
        bali["dev1"],
        run.pk,
        severity="sedang",
        title="Tombol cetak lambat",
        owner_id=bali["qa1"].pk,
        due="2026-12-21",
    )
    return runs.close_run(
        bali["dev1"],
        run.pk,
        place="Ruang Rapat Bidang IAI",
        participants=[{"name": "Ni Wayan Sari", "position": "Dinas Kesehatan"}],
    )


# --- attacks: a made kind is not drafted by hand --------------------------------------------------


@pytest.mark.parametrize("kind", ["ba_sit", "ba_uat", "laporan_uji_keamanan"])
def test_a_manual_draft_of_a_made_kind_is_refused(bali, sop002, kind) -> None:
    case = case_at(bali, sop002, "s8")
    fields = {
        "version": "2.1",
        "environment": "x",
        "conclusion": "Diterima",
        "tests": [{"id": "1", "description": "x", "verdict": "Lulus"}],
    }
    with pytest.raises(ServiceError) as e:
        documents.make_draft(bali["dev1"], case, kind=kind, fields=fields)
    assert (e.value.code, e.value.field) == ("made_by_module", "kind")
    assert "closing its test run" in e.value.message
    assert not Document.objects.exists()


def test_the_steps_minutes_are_not_drafted_by_hand(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    with pytest.raises(ServiceError) as e:
        documents.make_draft(bali["dev1"], case, step=active(case), artifact_key="ba_sit")
    assert e.value.code == "made_by_module"
    assert not Document.objects.exists()


def test_the_runs_fields_of_the_draft_do_not_change_by_hand(bali, closed) -> None:
    doc = closed.document
    before = dict(doc.fields)
    for change in (
        {"conclusion": "Diterima"},
        {"tests": [{"id": "SK-01", "description": "x", "verdict": "Lulus"}]},
        {"findings": []},
        {"version": "9.9"},
        {"participants": [{"name": "Orang lain"}]},
        {"reasons": ["karangan"]},
    ):
        with pytest.raises(ServiceError) as e:
            documents.update_draft(bali["dev1"], doc, fields={**before, **change})
        assert e.value.code == "made_by_module"
    doc.refresh_from_db()
    assert doc.fields == before
    # The place and the notes are the author's.
    doc = documents.update_draft(
        bali["dev1"], doc, fields={**before, "place": "Aula Diskominfos", "notes": "Tambahan"}
    )
    assert (doc.place, doc.fields["notes"]) == ("Aula Diskominfos", "Tambahan")
    assert doc.fields["tests"] == before["tests"]
    # A partial change of the editable fields alone keeps the rest.
    doc = documents.update_draft(bali["dev1"], doc, fields={"notes": "Lagi"})
    assert doc.fields["notes"] == "Lagi" and doc.fields["conclusion"] == before["conclusion"]


def test_a_made_document_signed_by_someone_cannot_be_withdrawn(bali, closed) -> None:
    doc = documents.submit(bali["dev1"], closed.document)
    assert made.untouched(doc)
    doc = documents.sign(bali["dev1"], doc)
    assert not made.untouched(doc)
    with pytest.raises(ServiceError) as e:
        made.withdraw(doc)
    assert e.value.code == "signed"
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.CIRCULATING


# --- what the minutes hold ------------------------------------------------------------------------


def test_the_fields_are_indonesian_whatever_the_language(bali, closed) -> None:
    fields = closed.document.fields
    assert fields["conclusion"] == "Diterima dengan catatan"
    assert fields["run"] == "SIT 1"
    assert fields["tests"][1]["verdict"] == "Diblokir"
    assert fields["findings"][0]["severity"] == "Sedang"
    assert fields["reasons"] == [
        "skenario yang gagal, diblokir atau tidak dijalankan: SK-02",
        "1 temuan berkeparahan Sedang atau Rendah masih terbuka",
    ]
    assert minutes.fields_of(closed) == fields


def test_the_template_prints_every_column_and_part(bali, closed) -> None:
    doc = closed.document
    data = context.build(doc)
    html = templating.render_html(templating.shipped_source(doc.kind), data)
    for text in (
        "No.",
        "Skenario",
        "Langkah/Prosedur",
        "Data Masukan",
        "Hasil yang Diharapkan",
        "Hasil Aktual",
        "Hasil Uji",
        "Sistem Informasi Kesehatan Daerah",
        "2.1",
        "https://uji.sikesda.test",
        "Pada hari ini",
        "Ruang Rapat Bidang IAI",
        "Cetak laporan 1 (Pelaporan)",
        "1. Buka menu Laporan",
        "Bulan 2/2026",
        "Laporan PDF terunduh",
        "Hasil SK-02",
        "Diblokir",
        "T-1",
        "Tombol cetak lambat",
        "Kadek Ayu Lestari",
        "21 Desember 2026",
        "Ni Wayan Sari",
        "Komang Adi Wiguna",
        "Diterima dengan catatan",
        "SK-02",
    ):
        assert text in html, text
    assert "I Made Suardana" in html  # the Ketua Tim signs


@pytest.mark.parametrize("kind", ["ba_sit", "ba_uat", "laporan_uji_keamanan"])
def test_the_shipped_templates_use_only_documented_variables(kind) -> None:
    assert KINDS[kind].made_by == "quality"
    assert templating.check(templating.shipped_source(kind), kind) == []
    schema = context.variables(kind)["isian"]
    assert set(schema["tests"][0]) == {
        "id",
        "description",
        "steps",
        "input_data",
        "expected",
        "actual",
        "verdict",
    }
    assert {"number", "finding", "severity", "owner", "follow_up", "due", "due_teks"} <= set(
        schema["findings"][0]
    )
    assert {"reasons", "run", "retest_of", "version", "environment"} <= set(schema)


def test_the_draft_form_of_made_minutes_asks_only_place_and_notes(client, bali, closed) -> None:
    from django.urls import reverse

    doc = closed.document
    client.force_login(bali["dev1"].user)
    url = reverse("documents:edit", args=[doc.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="art-doc-place"' in body and 'name="art-doc-notes"' in body
    assert 'name="art-doc-version"' not in body
    assert "Hasil pengujian per skenario" not in body
    signatories = list(doc.signatories.order_by("order", "pk"))
    post = {
        "art-doc-place": "Aula Diskominfos",
        "art-doc-notes": "Dicetak ulang",
        "date": doc.date.isoformat(),
    }
    for i, s in enumerate(signatories):
        post.update(
            {
                f"sig-{i}-person": str(s.person_id),
                f"sig-{i}-role": s.role,
                f"sig-{i}-order": str(s.order),
                f"sig-{i}-label": s.label,
            }
        )
    before = dict(doc.fields)
    answer = client.post(url, post)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    doc.refresh_from_db()
    assert (doc.place, doc.fields["notes"]) == ("Aula Diskominfos", "Dicetak ulang")
    assert doc.fields["tests"] == before["tests"]
    assert doc.fields["conclusion"] == before["conclusion"]


def test_the_draft_form_of_a_steps_minutes_sends_to_the_test_run(client, bali, sop002) -> None:
    from django.urls import reverse

    case = case_at(bali, sop002, "s8")
    row = active(case)
    client.force_login(bali["dev1"].user)
    url = reverse("documents:new") + f"?case={case.reference}&step={row.pk}&artifact=ba_sit"
    page = client.get(url)
    assert page.status_code == 302
    assert f"step={row.pk}" in page.url or page.url.endswith(f"/{case.reference}/")
    answer = client.post(
        reverse("documents:new"),
        {
            "case": case.reference,
            "step": row.pk,
            "artifact": "ba_sit",
            "art-doc-version": "2.1",
            "date": "2026-12-07",
        },
    )
    assert answer.status_code == 422
    assert not Document.objects.exists()
