"""The plan editor's screens: the plan's activities (while the plan is a draft) and its
acceptance criteria (until row 2 of SOP 000 fixes them), as rows to fill, add and remove.
The service replaces the whole list; a refusal of one row's field is shown at that row and
field (422). Keepers only (others 403); a plan of another agency is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.maintenance import forms, plans
from laksana.maintenance.models import Activity, Criterion, Plan
from laksana.maintenance.views import call, keeper_of, plan_of


def _activity_initial(a: Activity) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "title": a.title,
        "executor": a.executor,
        "schedule": a.schedule,
        "working_day": a.working_day,
        "dates": forms.dates_text(a.dates or []),
        "documentation": a.documentation,
        "budget": a.budget,
    }


def _criterion_initial(c: Criterion) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "label": c.label,
        "target": c.target,
        "period": c.period,
        "severity": c.severity,
    }


def _posted(request: HttpRequest) -> Any:
    """The posted rows; with "Add rows", three empty rows more (the rows stay unsaved)."""
    data = request.POST.copy()
    if data.get("more"):
        total = data.get("row-TOTAL_FORMS", "0")
        count = int(total) if total.isdigit() else 0
        data["row-TOTAL_FORMS"] = str(min(count + 3, forms.ROWS_MAX))
    return data


def _editor(
    request: HttpRequest,
    plan: Plan,
    which: str,
) -> HttpResponse:
    person = keeper_of(request, plan)
    factory: Any
    if which == "activities":
        factory = formset_factory(
            forms.ActivityRow, extra=forms.ROWS_EXTRA, can_delete=True, max_num=forms.ROWS_MAX
        )
        initial = [_activity_initial(a) for a in plan.activities.all()]
    else:
        factory = formset_factory(
            forms.CriterionRow, extra=forms.ROWS_EXTRA, can_delete=True, max_num=forms.ROWS_MAX
        )
        initial = [_criterion_initial(c) for c in plan.criteria.all()]
    posted = request.method == "POST"
    formset = factory(_posted(request) if posted else None, initial=initial, prefix="row")
    general: list[str] = []
    if posted and not request.POST.get("more") and formset.is_valid():
        kept = forms.kept_rows(formset)
        rows = [i for i, _data in kept]
        try:
            if which == "activities":
                items_a = [
                    plans.ActivityInput(
                        kind=d["kind"],
                        title=d["title"],
                        executor=d["executor"],
                        schedule=d["schedule"],
                        working_day=d["working_day"] or 1,
                        dates=d["dates"],
                        documentation=d["documentation"],
                        budget=d["budget"],
                    )
                    for _i, d in kept
                ]
                call(lambda: plans.set_activities(person, plan.pk, items_a))
            else:
                items_c = [
                    plans.CriterionInput(
                        kind=d["kind"],
                        label=d["label"],
                        target=d["target"],
                        period=d["period"],
                        severity=d["severity"],
                    )
                    for _i, d in kept
                ]
                call(lambda: plans.set_criteria(person, plan.pk, items_c))
        except ServiceError as exc:
            general = forms.add_row_errors(formset, exc, rows)
        else:
            messages.success(
                request,
                _("The plan's activities were saved.")
                if which == "activities"
                else _("The plan's acceptance criteria were saved."),
            )
            return redirect("maintenance:plan", plan.pk)
    failed = posted and not request.POST.get("more")
    return render(
        request,
        "maintenance/rows.html",
        {"plan": plan, "formset": formset, "which": which, "general": general},
        status=422 if failed else 200,
    )


@login_required
def activities_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's activities as rows (draft plans, keepers)."""
    return _editor(request, plan_of(request, pk), "activities")


@login_required
def criteria_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's acceptance criteria as rows (until they are fixed, keepers)."""
    return _editor(request, plan_of(request, pk), "criteria")


urlpatterns: list[URLPattern] = [
    path("rencana/<int:pk>/kegiatan/", activities_edit, name="activities"),
    path("rencana/<int:pk>/kriteria/", criteria_edit, name="criteria"),
]
