"""The maintenance module on the registry of artifact types (:mod:`laksana.cases.artifacts`):
SOP 000's plan, criteria, documentation, evaluation and report, read from the plan of the
case (:attr:`Plan.case <laksana.maintenance.models.Plan.case>`: one case per plan).

* ``maintenance.plan`` (row 1; required by row 3): the final approval document of the plan
  (kind ``rencana_pemeliharaan``; the documents module resolves it). Row 3's branch is read
  from it: the executor of the coming cycle (:func:`laksana.maintenance.cycles.next_executor`,
  "vendor" or "internal"). Completing row 3 opens that cycle.
* ``maintenance.acceptance_criteria`` (row 2): ``{"ref": "maintenance.plan:<id>"}``, the plan
  of this case in force with at least one criterion; completing the step fixes the criteria.
* ``maintenance.documentation`` (rows 4 and 5): ``{"ref": "maintenance.cycle:<id>"}``, the
  case's current cycle, every activity of it recorded as done or not done.
* ``maintenance.evaluation`` (row 6; required by row 7): ``{"ref": "maintenance.cycle:<id>"}``,
  the current cycle evaluated. Row 7's branch is read from it: "siklus_berakhir" when the
  cycle ends the plan, else "siklus_berlanjut".
* ``maintenance.report`` (row 8): the final management report (kind
  ``laporan_manajemen_pemeliharaan``), drafted by :func:`make_report` from the plan's records.

A value uploaded as files is still accepted for every type (a plan written elsewhere): then
no branch is read, the person chooses. Each step's page is told where the record stands, with
a link to the module's screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import artifacts
from laksana.cases.artifacts import Context, Produced, Unresolved
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.cases.servicebase import _atomic, _lock
from laksana.documents import plugin as documents_plugin
from laksana.documents import services as documents_services
from laksana.documents.models import Document, DocumentStatus
from laksana.engine.spec import ArtifactSpec
from laksana.errors import ServiceError
from laksana.maintenance import plans
from laksana.maintenance.models import (
    Cycle,
    Occurrence,
    OccurrenceStatus,
    Plan,
    PlanStatus,
)
from laksana.org.models import Person

PLAN = "maintenance.plan"
CRITERIA = "maintenance.acceptance_criteria"
DOCUMENTATION = "maintenance.documentation"
EVALUATION = "maintenance.evaluation"
REPORT = "maintenance.report"
PLAN_PREFIX = plans.SOURCE_PREFIX  # "maintenance.plan:"
CYCLE_PREFIX = "maintenance.cycle:"
REPORT_KIND = "laporan_manajemen_pemeliharaan"
ENDED, GOES_ON = "siklus_berakhir", "siklus_berlanjut"
_url = documents_plugin._url


def _pk(ref: object, prefix: str) -> int | None:
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    text = text.removeprefix(prefix)
    if not text.isdigit() or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk <= artifacts.MAX_ID else None


def plan_of(case: Case) -> Plan | None:
    """The plan the case runs (None: the plan was not written in Laksana)."""
    return (
        Plan.objects.filter(case_id=case.pk)
        .select_related("document", "application", "contract")
        .order_by("pk")
        .first()
    )


def _produces(case: Case, row: CaseStep, spec: ArtifactSpec) -> bool:
    return spec.id in case.version.spec.step(row.step_key).produces


def _no_plan(case: Case) -> Produced:
    return Produced(
        None,
        _("No maintenance plan of this case in Laksana"),
        _url("maintenance:plan_new", query={"aplikasi": case.application_id, "kasus": case.pk})
        if case.application_id is not None
        else _url("maintenance:plans"),
        _("Write the maintenance plan"),
    )


# --- the plan (rows 1 and 3) ------------------------------------------------------------------


def plan_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """Where the case's plan stands: a draft, awaiting approval (who signs), in force."""
    plan = plan_of(case)
    if plan is None:
        return (
            _no_plan(case)
            if _produces(case, row, spec)
            else documents_plugin.produced(case, row, spec)
        )
    url = _url("maintenance:plan", args=[plan.pk])
    document = plan.document
    if plan.status == PlanStatus.DRAFT:
        return Produced(
            None,
            _("The plan %(title)s is a draft: submit it for approval") % {"title": plan.title},
            url,
            _("Open the plan"),
        )
    if document is not None and document.status == DocumentStatus.FINAL:
        return Produced(
            documents_plugin.value_of(document),
            _("The plan %(title)s is in force: %(number)s")
            % {"title": plan.title, "number": document.number},
            url,
            _("Open the plan"),
        )
    waiting = ", ".join(documents_plugin.waiting_names(document)) if document else ""
    return Produced(
        None,
        _("The plan %(title)s awaits approval: waiting for %(names)s")
        % {"title": plan.title, "names": waiting or "-"},
        url,
        _("Open the plan"),
    )


