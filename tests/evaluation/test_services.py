"""The evaluation services: who creates, reads and concludes; every problem of the input
named by field with nothing written; another agency's evaluation or application answers
not_found; the sections gather what the modules know (maintenance criteria, open findings,
cases, availability, the IKM) and concluding keeps them as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from laksana.catalog.models import Vendor
from laksana.errors import NotAllowed, ServiceError
from laksana.evaluation import sections, services
from laksana.evaluation.models import Evaluation, EvaluationStatus
from laksana.maintenance.models import Cycle
from tests.maintenance import factories

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-12-31"}


def make(skm: Any, **data: Any) -> Evaluation:
    values = {"application": skm.applications["retribusi"].pk, **PERIOD, **data}
    return services.create_evaluation(skm["skm_ti1"], values)


def test_a_keeper_creates_a_draft_and_every_member_reads_it(skm) -> None:
    made = make(skm)
    assert made.status == EvaluationStatus.DRAFT and made.created_by == skm["skm_ti1"]
    assert (made.period_start, made.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # A requesting unit's staff reads the agency's evaluation but does not write one.
    reader = skm["skm_bpkad_staf"]
    assert services.get_evaluation(reader, made.pk) == made
    with pytest.raises(NotAllowed):
        services.conclude(reader, made.pk, "keep", "Baik.")
    with pytest.raises(NotAllowed):
        services.create_evaluation(reader, {"application": made.application_id, **PERIOD})
    assert Evaluation.objects.count() == 1


def test_a_vendors_staff_is_refused(skm) -> None:
    made = make(skm)
    dev = skm["skm_dev2"]
    dev.vendor = Vendor.objects.create(agency=skm.agency, name="PT Penyedia")
    dev.save(update_fields=["vendor"])
    with pytest.raises(ServiceError) as refused:
        services.get_evaluation(dev, made.pk)
    assert refused.value.code == "not_found"
    with pytest.raises(NotAllowed):
        services.create_evaluation(dev, {"application": made.application_id, **PERIOD})
    assert not services.visible_evaluations(dev).exists()


def test_another_agency_answers_not_found(skm, bali) -> None:
    made = make(skm)
    outsider = bali["kadis"]
    with pytest.raises(ServiceError) as refused:
        services.get_evaluation(outsider, made.pk)
    assert (refused.value.code, refused.value.field) == ("not_found", None)
    with pytest.raises(ServiceError) as refused:
        services.conclude(outsider, made.pk, "retire", "x")
    assert refused.value.code == "not_found"
    # Bali's keeper cannot evaluate Sukamaju's application: named by its field.
    with pytest.raises(ServiceError) as refused:
        services.create_evaluation(outsider, {"application": made.application_id, **PERIOD})
    assert (refused.value.code, refused.value.field) == ("not_found", "application")
    made.refresh_from_db()
    assert made.status == EvaluationStatus.DRAFT and Evaluation.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"application": 999999}, {"application"}),
        ({"application": "x"}, {"application"}),
        ({"period_start": "31-12-2026", "period_end": ""}, {"period_start", "period_end"}),
        ({"period_start": "2026-12-31", "period_end": "2026-01-01"}, {"period_end"}),
        ({"period_start": "2020-01-01", "period_end": "2026-01-02"}, {"period_end"}),
        ({"case": 999999}, {"case"}),
        ({"application": 0, "period_end": "nope", "case": "x"}, {"application", "period_end"}),
    ],
)
def test_bad_input_is_named_by_field_and_writes_nothing(skm, data, fields) -> None:
    with pytest.raises(ServiceError) as refused:
        make(skm, **data)
    errors = refused.value.errors  # type: ignore[attr-defined]
    assert fields <= set(errors), errors
    assert refused.value.field in fields
    assert not Evaluation.objects.exists()


def test_a_case_of_another_application_is_refused(skm, versions) -> None:
    from laksana.cases import services as case_services

    case = case_services.open_case(
        skm["skm_dukcapil_staf"],
        versions["sop-001-pengelolaan-aplikasi"],
        "Antrean",
        application=skm.applications["antrean"],
    )
    with pytest.raises(ServiceError) as refused:
        make(skm, case=case.pk)
    assert refused.value.field == "case" and "not a running case" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        make(skm, application=skm.applications["antrean"].pk, case=case.pk)
    assert refused.value.field == "case" and "(f.1)" in refused.value.message
    assert not Evaluation.objects.exists()


def test_another_agencys_case_named_in_the_body_is_not_found(skm, bali, sop002) -> None:
    """A keeper names a case of another agency (by its id) when making or concluding an
    evaluation: not found, as a case that does not exist, and nothing is written."""
    from laksana.cases import services as case_services

    theirs = case_services.open_case(bali["dinkes_staf"], sop002, "Lambat")
    for case in (theirs.pk, 2**62):
        with pytest.raises(ServiceError) as refused:
            make(skm, case=case)
        assert (refused.value.code, refused.value.field) == ("not_found", "case")
    assert not Evaluation.objects.exists()
    made = make(skm)
    with pytest.raises(ServiceError) as refused:
        services.conclude(skm["skm_ti1"], made.pk, "retire", "Tidak relevan.", case=theirs.pk)
    assert (refused.value.code, refused.value.field) == ("not_found", "case")
    made.refresh_from_db()
    assert made.status == EvaluationStatus.DRAFT and made.case_id is None


def test_conclude_names_every_problem_and_keeps_the_figures(skm) -> None:
    made = make(skm)
    ti = skm["skm_ti1"]
    with pytest.raises(ServiceError) as refused:
        services.conclude(ti, made.pk, "drop", "  ")
    assert set(refused.value.errors) == {"conclusion", "reasoning"}  # type: ignore[attr-defined]
    with pytest.raises(ServiceError) as refused:
        services.conclude(ti, made.pk, "keep", "x" * (services.MAX_REASONING + 1))
    assert refused.value.code == "too_long"
    made.refresh_from_db()
    assert made.status == EvaluationStatus.DRAFT and made.figures == {}
    at = dt.datetime(2027, 1, 5, 9, tzinfo=dt.UTC)
    done = services.conclude(ti, made.pk, "improve", "Perlu perbaikan kinerja.", now=at)
    assert (done.status, done.conclusion, done.concluded_at) == ("concluded", "improve", at)
    assert list(done.figures["sections"]) == sections.keys()
    kept = services.figures_of(done)
    assert list(kept) == sections.keys()
    with pytest.raises(ServiceError) as refused:
        services.conclude(ti, made.pk, "keep", "Lagi.")
    assert refused.value.code == "concluded"
    with pytest.raises(ServiceError):
        services.refresh(ti, made.pk)
    with pytest.raises(ServiceError):
        services.delete_evaluation(ti, made.pk)


def test_the_kept_figures_are_worded_in_indonesian_whoever_concludes(skm) -> None:
    from django.utils import translation

    made = make(skm)
    with translation.override("en"):
        done = services.conclude(skm["skm_ti1"], made.pk, "keep", "Masih relevan.")
        live_title = sections.compute(done.application, done.period_start, done.period_end)
    titles = [s["title"] for s in done.figures["sections"].values()]
    english = [s.title for s in live_title.values()]
    with translation.override("id"):
        indonesian = [
            s.title
            for s in sections.compute(done.application, done.period_start, done.period_end).values()
        ]
    assert titles == indonesian and titles != english


def test_refresh_keeps_a_snapshot_and_a_draft_is_deleted(skm) -> None:
    made = make(skm)
    ti = skm["skm_ti1"]
    done = services.refresh(ti, made.pk)
    assert done.status == "draft" and set(done.figures["sections"]) == set(sections.keys())
    services.delete_evaluation(ti, made.pk)
    assert not Evaluation.objects.exists()


def test_the_maintenance_section_counts_the_criteria_met(skm) -> None:
    app = skm.applications["retribusi"]
    plan = factories.plan(app, budget_year=2026, title="Rencana e-Retribusi 2026")
    Cycle.objects.create(
        plan=plan,
        number=1,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
        evaluated_at=dt.datetime(2026, 2, 2, tzinfo=dt.UTC),
        evaluation=[{"achieved": True}, {"achieved": False}],
    )
    shown = services.figures_of(make(skm))
    section = shown["maintenance"]
    assert section.status == sections.WARN
    assert section.rows == [("Rencana e-Retribusi 2026, cycle 1", "1 of 2 criteria met")]
    assert shown["availability"].status == sections.NONE
    assert shown["findings"].status == sections.NONE


def test_the_cases_section_leaves_the_lifecycle_out(skm, versions) -> None:
    from laksana.cases import services as case_services

    app = skm.applications["retribusi"]
    case_services.open_case(
        skm["skm_bpkad_staf"],
        versions["sop-001-pengelolaan-aplikasi"],
        "Pengelolaan",
        application=app,
    )
    today = dt.date.today()
    made = make(skm, period_start=str(today.replace(month=1, day=1)), period_end=str(today))
    section = services.figures_of(made)["cases"]
    assert section.status == sections.NONE
    assert section.rows == [("Cases", "no case in the period")]


def test_a_failing_section_is_shown_as_unavailable(skm) -> None:
    def broken(application: Any, start: dt.date, end: dt.date) -> sections.Section:
        raise RuntimeError("boom")

    sections.register_section("zz_broken", "Rusak", broken, 999)
    try:
        shown = services.figures_of(make(skm))
        assert shown["zz_broken"].title == "Rusak"
        assert shown["zz_broken"].status == sections.NONE
    finally:
        sections._SECTIONS.pop("zz_broken")


def test_the_ikm_section_reads_the_surveys_index(skm) -> None:
    index = pytest.importorskip("laksana.survey.index")
    from laksana.survey import answers
    from laksana.survey.elements import default_elements
    from laksana.survey.models import Survey

    app = skm.applications["retribusi"]
    survey = Survey.objects.create(
        agency=skm.agency,
        title="SKM e-Retribusi 2026",
        service_kind="application",
        application=app,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        elements=default_elements(),
        status="open",
        public_code="p7-test-code",
        created_by=skm["skm_ti1"],
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for score in (4, 3):
        answers.record(survey, {f"u{i}": score for i in range(1, 10)}, channel="public", now=at)
    result = index.of_survey(survey)
    assert result is not None
    section = services.figures_of(make(skm))["ikm"]
    assert section.rows[0][0] == "SKM e-Retribusi 2026"
    assert index.shown(result.converted) in section.rows[0][1]
    assert section.status == (sections.WARN if result.grade.letter in "CD" else sections.OK)
