"""The screens of runs and findings (issue 18, item 5): a UAT tester of the requesting unit
sees their runs and scenarios one at a time, records a verdict with a photo in two taps, and
nobody else sees or changes a unit's runs.

The attacks first: another unit's member, a member of the requesting unit of a different
case, a vendor of another agency, ids of other agencies and made-up ids."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laksana.cases import services as case_services
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.org.models import Person
from laksana.quality import findings, runs, scenarios
from laksana.quality.models import (
    Evidence,
    Finding,
    FindingStatus,
    Priority,
    RunItem,
    RunStatus,
    ScenarioSet,
    TestRun,
    Verdict,
)
from laksana.quality.scenarios import ScenarioInput
from tests.cases.helpers import active, png, work

pytestmark = pytest.mark.django_db
TestRun.__test__ = False  # a model, not a test class

# Who works steps 1 to 8 of SOP 002 in the Bali demo (step 9, the UAT, is the requester's).
BEFORE_UAT = ("dinkes_staf", "dinkes_staf", "kadis", "kabid", "ketuatim", "dev1", "qa1", "dev1")


def scenario(n: int, priority: str = Priority.MEDIUM) -> ScenarioInput:
    return ScenarioInput(
        number=f"UAT-{n:02d}",
        title=f"Simpan data kunjungan {n}",
        requirement="Pencatatan kunjungan",
        preconditions="Masuk sebagai petugas puskesmas",
        steps="1. Buka menu Kunjungan\n2. Isi formulir\n3. Tekan Simpan",
        input_data="NIK 5171010101010001",
        expected="Data tersimpan dan tampil di daftar",
        priority=priority,
    )


def uat_set(bali: Any, count: int = 3) -> ScenarioSet:
    """SIKESDA's UAT scenario set (the first scenario of priority High)."""
    return scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="UAT SIKESDA",
        app_version="2.4",
        scenarios=[scenario(1, Priority.HIGH), *(scenario(n) for n in range(2, count + 1))],
    )


def case_at_uat(bali: Any, sop002: Any, opener: str = "dinkes_staf", title: str = "") -> Case:
    """A Bali SOP 002 case on SIKESDA whose active step is s9 (the UAT)."""
    case = case_services.open_case(
        bali[opener],
        sop002,
        title or "SIKESDA gagal menyimpan data kunjungan",
        application=bali.applications["sikesda"],
    )
    for login in BEFORE_UAT:
        case = work(bali[opener] if login == "dinkes_staf" else bali[login], case)
    assert active(case).step_key == "s9"
    return case


def start_uat(bali: Any, case: Case, tester: str = "dinkes_staf", count: int = 3) -> TestRun:
    """An open UAT run of the case, started by a member of its requesting unit."""
    existing = ScenarioSet.objects.filter(name="UAT SIKESDA").first()
    chosen = existing or uat_set(bali, count)
    return runs.start_run(
        bali[tester],
        active(case).pk,
        "ba_uat",
        scenario_set_id=chosen.pk,
        app_version="2.4",
        url="https://sikesda-uji.baliprov.go.id",
    )


@pytest.fixture
def case(bali, sop002) -> Case:
    return case_at_uat(bali, sop002)


@pytest.fixture
def run(bali, case) -> TestRun:
    return start_uat(bali, case)


def signed_in(client: Client, person: Person) -> Client:
    assert person.user is not None
    client.force_login(person.user)
    return client


def item(run: TestRun, position: int = 1) -> RunItem:
    return run.items.get(position=position)


def state() -> tuple[Any, ...]:
    """Everything the run screens write."""
    return (
        sorted(TestRun.objects.values_list("pk", "status", "result", "place", "notes")),
        sorted(RunItem.objects.values_list("pk", "verdict", "actual", "tested_by_id")),
        sorted(Evidence.objects.values_list("pk", "item_id")),
        sorted(Finding.objects.values_list("pk", "status", "title", "owner_id")),
    )


def run_urls(run: TestRun, evidence: Evidence | None = None) -> list[str]:
    urls = [
        reverse("quality:run", args=[run.pk]),
        reverse("quality:item", args=[run.pk, 1]),
        reverse("quality:finding_new", args=[run.pk]),
    ]
    found = run.findings.first()
    if found is not None:
        urls.append(reverse("quality:finding", args=[found.pk]))
    if evidence is not None:
        urls.append(reverse("quality:evidence", args=[evidence.pk]))
    return urls


