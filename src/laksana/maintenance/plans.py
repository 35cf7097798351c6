"""Maintenance plans (SOP 000 row 1) and their acceptance criteria (row 2): who keeps and who
reads them, and the services that write them.

A plan is of one application of the agency, for a budget year (1 January to 31 December by
default) or for one of the application's contracts (its period by default); its dates lie in
that year or that contract's period. It is written while a draft (its fields and activities),
submitted — its approval document (kind ``rencana_pemeliharaan``, made by this module from
the plan) drafted on row 1 of the plan's SOP 000 case and sent round for signature — and in
force once that document is final (:func:`plan_signed`, the documents module's ``ON_FINAL``):
then its activities' dates are generated. Its criteria may change until row 2 fixes them
(``criteria_fixed_at``).

Only the keepers of the plan's agency's catalogue write plans (never a vendor's staff nor a
requesting unit); another agency's application, contract, case or plan is answered as one
that does not exist. Every write is one transaction; bad input changes nothing and names
each problem by its field (``activities.3.dates``, ``criteria.1.target``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.cases.servicebase import _atomic, _lock
from laksana.catalog import services as catalog_services
from laksana.catalog.inputs import InvalidInput, Problems
from laksana.catalog.models import Application
from laksana.errors import NotAllowed, ServiceError
from laksana.maintenance.models import Activity, Criterion, Plan, PlanStatus
from laksana.maintenance.plan_inputs import (
    MAX_ACTIVITIES,
    MAX_CRITERIA,
    ActivityInput,
    CriterionInput,
    PlanInput,
    check_activity,
    check_criterion,
    check_plan,
    contract_end,
)
from laksana.maintenance.plan_inputs import _int as _int
from laksana.org.models import Person

__all__ = [
    "ActivityInput",
    "CriterionInput",
    "PlanInput",
    "change_plan",
    "contract_end",
    "create_plan",
    "may_keep",
    "may_read",
    "plan_signed",
    "set_activities",
    "set_criteria",
    "submit_plan",
    "visible_plans",
    "withdraw_plan",
]

SOURCE_PREFIX = "maintenance.plan:"
PLAN_TYPE = "maintenance.plan"
PLAN_KIND = "rencana_pemeliharaan"
SOP_000 = "sop-000-pemeliharaan-aplikasi"

# --- who --------------------------------------------------------------------------------


def may_keep(person: Person | None, agency_id: int) -> bool:
    """Whether ``person`` writes the agency's maintenance plans: the keepers of its catalogue
    (:func:`laksana.catalog.services.may_keep`), never a vendor's staff."""
    if person is not None and person.vendor_id is not None:
        return False
    return catalog_services.may_keep(person, agency_id)


def may_read(person: Person | None, plan: Plan) -> bool:
    """The operator, the agency's members (not vendors' staff), and the staff of the vendor
    of the plan's contract."""
    if person is None or catalog_services.is_superuser(person):
        return True
    if person.vendor_id is not None:
        contract = plan.contract if plan.contract_id is not None else None
        return contract is not None and contract.vendor_id == person.vendor_id
    return bool(person.agency_id == plan.agency_id)


def visible_plans(person: Person | None) -> QuerySet[Plan]:
    """The plans ``person`` may read (:func:`may_read`)."""
    plans = Plan.objects.all()
    if person is None or catalog_services.is_superuser(person):
        return plans
    if person.vendor_id is not None:
        return plans.filter(agency_id=person.agency_id, contract__vendor_id=person.vendor_id)
    return plans.filter(agency_id=person.agency_id)


def _not_found(what: str, field_name: str) -> ServiceError:
    return ServiceError("not_found", what, field=field_name)


def _scope(person: Person | None) -> Q:
    """The agencies whose records ``person`` may name (the operator and superusers: all)."""
    if person is None or catalog_services.is_superuser(person):
        return Q()
    return Q(agency_id=person.agency_id)


def _keeper_or_refuse(person: Person | None, agency_id: int) -> None:
    if not may_keep(person, agency_id):
        raise NotAllowed(_("Only the IT unit's staff write maintenance plans."))


def _plan_locked(person: Person | None, plan_id: int) -> Plan:
    """The plan, locked, when ``person`` keeps its agency; another agency's is not found. Its
    case is locked first, as completing a step and signing a document lock it before the
    plan (one order, no deadlock)."""
    pk = plan_id if isinstance(plan_id, int) and not isinstance(plan_id, bool) else -1
    case_id = Plan.objects.filter(_scope(person), pk=pk).values_list("case_id", flat=True).first()
    if case_id is not None:
        _lock(case_id)
    found = Plan.objects.select_for_update().filter(_scope(person), pk=pk).first()
    if found is None:
        raise _not_found(_("No such maintenance plan."), "plan")
    _keeper_or_refuse(person, found.agency_id)
    return found


