"""Source rows and their numbering: one row of the source carried out as two steps, two rows
as one step; loaded, printed (HTML and SVG) and run to an end, messages naming the steps by
their number with their id."""

from __future__ import annotations

import re

import pytest

from laksana.engine import artifacts
from laksana.engine.interpreter import (
    CompleteStep,
    Refusal,
    RefusalCode,
    Transition,
    execute,
    open_case,
)
from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.render import render_bpmn, render_html, render_svg

from .docrows import table_rows

SOURCE = """\
format: laksana/procedure@1
id: baris-sumber
identity: {number: "1/2026", title: "Pemeriksaan Permohonan", agency: "Dinas Uji"}
actors:
  pemohon: {name: "Pemohon", kind: requesting_unit}
  petugas: {name: "Petugas", kind: position}
  kepala: {name: "Kepala Seksi", kind: position}
artifacts:
  surat: {name: "Surat permohonan", type: form, fields: [{id: isi, label: Isi, type: text}]}
  catatan_internal: {name: "Catatan internal petugas", type: form,
    fields: [{id: isi, label: Isi, type: text}]}
  hasil: {name: "Hasil pemeriksaan bersama", type: form,
    fields: [{id: isi, label: Isi, type: text}]}
start: s1
steps:
  - id: s1
    no: "1"
    activity: "Pemohon menyampaikan surat permohonan"
    actor: pemohon
    produces: [surat]
    output_text: "Surat permohonan beserta lampiran"
  - id: s2
    no: "2"
    activity: "Petugas memeriksa kelengkapan"
    actor: petugas
    requires: [surat]
    decision:
      question: "Apakah lengkap?"
      outcomes:
        - {label: "Ya", to: s4a}
        - {label: "Tidak", to: s3}
  - id: s3
    no: "3"
    activity: "Pemohon melengkapi permohonan"
    actor: pemohon
    next: s2
  - id: s4a
    no: "4"
    activity: "Petugas dan Kepala Seksi memeriksa isi permohonan (bagian petugas)"
    actor: petugas
    produces: [catatan_internal]
    output_text: ""
  - id: s4b
    no: "4"
    activity: "Petugas dan Kepala Seksi memeriksa isi permohonan (bagian kepala)"
    actor: kepala
    requires: [catatan_internal]
    requirements_text: ""
    produces: [hasil]
    output_text: "Hasil pemeriksaan"
  - id: s5
    no: "5"
    activity: "Kepala Seksi menandatangani surat balasan"
    actor: kepala
    requires: [hasil]
    requirements_text: "Hasil pemeriksaan"
    time: "1 jam"
    also_rows:
      - no: "6"
        activity: "Kepala Seksi mengirim surat balasan kepada pemohon"
        requirements_text: "Surat balasan yang ditandatangani"
        time: "1 hari"
        output_text: "Tanda terima"
        note: "Melalui kantor virtual"
"""

SPEC = load_text(SOURCE, "baris.yaml")


def value(artifact: str) -> dict[str, object]:
    return artifacts.example_value(SPEC.artifact(artifact))  # type: ignore[return-value]


def test_steps_sharing_a_row_keep_its_number_and_a_step_may_carry_further_rows():
    assert [s.number for s in SPEC.steps] == ["1", "2", "3", "4", "4", "5"]
    assert [r.number for r in SPEC.step("s5").also_rows] == ["6"]
    row = SPEC.step("s5").also_rows[0]
    assert (row.requirements_text, row.time, row.output_text, row.note) == (
        "Surat balasan yang ditandatangani",
        "1 hari",
        "Tanda terima",
        "Melalui kantor virtual",
    )


def test_the_document_prints_each_source_row_once_with_the_sources_wording():
    rows = table_rows(render_html(SPEC))
    # No, Kegiatan, Kelengkapan, Waktu, Output, Keterangan of every printed row
    printed = [(kind, node, cells[0], cells[2], cells[3], cells[4]) for kind, node, cells in rows]
    assert printed == [
        ("row-step", "s1", "1", "", "", "Surat permohonan beserta lampiran"),
        ("row-step", "s2", "2", "Surat permohonan", "", ""),
        ("row-step", "s3", "3", "", "", ""),
        ("row-step", "s4a", "4", "", "", ""),  # row 4 printed once: its No on the first step
        ("row-step", "s4b", "", "", "", "Hasil pemeriksaan"),
        ("row-step", "s5", "5", "Hasil pemeriksaan", "1 jam", ""),
        ("row-also", "s5", "6", "Surat balasan yang ditandatangani", "1 hari", "Tanda terima"),
    ]
    assert rows[-1][2][1] == "Kepala Seksi mengirim surat balasan kepada pemohon"
    assert rows[-1][2][5] == "Melalui kantor virtual"
    html = render_html(SPEC)
    # The artifact added only to run row 4 is not printed as if the source listed it.
    assert "Catatan internal petugas" not in html
    assert "Hasil pemeriksaan bersama" not in html
    # The rule between the No cells of row 4's two steps is left out.
    assert re.search(r'data-node="s4a"><td class="c open"', html)