@pytest.fixture
def recorded(bali, run) -> tuple[TestRun, Evidence]:
    """The run with a verdict and a photo on its first scenario, and a finding."""
    runs.record_verdict(bali["dinkes_staf"], item(run).pk, Verdict.FAILED, files=[png("a.png")])
    findings.add_finding(
        bali["dinkes_staf"], run.pk, severity="sedang", title="Tombol simpan tidak aktif"
    )
    return run, Evidence.objects.get(item__run=run)


# --- the attacks first -------------------------------------------------------------------------


def test_another_units_member_gets_404_on_every_page_of_a_uat_run(bali, recorded, client):
    run, evidence = recorded
    signed_in(client, bali["bkd"])
    before = state()
    for url in run_urls(run, evidence):
        assert client.get(url).status_code == 404, url
    verdict = {"verdict": Verdict.PASSED, "photo": png("b.png")}
    assert client.post(reverse("quality:item", args=[run.pk, 2]), verdict).status_code == 404
    assert (
        client.post(reverse("quality:run", args=[run.pk]), {"action": "close"}).status_code == 404
    )
    finding = {"severity": "tinggi", "title": "Disisipkan"}
    assert client.post(reverse("quality:finding_new", args=[run.pk]), finding).status_code == 404
    assert state() == before
    assert "UAT" not in client.get(reverse("quality:runs")).content.decode().split("<main")[1]


def test_a_member_of_the_requesting_unit_of_a_different_case_cannot_see_nor_record(
    bali, sop002, run, client
):
    # The BKD staff member runs the UAT of BKD's own case; Dinkes's run stays out of reach.
    own_case = case_at_uat(bali, sop002, opener="bkd", title="SIKESDA lambat di BKD")
    own_run = start_uat(bali, own_case, tester="bkd")
    signed_in(client, bali["bkd"])
    page = client.get(reverse("quality:runs")).content.decode()
    assert reverse("quality:run", args=[own_run.pk]) in page
    assert reverse("quality:run", args=[run.pk]) not in page
    before = state()
    url = reverse("quality:item", args=[run.pk, 1])
    assert client.post(url, {"verdict": Verdict.PASSED}).status_code == 404
    assert state() == before
    # And the Dinkes tester may not record in BKD's run either.
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:item", args=[own_run.pk, 1])
    assert client.post(url, {"verdict": Verdict.PASSED}).status_code == 404
    assert state() == before


def test_who_sees_the_case_but_may_not_test_reads_it_and_records_nothing(bali, run, client):
    # The Kepala Dinas sees the case (he worked step 3) but does not work the UAT step.
    signed_in(client, bali["kadis"])
    url = reverse("quality:item", args=[run.pk, 1])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="verdict"' not in page.content.decode()
    before = state()
    response = client.post(url, {"verdict": Verdict.PASSED, "photo": png()})
    assert response.status_code == 302
    assert state() == before
    response = client.post(
        reverse("quality:finding_new", args=[run.pk]), {"severity": "tinggi", "title": "X"}
    )
    assert response.status_code == 302 and state() == before
    response = client.post(reverse("quality:run", args=[run.pk]), {"action": "close"})
    assert response.status_code == 302 and state() == before
    page = client.get(response["Location"]).content.decode()
    assert 'class="message message--error"' in page


def test_a_vendor_of_another_agency_gets_404(bali, djki, recorded, client):
    run, evidence = recorded
    signed_in(client, djki["ipasdev"])
    before = state()
    for url in run_urls(run, evidence):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("quality:item", args=[run.pk, 1]), {"verdict": "lulus"})
    assert response.status_code == 404
    assert state() == before


def test_ids_of_other_agencies_and_made_up_ids_are_not_found(bali, djki, recorded, client):
    run, evidence = recorded
    signed_in(client, djki["kasubdit"])
    for url in run_urls(run, evidence):
        assert client.get(url).status_code == 404, url
    signed_in(client, bali["dinkes_staf"])
    huge = 2**70
    for url in (
        reverse("quality:run", args=[huge]),
        reverse("quality:item", args=[run.pk, huge]),
        reverse("quality:item", args=[run.pk, 99]),
        reverse("quality:finding", args=[huge]),
        reverse("quality:evidence", args=[huge]),
        reverse("quality:run", args=[run.pk + 1000]),
        reverse("quality:start") + "?step=x&artifact=ba_uat",
        reverse("quality:start") + f"?step={huge}&artifact=ba_uat",
    ):
        assert client.get(url).status_code == 404, url
    # A step of a case one may not see, and an artifact the step does not make.
    step = active(run.case)
    signed_in(client, bali["bkd"])
    assert (
        client.get(reverse("quality:start"), {"step": step.pk, "artifact": "ba_uat"}).status_code
        == 404
    )
    signed_in(client, bali["dinkes_staf"])
    for artifact in ("bast", "tidak-ada", "ba_uat\x00", ""):
        response = client.get(reverse("quality:start"), {"step": step.pk, "artifact": artifact})
        assert response.status_code == 404, artifact


