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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.cases.servicebase import _atomic, _lock
from laksana.catalog import services as catalog_services
from laksana.catalog.inputs import LONG_TEXT_LIMIT, InvalidInput, Problems, clean_text
from laksana.catalog.models import Application, Contract
from laksana.errors import NotAllowed, ServiceError
from laksana.maintenance.models import (
    Activity,
    ActivityKind,
    Criterion,
    CriterionKind,
    CriterionPeriod,
    CycleLength,
    Executor,
    Plan,
    PlanStatus,
    Schedule,
)
from laksana.org.models import Person

SOURCE_PREFIX = "maintenance.plan:"
PLAN_TYPE = "maintenance.plan"
PLAN_KIND = "rencana_pemeliharaan"
SOP_000 = "sop-000-pemeliharaan-aplikasi"

MAX_ACTIVITIES = 200
MAX_CRITERIA = 50
MAX_DATES = 366  # dates of one activity
MAX_WORKING_DAY = 20
MAX_LEAD_DAYS = 60
MAX_PLAN_DAYS = 5 * 366 + 1  # a plan (a contract's period) lasts at most five years
MAX_BUDGET = Decimal(10) ** 15 - 1  # Activity.budget: 15 digits
MAX_TITLE = 300
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
PERCENT_KINDS = (
    CriterionKind.AVAILABILITY,
    CriterionKind.CASES_ON_TIME,
    CriterionKind.ACTIVITIES_ON_TIME,
)


@dataclass
class ActivityInput:
    kind: str
    title: str
    executor: str
    schedule: str
    working_day: int = 1
    dates: list[dt.date] = field(default_factory=list)
    documentation: str = ""
    budget: Decimal | None = None


@dataclass
class CriterionInput:
    kind: str
    label: str
    target: Decimal | None = None
    period: str = "month"
    severity: str = ""


@dataclass
class PlanInput:
    application_id: int
    title: str
    objective: str
    scope: str = ""
    contract_id: int | None = None
    budget_year: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    cycle_length: str = "month"
    lead_days: int = 5


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
        return plan.contract_id is not None and plan.contract.vendor_id == person.vendor_id
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
    """The plan, locked, when ``person`` keeps its agency; another agency's is not found."""
    found = (
        Plan.objects.select_for_update()
        .filter(_scope(person), pk=plan_id if isinstance(plan_id, int) else -1)
        .first()
    )
    if found is None:
        raise _not_found(_("No such maintenance plan."), "plan")
    _keeper_or_refuse(person, found.agency_id)
    return found


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- checks -----------------------------------------------------------------------------


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 19:
        return int(value)
    return None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _text(p: Problems, name: str, value: object, limit: int, *, required: bool = False) -> str:
    text = clean_text(value if isinstance(value, str) else "", multiline=limit > MAX_TITLE)
    if value is not None and not isinstance(value, str):
        p.add(name, _("Give a text."))
    elif required and not text:
        p.add(name, _("This field is required."))
    p.at_most(name, text, limit)
    return text


def contract_end(contract: Contract) -> dt.date | None:
    """The last day of a contract's period: the later of its end and its support's end."""
    return max((d for d in (contract.ends_on, contract.support_ends_on) if d), default=None)


@dataclass
class _Checked:
    application: Application
    contract: Contract | None
    values: dict[str, Any]


