"""A decision read from an output (``decided_by``, issue 18: SOP 002 row 9, the UAT's result
decides): completing the step and the step's page.

A small procedure of its own, with a fake artifact type registered here (a resolver, a
producer and an outcome reader, as a domain module would in its ``ready()``), and a second
fake type that no module reads; both registries are restored after each test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laksana.cases import artifacts as case_artifacts
from laksana.cases import services, stepform
from laksana.cases.artifacts import Context, Produced, Unresolved
from laksana.cases.models import Case, CaseStep, JournalEntry, StepStatus
from laksana.engine import artifacts as engine_artifacts
from laksana.procedures.services import publish

from .helpers import active, pdf

pytestmark = pytest.mark.django_db

READ = "uji.hasil"  # a record a module makes and whose result it reads
PLAIN = "uji.polos"  # a record no module reads a result from

TEXT = """\
format: laksana/procedure@1
id: uji-keputusan
identity: {number: "099/UJI", title: Uji Keputusan, agency: Dinas Uji}
actors:
  pemohon: {name: Unit Kerja Pemohon, kind: requesting_unit}
artifacts:
  ba_uat: {name: Berita Acara UAT, type: TYPE}
  perbaikan: {name: Catatan Perbaikan, type: form, fields: [{id: isi, label: Isi, type: text}]}
start: s1
steps:
  - id: s1
    activity: Menguji aplikasi
    actor: pemohon
    produces: [ba_uat]
    revises: [ba_uat]
    decision:
      question: "Apakah hasil UAT diterima?"
      decided_by: ba_uat
      outcomes:
        - {label: Diterima, to: selesai, when: [diterima, diterima_dengan_catatan]}
        - {label: Ditolak, to: s2, when: [ditolak]}
  - id: s2
    activity: Memperbaiki
    actor: pemohon
    produces: [perbaikan]
    revises: [perbaikan]
    next: s1
ends:
  - {id: selesai}
