"""The maintenance API's inputs and answers (:mod:`laksana.maintenance.api`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from laksana.api.types import Id

PlanStatusValue = Literal["draft", "submitted", "in_force", "closed"]
CycleLengthValue = Literal["month", "quarter"]
ExecutorValue = Literal["vendor", "internal"]
ActivityKindValue = Literal[
    "preventive",
    "corrective",
    "adaptive",
    "perfective",
    "security_update",
    "backup_restore_test",
]
ScheduleValue = Literal["monthly", "quarterly", "dates"]
OccurrenceStatusValue = Literal["planned", "open", "done", "skipped"]
CriterionKindValue = Literal[
    "availability", "cases_on_time", "activities_on_time", "open_findings", "restore_test", "judged"
]
CriterionPeriodValue = Literal["month", "quarter", "cycle", "plan"]
MAX_PAGE = 100
LONG_TEXT = 10_000
MAX_ITEMS = 200
# The dates a report may be asked for (the plans' budget years run from 2000 to 2100).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


# Plans ---------------------------------------------------------------------------------------


class PlanIn(Schema):
    """A new maintenance plan (a draft) of an application of the caller's agency: for a
    budget year (1 January to 31 December unless the dates are given) or for one of the
    application's maintenance contracts (its period unless the dates are given)."""

    application_id: Id
    title: str = Field(min_length=1, max_length=300)
    objective: str = Field(min_length=1, max_length=LONG_TEXT)
    scope: str = Field("", max_length=LONG_TEXT)
    contract_id: Id | None = None
    budget_year: int | None = Field(None, ge=2000, le=2100)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    cycle_length: CycleLengthValue = "month"
    lead_days: int = Field(5, ge=0, le=60, description="working days an activity opens ahead")


class PlanChangeIn(Schema):
    """The fields of a draft plan to change; the others stay as they are (``null`` clears
    the contract, the budget year or a date)."""

    application_id: Id | None = None
    title: str | None = Field(None, min_length=1, max_length=300)
    objective: str | None = Field(None, min_length=1, max_length=LONG_TEXT)
    scope: str | None = Field(None, max_length=LONG_TEXT)
    contract_id: Id | None = None
    budget_year: int | None = Field(None, ge=2000, le=2100)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    cycle_length: CycleLengthValue | None = None
    lead_days: int | None = Field(None, ge=0, le=60)


class ActivityIn(Schema):
    kind: ActivityKindValue
    title: str = Field(min_length=1, max_length=300)
    executor: ExecutorValue
    schedule: ScheduleValue
    working_day: int = Field(
        1, ge=1, le=366, description="monthly, quarterly: the Nth working day of the period"
    )
    dates: list[dt.date] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="on dates: each moved to the next working day when it is not one",
    )
    documentation: str = Field("", max_length=300, description="the documentation expected")
    budget: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=0)


class ActivitiesIn(Schema):
    """The plan's whole list of activities (it replaces the list)."""

    activities: list[ActivityIn] = Field(max_length=MAX_ITEMS)


class CriterionIn(Schema):
    kind: CriterionKindValue
    label: str = Field(min_length=1, max_length=300)
    target: Decimal | None = Field(
        None,
        ge=0,
        max_digits=7,
        decimal_places=3,
        description="a percentage (availability, shares) or a count (open findings)",
    )
    period: CriterionPeriodValue = "month"
    severity: str = Field("", max_length=20, description="open findings: this severity or worse")


class CriteriaIn(Schema):
    """The plan's whole list of acceptance criteria (it replaces the list)."""

    criteria: list[CriterionIn] = Field(max_length=MAX_ITEMS)


class ActivityOut(Schema):
    id: int
    kind: ActivityKindValue
    title: str
    executor: ExecutorValue
    schedule: ScheduleValue
    working_day: int
    dates: list[dt.date]
    documentation: str
    budget: Decimal | None


class CriterionOut(Schema):
    id: int
    kind: CriterionKindValue
    label: str
    target: Decimal | None
    period: CriterionPeriodValue
    severity: str


class PlanOut(Schema):
    id: int
    application_id: int
    application: str
    contract_id: int | None
    contract: str | None = Field(description="the contract's number")
    vendor: str | None = Field(description="the contract's vendor")
    budget_year: int | None
    title: str
    objective: str
    scope: str
    starts_on: dt.date
    ends_on: dt.date
    cycle_length: CycleLengthValue
    lead_days: int
    status: PlanStatusValue
    case: str | None = Field(description="its SOP 000 case's reference, when the caller may see it")
    document_id: int | None = Field(description="its approval document")
    approved_at: dt.datetime | None
    criteria_fixed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    activities: list[ActivityOut]
    criteria: list[CriterionOut]