def test_bad_input_is_refused_on_the_form_never_a_server_error(bali, run, client):
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:item", args=[run.pk, 1])
    before = state()
    for data in ({}, {"verdict": "lulus-banget"}, {"verdict": ""}, {"verdict": "gagal\x00"}):
        assert client.post(url, data).status_code == 422, data
    assert client.post(url, {"remove_evidence": "abc"}).status_code == 422
    bad = reverse("quality:finding_new", args=[run.pk])
    assert client.post(bad, {"severity": "parah", "title": "x"}).status_code == 422
    assert client.post(bad, {"severity": "tinggi", "title": ""}).status_code == 422
    assert (
        client.post(bad, {"severity": "tinggi", "title": "x", "due": "kemarin"}).status_code == 422
    )
    assert (
        client.post(bad + "?item=99999999", {"severity": "tinggi", "title": "x"}).status_code == 302
    )
    assert state() != before  # the last one: a finding of the run, the made-up item ignored
    assert Finding.objects.get().item_id is None


# --- the screens --------------------------------------------------------------------------------


def test_my_tests_lists_the_open_run_to_test(bali, run, client):
    signed_in(client, bali["dinkes_staf"])
    page = client.get(reverse("quality:runs"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("quality:run", args=[run.pk]) in text
    assert "Pengujian" in text or "pengujian" in text
    assert "0 dari 3" in text


def test_the_start_form_starts_a_uat_run_and_opens_its_first_scenario(bali, case, client):
    chosen = uat_set(bali)
    step = active(case)
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:start") + f"?step={step.pk}&artifact=ba_uat"
    page = client.get(url)
    assert page.status_code == 200 and "UAT SIKESDA" in page.content.decode()
    response = client.post(
        url, {"scenario_set": chosen.pk, "app_version": "", "place": "Ruang Rapat"}
    )
    assert response.status_code == 422 and not TestRun.objects.exists()
    response = client.post(
        url, {"scenario_set": chosen.pk, "app_version": "2.4", "place": "Ruang Rapat"}
    )
    created = TestRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:item", args=[created.pk, 1])
    assert created.kind == "uat" and created.items.count() == 3
    # A second one for the same step is refused on the form; the page offers the first.
    response = client.post(url, {"scenario_set": chosen.pk, "app_version": "2.4"})
    assert response.status_code == 422 and TestRun.objects.count() == 1
    page = client.get(url).content.decode()
    assert reverse("quality:run", args=[created.pk]) in page and 'name="app_version"' not in page


def test_the_start_form_is_refused_to_who_may_not_work_the_step(bali, case, client):
    uat_set(bali)
    signed_in(client, bali["kadis"])
    url = reverse("quality:start") + f"?step={active(case).pk}&artifact=ba_uat"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.reference])


