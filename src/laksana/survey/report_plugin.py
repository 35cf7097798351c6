"""The survey's report as the value of the artifact type ``quality.satisfaction_survey``
(SOP 001's row f.2): the final "Laporan Hasil Survei Kepuasan Masyarakat" (kind
``laporan_skm``, resolved by the documents module), drafted by :func:`make_report` from a
survey's records on the active step of a running case of the survey's application that makes
it. The step's page is told where the application's latest survey stands, with a link to it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import artifacts
from laksana.cases.artifacts import Produced
from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.cases.servicebase import _atomic, _lock
from laksana.documents import plugin as documents_plugin
from laksana.documents.models import Document
from laksana.engine.spec import ArtifactSpec
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.survey import index
from laksana.survey.models import ServiceKind, Survey, SurveyStatus

SURVEY_TYPE = "quality.satisfaction_survey"
SOURCE_PREFIX = "survey:"
_url = documents_plugin._url


def _latest_survey(case: Case) -> Survey | None:
    if case.application_id is None:
        return None
    return (
        Survey.objects.filter(
            agency_id=case.agency_id,
            application_id=case.application_id,
            service_kind=ServiceKind.APPLICATION,
        )
        .exclude(status=SurveyStatus.DRAFT)
        .order_by("-period_end", "-pk")
        .first()
    )


def survey_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """Where the survey report of the step stands: its document once one is made, else the
    application's latest survey (its respondents and IKM so far) and a link to it."""
    if Document.objects.filter(case_id=case.pk, artifact_key=spec.id).exists():
        return documents_plugin.produced(case, row, spec)
    survey = _latest_survey(case)
    if survey is None:
        return Produced(
            None,
            _("No satisfaction survey of this application yet"),
            _url("survey:list"),
            _("Open the surveys"),
        )
    result = index.of_survey(survey)
    if result is None:
        status = _("%(title)s: no answers yet") % {"title": survey.title}
    else:
        status = _("%(title)s: %(respondents)s respondents, IKM %(value)s (%(grade)s)") % {
            "title": survey.title,
            "respondents": result.respondents,
            "value": index.shown(result.converted),
            "grade": result.grade.letter,
        }
    return Produced(
        None, status, _url("survey:detail", args=[survey.pk]), _("Make the survey report")
    )


def _report_step(survey: Survey) -> tuple[Case, CaseStep, str]:
    """The running case of the survey's application whose active step makes the report (the
    most recently opened), locked."""
    if survey.application_id is None:
        raise ServiceError(
            "no_case",
            _(
                "Only the report of an application's survey is made on a case; print the "
                "preview of this one."
            ),
            field="survey",
        )
    candidates = Case.objects.filter(
        agency_id=survey.agency_id,
        application_id=survey.application_id,
        status=CaseStatus.RUNNING,
    ).order_by("-opened_at", "-pk")
    for candidate in candidates.select_related("version")[:50]:
        spec = candidate.version.spec
        keys = {
            step.id: key
            for step in spec.steps
            for key in step.produces
            if spec.artifact(key).type == SURVEY_TYPE
        }
        if not keys:
            continue
        row = CaseStep.objects.filter(
            case_id=candidate.pk, step_key__in=list(keys), status=StepStatus.ACTIVE
        ).first()
        if row is not None:
            case = _lock(candidate.pk)
            return case, row, keys[row.step_key]
    raise ServiceError(
        "not_active",
        _("No running case of %(application)s has its satisfaction survey step active now.")
        % {"application": survey.application.name if survey.application else ""},
        field="survey",
    )


@_atomic
def make_report(person: Person, survey_id: int, *, now: dt.datetime | None = None) -> Document:
    """The survey's report drafted (or made again while nobody has signed it) on the active
    step of a running case of its application that makes it, from the survey's answers as
    they stand; its author sends it round (the documents module). Keepers of the survey's
    agency only; a survey without answers has no report."""
    from laksana.documents import made
    from laksana.survey import report, services

    at = now or timezone.now()
    survey = services.get_survey(person, survey_id)
    if not services.may_keep(person, survey.agency_id):
        raise NotAllowed(_("Only the keepers of the agency's surveys make their report."))
    if index.of_survey(survey) is None:
        raise ServiceError(
            "no_answers",
            _("The survey has no answers yet: there is nothing to report."),
            field="survey",
        )
    case, row, key = _report_step(survey)
    fields = report.document_fields(survey, now=at)
    return made.draft_or_refill(
        person, case, row, key, fields, source=f"{SOURCE_PREFIX}{survey.pk}", at=at
    )


def register() -> None:
    """Called from laksana.survey.plugin.register() (after DocumentsConfig's: this producer
    replaces the documents module's for the type; its resolver stays)."""
    artifacts.register(SURVEY_TYPE, producer=survey_produced)
