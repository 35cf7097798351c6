"""The peer: SOP 004's main path run on SpiffWorkflow, persisted the way a SpiffWorkflow
application persists a process instance, to compare with the service-level figure.

The procedure becomes executable BPMN 2.0 (:func:`bpmn_for`), parsed once. Each step is then
what one request of such an application does, in one database transaction: read the
instance's serialized workflow, deserialize it, complete the step's ready user task with the
step's example values (and, for a decision, the chosen outcome, which the exclusive gateway's
conditions read), run the engine steps, serialize and write the row back. Nothing is kept in
memory between steps but the row id.

SpiffWorkflow is an optional dependency of the benchmark (``pip install 'laksana[bench]'``),
imported only inside the functions that need it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.db import connection, transaction

from laksana.benchmarks.common import Figure
from laksana.benchmarks.service import SOP_004, PlannedAction, main_path
from laksana.engine.spec import ProcedureSpec
from laksana.ops import upkeep

TABLE = "bench_spiff_instance"
PROCESS_ID = "laksana_peer"
MISSING = (
    "The peer benchmark needs SpiffWorkflow, an optional dependency: pip install 'laksana[bench]'"
)

_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_NOT_WORD = re.compile(r"\W")


class PeerError(RuntimeError):
    """The peer did not run the same path as Laksana, so its figure would not compare."""


# -- BPMN -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    """The BPMN ids of a spec's steps and ends, and the task-data variable of each decision."""

    nodes: dict[str, str]  # step or end id -> BPMN element id
    gateways: dict[str, str]  # decision step id -> gateway id
    variables: dict[str, str]  # decision step id -> task-data variable holding the outcome
    start: str


def _names(spec: ProcedureSpec) -> _Names:
    used: set[str] = set()

    def unique(raw: str, prefix: str) -> str:
        base = raw if _NCNAME.match(raw) else f"{prefix}_{_NOT_WORD.sub('_', raw)}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        return candidate

    # Step and end ids first, so that they keep their own names whenever they can.
    nodes = {s.id: unique(s.id, "step") for s in spec.steps}
    nodes |= {e.id: unique(e.id, "end") for e in spec.ends}
    start = unique("start", "start")
    gateways = {s.id: unique(f"{nodes[s.id]}_gateway", "gw") for s in spec.steps if s.decision}
    variables: dict[str, str] = {}
    for step_id in gateways:
        name, n = f"outcome_{_NOT_WORD.sub('_', step_id)}", 2
        while name in variables.values():
            name, n = f"outcome_{_NOT_WORD.sub('_', step_id)}_{n}", n + 1
        variables[step_id] = name
    return _Names(nodes, gateways, variables, start)


def outcome_variable(spec: ProcedureSpec, step_id: str) -> str:
    """The task-data variable whose value the gateway after decision ``step_id`` tests."""
    return _names(spec).variables[step_id]


