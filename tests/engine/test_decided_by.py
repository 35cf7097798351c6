"""A decision read from an output (``decided_by``): the loader's checks (issue 18, SOP 002 row 9).

A decision ``decided_by`` an artifact names an output or a requirement of its own step, and
every outcome says by ``when`` which results of that artifact choose it, each result once;
``when`` is only for such a decision. Each mistake is reported at its place with a message
that says what to do.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.messages import translated

TEXT = """\
format: laksana/procedure@1
id: uji
identity: {number: "002/UJI", title: Uji, agency: Dinas Uji}
actors:
  tim: {name: Tim SPBE, kind: team}
  pemohon: {name: Unit Kerja Pemohon, kind: requesting_unit}
artifacts:
  dokumen: {name: Dokumen Pengembangan, type: form, fields: [{id: isi, label: Isi, type: text}]}
  ba_uat: {name: Berita Acara UAT, type: minutes.uat}
start: s1
steps:
  - id: s1
    activity: Memperbaiki
    actor: tim
    produces: [dokumen]
    revises: [dokumen]
  - id: s2
    activity: Menguji
    actor: pemohon
    requires: [dokumen]
    produces: [ba_uat]
    revises: [ba_uat]
    decision:
      question: "Apakah hasil UAT diterima?"
      decided_by: ba_uat
      outcomes:
        - {label: Diterima, to: selesai, when: [diterima, diterima_dengan_catatan]}
        - {label: Ditolak, to: s1, when: [ditolak]}
ends:
  - {id: selesai}
"""


def errors_of(text: str) -> list[ProcedureErrors]:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(text, "uji.yaml")
    return list(exc.value.errors)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_decision_read_from_its_output_loads():
    spec = load_text(TEXT, "uji.yaml")
    decision = spec.step("s2").decision
    assert decision is not None
    assert decision.decided_by == "ba_uat"
    assert decision.question == "Apakah hasil UAT diterima?"
    assert [(o.label, o.when) for o in decision.outcomes] == [
        ("Diterima", ("diterima", "diterima_dengan_catatan")),
        ("Ditolak", ("ditolak",)),
    ]
    assert decision.outcome_for("diterima_dengan_catatan").label == "Diterima"
    assert decision.outcome_for("ditolak").target == "s1"
    assert decision.outcome_for("entah") is None


def test_a_decision_a_person_takes_has_no_decided_by_and_no_when():
    text = TEXT.replace("      decided_by: ba_uat\n", "").replace(
        ", when: [diterima, diterima_dengan_catatan]", ""
    )
    text = text.replace(", when: [ditolak]", "")
    decision = load_text(text, "uji.yaml").step("s2").decision
    assert decision is not None and decision.decided_by == ""
    assert all(o.when == () for o in decision.outcomes)
    assert decision.outcome_for("diterima") is None


def test_decided_by_must_name_an_output_or_a_requirement_of_its_own_step():
    # The decision of s2 read from the development document s1 made, which s2 does not
    # require: refused.
    bad = TEXT.replace("decided_by: ba_uat", "decided_by: dokumen").replace(
        "    requires: [dokumen]\n", ""
    )
    (error,) = errors_of(bad)
    assert error.message == (
        "step 's2': decided_by names dokumen, which this step neither produces nor requires; "
        "a decision is read from an output or a requirement of its own step"
    )
    assert error.position.line == line_of(bad, "question:")  # the decision's mapping


def test_a_decision_read_from_an_artifact_its_step_requires_loads():
    # SOP 000 row 3: the branch read from the plan the case holds.
    spec = load_text(TEXT.replace("decided_by: ba_uat", "decided_by: dokumen"), "uji.yaml")
    decision = spec.step("s2").decision
    assert decision is not None and decision.decided_by == "dokumen"


def test_decided_by_an_unknown_artifact_is_refused():
    bad = TEXT.replace("decided_by: ba_uat", "decided_by: ba_sit")
    messages = [e.message for e in errors_of(bad)]
    assert any("decided_by names ba_sit, which this step neither produces" in m for m in messages)


def test_every_outcome_needs_when_when_the_decision_is_read():
    bad = TEXT.replace(", when: [ditolak]", "")
    (error,) = errors_of(bad)
    assert error.message == (
        "step 's2': outcome 'Ditolak' needs 'when', the results of ba_uat that choose it"
    )
    assert error.position.line == line_of(bad, "question:")  # the decision's mapping


def test_every_outcome_without_when_is_named():
    bad = TEXT.replace(", when: [ditolak]", "").replace(
        ", when: [diterima, diterima_dengan_catatan]", ""
    )
    messages = [e.message for e in errors_of(bad)]
    assert [m for m in messages if "needs 'when'" in m] == [
        "step 's2': outcome 'Diterima' needs 'when', the results of ba_uat that choose it",
        "step 's2': outcome 'Ditolak' needs 'when', the results of ba_uat that choose it",
    ]


def test_a_result_in_two_outcomes_is_refused():
    bad = TEXT.replace("when: [ditolak]", "when: [ditolak, diterima_dengan_catatan]")
    (error,) = errors_of(bad)
    assert error.message == "step 's2': the result 'diterima_dengan_catatan' chooses two outcomes"


def test_a_result_twice_in_one_outcome_is_refused_too():
    bad = TEXT.replace("when: [ditolak]", "when: [ditolak, ditolak]")
    (error,) = errors_of(bad)
    assert error.message == "step 's2': the result 'ditolak' chooses two outcomes"


def test_when_without_decided_by_is_refused():
    bad = TEXT.replace("      decided_by: ba_uat\n", "")
    (error,) = errors_of(bad)
    assert error.message == (
        "step 's2': 'when' on an outcome needs 'decided_by', the artifact whose result chooses "
        "the outcome"
    )


def test_when_must_be_a_list_of_texts():
    bad = TEXT.replace("when: [ditolak]", "when: {a: b}")
    messages = [e.message for e in errors_of(bad)]
    assert any("outcome 'Ditolak' when" in m for m in messages), messages


def test_decided_by_must_be_text():
    bad = TEXT.replace("decided_by: ba_uat", "decided_by: [ba_uat]")
    messages = [e.message for e in errors_of(bad)]
    assert any("decided_by" in m for m in messages), messages


def test_an_unknown_key_of_a_decision_still_names_decided_by_as_allowed():
    bad = TEXT.replace("decided_by: ba_uat", "decided_by: ba_uat\n      decide_by: ba_uat")
    messages = [e.message for e in errors_of(bad)]
    assert any("unknown key 'decide_by'" in m and "decided_by" in m for m in messages)


def test_the_messages_read_in_indonesian():
    cases = {
        TEXT.replace("decided_by: ba_uat", "decided_by: dokumen").replace(
            "    requires: [dokumen]\n", ""
        ): "decided_by menyebut dokumen, yang tidak dihasilkan dan tidak dipersyaratkan",
        TEXT.replace(", when: [ditolak]", ""): "pilihan 'Ditolak' memerlukan 'when', hasil ba_uat",
        TEXT.replace("when: [ditolak]", "when: [ditolak, diterima]"): "hasil 'diterima' menentukan "
        "dua pilihan",
        TEXT.replace(
            "      decided_by: ba_uat\n", ""
        ): "'when' pada pilihan memerlukan 'decided_by'",
    }
    for bad, indonesian in cases.items():
        (error,) = errors_of(bad)
        with translation.override("id"):
            text = translated(error.message, gettext)
        assert indonesian in text, text