def _application_of(person: Person | None, application_id: object) -> Application:
    """The application, when ``person`` keeps its agency; another agency's is not found."""
    pk = _int(application_id)
    application = (
        Application.objects.filter(_scope(person), pk=pk).first()
        if pk is not None and pk > 0
        else None
    )
    if application is None:
        raise _not_found(_("No such application."), "application_id")
    _keeper_or_refuse(person, application.agency_id)
    return application


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _case_or_refuse(person: Person | None, application: Application, case_id: int) -> Case:
    """A SOP 000 case of the application, not finished and not another plan's."""
    pk = _int(case_id)
    case = (
        Case.objects.filter(pk=pk, agency_id=application.agency_id).first()
        if pk is not None and pk > 0
        else None
    )
    if case is None or (person is not None and not may_keep(person, case.agency_id)):
        raise _not_found(_("No such case."), "case_id")
    p = Problems()
    if _plan_step(case) is None:
        p.add("case_id", _("The case's procedure makes no maintenance plan."))
    elif case.application_id != application.pk:
        p.add("case_id", _("The case is not about the plan's application."))
    elif case.status == CaseStatus.FINISHED:
        p.add("case_id", _("The case is already finished."))
    elif Plan.objects.filter(case_id=case.pk).exists():
        p.add("case_id", _("The case already has a maintenance plan."))
    p.raise_any()
    return case


def _plan_step(case: Case) -> tuple[str, str] | None:
    """The step of the case's procedure that produces the plan, and the artifact's key."""
    spec = case.version.spec
    for step in spec.steps:
        for key in step.produces:
            if spec.artifact(key).type == PLAN_TYPE:
                return step.id, key
    return None


