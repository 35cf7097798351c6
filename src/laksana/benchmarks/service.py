"""Service level: SOP 004's main path completed through the case services, with persistence.

Each action is what one web request does: find the person and the case's active step afresh,
then call :func:`laksana.cases.services.complete_step`, which is one transaction (lock the
case, check the person, ask the engine, write the state, the step rows, the journal entries
and the notifications). Nothing is kept between actions but the ids a client would hold.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from laksana.benchmarks.common import Figure
from laksana.engine import artifacts
from laksana.engine.interpreter import CompleteStep, Transition, execute, open_case
from laksana.engine.spec import ProcedureSpec

SOP_004 = "sop-004-pemulihan-gagal-fungsi-ipas"


@dataclass(frozen=True)
class PlannedAction:
    """One step of the main path: who completes it, with which values and outcome."""

    step: str
    actor: str
    values: dict[str, Any]
    outcome: str | None


def main_path(spec: ProcedureSpec) -> list[PlannedAction]:
    """The main path of a procedure: the first outcome of every decision (SOP 004: the fault
    is in the application, its cause is found, the recovery test passes), with example values
    for what each step needs and makes. Computed once with the engine in memory."""
    state = open_case(spec).state
    plan: list[PlannedAction] = []
    while not state.finished:
        (step_id,) = state.active
        step = spec.step(step_id)
        outcome = step.decision.outcomes[0].label if step.decision else None
        wanted = [a for a in step.requires if a not in state.artifacts] + list(step.produces)
        values = {a: artifacts.example_value(spec.artifact(a)) for a in wanted}
        plan.append(PlannedAction(step_id, step.actor, values, outcome))
        result = execute(spec, state, CompleteStep(step_id, values, outcome))
        assert isinstance(result, Transition), result
        state = result.state
    return plan


def engine_rate(spec: ProcedureSpec, seconds: float) -> Figure:
    """Actions per second of the engine alone, in memory, driving the main path."""
    plan = main_path(spec)
    actions = [CompleteStep(p.step, p.values, p.outcome) for p in plan]
    count = 0
    elapsed = 0.0
    while elapsed < seconds:
        t0 = time.perf_counter()
        for _ in range(20):
            state = open_case(spec).state
            for action in actions:
                result = execute(spec, state, action)
                state = result.state  # type: ignore[union-attr]
        elapsed += time.perf_counter() - t0
        count += 20 * len(actions)
    return Figure(
        "engine",
        "SOP 004 main path, engine actions in memory",
        count / elapsed,
        "actions/s",
        extra={"actions": count, "path_steps": len(actions)},
    )


def prepare(cases: int) -> tuple[list[int], dict[str, int], list[PlannedAction]]:
    """DJKI's organisation, the shipped procedures and ``cases`` open SOP 004 cases.

    Returns the case ids, the person id acting for each actor, and the main path."""
    from laksana.cases import services
    from laksana.cases.holders import holders
    from laksana.demo.orgs import build_djki
    from laksana.org.models import Agency, Person
    from laksana.procedures.services import adopt, latest_version

    if not Agency.objects.filter(slug="djki").exists():
        build_djki()  # adopts SOP 004
    djki = Agency.objects.get(slug="djki")
    version = latest_version(djki, SOP_004) or adopt(SOP_004, djki)
    plan = main_path(version.spec)
    requester = Person.objects.filter(agency__slug="djki", unit__isnull=False).first()
    # The requesting unit's person: SOP 004 starts with the Direktorat Teknis/Pengguna.
    ids: list[int] = []
    first = services.open_case(_starter(version), version, "Gangguan IPAS (bench)")
    ids.append(first.pk)
    actor_person = {
        key: holders(first, key).order_by("pk").values_list("pk", flat=True).first()
        for key in {p.actor for p in plan}
    }
    missing = [k for k, v in actor_person.items() if v is None]
    assert not missing, f"actors without a person: {missing}"
    assert requester is not None
    starter = Person.objects.get(pk=int(actor_person[plan[0].actor] or 0))
    for i in range(cases - 1):
        ids.append(services.open_case(starter, version, f"Gangguan IPAS {i} (bench)").pk)
    return ids, {k: int(v) for k, v in actor_person.items() if v is not None}, plan


def _starter(version: Any) -> Any:
    from laksana.org.models import ActorBinding, Person

    spec = version.spec
    first_actor = spec.step(spec.start).actor
    binding = ActorBinding.objects.filter(
        agency__slug="djki", procedure_key=version.procedure_key, actor_key=first_actor
    ).first()
    if binding is not None and binding.unit_id:
        return Person.objects.filter(unit_id=binding.unit_id).order_by("pk").first()
    return Person.objects.filter(agency__slug="djki").order_by("pk").first()


def attach_evidence(case_ids: list[int], plan: list[PlannedAction]) -> dict[int, list[Any]]:
    """Once, in setup: every file and signed document the path supplies, as an attachment
    uploaded to each case beforehand (rows sharing one stored PDF), so that each completion
    names real attachments of its case by id. Returns, per case, the values of each action."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from laksana.cases.models import Attachment, Case

    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    name = default_storage.save("bench/evidence.pdf", ContentFile(content))
    sha = hashlib.sha256(content).hexdigest()
    owners = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "opened_by_id"))
    wanted = [
        (i, key)
        for i, action in enumerate(plan)
        for key, v in action.values.items()
        if "files" in v
    ]
    now = timezone.now()
    rows = Attachment.objects.bulk_create(
        Attachment(
            case_id=case_id,
            artifact_key="",
            file=name,
            original_name=f"{key}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=sha,
            uploaded_by_id=owners[case_id],
            uploaded_at=now,
        )
        for case_id in case_ids
        for _i, key in wanted
    )
    if any(r.pk is None for r in rows):  # a backend that does not return the ids
        found = Attachment.objects.filter(case_id__in=case_ids, file=name).order_by("pk")
        rows = list(found)
    out: dict[int, list[Any]] = {}
    it = iter(rows)
    for case_id in case_ids:
        values = [dict(action.values) for action in plan]
        for i, key in wanted:
            values[i][key] = {"files": [{"id": next(it).pk}]}
        out[case_id] = values
    return out


