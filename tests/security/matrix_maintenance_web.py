"""The permission matrix's rows for the maintenance module's web routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up by :func:`prepare`: SIKESDA of Bali with a plan in
force (an internal activity open today, an availability criterion, its first cycle) and a
draft plan. Members of Bali read (the other unit and the requester are requesting units'
staff); only the catalogue keeper (the step holder, the Kepala Dinas) writes plans, records
the internal activity and evaluates. The DJKI vendor reads its own dashboard and plan list
(empty of Bali's) and gets 404 for Bali's plans, occurrence and cycle, as for ones that do
not exist, and 403 where no object is named (a new plan). Submitting the draft without
activities and withdrawing a draft are refused by the service (the keeper is sent back with
the message); the cycle's evaluation of a plan with no SOP 000 case is shown again with the
refusal (422). Every cell checks the maintenance tables itself (a refused or reading cell
changed nothing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.urls import reverse


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.maintenance.models import Activity, Criterion, Cycle, Occurrence, Plan

    return {
        "plans": sorted(Plan.objects.values_list("pk", "title", "status", "starts_on", "ends_on")),
        "activities": sorted(Activity.objects.values_list("pk", "plan_id", "title", "schedule")),
        "criteria": sorted(Criterion.objects.values_list("pk", "plan_id", "label", "target")),
        "occurrences": sorted(Occurrence.objects.values_list("pk", "status", "report")),
        "cycles": sorted(Cycle.objects.values_list("pk", "evaluated_at")),
    }


def prepare(s: Any) -> None:
    from django.utils import timezone

    from laksana.maintenance.models import (
        Cycle,
        Executor,
        Occurrence,
        OccurrenceStatus,
        PlanStatus,
    )
    from tests.maintenance import factories

    app = s.bali.applications["sikesda"]
    today = timezone.localdate()
    plan = factories.plan(
        app,
        budget_year=today.year,
        starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year, 12, 31),
        title="Rencana SIKESDA matriks",
    )
    activity = factories.activity(plan, executor=Executor.INTERNAL, title="Cadangan matriks")
    factories.criterion(plan)
    occurrence = Occurrence.objects.create(
        activity=activity,
        plan=plan,
        cycle_number=1,
        scheduled_on=today,
        due_on=today,
        status=OccurrenceStatus.OPEN,
    )
    cycle = Cycle.objects.create(plan=plan, number=1, starts_on=today.replace(day=1), ends_on=today)
    draft = factories.plan(app, status=PlanStatus.DRAFT, title="Draf SIKESDA matriks")
    s.__dict__.update(
        mt_plan=plan, mt_occurrence=occurrence, mt_cycle=cycle, mt_draft=draft, mt_before=_state()
    )


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=True) == "ok")


def judged(kind: str) -> Callable[[Any], None]:
    """The maintenance tables unchanged unless the cell is an "ok" write of ``kind``
    (``new``: one more plan; ``changed``: as many plans, something changed)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["mt_before"], _state()
        if kind == "read" or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the maintenance tables"
            return
        if kind == "new":
            assert len(after["plans"]) == len(before["plans"]) + 1, c.route
        else:
            assert after != before and len(after["plans"]) == len(before["plans"]), c.route

    return check


def vendor_sees_no_bali_plan(c: Any) -> None:
    judged("read")(c)
    if c.persona in _matrix().NOT_OF_BALI:
        assert "SIKESDA matriks" not in c.response.content.decode()


def plan_form(s: Any) -> dict[str, Any]:
    return {
        "application": str(s.bali.applications["sikesda"].pk),
        "budget_year": str(dt.date.today().year + 1),
        "title": "Rencana baru matriks",
        "objective": "SIKESDA tersedia",
        "cycle_length": "month",
        "lead_days": "5",
    }


