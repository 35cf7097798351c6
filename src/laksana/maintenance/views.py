"""Maintenance screens under /pemeliharaan/ (signed in): the plans of the person's agency
(filtered by application and status), a new plan (for a budget year or one of the
application's contracts), a plan's page (identity, activities with their occurrences,
criteria, cycles with their evaluations, status, its case and approval document), the plan's
identity form, and its submission for approval and withdrawal.

Reads: :func:`plans.may_read` (the agency's members who are not vendors; the staff of the
plan's contract vendor); a plan of another agency is a 404, the same as a missing one.
Writes: the catalogue keepers (:func:`plans.may_keep`; others 403). Every write goes through
:mod:`laksana.maintenance.plans`; a refusal is shown next to the field it concerns (422).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.catalog.models import Application, Contract
from laksana.errors import ServiceError
from laksana.maintenance import forms, plans
from laksana.maintenance.models import Occurrence, OccurrenceStatus, Plan, PlanStatus
from laksana.org.models import Agency, Person
from laksana.web.middleware import current_person
from laksana.web.servicecalls import call as call

PLANS_SHOWN = 200

_OPEN = (OccurrenceStatus.PLANNED, OccurrenceStatus.OPEN)


def person_of(request: HttpRequest) -> Person:
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def refuse_keeper() -> PermissionDenied:
    return PermissionDenied(
        _("Only the IT unit's staff keep the maintenance plans of the applications.")
    )


def plan_of(request: HttpRequest, pk: int) -> Plan:
    """The plan the person may read, or 404."""
    found = (
        plans.visible_plans(person_of(request))
        .select_related("application", "contract__vendor", "case", "document")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def keeper_of(request: HttpRequest, plan: Plan) -> Person:
    person = person_of(request)
    if not plans.may_keep(person, plan.agency_id):
        raise refuse_keeper()
    return person


def today_of(agency: Agency, now: dt.datetime | None = None) -> dt.date:
    """Today in the agency's time zone."""
    try:
        tz: Any = zoneinfo.ZoneInfo(agency.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    return timezone.localdate(now or timezone.now(), tz)


def _applications(person: Person) -> QuerySet[Application]:
    return Application.objects.filter(agency_id=person.agency_id).order_by("name", "pk")


# --- reading -----------------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans the person may read, filtered by application and status."""
    person = person_of(request)
    found = plans.visible_plans(person).select_related("application", "contract__vendor")
    applications = Application.objects.filter(
        pk__in=plans.visible_plans(person).values("application_id")
    ).order_by("name", "pk")
    app_id = request.GET.get("aplikasi", "")
    status = request.GET.get("status", "")
    if app_id.isdigit():
        found = found.filter(application_id=int(app_id))
    if status in PlanStatus.values:
        found = found.filter(status=status)
    return render(
        request,
        "maintenance/plans.html",
        {
            "plans": list(found.order_by("-starts_on", "-pk")[:PLANS_SHOWN]),
            "applications": applications,
            "statuses": PlanStatus.choices,
            "chosen_app": app_id,
            "chosen_status": status,
            "may_keep": plans.may_keep(person, person.agency_id),
        },
    )


def occurrences_by_activity(plan: Plan) -> dict[int, list[Occurrence]]:
    out: dict[int, list[Occurrence]] = {}
    for o in plan.occurrences.order_by("due_on", "pk"):
        out.setdefault(o.activity_id, []).append(o)
    return out


@login_required
@require_safe
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: identity, activities with their occurrences, criteria, cycles, status."""
    plan = plan_of(request, pk)
    person = person_of(request)
    today = today_of(plan.application.agency)
    by_activity = occurrences_by_activity(plan)
    activities = list(plan.activities.all())
    for a in activities:
        occ = by_activity.get(a.pk, [])
        for o in occ:
            o.late = o.status in _OPEN and o.due_on < today  # type: ignore[attr-defined]
        a.occurrence_list = occ  # type: ignore[attr-defined]
    may_keep = plans.may_keep(person, plan.agency_id)
    return render(
        request,
        "maintenance/plan.html",
        {
            "plan": plan,
            "activities": activities,
            "criteria": list(plan.criteria.all()),
            "cycles": list(plan.cycles.order_by("number")),
            "may_keep": may_keep,
            "may_edit": may_keep and plan.status == PlanStatus.DRAFT,
            "may_edit_criteria": may_keep
            and plan.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.IN_FORCE)
            and plan.criteria_fixed_at is None,
            "may_submit": may_keep and plan.status == PlanStatus.DRAFT,
            "may_withdraw": may_keep and plan.status == PlanStatus.SUBMITTED,
            "today": today,
        },
    )


# --- writing -----------------------------------------------------------------------------------


def _plan_form(request: HttpRequest, person: Person, plan: Plan | None) -> HttpResponse:
    applications = _applications(person)
    contracts = Contract.objects.filter(application__agency_id=person.agency_id).select_related(
        "application", "vendor"
    )
    if plan is not None:
        initial: dict[str, Any] = {
            "application": plan.application_id,
            "budget_year": plan.budget_year,
            "contract": plan.contract_id,
            "title": plan.title,
            "objective": plan.objective,
            "scope": plan.scope,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "cycle_length": plan.cycle_length,
            "lead_days": plan.lead_days,
        }
    else:
        initial = {"budget_year": today_of(person.agency).year}
        chosen = request.GET.get("aplikasi", "")
        if chosen.isdigit() and applications.filter(pk=int(chosen)).exists():
            initial["application"] = int(chosen)
            contracts = contracts.filter(application_id=int(chosen))
    form = forms.PlanForm(
        request.POST or None,
        applications=applications,
        contracts=contracts.order_by("application__name", "-starts_on", "pk"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = plans.PlanInput(**form.data_for_service())
        try:
            saved = call(
                (lambda: plans.change_plan(person, plan.pk, data))
                if plan is not None
                else (lambda: plans.create_plan(person, data))
            )
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan %(title)s was saved.") % {"title": saved.title})
            return redirect("maintenance:plan", saved.pk)
    return render(
        request,
        "maintenance/plan_form.html",
        {"form": form, "plan": plan},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """A new plan in draft (keepers of the person's agency)."""
    person = person_of(request)
    if not plans.may_keep(person, person.agency_id):
        raise refuse_keeper()
    return _plan_form(request, person, None)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft plan's identity (keepers)."""
    plan = plan_of(request, pk)
    person = keeper_of(request, plan)
    return _plan_form(request, person, plan)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the plan for approval: its document circulates for signature (keepers)."""
    plan = plan_of(request, pk)
    person = keeper_of(request, plan)
    try:
        call(lambda: plans.submit_plan(person, plan.pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan was sent for approval."))
    return redirect("maintenance:plan", plan.pk)


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a submitted plan back to draft while nobody has signed it (keepers)."""
    plan = plan_of(request, pk)
    person = keeper_of(request, plan)
    try:
        call(lambda: plans.withdraw_plan(person, plan.pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan is a draft again."))
    return redirect("maintenance:plan", plan.pk)


urlpatterns: list[URLPattern] = [
    path("rencana/", plan_list, name="plans"),
    path("rencana/baru/", plan_new, name="plan_new"),
    path("rencana/<int:pk>/", plan_detail, name="plan"),
    path("rencana/<int:pk>/ubah/", plan_edit, name="plan_edit"),
    path("rencana/<int:pk>/ajukan/", plan_submit, name="plan_submit"),
    path("rencana/<int:pk>/tarik/", plan_withdraw, name="plan_withdraw"),
]
