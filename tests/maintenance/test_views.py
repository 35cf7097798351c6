"""The maintenance screens (issue 20, the plans' screens and item 7's dashboard): another
agency's ids are 404, requesting units and vendors do not edit plans, a vendor sees only its
contract's plans and records only its activities, refusals stand next to their fields (and
rows); the plan's page, the occurrence and cycle pages, the dashboard and the panel on the
application's record."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from laksana.catalog.models import Contract
from laksana.maintenance.models import (
    Activity,
    Criterion,
    CriterionKind,
    Cycle,
    Executor,
    Occurrence,
    OccurrenceStatus,
    Plan,
    PlanStatus,
)
from tests.cases.helpers import png
from tests.maintenance import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _panel():
    """The maintenance panel on the application's page (plugin.register() adds it too)."""
    from laksana.catalog.panels import register_panel
    from laksana.maintenance import app_panel

    register_panel("maintenance", app_panel.application_panel)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _today() -> dt.date:
    return timezone.localdate()


def _occurrence(plan: Plan, activity: Activity, due: dt.date, **fields: Any) -> Occurrence:
    return Occurrence.objects.create(
        activity=activity,
        plan=plan,
        cycle_number=1,
        scheduled_on=due,
        due_on=due,
        status=fields.pop("status", OccurrenceStatus.OPEN),
        **fields,
    )


@pytest.fixture
def bali_plan(bali) -> Plan:
    year = _today().year
    plan = factories.plan(
        bali.applications["sikesda"],
        budget_year=year,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
    )
    internal = factories.activity(plan, executor=Executor.INTERNAL, title="Cadangan basis data")
    today = _today()
    _occurrence(plan, internal, today - dt.timedelta(days=3), status=OccurrenceStatus.OPEN)
    _occurrence(plan, internal, today + dt.timedelta(days=400), status=OccurrenceStatus.PLANNED)
    factories.criterion(plan)
    return plan


@pytest.fixture
def ipas(djki):
    return djki.applications["ipas"]


@pytest.fixture
def vendor_plan(djki, ipas) -> Plan:
    """IPAS's contract plan at DJKI: one vendor activity and one internal activity."""
    contract = Contract.objects.get(application=ipas)
    today = _today()
    plan = factories.plan(
        ipas,
        contract=contract,
        starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year + 1, 12, 31),
    )
    vendor = factories.activity(plan, executor=Executor.VENDOR, title="Patch keamanan IPAS")
    internal = factories.activity(plan, executor=Executor.INTERNAL, title="Uji pemulihan")
    _occurrence(plan, vendor, today - dt.timedelta(days=1))
    _occurrence(plan, internal, today - dt.timedelta(days=1))
    return plan


@pytest.fixture
def year_plan(djki, ipas) -> Plan:
    """IPAS's budget-year plan at DJKI: no contract, so not the vendor's."""
    return factories.plan(ipas, budget_year=_today().year, title="Rencana internal IPAS")


def as_(client: Client, person) -> Client:
    client.force_login(person.user)
    return client


def state() -> tuple:
    return (
        sorted(Plan.objects.values_list("pk", "title", "status", "starts_on", "ends_on")),
        sorted(Activity.objects.values_list("pk", "title", "executor", "schedule")),
        sorted(Criterion.objects.values_list("pk", "label", "target")),
        sorted(Occurrence.objects.values_list("pk", "status", "report", "cost")),
        sorted(Cycle.objects.values_list("pk", "evaluated_at")),
    )


def plan_form(application_id: int, **extra: str) -> dict[str, str]:
    data = {
        "application": str(application_id),
        "budget_year": str(_today().year + 1),
        "title": "Rencana pemeliharaan SIKESDA",
        "objective": "SIKESDA tersedia dan aman",
        "cycle_length": "month",
        "lead_days": "5",
    }
    data.update(extra)
    return data