class PlanFilters(Schema):
    application: Id | None = Field(None, description="only the plans of this application")
    status: PlanStatusValue | None = None
    after: str = Field("", max_length=200, description="the 'next' of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class PlanPage(Schema):
    """One page of plans, newest first; pass ``next`` as ``after`` for the following page."""

    items: list[PlanOut]
    next: str | None


# Occurrences ---------------------------------------------------------------------------------


class OccurrenceFilters(Schema):
    plan: Id | None = Field(None, description="only the occurrences of this plan")
    status: OccurrenceStatusValue | None = None
    late: bool | None = Field(None, description="only late (true) or not late (false) ones")
    month: str | None = Field(
        None, pattern=r"^2[01]\d\d-(0[1-9]|1[0-2])$", description="due in this month (2027-03)"
    )
    after: str = Field("", max_length=200, description="the 'next' of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    url: str = Field(description="the download")


class OccurrenceOut(Schema):
    """One time an activity falls due, and what was done (or why it was not)."""

    id: int
    plan_id: int
    activity_id: int
    activity: str
    kind: ActivityKindValue
    executor: ExecutorValue
    documentation: str = Field(description="the documentation expected")
    cycle_number: int
    scheduled_on: dt.date
    due_on: dt.date = Field(description="the scheduled date moved to a working day")
    status: OccurrenceStatusValue
    late: bool
    opened_at: dt.datetime | None
    done_at: dt.datetime | None
    done_by: str | None
    report: str = Field(description="what was done, or why it was not")
    cost: Decimal | None
    files: list[FileOut]


class OccurrencePage(Schema):
    """One page of occurrences by due day; pass ``next`` as ``after`` for the following page."""

    items: list[OccurrenceOut]
    next: str | None


class RecordIn(Schema):
    """What was done. Documentation files are sent afterwards, one at a time, to
    ``/maintenance/occurrences/{id}/files``."""

    report: str = Field(min_length=1, max_length=LONG_TEXT)
    cost: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=0)
    done_on: dt.date | None = Field(None, description="default: today")


class NotDoneIn(Schema):
    reason: str = Field(min_length=1, max_length=LONG_TEXT)


# Cycles --------------------------------------------------------------------------------------


class EvaluationItemOut(Schema):
    """One criterion's achievement in a cycle, with the figures it came from."""

    criterion: int
    label: str
    kind: str
    period_start: dt.date | None
    period_end: dt.date | None
    value: Decimal | None
    target: Decimal | None
    figures: dict[str, Any]
    period_goes_on: bool = Field(description="the criterion's period runs past the cycle")
    computed: bool | None = Field(description="the computed achievement; none when judged")
    achieved: bool | None
    overridden: bool
    text: str = Field(description="the figures in words")
    reason: str = Field(description="why it was overridden")
    evidence: str = Field(description="the evaluator's note on a judged criterion")


class CycleOut(Schema):
    id: int
    plan_id: int
    number: int
    starts_on: dt.date
    ends_on: dt.date
    executor: ExecutorValue | None
    last: bool = Field(description="the plan ends with this cycle")
    evaluated_at: dt.datetime | None
    evaluated_by: str | None
    evaluation: list[EvaluationItemOut]


class JudgedIn(Schema):
    achieved: bool
    note: str = Field(max_length=LONG_TEXT, description="the evidence")


class OverrideIn(Schema):
    achieved: bool
    reason: str = Field(max_length=LONG_TEXT)


class EvaluateIn(Schema):
    """The evaluator's yes or no, by criterion id: for every criterion the figures leave open
    (judged ones) with the evidence, and for computed ones overridden with the reason."""

    judged: dict[Id, JudgedIn] = Field(default_factory=dict, max_length=MAX_ITEMS)
    overrides: dict[Id, OverrideIn] = Field(default_factory=dict, max_length=MAX_ITEMS)


# The report ----------------------------------------------------------------------------------


class RecordFilesIn(Schema):
    """What was done, sent as a form with its documentation files (``files``)."""

    report: str = Field(min_length=1, max_length=LONG_TEXT)
    cost: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=0)
    done_on: dt.date | None = Field(None, description="default: today")


class ReportFilters(Schema):
    start: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="default: the plan's start"
    )
    end: dt.date | None = Field(None, ge=EARLIEST, le=LATEST, description="default: the plan's end")