def bpmn_for(spec: ProcedureSpec) -> str:
    """The procedure as executable BPMN 2.0 for SpiffWorkflow: every step a userTask (id = the
    step id, name = its activity), every decision an exclusiveGateway after its task, with one
    outgoing sequenceFlow per outcome carrying a conditionExpression on a task-data variable
    (``outcome_<step> == '<label>'``), loops as in the spec, start and end events."""
    names = _names(spec)
    flows: list[tuple[str, str, str, str | None, str | None]] = []  # id, source, target, ...

    def flow(source: str, target: str, name: str | None = None, cond: str | None = None) -> None:
        flows.append((f"flow_{len(flows) + 1}", source, target, name, cond))

    flow(names.start, names.nodes[spec.start])
    for step in spec.steps:
        task = names.nodes[step.id]
        if step.decision is not None:
            gateway = names.gateways[step.id]
            flow(task, gateway)
            variable = names.variables[step.id]
            for outcome in step.decision.outcomes:
                condition = f"{variable} == {outcome.label!r}"
                flow(gateway, names.nodes[outcome.target], outcome.label, condition)
        elif step.next is not None:
            flow(task, names.nodes[step.next])

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow_id, source, target, _, _ in flows:
        outgoing.setdefault(source, []).append(flow_id)
        incoming.setdefault(target, []).append(flow_id)

    def node(tag: str, element_id: str, name: str | None) -> list[str]:
        attrs = f"id={quoteattr(element_id)}" + (f" name={quoteattr(name)}" if name else "")
        refs = [f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(element_id, [])]
        refs += [f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(element_id, [])]
        if not refs:
            return [f"    <bpmn:{tag} {attrs}/>"]
        return [f"    <bpmn:{tag} {attrs}>", *refs, f"    </bpmn:{tag}>"]

    body = node("startEvent", names.start, spec.start_label)
    for step in spec.steps:
        body += node("userTask", names.nodes[step.id], step.activity)
        if step.decision is not None:
            body += node("exclusiveGateway", names.gateways[step.id], step.decision.question)
    for end in spec.ends:
        body += node("endEvent", names.nodes[end.id], end.label)
    for flow_id, source, target, name, cond in flows:
        attrs = f'id="{flow_id}" sourceRef="{source}" targetRef="{target}"'
        if name:
            attrs += f" name={quoteattr(name)}"
        if cond is None:
            body.append(f"    <bpmn:sequenceFlow {attrs}/>")
        else:
            body += [
                f"    <bpmn:sequenceFlow {attrs}>",
                '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(cond)}</bpmn:conditionExpression>",
                "    </bpmn:sequenceFlow>",
            ]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' id="laksana_peer_definitions" targetNamespace="https://laksana.example/bench">',
            f"  <bpmn:process id={quoteattr(PROCESS_ID)} name={quoteattr(spec.title)}"
            ' isExecutable="true">',
            *body,
            "  </bpmn:process>",
            "</bpmn:definitions>",
            "",
        ]
    )


# -- running --------------------------------------------------------------------------------


def _spiff() -> Any:
    """The SpiffWorkflow module, or a clear message when the optional dependency is missing."""
    try:
        import SpiffWorkflow
    except ImportError as exc:
        raise PeerError(MISSING) from exc
    return SpiffWorkflow


def parse_bpmn(spec: ProcedureSpec) -> Any:
    """The SpiffWorkflow process spec of :func:`bpmn_for`, validated against the BPMN XSD."""
    _spiff()
    from lxml import etree
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_xml(etree.fromstring(bpmn_for(spec).encode("utf-8")), filename=spec.id)
    return parser.get_spec(PROCESS_ID)


def _ensure_table() -> None:
    key = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key} PRIMARY KEY, data TEXT NOT NULL)"
        )


def _insert(data: str) -> int:
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"INSERT INTO {TABLE} (data) VALUES (%s) RETURNING id", [data])
            return int(cursor.fetchone()[0])
        cursor.execute(f"INSERT INTO {TABLE} (data) VALUES (%s)", [data])  # pragma: no cover
        return int(cursor.lastrowid)  # pragma: no cover


