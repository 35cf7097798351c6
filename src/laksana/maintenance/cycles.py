"""The plan's cycles (SOP 000 rows 3 to 7): who maintains in the coming cycle, the cycle
opened, and its evaluation against the acceptance criteria.

- Row 3 reads :func:`next_executor`: the vendor when any activity due in the coming cycle is
  the vendor's; with none due, the vendor when the plan has a contract, else the internal
  team.
- A cycle is opened after row 3 (:func:`open_cycle`); opening again before it is evaluated
  gives the same cycle; the next number follows an evaluated one.
- Row 6 is :func:`evaluate_cycle`: each criterion as computed (:mod:`laksana.maintenance.
  criteria`), confirmed or overridden with a reason, the judged ones answered.
- Row 7 reads :func:`is_last`: the cycle ends on or after the plan's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import holders, journal
from laksana.cases.models import Case, CaseStep, JournalKind, StepStatus
from laksana.cases.servicebase import _atomic, _lock
from laksana.catalog.services import may_keep
from laksana.errors import NotAllowed, ServiceError
from laksana.maintenance import criteria, schedule
from laksana.maintenance.models import Cycle, Executor, Occurrence, Plan
from laksana.org.models import Person

OPERATIONS = "operasional"  # SOP 000's actor of rows 1-3 and 5-8
EVALUATION_STEP = "s6"
MAX_REASON = 2000


def current_cycle(plan: Plan) -> Cycle | None:
    """The plan's latest cycle (None before the first is opened)."""
    return Cycle.objects.filter(plan_id=plan.pk).order_by("-number").first()


def _next_number(plan: Plan) -> int:
    latest = current_cycle(plan)
    if latest is None:
        return 1
    return latest.number + 1 if latest.evaluated_at is not None else latest.number


def _period(plan: Plan, number: int) -> tuple[int, dt.date, dt.date] | None:
    for period in schedule.cycle_periods(plan):
        if period[0] == number:
            return period
    return None


def next_executor(plan: Plan) -> str:
    """Who maintains in the coming cycle (the one open and not evaluated, or the next):
    "vendor" when any activity due in its period is the vendor's; with none due, "vendor"
    when the plan has a contract, else "internal"."""
    period = _period(plan, _next_number(plan))
    if period is not None:
        _number, start, end = period
        executors = set(
            Occurrence.objects.filter(
                plan_id=plan.pk, due_on__gte=start, due_on__lte=end
            ).values_list("activity__executor", flat=True)
        )
        if Executor.VENDOR in executors:
            return str(Executor.VENDOR)
        if executors:
            return str(Executor.INTERNAL)
    return str(Executor.VENDOR if plan.contract_id is not None else Executor.INTERNAL)


def open_cycle(plan: Plan, *, now: dt.datetime | None = None) -> Cycle:
    """The cycle being worked: the latest one while it is not evaluated, else the next one
    (numbers follow the plan's periods). Refused after the plan's last period."""
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).exists()
        number = _next_number(plan)
        existing = Cycle.objects.filter(plan_id=plan.pk, number=number).first()
        if existing is not None:
            return existing
        period = _period(plan, number)
        if period is None:
            raise ServiceError(
                "plan_over", _("The plan has no period left for another cycle."), field="plan"
            )
        _number, start, end = period
        return Cycle.objects.create(
            plan=plan,
            number=number,
            starts_on=start,
            ends_on=end,
            executor=next_executor(plan),
        )


def is_last(cycle: Cycle) -> bool:
    """Whether the cycle ends the plan (its end on or after the plan's end)."""
    return cycle.ends_on >= cycle.plan.ends_on


# --- evaluation ------------------------------------------------------------------------------


def may_evaluate(person: Person | None, plan: Plan, case: Case | None = None) -> bool:
    """Holders of SOP 000's 'operasional' actor in the plan's case, or the agency's catalogue
    keepers; never a vendor's employee."""
    if person is not None and (person.vendor_id is not None or person.agency_id != plan.agency_id):
        return False
    if may_keep(person, plan.agency_id):
        return True
    return person is not None and case is not None and holders.holds(person, case, OPERATIONS)


def _answer(raw: object, field: str, *, required_text: str) -> tuple[bool, str]:
    if not isinstance(raw, (tuple, list)) or len(raw) != 2:
        raise ServiceError("invalid", _("Give yes or no and a note."), field=field)
    achieved, note = raw
    if not isinstance(achieved, bool):
        raise ServiceError("invalid", _("Say yes or no."), field=field)
    if not isinstance(note, str):
        raise ServiceError("invalid", _("Write a text."), field=field)
    note = note.strip()
    if "\x00" in note:
        raise ServiceError(
            "invalid", _("The text holds a character that is not allowed."), field=field
        )
    if not note:
        raise ServiceError("required", required_text, field=field)
    if len(note) > MAX_REASON:
        raise ServiceError(
            "too_long", _("At most %(limit)s characters.") % {"limit": MAX_REASON}, field=field
        )
    return achieved, note


