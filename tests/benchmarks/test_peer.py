"""The peer runs SOP 004 on SpiffWorkflow along Laksana's own main path.

No timing is asserted here: the figures belong to ``laksana bench``.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laksana.benchmarks import peer
from laksana.benchmarks.service import main_path
from laksana.engine import artifacts
from laksana.engine.interpreter import CompleteStep, Transition, execute, open_case
from laksana.engine.spec import ProcedureSpec

BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@pytest.fixture(scope="module")
def spec() -> ProcedureSpec:
    return peer.sop_004()


def test_peer_completes_every_instance_along_the_main_path(transactional_db, sqlite_upkeep, spec):
    lines: list[str] = []
    figure = peer.peer_rate(cases=2, log=lines.append)

    path = main_path(spec)
    assert figure.part == "peer"
    assert figure.unit == "steps/s"
    assert figure.backend == connection.vendor
    assert figure.value > 0
    assert figure.extra["cases"] == 2
    assert figure.extra["steps"] == 2 * len(path) == 2 * figure.extra["path_steps"]
    assert figure.extra["cpu_seconds"] > 0
    assert figure.extra["serialized_bytes"] >= figure.extra["serialized_bytes_mean"] > 0
    assert any("SpiffWorkflow instances created" in line for line in lines)
    assert _stored() == 0  # the run removes its rows again


def _stored() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {peer.TABLE}")
        return int(cursor.fetchone()[0])


def test_every_step_reads_and_writes_the_stored_instance(transactional_db, sqlite_upkeep, spec):
    steps = len(main_path(spec))
    with CaptureQueriesContext(connection) as queries:
        peer.peer_rate(cases=1, log=lambda _: None)
    sql = [q["sql"] for q in queries.captured_queries if peer.TABLE in q["sql"]]
    selects = [s for s in sql if s.lstrip().upper().startswith("SELECT")]
    updates = [s for s in sql if s.lstrip().upper().startswith("UPDATE")]
    # one load per step, plus one that measures the stored spec and one that checks the
    # finished instance
    assert len(selects) == steps + 2
    assert len(updates) == steps


def test_a_different_path_is_refused(transactional_db, sqlite_upkeep, spec, monkeypatch):
    """Laksana's path and the peer's must be the same: an outcome that leads elsewhere fails."""
    plan = main_path(spec)
    wrong = [replace(a, outcome="Tidak") if a.step == "s7" else a for a in plan]
    monkeypatch.setattr(peer, "main_path", lambda _spec: wrong)
    with pytest.raises(peer.PeerError, match="step s7a is not ready"):
        peer.peer_rate(cases=1, log=lambda _: None)
    assert _stored() == 0


def test_missing_spiffworkflow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "SpiffWorkflow", None)
    with pytest.raises(peer.PeerError, match=r"pip install 'laksana\[bench\]'"):
        peer.parse_bpmn(peer.sop_004())


def test_bpmn_validates_against_the_xsd_and_parses(spec):
    etree = pytest.importorskip("lxml.etree")
    import SpiffWorkflow
    from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway, UserTask

    schema_dir = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema"
    schema = etree.XMLSchema(etree.parse(str(schema_dir / "BPMN20.xsd")))
    document = etree.fromstring(peer.bpmn_for(spec).encode("utf-8"))
    assert schema.validate(document), schema.error_log

    process = document.find(f"{BPMN_NS}process")
    tasks = process.findall(f"{BPMN_NS}userTask")
    assert [(t.get("id"), t.get("name")) for t in tasks] == [(s.id, s.activity) for s in spec.steps]
    assert len(process.findall(f"{BPMN_NS}exclusiveGateway")) == sum(
        1 for s in spec.steps if s.decision
    )
    assert len(process.findall(f"{BPMN_NS}startEvent")) == 1
    assert [e.get("id") for e in process.findall(f"{BPMN_NS}endEvent")] == [e.id for e in spec.ends]
    conditions = [c.text for c in process.iter(f"{BPMN_NS}conditionExpression")]
    assert "outcome_s7 == 'Ya'" in conditions
    assert len(conditions) == sum(len(s.decision.outcomes) for s in spec.steps if s.decision)

    parsed = peer.parse_bpmn(spec)
    user_tasks = {n for n, t in parsed.task_specs.items() if isinstance(t, UserTask)}
    assert user_tasks == {s.id for s in spec.steps}
    gateways = [t for t in parsed.task_specs.values() if isinstance(t, ExclusiveGateway)]
    assert len(gateways) == sum(1 for s in spec.steps if s.decision)


def test_the_bpmn_follows_the_loops_of_the_spec(spec):
    """In memory, outcomes that take both loops (11 Tidak -> 11b -> 12 -> 11a; 14 Tidak -> 14b
    -> back to 9) give the same steps in SpiffWorkflow as in Laksana's engine."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    choices = {"s7": ["Ya"], "s9": ["Tidak", "Ya"], "s11": ["Tidak"], "s14": ["Tidak", "Ya"]}

    expected: list[str] = []
    state = open_case(spec).state
    left = {k: list(v) for k, v in choices.items()}
    while not state.finished:
        (step_id,) = state.active
        step = spec.step(step_id)
        outcome = left[step_id].pop(0) if step_id in left else None
        wanted = [a for a in step.requires if a not in state.artifacts] + list(step.produces)
        values = {a: artifacts.example_value(spec.artifact(a)) for a in wanted}
        result = execute(spec, state, CompleteStep(step_id, values, outcome))
        assert isinstance(result, Transition), result
        state = result.state
        expected.append(step_id)
    assert "s12" in expected and expected.count("s9") == 2

    workflow = BpmnWorkflow(peer.parse_bpmn(spec))
    workflow.do_engine_steps()
    left = {k: list(v) for k, v in choices.items()}
    ran: list[str] = []
    while not workflow.is_completed():
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        name = task.task_spec.name
        if name in left:
            task.data[peer.outcome_variable(spec, name)] = left[name].pop(0)
        task.run()
        workflow.do_engine_steps()
        ran.append(name)
    assert ran == expected