def plan_executor(case: Case, value: Any) -> str | None:
    """Row 3: who maintains in the coming cycle ("vendor" or "internal") by the plan in force
    whose approval document the value names; None for a value that names none (files)."""
    from laksana.maintenance import cycles

    ref = value.get("ref") if isinstance(value, dict) else None
    pk = documents_plugin._id(ref) if ref is not None else None
    if pk is None:
        return None
    plan = Plan.objects.filter(case_id=case.pk, document_id=pk, status=PlanStatus.IN_FORCE).first()
    return cycles.next_executor(plan) if plan is not None else None


# --- the criteria (row 2) ---------------------------------------------------------------------


def _case_plan(ctx: Context, ref: object) -> Plan:
    pk = _pk(ref, PLAN_PREFIX)
    if pk is None:
        raise Unresolved(
            _('"%(ref)s" names no maintenance plan; give {"ref": "maintenance.plan:<id>"}')
            % {"ref": str(ref)[:40]}
        )
    plan = Plan.objects.filter(pk=pk, case_id=ctx.case.pk).first()
    if plan is None:
        raise Unresolved(_("this case has no maintenance plan %(id)s") % {"id": pk})
    return plan


def resolve_criteria(ctx: Context, ref: object) -> dict[str, Any]:
    """The plan of this case, in force, with at least one criterion."""
    plan = _case_plan(ctx, ref)
    if plan.status != PlanStatus.IN_FORCE:
        raise Unresolved(
            _("maintenance plan %(id)s is not in force: %(status)s")
            % {"id": plan.pk, "status": plan.get_status_display()}
        )
    count = plan.criteria.count()
    if not count:
        raise Unresolved(_("maintenance plan %(id)s has no acceptance criteria") % {"id": plan.pk})
    return {"ref": f"{PLAN_PREFIX}{plan.pk}", "title": plan.title, "criteria": count}


def criteria_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    plan = plan_of(case)
    if plan is None:
        return _no_plan(case)
    url = _url("maintenance:criteria", args=[plan.pk])
    count = plan.criteria.count()
    if plan.status != PlanStatus.IN_FORCE:
        return Produced(
            None,
            _("The plan is not in force yet (%(status)s); %(count)s criteria")
            % {"status": plan.get_status_display(), "count": count},
            url,
            _("Open the criteria"),
        )
    if not count:
        return Produced(None, _("No acceptance criteria yet"), url, _("Set the criteria"))
    if plan.criteria_fixed_at is not None:
        status = _("%(count)s criteria, fixed") % {"count": count}
    else:
        status = _("%(count)s criteria; completing this step fixes them") % {"count": count}
    return Produced({"ref": f"{PLAN_PREFIX}{plan.pk}"}, status, url, _("Open the criteria"))


