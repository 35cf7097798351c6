"""Survey screens under /survei/ (signed in): the surveys of the person's agency with their
IKM and grade, a new survey, a survey's page (status, the actions open/close/delete, the
public link and its QR poster, the invitations' counts), its identity form, its follow-up
plan (rencana tindak lanjut) and the import of a past period's answers from a spreadsheet.

Reads: :func:`services.may_read` (the agency's members who are not vendors' staff); a survey
of another agency is a 404, the same as a missing one. Writes: the keepers
(:func:`services.may_keep`; others 403). Every write goes through
:mod:`laksana.survey.services` or :mod:`laksana.survey.imports`; a refusal is shown next to
the field it concerns (422).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.catalog.models import Application
from laksana.errors import ServiceError
from laksana.org.models import Person, Unit
from laksana.procedures.models import ProcedureVersion
from laksana.survey import forms, imports, index, services
from laksana.survey.models import Invitation, InvitationStatus, Survey, SurveyStatus
from laksana.web.middleware import current_person
from laksana.web.servicecalls import call

SURVEYS_SHOWN = 200


def person_of(request: HttpRequest) -> Person:
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def refuse_keeper() -> PermissionDenied:
    return PermissionDenied(_("Only the IT unit's staff keep the satisfaction surveys."))


def survey_of(request: HttpRequest, pk: int) -> Survey:
    """The survey the person may read, or 404 (another agency's as a missing one)."""
    found = (
        services.visible_surveys(person_of(request))
        .select_related("application", "unit")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def keeper_of(request: HttpRequest, survey: Survey) -> Person:
    person = person_of(request)
    if not services.may_keep(person, survey.agency_id):
        raise refuse_keeper()
    return person


def shown(value: Any) -> str:
    """A figure rounded to two decimals (half up) in the reader's language ("91,48")."""
    from django.utils import formats

    text = index.shown(value)
    if text == "-":
        return text
    return str(formats.number_format(text, 2))


# --- reading -----------------------------------------------------------------------------------


@login_required
@require_safe
def survey_list(request: HttpRequest) -> HttpResponse:
    """The surveys the person may read, newest period first, with their IKM and grade."""
    person = person_of(request)
    found = services.visible_surveys(person).select_related("application", "unit")
    status = request.GET.get("status", "")
    if status in SurveyStatus.values:
        found = found.filter(status=status)
    rows = []
    shown_surveys = list(found.order_by("-period_start", "-pk")[:SURVEYS_SHOWN])
    results = index.of_surveys(shown_surveys)
    for survey in shown_surveys:
        result = results[survey.pk]
        rows.append(
            {
                "survey": survey,
                "service": services.service_label(survey),
                "result": result,
                "converted": shown(result.converted) if result else "-",
            }
        )
    return render(
        request,
        "survey/list.html",
        {
            "rows": rows,
            "statuses": SurveyStatus.choices,
            "chosen_status": status,
            "may_keep": services.may_keep(person, person.agency_id),
        },
    )


def official_reports(survey: Survey) -> list[Any]:
    """The documents of kind laporan_skm made from this survey (newest first)."""
    from laksana.documents.models import Document
    from laksana.survey.report_plugin import SOURCE_PREFIX

    return list(
        Document.objects.filter(agency_id=survey.agency_id, source=f"{SOURCE_PREFIX}{survey.pk}")
        .select_related("case")
        .order_by("-pk")[:10]
    )


def invitation_counts(survey: Survey) -> list[tuple[str, int]]:
    counts = dict(
        Invitation.objects.filter(survey_id=survey.pk)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(str(label), int(counts.get(value, 0))) for value, label in InvitationStatus.choices]


@login_required
@require_safe
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey: identity, status and its actions, links for respondents, invitations."""
    survey = survey_of(request, pk)
    person = person_of(request)
    may_keep = services.may_keep(person, survey.agency_id)
    result = index.of_survey(survey)
    respondents = result.respondents if result else 0
    return render(
        request,
        "survey/detail.html",
        {
            "survey": survey,
            "service": services.service_label(survey),
            "result": result,
            "converted": shown(result.converted) if result else "-",
            "respondents": respondents,
            "sample": index.sample(survey, respondents),
            "invitations": invitation_counts(survey),
            "imports": list(survey.imports.select_related("by")[:20]),
            "reports": official_reports(survey),
            "may_keep": may_keep,
            "may_open": may_keep and survey.status == SurveyStatus.DRAFT,
            "may_close": may_keep and survey.status == SurveyStatus.OPEN,
            "may_delete": may_keep and survey.status == SurveyStatus.DRAFT and not respondents,
            "may_import": may_keep,
        },
    )


# --- writing -----------------------------------------------------------------------------------


def _choices(person: Person) -> dict[str, Any]:
    keys = (
        ProcedureVersion.objects.filter(agency_id=person.agency_id)
        .order_by("procedure_key", "-number")
        .values_list("procedure_key", "title")
    )
    procedures: dict[str, str] = {}
    for key, title in keys:
        procedures.setdefault(key, f"{title} ({key})")
    return {
        "procedures": sorted(procedures.items(), key=lambda kv: kv[1]),
        "applications": Application.objects.filter(agency_id=person.agency_id)
        .order_by("name", "pk")
        .values_list("pk", "name"),
        "units": Unit.objects.filter(agency_id=person.agency_id)
        .order_by("name", "pk")
        .values_list("pk", "name"),
    }


def _initial(survey: Survey) -> dict[str, Any]:
    return {
        "title": survey.title,
        "service_kind": survey.service_kind,
        "procedure_key": survey.procedure_key,
        "application": str(survey.application_id or ""),
        "unit": str(survey.unit_id or ""),
        "service_name": survey.service_name,
        "period_start": survey.period_start,
        "period_end": survey.period_end,
        "population": survey.population,
        "method": survey.method,
        "public_enabled": survey.public_enabled,
        "invite_requesters": survey.invite_requesters,
    }


def _survey_form(request: HttpRequest, person: Person, survey: Survey | None) -> HttpResponse:
    draft = survey is None or survey.status == SurveyStatus.DRAFT
    if survey is not None:
        initial = _initial(survey)
    else:
        initial = {"invite_requesters": True, "public_enabled": True}
        chosen = request.GET.get("aplikasi", "")
        if chosen.isdigit():
            initial.update(service_kind="application", application=chosen)
    form = forms.SurveyForm(request.POST or None, initial=initial, draft=draft, **_choices(person))
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            saved = call(
                (lambda: services.change_survey(person, survey.pk, data))
                if survey is not None
                else (lambda: services.create_survey(person, data))
            )
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The survey %(title)s was saved.") % {"title": saved.title})
            return redirect("survey:detail", saved.pk)
    return render(
        request,
        "survey/form.html",
        {"form": form, "survey": survey},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    """A new survey in draft (keepers of the person's agency)."""
    person = person_of(request)
    if not services.may_keep(person, person.agency_id):
        raise refuse_keeper()
    return _survey_form(request, person, None)


@login_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a survey (a draft entirely; an open or closed one: title, method, population
    and how respondents reach it)."""
    survey = survey_of(request, pk)
    person = keeper_of(request, survey)
    return _survey_form(request, person, survey)


def _action(request: HttpRequest, pk: int, do: Any, done: str) -> HttpResponse:
    survey = survey_of(request, pk)
    person = keeper_of(request, survey)
    try:
        call(lambda: do(person, survey.pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("survey:detail", survey.pk)


@login_required
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the survey to answers (keepers)."""
    return _action(request, pk, services.open_survey, _("The survey is open to answers."))


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the survey: no more answers (keepers)."""
    return _action(request, pk, services.close_survey, _("The survey is closed."))


@login_required
@require_POST
def survey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft survey without answers (keepers)."""
    survey = survey_of(request, pk)
    person = keeper_of(request, survey)
    try:
        call(lambda: services.delete_survey(person, survey.pk))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("survey:detail", survey.pk)
    messages.success(request, _("The survey %(title)s was deleted.") % {"title": survey.title})
    return redirect("survey:list")


@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The follow-up plan's rows: unsur, action, due date, who is responsible (keepers)."""
    survey = survey_of(request, pk)
    person = keeper_of(request, survey)
    elements = survey.elements or []
    initial = [
        {
            "unsur": r.get("unsur", ""),
            "action": r.get("action", ""),
            "due": r.get("due") or None,
            "responsible": r.get("responsible", ""),
        }
        for r in (survey.follow_up or [])
    ]
    formset = forms.FollowUpFormSet(
        request.POST or None,
        initial=initial,
        prefix="row",
        form_kwargs={"elements": elements},
    )
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            call(lambda: services.set_follow_up(person, survey.pk, forms.follow_up_rows(formset)))
        except ServiceError as exc:
            problems = [exc.message, *(i for i in exc.items if i != exc.message)]
        else:
            messages.success(request, _("The follow-up plan was saved."))
            return redirect("survey:results", survey.pk)
    result = index.of_survey(survey)
    return render(
        request,
        "survey/follow_up.html",
        {
            "survey": survey,
            "formset": formset,
            "problems": problems,
            "weakest": result.weakest if result else (),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def answers_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a past period's answers from a CSV or XLSX file: all rows or none (keepers);
    the problems are listed by row and column."""
    survey = survey_of(request, pk)
    person = keeper_of(request, survey)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = call(
                lambda: imports.import_answers(
                    person,
                    survey.pk,
                    upload.read(),
                    upload.name,
                    submitted_on=form.cleaned_data.get("submitted_on"),
                )
            )
        except ServiceError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(rows)d answers were imported from %(file)s.")
                % {"rows": batch.rows, "file": batch.file_name},
            )
            return redirect("survey:results", survey.pk)
    return render(
        request,
        "survey/import.html",
        {"survey": survey, "form": form},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("", survey_list, name="list"),
    path("baru/", survey_new, name="new"),
    path("<int:pk>/", survey_detail, name="detail"),
    path("<int:pk>/ubah/", survey_edit, name="edit"),
    path("<int:pk>/buka/", survey_open, name="open"),
    path("<int:pk>/tutup/", survey_close, name="close"),
    path("<int:pk>/hapus/", survey_delete, name="delete"),
    path("<int:pk>/tindak-lanjut/", follow_up, name="follow_up"),
    path("<int:pk>/impor/", answers_import, name="import"),
]