def rows_form(kind: str) -> Callable[[Any], dict[str, Any]]:
    def data(s: Any) -> dict[str, Any]:
        row = (
            {"kind": "preventive", "title": "Baru", "executor": "internal", "schedule": "monthly"}
            if kind == "activities"
            else {
                "kind": "availability",
                "label": "Ketersediaan",
                "target": "99",
                "period": "month",
            }
        )
        out = {
            "row-TOTAL_FORMS": "1",
            "row-INITIAL_FORMS": "0",
            "row-MIN_NUM_FORMS": "0",
            "row-MAX_NUM_FORMS": "60",
        }
        out.update({f"row-0-{k}": v for k, v in row.items()})
        return out

    return data


def record_form(s: Any) -> dict[str, Any]:
    return {"action": "done", "done-report": "Cadangan dibuat"}


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    signed_in = row("login", "ok", "ok", "ok", "ok")
    read = row("login", "ok", "ok", "ok", "404")
    keeper = row("login", "403", "403", "ok", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def web(name: str, key: str | None = None) -> Callable[[Any], str]:
        if key is None:
            return lambda s: reverse(f"maintenance:{name}")
        return lambda s: reverse(f"maintenance:{name}", args=[s.__dict__[key].pk])

    return {
        "maintenance:dashboard": Entry(
            web("dashboard"), signed_in, check=vendor_sees_no_bali_plan, **common
        ),
        "maintenance:plans": Entry(
            web("plans"), signed_in, check=vendor_sees_no_bali_plan, **common
        ),
        "maintenance:plan_new": Entry(
            web("plan_new"), row("login", "403", "403", "ok", "403"), check=judged("read"), **common
        ),
        "POST maintenance:plan_new": Entry(
            web("plan_new"),
            row("login", "403", "403", "ok", "403", other_admin="422"),
            method="POST",
            data=plan_form,
            check=judged("new"),
            **common,
        ),
        "maintenance:plan": Entry(web("plan", "mt_plan"), read, check=judged("read"), **common),
        "maintenance:plan_edit": Entry(
            web("plan_edit", "mt_draft"), keeper, check=judged("read"), **common
        ),
        "POST maintenance:plan_edit": Entry(
            web("plan_edit", "mt_draft"),
            keeper,
            method="POST",
            data=plan_form,
            check=judged("changed"),
            **common,
        ),
        "POST maintenance:plan_submit": Entry(
            web("plan_submit", "mt_draft"),
            row("login", "403", "403", "refused", "404"),
            method="POST",
            check=judged("read"),
            **common,
        ),
        "POST maintenance:plan_withdraw": Entry(
            web("plan_withdraw", "mt_draft"),
            row("login", "403", "403", "refused", "404"),
            method="POST",
            check=judged("read"),
            **common,
        ),
        "maintenance:activities": Entry(
            web("activities", "mt_draft"), keeper, check=judged("read"), **common
        ),
        "POST maintenance:activities": Entry(
            web("activities", "mt_draft"),
            keeper,
            method="POST",
            data=rows_form("activities"),
            check=judged("changed"),
            **common,
        ),
        "maintenance:criteria": Entry(
            web("criteria", "mt_draft"), keeper, check=judged("read"), **common
        ),
        "POST maintenance:criteria": Entry(
            web("criteria", "mt_draft"),
            keeper,
            method="POST",
            data=rows_form("criteria"),
            check=judged("changed"),
            **common,
        ),
        "maintenance:occurrence": Entry(
            web("occurrence", "mt_occurrence"), read, check=judged("read"), **common
        ),
        "POST maintenance:occurrence": Entry(
            web("occurrence", "mt_occurrence"),
            keeper,
            method="POST",
            data=record_form,
            check=judged("changed"),
            **common,
        ),
        "maintenance:report": Entry(web("report", "mt_plan"), read, check=judged("read"), **common),
        "maintenance:report_xlsx": Entry(
            web("report_xlsx", "mt_plan"), read, check=judged("read"), **common
        ),
        "maintenance:cycle": Entry(web("cycle", "mt_cycle"), read, check=judged("read"), **common),
        "POST maintenance:cycle": Entry(
            web("cycle", "mt_cycle"),
            row("login", "403", "403", "422", "404"),
            method="POST",
            check=judged("read"),
            **common,
        ),
    }