def test_the_svg_prints_the_row_numbers_once_and_the_joined_rows_texts():
    svg = render_svg(SPEC)
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    numbers = [t for t in texts if re.fullmatch(r"\d", t)]
    assert numbers == ["1", "2", "3", "4", "5", "6"]
    for text in ("Tanda terima", "1 hari", "Hasil pemeriksaan"):
        assert text in texts
    words = " ".join(texts).replace("- ", "").replace("-", "")
    assert "Melalui kantor virtual" in words
    assert "Kepala Seksi mengirim surat" in words
    assert "Catatan internal" not in words


def test_bpmn_documents_the_sources_wording_only():
    bpmn = render_bpmn(SPEC)
    assert "Catatan internal petugas" not in bpmn
    assert "Output: Hasil pemeriksaan" in bpmn


def test_a_case_runs_to_the_end_and_refusals_name_the_step_by_number_and_id():
    state = open_case(SPEC).state

    def do(action: CompleteStep) -> None:
        nonlocal state
        result = execute(SPEC, state, action)
        assert isinstance(result, Transition), result
        state = result.state

    do(CompleteStep("s1", {"surat": value("surat")}))
    do(CompleteStep("s2", outcome="Ya"))
    early = execute(SPEC, state, CompleteStep("s4b", {"hasil": value("hasil")}))
    assert isinstance(early, Refusal)
    assert early.code is RefusalCode.STEP_NOT_ACTIVE
    assert early.message == "step 4 ('s4b') is not active now"
    missing = execute(SPEC, state, CompleteStep("s4a"))
    assert isinstance(missing, Refusal)
    assert missing.message == "step 4 ('s4a') must produce: Catatan internal petugas"
    do(CompleteStep("s4a", {"catatan_internal": value("catatan_internal")}))
    do(CompleteStep("s4b", {"hasil": value("hasil")}))
    do(CompleteStep("s5"))
    assert state.finished and state.end == "selesai"


def errors(text: str) -> list[str]:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(text, "p.yaml")
    return [str(e) for e in exc.value.errors]


def test_steps_sharing_a_number_apart_from_each_other_are_told():
    text = SOURCE.replace('  - id: s5\n    no: "5"', '  - id: s5\n    no: "2"')
    assert errors(text) == [
        "p.yaml:51:9: step 2 ('s5') has the number of step 2 ('s2') but does not follow it: "
        "steps that carry out one row of the source are written one after the other; give "
        "this step its own row's number"
    ]


def test_a_further_row_numbered_as_another_row_is_told():
    text = SOURCE.replace('      - no: "6"', '      - no: "3"')
    assert errors(text) == [
        "p.yaml:51:9: step 5 ('s5') also carries out row 3, a number another step or row "
        "already has; each row of the source is printed once"
    ]


def test_also_rows_of_the_wrong_shape_are_told():
    text = SOURCE.split("    also_rows:")[0] + "    also_rows: [6]\n"
    assert errors(text) == [
        "p.yaml:58:17: step 5 ('s5') also_rows must be a mapping of keys to values"
    ]


def test_an_unreachable_step_is_named_by_its_number_and_id():
    text = SOURCE.replace('        - {label: "Ya", to: s4a}', '        - {label: "Ya", to: s5}')
    assert errors(text) == [
        "p.yaml:37:9: step 4 ('s4a') cannot be reached from the start",
        "p.yaml:43:9: step 4 ('s4b') cannot be reached from the start",
    ]


def test_screens_tell_the_steps_of_one_row_apart():
    from laksana.engine.sourcerows import step_label

    assert [step_label(SPEC, s) for s in SPEC.steps] == [
        "1",
        "2",
        "3",
        "4 (s4a)",
        "4 (s4b)",
        "5",
    ]
