"""The interpreter on a small procedure: moves, refusals, loops, replay and stored state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from laksana.engine import artifacts
from laksana.engine.interpreter import (
    SCHEMA_VERSION,
    CaseState,
    CompleteStep,
    Refusal,
    RefusalCode,
    Transition,
    allowed_actions,
    event_from_dict,
    execute,
    open_case,
    replay,
)
from laksana.engine.loader import load_procedure

SPEC = load_procedure(Path(__file__).parent / "data" / "mini.yaml")
SURAT = artifacts.example_value(SPEC.artifact("surat"))
CATATAN = {"uraian": "Sudah diperiksa"}
BA_UAT = {"ref": "uat-7"}


def run(state: CaseState, *actions: CompleteStep) -> tuple[CaseState, list]:
    events = []
    for action in actions:
        result = execute(SPEC, state, action)
        assert isinstance(result, Transition), result
        state = result.state
        events.extend(result.events)
    return state, events


def refusal(state: CaseState, action: CompleteStep) -> Refusal:
    result = execute(SPEC, state, action)
    assert isinstance(result, Refusal), result
    return result


def test_opening_a_case_activates_the_first_step():
    t = open_case(SPEC)
    assert t.state.active == ("s1",)
    assert [e.type for e in t.events] == ["case_opened", "step_activated"]
    assert t.state.seq == 2


def test_it_runs_the_main_path_to_the_end():
    opened = open_case(SPEC)
    state, events = run(
        opened.state,
        CompleteStep("s1", {"surat": SURAT}, by="pemohon-1"),
        CompleteStep("s2", {"catatan": CATATAN}, outcome="Ya"),
        CompleteStep("s3", {"ba_uat": BA_UAT}),
    )
    assert state.finished and state.end == "selesai" and state.active == ()
    assert [e.type for e in events][-1] == "case_ended"
    assert state.artifacts == {"surat": SURAT, "catatan": CATATAN, "ba_uat": BA_UAT}
    assert replay([*opened.events, *events]) == state


def test_a_tidak_outcome_loops_back_and_counts_the_visit():
    state, events = run(
        open_case(SPEC).state,
        CompleteStep("s1", {"surat": SURAT}),
        CompleteStep("s2", {"catatan": CATATAN}, outcome="Tidak"),
    )
    assert state.active == ("s1",)
    assert events[-1].visit == 2  # the second time step 1 is active
    # The letter is on the case now: the second pass needs nothing new.
    state, _ = run(state, CompleteStep("s1"))
    assert state.active == ("s2",)
    assert state.completions == {"s1": 2, "s2": 1}


def test_it_names_each_missing_requirement():
    r = refusal(open_case(SPEC).state, CompleteStep("s1"))
    assert (r.code, r.items, r.step) == (
        RefusalCode.MISSING_REQUIREMENTS,
        ("Surat Permohonan",),
        "s1",
    )
    assert r.message == "step 1 ('s1') needs first: Surat Permohonan"


def test_it_requires_the_outputs_and_validates_them():
    state, _ = run(open_case(SPEC).state, CompleteStep("s1", {"surat": SURAT}))
    r = refusal(state, CompleteStep("s2", outcome="Ya"))
    assert (r.code, r.items) == (RefusalCode.MISSING_OUTPUTS, ("Catatan",))
    r = refusal(state, CompleteStep("s2", {"catatan": {"uraian": " "}}, outcome="Ya"))
    assert (r.code, r.items) == (
        RefusalCode.INVALID_ARTIFACT,
        ("Catatan: field 'Uraian' must be non-empty text",),
    )


def test_it_refuses_a_file_of_a_type_not_accepted():
    bad = {"files": [{"id": "f1", "name": "foto.png", "content_type": "image/png"}]}
    r = refusal(open_case(SPEC).state, CompleteStep("s1", {"surat": bad}))
    assert r.code is RefusalCode.INVALID_ARTIFACT
    assert r.items == (
        "Surat Permohonan: file 1 (foto.png): type image/png is not accepted; accepted: pdf",
    )


def test_it_refuses_an_artifact_the_step_does_not_concern():
    r = refusal(open_case(SPEC).state, CompleteStep("s1", {"surat": SURAT, "ba_uat": BA_UAT}))
    assert (r.code, r.items) == (RefusalCode.UNEXPECTED_ARTIFACT, ("ba_uat",))


def test_a_decision_needs_one_of_its_outcomes():
    state, _ = run(open_case(SPEC).state, CompleteStep("s1", {"surat": SURAT}))
    r = refusal(state, CompleteStep("s2", {"catatan": CATATAN}))
    assert (r.code, r.items) == (RefusalCode.OUTCOME_REQUIRED, ("Ya", "Tidak"))
    r = refusal(state, CompleteStep("s2", {"catatan": CATATAN}, outcome="Mungkin"))
    assert (r.code, r.items) == (RefusalCode.OUTCOME_NOT_ALLOWED, ("Ya", "Tidak"))
    assert allowed_actions(SPEC, state) == [("s2", "Ya"), ("s2", "Tidak")]


def test_a_plain_step_takes_no_outcome():
    r = refusal(open_case(SPEC).state, CompleteStep("s1", {"surat": SURAT}, outcome="Ya"))
    assert r.code is RefusalCode.OUTCOME_NOT_EXPECTED


def test_only_an_active_step_can_be_completed():
    state = open_case(SPEC).state
    assert (
        refusal(state, CompleteStep("s3", {"ba_uat": BA_UAT})).code is RefusalCode.STEP_NOT_ACTIVE
    )
    assert refusal(state, CompleteStep("s99")).code is RefusalCode.UNKNOWN_STEP


def test_a_finished_case_accepts_no_action():
    state, _ = run(
        open_case(SPEC).state,
        CompleteStep("s1", {"surat": SURAT}),
        CompleteStep("s2", {"catatan": CATATAN}, outcome="Ya"),
        CompleteStep("s3", {"ba_uat": BA_UAT}),
    )
    for action in (CompleteStep("s1"), CompleteStep("s3", {"ba_uat": BA_UAT})):
        assert refusal(state, action).code is RefusalCode.CASE_FINISHED
    assert allowed_actions(SPEC, state) == []


def test_state_and_events_survive_json_storage():
    opened = open_case(SPEC)
    state, events = run(opened.state, CompleteStep("s1", {"surat": SURAT}))
    stored = json.loads(json.dumps(state.to_dict()))
    assert stored["schema"] == SCHEMA_VERSION
    assert CaseState.from_dict(stored) == state
    all_events = [*opened.events, *events]
    loaded = [event_from_dict(json.loads(json.dumps(e.to_dict()))) for e in all_events]
    assert loaded == all_events
    assert replay(loaded) == state


@pytest.mark.parametrize("schema", [0, 2, None, "1"])
def test_it_refuses_state_of_an_unknown_schema(schema):
    data = open_case(SPEC).state.to_dict()
    data["schema"] = schema
    with pytest.raises(ValueError, match=r"schema .* is not supported"):
        CaseState.from_dict(data)


def test_replay_refuses_events_out_of_order():
    events = list(open_case(SPEC).events)
    with pytest.raises(ValueError, match="must begin with case_opened"):
        replay(events[1:])
    with pytest.raises(ValueError, match="does not follow"):
        replay([events[0], events[1], events[1]])
