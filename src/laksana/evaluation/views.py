"""The evaluation screens under /evaluasi/ (signed in): the agency's evaluations, a new one
(an application and a period), and the one page of an evaluation (its sections, its
conclusion, the forms to refresh, conclude or delete a draft).

Reads: :func:`services.may_read` (the agency's members who are not vendors' staff; a vendor's
staff is refused the list, 403); an evaluation of another agency (any, for a vendor's staff) is
a 404, the same as a missing one. Writes: the catalogue keepers (:func:`services.may_keep`;
others 403). Every write goes through :mod:`laksana.evaluation.services`; a refusal is shown
next to its field (422).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from laksana.catalog.models import Application
from laksana.errors import ServiceError
from laksana.evaluation import services
from laksana.evaluation.models import Conclusion, Evaluation, EvaluationStatus
from laksana.org.models import Person
from laksana.web.middleware import current_person
from laksana.web.servicecalls import call

SHOWN = 200


def person_of(request: HttpRequest) -> Person:
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def refuse_vendor(person: Person) -> None:
    """No object named: a vendor's staff is refused (403); an evaluation it names is a 404
    (:func:`services.visible_evaluations` shows it none)."""
    if person.vendor_id is not None:
        raise PermissionDenied(_("The evaluations are the agency's, not its vendors'."))


def refuse_keeper() -> PermissionDenied:
    return PermissionDenied(_("Only the IT unit's staff evaluate the agency's applications."))


def _errors(form: forms.Form, exc: ServiceError) -> None:
    errors = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
    for name, found in errors.items():
        for message in found:
            form.add_error(name if name in form.fields else None, message)


class NewForm(forms.Form):
    application = forms.ChoiceField(label=gettext_lazy("Application"))
    period_start = forms.DateField(
        label=gettext_lazy("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("Period end"), widget=forms.DateInput(attrs={"type": "date"})
    )
    case = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, applications: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["application"]
        field.choices = [("", "—"), *((str(a.pk), a.name) for a in applications)]


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=gettext_lazy("Conclusion"), choices=Conclusion.choices, widget=forms.RadioSelect
    )
    reasoning = forms.CharField(
        label=gettext_lazy("Reasoning"),
        max_length=services.MAX_REASONING,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    """The evaluations of the person's agency, the latest period first."""
    person = person_of(request)
    refuse_vendor(person)
    found = list(services.visible_evaluations(person).order_by("-period_end", "-pk")[:SHOWN])
    return render(
        request,
        "evaluation/list.html",
        {"evaluations": found, "may_keep": services.may_keep(person, person.agency_id)},
    )


@login_required
def evaluation_new(request: HttpRequest) -> HttpResponse:
    """A new draft evaluation of one of the agency's applications (keepers)."""
    person = person_of(request)
    if not services.may_keep(person, person.agency_id):
        raise refuse_keeper()
    applications = list(Application.objects.filter(agency_id=person.agency_id).order_by("name"))
    year = timezone.localdate().year
    initial: dict[str, Any] = {
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
        "application": request.GET.get("aplikasi", ""),
        "case": request.GET.get("kasus", ""),
    }
    form = NewForm(request.POST or None, applications=applications, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = call(lambda: services.create_evaluation(person, form.cleaned_data))
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The evaluation was made: conclude it when ready."))
            return redirect("evaluation:detail", made.pk)
    return render(
        request,
        "evaluation/new.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


def _page(
    request: HttpRequest, evaluation: Evaluation, form: ConcludeForm | None, status: int = 200
) -> HttpResponse:
    person = person_of(request)
    keeper = services.may_keep(person, evaluation.agency_id)
    draft = evaluation.status == EvaluationStatus.DRAFT
    if form is None and keeper and draft:
        form = ConcludeForm()
    return render(
        request,
        "evaluation/detail.html",
        {
            "evaluation": evaluation,
            "sections": list(services.figures_of(evaluation).values()),
            "may_keep": keeper,
            "draft": draft,
            "form": form if keeper and draft else None,
        },
        status=status,
    )


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The one page of an evaluation: its sections and its conclusion; a keeper concludes a
    draft here (POST)."""
    person = person_of(request)
    evaluation = call(lambda: services.get_evaluation(person, pk))
    if request.method != "POST":
        return _page(request, evaluation, None)
    if not services.may_keep(person, evaluation.agency_id):
        raise refuse_keeper()
    form = ConcludeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            call(
                lambda: services.conclude(
                    person, pk, data["conclusion"], data["reasoning"], case=evaluation.case_id
                )
            )
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The evaluation is concluded."))
            return redirect("evaluation:detail", pk)
    return _page(request, evaluation, form, status=422)


def _action(request: HttpRequest, pk: int, act: Any, done: str, then: str) -> HttpResponse:
    person = person_of(request)
    evaluation = call(lambda: services.get_evaluation(person, pk))
    if not services.may_keep(person, evaluation.agency_id):
        raise refuse_keeper()
    try:
        call(lambda: act(person, pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:detail", pk)
    messages.success(request, done)
    return redirect(then, pk) if then == "evaluation:detail" else redirect(then)


@login_required
@require_POST
def evaluation_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's figures computed again (keepers)."""
    return _action(
        request, pk, services.refresh, _("The figures were computed again."), "evaluation:detail"
    )


@login_required
@require_POST
def evaluation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft deleted (keepers)."""
    return _action(
        request,
        pk,
        services.delete_evaluation,
        _("The draft evaluation was deleted."),
        "evaluation:list",
    )


urlpatterns: list[URLPattern] = [
    path("", evaluation_list, name="list"),
    path("baru/", evaluation_new, name="new"),
    path("<int:pk>/", evaluation_detail, name="detail"),
    path("<int:pk>/perbarui/", evaluation_refresh, name="refresh"),
    path("<int:pk>/hapus/", evaluation_delete, name="delete"),
]
