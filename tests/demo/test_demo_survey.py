"""``laksana demo``'s satisfaction surveys: UTN's helpdesk survey imported from a spreadsheet
(grade B, its follow-up plan, its public link open), the e-Learning's answers through the
public form, Bali's invitations of its finished cases answered through their links, and the
e-Learning's concluded evaluation."""

from __future__ import annotations

import pytest

from laksana.demo.survey import HELPDESK_ANSWERS, LMS_ANSWERS, helpdesk_csv
from laksana.org.models import Agency
from laksana.survey import index
from laksana.survey.models import (
    Answer,
    Channel,
    ImportBatch,
    Invitation,
    InvitationStatus,
    ServiceKind,
    Survey,
    SurveyStatus,
)
from tests.demo.test_demo_command import Demo, demo  # noqa: F401 (the module's demo fixture)

pytestmark = pytest.mark.django_db


def test_the_helpdesk_survey_is_imported_and_graded_b(demo: Demo) -> None:  # noqa: F811
    survey = Survey.objects.get(title__startswith="SKM Layanan Helpdesk TIK UTN")
    assert survey.agency.slug == "utn" and survey.service_kind == ServiceKind.UNIT_SERVICE
    assert survey.status == SurveyStatus.OPEN and survey.public_enabled
    assert survey.created_at < demo.started
    batch = ImportBatch.objects.get(survey=survey)
    assert batch.rows == HELPDESK_ANSWERS == survey.answers.count()
    assert set(survey.answers.values_list("channel", flat=True)) == {Channel.IMPORT}
    result = index.of_survey(survey)
    assert result is not None and result.respondents == HELPDESK_ANSWERS
    assert result.grade.letter == "B", index.shown(result.converted)
    # The weakest unsur are the ones the follow-up plan acts on; the sample is enough.
    weakest = {e.key for e in result.weakest}
    assert {row["unsur"] for row in survey.follow_up} == weakest == {"pengaduan", "sarana", "waktu"}
    sample = index.sample(survey, result.respondents)
    assert sample.enough is True and sample.minimum is not None
    assert sample.minimum <= HELPDESK_ANSWERS


def test_the_spreadsheet_is_what_the_import_reads() -> None:
    from laksana.survey import spreadsheet

    rows = spreadsheet.read(helpdesk_csv(), "kuesioner-helpdesk.csv")
    assert len(rows) == HELPDESK_ANSWERS
    assert all(1 <= rows[0][f"u{i}"] <= 4 for i in range(1, 10))
    assert helpdesk_csv() == helpdesk_csv()  # seeded: the same demo every time


def test_the_e_learning_survey_has_public_answers(demo: Demo) -> None:  # noqa: F811
    survey = Survey.objects.get(title__startswith="SKM e-Learning UTN")
    assert survey.application is not None and survey.application.short_name == "e-Learning"
    assert survey.answers.count() == LMS_ANSWERS
    assert set(survey.answers.values_list("channel", flat=True)) == {Channel.PUBLIC}
    assert not survey.answers.filter(submitted_on__gt=demo.started.date()).exists()
    result = index.of_survey(survey)
    assert result is not None and result.grade.letter in "BC"


def test_finished_cases_invite_their_requesters_and_some_answer(demo: Demo) -> None:  # noqa: F811
    survey = Survey.objects.get(title="SKM Penanganan Masalah Aplikasi")
    assert survey.agency.slug == "diskominfos-bali" and survey.invite_requesters
    invitations = Invitation.objects.filter(survey=survey).select_related("case", "person")
    assert invitations.exists()
    for invitation in invitations:
        assert invitation.case.status == "finished"
        assert invitation.person_id == invitation.case.opened_by_id
        assert invitation.status != InvitationStatus.WAITING or invitation.send_after > demo.started
    answered = invitations.filter(status=InvitationStatus.ANSWERED).count()
    assert answered >= 1
    # One answer per answered invitation, and nothing else through that channel.
    assert survey.answers.filter(channel=Channel.INVITATION).count() == answered
    assert Answer.objects.filter(channel=Channel.INVITATION).count() == answered


def test_the_e_learning_evaluation_is_concluded_improve(demo: Demo) -> None:  # noqa: F811
    from laksana.evaluation.models import Evaluation

    evaluation = Evaluation.objects.get(agency=Agency.objects.get(slug="utn"))
    assert evaluation.application.short_name == "e-Learning"
    assert evaluation.status == "concluded" and evaluation.conclusion == "improve"
    assert evaluation.figures  # frozen when concluded


def test_the_retribusi_case_runs_stage_f_through_the_evaluation_and_the_survey(
    demo: Demo,  # noqa: F811
) -> None:
    from laksana.cases import artifacts
    from laksana.cases.models import Case, StepStatus
    from laksana.demo.cases import TITLES
    from laksana.demo.survey import RETRIBUSI_ANSWERS, RETRIBUSI_POPULATION
    from laksana.documents.models import Document
    from laksana.evaluation.models import Evaluation

    case = Case.objects.get(title=TITLES["skm_operation"])
    held = case.state["artifacts"]
    # f.1: the evaluation of the application over twelve months, concluded "keep" on the case.
    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.application_id == case.application_id
    assert evaluation.status == "concluded" and evaluation.conclusion == "keep"
    assert evaluation.reasoning and evaluation.figures
    assert (evaluation.period_end - evaluation.period_start).days == 364
    assert evaluation.concluded_at is not None and evaluation.concluded_at < demo.started
    assert held["laporan_evaluasi"]["ref"] == f"evaluation:{evaluation.pk}"
    # f.2: the application's survey, imported, enough respondents; its report final.
    survey = Survey.objects.get(application_id=case.application_id)
    assert survey.population == RETRIBUSI_POPULATION and survey.follow_up
    assert ImportBatch.objects.get(survey=survey).rows == RETRIBUSI_ANSWERS
    result = index.of_survey(survey)
    assert result is not None
    assert result.grade.letter == "B", index.shown(result.converted)
    assert index.sample(survey, result.respondents).enough is True
    ref = held["survei_kepuasan"]["ref"]
    assert ref.startswith("document:")
    report = Document.objects.get(pk=int(ref.removeprefix("document:")), case=case)
    assert report.kind == "laporan_skm" and report.status == "final"
    assert report.source == f"survey:{survey.pk}" and report.artifact_key == "survei_kepuasan"
    # The survey's page names it, by its number.
    from django.test import Client

    reader = Client()
    reader.force_login(evaluation.created_by.user)
    page = reader.get(f"/survei/{survey.pk}/").content.decode()
    assert report.number and f'href="/dokumen/{report.pk}/">{report.number}</a>' in page
    # f.3: completed without an outcome given, read from the evaluation: Ya, back to e.1.
    (f3,) = case.steps.filter(step_key="f3")
    assert f3.status == StepStatus.COMPLETED and f3.outcome == "Ya"
    assert artifacts.read_outcome(case, "f3", {}, None) == "Ya"
    assert case.status == "running"
    assert list(case.steps.filter(status=StepStatus.ACTIVE).values_list("step_key", flat=True)) == [
        "e1"
    ]