@_atomic
def create_plan(
    person: Person | None,
    data: PlanInput,
    *,
    case_id: int | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """A new draft plan of an application (``case_id``: the SOP 000 case it runs in)."""
    at = _now(now)
    checked = check_plan(_application_of(person, data.application_id), data)
    case = _case_or_refuse(person, checked.application, case_id) if case_id is not None else None
    return Plan.objects.create(
        agency_id=checked.application.agency_id,
        application=checked.application,
        case=case,
        status=PlanStatus.DRAFT,
        created_by=person,
        created_at=at,
        updated_at=at,
        **checked.values,
    )


def _draft_or_refuse(plan: Plan, what: str) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError(
            "not_draft",
            _("%(what)s change only while the plan is a draft (withdraw it first).")
            % {"what": what},
            field="plan",
        )


@_atomic
def change_plan(
    person: Person | None, plan_id: int, data: PlanInput, *, now: dt.datetime | None = None
) -> Plan:
    """The draft plan's fields changed (its application stays)."""
    plan = _plan_locked(person, plan_id)
    _draft_or_refuse(plan, _("The plan's fields"))
    if _int(data.application_id) != plan.application_id:
        raise InvalidInput({"application_id": [_("A plan's application does not change.")]})
    checked = check_plan(plan.application, data)
    for name, value in checked.values.items():
        setattr(plan, name, value)
    problems = _activities_outside(plan)
    if problems:
        raise InvalidInput(problems)
    plan.updated_at = _now(now)
    plan.save()
    return plan


def _activities_outside(plan: Plan) -> dict[str, list[str]]:
    """The plan's activities whose dates the plan's new period leaves out."""
    out: dict[str, list[str]] = {}
    for i, dates in enumerate(
        plan.activities.order_by("order", "pk").values_list("dates", flat=True)
    ):
        if any(not plan.starts_on <= dt.date.fromisoformat(d) <= plan.ends_on for d in dates):
            out[f"activities.{i}.dates"] = [_("A date of the activity is outside the plan.")]
    return out


# --- activities -------------------------------------------------------------------------


@_atomic
def set_activities(
    person: Person | None,
    plan_id: int,
    items: Sequence[ActivityInput],
    *,
    now: dt.datetime | None = None,
) -> Plan:
    """The draft plan's activities replaced by ``items`` (at most 200)."""
    plan = _plan_locked(person, plan_id)
    _draft_or_refuse(plan, _("The plan's activities"))
    if not isinstance(items, Sequence) or len(items) > MAX_ACTIVITIES:
        raise InvalidInput(
            {"activities": [_("At most %(max)s activities.") % {"max": MAX_ACTIVITIES}]}
        )
    p = Problems()
    rows = [check_activity(p, i, item, plan) for i, item in enumerate(items)]
    p.raise_any()
    plan.activities.all().delete()
    Activity.objects.bulk_create([r for r in rows if r is not None])
    plan.updated_at = _now(now)
    plan.save(update_fields=["updated_at"])
    return plan


# --- criteria ---------------------------------------------------------------------------


@_atomic
def set_criteria(
    person: Person | None,
    plan_id: int,
    items: Sequence[CriterionInput],
    *,
    now: dt.datetime | None = None,
) -> Plan:
    """The plan's acceptance criteria replaced by ``items`` (at most 50), until row 2 of its
    case fixes them."""
    plan = _plan_locked(person, plan_id)
    if plan.criteria_fixed_at is not None or plan.status == PlanStatus.CLOSED:
        raise ServiceError(
            "criteria_fixed",
            _("The acceptance criteria were fixed on %(date)s and no longer change.")
            % {"date": timezone.localdate(plan.criteria_fixed_at or _now(now)).isoformat()},
            field="criteria",
        )
    if not isinstance(items, Sequence) or len(items) > MAX_CRITERIA:
        raise InvalidInput({"criteria": [_("At most %(max)s criteria.") % {"max": MAX_CRITERIA}]})
    p = Problems()
    rows = [check_criterion(p, i, item, plan) for i, item in enumerate(items)]
    p.raise_any()
    plan.criteria.all().delete()
    Criterion.objects.bulk_create([r for r in rows if r is not None])
    plan.updated_at = _now(now)
    plan.save(update_fields=["updated_at"])
    return plan


# --- approval ---------------------------------------------------------------------------


def _open_case(person: Person, plan: Plan, at: dt.datetime) -> Case:
    """The plan's SOP 000 case, opened now if it has none."""
    from laksana.cases import services as case_services
    from laksana.procedures.services import latest_version

    version = latest_version(plan.agency_id, SOP_000)
    if version is None:
        raise ServiceError(
            "no_procedure",
            _("The agency has not adopted SOP 000 (application maintenance)."),
            field="plan",
        )
    case = case_services.open_case(
        person, version, plan.title[:200], application=plan.application, now=at
    )
    plan.case = case
    plan.save(update_fields=["case"])
    return case


def _row_of(case: Case) -> tuple[CaseStep, str]:
    found = _plan_step(case)
    row = (
        CaseStep.objects.filter(case=case, step_key=found[0], status=StepStatus.ACTIVE).first()
        if found is not None
        else None
    )
    if row is None or found is None:
        raise ServiceError(
            "not_active",
            _("The case's step that makes the maintenance plan is not active now."),
            field="plan",
        )
    return row, found[1]


@_atomic
def submit_plan(person: Person, plan_id: int, *, now: dt.datetime | None = None) -> Any:
    """The draft plan's approval document drafted on the step of its case that makes the
    plan (opened now if the plan has none) and sent round for signature."""
    from laksana.documents import made
    from laksana.documents import services as documents
    from laksana.maintenance.plandoc import fields_of

    at = _now(now)
    plan = _plan_locked(person, plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError("not_draft", _("Only a draft plan can be submitted."), field="plan")
    if not plan.activities.exists():
        raise InvalidInput({"activities": [_("Give the plan at least one activity.")]})
    case = plan.case if plan.case_id is not None else _open_case(person, plan, at)
    assert case is not None
    row, key = _row_of(case)
    fields = fields_of(plan)
    document = plan.document
    if document is not None and document.status in ("draft", "returned"):
        made.refill(document, fields, date=timezone.localdate(at))
    else:
        try:
            document = documents.make_draft(
                person,
                case.pk,
                step=row.pk,
                artifact_key=key,
                fields=fields,
                source=f"{SOURCE_PREFIX}{plan.pk}",
                at=at,
            )
        except ServiceError as exc:
            if exc.code != "no_signatory":
                raise
            document = documents.make_draft(
                person,
                case.pk,
                step=row.pk,
                artifact_key=key,
                fields=fields,
                source=f"{SOURCE_PREFIX}{plan.pk}",
                at=at,
                signatories=[{"person": person.pk, "role": "sign", "label": "", "order": 1}],
            )
    document = documents.submit(document.author, document, at=at)
    plan.document = document
    plan.status = PlanStatus.SUBMITTED
    plan.updated_at = at
    plan.save(update_fields=["document", "status", "updated_at"])
    return document


@_atomic
def withdraw_plan(person: Person | None, plan_id: int, *, now: dt.datetime | None = None) -> Plan:
    """A submitted plan back to a draft while nobody has initialled or signed its document."""
    from laksana.documents import made

    plan = _plan_locked(person, plan_id)
    if plan.status != PlanStatus.SUBMITTED:
        raise ServiceError(
            "not_submitted", _("Only a submitted plan can be withdrawn."), field="plan"
        )
    if plan.document is not None:
        _lock(plan.document.case_id)
        made.withdraw(plan.document)
    plan.status = PlanStatus.DRAFT
    plan.updated_at = _now(now)
    plan.save(update_fields=["status", "updated_at"])
    return plan


def plan_signed(document: Any, case: Case, at: dt.datetime) -> None:
    """The documents module's ``ON_FINAL``: a plan whose approval document became final is in
    force, and its activities' dates are generated."""
    source = str(getattr(document, "source", "") or "")
    if not source.startswith(SOURCE_PREFIX):
        return
    pk = _int(source.removeprefix(SOURCE_PREFIX))
    if pk is None:
        return
    plan = (
        Plan.objects.select_for_update()
        .filter(pk=pk, case_id=case.pk, document_id=document.pk, status=PlanStatus.SUBMITTED)
        .first()
    )
    if plan is None:
        return
    plan.status = PlanStatus.IN_FORCE
    plan.approved_at = at
    plan.updated_at = at
    plan.save(update_fields=["status", "approved_at", "updated_at"])
    from laksana.maintenance import schedule

    schedule.generate(plan)
