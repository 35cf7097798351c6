"""The maintenance dashboard (/pemeliharaan/): for the plans the person may read, the
activities due this month, the late activities, the criteria at risk in the current cycle
(computed now) and, for the agency's staff, the contracts of its applications ending within
90 days (the contract's end or the end of its maintenance). A vendor's staff see only their
contract's plans and no contract list. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from laksana.catalog.models import Contract
from laksana.maintenance import criteria, cycles, forms, plans
from laksana.maintenance.models import CriterionKind, Occurrence, OccurrenceStatus, PlanStatus
from laksana.maintenance.views import person_of, today_of

CONTRACT_DAYS = 90
ROWS_SHOWN = 100
PLANS_EVALUATED = 50  # plans whose current cycle is computed on one visit

_OPEN = (OccurrenceStatus.PLANNED, OccurrenceStatus.OPEN)


def _month(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def at_risk(plan_list: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    """The computed criteria not achieved so far in each plan's current cycle."""
    out: list[dict[str, Any]] = []
    for plan in plan_list[:PLANS_EVALUATED]:
        cycle = cycles.current_cycle(plan)
        if cycle is None or cycle.evaluated_at is not None:
            continue
        for item in criteria.evaluate(cycle, now=now):
            if item.get("kind") == CriterionKind.JUDGED or item.get("achieved") is not False:
                continue
            item["plan"] = plan
            item["cycle"] = cycle
            item["value_text"] = forms.decimal_text(item.get("value"))
            item["target_text"] = forms.decimal_text(item.get("target"))
            out.append(item)
    return out


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    now = timezone.now()
    today = today_of(person.agency, now)
    start, end = _month(today)
    visible = plans.visible_plans(person)
    occurrences = Occurrence.objects.filter(plan__in=visible).select_related(
        "activity", "plan__application"
    )
    due = list(occurrences.filter(due_on__range=(start, end)).order_by("due_on", "pk")[:ROWS_SHOWN])
    for o in due:
        o.late = o.status in _OPEN and o.due_on < today  # type: ignore[attr-defined]
    late = list(
        occurrences.filter(status__in=_OPEN, due_on__lt=today).order_by("due_on", "pk")[:ROWS_SHOWN]
    )
    in_force = list(
        visible.filter(status=PlanStatus.IN_FORCE).select_related("application").order_by("pk")
    )
    contracts: list[Contract] = []
    if person.vendor_id is None:
        horizon = today + dt.timedelta(days=CONTRACT_DAYS)
        contracts = list(
            Contract.objects.filter(application__agency_id=person.agency_id)
            .filter(Q(ends_on__range=(today, horizon)) | Q(support_ends_on__range=(today, horizon)))
            .select_related("application", "vendor")
            .order_by("ends_on", "pk")[:ROWS_SHOWN]
        )
    return render(
        request,
        "maintenance/dashboard.html",
        {
            "month": start,
            "due": due,
            "late": late,
            "risks": at_risk(in_force, now),
            "contracts": contracts,
            "is_vendor": person.vendor_id is not None,
            "days": CONTRACT_DAYS,
            "today": today,
            "may_keep": plans.may_keep(person, person.agency_id),
        },
    )


urlpatterns: list[URLPattern] = [path("", dashboard, name="dashboard")]
