"""The API of test runs (issue 18, item 5): runs, verdicts, evidence, closing and reopening,
findings and their follow-up, a ZAP report. The attacks first: another agency's ids, a
person of another unit, a step holder who may not test, a closed run, made-up ids; then the
happy paths, through /api/test-runs with each person's bearer token.

The runs are of a Bali SOP 002 case about SIKESDA at step 9 (the UAT, tested by the
requesting unit, Dinas Kesehatan) or step 8 (the SIT, by the Tim SPBE)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from laksana.accounts.services import issue_token
from laksana.cases import services as case_services
from laksana.cases.models import Case, CaseStep, JournalEntry, StepStatus
from laksana.demo.orgs import SOP_002
from laksana.org.models import Person
from laksana.quality import findings, runs, scenarios, security
from laksana.quality.models import (
    Evidence,
    Finding,
    FindingStatus,
    Priority,
    RunItem,
    RunKind,
    RunStatus,
    ScenarioSet,
)
from laksana.quality.models import TestRun as Run
from laksana.quality.scenarios import ScenarioInput
from tests.cases.helpers import pdf, png, work

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- helpers ----------------------------------------------------------------------------------


class Api:
    """The test client speaking to /api/ with one person's bearer token (none: anonymous)."""

    def __init__(self, person: Person | None) -> None:
        self.client = Client()
        secret = issue_token(person, "tests")[1] if person is not None else None
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api{path}", params or {}, **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api{path}", json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            f"/api{path}", json.dumps(body), content_type="application/json", **self.headers
        )

    def upload(self, path: str, upload: SimpleUploadedFile) -> Any:
        return self.client.post(f"/api{path}", {"file": upload}, **self.headers)


def scenario(n: int, priority: str = Priority.MEDIUM) -> ScenarioInput:
    return ScenarioInput(
        number=f"SK-{n:02d}",
        title=f"Cetak laporan {n}",
        requirement="Pelaporan",
        preconditions="Masuk sebagai operator",
        steps=f"1. Buka menu Laporan\n2. Pilih bulan {n}\n3. Tekan Cetak",
        input_data=f"Bulan {n}/2026",
        expected="Laporan PDF terunduh",
        priority=priority,
    )


def make_set(bali: Any, count: int = 2, app: str = "sikesda", name: str = "UAT") -> ScenarioSet:
    return scenarios.create_set(
        bali["kadis"],
        bali.applications[app].pk,
        name=name,
        app_version="2.1",
        scenarios=[scenario(n) for n in range(1, count + 1)],
    )


def active(case: Case) -> CaseStep:
    return case.steps.get(status=StepStatus.ACTIVE)


def case_at(bali: Any, sop002: Any, step_key: str, title: str = "Laporan SIKESDA") -> Case:
    """A SOP 002 case about SIKESDA whose active step is ``step_key`` (s8 or s9)."""
    case = case_services.open_case(
        bali["dinkes_staf"], sop002, title, application=bali.applications["sikesda"]
    )
    for who in ["dinkes_staf", "dinkes_staf", "kadis", "kabid", "ketuatim", "dev1", "dev1", "dev1"]:
        if active(case).step_key == step_key:
            break
        case = work(bali[who], case)
    assert active(case).step_key == step_key
    return case


def start_body(case: Case, chosen: ScenarioSet, **extra: Any) -> dict[str, Any]:
    row = active(case)
    return {
        "step_id": row.pk,
        "artifact": {"s8": "ba_sit", "s9": "ba_uat"}[row.step_key],
        "scenario_set_id": chosen.pk,
        "app_version": "2.1",
        **extra,
    }


@pytest.fixture
def uat(bali, sop002) -> Run:
    """An open UAT run, started by the requester (Dinas Kesehatan), two scenarios."""
    case = case_at(bali, sop002, "s9")
    row = active(case)
    return runs.start_run(
        bali["dinkes_staf"], row.pk, "ba_uat", scenario_set_id=make_set(bali).pk, app_version="2.1"
    )