"""

# What the fake module's screen has ready for the step (the producer tells the page).
READY: dict[str, Any] = {}


def _resolve(ctx: Context, ref: object) -> dict[str, Any]:
    text = str(ref)
    if not text.startswith("hasil:"):
        raise Unresolved("names no test result")
    result = text.removeprefix("hasil:")
    return {"ref": text, "result": result} if result != "kosong" else {"ref": text}


def _produced(case: Case, row: CaseStep, spec: Any) -> Produced:
    value = READY.get("value")
    return Produced(value, "Siap" if value else "Belum ada", "/uji/", "Buka")


def _outcome(case: Case, value: Any) -> str | None:
    return value.get("result") if isinstance(value, Mapping) else None


@pytest.fixture(autouse=True)
def fake_types() -> Iterator[None]:
    engine_before = dict(engine_artifacts._REGISTRY)
    cases_before = {k: dataclasses.replace(v) for k, v in case_artifacts._REGISTRY.items()}
    engine_artifacts.register(READ, "Hasil uji", "uji")
    engine_artifacts.register(PLAIN, "Hasil polos", "uji")
    case_artifacts.register(READ, resolver=_resolve, producer=_produced, outcome=_outcome)
    case_artifacts.register(PLAIN, resolver=_resolve, producer=_produced)
    READY.clear()
    try:
        yield
    finally:
        READY.clear()
        engine_artifacts._REGISTRY.clear()
        engine_artifacts._REGISTRY.update(engine_before)
        case_artifacts._REGISTRY.clear()
        case_artifacts._REGISTRY.update(cases_before)


def test_the_registries_are_restored_by_the_fixture():
    # Every other test of the suite sees the registries as the apps left them.
    assert case_artifacts.outcome_of(READ) is not None
    assert engine_artifacts.is_known(READ)


def opened(bali, type_name: str = READ) -> Case:
    version = publish(TEXT.replace("TYPE", type_name), "uji.yaml", bali.agency)
    return services.open_case(bali["dinkes_staf"], version, "Uji penerimaan SIKESDA")


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def complete(bali, case: Case, value: Any = None, *, outcome: str | None = None, files=()):
    return services.complete_step(
        bali["dinkes_staf"],
        active(case).pk,
        values={"ba_uat": value} if value is not None else {},
        files=files,
        outcome=outcome,
    )


def done_outcome(case: Case, step_key: str = "s1") -> str:
    row = case.steps.filter(step_key=step_key, status=StepStatus.COMPLETED).order_by("-pk").first()
    assert row is not None
    return row.outcome


# --- completing the step -------------------------------------------------------------------


def test_the_outcome_is_read_from_the_output(bali):
    case = complete(bali, opened(bali), {"ref": "hasil:ditolak"})
    assert active(case).step_key == "s2"  # back to the fix
    assert done_outcome(case) == "Ditolak"
    assert case.state["artifacts"]["ba_uat"] == {"ref": "hasil:ditolak", "result": "ditolak"}


def test_every_result_named_in_when_chooses_its_outcome(bali):
    case = complete(bali, opened(bali), {"ref": "hasil:diterima_dengan_catatan"})
    assert case.finished_at is not None and case.end_key == "selesai"
    assert done_outcome(case) == "Diterima"


def test_the_same_outcome_given_is_accepted(bali):
    case = complete(bali, opened(bali), {"ref": "hasil:diterima"}, outcome="Diterima")
    assert case.end_key == "selesai"


def test_a_contrary_outcome_is_refused_and_nothing_changes(bali):
    case = opened(bali)
    row = active(case)
    state, journal = fresh(case).state, JournalEntry.objects.filter(case=case).count()
    with pytest.raises(services.ServiceError) as exc:
        complete(bali, case, {"ref": "hasil:ditolak"}, outcome="Diterima")
    assert exc.value.code == "outcome_decided"
    assert exc.value.field == "outcome"
    assert str(exc.value.message) == (
        "The outcome of this step is read from Berita Acara UAT: Ditolak, not Diterima."
    )
    assert fresh(case).state == state
    assert JournalEntry.objects.filter(case=case).count() == journal
    assert CaseStep.objects.get(pk=row.pk).status == StepStatus.ACTIVE


def test_a_made_up_outcome_is_refused_the_same_way(bali):
    case = opened(bali)
    with pytest.raises(services.ServiceError) as exc:
        complete(bali, case, {"ref": "hasil:diterima"}, outcome="Entah" * 50)
    assert exc.value.code == "outcome_decided"
    assert len(str(exc.value.message)) < 250  # what was given is cut short
    assert active(fresh(case)).step_key == "s1"


def test_a_result_that_chooses_no_outcome_is_refused(bali):
    case = opened(bali)
    with pytest.raises(services.ServiceError) as exc:
        complete(bali, case, {"ref": "hasil:ditunda"})
    assert exc.value.code == "invalid_artifact"
    assert exc.value.field == "ba_uat"
    assert list(exc.value.items) == [
        "Berita Acara UAT: its result ditunda chooses no outcome of this step"
    ]
    assert active(fresh(case)).step_key == "s1"


def test_a_value_that_records_no_result_leaves_the_choice_to_the_person(bali):
    case = opened(bali)
    with pytest.raises(services.ServiceError) as exc:
        complete(bali, case, {"ref": "hasil:kosong"})
    assert exc.value.code != "outcome_decided"  # the engine asks for the decision
    case = complete(bali, fresh(case), {"ref": "hasil:kosong"}, outcome="Ditolak")
    assert active(case).step_key == "s2"


def test_a_file_value_leaves_the_choice_to_the_person(bali):
    case = opened(bali)
    signed = services.FileInput("ba_uat", [pdf("ba-uat.pdf")])
    case = complete(bali, case, files=[signed], outcome="Ditolak")
    assert active(case).step_key == "s2"
    assert done_outcome(case) == "Ditolak"
    # Round two: the fix, then a signed paper that says accepted.
    case = services.complete_step(
        bali["dinkes_staf"], active(case).pk, values={"perbaikan": {"isi": "Diperbaiki"}}
    )
    signed = services.FileInput("ba_uat", [pdf("ba-uat-2.pdf")])
    case = complete(bali, case, files=[signed], outcome="Diterima")
    assert case.end_key == "selesai"


def test_without_a_reader_the_person_chooses_even_against_the_record(bali):
    case = opened(bali, PLAIN)
    # No module reads uji.polos: its "ditolak" decides nothing; the person's choice stands.
    case = complete(bali, case, {"ref": "hasil:ditolak"}, outcome="Diterima")
    assert case.end_key == "selesai"
    assert done_outcome(case) == "Diterima"


def test_the_loop_back_is_read_again_on_the_next_round(bali):
    case = complete(bali, opened(bali), {"ref": "hasil:ditolak"})
    case = services.complete_step(
        bali["dinkes_staf"], active(case).pk, values={"perbaikan": {"isi": "Diperbaiki"}}
    )
    assert active(case).step_key == "s1" and active(case).visit == 2
    case = complete(bali, case, {"ref": "hasil:diterima"})
    assert case.end_key == "selesai"
    assert case.state["artifacts"]["ba_uat"]["result"] == "diterima"


# --- the step's page -------------------------------------------------------------------------


def signed_in(bali) -> Client:
    client = Client()
    client.force_login(bali["dinkes_staf"].user)
    return client


def panel_of(html: str, row: CaseStep) -> str:
    start = html.index(f'id="step-{row.pk}"')
    return html[start : html.find("</section>", start)]


def decision_of(panel: str) -> str:
    start = panel.index('<fieldset class="decision">')
    return panel[start : panel.index("</fieldset>", start)]


def test_the_inputs_say_the_outcome_is_read(bali):
    case = opened(bali)
    READY["value"] = {"ref": "hasil:ditolak", "result": "ditolak"}
    spec, row = case.version.spec, active(case)
    inputs = stepform.build_inputs(spec, spec.step("s1"), {}, case=case, row=row)
    assert inputs.decided_by == stepform.DecidedBy("ba_uat", "Berita Acara UAT", "Ditolak")
    READY["value"] = {"ref": "hasil:ditunda", "result": "ditunda"}  # chooses none
    inputs = stepform.build_inputs(spec, spec.step("s1"), {}, case=case, row=row)
    assert inputs.decided_by == stepform.DecidedBy("ba_uat", "Berita Acara UAT", "")
    plain = opened(bali, PLAIN)
    spec = plain.version.spec
    inputs = stepform.build_inputs(spec, spec.step("s1"), {}, case=plain, row=active(plain))
    assert inputs.decided_by is None


def test_the_page_shows_the_outcome_read_and_keeps_the_choice_for_a_file(bali):
    case = opened(bali)
    READY["value"] = {"ref": "hasil:ditolak", "result": "ditolak"}
    response = signed_in(bali).get(reverse("cases:detail", args=[case.reference]))
    assert response.status_code == 200
    decision = decision_of(panel_of(response.content.decode(), active(case)))
    assert "Apakah hasil UAT diterima?" in decision
    assert "Hasil keputusan dibaca dari Berita Acara UAT." in decision
    assert "Hasilnya: Ditolak." in decision
    # The plain button completes the step without an outcome (it is read)...
    before_details, details = decision.split("<details", 1)
    assert 'name="outcome"' not in before_details
    assert 'type="submit" class="button button--primary"' in before_details
    # ...and the choice is offered only for a signed paper uploaded instead.
    assert "Jika Anda mengunggah dokumen yang ditandatangani, pilih hasil keputusannya" in details
    assert 'name="outcome" value="Diterima"' in details
    assert 'name="outcome" value="Ditolak"' in details


def test_before_the_record_is_ready_the_page_says_it_will_be_known(bali):
    case = opened(bali)
    response = signed_in(bali).get(reverse("cases:detail", args=[case.reference]))
    decision = decision_of(panel_of(response.content.decode(), active(case)))
    assert "Hasil keputusan dibaca dari Berita Acara UAT." in decision
    assert "Hasilnya diketahui setelah dokumennya siap." in decision
    assert "Hasilnya:" not in decision


def test_without_a_reader_the_page_offers_the_choice(bali):
    case = opened(bali, PLAIN)
    READY["value"] = {"ref": "hasil:ditolak", "result": "ditolak"}
    response = signed_in(bali).get(reverse("cases:detail", args=[case.reference]))
    decision = decision_of(panel_of(response.content.decode(), active(case)))
    assert "dibaca dari" not in decision and "<details" not in decision
    assert 'name="outcome" value="Diterima"' in decision


def test_the_page_completes_the_step_with_the_outcome_read(bali):
    case = opened(bali)
    READY["value"] = {"ref": "hasil:ditolak", "result": "ditolak"}
    row = active(case)
    client = signed_in(bali)
    url = reverse("cases:complete", args=[case.reference, row.pk])
    # A contrary outcome pressed with the ready record: refused on the page, nothing changes.
    refused = client.post(
        url, {stepform.ref_input_name("ba_uat"): "hasil:ditolak", "outcome": "Diterima"}
    )
    assert refused.status_code == 422
    assert "Hasil keputusan langkah ini dibaca dari Berita Acara UAT: Ditolak, bukan Diterima." in (
        refused.content.decode()
    )
    assert active(fresh(case)).pk == row.pk
    done = client.post(url, {stepform.ref_input_name("ba_uat"): "hasil:ditolak"})
    assert done.status_code == 302
    assert active(fresh(case)).step_key == "s2"


def test_sop_002_row_9_reads_its_outcome_from_the_uat_minutes(bali, sop002):
    # The shipped procedure with the modules' real registrations: the UAT's minutes are
    # made by a test run and their result is read (laksana.quality.plugin).
    from .helpers import work

    case = services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA gagal simpan",
        application=bali.applications["sikesda"],
    )
    people = ["dinkes_staf", "dinkes_staf", "kadis", "kabid", "ketuatim", "dev1", "dev1", "dev1"]
    for login in people:
        case = work(bali[login], case)
    row = active(case)
    assert row.step_key == "s9"
    assert case_artifacts.outcome_of(sop002.spec.artifact("ba_uat").type) is not None
    spec = case.version.spec
    inputs = stepform.build_inputs(
        spec, spec.step("s9"), case.state["artifacts"], case=case, row=row
    )
    assert inputs.decided_by == stepform.DecidedBy("ba_uat", "Berita Acara UAT", "")
    response = signed_in(bali).get(reverse("cases:detail", args=[case.reference]))
    decision = decision_of(panel_of(response.content.decode(), row))
    assert "Apakah hasil UAT diterima?" in decision
    assert "Hasil keputusan dibaca dari Berita Acara UAT." in decision
    assert "Hasilnya diketahui setelah dokumennya siap." in decision