def _load(instance_id: int) -> str:
    """The stored serialization, with the row locked where the database can lock a row (as
    the case services lock the case row)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {TABLE} WHERE id = %s{lock}", [instance_id])
        row = cursor.fetchone()
    if row is None:
        raise PeerError(f"peer instance {instance_id} is missing")
    return str(row[0])


def _save(instance_id: int, data: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET data = %s WHERE id = %s", [data, instance_id])


def _serializer() -> Any:
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    return BpmnWorkflowSerializer()


def _open(process: Any, serializer: Any) -> int:
    """A new instance, run to its first user task and saved; its row id."""
    from SpiffWorkflow.bpmn import BpmnWorkflow

    workflow = BpmnWorkflow(process)
    workflow.do_engine_steps()
    with transaction.atomic():
        return _insert(serializer.serialize_json(workflow))


def _complete(
    instance_id: int, action: PlannedAction, variable: str | None, serializer: Any
) -> int:
    """One step, one transaction: load, deserialize, complete the ready user task, run the
    engine, serialize, write back. Returns the size of the serialization written."""
    from SpiffWorkflow.util.task import TaskState

    with transaction.atomic():
        workflow = serializer.deserialize_json(_load(instance_id))
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        task = next((t for t in ready if t.task_spec.name == action.step), None)
        if task is None:
            found = [t.task_spec.name for t in ready]
            raise PeerError(
                f"peer instance {instance_id}: step {action.step} is not ready (ready: {found})"
            )
        task.data.update(action.values)
        if variable is not None:
            task.data[variable] = action.outcome
        task.run()
        workflow.do_engine_steps()
        data = serializer.serialize_json(workflow)
        _save(instance_id, data)
    upkeep.nudge()  # the same database, run as Laksana's (see peer_rate)
    return len(data.encode("utf-8"))


def _completed_path(workflow: Any) -> list[str]:
    """The user tasks a finished workflow completed, in the order they were completed."""
    from SpiffWorkflow.bpmn.specs.defaults import UserTask
    from SpiffWorkflow.util.task import TaskState

    done = workflow.get_tasks(state=TaskState.COMPLETED, spec_class=UserTask)
    return [t.task_spec.name for t in sorted(done, key=lambda t: t.last_state_change)]


def _check(ids: list[int], expected: list[str], serializer: Any) -> None:
    """Every stored instance is complete and completed exactly Laksana's path, or the figure
    would not compare like with like."""
    for instance_id in ids:
        with transaction.atomic():
            workflow = serializer.deserialize_json(_load(instance_id))
        if not workflow.is_completed():
            raise PeerError(f"peer instance {instance_id} did not complete")
        path = _completed_path(workflow)
        if path != expected:
            raise PeerError(f"peer instance {instance_id} ran {path}, not {expected}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("SpiffWorkflow")
    except PackageNotFoundError:  # pragma: no cover - installed without metadata
        return ""


def sop_004() -> ProcedureSpec:
    """SOP 004 as shipped: the procedure the service-level benchmark runs."""
    import laksana
    from laksana.engine.loader import load_procedure

    return load_procedure(Path(laksana.__file__).parent / "procedures" / f"{SOP_004}.yaml")


def peer_rate(cases: int, *, log: Callable[[str], None]) -> Figure:
    """SpiffWorkflow driving the same path: the BPMN parsed ONCE; for each case an instance is
    created and saved; then for every step (same order as main_path, same outcomes, the step's
    example values put into the task data) in ONE database transaction: load the serialized
    instance from the database (SELECT), deserialize it (BpmnWorkflowSerializer), find the ready
    user task for that step, set its data, run it, do_engine_steps(), serialize, UPDATE the row,
    commit. Returns steps per second, with the step and case counts, wall and processor seconds
    and the serialization's sizes."""
    if cases < 1:
        raise ValueError("cases must be at least 1")
    spec = sop_004()
    plan = main_path(spec)
    names = _names(spec)
    variables = {a.step: names.variables.get(a.step) for a in plan}
    steps = [(a, variables[a.step]) for a in plan]
    process = parse_bpmn(spec)
    serializer = _serializer()
    _ensure_table()

    # The database is run as Laksana's web workers run it (laksana.ops.upkeep: the
    # log's checkpoints in a thread, statistics), so the ratio compares the workflow layers.
    started = upkeep.running() is None and upkeep.start()
    t0 = time.perf_counter()
    ids = [_open(process, serializer) for _ in range(cases)]
    log(f"  {cases} SpiffWorkflow instances created in {time.perf_counter() - t0:.1f} s")

    try:
        with transaction.atomic():
            first = json.loads(_load(ids[0]))
        spec_bytes = len(json.dumps(first["spec"]).encode("utf-8"))

        sizes: list[int] = []
        t0 = time.perf_counter()
        c0 = time.process_time()
        for instance_id in ids:
            for action, variable in steps:
                sizes.append(_complete(instance_id, action, variable, serializer))
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0
        done = len(sizes)

        _check(ids, [names.nodes[a.step] for a in plan], serializer)
    finally:
        # the instances are only the measurement's: nothing is left behind, pass or fail
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE id = %s", [[i] for i in ids])
        if started:
            upkeep.stop()

    return Figure(
        "peer",
        f"SpiffWorkflow {_version()}, the same path "
        "(one transaction each: load, deserialize, run, save)",
        done / elapsed,
        "steps/s",
        backend=connection.vendor,
        extra={
            "steps": done,
            "cases": cases,
            "path_steps": len(plan),
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(cpu, 3),
            "steps_per_cpu_second": round(done / cpu) if cpu else None,
            "serialized_bytes": max(sizes),
            "serialized_bytes_mean": round(sum(sizes) / len(sizes)),
            # BpmnWorkflowSerializer writes the process spec into every serialization
            "spec_bytes": spec_bytes,
        },
    )
