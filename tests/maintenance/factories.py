"""Test records of the maintenance module, made directly with the models (no rules
checked): a plan of an application, a planned activity, an acceptance criterion. Every field
can be given; the defaults make a monthly plan for the budget year 2027, in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from laksana.catalog.models import Application
from laksana.maintenance.models import (
    Activity,
    ActivityKind,
    Criterion,
    CriterionKind,
    CriterionPeriod,
    Executor,
    Plan,
    PlanStatus,
    Schedule,
)


def plan(application: Application, **fields: Any) -> Plan:
    """A plan of the application: budget year 2027 (1 Jan to 31 Dec), monthly cycles, five
    working days' lead, in force. With ``contract`` and no ``budget_year`` the plan is the
    contract's."""
    now = fields.pop("now", None) or timezone.now()
    year = fields.get("budget_year", 2027 if "contract" not in fields else None)
    values: dict[str, Any] = {
        "agency_id": application.agency_id,
        "application": application,
        "budget_year": year,
        "title": f"Rencana pemeliharaan {application.short_name or application.name}",
        "objective": "Aplikasi tersedia dan terpelihara",
        "starts_on": dt.date(year or 2027, 1, 1),
        "ends_on": dt.date(year or 2027, 12, 31),
        "status": PlanStatus.IN_FORCE,
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return Plan.objects.create(**values)


def activity(plan: Plan, **fields: Any) -> Activity:
    """A preventive activity of the plan done by the vendor on the 1st working day of each
    month (``schedule``, ``working_day``, ``dates``, ``executor`` ... can be given)."""
    values: dict[str, Any] = {
        "plan": plan,
        "kind": ActivityKind.PREVENTIVE,
        "title": "Pemeliharaan rutin server",
        "executor": Executor.VENDOR,
        "schedule": Schedule.MONTHLY,
        "working_day": 1,
        "documentation": "Laporan pemeliharaan",
    }
    if "dates" in fields:
        fields["dates"] = [d.isoformat() if isinstance(d, dt.date) else d for d in fields["dates"]]
    values.update(fields)
    return Activity.objects.create(**values)


def criterion(plan: Plan, **fields: Any) -> Criterion:
    """An availability criterion of the plan: at least 99.5 % a month."""
    values: dict[str, Any] = {
        "plan": plan,
        "kind": CriterionKind.AVAILABILITY,
        "label": "Ketersediaan layanan minimal 99,5 % per bulan",
        "target": "99.5",
        "period": CriterionPeriod.MONTH,
    }
    values.update(fields)
    return Criterion.objects.create(**values)
