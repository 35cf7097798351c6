"""Test runs (issue 18, items 2 and 3): who starts and tests a run, what it copies and
freezes, closing it into its minutes, reopening, sign-off. The attacks first.

The helpers here (a SOP 002 case of the Bali demo at step 8 or 9, a scenario set of its
application) are shared by the other tests of runs and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from laksana.cases import services as case_services
from laksana.cases.models import Case, CaseStep, JournalEntry, JournalKind, StepStatus
from laksana.catalog.models import Environment, EnvironmentKind
from laksana.documents import services as documents
from laksana.documents.models import Document, DocumentStatus
from laksana.errors import NotAllowed, ServiceError
from laksana.quality import findings, runs, scenarios
from laksana.quality.models import (
    Evidence,
    Priority,
    RunItem,
    RunStatus,
    ScenarioSet,
)
from laksana.quality.models import (
    TestRun as Run,
)
from laksana.quality.scenarios import ScenarioInput
from tests.cases.helpers import pdf, png, work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- shared helpers -----------------------------------------------------------------------------


def scenario(n: int, priority: str = Priority.MEDIUM, **extra: str) -> ScenarioInput:
    values = {
        "number": f"SK-{n:02d}",
        "title": f"Cetak laporan {n}",
        "requirement": "Pelaporan",
        "preconditions": "Masuk sebagai operator",
        "steps": f"1. Buka menu Laporan\n2. Pilih bulan {n}\n3. Tekan Cetak",
        "input_data": f"Bulan {n}/2026",
        "expected": "Laporan PDF terunduh",
        "priority": priority,
        **extra,
    }
    return ScenarioInput(**values)


def make_set(bali: Any, count: int = 2, app: str = "sikesda", **kw: Any) -> ScenarioSet:
    return scenarios.create_set(
        bali["kadis"],
        bali.applications[app].pk,
        name=kw.pop("name", "Skenario SIKESDA"),
        app_version="2.1",
        scenarios=[scenario(n, **kw) for n in range(1, count + 1)],
    )


def active(case: Case) -> CaseStep:
    return case.steps.get(status=StepStatus.ACTIVE)


def case_at(bali: Any, sop002: Any, step_key: str, title: str = "Laporan SIKESDA") -> Case:
    """A SOP 002 case about SIKESDA whose active step is ``step_key`` (s6 to s9)."""
    case = case_services.open_case(
        bali["dinkes_staf"], sop002, title, application=bali.applications["sikesda"]
    )
    people = ["dinkes_staf", "dinkes_staf", "kadis", "kabid", "ketuatim", "dev1", "dev1"]
    for who in people:
        if active(case).step_key == step_key:
            break
        case = work(bali[who], case)
    if active(case).step_key == "s8" and step_key == "s9":
        case = work(bali["dev1"], case)
    assert active(case).step_key == step_key
    return case


def start(bali: Any, case: Case, who: str = "dev1", artifact: str = "", **kw: Any) -> Run:
    row = active(case)
    key = artifact or {"s8": "ba_sit", "s9": "ba_uat"}[row.step_key]
    if "scenario_set_id" not in kw:
        kw["scenario_set_id"] = make_set(bali).pk
    kw.setdefault("app_version", "2.1")
    return runs.start_run(bali[who], row.pk, key, **kw)


def verdicts(bali: Any, run: Run, who: str, *values: str) -> None:
    items = list(run.items.order_by("position"))
    for item, verdict in zip(items, values, strict=True):
        runs.record_verdict(bali[who], item.pk, verdict, actual=f"Hasil {item.number}")


def sign_all(bali: Any, doc: Document) -> Document:
    """Submit by the author, then every signature in order."""
    doc = documents.submit(doc.author, doc)
    for signatory in doc.signatories.order_by("order", "pk"):
        doc = documents.sign(signatory.person, doc)
    return doc


@pytest.fixture
def sit(bali, sop002) -> Run:
    return start(bali, case_at(bali, sop002, "s8"))


# --- attacks ------------------------------------------------------------------------------------


def test_another_agencys_set_environment_and_run_are_not_found(bali, sop002, djki) -> None:
    case = case_at(bali, sop002, "s8")
    row = active(case)
    djki_app = next(iter(djki.applications.values()))
    foreign = scenarios.create_set(
        djki["direktur"], djki_app.pk, name="Milik DJKI", scenarios=[scenario(1)]
    )
    with pytest.raises(ServiceError) as e:
        runs.start_run(bali["dev1"], row.pk, "ba_sit", scenario_set_id=foreign.pk, app_version="1")
    assert (e.value.code, e.value.field) == ("not_found", "scenario_set")
    env = Environment.objects.create(
        application=djki_app, kind=EnvironmentKind.STAGING, updated_at=timezone.now()
    )
    with pytest.raises(ServiceError) as e:
        start(bali, case, environment_id=env.pk)
    assert (e.value.code, e.value.field) == ("not_found", "environment")
    # Another application of the same agency: not this case's.
    simpeg = make_set(bali, app="simpeg", name="SIMPEG")
    with pytest.raises(ServiceError) as e:
        start(bali, case, scenario_set_id=simpeg.pk)
    assert e.value.field == "scenario_set"
    run = start(bali, case)
    item = run.items.first()
    for call in (
        lambda: runs.record_verdict(djki["direktur"], item.pk, "lulus"),
        lambda: runs.close_run(djki["direktur"], run.pk),
        lambda: runs.reopen_run(djki["direktur"], run.pk),
        lambda: findings.add_finding(djki["direktur"], run.pk, severity="tinggi", title="x"),
        lambda: runs.start_run(
            djki["direktur"], row.pk, "ba_sit", scenario_set_id=1, app_version="1"
        ),
    ):
        with pytest.raises(ServiceError) as e:
            call()
        assert e.value.code == "not_found"
    assert Run.objects.count() == 1 and not RunItem.objects.exclude(verdict="").exists()


def test_made_up_ids_are_not_found(bali, sit) -> None:
    for bad in (0, -1, 2**70, "x", None, True, "1; DROP"):
        with pytest.raises(ServiceError) as e:
            runs.record_verdict(bali["dev1"], bad, "lulus")  # type: ignore[arg-type]
        assert e.value.code == "not_found"
        with pytest.raises(ServiceError):
            runs.close_run(bali["dev1"], bad)  # type: ignore[arg-type]


def test_who_may_not_work_the_step_neither_starts_nor_tests(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    row = active(case)
    chosen = make_set(bali)
    # The requester (SIT is the Tim SPBE's step) and the head of another unit.
    for who in ("dinkes_staf", "bkd", "kadis"):
        with pytest.raises(ServiceError) as e:
            runs.start_run(bali[who], row.pk, "ba_sit", scenario_set_id=chosen.pk, app_version="2")
        assert e.value.code in ("not_allowed", "not_found")
    run = start(bali, case)
    item = run.items.first()
    for who in ("dinkes_staf", "bkd", "ketuatim"):
        with pytest.raises(ServiceError) as e:
            runs.record_verdict(bali[who], item.pk, "lulus")
        assert e.value.code in ("not_allowed", "not_found")
        with pytest.raises(ServiceError):
            runs.add_evidence(bali[who], item.pk, png())
        with pytest.raises(ServiceError):
            runs.close_run(bali[who], run.pk)
    item.refresh_from_db()
    assert item.verdict == "" and not Evidence.objects.exists()


def test_a_uat_is_tested_by_the_requesting_unit_not_another_unit(bali, sop002) -> None:
    case = case_at(bali, sop002, "s9")
    row = active(case)
    chosen = make_set(bali)
    for who in ("bkd", "kabkd", "dev1"):
        with pytest.raises(ServiceError) as e:
            runs.start_run(bali[who], row.pk, "ba_uat", scenario_set_id=chosen.pk, app_version="2")
        assert e.value.code in ("not_allowed", "not_found")
    run = start(bali, case, who="dinkes_staf", scenario_set_id=chosen.pk)
    item = run.items.first()
    with pytest.raises(ServiceError) as e:
        runs.record_verdict(bali["bkd"], item.pk, "lulus")
    assert e.value.code in ("not_allowed", "not_found")
    runs.record_verdict(bali["dinkes_staf"], item.pk, "lulus")
    from laksana.quality.queries import runs_to_test, visible_runs

    assert list(runs_to_test(bali["dinkes_staf"])) == [run]
    assert not visible_runs(bali["bkd"]).exists()
    assert not runs_to_test(bali["bkd"]).exists()


def test_nothing_of_a_closed_run_changes(bali, sit) -> None:
    verdicts(bali, sit, "dev1", "lulus", "gagal")
    item = sit.items.get(position=2)
    runs.add_evidence(bali["dev1"], item.pk, png())
    finding = findings.add_finding(bali["dev1"], sit.pk, severity="sedang", title="Judul salah")
    evidence = Evidence.objects.get()
    runs.close_run(bali["dev1"], sit.pk)
    for call in (
        lambda: runs.record_verdict(bali["dev1"], item.pk, "lulus", actual="ubah"),
        lambda: runs.add_evidence(bali["dev1"], item.pk, png()),
        lambda: runs.remove_evidence(bali["dev1"], evidence.pk),
        lambda: findings.add_finding(bali["dev1"], sit.pk, severity="kritis", title="baru"),
        lambda: findings.update_finding(bali["dev1"], finding.pk, severity="kritis"),
        lambda: findings.update_finding(bali["dev1"], finding.pk, title="lain"),
        lambda: findings.update_finding(bali["dev1"], finding.pk, description="lain"),
        lambda: runs.close_run(bali["dev1"], sit.pk),
    ):
        with pytest.raises(ServiceError) as e:
            call()
        assert e.value.code == "run_closed"
    item.refresh_from_db()
    finding.refresh_from_db()
    assert (item.verdict, item.actual) == ("gagal", "Hasil SK-02")
    assert Evidence.objects.count() == 1
    assert (finding.severity, finding.title) == ("sedang", "Judul salah")
    # The follow-up goes on.
    findings.update_finding(bali["dev1"], finding.pk, due="2026-12-31")
    findings.mark_fixed(bali["dev1"], finding.pk)


def test_a_signed_run_cannot_change_nor_be_reopened(bali, sit) -> None:
    verdicts(bali, sit, "dev1", "lulus", "lulus")
    run = runs.close_run(bali["dev1"], sit.pk)
    doc = sign_all(bali, run.document)
    assert doc.status == DocumentStatus.FINAL
    run.refresh_from_db()
    assert run.status == RunStatus.SIGNED
    with pytest.raises(ServiceError) as e:
        runs.reopen_run(bali["dev1"], run.pk)
    assert e.value.code == "not_closed"
    with pytest.raises(ServiceError):
        runs.record_verdict(bali["dev1"], run.items.first().pk, "gagal")


def test_evidence_is_a_photo_or_pdf_checked_on_upload(bali, sit) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = sit.items.first()
    runs.record_verdict(bali["dev1"], item.pk, "gagal", files=[png(), pdf()])
    assert Evidence.objects.count() == 2
    for bad in (
        SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", "image/png"),
        SimpleUploadedFile("x.txt", b"just text", "text/plain"),
        SimpleUploadedFile("x.png", b"", "image/png"),
    ):
        with pytest.raises(ServiceError) as e:
            runs.add_evidence(bali["dev1"], item.pk, bad)
        assert e.value.field == "files"
    assert Evidence.objects.count() == 2
    runs.remove_evidence(bali["dev1"], Evidence.objects.first().pk)
    assert Evidence.objects.count() == 1


# --- starting -----------------------------------------------------------------------------------


def test_start_checks_the_step_artifact_set_and_version(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    row = active(case)
    chosen = make_set(bali)
    for artifact in ("ba_uat", "bast", "", "x" * 500):
        with pytest.raises(ServiceError) as e:
            runs.start_run(
                bali["dev1"], row.pk, artifact, scenario_set_id=chosen.pk, app_version="2"
            )
        assert e.value.field == "artifact"
    empty = ScenarioSet.objects.create(
        agency=bali.agency,
        application=bali.applications["sikesda"],
        name="Kosong",
        created_at=chosen.created_at,
        updated_at=chosen.updated_at,
    )
    with pytest.raises(ServiceError) as e:
        start(bali, case, scenario_set_id=empty.pk)
    assert e.value.code == "empty_set"
    with pytest.raises(ServiceError) as e:
        start(bali, case, app_version="  ")
    assert e.value.field == "app_version"
    done = case.steps.exclude(status=StepStatus.ACTIVE).first()
    with pytest.raises(ServiceError) as e:
        runs.start_run(bali["dev1"], done.pk, "ba_sit", scenario_set_id=chosen.pk, app_version="2")
    assert e.value.field == "artifact" or e.value.code == "not_active"
    run = start(bali, case, scenario_set_id=chosen.pk, url="https://uji.sikesda.test")
    assert (run.number, run.kind, run.set_revision, run.items.count()) == (1, "sit", 1, 2)
    with pytest.raises(ServiceError) as e:
        start(bali, case)
    assert e.value.code == "run_exists"
    entry = JournalEntry.objects.filter(case=case, kind=JournalKind.TEST_RUN_STARTED).get()
    assert entry.data["title"] == "SIT 1 — SIKESDA 2.1"


def test_a_runs_text_is_frozen_after_the_set_changes(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    chosen = make_set(bali, count=2)
    run = start(bali, case, scenario_set_id=chosen.pk)
    first = chosen.scenarios.order_by("position").first()
    scenarios.save_scenario(
        bali["kadis"],
        chosen.pk,
        scenario(1, title="Judul baru", steps="Langkah baru", expected="Beda"),
        scenario_id=first.pk,
    )
    scenarios.save_scenario(bali["kadis"], chosen.pk, scenario(3))
    chosen.refresh_from_db()
    assert chosen.revision == 3
    item = run.items.get(position=1)
    assert (item.title, item.steps, item.expected) == (
        "Cetak laporan 1",
        "1. Buka menu Laporan\n2. Pilih bulan 1\n3. Tekan Cetak",
        "Laporan PDF terunduh",
    )
    assert run.items.count() == 2 and run.set_revision == 1
    # A run started now tests the new text.
    verdicts(bali, run, "dev1", "lulus", "lulus")
    run = runs.close_run(bali["dev1"], run.pk)
    tests = run.document.fields["tests"]
    assert tests[0]["description"] == "Cetak laporan 1 (Pelaporan)"


def test_retest_refers_to_a_closed_run_of_the_same_case_and_kind(bali, sop002) -> None:
    case = case_at(bali, sop002, "s8")
    other = case_at(bali, sop002, "s8", title="Lain")
    run = start(bali, case)
    elsewhere = start(bali, other)
    for bad in (run.pk, elsewhere.pk, 999999):
        with pytest.raises(ServiceError) as e:
            runs.start_run(
                bali["dev1"],
                active(case).pk,
                "ba_sit",
                scenario_set_id=run.scenario_set_id,
                app_version="2.2",
                retest_of_id=bad,
            )
        assert e.value.field in ("retest_of", "artifact")


# --- closing, reopening -------------------------------------------------------------------------


def test_close_refuses_scenarios_without_a_verdict(bali, sit) -> None:
    runs.record_verdict(bali["dev1"], sit.items.get(position=1).pk, "lulus")
    with pytest.raises(ServiceError) as e:
        runs.close_run(bali["dev1"], sit.pk)
    assert e.value.code == "pending" and list(e.value.items) == ["SK-02"]
    assert "SK-02" in e.value.message
    sit.refresh_from_db()
    assert sit.status == RunStatus.OPEN and not Document.objects.exists()


def test_close_drafts_the_minutes_from_the_run(bali, sit) -> None:
    env = Environment.objects.create(
        application=bali.applications["sikesda"],
        kind=EnvironmentKind.STAGING,
        domain="uji.sikesda.test",
        updated_at=timezone.now(),
    )
    run = sit
    run.environment = env
    run.url = "https://uji.sikesda.test"
    run.save()
    verdicts(bali, run, "dev1", "lulus", "gagal")
    runs.record_verdict(bali["qa1"], run.items.get(position=2).pk, "gagal", actual="Galat 500")
    findings.add_finding(
        bali["dev1"],
        run.pk,
        severity="rendah",
        title="Galat saat cetak",
        owner_id=bali["dev1"].pk,
        due="2026-12-20",
    )
    run = runs.close_run(
        bali["dev1"],
        run.pk,
        place="Ruang Rapat Diskominfos",
        participants=[
            {"name": "Ni Wayan Sari", "position": "Dinkes"},
            {"name": "komang adi  wiguna", "position": "Tim SPBE"},
        ],
        notes="Catatan penutup",
    )
    assert (run.status, run.result) == (RunStatus.CLOSED, "diterima_dengan_catatan")
    doc = run.document
    assert (doc.kind, doc.source, doc.step_id, doc.artifact_key) == (
        "ba_sit",
        f"quality.run:{run.pk}",
        run.step_id,
        "ba_sit",
    )
    f = doc.fields
    assert f["conclusion"] == "Diterima dengan catatan"
    assert f["version"] == "2.1" and f["place"] == "Ruang Rapat Diskominfos"
    assert f["environment"] == "Staging (uji.sikesda.test) — https://uji.sikesda.test"
    assert [t["verdict"] for t in f["tests"]] == ["Lulus", "Gagal"]
    assert f["tests"][1]["actual"] == "Galat 500"
    assert f["tests"][0]["steps"].startswith("1. Buka menu")
    assert f["tests"][0]["input_data"] == "Bulan 1/2026"
    assert f["findings"] == [
        {
            "number": "T-1",
            "finding": "Galat saat cetak",
            "severity": "Rendah",
            "owner": "Komang Adi Wiguna",
            "follow_up": "Belum ditindaklanjuti",
            "due": "2026-12-20",
        }
    ]
    assert [p["name"] for p in f["participants"]] == [
        "Komang Adi Wiguna",
        "Kadek Ayu Lestari",
        "Ni Wayan Sari",
    ]
    assert f["reasons"] and all(
        "SK-02" in r or "Sedang" in r or "Rendah" in r for r in f["reasons"][:1]
    )
    # The step's signers, as drafting does by default: the Tim SPBE, then the Ketua Tim.
    signers = [s.person_id for s in doc.signatories.order_by("order", "pk")]
    assert signers == [bali["dev1"].pk, bali["ketuatim"].pk]
    entry = JournalEntry.objects.filter(kind=JournalKind.TEST_RUN_CLOSED).get()
    assert entry.data["result"] == "diterima_dengan_catatan"
    assert entry.data["title"] == "SIT 1 — SIKESDA 2.1"
    from laksana.cases.journal import verify_case

    assert verify_case(Case.objects.get(pk=run.case_id)) is None


def test_reopen_and_close_again_updates_the_same_minutes(bali, sit) -> None:
    verdicts(bali, sit, "dev1", "lulus", "gagal")
    run = runs.close_run(bali["dev1"], sit.pk)
    doc = documents.submit(bali["dev1"], run.document)
    assert doc.status == DocumentStatus.CIRCULATING
    run = runs.reopen_run(bali["dev1"], run.pk)
    assert run.status == RunStatus.OPEN and run.result == ""
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DRAFT
    runs.record_verdict(bali["dev1"], run.items.get(position=2).pk, "lulus")
    later = timezone.now() + dt.timedelta(days=3)
    run = runs.close_run(bali["dev1"], run.pk, at=later)
    assert run.result == "diterima"
    assert Document.objects.count() == 1
    doc.refresh_from_db()
    assert doc.fields["conclusion"] == "Diterima"
    assert doc.date == timezone.localdate(later, ZoneInfo("Asia/Makassar"))
    # Once someone signed, no reopening.
    doc = documents.submit(bali["dev1"], doc)
    documents.sign(bali["dev1"], doc)
    with pytest.raises(ServiceError) as e:
        runs.reopen_run(bali["dev1"], run.pk)
    assert e.value.code == "signed"
    run.refresh_from_db()
    assert run.status == RunStatus.CLOSED


def test_reopen_only_by_who_may_work_the_step(bali, sit) -> None:
    verdicts(bali, sit, "dev1", "lulus", "lulus")
    runs.close_run(bali["dev1"], sit.pk)
    with pytest.raises(NotAllowed):
        runs.reopen_run(bali["dinkes_staf"], sit.pk)
    with pytest.raises(ServiceError) as e:
        runs.reopen_run(bali["dev1"], sit.pk + 1000)
    assert e.value.code == "not_found"


def test_preview_and_locked_run(bali, sit) -> None:
    assert runs.preview(sit).pending == 2
    runs.record_verdict(bali["dev1"], sit.items.get(position=1).pk, "lulus")
    outcome = runs.preview(sit)
    assert outcome.pending == 1 and outcome.result == "diterima"
    assert runs.locked_run(bali["dev1"], sit.pk).pk == sit.pk
    with pytest.raises(NotAllowed):
        runs.locked_run(bali["dinkes_staf"], sit.pk)


def test_without_a_head_of_the_requesting_unit_the_closer_signs(bali, sop002, monkeypatch) -> None:
    from laksana.documents import drafting

    case = case_at(bali, sop002, "s9")
    run = start(bali, case, who="dinkes_staf")
    verdicts(bali, run, "dinkes_staf", "lulus", "lulus")
    monkeypatch.setattr(drafting, "head_of_unit", lambda unit_id: None)
    run = runs.close_run(bali["dinkes_staf"], run.pk)
    assert run.status == RunStatus.CLOSED
    signers = list(run.document.signatories.values_list("person_id", "role"))
    assert signers == [(bali["dinkes_staf"].pk, "sign")]
    assert Document.objects.count() == 1
