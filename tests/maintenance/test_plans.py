"""Maintenance plans: who writes and reads them, their checks (every problem by field,
nothing written), the period from the budget year or the contract, activities and criteria,
no change after submission or once the criteria are fixed, and the approval document (drafted
in the plan's SOP 000 case, withdrawn, signed → in force with its dates generated)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from laksana.catalog.models import Contract, Vendor
from laksana.demo.orgs import build_university
from laksana.documents import services as documents
from laksana.documents.models import DocumentStatus
from laksana.errors import NotAllowed, ServiceError
from laksana.maintenance import plans
from laksana.maintenance.models import Occurrence, Plan, PlanStatus
from laksana.maintenance.plans import ActivityInput, CriterionInput, InvalidInput, PlanInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def utn(db):
    return build_university()


def contract(utn: Any, app: str = "siakad", **fields: Any) -> Contract:
    values: dict[str, Any] = {
        "application": utn.applications[app],
        "vendor": Vendor.objects.get(agency=utn.agency, name="PT Mitra Solusi Informatika"),
        "number": f"SPK/PML/{app}/{Contract.objects.count() + 1}",
        "starts_on": dt.date(2027, 1, 1),
        "ends_on": dt.date(2027, 6, 30),
        "support_ends_on": dt.date(2027, 9, 30),
    }
    values.update(fields)
    return Contract.objects.create(**values)


def data(utn: Any, app: str = "siakad", **fields: Any) -> PlanInput:
    values: dict[str, Any] = {
        "application_id": utn.applications[app].pk,
        "title": "Rencana pemeliharaan SIAKAD 2027",
        "objective": "SIAKAD tersedia dan terpelihara sepanjang tahun anggaran.",
        "budget_year": 2027,
    }
    values.update(fields)
    return PlanInput(**values)


def monthly(**fields: Any) -> ActivityInput:
    values: dict[str, Any] = {
        "kind": "preventive",
        "title": "Pemeliharaan rutin server aplikasi",
        "executor": "vendor",
        "schedule": "monthly",
        "working_day": 3,
        "budget": Decimal(1_500_000),
    }
    values.update(fields)
    return ActivityInput(**values)


def availability(**fields: Any) -> CriterionInput:
    values: dict[str, Any] = {
        "kind": "availability",
        "label": "Ketersediaan minimal 99,5 % per bulan",
        "target": Decimal("99.5"),
    }
    values.update(fields)
    return CriterionInput(**values)


def errors_of(exc: pytest.ExceptionInfo[Any]) -> dict[str, list[str]]:
    assert isinstance(exc.value, InvalidInput)
    return exc.value.errors


@pytest.fixture
def draft(utn) -> Plan:
    plan = plans.create_plan(utn["utn_ops1"], data(utn))
    return plans.set_activities(utn["utn_ops1"], plan.pk, [monthly()])


# --- attacks: who writes ----------------------------------------------------------------------


def test_only_keepers_of_the_plans_agency_write_plans(utn, bali) -> None:
    for who in ("utn_vendor1", "utn_ft_staf", "utn_dekan_feb"):
        with pytest.raises(NotAllowed):
            plans.create_plan(utn[who], data(utn))
    # Another agency's person names UTN's application: as if it did not exist.
    with pytest.raises(ServiceError) as e:
        plans.create_plan(bali["kadis"], data(utn))
    assert (e.value.code, e.value.field) == ("not_found", "application_id")
    # A UTN keeper names another agency's application.
    foreign = next(iter(bali.applications.values()))
    with pytest.raises(ServiceError) as e:
        plans.create_plan(utn["utn_ops1"], data(utn, application_id=foreign.pk))
    assert (e.value.code, e.value.field) == ("not_found", "application_id")
    for bad in (0, -1, 2**70, "abc", None):
        with pytest.raises(ServiceError) as e:
            plans.create_plan(utn["utn_ops1"], data(utn, application_id=bad))
        assert e.value.field == "application_id"
    assert not Plan.objects.exists()


def test_another_agencys_plan_is_not_found_and_a_vendor_cannot_change_one(utn, bali, draft) -> None:
    for call in (
        lambda p: plans.set_activities(p, draft.pk, [monthly()]),
        lambda p: plans.set_criteria(p, draft.pk, [availability()]),
        lambda p: plans.change_plan(p, draft.pk, data(utn)),
        lambda p: plans.submit_plan(p, draft.pk),
        lambda p: plans.withdraw_plan(p, draft.pk),
    ):
        with pytest.raises(ServiceError) as e:
            call(bali["kadis"])
        assert e.value.code == "not_found"
        with pytest.raises(NotAllowed):
            call(utn["utn_vendor1"])
        with pytest.raises(NotAllowed):
            call(utn["utn_ft_staf"])
    with pytest.raises(ServiceError) as e:
        plans.set_activities(utn["utn_ops1"], 999_999, [monthly()])
    assert e.value.code == "not_found"
    assert draft.activities.get().title == "Pemeliharaan rutin server aplikasi"


def test_who_reads_plans(utn, bali, draft) -> None:
    own = contract(utn)
    other_vendor = Vendor.objects.create(agency=utn.agency, name="CV Lain")
    with_contract = plans.create_plan(
        utn["utn_ops1"], data(utn, budget_year=None, contract_id=own.pk)
    )
    assert plans.may_read(utn["utn_ft_staf"], draft)  # an agency member
    assert plans.may_read(None, draft)
    assert not plans.may_read(bali["kadis"], draft)
    assert not plans.may_read(utn["utn_vendor1"], draft)  # no contract: not the vendor's
    assert plans.may_read(utn["utn_vendor1"], with_contract)
    vendor = utn["utn_vendor1"]
    vendor.vendor = other_vendor
    assert not plans.may_read(vendor, with_contract)
    vendor.refresh_from_db()
    assert set(plans.visible_plans(utn["utn_vendor1"])) == {with_contract}
    assert set(plans.visible_plans(utn["utn_ft_staf"])) == {draft, with_contract}
    assert not plans.visible_plans(bali["kadis"]).exists()
    assert not plans.may_keep(utn["utn_vendor1"], utn.agency.pk)


# --- attacks: the plan's fields ---------------------------------------------------------------


def test_a_contract_must_be_of_the_plans_application(utn, bali) -> None:
    lms = contract(utn, "lms")
    with pytest.raises(ServiceError) as e:
        plans.create_plan(utn["utn_ops1"], data(utn, contract_id=lms.pk))
    assert "contract_id" in errors_of(e)
    foreign_app = next(iter(bali.applications.values()))
    foreign = Contract.objects.create(
        application=foreign_app,
        vendor=Vendor.objects.create(agency=bali.agency, name="PT Bali"),
        number="X",
    )
    with pytest.raises(ServiceError) as e:
        plans.create_plan(utn["utn_ops1"], data(utn, contract_id=foreign.pk))
    assert (e.value.code, e.value.field) == ("not_found", "contract_id")
    assert not Plan.objects.exists()


def test_a_budget_year_or_a_contract_is_required_and_sets_the_period(utn) -> None:
    with pytest.raises(ServiceError) as e:
        plans.create_plan(utn["utn_ops1"], data(utn, budget_year=None))
    assert "budget_year" in errors_of(e)
    for bad in (1999, 2101, "x", True):
        with pytest.raises(ServiceError) as e:
            plans.create_plan(utn["utn_ops1"], data(utn, budget_year=bad))
        assert "budget_year" in errors_of(e)
    by_year = plans.create_plan(utn["utn_ops1"], data(utn))
    assert (by_year.starts_on, by_year.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    own = contract(utn)
    by_contract = plans.create_plan(
        utn["utn_ops1"], data(utn, budget_year=None, contract_id=own.pk)
    )
    # The support period after the contract counts.
    assert (by_contract.starts_on, by_contract.ends_on) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 9, 30),
    )
    assert by_contract.contract_id == own.pk and by_contract.status == PlanStatus.DRAFT


def test_dates_lie_inside_the_contracts_period_or_the_budget_year(utn) -> None:
    own = contract(utn)
    ops = utn["utn_ops1"]
    cases = [
        ({"starts_on": dt.date(2026, 12, 31)}, "starts_on"),
        ({"ends_on": dt.date(2027, 10, 1)}, "ends_on"),
        ({"starts_on": dt.date(2027, 5, 1), "ends_on": dt.date(2027, 4, 1)}, "ends_on"),
        ({"starts_on": "2027-02-30"}, "starts_on"),
        ({"starts_on": dt.datetime(2027, 2, 1, tzinfo=dt.UTC)}, "starts_on"),
    ]
    for fields, name in cases:
        with pytest.raises(ServiceError) as e:
            plans.create_plan(ops, data(utn, budget_year=None, contract_id=own.pk, **fields))
        assert name in errors_of(e), fields
    with pytest.raises(ServiceError) as e:
        plans.create_plan(ops, data(utn, ends_on=dt.date(2028, 1, 31)))
    assert "ends_on" in errors_of(e)
    no_dates = contract(utn, starts_on=None, ends_on=None, support_ends_on=None)
    with pytest.raises(ServiceError) as e:
        plans.create_plan(ops, data(utn, budget_year=None, contract_id=no_dates.pk))
    assert {"starts_on", "ends_on"} <= set(errors_of(e))
    assert not Plan.objects.exists()


def test_every_problem_of_the_plan_is_named_at_once(utn) -> None:
    with pytest.raises(ServiceError) as e:
        plans.create_plan(
            utn["utn_ops1"],
            data(
                utn, title="  ", objective="", cycle_length="week", lead_days=61, scope="x" * 10_001
            ),
        )
    assert {"title", "objective", "cycle_length", "lead_days", "scope"} <= set(errors_of(e))
    assert not Plan.objects.exists()


def test_a_plans_case_is_a_sop_000_case_of_its_application(utn, bali, versions) -> None:
    from laksana.cases import services as case_services
    from laksana.demo.orgs import SOP_000

    ops = utn["utn_kasi_ops"]
    lms = case_services.open_case(
        ops, versions[SOP_000], "Pemeliharaan LMS", application=utn.applications["lms"]
    )
    with pytest.raises(ServiceError) as e:
        plans.create_plan(ops, data(utn), case_id=lms.pk)
    assert "case_id" in errors_of(e)
    foreign = case_services.open_case(
        bali["dinkes_staf"],
        bali.versions["sop-002-penanganan-permasalahan-aplikasi"]
        if "sop-002-penanganan-permasalahan-aplikasi" in bali.versions
        else next(iter(bali.versions.values())),
        "Kasus Bali",
        application=bali.applications["sikesda"],
    )
    with pytest.raises(ServiceError) as e:
        plans.create_plan(ops, data(utn), case_id=foreign.pk)
    assert (e.value.code, e.value.field) == ("not_found", "case_id")
    siakad = case_services.open_case(
        ops, versions[SOP_000], "Pemeliharaan SIAKAD", application=utn.applications["siakad"]
    )
    plan = plans.create_plan(ops, data(utn), case_id=siakad.pk)
    assert plan.case_id == siakad.pk
    with pytest.raises(ServiceError) as e:
        plans.create_plan(ops, data(utn), case_id=siakad.pk)
    assert "case_id" in errors_of(e)


def test_a_plans_application_does_not_change(utn, draft) -> None:
    with pytest.raises(ServiceError) as e:
        plans.change_plan(utn["utn_ops1"], draft.pk, data(utn, "lms"))
    assert "application_id" in errors_of(e)
    changed = plans.change_plan(utn["utn_ops1"], draft.pk, data(utn, title="Rencana baru"))
    assert changed.title == "Rencana baru"


# --- attacks: activities ----------------------------------------------------------------------


def test_activities_are_checked_by_field_and_nothing_changes(utn, draft) -> None:
    ops = utn["utn_ops1"]
    items = [
        monthly(),
        monthly(schedule="dates", dates=[dt.date(2027, 3, 15), dt.date(2028, 1, 5)]),
        monthly(working_day=0),
        monthly(working_day=21),
        monthly(budget=Decimal(-1)),
        monthly(budget=Decimal("1.5")),
        monthly(kind="painting", executor="nobody", schedule="daily"),
        monthly(schedule="dates", dates=[]),
        monthly(title=""),
        monthly(schedule="dates", dates=["15-03-2027"]),
    ]
    with pytest.raises(ServiceError) as e:
        plans.set_activities(ops, draft.pk, items)
    errors = errors_of(e)
    assert "activities.0.working_day" not in errors
    for name in (
        "activities.1.dates",
        "activities.2.working_day",
        "activities.3.working_day",
        "activities.4.budget",
        "activities.5.budget",
        "activities.6.kind",
        "activities.6.executor",
        "activities.6.schedule",
        "activities.7.dates",
        "activities.8.title",
        "activities.9.dates",
    ):
        assert name in errors, name
    assert draft.activities.count() == 1  # unchanged
    with pytest.raises(ServiceError) as e:
        plans.set_activities(ops, draft.pk, [monthly()] * 201)
    assert "activities" in errors_of(e)
    plans.set_activities(ops, draft.pk, [monthly()] * 200)
    assert draft.activities.count() == 200
    saved = plans.set_activities(
        ops,
        draft.pk,
        [
            monthly(budget=Decimal(0)),
            monthly(
                schedule="dates",
                executor="internal",
                kind="backup_restore_test",
                dates=["2027-06-10", dt.date(2027, 3, 15)],
            ),
        ],
    )
    first, second = saved.activities.order_by("order")
    assert first.budget == 0 and second.dates == ["2027-03-15", "2027-06-10"]


def test_a_changed_period_that_leaves_an_activity_out_is_refused(utn, draft) -> None:
    ops = utn["utn_ops1"]
    plans.set_activities(ops, draft.pk, [monthly(schedule="dates", dates=["2027-11-20"])])
    with pytest.raises(ServiceError) as e:
        plans.change_plan(ops, draft.pk, data(utn, ends_on=dt.date(2027, 10, 31)))
    assert "activities.0.dates" in errors_of(e)
    draft.refresh_from_db()
    assert draft.ends_on == dt.date(2027, 12, 31)


# --- attacks: criteria ------------------------------------------------------------------------


def test_criteria_are_checked_by_field(utn, draft) -> None:
    ops = utn["utn_ops1"]
    items = [
        availability(),
        availability(target=Decimal("100.5")),
        availability(target=Decimal(-1)),
        availability(kind="activities_on_time", target=None),
        CriterionInput("open_findings", "Temuan terbuka", Decimal("1.5"), severity="tinggi"),
        CriterionInput("open_findings", "Temuan terbuka", Decimal(0), severity="fatal"),
        CriterionInput("judged", "Dokumentasi lengkap", Decimal(1)),
        availability(period="week"),
        availability(kind="uptime"),
        availability(target="abc"),
    ]
    with pytest.raises(ServiceError) as e:
        plans.set_criteria(ops, draft.pk, items)
    errors = errors_of(e)
    assert not any(k.startswith("criteria.0.") for k in errors)
    for name in (
        "criteria.1.target",
        "criteria.2.target",
        "criteria.3.target",
        "criteria.4.target",
        "criteria.5.severity",
        "criteria.6.target",
        "criteria.7.period",
        "criteria.8.kind",
        "criteria.9.target",
    ):
        assert name in errors, name
    assert not draft.criteria.exists()
    with pytest.raises(ServiceError) as e:
        plans.set_criteria(ops, draft.pk, [availability()] * 51)
    assert "criteria" in errors_of(e)
    saved = plans.set_criteria(
        ops,
        draft.pk,
        [
            availability(),
            CriterionInput("open_findings", "Tanpa temuan tinggi", Decimal(0), "month", "tinggi"),
            CriterionInput("restore_test", "Uji restore per triwulan", None, "quarter"),
            CriterionInput("judged", "Dokumentasi lengkap"),
        ],
    )
    assert [c.kind for c in saved.criteria.order_by("order")] == [
        "availability",
        "open_findings",
        "restore_test",
        "judged",
    ]


# --- approval ---------------------------------------------------------------------------------


def sign(document: Any) -> Any:
    for signatory in document.signatories.order_by("order", "pk"):
        document = documents.sign(signatory.person, document)
    return document


def test_submitting_opens_the_case_and_circulates_the_plans_document(utn, draft) -> None:
    ops = utn["utn_ops1"]
    document = plans.submit_plan(ops, draft.pk)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.SUBMITTED and draft.case_id is not None
    assert draft.case.application_id == utn.applications["siakad"].pk
    assert (document.kind, document.source) == (
        "rencana_pemeliharaan",
        f"maintenance.plan:{draft.pk}",
    )
    assert document.status == DocumentStatus.CIRCULATING and document.case_id == draft.case_id
    assert document.step.step_key == "s1" and document.artifact_key == "rencana_pemeliharaan"
    assert document.fields["activities"][0]["schedule"] == "Setiap bulan, hari kerja ke-3"
    assert document.fields["period"] == "1 Januari 2027 s.d. 31 Desember 2027"
    # Nothing of the activities changes now.
    with pytest.raises(ServiceError) as e:
        plans.set_activities(ops, draft.pk, [monthly()])
    assert e.value.code == "not_draft"
    with pytest.raises(ServiceError) as e:
        plans.change_plan(ops, draft.pk, data(utn))
    assert e.value.code == "not_draft"
    with pytest.raises(ServiceError) as e:
        plans.submit_plan(ops, draft.pk)
    assert e.value.code == "not_draft"
    # Withdrawn while nobody signed: a draft again, and its document with it.
    plans.withdraw_plan(ops, draft.pk)
    draft.refresh_from_db()
    document.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT and document.status == DocumentStatus.DRAFT
    plans.set_activities(ops, draft.pk, [monthly(working_day=5)])
    again = plans.submit_plan(ops, draft.pk)
    assert again.pk == document.pk  # the same document, made again
    assert again.fields["activities"][0]["schedule"] == "Setiap bulan, hari kerja ke-5"
    final = sign(again)
    assert final.status == DocumentStatus.FINAL
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_FORCE and draft.approved_at is not None
    assert Occurrence.objects.filter(plan=draft).count() == 12
    with pytest.raises(ServiceError) as e:
        plans.withdraw_plan(ops, draft.pk)
    assert e.value.code == "not_submitted"
    # Criteria may still change while row 2 has not fixed them.
    plans.set_criteria(ops, draft.pk, [availability()])
    Plan.objects.filter(pk=draft.pk).update(criteria_fixed_at=timezone.now())
    with pytest.raises(ServiceError) as e:
        plans.set_criteria(ops, draft.pk, [])
    assert e.value.code == "criteria_fixed"
    assert draft.criteria.count() == 1


def test_a_plan_without_activities_is_not_submitted(utn) -> None:
    plan = plans.create_plan(utn["utn_ops1"], data(utn))
    with pytest.raises(ServiceError) as e:
        plans.submit_plan(utn["utn_ops1"], plan.pk)
    assert "activities" in errors_of(e)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.case_id is None


def test_a_keeper_who_cannot_work_row_1_cannot_submit(utn, draft) -> None:
    # A developer keeps the catalogue but is not the Seksi Operasional of SOP 000.
    with pytest.raises(NotAllowed):
        plans.submit_plan(utn["utn_dev1"], draft.pk)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT and draft.case_id is None