def fix_criteria(
    case: Case,
    step_key: str,
    key: str,
    value: Any,
    *,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Row 2 completed with the plan: its criteria change no more."""
    ref = value.get("ref") if isinstance(value, dict) else None
    pk = _pk(ref, PLAN_PREFIX) if ref is not None else None
    if pk is not None:
        Plan.objects.filter(pk=pk, case_id=case.pk, criteria_fixed_at__isnull=True).update(
            criteria_fixed_at=at or timezone.now()
        )


# --- the cycle: documentation (rows 4, 5) and evaluation (rows 6, 7) --------------------------


def _current(ctx: Context, ref: object) -> Cycle:
    """The case's current cycle the reference names."""
    from laksana.maintenance import cycles

    pk = _pk(ref, CYCLE_PREFIX)
    if pk is None:
        raise Unresolved(
            _('"%(ref)s" names no maintenance cycle; give {"ref": "maintenance.cycle:<id>"}')
            % {"ref": str(ref)[:40]}
        )
    cycle = Cycle.objects.filter(pk=pk, plan__case_id=ctx.case.pk).select_related("plan").first()
    if cycle is None:
        raise Unresolved(_("this case has no maintenance cycle %(id)s") % {"id": pk})
    current = cycles.current_cycle(cycle.plan)
    if current is None or current.pk != cycle.pk:
        raise Unresolved(
            _("cycle %(number)s is not the plan's current cycle") % {"number": cycle.number}
        )
    return cycle


def _counts(cycle: Cycle) -> dict[str, int]:
    found = dict.fromkeys(OccurrenceStatus.values, 0)
    for status in Occurrence.objects.filter(
        plan_id=cycle.plan_id, cycle_number=cycle.number
    ).values_list("status", flat=True):
        found[status] += 1
    return found


def resolve_documentation(ctx: Context, ref: object) -> dict[str, Any]:
    """The current cycle, every activity of it recorded (done or not done)."""
    cycle = _current(ctx, ref)
    counts = _counts(cycle)
    pending = counts[OccurrenceStatus.PLANNED] + counts[OccurrenceStatus.OPEN]
    if pending:
        raise Unresolved(
            _("%(count)s activities of cycle %(number)s are not recorded yet")
            % {"count": pending, "number": cycle.number}
        )
    return {
        "ref": f"{CYCLE_PREFIX}{cycle.pk}",
        "cycle": cycle.number,
        "done": counts[OccurrenceStatus.DONE],
        "not_done": counts[OccurrenceStatus.SKIPPED],
    }


def _cycle_of_case(case: Case) -> tuple[Plan | None, Cycle | None]:
    from laksana.maintenance import cycles

    plan = plan_of(case)
    return plan, cycles.current_cycle(plan) if plan is not None else None


def documentation_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    plan, cycle = _cycle_of_case(case)
    if plan is None:
        return _no_plan(case)
    if cycle is None:
        return Produced(
            None,
            _("No cycle opened yet"),
            _url("maintenance:plan", args=[plan.pk]),
            _("Open the plan"),
        )
    url = _url("maintenance:plan", args=[plan.pk])
    counts = _counts(cycle)
    total = sum(counts.values())
    recorded = counts[OccurrenceStatus.DONE] + counts[OccurrenceStatus.SKIPPED]
    status = _(
        "Cycle %(number)s (%(start)s to %(end)s): %(recorded)s of %(total)s activities recorded"
    ) % {
        "number": cycle.number,
        "start": cycle.starts_on.isoformat(),
        "end": cycle.ends_on.isoformat(),
        "recorded": recorded,
        "total": total,
    }
    ready = recorded == total
    return Produced(
        {"ref": f"{CYCLE_PREFIX}{cycle.pk}"} if ready else None,
        status,
        url,
        _("Open the activities"),
    )


def resolve_evaluation(ctx: Context, ref: object) -> dict[str, Any]:
    """The current cycle, evaluated."""
    from laksana.maintenance import cycles

    cycle = _current(ctx, ref)
    if cycle.evaluated_at is None:
        raise Unresolved(_("cycle %(number)s is not evaluated yet") % {"number": cycle.number})
    items = cycle.evaluation if isinstance(cycle.evaluation, list) else []
    met = sum(1 for i in items if isinstance(i, dict) and i.get("achieved") is True)
    return {
        "ref": f"{CYCLE_PREFIX}{cycle.pk}",
        "cycle": cycle.number,
        "met": met,
        "total": len(items),
        "last": cycles.is_last(cycle),
    }


def evaluation_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    plan, cycle = _cycle_of_case(case)
    if plan is None:
        return _no_plan(case)
    if cycle is None:
        return Produced(
            None,
            _("No cycle opened yet"),
            _url("maintenance:plan", args=[plan.pk]),
            _("Open the plan"),
        )
    url = _url("maintenance:cycle", args=[cycle.pk])
    if cycle.evaluated_at is None:
        return Produced(
            None,
            _("Cycle %(number)s is not evaluated yet") % {"number": cycle.number},
            url,
            _("Evaluate the cycle"),
        )
    items = cycle.evaluation if isinstance(cycle.evaluation, list) else []
    met = sum(1 for i in items if isinstance(i, dict) and i.get("achieved") is True)
    return Produced(
        {"ref": f"{CYCLE_PREFIX}{cycle.pk}"},
        _("Cycle %(number)s evaluated: %(met)s of %(total)s criteria met")
        % {"number": cycle.number, "met": met, "total": len(items)},
        url,
        _("Open the evaluation"),
    )


def cycle_over(case: Case, value: Any) -> str | None:
    """Row 7: "siklus_berakhir" when the evaluated cycle the value names ends the plan, else
    "siklus_berlanjut"; None for a value that names none (files)."""
    from laksana.maintenance import cycles

    ref = value.get("ref") if isinstance(value, dict) else None
    pk = _pk(ref, CYCLE_PREFIX) if ref is not None else None
    if pk is None:
        return None
    cycle = (
        Cycle.objects.filter(pk=pk, plan__case_id=case.pk, evaluated_at__isnull=False)
        .select_related("plan")
        .first()
    )
    if cycle is None:
        return None
    return ENDED if cycles.is_last(cycle) else GOES_ON


# --- the report (row 8) -----------------------------------------------------------------------


def report_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """Where the management report of the step stands (made from the plan's records)."""
    if Document.objects.filter(case_id=case.pk, artifact_key=spec.id).exists():
        return documents_plugin.produced(case, row, spec)
    plan = plan_of(case)
    if plan is None:
        return documents_plugin.produced(case, row, spec)
    return Produced(
        None,
        _("No management report yet"),
        _url("maintenance:report", args=[plan.pk]),
        _("Make the management report"),
    )


def _report_step(case: Case) -> tuple[CaseStep, str]:
    spec = case.version.spec
    for step in spec.steps:
        for key in step.produces:
            if spec.artifact(key).type == REPORT:
                row = CaseStep.objects.filter(
                    case_id=case.pk, step_key=step.id, status=StepStatus.ACTIVE
                ).first()
                if row is not None:
                    return row, key
    raise ServiceError(
        "not_active",
        _("The case's step that makes the management report is not active now."),
        field="plan",
    )


@_atomic
def make_report(
    person: Person,
    plan_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """The plan's management report drafted (or made again while nobody has signed it) on the
    active step of its case that makes it, from the plan's records over ``start``..``end``
    (the whole plan by default); its author sends it round (the documents module)."""
    from laksana.documents import made
    from laksana.maintenance import report

    at = now or timezone.now()
    plan = plans._plan_locked(person, plan_id)
    if plan.case_id is None or plan.status not in (PlanStatus.IN_FORCE, PlanStatus.CLOSED):
        raise ServiceError(
            "not_in_force", _("Only a plan in force has a management report."), field="plan"
        )
    case = _lock(plan.case_id)
    row, key = _report_step(case)
    fields = report.document_fields(plan, start, end, now=at)
    return made.draft_or_refill(
        person, case, row, key, fields, source=f"{PLAN_PREFIX}{plan.pk}", at=at
    )


# --- the cycle opened after row 3 -------------------------------------------------------------


def _runs_a_plan(case: Case) -> bool:
    return any(a.type == PLAN for a in case.version.spec.artifacts)


def open_after_branch(
    case: Case,
    step_key: str,
    outcome: str,
    artifacts: Mapping[str, Any],
    *,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> None:
    """After the decision read from the plan (row 3): the coming cycle is opened."""
    from laksana.maintenance import cycles

    decision = case.version.spec.step(step_key).decision
    if decision is None or not decision.decided_by:
        return
    if case.version.spec.artifact(decision.decided_by).type != PLAN:
        return
    plan = Plan.objects.filter(case_id=case.pk, status=PlanStatus.IN_FORCE).first()
    if plan is not None:
        cycles.open_cycle(plan, now=at)


def _enqueue_sweep() -> object:
    from laksana.maintenance.tasks import sweep_maintenance

    return sweep_maintenance.enqueue()


def register() -> None:
    """Called from MaintenanceConfig.ready() (after DocumentsConfig's: these producers replace
    the documents module's for the plan and the report)."""
    from laksana.ops import ticker

    artifacts.register(PLAN, producer=plan_produced, outcome=plan_executor)
    artifacts.declare(
        CRITERIA, resolver=resolve_criteria, producer=criteria_produced, on_complete=fix_criteria
    )
    artifacts.register(
        DOCUMENTATION, resolver=resolve_documentation, producer=documentation_produced
    )
    artifacts.register(
        EVALUATION, resolver=resolve_evaluation, producer=evaluation_produced, outcome=cycle_over
    )
    artifacts.register(REPORT, producer=report_produced)
    artifacts.follow_completions("maintenance.cycles", open_after_branch, applies=_runs_a_plan)
    if plans.plan_signed not in documents_services.ON_FINAL:
        documents_services.ON_FINAL.append(plans.plan_signed)
    ticker.register_periodic("maintenance", _enqueue_sweep)
    # The application's plans, cycle and activities on its record in the catalogue.
    from laksana.catalog.panels import register_panel
    from laksana.maintenance import app_panel

    register_panel("maintenance", app_panel.application_panel)