def _keys(given: Mapping[Any, Any], known: set[int], name: str) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for key, value in given.items():
        pk = int(key) if isinstance(key, str) and key.strip().isdigit() else key
        if not isinstance(pk, int) or isinstance(pk, bool) or pk not in known:
            raise ServiceError(
                "not_found", _("No such criterion in this plan."), field=f"{name}.{key}"
            )
        out[pk] = value
    return out


def _evaluation_used(case: Case, cycle: Cycle) -> bool:
    """Whether row 6 was completed with the cycle's evaluation (an activation of s6
    completed at or after the cycle was evaluated)."""
    if cycle.evaluated_at is None:
        return False
    return CaseStep.objects.filter(
        case_id=case.pk,
        step_key=EVALUATION_STEP,
        status=StepStatus.COMPLETED,
        completed_at__gte=cycle.evaluated_at,
    ).exists()


def _cycle_of(person: Person | None, cycle_id: object) -> Cycle:
    pk = int(cycle_id) if isinstance(cycle_id, str) and cycle_id.strip().isdigit() else cycle_id
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
        raise ServiceError("not_found", _("No such cycle."), field="cycle")
    rows = Cycle.objects.filter(pk=pk)
    if person is not None:
        rows = rows.filter(plan__agency_id=person.agency_id)
    cycle = rows.select_related("plan", "plan__agency").first()
    if cycle is None:
        raise ServiceError("not_found", _("No such cycle."), field="cycle")
    return cycle


@_atomic
def evaluate_cycle(
    person: Person | None,
    cycle_id: object,
    *,
    judged: Mapping[int, tuple[bool, str]],
    overrides: Mapping[int, tuple[bool, str]],
    now: dt.datetime | None = None,
) -> Cycle:
    """Evaluate the cycle (row 6): each criterion as computed, with the evaluator's overrides
    (each with a reason) and answers (yes or no with a note, for judged criteria and any the
    figures leave open). Journal on the plan's case: CRITERION_OVERRIDDEN per override,
    CYCLE_EVALUATED once. Refused once row 6 was completed with the cycle's evaluation."""
    at = now or timezone.now()
    cycle = _cycle_of(person, cycle_id)
    plan = cycle.plan
    # Who may, first: a person without the right learns nothing more of the plan.
    if not may_evaluate(person, plan, None) and plan.case_id is None:
        raise NotAllowed(
            _("Only the operations section or the catalogue's keepers evaluate a cycle.")
        )
    if plan.case_id is None:
        raise ServiceError(
            "no_case", _("The plan runs in no SOP 000 case to evaluate in."), field="cycle"
        )
    case = _lock(plan.case_id)
    if not may_evaluate(person, plan, case):
        raise NotAllowed(
            _("Only the operations section or the catalogue's keepers evaluate a cycle.")
        )
    cycle = Cycle.objects.select_related("plan", "plan__agency").get(pk=cycle.pk)
    if _evaluation_used(case, cycle):
        raise ServiceError(
            "evaluation_used",
            _("Row 6 was completed with this cycle's evaluation: it no longer changes."),
            field="cycle",
        )
    items = criteria.evaluate(cycle, now=at)
    open_ids = {item["criterion"] for item in items if item["computed"] is None}
    computed_ids = {item["criterion"] for item in items} - open_ids
    answers = {
        pk: _answer(value, f"judged.{pk}", required_text=_("Write the evidence for the answer."))
        for pk, value in _keys(judged, open_ids, "judged").items()
    }
    changes = {
        pk: _answer(value, f"overrides.{pk}", required_text=_("Say why the result is overridden."))
        for pk, value in _keys(overrides, computed_ids, "overrides").items()
    }
    missing = sorted(open_ids - answers.keys())
    if missing:
        raise ServiceError(
            "required",
            _("Answer yes or no for every criterion the evaluator judges."),
            field=f"judged.{missing[0]}",
        )
    overridden: list[dict[str, Any]] = []
    for item in items:
        pk = item["criterion"]
        if pk in answers:
            item["achieved"], item["evidence"] = answers[pk]
        elif pk in changes and changes[pk][0] != item["computed"]:
            item["achieved"], item["reason"] = changes[pk]
            item["overridden"] = True
            overridden.append(item)
    actor = person
    for item in overridden:
        journal.append(
            case,
            JournalKind.CRITERION_OVERRIDDEN,
            actor,
            at,
            {
                "criterion": item["criterion"],
                "label": item["label"],
                "computed": item["computed"],
                "achieved": item["achieved"],
                "reason": item["reason"],
            },
        )
    met = sum(1 for item in items if item["achieved"])
    journal.append(
        case,
        JournalKind.CYCLE_EVALUATED,
        actor,
        at,
        {"cycle": cycle.number, "met": met, "total": len(items)},
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    cycle.evaluation = items
    cycle.evaluated_at = at
    cycle.evaluated_by = person
    cycle.save(update_fields=["evaluation", "evaluated_at", "evaluated_by"])
    return cycle
