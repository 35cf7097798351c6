"""The maintenance API: another agency's and another contract's vendor get 404 with nothing
written, requesting units read and may not write, keepers draft plans with their activities
and criteria (refusals as 422 naming ``activities.0.dates``), the contract's vendor records its
activities (once: a second record overwrites nothing), files, occurrences filtered and paged,
cycles and their evaluations, the report's figures and workbook."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from laksana.accounts.services import issue_token
from laksana.catalog.models import Contract, Vendor
from laksana.maintenance import activities, schedule
from laksana.maintenance.models import (
    Activity,
    Criterion,
    CriterionKind,
    Cycle,
    Executor,
    Occurrence,
    OccurrenceFile,
    OccurrenceStatus,
    Plan,
    PlanStatus,
    Schedule,
)
from laksana.org.models import Person, Unit, UnitKind
from tests.cases.helpers import pdf, png
from tests.maintenance import factories

pytestmark = pytest.mark.django_db

D = dt.date


class Api:
    def __init__(self, client: Client, person: Any = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if person is not None:
            _token, secret = issue_token(person, "tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api/maintenance{path}", params or {}, **self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        call = getattr(self.client, method.lower())
        return call(
            f"/api/maintenance{path}",
            json.dumps(body or {}),
            content_type="application/json",
            **self.headers,
        )

    def form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/maintenance{path}", data, **self.headers)


@pytest.fixture
def as_(client):
    return lambda person=None: Api(client, person)


def _vendor_person(bali: Any, vendor: Vendor, login: str) -> Person:
    unit = Unit.objects.get_or_create(
        agency=bali.agency, name=vendor.name, defaults={"kind": UnitKind.VENDOR}
    )[0]
    user = get_user_model().objects.create(username=login)
    return Person.objects.create(
        user=user, agency=bali.agency, name=login, unit=unit, vendor=vendor, email=""
    )


@pytest.fixture
def world(bali):
    """SIKESDA's 2026 plan in force under the maintenance contract of PT Mitra (one vendor
    activity, one internal activity, monthly, occurrences generated), a vendor of another
    contract (SIMPEG's), a cycle, an availability and a judged criterion."""
    sikesda, simpeg = bali.applications["sikesda"], bali.applications["simpeg"]
    mine = Vendor.objects.create(agency=bali.agency, name="PT Mitra Data")
    other = Vendor.objects.create(agency=bali.agency, name="PT Lain Sistem")
    contract = Contract.objects.create(
        application=sikesda,
        vendor=mine,
        number="KTR/SIKESDA/2026",
        starts_on=D(2026, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    Contract.objects.create(
        application=simpeg,
        vendor=other,
        number="KTR/SIMPEG/2026",
        starts_on=D(2026, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    plan = factories.plan(sikesda, budget_year=2026, contract=contract)
    vendor_job = factories.activity(plan, executor=Executor.VENDOR, title="Patch server")
    internal_job = factories.activity(plan, executor=Executor.INTERNAL, title="Cek backup")
    schedule.generate(plan)
    factories.criterion(plan)
    factories.criterion(plan, kind=CriterionKind.JUDGED, label="Dokumentasi lengkap", target=None)
    cycle = Cycle.objects.create(
        plan=plan, number=1, starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 31)
    )
    return {
        "plan": plan,
        "cycle": cycle,
        "vendor": _vendor_person(bali, mine, "mitra1"),
        "other_vendor": _vendor_person(bali, other, "lain1"),
        "vendor_job": Occurrence.objects.filter(activity=vendor_job).order_by("due_on")[0],
        "internal_job": Occurrence.objects.filter(activity=internal_job).order_by("due_on")[0],
    }


def _state() -> Any:
    return (
        sorted(Plan.objects.values_list("pk", "title", "status", "updated_at")),
        sorted(Activity.objects.values_list("pk", "title")),
        sorted(Criterion.objects.values_list("pk", "label")),
        sorted(Occurrence.objects.values_list("pk", "status", "report", "cost", "done_by")),
        OccurrenceFile.objects.count(),
        sorted(Cycle.objects.values_list("pk", "evaluated_at")),
    )


def _writes(world: dict[str, Any], app_id: int) -> list[tuple[str, str, Any]]:
    plan, occ, cycle = world["plan"].pk, world["vendor_job"].pk, world["cycle"].pk
    activity = {
        "kind": "preventive",
        "title": "X",
        "executor": "internal",
        "schedule": "monthly",
    }
    return [
        (
            "POST",
            "/plans",
            {"application_id": app_id, "title": "X", "objective": "Y", "budget_year": 2027},
        ),
        ("PATCH", f"/plans/{plan}", {"title": "Diubah"}),
        ("PUT", f"/plans/{plan}/activities", {"activities": [activity]}),
        ("PUT", f"/plans/{plan}/criteria", {"criteria": []}),
        ("POST", f"/plans/{plan}/submit", None),
        ("POST", f"/plans/{plan}/withdraw", None),
        ("POST", f"/occurrences/{occ}/record", {"report": "Sudah"}),
        ("POST", f"/occurrences/{occ}/not-done", {"reason": "Tidak sempat"}),
        ("POST", f"/cycles/{cycle}/evaluate", {"judged": {}, "overrides": {}}),
    ]


def _reads(world: dict[str, Any]) -> list[str]:
    plan, occ, cycle = world["plan"].pk, world["vendor_job"].pk, world["cycle"].pk
    return [
        f"/plans/{plan}",
        f"/plans/{plan}/cycles",
        f"/plans/{plan}/report",
        f"/plans/{plan}/report/xlsx",
        f"/occurrences/{occ}",
        f"/cycles/{cycle}/evaluation",
    ]


def test_anonymous_is_401(as_, world):
    anonymous = as_()
    assert anonymous.get("/plans").status_code == 401
    assert anonymous.get(f"/plans/{world['plan'].pk}").status_code == 401
    answer = anonymous.send(
        "POST", f"/occurrences/{world['vendor_job'].pk}/record", {"report": "x"}
    )
    assert answer.status_code == 401


def test_other_agency_and_other_contracts_vendor_get_404_and_write_nothing(as_, bali, djki, world):
    before = _state()
    sikesda = bali.applications["sikesda"].pk
    for person in (djki["direktur"], djki["ipasdev"], world["other_vendor"]):
        api = as_(person)
        assert api.get("/plans").json()["items"] == []
        assert api.get("/occurrences").json()["items"] == []
        for path in _reads(world):
            assert api.get(path).status_code == 404, (person, path)
        for method, path, body in _writes(world, sikesda):
            answer = api.send(method, path, body)
            assert answer.status_code == 404, (person, method, path, answer.content)
        file_id = OccurrenceFile.objects.values_list("pk", flat=True).first() or 1
        assert api.get(f"/occurrences/{world['vendor_job'].pk}/files/{file_id}").status_code == 404
    assert _state() == before


def test_a_requesting_unit_reads_and_may_not_write(as_, bali, world):
    before = _state()
    for person in (bali["dinkes_staf"], bali["bkd"]):
        api = as_(person)
        listed = api.get("/plans").json()["items"]
        assert [p["id"] for p in listed] == [world["plan"].pk]
        assert listed[0]["vendor"] == "PT Mitra Data" and len(listed[0]["activities"]) == 2
        for path in _reads(world):
            assert api.get(path).status_code == 200, path
        for method, path, body in _writes(world, bali.applications["sikesda"].pk):
            answer = api.send(method, path, body)
            # A plan without its SOP 000 case has nothing to evaluate in (400, checked first).
            expected = (400, 403) if path.endswith("/evaluate") else (403,)
            assert answer.status_code in expected, (method, path, answer.content)
            assert set(answer.json()) == {"code", "message", "field", "items"}
    assert _state() == before


def test_a_keeper_drafts_a_plan_with_activities_and_criteria(as_, bali):
    api = as_(bali["kadis"])
    sikesda = bali.applications["sikesda"].pk
    made = api.send(
        "POST",
        "/plans",
        {
            "application_id": sikesda,
            "title": "Rencana 2027",
            "objective": "Tersedia",
            "budget_year": 2027,
        },
    )
    assert made.status_code == 201, made.content
    plan = made.json()
    assert plan["status"] == "draft" and plan["starts_on"] == "2027-01-01"
    assert plan["ends_on"] == "2027-12-31" and plan["activities"] == []
    changed = api.send("PATCH", f"/plans/{plan['id']}", {"scope": "Server dan basis data"})
    assert changed.status_code == 200 and changed.json()["title"] == "Rencana 2027"
    assert changed.json()["scope"] == "Server dan basis data"
    activities_body = {
        "activities": [
            {
                "kind": "security_update",
                "title": "Patch",
                "executor": "vendor",
                "schedule": "monthly",
                "working_day": 2,
                "budget": 1500000,
            },
            {
                "kind": "backup_restore_test",
                "title": "Uji restore",
                "executor": "internal",
                "schedule": "dates",
                "dates": ["2027-03-15", "2027-09-15"],
            },
        ]
    }
    put = api.send("PUT", f"/plans/{plan['id']}/activities", activities_body)
    assert put.status_code == 200, put.content
    assert [a["title"] for a in put.json()["activities"]] == ["Patch", "Uji restore"]
    assert put.json()["activities"][1]["dates"] == ["2027-03-15", "2027-09-15"]
    criteria_body = {
        "criteria": [{"kind": "availability", "label": "Tersedia 99,5 %", "target": "99.5"}]
    }
    put = api.send("PUT", f"/plans/{plan['id']}/criteria", criteria_body)
    assert put.status_code == 200, put.content
    assert put.json()["criteria"][0]["target"] in ("99.500", "99.5", 99.5)
    again = api.send("PUT", f"/plans/{plan['id']}/activities", {"activities": []})
    assert again.status_code == 200 and again.json()["activities"] == []
    first = api.get("/plans", {"limit": 1, "application": sikesda, "status": "draft"}).json()
    assert [p["id"] for p in first["items"]] == [plan["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "activities": [
                    {
                        "kind": "preventive",
                        "title": "A",
                        "executor": "vendor",
                        "schedule": "dates",
                        "dates": ["2031-01-05"],
                    }
                ]
            },
            "activities.0.dates",
        ),
        (
            {
                "activities": [
                    {
                        "kind": "preventive",
                        "title": "A",
                        "executor": "vendor",
                        "schedule": "dates",
                        "dates": ["15-03-2027"],
                    }
                ]
            },
            "activities.0.dates.0",
        ),
        (
            {
                "activities": [
                    {"kind": "repair", "title": "A", "executor": "vendor", "schedule": "monthly"}
                ]
            },
            "activities.0.kind",
        ),
        (
            {
                "activities": [
                    {"kind": "preventive", "title": "", "executor": "vendor", "schedule": "monthly"}
                ]
            },
            "activities.0.title",
        ),
        (
            {
                "activities": [
                    {
                        "kind": "preventive",
                        "title": "A",
                        "executor": "vendor",
                        "schedule": "monthly",
                        "budget": -1,
                    }
                ]
            },
            "activities.0.budget",
        ),
    ],
)
def test_bad_activities_are_422_naming_the_field(as_, bali, body, field):
    plan = factories.plan(bali.applications["sikesda"], budget_year=2027, status=PlanStatus.DRAFT)
    answer = as_(bali["kadis"]).send("PUT", f"/plans/{plan.pk}/activities", body)
    assert answer.status_code == 422, answer.content
    error = answer.json()
    assert error["field"].startswith(field), error
    assert set(error) == {"code", "message", "field", "items"}
    assert not Activity.objects.exists()


def test_a_plan_in_force_is_not_changed(as_, bali, world):
    before = _state()
    api = as_(bali["kadis"])
    plan = world["plan"].pk
    assert api.send("PATCH", f"/plans/{plan}", {"title": "X"}).status_code == 400
    answer = api.send("PUT", f"/plans/{plan}/activities", {"activities": []})
    assert answer.status_code == 400
    assert _state() == before


def test_the_vendor_records_its_activity_once(as_, bali, world):
    vendor = as_(world["vendor"])
    occ = world["vendor_job"]
    assert [p["id"] for p in vendor.get("/plans").json()["items"]] == [world["plan"].pk]
    # An internal activity is not the vendor's to record.
    internal = vendor.send(
        "POST", f"/occurrences/{world['internal_job'].pk}/record", {"report": "x"}
    )
    assert internal.status_code == 403
    answer = vendor.form(
        f"/occurrences/{occ.pk}/files",
        {
            "report": "Patch keamanan terpasang",
            "cost": "250000",
            "files": [pdf("laporan.pdf"), png()],
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "done" and body["report"] == "Patch keamanan terpasang"
    assert body["cost"] in ("250000", 250000) and len(body["files"]) == 2
    download = vendor.client.get(body["files"][0]["url"], **vendor.headers)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    before = _state()
    # Recording twice overwrites nothing: neither the report nor the files.
    again = vendor.send("POST", f"/occurrences/{occ.pk}/record", {"report": "Ditimpa", "cost": 1})
    assert again.status_code == 409 and again.json()["code"] == "already_recorded"
    twice = vendor.form(f"/occurrences/{occ.pk}/files", {"report": "Ditimpa", "files": [png()]})
    assert twice.status_code == 409
    not_done = vendor.send("POST", f"/occurrences/{occ.pk}/not-done", {"reason": "Ditimpa"})
    assert not_done.status_code == 409
    keeper = as_(bali["kadis"]).send("POST", f"/occurrences/{occ.pk}/record", {"report": "Ditimpa"})
    assert keeper.status_code in (403, 409)
    assert _state() == before


def test_record_refusals_name_the_field(as_, bali, world):
    before = _state()
    api = as_(bali["kadis"])
    occ = world["internal_job"].pk
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    for body, field in (
        ({"report": ""}, "report"),
        ({"report": "x", "cost": -5}, "cost"),
        ({"report": "x", "cost": "1.5"}, "cost"),
        ({"report": "x", "done_on": future}, "done_on"),
        ({"report": "x", "done_on": "2025-12-01"}, "done_on"),
    ):
        answer = api.send("POST", f"/occurrences/{occ}/record", body)
        assert answer.status_code == 422, (body, answer.content)
        assert answer.json()["field"] == field, body
    bad_file = api.form(
        f"/occurrences/{occ}/files",
        {"report": "x", "files": [type(png())("x.exe", b"MZ\x90\x00", "image/png")]},
    )
    assert bad_file.status_code == 422 and bad_file.json()["field"] == "files"
    assert api.send("POST", f"/occurrences/{occ}/not-done", {"reason": ""}).status_code == 422
    assert _state() == before


def test_the_keeper_marks_an_internal_activity_not_done(as_, bali, world):
    api = as_(bali["kadis"])
    occ = world["internal_job"].pk
    answer = api.send("POST", f"/occurrences/{occ}/not-done", {"reason": "Server dipindah"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "skipped" and answer.json()["report"] == "Server dipindah"


def test_occurrences_filtered_and_paged(as_, bali, world):
    api = as_(bali["bkd"])
    plan = world["plan"].pk
    everything = Occurrence.objects.filter(plan_id=plan).order_by("due_on", "pk")
    seen: list[int] = []
    page = api.get("/occurrences", {"plan": plan, "limit": 5}).json()
    while True:
        seen += [o["id"] for o in page["items"]]
        if page["next"] is None:
            break
        page = api.get("/occurrences", {"plan": plan, "limit": 5, "after": page["next"]}).json()
    assert seen == [o.pk for o in everything]
    march = api.get("/occurrences", {"month": "2026-03"}).json()["items"]
    assert len(march) == 2 and all(o["due_on"].startswith("2026-03") for o in march)
    today = timezone.localdate()
    late = api.get("/occurrences", {"late": True, "limit": 100}).json()["items"]
    assert late and all(o["late"] and o["due_on"] < today.isoformat() for o in late)
    expected_late = [o.pk for o in everything if schedule.is_late(o, today)]
    assert [o["id"] for o in late] == expected_late
    not_late = api.get("/occurrences", {"late": False, "limit": 100}).json()["items"]
    assert len(late) + len(not_late) == everything.count()
    assert api.get("/occurrences", {"status": "done"}).json()["items"] == []
    for params, field in (
        ({"month": "2026-13"}, "month"),
        ({"after": "@@"}, "after"),
        ({"status": "x"}, "status"),
    ):
        answer = api.get("/occurrences", params)
        assert answer.status_code == 422 and answer.json()["field"] == field, params


def test_cycles_and_the_computed_evaluation(as_, bali, world):
    api = as_(bali["dinkes_staf"])
    cycles = api.get(f"/plans/{world['plan'].pk}/cycles").json()
    assert [c["number"] for c in cycles] == [1] and cycles[0]["evaluation"] == []
    assert cycles[0]["last"] is False
    items = api.get(f"/cycles/{world['cycle'].pk}/evaluation").json()
    assert [i["kind"] for i in items] == ["availability", "judged"]
    assert items[1]["computed"] is None and items[1]["achieved"] is None
    assert items[0]["period_start"] == "2026-01-01" and items[0]["period_end"] == "2026-01-31"
    assert Cycle.objects.get().evaluation == []  # computed, not stored


def test_evaluate_a_cycle(as_, bali, world):
    before = _state()
    api = as_(bali["kadis"])
    cycle = world["cycle"].pk
    # The plan runs in no SOP 000 case: nothing to evaluate in.
    judged = {str(Criterion.objects.get(kind="judged").pk): {"achieved": True, "note": "Lengkap"}}
    answer = api.send("POST", f"/cycles/{cycle}/evaluate", {"judged": judged})
    assert answer.status_code == 400 and answer.json()["field"] == "cycle", answer.content
    bad = api.send("POST", f"/cycles/{cycle}/evaluate", {"judged": {"x": {"achieved": True}}})
    assert bad.status_code == 422
    assert _state() == before


def test_the_report(as_, bali, world):
    api = as_(bali["bkd"])
    plan = world["plan"].pk
    figures = api.get(f"/plans/{plan}/report").json()
    assert figures["plan"]["id"] == plan and figures["start"] == "2026-01-01"
    assert len(figures["activities"]) == 2
    due = Occurrence.objects.filter(plan_id=plan).count()
    assert figures["totals"]["due"] == due
    part = api.get(f"/plans/{plan}/report", {"start": "2026-03-01", "end": "2026-03-31"}).json()
    assert part["totals"]["due"] == 2
    backwards = api.get(f"/plans/{plan}/report", {"start": "2026-03-01", "end": "2026-02-01"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "end"
    book = api.get(f"/plans/{plan}/report/xlsx")
    assert book.status_code == 200 and book.content.startswith(b"PK")
    assert "spreadsheetml" in book["Content-Type"]


def maintenance_ids(bali: Any) -> dict[str, int]:
    """The ids of SIKESDA's 2026 plan in force (an internal monthly activity, its
    occurrences, one recorded with a file) and of its first cycle: the path parameters of the
    maintenance API's operations for the API's fuzzing (tests/security/test_api_fuzz.py,
    whose caller is the Kepala Dinas)."""
    plan = factories.plan(bali.applications["sikesda"], budget_year=2026)
    job = factories.activity(plan, executor=Executor.INTERNAL, schedule=Schedule.MONTHLY)
    factories.criterion(plan)
    schedule.generate(plan)
    first, second = Occurrence.objects.filter(activity=job).order_by("due_on")[:2]
    activities.record(bali["kadis"], first.pk, report="Selesai", files=[png()])
    cycle = Cycle.objects.create(
        plan=plan, number=1, starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 31)
    )
    return {
        "plan_id": plan.pk,
        "occurrence_id": second.pk,
        "cycle_id": cycle.pk,
        "file_id": OccurrenceFile.objects.get(occurrence=first).pk,
    }


def test_the_fuzz_ids_name_real_objects(as_, bali):
    ids = maintenance_ids(bali)
    api = as_(bali["kadis"])
    assert api.get(f"/plans/{ids['plan_id']}").status_code == 200
    assert api.get(f"/occurrences/{ids['occurrence_id']}").json()["status"] in ("planned", "open")
    assert api.get(f"/cycles/{ids['cycle_id']}/evaluation").status_code == 200
    first = Occurrence.objects.get(status=OccurrenceStatus.DONE)
    assert (
        api.client.get(
            f"/api/maintenance/occurrences/{first.pk}/files/{ids['file_id']}", **api.headers
        ).status_code
        == 200
    )


def test_evaluate_a_cycle_in_its_case(as_, db):
    """UTN runs SOP 000: the evaluator answers the judged criterion and overrides the
    computed one with a reason; a faculty's staff and the vendor may not evaluate, and a
    criterion of no plan of the cycle is not found."""
    from laksana.cases import services as case_services
    from laksana.demo.orgs import SOP_000, build_university

    utn = build_university()
    siakad = utn.applications["siakad"]
    case = case_services.open_case(
        utn["utn_ops1"], utn.versions[SOP_000], "Pemeliharaan SIAKAD 2026", application=siakad
    )
    plan = factories.plan(siakad, budget_year=2026, case=case)
    # No open finding of "high" or worse: met as computed (0 <= 0).
    computed = factories.criterion(
        plan, kind=CriterionKind.OPEN_FINDINGS, label="Temuan", target="0", severity="high"
    )
    judged = factories.criterion(plan, kind=CriterionKind.JUDGED, label="Dokumentasi", target=None)
    cycle = Cycle.objects.create(
        plan=plan, number=1, starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 31)
    )
    path = f"/cycles/{cycle.pk}/evaluate"
    body = {
        "judged": {str(judged.pk): {"achieved": True, "note": "Lengkap di folder bersama"}},
        "overrides": {str(computed.pk): {"achieved": False, "reason": "Temuan belum diuji ulang"}},
    }
    assert as_(utn["utn_ft_staf"]).send("POST", path, body).status_code == 403
    assert as_(utn["utn_vendor1"]).send("POST", path, body).status_code == 404
    evaluator = as_(utn["utn_ops1"])
    missing = evaluator.send("POST", path, {"overrides": body["overrides"]})
    assert missing.status_code == 422 and missing.json()["field"] == f"judged.{judged.pk}"
    no_reason = evaluator.send(
        "POST",
        path,
        {**body, "overrides": {str(computed.pk): {"achieved": False, "reason": " "}}},
    )
    assert no_reason.status_code == 422 and no_reason.json()["field"] == f"overrides.{computed.pk}"
    stranger = evaluator.send(
        "POST", path, {**body, "overrides": {"999999": {"achieved": True, "reason": "x"}}}
    )
    assert stranger.status_code == 404 and stranger.json()["field"] == "overrides.999999"
    assert Cycle.objects.get().evaluated_at is None
    answer = evaluator.send("POST", path, body)
    assert answer.status_code == 200, answer.content
    items = {i["criterion"]: i for i in answer.json()["evaluation"]}
    assert items[judged.pk]["achieved"] is True
    assert items[judged.pk]["evidence"] == "Lengkap di folder bersama"
    assert items[computed.pk]["computed"] is True and items[computed.pk]["overridden"] is True
    assert items[computed.pk]["achieved"] is False
    assert answer.json()["evaluated_by"] == utn["utn_ops1"].name
