"""The work of a plan in force: an occurrence's page, where its executor records what was
done with its documentation files (or that it was not done, with the reason), and a cycle's
evaluation, where each criterion's achievement for its period is shown with the figures it
came from and the evaluator confirms or overrides it with a reason, and answers the judged
criteria yes or no with a note.

Reads: whoever reads the plan (:func:`plans.may_read`); another agency's ids are 404.
Recording: :func:`activities.may_record` (a vendor's activity: its staff; an internal one:
the agency's keepers); others 403. Evaluating: :func:`cycles.may_evaluate` (holders of SOP 000
row 6 or keepers; never a vendor), others 403. A refusal stands at its field (422).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.maintenance import activities, criteria, cycles, forms, plans
from laksana.maintenance.models import Cycle, Occurrence, OccurrenceStatus
from laksana.maintenance.views import call, person_of, today_of


def _occurrence(request: HttpRequest, pk: int) -> Occurrence:
    found = (
        Occurrence.objects.select_related(
            "activity", "plan__application__agency", "plan__contract__vendor", "done_by"
        )
        .filter(pk=pk, plan__in=plans.visible_plans(person_of(request)))
        .first()
    )
    if found is None:
        raise Http404
    return found


def _refuse_recorder() -> PermissionDenied:
    return PermissionDenied(_("Only the activity's executor records what was done."))


@login_required
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An occurrence: the activity, its due day and status; its executor records it (POST
    ``action=done`` with the report and files, or ``action=not_done`` with the reason)."""
    occurrence = _occurrence(request, pk)
    person = person_of(request)
    may_record = activities.may_record(person, occurrence)
    is_open = occurrence.status in (OccurrenceStatus.PLANNED, OccurrenceStatus.OPEN)
    posted = request.method == "POST"
    if posted and not may_record:
        raise _refuse_recorder()
    action = request.POST.get("action", "done") if posted else ""
    done_form = forms.RecordForm(
        request.POST if action == "done" else None,
        request.FILES if action == "done" else None,
        prefix="done",
    )
    skip_form = forms.NotDoneForm(request.POST if action == "not_done" else None, prefix="skip")
    if posted:
        if not is_open:
            messages.error(request, _("This activity was already recorded."))
            return redirect("maintenance:occurrence", occurrence.pk)
        form: Any = done_form if action == "done" else skip_form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "done":
                    call(
                        lambda: activities.record(
                            person,
                            occurrence.pk,
                            report=d["report"],
                            cost=d["cost"],
                            files=d["documents"],
                            done_on=d["done_on"],
                        )
                    )
                else:
                    call(lambda: activities.mark_not_done(person, occurrence.pk, d["reason"]))
            except ServiceError as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The activity was recorded as done.")
                    if action == "done"
                    else _("The activity was recorded as not done."),
                )
                return redirect("maintenance:occurrence", occurrence.pk)
    today = today_of(occurrence.plan.application.agency)
    return render(
        request,
        "maintenance/occurrence.html",
        {
            "occurrence": occurrence,
            "plan": occurrence.plan,
            "files": list(occurrence.files.order_by("pk")),
            "late": is_open and occurrence.due_on < today,
            "may_record": may_record and is_open,
            "done_form": done_form,
            "skip_form": skip_form,
        },
        status=422 if posted else 200,
    )


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    found = (
        Cycle.objects.select_related("plan__application", "plan__case", "evaluated_by")
        .filter(pk=pk, plan__in=plans.visible_plans(person_of(request)))
        .first()
    )
    if found is None:
        raise Http404
    return found


def _shown(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in items:
        item["value_text"] = forms.decimal_text(item.get("value"))
        item["target_text"] = forms.decimal_text(item.get("target"))
        item["figure_list"] = sorted((item.get("figures") or {}).items())
    return items


@login_required
def cycle_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """A cycle: each criterion's achievement for its period (computed now until the cycle
    is evaluated, then as recorded) and, before that, the evaluator's form."""
    cycle = _cycle(request, pk)
    person = person_of(request)
    plan = cycle.plan
    done = cycle.evaluated_at is not None
    may_evaluate = not done and cycles.may_evaluate(person, plan, plan.case)
    if request.method == "POST":
        if not cycles.may_evaluate(person, plan, plan.case):
            raise PermissionDenied(
                _("Only the operations section or the catalogue's keepers evaluate a cycle.")
            )
        if done:
            messages.error(request, _("This cycle was already evaluated."))
            return redirect("maintenance:cycle", cycle.pk)
    items = list(cycle.evaluation) if done else criteria.evaluate(cycle)
    form = forms.EvaluationForm(
        request.POST if request.method == "POST" else None, items=_shown(items)
    )
    if request.method == "POST" and form.is_valid():
        judged, overrides = form.for_service()
        try:
            call(
                lambda: cycles.evaluate_cycle(person, cycle.pk, judged=judged, overrides=overrides)
            )
        except ServiceError as exc:
            form.add_errors_of(exc)
        else:
            messages.success(request, _("The cycle's evaluation was saved."))
            return redirect("maintenance:cycle", cycle.pk)
    return render(
        request,
        "maintenance/cycle.html",
        {
            "cycle": cycle,
            "plan": plan,
            "items": items,
            "form": form if may_evaluate else None,
            "done": done,
        },
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("kegiatan/<int:pk>/", occurrence_detail, name="occurrence"),
    path("siklus/<int:pk>/", cycle_evaluate, name="cycle"),
]