def _check_plan(person: Person | None, data: PlanInput) -> _Checked:
    app_id = _int(data.application_id)
    application = (
        Application.objects.filter(_scope(person), pk=app_id).first()
        if app_id is not None and app_id > 0
        else None
    )
    if application is None:
        raise _not_found(_("No such application."), "application_id")
    _keeper_or_refuse(person, application.agency_id)
    p = Problems()
    contract: Contract | None = None
    if data.contract_id is not None:
        contract_pk = _int(data.contract_id)
        contract = (
            Contract.objects.filter(
                pk=contract_pk, application__agency_id=application.agency_id
            ).first()
            if contract_pk is not None and contract_pk > 0
            else None
        )
        if contract is None:
            raise _not_found(_("No such contract."), "contract_id")
        if contract.application_id != application.pk:
            p.add("contract_id", _("The contract is not one of the plan's application."))
            contract = None
    year: int | None = None
    if data.budget_year is not None:
        year = _int(data.budget_year)
        if year is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
            p.add(
                "budget_year",
                _("The budget year is a year from %(first)s to %(last)s.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            )
            year = None
    if data.contract_id is None and data.budget_year is None:
        p.add("budget_year", _("Give the budget year or the maintenance contract."))
    starts_on = _date(data.starts_on) if data.starts_on is not None else None
    ends_on = _date(data.ends_on) if data.ends_on is not None else None
    if data.starts_on is not None and starts_on is None:
        p.add("starts_on", _("Give a date as YYYY-MM-DD."))
    if data.ends_on is not None and ends_on is None:
        p.add("ends_on", _("Give a date as YYYY-MM-DD."))
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    if contract is not None:
        period_start, period_end = contract.starts_on, contract_end(contract)
    elif year is not None:
        period_start, period_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if data.starts_on is None:
        starts_on = period_start
    if data.ends_on is None:
        ends_on = period_end
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is None and name not in p.errors and (contract is not None or year is not None):
            p.add(name, _("Give the date: the contract does not say it."))
        elif day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            p.add(name, _("Give a date from 2000 to 2100."))
    if starts_on and ends_on and "starts_on" not in p.errors and "ends_on" not in p.errors:
        if ends_on <= starts_on:
            p.add("ends_on", _("The plan ends after it starts."))
        elif (ends_on - starts_on).days > MAX_PLAN_DAYS:
            p.add("ends_on", _("A plan lasts at most five years."))
        for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
            if contract is not None and (
                (contract.starts_on and day < contract.starts_on)
                or (period_end and day > period_end)
            ):
                p.add(name, _("The date is outside the contract's period."))
            elif contract is None and year is not None and day.year != year:
                p.add(name, _("The date is outside the budget year."))
    cycle = data.cycle_length if data.cycle_length in CycleLength.values else None
    if cycle is None:
        p.add("cycle_length", _("Choose monthly or quarterly cycles."))
    lead = _int(data.lead_days)
    if lead is None or not 0 <= lead <= MAX_LEAD_DAYS:
        p.add(
            "lead_days",
            _("Open activities 0 to %(max)s working days ahead.") % {"max": MAX_LEAD_DAYS},
        )
    values = {
        "title": _text(p, "title", data.title, MAX_TITLE, required=True),
        "objective": _text(p, "objective", data.objective, LONG_TEXT_LIMIT, required=True),
        "scope": _text(p, "scope", data.scope, LONG_TEXT_LIMIT),
        "contract": contract,
        "budget_year": year,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "cycle_length": cycle,
        "lead_days": lead,
    }
    p.raise_any()
    return _Checked(application, contract, values)


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
    checked = _check_plan(person, data)
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
    checked = _check_plan(person, data)
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


def _check_activity(p: Problems, i: int, item: object, plan: Plan) -> Activity | None:
    at = f"activities.{i}"
    if not isinstance(item, ActivityInput):
        p.add(at, _("Give an activity."))
        return None
    kind = item.kind if item.kind in ActivityKind.values else None
    if kind is None:
        p.add(f"{at}.kind", _("Choose the kind of activity."))
    executor = item.executor if item.executor in Executor.values else None
    if executor is None:
        p.add(f"{at}.executor", _("Choose the vendor or the internal team."))
    schedule = item.schedule if item.schedule in Schedule.values else None
    if schedule is None:
        p.add(f"{at}.schedule", _("Choose monthly, quarterly or on dates."))
    day = _int(item.working_day)
    if day is None or not 1 <= day <= MAX_WORKING_DAY:
        p.add(
            f"{at}.working_day",
            _("The working day is 1 to %(max)s.") % {"max": MAX_WORKING_DAY},
        )
    dates: list[dt.date] = []
    raw = item.dates
    if not isinstance(raw, list | tuple) or len(raw) > MAX_DATES:
        p.add(f"{at}.dates", _("Give at most %(max)s dates.") % {"max": MAX_DATES})
        raw = []
    for value in raw:
        day_of = _date(value)
        if day_of is None:
            p.add(f"{at}.dates", _("Give each date as YYYY-MM-DD."))
            break
        if not plan.starts_on <= day_of <= plan.ends_on:
            p.add(
                f"{at}.dates",
                _("%(date)s is outside the plan (%(start)s to %(end)s).")
                % {"date": day_of, "start": plan.starts_on, "end": plan.ends_on},
            )
            break
        dates.append(day_of)
    if schedule == Schedule.DATES and not dates and f"{at}.dates" not in p.errors:
        p.add(f"{at}.dates", _("Give the dates the activity is done on."))
    budget: Decimal | None = None
    if item.budget is not None and item.budget != "":
        budget = _decimal(item.budget)
        if budget is None or budget < 0 or budget > MAX_BUDGET or budget != budget.to_integral():
            p.add(f"{at}.budget", _("The budget is a whole number of rupiah, 0 or more."))
            budget = None
    title = _text(p, f"{at}.title", item.title, MAX_TITLE, required=True)
    documentation = _text(p, f"{at}.documentation", item.documentation, MAX_TITLE)
    if any(k.startswith(at) for k in p.errors):
        return None
    return Activity(
        plan=plan,
        kind=kind,
        title=title,
        executor=executor,
        schedule=schedule,
        working_day=day,
        dates=sorted({d.isoformat() for d in dates}) if schedule == Schedule.DATES else [],
        documentation=documentation,
        budget=budget,
        order=i,
    )


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
    rows = [_check_activity(p, i, item, plan) for i, item in enumerate(items)]
    p.raise_any()
    plan.activities.all().delete()
    Activity.objects.bulk_create([r for r in rows if r is not None])
    plan.updated_at = _now(now)
    plan.save(update_fields=["updated_at"])
    return plan


# --- criteria ---------------------------------------------------------------------------


def _check_criterion(p: Problems, i: int, item: object, plan: Plan) -> Criterion | None:
    from laksana.quality.models import Severity

    at = f"criteria.{i}"
    if not isinstance(item, CriterionInput):
        p.add(at, _("Give a criterion."))
        return None
    kind = item.kind if item.kind in CriterionKind.values else None
    if kind is None:
        p.add(f"{at}.kind", _("Choose the indicator."))
    period = item.period if item.period in CriterionPeriod.values else None
    if period is None:
        p.add(f"{at}.period", _("Choose the period the criterion is measured over."))
    label = _text(p, f"{at}.label", item.label, MAX_TITLE, required=True)
    target: Decimal | None = None
    severity = ""
    given = item.target is not None and item.target != ""
    number = _decimal(item.target) if given else None
    if given and number is None:
        p.add(f"{at}.target", _("Give the target as a number."))
    elif kind in PERCENT_KINDS:
        if number is None or not 0 <= number <= 100 or number != round(number, 3):
            p.add(f"{at}.target", _("The target is a percentage from 0 to 100."))
        else:
            target = number
    elif kind == CriterionKind.OPEN_FINDINGS:
        if number is None or number < 0 or number != number.to_integral() or number > 9999:
            p.add(f"{at}.target", _("The target is a whole number of open findings, 0 or more."))
        else:
            target = number
        severity = item.severity if item.severity in Severity.values else ""
        if not severity:
            p.add(f"{at}.severity", _("Choose the severity counted (that or worse)."))
    elif given and kind is not None:
        p.add(f"{at}.target", _("This indicator takes no target."))
    if any(k.startswith(at) for k in p.errors):
        return None
    return Criterion(
        plan=plan,
        kind=kind,
        label=label,
        target=target,
        period=period,
        severity=severity,
        order=i,
    )


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
    rows = [_check_criterion(p, i, item, plan) for i, item in enumerate(items)]
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