def complete_one(
    case_id: int, person_id: int, action: PlannedAction, values: dict[str, Any] | None = None
) -> None:
    """What a request completing a step does: load the person and the case's active step
    afresh (nothing is kept between actions but ids), then complete the step (with
    ``values``, the action's values naming this case's attachments, when given)."""
    from laksana.cases import services, store
    from laksana.org.models import Person

    person = store.load(Person, "id = %s", [person_id])
    assert person is not None
    ((step_id,),) = store.fetch(
        "SELECT id FROM cases_casestep WHERE case_id = %s AND status = 'active'", [case_id]
    )
    given = action.values if values is None else values
    services.complete_step(person, step_id, values=given, outcome=action.outcome)


def _worker(
    case_ids: list[int],
    actor_person: dict[str, int],
    plan: list[PlannedAction],
    evidence: dict[int, list[Any]],
    start: Any,
    results: Any,
) -> None:
    """One worker process: its own database connection, its share of the cases."""
    from django.db import connections

    from laksana.ops import upkeep

    connections.close_all()  # never use a connection opened before the fork
    upkeep.start()  # as the web entry points do (laksana.config.wsgi)
    start.wait()
    c0 = time.process_time()
    done = 0
    for case_id in case_ids:
        for action, values in zip(plan, evidence[case_id], strict=True):
            complete_one(case_id, actor_person[action.actor], action, values)
            done += 1
    results.put((done, time.process_time() - c0))
    upkeep.stop()
    connections.close_all()


def service_rate(cases: int, *, log: Callable[[str], None], workers: int = 1) -> Figure:
    """Step completions per second through the services, one transaction each, by
    ``workers`` processes at once (each with its own connection, as web workers have)."""
    import multiprocessing

    from django.db import connections

    t0 = time.perf_counter()
    ids, actor_person, plan = prepare(cases)
    evidence = attach_evidence(ids, plan)
    log(f"  {cases} SOP 004 cases opened in {time.perf_counter() - t0:.1f} s")
    vendor = connection.vendor
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(workers + 1)
    results = context.Queue()
    shares = [ids[i::workers] for i in range(workers)]
    processes = [
        context.Process(target=_worker, args=(share, actor_person, plan, evidence, start, results))
        for share in shares
    ]
    for process in processes:
        process.start()
    start.wait()
    t0 = time.perf_counter()
    outcomes = [results.get() for _ in processes]
    elapsed = time.perf_counter() - t0
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a service worker failed (exit code {process.exitcode})")
    done = sum(n for n, _cpu in outcomes)
    cpu = sum(c for _n, c in outcomes)
    expected = len(ids) * len(plan)
    if done != expected:
        raise RuntimeError(f"{done} of {expected} steps completed")
    return Figure(
        "service",
        f"step completions with persistence, {workers} process{'es' if workers > 1 else ''} "
        "(one transaction each, journal included)",
        done / elapsed,
        "steps/s",
        backend=vendor,
        target=2400 if vendor == "sqlite" else 1500,
        extra={
            "steps": done,
            "cases": cases,
            "workers": workers,
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(cpu, 3),
            "steps_per_cpu_second": round(done / cpu) if cpu else None,
        },
    )
