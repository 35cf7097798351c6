"""The testing module on the registry of artifact types: the scenario set as SOP 002 row 7's
output, the step's page saying where a run stands, the outcome of row 9 read from the UAT's
minutes, and the whole of SOP 002 from row 7 to row 10 through real runs: a rejected UAT goes
back to the fix, its retest accepted goes on to the handover."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.utils import translation

from laksana.cases import artifacts
from laksana.cases import services as case_services
from laksana.cases.models import Case
from laksana.documents.models import DocumentStatus
from laksana.errors import ServiceError
from laksana.quality import plugin, runs, scenarios
from laksana.quality.models import Priority, RunStatus
from laksana.quality.models import TestRun as Run
from tests.quality.test_runs import active, case_at, make_set, scenario, sign_all, start, verdicts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def complete(person: Any, case: Case, values: dict[str, Any], outcome: str | None = None) -> Case:
    return case_services.complete_step(person, active(case).pk, values=values, outcome=outcome)


def test_the_registry_holds_the_modules_parts() -> None:
    for type_name in ("minutes.sit", "minutes.uat", "security.test_report"):
        assert artifacts.producer_of(type_name) is plugin.run_produced
        assert artifacts.outcome_of(type_name) is plugin.run_result
        assert artifacts.resolver_of(type_name) is not None
    assert artifacts.resolver_of("quality.test_scenarios") is plugin._scenarios_resolver
    assert artifacts.producer_of("quality.test_scenarios") is plugin.scenarios_produced


def test_a_scenario_set_reference_names_a_set_of_the_cases_application(bali, sop002, djki):
    case = case_at(bali, sop002, "s7")
    simpeg = make_set(bali, app="simpeg", name="SIMPEG")
    djki_app = next(iter(djki.applications.values()))
    foreign = scenarios.create_set(
        djki["direktur"], djki_app.pk, name="DJKI", scenarios=[scenario(1)]
    )
    for ref in (
        f"scenarios:{simpeg.pk}",
        f"scenarios:{foreign.pk}",
        "scenarios:999999",
        "scenarios:abc",
        "document:1",
        "",
        "scenarios:" + "9" * 30,
    ):
        with pytest.raises(ServiceError) as e:
            complete(bali["dev1"], case, {"skenario_pengujian": {"ref": ref}})
        assert e.value.code == "invalid_artifact", ref
    chosen = make_set(bali, count=3)
    case = complete(bali["dev1"], case, {"skenario_pengujian": {"ref": f"scenarios:{chosen.pk}"}})
    assert case.state["artifacts"]["skenario_pengujian"] == {
        "ref": f"scenarios:{chosen.pk}",
        "revision": 1,
        "name": "Skenario SIKESDA",
        "count": 3,
    }


def test_a_scenario_set_reference_may_name_a_revision(bali, sop002) -> None:
    case = case_at(bali, sop002, "s7")
    chosen = make_set(bali, count=2)
    scenarios.save_scenario(bali["kadis"], chosen.pk, scenario(3))
    with pytest.raises(ServiceError) as e:
        complete(bali["dev1"], case, {"skenario_pengujian": {"ref": f"scenarios:{chosen.pk}@9"}})
    assert "no revision 9" in e.value.message
    ref = {"ref": f"scenarios:{chosen.pk}@1"}
    case = complete(bali["dev1"], case, {"skenario_pengujian": ref})
    kept = case.state["artifacts"]["skenario_pengujian"]
    assert (kept["revision"], kept["count"]) == (1, 2)


def test_the_step_page_says_where_the_run_stands(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    row = active(case)
    spec = case.version.spec.artifact("ba_sit")
    produced = plugin.run_produced(case, row, spec)
    assert produced.value is None and produced.action == "Start the test run"
    assert f"step={row.pk}" in produced.url and "artifact=ba_sit" in produced.url
    run = start(bali, case)
    produced = plugin.run_produced(case, row, spec)
    assert "in progress" in produced.status and produced.value is None
    verdicts(bali, run, "dev1", "lulus", "lulus")
    run = runs.close_run(bali["dev1"], run.pk)
    produced = plugin.run_produced(case, row, spec)
    assert "closed" in produced.status and produced.value is None
    sign_all(bali, run.document)
    produced = plugin.run_produced(case, row, spec)
    assert produced.value is not None
    assert produced.value["ref"] == f"document:{run.document_id}"


def test_the_outcome_reader_maps_a_document_to_its_run(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    run = start(bali, case)
    assert plugin.run_result(case, {"ref": "document:999999"}) is None
    assert plugin.run_result(case, {"ref": "nonsense"}) is None
    assert plugin.run_result(case, {"files": []}) is None
    verdicts(bali, run, "dev1", "gagal", "lulus")
    run = runs.close_run(bali["dev1"], run.pk)
    assert (
        plugin.run_result(case, {"ref": f"document:{run.document_id}"}) == "diterima_dengan_catatan"
    )
    other = case_at(bali, sop002, "s8", title="Kasus lain")
    assert plugin.run_result(other, {"ref": f"document:{run.document_id}"}) is None


def test_a_made_up_document_reference_is_refused(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    for ref in ("document:999999", "document:0", "document:-1", "x", 12.5):
        with pytest.raises(ServiceError) as e:
            complete(bali["dev1"], case, {"ba_sit": {"ref": ref}})
        assert e.value.code == "invalid_artifact"


def uat(bali: Any, case: Case, *values: str, **kw: Any) -> Run:
    """A UAT by the requester's staff with ``values`` as verdicts, closed, its minutes
    signed."""
    run = start(bali, case, who="dinkes_staf", **kw)
    verdicts(bali, run, "dinkes_staf", *values)
    run = runs.close_run(bali["dinkes_staf"], run.pk, place="Dinas Kesehatan")
    assert sign_all(bali, run.document).status == DocumentStatus.FINAL
    run.refresh_from_db()
    assert run.status == RunStatus.SIGNED
    return run


def test_sop_002_rows_7_to_10_through_real_runs(bali, sop002) -> None:
    case = case_at(bali, sop002, "s7")
    chosen = scenarios.create_set(
        bali["dev1"],
        bali.applications["sikesda"].pk,
        name="Skenario perbaikan laporan",
        app_version="2.1",
        scenarios=[scenario(1, Priority.HIGH), scenario(2)],
    )
    case = complete(bali["dev1"], case, {"skenario_pengujian": {"ref": f"scenarios:{chosen.pk}"}})
    # Row 8: the SIT, its BA SIT signed, the step completed with it.
    assert active(case).step_key == "s8"
    sit = start(bali, case, scenario_set_id=chosen.pk)
    verdicts(bali, sit, "dev1", "lulus", "lulus")
    sit = runs.close_run(bali["dev1"], sit.pk)
    doc = sign_all(bali, sit.document)
    assert doc.kind == "ba_sit" and doc.status == DocumentStatus.FINAL
    case = complete(bali["dev1"], case, {"ba_sit": {"ref": f"document:{doc.pk}"}})
    assert case.state["artifacts"]["ba_sit"]["ref"] == f"document:{doc.pk}"
    # Row 9: the UAT rejected (a high-priority scenario failed).
    assert active(case).step_key == "s9"
    rejected = uat(bali, case, "gagal", "lulus", scenario_set_id=chosen.pk)
    assert rejected.result == "ditolak"
    value = {"ba_uat": {"ref": f"document:{rejected.document_id}"}}
    with pytest.raises(ServiceError) as e:
        complete(bali["dinkes_staf"], case, value, outcome="Diterima")
    assert e.value.code == "outcome_decided"
    case = complete(bali["dinkes_staf"], case, value)
    assert active(case).step_key == "s6"
    # The fix, the scenarios again, a new SIT; then the retest of the UAT, accepted.
    case = case_services.complete_step(
        bali["dev1"], active(case).pk, files=_files("dokumen_pengembangan")
    )
    case = complete(bali["dev1"], case, {"skenario_pengujian": {"ref": f"scenarios:{chosen.pk}"}})
    sit2 = start(bali, case, scenario_set_id=chosen.pk, app_version="2.1.1")
    assert sit2.number == 2  # the second SIT of the case (runs are numbered per kind)
    verdicts(bali, sit2, "dev1", "lulus", "lulus")
    sit2 = runs.close_run(bali["dev1"], sit2.pk)
    doc2 = sign_all(bali, sit2.document)
    case = complete(bali["dev1"], case, {"ba_sit": {"ref": f"document:{doc2.pk}"}})
    assert active(case).step_key == "s9"
    # The old UAT's minutes are not this visit's output.
    with pytest.raises(ServiceError):
        complete(bali["dinkes_staf"], case, value)
    accepted = uat(
        bali,
        case,
        "lulus",
        "tidak_dijalankan",
        scenario_set_id=chosen.pk,
        app_version="2.1.1",
        retest_of_id=rejected.pk,
    )
    assert accepted.retest_of_id == rejected.pk
    assert accepted.result == "diterima_dengan_catatan"
    assert accepted.document.fields["retest_of"] == "UAT 1"  # numbered per kind
    case = complete(
        bali["dinkes_staf"], case, {"ba_uat": {"ref": f"document:{accepted.document_id}"}}
    )
    assert active(case).step_key == "s10"
    # Both BA UAT final, each the minutes of its own run.
    finals = case.documents.filter(kind="ba_uat", status=DocumentStatus.FINAL)
    assert finals.count() == 2
    assert {d.source for d in finals} == {
        f"quality.run:{rejected.pk}",
        f"quality.run:{accepted.pk}",
    }
    from laksana.cases.journal import verify_case

    assert verify_case(Case.objects.get(pk=case.pk)) is None


def _files(key: str) -> list[case_services.FileInput]:
    from tests.cases.helpers import pdf

    return [case_services.FileInput(key, [pdf(f"{key}.pdf")])]


def test_the_security_report_resolves_only_a_final_laporan_uji_keamanan(bali, sop002) -> None:
    from laksana.documents.kinds import BY_ARTIFACT_TYPE, KINDS

    kind = KINDS["laporan_uji_keamanan"]
    assert kind.made_by == "quality" and kind.number_code == "LUK"
    assert BY_ARTIFACT_TYPE["security.test_report"] is kind
    case = case_at(bali, sop002, "s8")
    run = start(bali, case)
    verdicts(bali, run, "dev1", "lulus", "lulus")
    run = runs.close_run(bali["dev1"], run.pk)
    doc = sign_all(bali, run.document)
    row = active(case)
    spec = dataclasses.replace(case.version.spec.artifact("ba_sit"), type="security.test_report")
    ctx = artifacts.Context(case, row, bali["dev1"], spec, produced=False)
    resolver = artifacts.resolver_of("security.test_report")
    assert resolver is not None
    with pytest.raises(artifacts.Unresolved, match="is not a Laporan Uji Keamanan"):
        resolver(ctx, f"document:{doc.pk}")


def test_the_scenario_step_links_to_the_applications_sets(bali, sop002) -> None:
    case = case_at(bali, sop002, "s7")
    row = active(case)
    spec = case.version.spec.artifact("skenario_pengujian")
    produced = plugin.scenarios_produced(case, row, spec)
    assert produced.value is None and produced.status == "No scenario set of the application yet"
    make_set(bali)
    produced = plugin.scenarios_produced(case, row, spec)
    assert produced.status == "1 scenario set(s) of the application"
    app = bali.applications["sikesda"].pk
    assert produced.url == "" or produced.url.endswith(f"?application={app}")