def activity_rows(*rows: dict[str, str]) -> dict[str, str]:
    data = {
        "row-TOTAL_FORMS": str(len(rows)),
        "row-INITIAL_FORMS": "0",
        "row-MIN_NUM_FORMS": "0",
        "row-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"row-{i}-{k}"] = v
    return data


def row_html(html: str, index: int) -> str:
    start = html.index(f'id="row-{index}"')
    return html[start : html.index("</fieldset>", start)]


# --- attacks -----------------------------------------------------------------------------------


def test_another_agencys_plan_occurrence_and_cycle_are_404(client, bali, vendor_plan):
    """Bali's keeper asks for DJKI's plan, its occurrence and cycle: 404, as for none."""
    cycle = Cycle.objects.create(
        plan=vendor_plan, number=1, starts_on=vendor_plan.starts_on, ends_on=vendor_plan.ends_on
    )
    occurrence = vendor_plan.occurrences.first()
    before = state()
    as_(client, bali["kadis"])
    for name in ("plan", "plan_edit", "activities", "criteria"):
        assert client.get(reverse(f"maintenance:{name}", args=[vendor_plan.pk])).status_code == 404
    for name in ("plan_submit", "plan_withdraw", "plan_edit", "activities"):
        assert client.post(reverse(f"maintenance:{name}", args=[vendor_plan.pk])).status_code == 404
    assert client.get(reverse("maintenance:occurrence", args=[occurrence.pk])).status_code == 404
    assert (
        client.post(
            reverse("maintenance:occurrence", args=[occurrence.pk]),
            {"action": "done", "done-report": "Selesai"},
        ).status_code
        == 404
    )
    assert client.get(reverse("maintenance:cycle", args=[cycle.pk])).status_code == 404
    assert client.post(reverse("maintenance:cycle", args=[cycle.pk])).status_code == 404
    assert client.get(reverse("maintenance:plan", args=[999_999])).status_code == 404
    listed = client.get(reverse("maintenance:plans")).content.decode()
    assert vendor_plan.title not in listed
    new = client.post(reverse("maintenance:plan_new"), plan_form(vendor_plan.application_id))
    assert new.status_code == 422  # another agency's application is not among the choices
    assert state() == before


def test_requesting_unit_reads_but_does_not_edit(client, bali, bali_plan):
    draft = factories.plan(bali.applications["sikesda"], status=PlanStatus.DRAFT, title="Draf")
    occurrence = bali_plan.occurrences.order_by("due_on").first()
    before = state()
    as_(client, bali["dinkes_staf"])
    page = client.get(reverse("maintenance:plan", args=[draft.pk]))
    assert page.status_code == 200
    assert reverse("maintenance:plan_edit", args=[draft.pk]) not in page.content.decode()
    assert client.get(reverse("maintenance:plan_new")).status_code == 403
    sikesda = bali.applications["sikesda"].pk
    assert client.post(reverse("maintenance:plan_new"), plan_form(sikesda)).status_code == 403
    assert client.get(reverse("maintenance:plan_edit", args=[draft.pk])).status_code == 403
    for name in ("plan_edit", "activities", "criteria", "plan_submit", "plan_withdraw"):
        assert client.post(reverse(f"maintenance:{name}", args=[draft.pk])).status_code == 403
    posted = client.post(
        reverse("maintenance:occurrence", args=[occurrence.pk]),
        {"action": "done", "done-report": "Sudah"},
    )
    assert posted.status_code == 403
    assert state() == before


def test_vendor_sees_only_its_contracts_plans(client, djki, vendor_plan, year_plan):
    as_(client, djki["ipasdev"])
    listed = client.get(reverse("maintenance:plans")).content.decode()
    assert vendor_plan.title in listed and year_plan.title not in listed
    assert client.get(reverse("maintenance:plan", args=[vendor_plan.pk])).status_code == 200
    assert client.get(reverse("maintenance:plan", args=[year_plan.pk])).status_code == 404
    dashboard = client.get(reverse("maintenance:dashboard"))
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "Patch keamanan IPAS" in body and "Contracts ending within" not in body
    assert client.get(reverse("maintenance:plan_new")).status_code == 403
    assert client.post(reverse("maintenance:activities", args=[vendor_plan.pk])).status_code == 403


def test_vendor_records_only_its_activities(client, djki, vendor_plan):
    vendor_occ = vendor_plan.occurrences.get(activity__executor=Executor.VENDOR)
    internal_occ = vendor_plan.occurrences.get(activity__executor=Executor.INTERNAL)
    as_(client, djki["ipasdev"])
    refused = client.post(
        reverse("maintenance:occurrence", args=[internal_occ.pk]),
        {"action": "done", "done-report": "Sudah"},
    )
    assert refused.status_code == 403
    internal_occ.refresh_from_db()
    assert internal_occ.status == OccurrenceStatus.OPEN
    page = client.get(reverse("maintenance:occurrence", args=[vendor_occ.pk]))
    assert page.status_code == 200 and "Record as done" in page.content.decode()
    done = client.post(
        reverse("maintenance:occurrence", args=[vendor_occ.pk]),
        {
            "action": "done",
            "done-report": "Patch OpenSSL dipasang",
            "done-cost": "1500000",
            "done-documents": [png("bukti.png")],
        },
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    vendor_occ.refresh_from_db()
    assert vendor_occ.status == OccurrenceStatus.DONE and vendor_occ.report.startswith("Patch")
    assert vendor_occ.files.count() == 1
    again = client.post(
        reverse("maintenance:occurrence", args=[vendor_occ.pk]),
        {"action": "not_done", "skip-reason": "x"},
    )
    assert again.status_code == 302
    vendor_occ.refresh_from_db()
    assert vendor_occ.status == OccurrenceStatus.DONE


# --- refusals at their fields ---------------------------------------------------------------


def test_recording_a_bad_value_shows_the_fields_error(client, bali, bali_plan):
    occurrence = bali_plan.occurrences.order_by("due_on").first()
    before = state()
    as_(client, bali["kadis"])
    future = (_today() + dt.timedelta(days=30)).isoformat()
    shown = client.post(
        reverse("maintenance:occurrence", args=[occurrence.pk]),
        {"action": "done", "done-report": "Cadangan dibuat", "done-done_on": future},
    )
    assert shown.status_code == 422
    html = shown.content.decode()
    assert re.search(r'id="id_done-done_on".*?field-error">[^<]*future', html, re.S)
    negative = client.post(
        reverse("maintenance:occurrence", args=[occurrence.pk]),
        {"action": "done", "done-report": "Cadangan dibuat", "done-cost": "-5"},
    )
    assert negative.status_code == 422
    assert re.search(r'id="id_done-cost".*?field-error', negative.content.decode(), re.S)
    empty_reason = client.post(
        reverse("maintenance:occurrence", args=[occurrence.pk]),
        {"action": "not_done", "skip-reason": ""},
    )
    assert empty_reason.status_code == 422
    assert re.search(r'id="id_skip-reason".*?field-error', empty_reason.content.decode(), re.S)
    assert state() == before
    skipped = client.post(
        reverse("maintenance:occurrence", args=[occurrence.pk]),
        {"action": "not_done", "skip-reason": "Server dalam perbaikan"},
    )
    assert skipped.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.SKIPPED


def test_keeper_makes_a_plan_and_refusals_stand_at_their_fields(client, bali):
    sikesda = bali.applications["sikesda"].pk
    as_(client, bali["kadis"])
    page = client.get(reverse("maintenance:plan_new") + f"?aplikasi={sikesda}")
    assert page.status_code == 200
    before = state()
    bad = client.post(
        reverse("maintenance:plan_new"),
        plan_form(sikesda, starts_on="2027-06-01", ends_on="2027-03-01"),
    )
    assert bad.status_code == 422
    assert "field-error" in bad.content.decode()
    assert state() == before
    made = client.post(reverse("maintenance:plan_new"), plan_form(sikesda))
    assert made.status_code == 302
    plan = Plan.objects.get(title="Rencana pemeliharaan SIKESDA")
    assert plan.status == PlanStatus.DRAFT and plan.agency_id == bali.agency.pk
    assert made["Location"] == reverse("maintenance:plan", args=[plan.pk])


def test_activity_rows_refused_at_their_row_and_field(client, bali):
    plan = factories.plan(bali.applications["sikesda"], status=PlanStatus.DRAFT)
    as_(client, bali["kadis"])
    good = {
        "kind": "preventive",
        "title": "Pemeliharaan server",
        "executor": "internal",
        "schedule": "monthly",
        "working_day": "1",
    }
    bad = {"kind": "security_update", "title": "Patch", "executor": "internal", "schedule": "dates"}
    blank: dict[str, str] = {}
    shown = client.post(
        reverse("maintenance:activities", args=[plan.pk]),
        activity_rows(good, blank, bad, {"dates": "2027-02-30"}),
    )
    assert shown.status_code == 422
    html = shown.content.decode()
    assert "field-error" not in row_html(html, 0)
    assert "field-error" in row_html(html, 3)  # not a date (the form)
    assert Activity.objects.filter(plan=plan).count() == 0
    shown = client.post(
        reverse("maintenance:activities", args=[plan.pk]), activity_rows(good, blank, bad)
    )
    assert shown.status_code == 422
    html = shown.content.decode()
    assert "field-error" not in row_html(html, 0)
    assert re.search(r'id="id_row-2-dates".*?field-error', row_html(html, 2), re.S)
    assert Activity.objects.filter(plan=plan).count() == 0
    more = client.post(
        reverse("maintenance:activities", args=[plan.pk]), {**activity_rows(good), "more": "1"}
    )
    assert more.status_code == 200 and 'id="row-3"' in more.content.decode()
    saved = client.post(reverse("maintenance:activities", args=[plan.pk]), activity_rows(good))
    assert saved.status_code == 302
    assert list(plan.activities.values_list("title", flat=True)) == ["Pemeliharaan server"]


# --- pages -------------------------------------------------------------------------------------


def test_plan_page_lists_activities_occurrences_and_criteria(client, bali, bali_plan):
    as_(client, bali["kadis"])
    html = client.get(reverse("maintenance:plan", args=[bali_plan.pk])).content.decode()
    assert "Cadangan basis data" in html and "Late" in html
    assert "Ketersediaan layanan" in html
    listed = client.get(reverse("maintenance:plans") + "?status=in_force").content.decode()
    assert bali_plan.title in listed
    listed = client.get(reverse("maintenance:plans") + "?status=draft").content.decode()
    assert bali_plan.title not in listed


def test_dashboard_late_due_contracts_and_panel(client, bali, bali_plan):
    sikesda = bali.applications["sikesda"]
    today = _today()
    contract = Contract.objects.create(
        application=sikesda,
        vendor=bali.vendors["sikesda"] if hasattr(bali, "vendors") else _vendor(sikesda),
        number="KTR-SIKESDA/1",
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=40),
    )
    as_(client, bali["kadis"])
    html = client.get(reverse("maintenance:dashboard")).content.decode()
    assert "Cadangan basis data" in html  # late
    assert contract.number in html
    detail = client.get(reverse("catalog:detail", args=[sikesda.pk])).content.decode()
    assert bali_plan.title in detail and reverse("maintenance:plan", args=[bali_plan.pk]) in detail


def _vendor(application):
    from laksana.catalog.models import Vendor

    return Vendor.objects.create(agency_id=application.agency_id, name="PT Kesehatan Digital")


def test_cycle_page_shows_figures_and_refuses_the_requester(client, bali, bali_plan):
    factories.criterion(bali_plan, kind=CriterionKind.JUDGED, label="Dokumentasi lengkap")
    today = _today()
    cycle = Cycle.objects.create(
        plan=bali_plan, number=1, starts_on=today.replace(day=1), ends_on=today
    )
    as_(client, bali["dinkes_staf"])
    page = client.get(reverse("maintenance:cycle", args=[cycle.pk]))
    assert page.status_code == 200 and "Dokumentasi lengkap" in page.content.decode()
    assert "Save the evaluation" not in page.content.decode()
    assert client.post(reverse("maintenance:cycle", args=[cycle.pk])).status_code == 403
    as_(client, bali["kadis"])
    page = client.get(reverse("maintenance:cycle", args=[cycle.pk]))
    assert "Save the evaluation" in page.content.decode()
    refused = client.post(reverse("maintenance:cycle", args=[cycle.pk]), {})
    assert refused.status_code == 422  # the plan runs in no case here: said, nothing changed
    cycle.refresh_from_db()
    assert cycle.evaluated_at is None


def test_evaluation_form_sends_answers_and_puts_refusals_at_the_criterion():
    from laksana.errors import ServiceError
    from laksana.maintenance.forms import EvaluationForm

    items = [
        {"criterion": 1, "label": "Ketersediaan", "kind": "availability", "computed": True},
        {"criterion": 2, "label": "Dokumentasi", "kind": "judged", "computed": None},
        {"criterion": 3, "label": "Uji pemulihan", "kind": "restore_test", "computed": None},
    ]
    form = EvaluationForm(
        {"answer_1": "no", "note_1": "", "answer_2": "yes", "note_2": "Lengkap"}, items=items
    )
    assert form.is_valid()
    judged, overrides = form.for_service()
    assert judged == {2: (True, "Lengkap")} and overrides == {1: (False, "")}
    form.add_errors_of(ServiceError("required", "Say why.", field="overrides.1"))
    form.add_errors_of(ServiceError("required", "Answer.", field="judged.3"))
    form.add_errors_of(ServiceError("no_case", "No case.", field="cycle"))
    assert form.errors["note_1"] == ["Say why."]
    assert form.errors["answer_3"] == ["Answer."]
    assert form.non_field_errors() == ["No case."]
