"""The five seed SOPs: each loads clean, runs every branch to an end, and keeps the engine's
invariants under any sequence of allowed actions (property tests)."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import laksana.procedures
from laksana.engine import artifacts
from laksana.engine.interpreter import (
    SCHEMA_VERSION,
    CaseState,
    CompleteStep,
    Refusal,
    RefusalCode,
    Transition,
    allowed_actions,
    execute,
    open_case,
    replay,
)
from laksana.engine.loader import load_procedure
from laksana.engine.spec import ProcedureSpec

FILES = sorted(Path(laksana.procedures.__file__).parent.glob("*.yaml"))
SPECS = {p.stem: load_procedure(p) for p in FILES}


def test_the_five_seed_sops_are_shipped():
    assert [p.stem[:7] for p in FILES] == ["sop-000", "sop-001", "sop-002", "sop-003", "sop-004"]
    for stem, spec in SPECS.items():
        assert spec.id == stem


def supply(spec: ProcedureSpec, state: CaseState, step_id: str, tag: str) -> dict:
    """Valid values for the step's outputs and for requirements not yet on the case."""
    step = spec.step(step_id)
    wanted = [a for a in step.requires if a not in state.artifacts] + list(step.produces)
    return {a: artifacts.example_value(spec.artifact(a), tag) for a in wanted}


def path_to(spec: ProcedureSpec, source: str, goal) -> list[tuple[str, str | None]] | None:
    """Shortest list of (step, outcome) moves from step ``source`` until ``goal(node)``."""
    queue = deque([(source, [])])
    seen = {source}
    while queue:
        node, moves = queue.popleft()
        if goal(node):
            return moves
        if spec.is_end(node):
            continue
        step = spec.step(node)
        options = (
            [(o.label, o.target) for o in step.decision.outcomes]
            if step.decision
            else [(None, step.next)]
        )
        for label, target in options:
            if target not in seen:
                seen.add(target)
                queue.append((target, [*moves, (node, label)]))
    return None


def drive(spec: ProcedureSpec, moves) -> CaseState:
    opened = open_case(spec)
    state, events = opened.state, list(opened.events)
    for i, (step_id, outcome) in enumerate(moves):
        result = execute(
            spec, state, CompleteStep(step_id, supply(spec, state, step_id, str(i)), outcome)
        )
        assert isinstance(result, Transition), (step_id, outcome, result)
        state = result.state
        events.extend(result.events)
    assert replay(events) == state
    return state


def branches(spec: ProcedureSpec) -> list[tuple[str, str]]:
    return [(s.id, o.label) for s in spec.steps if s.decision for o in s.decision.outcomes]


CASES = [(stem, step, label) for stem, spec in SPECS.items() for step, label in branches(spec)]


@pytest.mark.parametrize("stem", SPECS)
def test_the_main_path_runs_to_an_end(stem):
    """The main path: the first outcome of each decision, the second once it loops."""
    spec = SPECS[stem]
    state = open_case(spec).state
    taken: dict[str, int] = {}
    for i in range(200):
        if state.finished:
            break
        (step_id,) = state.active
        step = spec.step(step_id)
        outcome = None
        if step.decision:
            n = taken.get(step_id, 0)
            outcome = step.decision.outcomes[min(n, len(step.decision.outcomes) - 1)].label
            taken[step_id] = n + 1
        result = execute(
            spec, state, CompleteStep(step_id, supply(spec, state, step_id, str(i)), outcome)
        )
        assert isinstance(result, Transition), result
        state = result.state
    assert state.finished and spec.is_end(state.end)
    assert state.completions.get(spec.start) >= 1


@pytest.mark.parametrize(("stem", "decision", "outcome"), CASES)
def test_every_decision_branch_runs_to_an_end(stem, decision, outcome):
    spec = SPECS[stem]
    before = path_to(spec, spec.start, lambda n: n == decision)
    assert before is not None
    target = spec.step(decision).decision.outcome(outcome).target
    after = path_to(spec, target, spec.is_end) if not spec.is_end(target) else []
    assert after is not None
    state = drive(spec, [*before, (decision, outcome), *after])
    assert state.finished


def test_the_seed_decisions_are_real():
    """SOP 000: vendor/internal and the cycle loop; SOP 004: several yes/no and a loop."""
    for stem, minimum in (("sop-000", 2), ("sop-004", 3)):
        spec = next(s for k, s in SPECS.items() if k.startswith(stem))
        decisions = [s for s in spec.steps if s.decision]
        assert len(decisions) >= minimum
        order = {s.id: i for i, s in enumerate(spec.steps)}
        # A loop: an edge back to an earlier step (directly from a decision, or through a
        # step that follows one, as SOP 004's "the user reports again").
        loops = [
            (s.id, t)
            for s in spec.steps
            for t in s.targets()
            if t in order and order[t] < order[s.id]
        ]
        assert loops, f"{stem} has no loop back to an earlier step"


def reachable(spec: ProcedureSpec) -> set[str]:
    seen, queue = {spec.start}, deque([spec.start])
    while queue:
        node = queue.popleft()
        if spec.is_end(node):
            continue
        for t in spec.step(node).targets():
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return seen


@pytest.mark.parametrize("stem", SPECS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_sequence_of_actions_keeps_the_invariants(stem, data):
    spec = SPECS[stem]
    live = reachable(spec)
    opened = open_case(spec)
    state, events = opened.state, list(opened.events)
    for i in range(data.draw(st.integers(1, 40), label="length")):
        moves = allowed_actions(spec, state)
        if state.finished:
            assert moves == []
            result = execute(spec, state, CompleteStep(spec.start))
            assert isinstance(result, Refusal) and result.code is RefusalCode.CASE_FINISHED
            break
        step_id, outcome = data.draw(st.sampled_from(moves), label="move")
        values = supply(spec, state, step_id, str(i))
        if values and data.draw(st.booleans(), label="drop one"):
            dropped = data.draw(st.sampled_from(sorted(values)), label="dropped")
            del values[dropped]
            result = execute(spec, state, CompleteStep(step_id, values, outcome))
            assert isinstance(result, Refusal)
            assert result.code in (RefusalCode.MISSING_REQUIREMENTS, RefusalCode.MISSING_OUTPUTS)
            assert spec.artifact(dropped).name in result.items
            continue
        result = execute(spec, state, CompleteStep(step_id, values, outcome))
        assert isinstance(result, Transition), result
        state = result.state
        events.extend(result.events)
        # Only reachable steps are active; a running case has exactly one active step.
        assert set(state.active) <= live
        assert len(state.active) == (0 if state.finished else 1)
        assert state.finished == (state.end is not None)
        # Replaying the events reproduces the state; stored state loads back equal.
        assert state.seq == len(events)
        assert replay(events) == state
        stored = json.loads(json.dumps(state.to_dict()))
        assert stored["schema"] == SCHEMA_VERSION
        assert CaseState.from_dict(stored) == state
