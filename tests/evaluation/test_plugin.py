"""SOP 001's row f.3 read from the evaluation of f.1 (``decided_by: laporan_evaluasi``): a
concluded "retire" leads to g.1 (the decommissioning), "keep" and "improve" back to e.1; the
person cannot choose otherwise; a draft, another application's evaluation or a malformed
reference is refused at f.1; a report uploaded as a file still lets the person choose."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from laksana.cases import artifacts
from laksana.cases import services as case_services
from laksana.catalog.models import Application
from laksana.errors import ServiceError
from laksana.evaluation import plugin, services
from laksana.evaluation.models import Evaluation

from ..cases.helpers import active
from ..catalog.helpers import step
from .helpers import case_at_f1

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-06-30"}


def produced(case: Any) -> artifacts.Produced:
    row = active(case)
    spec = case.version.spec.artifact("laporan_evaluasi")
    producer = artifacts.producer_of(spec.type)
    assert producer is not None
    return producer(case, row, spec)


def concluded(skm: Any, case: Any, conclusion: str) -> Evaluation:
    ti = skm["skm_ti1"]
    made = services.create_evaluation(
        ti, {"application": case.application_id, "case": case.pk, **PERIOD}
    )
    assert produced(case).value is None  # a draft: nothing to complete with yet
    assert "draft" in produced(case).status
    return services.conclude(ti, made.pk, conclusion, "Dinilai dari IKM dan kasus masalah.")


def run_to_f3(skm: Any, case: Any, evaluation: Evaluation) -> Any:
    value = produced(case).value
    assert value == plugin.value_of(evaluation)
    case = step(skm["skm_ti1"], case, values={"laporan_evaluasi": {"ref": value["ref"]}})
    assert case.state["artifacts"]["laporan_evaluasi"]["conclusion"] == evaluation.conclusion
    case = step(skm["skm_ti1"], case)  # f.2: the survey (a file)
    assert active(case).step_key == "f3"
    return case


def test_the_registry_holds_the_modules_parts() -> None:
    assert artifacts.outcome_of("quality.evaluation_report") is plugin.conclusion_of
    assert artifacts.resolver_of("quality.evaluation_report") is plugin.resolve
    assert artifacts.producer_of("quality.evaluation_report") is plugin.produced


def test_f3_spec_reads_the_evaluation(versions) -> None:
    spec = versions["sop-001-pengelolaan-aplikasi"].spec
    decision = spec.step("f3").decision
    assert decision is not None and decision.decided_by == "laporan_evaluasi"
    assert decision.outcome_for("retire").label == "Tidak"
    assert decision.outcome_for("keep").label == "Ya"
    assert decision.outcome_for("improve").label == "Ya"


def test_retire_leads_f3_to_decommissioning(skm, versions) -> None:
    case = case_at_f1(skm, versions)
    evaluation = concluded(skm, case, "retire")
    case = run_to_f3(skm, case, evaluation)
    with pytest.raises(ServiceError) as refused:
        step(skm["skm_ti1"], case, "Ya")
    assert refused.value.code == "outcome_decided" and refused.value.field == "outcome"
    case.refresh_from_db()
    assert active(case).step_key == "f3"
    case = step(skm["skm_ti1"], case)  # nobody chooses: read from the conclusion
    assert case.steps.get(step_key="f3").outcome == "Tidak"
    assert active(case).step_key == "g1"


@pytest.mark.parametrize("conclusion", ["keep", "improve"])
def test_keep_or_improve_leads_f3_back_to_operation(skm, versions, conclusion) -> None:
    case = case_at_f1(skm, versions)
    case = run_to_f3(skm, case, concluded(skm, case, conclusion))
    case = step(skm["skm_ti1"], case)
    assert case.steps.get(step_key="f3").outcome == "Ya"
    row = active(case)
    assert (row.step_key, row.visit) == ("e1", 2)


def test_f1_refuses_a_draft_another_application_and_a_bad_reference(skm, versions) -> None:
    case = case_at_f1(skm, versions)
    ti = skm["skm_ti1"]
    draft = services.create_evaluation(ti, {"application": case.application_id, **PERIOD})
    other_app = Application.objects.create(
        agency=skm.agency, name="Aplikasi lain", owner_unit=skm.units["bpkad"]
    )
    other = services.create_evaluation(ti, {"application": other_app.pk, **PERIOD})
    services.conclude(ti, other.pk, "keep", "Baik.")
    row = active(case)
    for ref, words in (
        (f"evaluation:{draft.pk}", "not concluded"),
        (f"evaluation:{other.pk}", "no evaluation"),
        ("evaluation:x", "names no evaluation"),
        (f"evaluation:{2**70}", "names no evaluation"),
    ):
        with pytest.raises(ServiceError) as refused:
            case_services.complete_step(ti, row.pk, values={"laporan_evaluasi": {"ref": ref}})
        assert words in refused.value.message, refused.value.message
        case.refresh_from_db()
        assert active(case).step_key == "f1"


def test_an_evaluation_of_another_case_is_not_this_cases(skm, versions) -> None:
    case = case_at_f1(skm, versions)
    ti = skm["skm_ti1"]
    made = services.conclude(
        ti,
        services.create_evaluation(ti, {"application": case.application_id, **PERIOD}).pk,
        "retire",
        "Tidak dipakai.",
    )
    Evaluation.objects.filter(pk=made.pk).update(case=case)
    other = case_services.open_case(
        skm["skm_bpkad_staf"],
        versions["sop-001-pengelolaan-aplikasi"],
        "Kasus kedua",
        application=case.application,
    )
    assert plugin.conclusion_of(other, {"ref": f"evaluation:{made.pk}"}) is None
    assert plugin.conclusion_of(case, {"ref": f"evaluation:{made.pk}"}) == "retire"
    assert plugin.conclusion_of(case, {"files": []}) is None


def test_the_producer_links_a_new_evaluation_when_there_is_none(skm, versions) -> None:
    case = case_at_f1(skm, versions)
    shown = produced(case)
    assert shown.value is None and "/evaluasi/baru/" in shown.url
    assert f"kasus={case.pk}" in shown.url


def test_concluding_ties_the_case_only_while_f1_is_active(skm, versions) -> None:
    case = case_at_f1(skm, versions)
    ti = skm["skm_ti1"]
    made = services.create_evaluation(ti, {"application": case.application_id, **PERIOD})
    case = step(ti, case)  # f.1 done with a file: f.1 no longer active
    with pytest.raises(ServiceError) as refused:
        services.conclude(ti, made.pk, "keep", "Baik.", case=case.pk)
    assert refused.value.field == "case"
    made.refresh_from_db()
    assert made.status == "draft" and made.case_id is None
    assert dt.date(2026, 1, 1) == made.period_start