def items(run: Run) -> list[RunItem]:
    return list(run.items.order_by("position"))


def state(run: Run) -> tuple[Any, ...]:
    """Everything of a run an action may change."""
    fresh = Run.objects.get(pk=run.pk)
    return (
        fresh.status,
        fresh.result,
        fresh.document_id,
        sorted(RunItem.objects.filter(run=run).values_list("pk", "verdict", "actual", "tested_by")),
        sorted(Evidence.objects.filter(item__run=run).values_list("pk", flat=True)),
        sorted(Finding.objects.filter(run=run).values_list("pk", "status", "severity", "title")),
        JournalEntry.objects.filter(case_id=fresh.case_id).count(),
    )


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "field", "items"}
    if code is not None:
        assert body["code"] == code, body
    return body


# --- attacks ----------------------------------------------------------------------------------


def test_nobody_signed_in_gets_401(uat) -> None:
    anonymous = Api(None)
    item = items(uat)[0]
    refused(anonymous.get("/test-runs"), 401, "unauthorized")
    refused(anonymous.get(f"/test-runs/{uat.pk}"), 401)
    before = state(uat)
    refused(
        anonymous.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": "lulus"}), 401
    )
    assert state(uat) == before


def test_another_agencys_ids_are_not_found(bali, djki, uat) -> None:
    api = Api(djki["direktur"])
    item = items(uat)[0]
    runs.record_verdict(bali["dinkes_staf"], item.pk, "gagal", files=[png("bukti.png")])
    evidence = Evidence.objects.get(item=item)
    finding = Run.objects.get(pk=uat.pk).findings.create(
        agency=bali.agency,
        number=1,
        severity="sedang",
        title="Tombol cetak lambat",
        created_by=bali["dinkes_staf"],
        created_at=timezone.now(),
    )
    before = state(uat)
    assert api.get("/test-runs").json()["items"] == []
    assert api.get("/test-runs", {"case": uat.case.reference}).json()["items"] == []
    for response in (
        api.get(f"/test-runs/{uat.pk}"),
        api.get(f"/test-runs/{uat.pk}/evidence/{evidence.pk}"),
        api.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": "lulus"}),
        api.upload(f"/test-runs/{uat.pk}/items/{item.pk}/evidence", png()),
        api.post(f"/test-runs/{uat.pk}/close"),
        api.post(f"/test-runs/{uat.pk}/reopen"),
        api.post(f"/test-runs/{uat.pk}/findings", {"severity": "tinggi", "title": "x"}),
        api.patch(f"/test-runs/{uat.pk}/findings/{finding.pk}", {"title": "Diubah"}),
        api.post(f"/test-runs/{uat.pk}/findings/{finding.pk}/fixed", {}),
        api.post(f"/test-runs/{uat.pk}/findings/{finding.pk}/retest", {"result": "lulus"}),
        api.post(f"/test-runs/{uat.pk}/findings/{finding.pk}/accept-risk", {"note": "x"}),
        api.post(f"/test-runs/{uat.pk}/findings/{finding.pk}/problem-case", {}),
        api.upload(f"/test-runs/{uat.pk}/zap", SimpleUploadedFile("z.json", b"{}")),
    ):
        body = refused(response, 404, "not_found")
        assert "SIKESDA" not in body["message"] and uat.case.reference not in body["message"]
    assert state(uat) == before


def test_another_agency_cannot_start_a_run_on_our_step(bali, djki, sop002) -> None:
    case = case_at(bali, sop002, "s9")
    body = start_body(case, make_set(bali))
    refused(Api(djki["direktur"]).post("/test-runs", body), 404, "not_found")
    assert not Run.objects.exists()


