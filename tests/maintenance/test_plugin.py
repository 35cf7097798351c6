"""SOP 000 run through the maintenance module end to end: the plan drafted, submitted and
signed (in force), the criteria fixed at row 2, row 3's branch read from the plan (a vendor's
plan and an internal one; a contrary outcome refused), the cycle's documentation complete
only when every activity is recorded, row 7 read from the evaluation (the plan's end), the
management report made from the plan; a plan uploaded as files still lets the person choose."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from laksana.cases import artifacts
from laksana.cases import services as case_services
from laksana.cases.models import Case, CaseStatus
from laksana.catalog.models import Contract, Vendor
from laksana.demo.orgs import SOP_000, build_university
from laksana.documents import services as documents
from laksana.documents.models import DocumentStatus
from laksana.errors import ServiceError
from laksana.maintenance import cycles, plans, plugin
from laksana.maintenance.models import Cycle, Occurrence, OccurrenceStatus, Plan, PlanStatus
from laksana.maintenance.plans import ActivityInput, CriterionInput, PlanInput
from tests.cases.helpers import active, pdf, work

pytestmark = pytest.mark.django_db

AFTER = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)  # after both cycles of the vendor's plan


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def utn(db):
    return build_university()


def sign(document: Any) -> Any:
    for signatory in document.signatories.order_by("order", "pk"):
        document = documents.sign(signatory.person, document)
    return document


def complete(person: Any, case: Case, values: dict[str, Any], **kw: Any) -> Case:
    return case_services.complete_step(person, active(case).pk, values=values, **kw)


def produced(case: Case, key: str) -> Any:
    row = active(case)
    spec = case.version.spec.artifact(key)
    producer = artifacts.producer_of(spec.type)
    assert producer is not None
    return producer(case, row, spec)


def in_force(utn: Any, data: PlanInput, activities: list[ActivityInput]) -> tuple[Plan, Case]:
    """A plan submitted, signed and in force, and its case at row 1 completed (s2 active)."""
    ops = utn["utn_ops1"]
    plan = plans.create_plan(ops, data)
    plans.set_activities(ops, plan.pk, activities)
    document = plans.submit_plan(ops, plan.pk)
    plan.refresh_from_db()
    assert plan.case is not None
    case = plan.case
    assert active(case).step_key == "s1"
    assert produced(case, "rencana_pemeliharaan").value is None  # awaiting approval
    assert sign(document).status == DocumentStatus.FINAL
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_FORCE
    value = produced(case, "rencana_pemeliharaan").value
    assert value["ref"] == f"document:{document.pk}"
    case = complete(
        ops,
        case,
        {"rencana_pemeliharaan": value},
        files=[case_services.FileInput("arsitektur_aplikasi", [pdf("arsitektur.pdf")])],
    )
    assert active(case).step_key == "s2"
    return plan, case


def record_all(cycle: Cycle, *, skip: int = 0) -> None:
    """Every activity of the cycle recorded: done, the first ``skip`` not done."""
    rows = list(Occurrence.objects.filter(plan_id=cycle.plan_id, cycle_number=cycle.number))
    assert rows
    for i, o in enumerate(rows):
        o.status = OccurrenceStatus.SKIPPED if i < skip else OccurrenceStatus.DONE
        o.save(update_fields=["status"])


def cycle_ref(cycle: Cycle) -> dict[str, str]:
    return {"ref": f"maintenance.cycle:{cycle.pk}"}


def test_the_registry_holds_the_modules_parts() -> None:
    assert artifacts.producer_of("maintenance.plan") is plugin.plan_produced
    assert artifacts.outcome_of("maintenance.plan") is plugin.plan_executor
    assert artifacts.resolver_of("maintenance.plan") is not None  # the documents module's
    assert artifacts.resolver_of("maintenance.acceptance_criteria") is plugin.resolve_criteria
    assert artifacts.resolver_of("maintenance.documentation") is plugin.resolve_documentation
    assert artifacts.outcome_of("maintenance.evaluation") is plugin.cycle_over
    assert artifacts.resolver_of("maintenance.report") is not None
    assert artifacts.producer_of("maintenance.report") is plugin.report_produced
    from laksana.documents import services as documents_services
    from laksana.ops import ticker

    assert plans.plan_signed in documents_services.ON_FINAL
    assert "maintenance" in ticker._PERIODIC


def test_a_vendors_plan_runs_sop_000_to_its_report(utn) -> None:
    ops, vendor = utn["utn_ops1"], utn["utn_vendor1"]
    siakad = utn.applications["siakad"]
    contract = Contract.objects.create(
        application=siakad,
        vendor=Vendor.objects.get(agency=utn.agency),
        number="SPK/PML/SIAKAD/2027",
        starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2030, 12, 31),
    )
    data = PlanInput(
        application_id=siakad.pk,
        title="Pemeliharaan SIAKAD Jan-Feb 2027",
        objective="SIAKAD terpelihara.",
        contract_id=contract.pk,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 2, 28),
    )
    plan, case = in_force(
        utn,
        data,
        [
            ActivityInput("preventive", "Pemeliharaan rutin", "vendor", "monthly", 1),
            ActivityInput(
                "backup_restore_test", "Uji restore", "internal", "dates", dates=["2027-02-10"]
            ),
        ],
    )
    # Row 2: the plan in force but without criteria is no criteria yet.
    ref = {"ref": f"maintenance.plan:{plan.pk}"}
    with pytest.raises(ServiceError) as e:
        complete(ops, case, {"kriteria_penerimaan": ref})
    assert e.value.code == "invalid_artifact" and "no acceptance criteria" in e.value.message
    for bad in ("maintenance.plan:999999", "maintenance.plan:x", "document:1", ""):
        with pytest.raises(ServiceError) as e:
            complete(ops, case, {"kriteria_penerimaan": {"ref": bad}})
        assert e.value.code == "invalid_artifact", bad
    plans.set_criteria(ops, plan.pk, [CriterionInput("judged", "Dokumentasi lengkap")])
    assert produced(case, "kriteria_penerimaan").value == ref
    case = complete(ops, case, {"kriteria_penerimaan": ref})
    plan.refresh_from_db()
    assert plan.criteria_fixed_at is not None
    with pytest.raises(ServiceError) as e:
        plans.set_criteria(ops, plan.pk, [])
    assert e.value.code == "criteria_fixed"
    criterion = plan.criteria.get()

    # Row 3: read from the plan. January's activity is the vendor's: Ya, not Tidak.
    assert active(case).step_key == "s3"
    with pytest.raises(ServiceError) as e:
        complete(ops, case, {}, outcome="Tidak")
    assert e.value.code == "outcome_decided"
    assert not Cycle.objects.filter(plan=plan).exists()
    case = complete(ops, case, {})
    assert active(case).step_key == "s4"
    first = Cycle.objects.get(plan=plan)
    assert (first.number, first.executor, first.ends_on) == (1, "vendor", dt.date(2027, 1, 31))

    # Row 4: the documentation is the cycle with every activity recorded.
    assert produced(case, "dokumentasi_pemeliharaan").value is None
    with pytest.raises(ServiceError) as e:
        complete(vendor, case, {"dokumentasi_pemeliharaan": cycle_ref(first)})
    assert e.value.code == "invalid_artifact" and "not recorded" in e.value.message
    record_all(first)
    assert produced(case, "dokumentasi_pemeliharaan").value == cycle_ref(first)
    case = complete(vendor, case, {"dokumentasi_pemeliharaan": cycle_ref(first)})
    assert case.state["artifacts"]["dokumentasi_pemeliharaan"]["done"] == 1

    # Row 6: the evaluation is the evaluated cycle.
    assert active(case).step_key == "s6"
    with pytest.raises(ServiceError) as e:
        complete(ops, case, {"evaluasi_ketercapaian": cycle_ref(first)})
    assert "not evaluated" in e.value.message
    cycles.evaluate_cycle(
        ops, first.pk, judged={criterion.pk: (True, "Lengkap")}, overrides={}, now=AFTER
    )
    case = complete(ops, case, {"evaluasi_ketercapaian": cycle_ref(first)})

    # Row 7: January does not end the plan: Tidak (back to row 3), not Ya.
    assert active(case).step_key == "s7"
    with pytest.raises(ServiceError) as e:
        complete(ops, case, {}, outcome="Ya")
    assert e.value.code == "outcome_decided"
    case = complete(ops, case, {})
    assert active(case).step_key == "s3"

    # The second cycle: February, vendor again; an old cycle is no documentation of it.
    case = complete(ops, case, {})
    second = Cycle.objects.get(plan=plan, number=2)
    assert second.executor == "vendor" and active(case).step_key == "s4"
    with pytest.raises(ServiceError) as e:
        complete(vendor, case, {"dokumentasi_pemeliharaan": cycle_ref(first)})
    assert "not the plan's current cycle" in e.value.message
    record_all(second, skip=1)
    case = complete(vendor, case, {"dokumentasi_pemeliharaan": cycle_ref(second)})
    assert case.state["artifacts"]["dokumentasi_pemeliharaan"]["not_done"] == 1
    cycles.evaluate_cycle(
        ops, second.pk, judged={criterion.pk: (False, "Kurang")}, overrides={}, now=AFTER
    )
    case = complete(ops, case, {"evaluasi_ketercapaian": cycle_ref(second)})
    assert case.state["artifacts"]["evaluasi_ketercapaian"]["last"] is True

    # Row 7: February ends the plan: Ya, to the report.
    with pytest.raises(ServiceError) as e:
        complete(ops, case, {}, outcome="Tidak")
    assert e.value.code == "outcome_decided"
    case = complete(ops, case, {})
    assert active(case).step_key == "s8"

    # Row 8: the management report made from the plan, signed, completes the case.
    status = produced(case, "laporan_manajemen")
    assert (status.value, status.action) == (None, "Make the management report")
    report = plugin.make_report(ops, plan.pk, now=AFTER)
    assert (report.kind, report.source) == (
        "laporan_manajemen_pemeliharaan",
        f"maintenance.plan:{plan.pk}",
    )
    assert report.fields["application"] == siakad.name
    again = plugin.make_report(ops, plan.pk, now=AFTER)
    assert again.pk == report.pk  # made again, not twice
    documents.submit(ops, report)
    report = sign(report)
    case = complete(ops, case, {"laporan_manajemen": produced(case, "laporan_manajemen").value})
    assert case.status == CaseStatus.FINISHED


def test_an_internal_plan_takes_the_internal_branch_and_ends_after_one_cycle(utn) -> None:
    ops = utn["utn_ops1"]
    lms = utn.applications["lms"]
    data = PlanInput(
        application_id=lms.pk,
        title="Pemeliharaan LMS Januari 2027",
        objective="LMS terpelihara.",
        budget_year=2027,
        ends_on=dt.date(2027, 1, 31),
    )
    plan, case = in_force(
        utn, data, [ActivityInput("security_update", "Patch keamanan", "internal", "monthly", 2)]
    )
    plans.set_criteria(ops, plan.pk, [CriterionInput("judged", "Tidak ada keluhan", None)])
    case = complete(ops, case, {"kriteria_penerimaan": {"ref": f"maintenance.plan:{plan.pk}"}})
    assert plugin.plan_executor(case, case.state["artifacts"]["rencana_pemeliharaan"]) == (
        "internal"
    )
    with pytest.raises(ServiceError) as e:
        complete(ops, case, {}, outcome="Ya")
    assert e.value.code == "outcome_decided"
    case = complete(ops, case, {})
    assert active(case).step_key == "s5"
    cycle = Cycle.objects.get(plan=plan)
    assert cycle.executor == "internal"
    record_all(cycle)
    case = complete(ops, case, {"dokumentasi_pemeliharaan": cycle_ref(cycle)})
    # Until helper C's evaluation: the cycle marked evaluated directly.
    Cycle.objects.filter(pk=cycle.pk).update(evaluated_at=AFTER, evaluation=[])
    case = complete(ops, case, {"evaluasi_ketercapaian": cycle_ref(cycle)})
    assert plugin.cycle_over(case, cycle_ref(cycle)) == "siklus_berakhir"
    case = complete(ops, case, {})
    assert active(case).step_key == "s8"


def test_references_of_another_case_are_not_resolved(utn) -> None:
    ops = utn["utn_ops1"]
    lms = utn.applications["lms"]
    plan, case = in_force(
        utn,
        PlanInput(lms.pk, "LMS", "LMS terpelihara.", budget_year=2027),
        [ActivityInput("preventive", "Rutin", "internal", "monthly")],
    )
    plans.set_criteria(ops, plan.pk, [CriterionInput("judged", "Baik")])
    other = case_services.open_case(
        utn["utn_kasi_ops"], plan.case.version, "Kasus lain", application=lms
    )
    assert plugin.plan_executor(other, case.state["artifacts"]["rencana_pemeliharaan"]) is None
    other = work(ops, other)  # row 1 as files: no plan of this case in Laksana
    with pytest.raises(ServiceError) as e:
        complete(ops, other, {"kriteria_penerimaan": {"ref": f"maintenance.plan:{plan.pk}"}})
    assert "this case has no maintenance plan" in e.value.message
    assert produced(other, "kriteria_penerimaan").action == "Write the maintenance plan"


def test_a_plan_uploaded_as_files_leaves_the_branches_to_the_person(utn, versions) -> None:
    ops = utn["utn_kasi_ops"]
    case = case_services.open_case(
        ops, versions[SOP_000], "Pemeliharaan Web FT", application=utn.applications["web_ft"]
    )
    case = work(ops, work(ops, case))  # rows 1 and 2 uploaded as signed files
    assert plugin.plan_executor(case, case.state["artifacts"]["rencana_pemeliharaan"]) is None
    case = work(ops, case, outcome="Tidak")
    assert active(case).step_key == "s5"
    case = work(ops, work(ops, case))  # the documentation and the evaluation as files
    assert active(case).step_key == "s7"
    case = work(ops, case, outcome="Tidak")
    assert active(case).step_key == "s3"
    assert not Plan.objects.exists() and not Cycle.objects.exists()


def test_a_report_is_made_only_for_a_plan_in_force_at_its_step(utn) -> None:
    ops = utn["utn_ops1"]
    plan = plans.create_plan(
        ops,
        PlanInput(utn.applications["lms"].pk, "LMS", "LMS terpelihara.", budget_year=2027),
    )
    with pytest.raises(ServiceError) as e:
        plugin.make_report(ops, plan.pk)
    assert e.value.code == "not_in_force"
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.IN_FORCE)
    with pytest.raises(ServiceError):
        plugin.make_report(ops, plan.pk)  # no case
    assert Decimal(0) == Decimal(plan.activities.count())
