"""The inputs of maintenance plans, their activities and their criteria, and their checks:
every problem named by its field (``title``, ``activities.3.dates``, ``criteria.1.target``;
rows counted from 0), nothing written here (:mod:`laksana.maintenance.plans` writes).

A plan's dates default to its budget year (1 January to 31 December) or its contract's period
(from its start to the later of its end and its support's end) and lie inside it; it lasts at
most five years. An activity is monthly or quarterly (on the Nth working day, 1 to 20, of the
month or quarter) or on dates inside the plan, with a budget of 0 or more whole rupiah. A
criterion's target is a percentage (0 to 100) for availability and the on-time shares, a
whole count of open findings of a severity or worse, and none for the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from laksana.catalog.inputs import LONG_TEXT_LIMIT, Problems, clean_text
from laksana.catalog.models import Application, Contract
from laksana.errors import ServiceError
from laksana.maintenance.models import (
    Activity,
    ActivityKind,
    Criterion,
    CriterionKind,
    CriterionPeriod,
    CycleLength,
    Executor,
    Plan,
    Schedule,
)

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
class Checked:
    application: Application
    contract: Contract | None
    values: dict[str, Any]


def check_plan(application: Application, data: PlanInput) -> Checked:
    """The plan's fields of ``data`` for ``application``, checked (another agency's contract:
    not found)."""
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
            raise ServiceError("not_found", _("No such contract."), field="contract_id")
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
    return Checked(application, contract, values)


def check_activity(p: Problems, i: int, item: object, plan: Plan) -> Activity | None:
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
    assert kind is not None and executor is not None and schedule is not None and day is not None
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


def check_criterion(p: Problems, i: int, item: object, plan: Plan) -> Criterion | None:
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
    assert kind is not None and period is not None
    return Criterion(
        plan=plan,
        kind=kind,
        label=label,
        target=target,
        period=period,
        severity=severity,
        order=i,
    )
