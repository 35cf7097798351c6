"""An artifact on the case is replaced only by a step that revises it (issue 16 item 3)."""

from __future__ import annotations

import pytest

from laksana.engine.interpreter import (
    CaseState,
    CompleteStep,
    Event,
    Refusal,
    RefusalCode,
    Transition,
    execute,
    open_case,
    replay,
)
from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.spec import ProcedureSpec

TEXT = """
format: laksana/procedure@1
id: revisi
identity: {number: "002/TEST", title: Revisi, agency: Dinas Uji}
actors:
  tim: {name: Tim SPBE, kind: team}
  kadis: {name: Kepala Dinas, kind: position}
artifacts:
  dokumen: {name: Dokumen Pengembangan, type: form, fields: [{id: isi, label: Isi, type: text}]}
  laporan: {name: Laporan, type: form, fields: [{id: isi, label: Isi, type: text}]}
  catatan: {name: Catatan, type: form, fields: [{id: isi, label: Isi, type: text}]}
start: s1
steps:
  - id: s1
    activity: Membangun
    actor: tim
    produces: [dokumen]
  - id: s2
    activity: Menyetujui
    actor: kadis
    requires: [dokumen]
    produces: [laporan]
  - id: s3
    activity: Memperbaiki
    actor: tim
    produces: [dokumen]
    revises: [dokumen]
  - id: s4
    activity: Selesai?
    actor: kadis
    produces: [catatan]
    decision:
      outcomes:
        - {label: Ya, to: selesai}
        - {label: Tidak, to: s3}
ends:
  - {id: selesai}
"""

SPEC = load_text(TEXT, "revisi.yaml")


def value(text: str) -> dict[str, str]:
    return {"isi": text}


def run(spec: ProcedureSpec, *actions: CompleteStep) -> tuple[CaseState, list[Event]]:
    opened = open_case(spec)
    state, events = opened.state, list(opened.events)
    for action in actions:
        result = execute(spec, state, action)
        assert isinstance(result, Transition), result
        state, events = result.state, events + list(result.events)
    return state, events


def test_a_later_step_cannot_replace_a_requirement_on_the_case():
    state, _ = run(SPEC, CompleteStep("s1", {"dokumen": value("asli")}))
    result = execute(
        SPEC,
        state,
        CompleteStep("s2", {"dokumen": value("ditimpa"), "laporan": value("ok")}),
    )
    assert isinstance(result, Refusal)
    assert result.code is RefusalCode.ARTIFACT_ON_CASE
    assert result.items == ("Dokumen Pengembangan",)


def test_a_step_that_does_not_revise_cannot_make_an_earlier_output_again():
    # Without "revises", the team's repair step may not replace the document of step 1.
    spec = load_text(TEXT.replace("    revises: [dokumen]\n", ""), "tanpa.yaml")
    state, _ = run(
        spec,
        CompleteStep("s1", {"dokumen": value("asli")}),
        CompleteStep("s2", {"laporan": value("ok")}),
    )
    result = execute(spec, state, CompleteStep("s3", {"dokumen": value("baru")}))
    assert isinstance(result, Refusal) and result.code is RefusalCode.ARTIFACT_ON_CASE
    assert state.artifacts["dokumen"] == value("asli")


def test_a_revising_step_replaces_it_and_the_journal_keeps_the_earlier_value():
    state, events = run(
        SPEC,
        CompleteStep("s1", {"dokumen": value("asli")}),
        CompleteStep("s2", {"laporan": value("ok")}),
        CompleteStep("s3", {"dokumen": value("revisi")}),
    )
    assert SPEC.step("s3").revises == ("dokumen",)
    assert state.artifacts["dokumen"] == value("revisi")
    supplied = [
        e.artifacts["dokumen"] for e in events if getattr(e, "artifacts", {}).get("dokumen")
    ]
    assert supplied == [value("asli"), value("revisi")]
    assert replay(events) == state


def test_a_step_done_again_in_a_loop_makes_its_own_output_again():
    state, _ = run(
        SPEC,
        CompleteStep("s1", {"dokumen": value("asli")}),
        CompleteStep("s2", {"laporan": value("ok")}),
        CompleteStep("s3", {"dokumen": value("revisi 1")}),
        CompleteStep("s4", {"catatan": value("belum")}, outcome="Tidak"),
        CompleteStep("s3", {"dokumen": value("revisi 2")}),
        CompleteStep("s4", {"catatan": value("sudah")}, outcome="Ya"),
    )
    assert state.finished
    assert state.artifacts["catatan"] == value("sudah")


def test_the_loader_refuses_revising_what_the_step_does_not_produce():
    bad = TEXT.replace("    revises: [dokumen]", "    revises: [laporan]")
    with pytest.raises(ProcedureErrors) as exc:
        load_text(bad, "bad.yaml")
    (error,) = exc.value.errors
    assert "revises 'laporan', which it does not produce" in error.message
    assert error.position.line == bad.splitlines().index("    revises: [laporan]") + 1