def test_a_verdict_with_a_photo_is_one_post_and_the_next_scenario_opens(bali, run, client):
    signed_in(client, bali["dinkes_staf"])
    page = client.get(reverse("quality:item", args=[run.pk, 1])).content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    for label in ("Lulus", "Gagal", "Diblokir", "Tidak dijalankan"):
        assert label in page
    response = client.post(
        reverse("quality:item", args=[run.pk, 1]),
        {"verdict": Verdict.PASSED, "actual": "Tersimpan", "photo": png("layar.png")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:item", args=[run.pk, 2])
    first = item(run)
    assert first.verdict == Verdict.PASSED and first.tested_by == bali["dinkes_staf"]
    evidence = first.evidence.get()
    assert evidence.original_name == "layar.png"
    # The next scenario without a verdict: skipping one that has one.
    runs.record_verdict(bali["dinkes_staf"], item(run, 3).pk, Verdict.PASSED)
    response = client.post(reverse("quality:item", args=[run.pk, 1]), {"verdict": "lulus"})
    assert response["Location"] == reverse("quality:item", args=[run.pk, 2])
    response = client.post(reverse("quality:item", args=[run.pk, 2]), {"verdict": "lulus"})
    assert response["Location"] == reverse("quality:run", args=[run.pk])


def test_after_a_gagal_the_finding_is_offered_and_recorded_on_the_scenario(bali, run, client):
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:item", args=[run.pk, 1])
    response = client.post(url, {"verdict": Verdict.FAILED, "actual": "Galat 500"})
    assert response["Location"] == url + "?gagal=1"
    page = client.get(response["Location"]).content.decode()
    offer = reverse("quality:finding_new", args=[run.pk]) + f"?item={item(run).pk}"
    assert offer in page.replace("&amp;", "&")
    form = client.get(offer).content.decode()
    assert "UAT-01" in form and "Galat 500" in form
    response = client.post(
        offer,
        {
            "item": item(run).pk,
            "severity": "tinggi",
            "title": "Simpan gagal",
            "owner": bali["dev1"].pk,
            "due": "2026-12-31",
        },
    )
    found = Finding.objects.get()
    assert found.item == item(run) and found.owner == bali["dev1"] and found.number == 1
    assert response["Location"] == reverse("quality:item", args=[run.pk, 2])


def test_the_run_page_shows_progress_the_result_so_far_and_its_rule(bali, recorded, client):
    run, _evidence = recorded
    signed_in(client, bali["dinkes_staf"])
    page = client.get(reverse("quality:run", args=[run.pk])).content.decode()
    assert "<progress" in page and 'value="1"' in page
    assert "result-badge--ditolak" in page  # a high-priority scenario failed
    assert "UAT-01" in page and "<details" in page
    assert "Tombol simpan tidak aktif" in page
    assert reverse("quality:item", args=[run.pk, 2]) in page  # continue testing


def test_closing_needs_every_verdict_then_drafts_the_minutes_and_reopens(bali, run, client):
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:run", args=[run.pk])
    form = {
        "action": "close",
        "place": "Ruang Rapat Dinkes",
        "notes": "Lancar",
        "participants-0-name": "Ni Made Sari",
        "participants-0-position": "Pengelola Data",
    }
    response = client.post(url, form)
    assert response.status_code == 422 and "UAT-01" in response.content.decode()
    for position in (1, 2, 3):
        runs.record_verdict(bali["dinkes_staf"], item(run, position).pk, Verdict.PASSED)
    response = client.post(url, form)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CLOSED and run.result == "diterima"
    assert run.document is not None and run.place == "Ruang Rapat Dinkes"
    assert run.participants == [{"name": "Ni Made Sari", "position": "Pengelola Data"}]
    page = client.get(url).content.decode()
    assert reverse("documents:detail", args=[run.document.pk]) in page
    assert (
        'name="verdict"'
        not in client.get(reverse("quality:item", args=[run.pk, 1])).content.decode()
    )
    response = client.post(url, {"action": "reopen"})
    run.refresh_from_db()
    assert response.status_code == 302 and run.status == RunStatus.OPEN


def test_a_finding_is_fixed_and_retested_on_its_page(bali, recorded, client):
    found = Finding.objects.get()
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:finding", args=[found.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "fixed", "fixed-note": "Diperbaiki di 2.4.1"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == FindingStatus.FIXED
    response = client.post(url, {"action": "retest", "retest-result": "lulus"})
    found.refresh_from_db()
    assert response.status_code == 302 and found.status == FindingStatus.CLOSED
    assert client.post(url, {"action": "hapus"}).status_code == 302
    response = client.post(
        url,
        {
            "action": "update",
            "edit-severity": "rendah",
            "edit-title": "",
        },
    )
    assert response.status_code == 422


def test_evidence_is_served_with_safe_headers_to_who_may_see_the_run(bali, recorded, client):
    _run, evidence = recorded
    signed_in(client, bali["kadis"])
    response = client.get(reverse("quality:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_wrong_photo_is_removed_by_the_tester(bali, recorded, client):
    run, evidence = recorded
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:item", args=[run.pk, 1])
    assert evidence.original_name in client.get(url).content.decode()
    response = client.post(url, {"remove_evidence": evidence.pk})
    assert response.status_code == 302 and not Evidence.objects.exists()


def test_the_case_page_lists_the_cases_runs(bali, run, client):
    signed_in(client, bali["dinkes_staf"])
    page = client.get(reverse("cases:detail", args=[run.case.reference])).content.decode()
    assert reverse("quality:run", args=[run.pk]) in page
    signed_in(client, bali["kadis"])
    page = client.get(reverse("cases:detail", args=[run.case.reference])).content.decode()
    assert reverse("quality:run", args=[run.pk]) in page


def test_a_case_without_runs_has_no_testing_panel(bali, case, client):
    signed_in(client, bali["dinkes_staf"])
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'id="pengujian"' not in page


def test_every_step_row_is_untouched_by_reading(bali, run, client):
    # Reading the screens writes nothing (no verdict, no step change).
    signed_in(client, bali["dinkes_staf"])
    before = (state(), sorted(CaseStep.objects.values_list("pk", "status")))
    for url in run_urls(run):
        assert client.get(url).status_code == 200, url
    assert (state(), sorted(CaseStep.objects.values_list("pk", "status"))) == before
    assert active(run.case).status == StepStatus.ACTIVE


def test_a_file_that_is_no_photo_is_refused_on_the_form_and_nothing_is_recorded(bali, run, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed_in(client, bali["dinkes_staf"])
    before = state()
    page = SimpleUploadedFile("foto.html", b"<script>alert(1)</script>", "text/html")
    response = client.post(
        reverse("quality:item", args=[run.pk, 1]), {"verdict": Verdict.PASSED, "photo": page}
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert state() == before


def test_the_sit_of_step_8_is_started_by_the_developers_and_read_by_the_requester(
    bali, sop002, client
):
    case = case_services.open_case(
        bali["dinkes_staf"], sop002, "SIKESDA lambat", application=bali.applications["sikesda"]
    )
    for login in BEFORE_UAT[:7]:
        case = work(bali[login], case)
    step = active(case)
    assert step.step_key == "s8"
    chosen = uat_set(bali)
    signed_in(client, bali["dev1"])
    url = reverse("quality:start") + f"?step={step.pk}&artifact=ba_sit"
    response = client.post(url, {"scenario_set": chosen.pk, "app_version": "2.4-rc1"})
    assert response.status_code == 302
    sit = TestRun.objects.get()
    assert sit.kind == "sit" and sit.opened_by == bali["dev1"]
    signed_in(client, bali["dinkes_staf"])
    page = client.get(reverse("quality:item", args=[sit.pk, 1]))
    assert page.status_code == 200 and 'name="verdict"' not in page.content.decode()
    assert (
        reverse("quality:run", args=[sit.pk])
        not in client.get(reverse("quality:runs")).content.decode().split('id="h-recent"')[0]
    )


def test_who_follows_a_finding_up_without_testing_changes_only_owner_and_date(
    bali, recorded, client
):
    found = Finding.objects.get()
    signed_in(client, bali["kadis"])  # keeps the agency's catalogue; does not test the UAT
    url = reverse("quality:finding", args=[found.pk])
    page = client.get(url).content.decode()
    assert 'name="edit-title"' in page and "disabled" in page
    response = client.post(
        url,
        {
            "action": "update",
            "edit-title": "Diubah diam-diam",
            "edit-severity": "info",
            "edit-owner": bali["dev1"].pk,
            "edit-due": "2027-01-15",
        },
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.title == "Tombol simpan tidak aktif" and found.severity == "sedang"
    assert found.owner == bali["dev1"] and str(found.due) == "2027-01-15"


def test_a_risk_is_accepted_with_its_note_and_a_problem_case_opened(bali, recorded, client):
    found = Finding.objects.get()
    signed_in(client, bali["dinkes_staf"])
    url = reverse("quality:finding", args=[found.pk])
    response = client.post(url, {"action": "problem"})
    found.refresh_from_db()
    assert found.problem_case is not None
    assert response["Location"] == reverse("cases:detail", args=[found.problem_case.reference])
    assert found.problem_case.reference in client.get(url).content.decode()
    response = client.post(url, {"action": "accept", "accept-note": ""})
    found.refresh_from_db()
    assert response.status_code == 422 and found.status == FindingStatus.OPEN
    response = client.post(url, {"action": "accept", "accept-note": "Diterima sampai versi 2.5"})
    found.refresh_from_db()
    assert response.status_code == 302 and found.status == FindingStatus.ACCEPTED


def test_the_run_screens_are_indonesian(bali, recorded, client):
    from tests.web.test_translations import assert_indonesian

    run, _evidence = recorded
    signed_in(client, bali["dinkes_staf"])
    found = Finding.objects.get()
    pages = {
        reverse("quality:runs"): ["Pengujian saya", "Untuk diuji"],
        reverse("quality:run", args=[run.pk]): ["Hasil sementara", "Cara hasil ditentukan"],
        reverse("quality:item", args=[run.pk, 1]): ["Ambil foto", "Lulus", "Tidak dijalankan"],
        reverse("quality:item", args=[run.pk, 1]) + "?gagal=1": ["Catat temuan"],
        reverse("quality:finding_new", args=[run.pk]): ["Simpan temuan"],
        reverse("quality:finding", args=[found.pk]): ["Tandai sudah diperbaiki"],
    }
    for url, words in pages.items():
        assert_indonesian(client.get(url), words, ["Take a photo", "Passed"])