def test_a_person_of_another_unit_sees_nothing_of_the_units_run(bali, uat) -> None:
    api = Api(bali["bkd"])
    item = items(uat)[0]
    before = state(uat)
    assert api.get("/test-runs").json()["items"] == []
    refused(api.get(f"/test-runs/{uat.pk}"), 404, "not_found")
    refused(api.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": "lulus"}), 404)
    refused(api.post(f"/test-runs/{uat.pk}/findings", {"severity": "rendah", "title": "x"}), 404)
    assert state(uat) == before


def test_a_step_holder_who_may_not_test_is_refused(bali, uat) -> None:
    # The Kepala Dinas sees the case (he held step 3) but the UAT is the requesting unit's.
    api = Api(bali["kadis"])
    item = items(uat)[0]
    assert api.get(f"/test-runs/{uat.pk}").json()["may_test"] is False
    before = state(uat)
    refused(
        api.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": "lulus"}),
        403,
        "not_allowed",
    )
    refused(api.upload(f"/test-runs/{uat.pk}/items/{item.pk}/evidence", png()), 403)
    refused(api.post(f"/test-runs/{uat.pk}/findings", {"severity": "kritis", "title": "x"}), 403)
    refused(api.post(f"/test-runs/{uat.pk}/close"), 403)
    assert state(uat) == before
    # Nor does he start a UAT of the step.
    body = start_body(uat.case, make_set(bali, name="Lain"))
    refused(api.post("/test-runs", body), 403, "not_allowed")
    assert Run.objects.count() == 1


def test_a_verdict_on_a_closed_run_is_refused_and_nothing_changes(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    for item in items(uat):
        runs.record_verdict(bali["dinkes_staf"], item.pk, "lulus")
    assert api.post(f"/test-runs/{uat.pk}/close", {"place": "Ruang Rapat"}).status_code == 200
    before = state(uat)
    item = items(uat)[0]
    body = refused(
        api.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": "gagal"}),
        400,
        "run_closed",
    )
    assert runs.title_of(uat) in body["message"]  # in the person's language
    refused(api.upload(f"/test-runs/{uat.pk}/items/{item.pk}/evidence", png()), 400, "run_closed")
    refused(api.post(f"/test-runs/{uat.pk}/findings", {"severity": "tinggi", "title": "x"}), 400)
    assert state(uat) == before


def test_made_up_and_foreign_item_ids_are_not_found(bali, sop002, uat) -> None:
    api = Api(bali["dinkes_staf"])
    other = runs.start_run(
        bali["dinkes_staf"],
        active(case_at(bali, sop002, "s9", "Laporan lain")).pk,
        "ba_uat",
        scenario_set_id=make_set(bali, name="Lain").pk,
        app_version="2.1",
    )
    foreign_item = items(other)[0]
    before, before_other = state(uat), state(other)
    # An item of another run named under this run: not found (and not recorded on either).
    path = f"/test-runs/{uat.pk}/items/{foreign_item.pk}/verdict"
    refused(api.post(path, {"verdict": "lulus"}), 404, "not_found")
    refused(api.post(f"/test-runs/{uat.pk}/items/999999/verdict", {"verdict": "lulus"}), 404)
    refused(
        api.post(f"/test-runs/999999/items/{items(uat)[0].pk}/verdict", {"verdict": "lulus"}), 404
    )
    refused(api.get(f"/test-runs/{uat.pk}/evidence/999999"), 404)
    refused(api.patch(f"/test-runs/{uat.pk}/findings/999999", {"title": "x"}), 404)
    # Ids the database cannot hold, and nonsense: invalid input, never a server error.
    refused(api.post(f"/test-runs/{uat.pk}/items/{2**63}/verdict", {"verdict": "lulus"}), 422)
    refused(api.get("/test-runs/0"), 422)
    refused(
        api.post(f"/test-runs/{uat.pk}/items/{items(uat)[0].pk}/verdict", {"verdict": "x"}), 422
    )
    refused(
        api.post(
            f"/test-runs/{uat.pk}/items/{items(uat)[0].pk}/verdict",
            {"verdict": "lulus", "tested_by": 1},
        ),
        422,
    )
    refused(
        api.post(
            f"/test-runs/{uat.pk}/findings",
            {"severity": "tinggi", "title": "x", "item_id": foreign_item.pk},
        ),
        404,
    )
    assert state(uat) == before and state(other) == before_other


def test_a_bad_cursor_or_filter_is_invalid_input(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    assert refused(api.get("/test-runs", {"after": "bukan-kursor"}), 422)["field"] == "after"
    refused(api.get("/test-runs", {"status": "entah"}), 422)
    refused(api.get("/test-runs", {"limit": 1000}), 422)


# --- happy paths ------------------------------------------------------------------------------


def test_start_a_run_and_read_it_with_the_frozen_text(bali, sop002) -> None:
    case = case_at(bali, sop002, "s9")
    chosen = make_set(bali, count=3)
    api = Api(bali["dinkes_staf"])
    response = api.post(
        "/test-runs",
        start_body(case, chosen, url="https://sikesda.baliprov.go.id", place="Dinkes"),
    )
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["kind"] == RunKind.UAT and run["status"] == RunStatus.OPEN
    assert run["case"] == case.reference and run["artifact"] == "ba_uat"
    assert run["title"] and run["page"] and run["may_test"] is True
    assert [i["number"] for i in run["items"]] == ["SK-01", "SK-02", "SK-03"]
    assert run["items"][0]["steps"].startswith("1. Buka menu Laporan")
    assert run["preview"]["pending"] == 3
    # The set changes; the run keeps the text it tested.
    first = chosen.scenarios.order_by("position").first()
    scenarios.save_scenario(
        bali["kadis"],
        chosen.pk,
        {**scenario(1).__dict__, "title": "Judul baru"},
        scenario_id=first.pk,
    )
    again = api.get(f"/test-runs/{run['id']}").json()
    assert again["items"][0]["title"] == "Cetak laporan 1"
    # A second run of the same step is refused while the first is under way.
    refused(api.post("/test-runs", start_body(case, chosen)), 400, "run_exists")


def test_list_filters_and_pages(bali, sop002, uat) -> None:
    other_case = case_at(bali, sop002, "s9", "Laporan kedua")
    second = runs.start_run(
        bali["dinkes_staf"],
        active(other_case).pk,
        "ba_uat",
        scenario_set_id=make_set(bali, name="Kedua").pk,
        app_version="2.2",
    )
    api = Api(bali["dinkes_staf"])
    listed = api.get("/test-runs").json()
    assert [r["id"] for r in listed["items"]] == [second.pk, uat.pk]
    assert listed["next"] is None
    by_case = api.get("/test-runs", {"case": uat.case.reference}).json()["items"]
    assert [r["id"] for r in by_case] == [uat.pk]
    sikesda = bali.applications["sikesda"].pk
    assert len(api.get("/test-runs", {"application": sikesda}).json()["items"]) == 2
    assert (
        api.get("/test-runs", {"application": bali.applications["simpeg"].pk}).json()["items"] == []
    )
    assert api.get("/test-runs", {"kind": "sit"}).json()["items"] == []
    assert len(api.get("/test-runs", {"kind": "uat", "status": "terbuka"}).json()["items"]) == 2
    assert api.get("/test-runs", {"status": "ditutup"}).json()["items"] == []
    assert len(api.get("/test-runs", {"to_test": True}).json()["items"]) == 2
    # The Kepala Dinas sees the runs but tests none of them.
    kadis = Api(bali["kadis"])
    assert len(kadis.get("/test-runs").json()["items"]) == 2
    assert kadis.get("/test-runs", {"to_test": True}).json()["items"] == []
    page = api.get("/test-runs", {"limit": 1}).json()
    assert [r["id"] for r in page["items"]] == [second.pk] and page["next"]
    rest = api.get("/test-runs", {"limit": 1, "after": page["next"]}).json()
    assert [r["id"] for r in rest["items"]] == [uat.pk] and rest["next"] is None


def test_verdicts_evidence_and_the_result_preview(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    first, second = items(uat)
    response = api.post(
        f"/test-runs/{uat.pk}/items/{first.pk}/verdict",
        {"verdict": "lulus", "actual": "Laporan terunduh"},
    )
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["verdict"] == "lulus" and item["actual"] == "Laporan terunduh"
    assert item["tested_by"]["id"] == bali["dinkes_staf"].pk and item["tested_at"]
    # Evidence: a photo, read back byte for byte.
    photo = png("layar.png")
    response = api.upload(f"/test-runs/{uat.pk}/items/{second.pk}/evidence", photo)
    assert response.status_code == 201, response.content
    evidence = response.json()
    assert evidence["content_type"] == "image/png" and evidence["name"] == "layar.png"
    download = api.client.get(evidence["url"], **api.headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == Evidence.objects.get().file.read()
    assert download["Cache-Control"] == "private, no-store"
    # Someone else who sees the run reads the evidence too (the Kepala Dinas).
    kadis = Api(bali["kadis"])
    assert kadis.client.get(evidence["url"], **kadis.headers).status_code == 200
    refused(
        api.upload(
            f"/test-runs/{uat.pk}/items/{second.pk}/evidence",
            SimpleUploadedFile("a.exe", b"MZ\x90\x00"),
        ),
        400,
    )
    assert Evidence.objects.count() == 1
    api.post(
        f"/test-runs/{uat.pk}/items/{second.pk}/verdict", {"verdict": "gagal", "actual": "Galat"}
    )
    run = api.get(f"/test-runs/{uat.pk}").json()
    assert run["preview"]["result"] == "diterima_dengan_catatan"
    assert run["preview"]["pending"] == 0
    assert any("SK-02" in reason for reason in run["preview"]["reasons"])


def test_close_and_reopen(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    first, second = items(uat)
    pending = refused(api.post(f"/test-runs/{uat.pk}/close"), 400, "pending")
    assert pending["items"] == ["SK-01", "SK-02"]
    for item in (first, second):
        api.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": "lulus"})
    response = api.post(
        f"/test-runs/{uat.pk}/close",
        {
            "place": "Ruang Rapat Dinkes",
            "participants": [{"name": "Made Ayu", "position": "Operator"}],
            "notes": "Diterima.",
        },
    )
    assert response.status_code == 200, response.content
    closed = response.json()
    assert closed["status"] == "ditutup" and closed["result"] == "diterima"
    assert closed["document_id"] and closed["participants"] == [
        {"name": "Made Ayu", "position": "Operator"}
    ]
    assert closed["may_test"] is False and closed["closed_by"]["id"] == bali["dinkes_staf"].pk
    assert api.get("/test-runs", {"status": "ditutup"}).json()["items"][0]["id"] == uat.pk
    # The Kepala Dinas may not reopen it; the requester may, while nobody has signed.
    refused(Api(bali["kadis"]).post(f"/test-runs/{uat.pk}/reopen"), 403, "not_allowed")
    reopened = api.post(f"/test-runs/{uat.pk}/reopen")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "terbuka" and reopened.json()["result"] is None
    refused(api.post(f"/test-runs/{uat.pk}/reopen"), 400, "not_closed")


def test_findings_and_their_follow_up(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    first, second = items(uat)
    response = api.post(
        f"/test-runs/{uat.pk}/findings",
        {
            "severity": "tinggi",
            "title": "Data pasien tidak tersimpan",
            "description": "Galat 500",
            "item_id": second.pk,
            "due": "2026-12-31",
        },
    )
    assert response.status_code == 201, response.content
    finding = response.json()
    assert finding["number"] == 1 and finding["status"] == FindingStatus.OPEN
    assert finding["item_id"] == second.pk and finding["due"] == "2026-12-31"
    minor = api.post(
        f"/test-runs/{uat.pk}/findings", {"severity": "rendah", "title": "Ejaan label"}
    ).json()
    run = api.get(f"/test-runs/{uat.pk}").json()
    assert run["preview"]["result"] == "ditolak"
    assert [f["id"] for f in run["findings"]] == [finding["id"], minor["id"]]
    base = f"/test-runs/{uat.pk}/findings/{finding['id']}"
    changed = api.patch(base, {"title": "Data pasien hilang", "owner_id": bali["dev1"].pk})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Data pasien hilang"
    assert changed.json()["owner"]["id"] == bali["dev1"].pk
    assert changed.json()["due"] == "2026-12-31"  # not given: unchanged
    assert api.patch(base, {"due": None}).json()["due"] is None
    cleared = api.patch(base, {"owner_id": None, "severity": None}).json()
    assert cleared["owner"] is None and cleared["severity"] == "tinggi"  # null severity: kept
    api.patch(base, {"owner_id": bali["dev1"].pk})
    # Verdicts, close (rejected), then the follow-up after the run is closed.
    for item, verdict in ((first, "lulus"), (second, "gagal")):
        api.post(f"/test-runs/{uat.pk}/items/{item.pk}/verdict", {"verdict": verdict})
    assert api.post(f"/test-runs/{uat.pk}/close").json()["result"] == "ditolak"
    refused(api.patch(base, {"title": "Setelah ditutup"}), 400)
    # After the run is closed the testers no longer follow it up: its owner (the developer)
    # and the agency's IT staff (the Kepala Dinas) do.
    refused(api.post(f"{base}/fixed", {"note": "Sudah"}), 403, "not_allowed")
    owner, keeper = Api(bali["dev1"]), Api(bali["kadis"])
    fixed = owner.post(f"{base}/fixed", {"note": "Diperbaiki di 2.2"})
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["status"] == FindingStatus.FIXED and fixed.json()["fixed_at"]
    retest = keeper.post(f"{base}/retest", {"result": "lulus", "note": "Sudah tersimpan"})
    assert retest.status_code == 200, retest.content
    assert retest.json()["status"] == FindingStatus.CLOSED
    assert retest.json()["retest_result"] == "lulus"
    minor_base = f"/test-runs/{uat.pk}/findings/{minor['id']}"
    refused(keeper.post(f"{minor_base}/retest", {"result": "entah"}), 422)
    accepted = keeper.post(f"{minor_base}/accept-risk", {"note": "Kosmetik, diterima"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == FindingStatus.ACCEPTED
    refused(keeper.post(f"{minor_base}/accept-risk", {"note": "lagi"}), 400)


def test_a_finding_opens_a_problem_case(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    finding = api.post(
        f"/test-runs/{uat.pk}/findings", {"severity": "sedang", "title": "Cetak lambat"}
    ).json()
    path = f"/test-runs/{uat.pk}/findings/{finding['id']}/problem-case"
    response = api.post(path, {})
    assert response.status_code == 201, response.content
    body = response.json()
    opened = Case.objects.get(reference=body["case"])
    assert opened.pk != uat.case_id and body["finding"]["problem_case"] == body["case"]
    refused(api.post(path, {}), 400)  # one problem case per finding


def security_run(bali: Any) -> Run:
    """An open security run of SIKESDA on a Bali SOP 002 case at step 3 (its holder, the
    Kepala Dinas, tests it), as the ZAP tests make one."""
    requester, kadis = bali["dinkes_staf"], bali["kadis"]
    sikesda = bali.applications["sikesda"]
    case = case_services.open_case(
        requester, bali.versions[SOP_002], "Uji keamanan SIKESDA", application=sikesda
    )
    case = work(requester, work(requester, case))
    checklist = security.install_checklist(kadis, sikesda.pk)
    return Run.objects.create(
        agency=bali.agency,
        case=case,
        step=active(case),
        artifact_key="uji_keamanan",
        kind=RunKind.SECURITY,
        application=sikesda,
        app_version="2.1",
        scenario_set=checklist,
        set_revision=checklist.revision,
        number=1,
        opened_by=kadis,
        opened_at=timezone.now(),
    )


def test_a_zap_report_is_imported_into_a_run(bali) -> None:
    run = security_run(bali)
    api = Api(bali["kadis"])
    report = (DATA / "zap-sikesda.json").read_bytes()
    refused(
        Api(bali["bkd"]).upload(f"/test-runs/{run.pk}/zap", SimpleUploadedFile("z.json", report)),
        404,
    )
    bad = api.upload(f"/test-runs/{run.pk}/zap", SimpleUploadedFile("z.json", b"not a report"))
    assert refused(bad, 400)["field"] == "file"
    assert not Finding.objects.exists()
    response = api.upload(f"/test-runs/{run.pk}/zap", SimpleUploadedFile("z.json", report))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["format"] == "json" and body["created"] and body["updated"] == []
    assert {f["source"] for f in body["created"]} == {"zap"}
    assert all(f["rule"] for f in body["created"])
    xml = (DATA / "zap-sikesda.xml").read_bytes()
    again = api.upload(f"/test-runs/{run.pk}/zap", SimpleUploadedFile("z.xml", xml)).json()
    assert again["format"] == "xml" and again["created"] == []
    assert sorted(f["id"] for f in again["updated"]) == sorted(f["id"] for f in body["created"])


def test_an_uploaded_pdf_is_evidence_too(bali, uat) -> None:
    api = Api(bali["dinkes_staf"])
    item = items(uat)[0]
    response = api.upload(f"/test-runs/{uat.pk}/items/{item.pk}/evidence", pdf("hasil.pdf"))
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"
    run = api.get(f"/test-runs/{uat.pk}").json()
    assert [e["name"] for e in run["items"][0]["evidence"]] == ["hasil.pdf"]


def test_the_openapi_document_names_the_schemas_apart(client) -> None:
    document = json.loads(client.get("/api/openapi.json").content)
    schemas = document["components"]["schemas"]
    for name in (
        "TestRunOut",
        "TestRunPage",
        "TestRunItemOut",
        "TestFindingOut",
        "TestEvidenceOut",
    ):
        assert name in schemas
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/test-runs"])
    assert set(paths["/api/test-runs/{run_id}/evidence/{evidence_id}"]) == {"get"}
    assert (
        "multipart/form-data"
        in paths["/api/test-runs/{run_id}/zap"]["post"]["requestBody"]["content"]
    )
    for path, operations in paths.items():
        if path.startswith("/api/test-runs"):
            for method, operation in operations.items():
                assert "401" in operation["responses"], f"{method} {path}"
                assert operation.get("security"), f"{method} {path}"
    # Ninja names a schema by its class: two classes of one name would share one entry.
    refs = json.dumps(document)
    assert '"#/components/schemas/TestPersonRef"' in refs


def quality_ids(bali: Any, sop002: Any) -> dict[str, int]:
    """The ids of an open UAT run with a verdict, a photo and a finding: the path parameters
    of the runs' API operations for the API's fuzzing (tests/security/test_api_fuzz.py)."""
    case = case_at(bali, sop002, "s9", "Uji penerimaan SIKESDA")
    run = runs.start_run(
        bali["dinkes_staf"],
        active(case).pk,
        "ba_uat",
        scenario_set_id=make_set(bali, name="Fuzz").pk,
        app_version="2.1",
    )
    item = items(run)[0]
    runs.record_verdict(bali["dinkes_staf"], item.pk, "gagal", files=[png("bukti.png")])
    finding = findings.add_finding(
        bali["dinkes_staf"], run.pk, severity="sedang", title="Tombol simpan tidak aktif"
    )
    return {
        "run_id": run.pk,
        "item_id": item.pk,
        "evidence_id": Evidence.objects.get(item=item).pk,
        "finding_id": finding.pk,
    }
