"""``laksana demo``: an empty database filled with agencies, people and cases, once."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils import timezone, translation

from laksana.cases import integrity, participation
from laksana.cases.holders import holders
from laksana.cases.journal import verify_case
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    DispositionStatus,
    JournalEntry,
    JournalKind,
    Participation,
    StepStatus,
)
from laksana.catalog.models import Application
from laksana.demo.build import DEMO_SLUGS
from laksana.demo.cases import DAY_END, DAY_START, TITLES
from laksana.demo.orgs import DEMO_PASSWORD
from laksana.documents.models import Document
from laksana.engine.spec import ActorKind
from laksana.org import services as org_services
from laksana.org.models import ActorBinding, Agency, Person
from laksana.procedures.models import ProcedureVersion
from laksana.quality.models import (
    Evidence,
    Finding,
    FindingSource,
    FindingStatus,
    RunItem,
    RunKind,
    RunResult,
    RunStatus,
    ScenarioSet,
    SetKind,
    Verdict,
)
from laksana.quality.models import TestRun as Run  # not "Test...": pytest would collect it

pytestmark = pytest.mark.django_db

MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"


def run_demo() -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("demo", stdout=out)
    return out.getvalue()


@dataclass
class Demo:
    """The demo, built once for this module on an empty test database."""

    output: str
    started: dt.datetime
    heads: dict[int, bytes]  # the first bytes of every stored file, by attachment id


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    # The demo takes about two seconds: it is built once, in a transaction that is rolled
    # back after the module; each test runs in a savepoint inside it.
    files = tmp_path_factory.mktemp("demo-files")
    with (
        override_settings(PASSWORD_HASHERS=[MD5], MEDIA_ROOT=files),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        assert not Agency.objects.exists(), "the demo runs on an empty database"
        started = timezone.now()
        output = run_demo()
        heads = {}
        for a in Attachment.objects.all():
            with a.file.open("rb") as f:
                heads[a.pk] = f.read(8)
        yield Demo(output, started, heads)
        transaction.set_rollback(True)


def snapshot() -> dict[str, object]:
    """Everything the demo writes, counted, plus the journal heads of the cases."""
    return {
        "users": get_user_model().objects.count(),
        "agencies": Agency.objects.count(),
        "people": Person.objects.count(),
        "bindings": ActorBinding.objects.count(),
        "versions": ProcedureVersion.objects.count(),
        "applications": Application.objects.count(),
        "cases": sorted(Case.objects.values_list("reference", "journal_hash")),
        "steps": CaseStep.objects.count(),
        "dispositions": Disposition.objects.count(),
        "attachments": Attachment.objects.count(),
        "journal": JournalEntry.objects.count(),
        "scenario_sets": ScenarioSet.objects.count(),
        "runs": Run.objects.count(),
        "verdicts": RunItem.objects.exclude(verdict="").count(),
        "findings": Finding.objects.count(),
        "documents": Document.objects.count(),
    }


def case(key: str) -> Case:
    return Case.objects.select_related("version").get(title=TITLES[key])


def trail(c: Case) -> list[tuple[str, int, str, str]]:
    """The case's steps in the order they were activated: key, visit, status, outcome."""
    return list(
        c.steps.order_by("activated_at", "id").values_list("step_key", "visit", "status", "outcome")
    )


def completed(c: Case) -> list[str]:
    return [k for k, _v, s, _o in trail(c) if s == StepStatus.COMPLETED]


def active(c: Case) -> CaseStep:
    return c.steps.get(status=StepStatus.ACTIVE)


def test_it_fills_an_empty_database_and_prints_the_logins(demo):
    out = demo.output
    assert "Demo data written: 4 agencies" in out
    assert set(Agency.objects.values_list("slug", flat=True)) == set(DEMO_SLUGS)
    # The 15 stories, the 2 recovery cases the monitoring's incidents opened, the SOP 000
    # cases of the 2 maintenance plans and the case of Bali's request from outside; the 5
    # adopted SOPs and Sukamaju's hosting procedure.
    assert len(TITLES) == 15 and Case.objects.count() == 20
    assert ProcedureVersion.objects.count() == 6
    assert re.search(r"20 cases \(\d+ running\)", out), out
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    # Every login is in the table with its agency, and the password is printed.
    assert f": {DEMO_PASSWORD}" in out
    # (Every person but the agencies' monitoring accounts, which cannot sign in.)
    for person in Person.objects.select_related("user", "agency").exclude(user=None):
        assert re.search(
            rf"^{re.escape(person.user.username)}\s+{re.escape(person.name)}\s+.*"
            rf"{re.escape(str(person.agency))}$",
            out,
            re.M,
        ), person.user.username
    assert re.search(r"^admin\s+Administrator\s+superuser", out, re.M)


def test_the_shared_password_works(demo, settings):
    settings.PASSWORD_HASHERS = [MD5]
    # A sign-in comes with its request: the lockout (django-axes) counts by user name and address.
    request = RequestFactory().post("/akun/masuk/")
    assert authenticate(request, username="utn_vendor1", password=DEMO_PASSWORD) is not None
    assert authenticate(request, username="admin", password=DEMO_PASSWORD) is not None
    assert authenticate(request, username="admin", password="wrong") is None


def test_a_second_run_says_so_and_changes_nothing(demo, settings):
    before = snapshot()
    out = run_demo()
    assert "Demo data is already in this database" in out and "nothing was changed" in out
    assert snapshot() == before
    files = settings.MEDIA_ROOT  # this test's own folder: the second run writes no file
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))
    assert "kadis" in out and DEMO_PASSWORD in out  # the logins are shown again


def test_the_people_are_real_looking_and_unique(demo):
    people = list(Person.objects.select_related("user").exclude(user=None))
    assert len({p.user.username for p in people if p.user}) == len(people)
    for p in people:
        if p.vendor_id is None:
            assert re.fullmatch(r"\d{18}", p.nip), p
        else:
            assert p.nip == "", f"vendor staff have no NIP: {p}"
    # Every case's application is in the catalogue of the case's agency.
    for c in Case.objects.exclude(application=None).select_related("application"):
        assert c.application is not None and c.application.agency_id == c.agency_id


def test_every_actor_of_every_procedure_an_agency_runs_is_bound_and_held(demo):
    call_command("bindings", "check", stdout=io.StringIO())  # raises when one is unbound
    runs = {
        "diskominfos-bali": ["sop-002-penanganan-masalah-aplikasi"],
        "djki": ["sop-004-pemulihan-gagal-fungsi-ipas"],
        "utn": ["sop-000-pemeliharaan-aplikasi", "sop-003-pembuatan-aplikasi-dan-website"],
        "diskominfo-sukamaju": ["sop-001-pengelolaan-aplikasi"],
    }
    for slug, keys in runs.items():
        agency = Agency.objects.get(slug=slug)
        for key in keys:
            version = ProcedureVersion.objects.get(procedure_key=key)
            assert org_services.unbound(agency, version) == [], (slug, key)
            # Someone really plays every actor, in a case of that agency and procedure.
            c = Case.objects.filter(agency=agency, version=version).first()
            assert c is not None, (slug, key)
            for actor in version.spec.actors:
                if actor.kind is ActorKind.REQUESTING_UNIT:
                    continue
                assert holders(c, actor.id).exists(), (slug, key, actor.id)


def test_the_cases_are_in_their_intended_states(demo):
    now = demo.started

    c = case("bali_opened")
    assert c.status == CaseStatus.RUNNING and completed(c) == []
    assert active(c).step_key == "s1"
    assert c.attachments.count() == 1 and c.attachments.get().content_type == "image/png"
    assert c.journal.filter(kind=JournalKind.COMMENT).exists()

    c = case("bali_unread")
    assert completed(c) == ["s1", "s2", "s3"] and active(c).step_key == "s4"
    unread = c.dispositions.get(status=DispositionStatus.UNREAD)
    assert (unread.sender.user.username, unread.recipient.user.username) == ("kabid", "ketuatim")
    assert unread.step == active(c) and unread.deadline is not None

    c = case("bali_uat")
    assert completed(c) == [f"s{i}" for i in range(1, 9)]
    uat = active(c)
    assert uat.step_key == "s9" and uat.claimed_by.user.username == "dinkes_staf"
    # The SIT minutes are an official document of the case, final and signed.
    sit = c.documents.get(artifact_key="ba_sit")
    assert sit.status == "final" and sit.number.endswith("/BA-SIT/DISKOMINFOS/" + sit.number[-4:])
    assert not sit.signatories.exclude(status="done").exists()
    assert c.state["artifacts"]["ba_sit"]["ref"] == f"document:{sit.pk}"

    c = case("bali_finished")
    assert (c.status, c.end_key) == (CaseStatus.FINISHED, "selesai")
    # The UAT rejected the fix: back to row 6, rows 6 to 9 again, then on to the end.
    loop = ["s6", "s7", "s8", "s9"]
    assert completed(c) == [f"s{i}" for i in range(1, 10)] + loop + ["s10", "s11"]
    assert list(
        c.steps.filter(step_key="s9").order_by("visit").values_list("visit", "outcome")
    ) == [(1, "Ditolak"), (2, "Diterima")]
    assert c.finished_at is not None
    # Its minutes and letters are final documents; the BAST signed by both heads.
    finals = {d.artifact_key: d for d in c.documents.filter(status="final")}
    assert set(finals) >= {"ba_diskusi", "ba_sit", "ba_uat", "bast", "surat_selesai"}
    assert c.documents.filter(artifact_key="ba_uat", status="final").count() == 2
    assert c.documents.filter(artifact_key="ba_sit", status="final").count() == 2
    bast = finals["bast"]
    assert [(s.role, s.person.user.username) for s in bast.signatories.order_by("order")] == [
        ("initial", "kabid"),
        ("sign", "kadis"),
        ("sign", "kabkd"),
    ]
    assert {a.artifact_key for a in c.attachments.all()} >= {"petunjuk_penggunaan"}

    # A BAST waits for the demo logins: initialled by the Kabid, to be signed by both heads.
    c = case("bali_handover")
    assert active(c).step_key == "s10"
    waiting = c.documents.get(artifact_key="bast")
    assert waiting.status == "circulating" and waiting.pdf_sha256
    assert [
        (s.person.user.username, s.status) for s in waiting.signatories.order_by("order", "pk")
    ] == [("kabid", "done"), ("kadis", "pending"), ("kabkd", "pending")]

    c = case("bali_development")
    assert active(c).step_key == "s6" and active(c).claimed_by.user.username == "dev1"
    statuses = list(c.dispositions.order_by("pk").values_list("status", flat=True))
    assert statuses[0] == DispositionStatus.WITHDRAWN
    assert c.journal.filter(kind=JournalKind.REMARK).exists()

    c = case("djki_not_application")
    assert (c.status, c.end_key) == (CaseStatus.FINISHED, "bukan_aplikasi")
    assert completed(c) == ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s7b"]
    assert c.steps.get(step_key="s7").outcome == "Tidak"

    c = case("djki_retry")
    assert (c.status, c.end_key) == (CaseStatus.FINISHED, "selesai")
    tests = c.steps.filter(step_key="s14").order_by("visit")
    assert list(tests.values_list("visit", "outcome")) == [(1, "Tidak"), (2, "Ya")]
    assert list(
        c.steps.filter(step_key="s9").order_by("visit").values_list("visit", "outcome")
    ) == [(1, "Ya"), (2, "Tidak")]
    # The loop: the failed test sends the user back to report, then the cause is searched again.
    keys = [k for k, _v, _s, _o in trail(c)]
    assert keys[keys.index("s14") : keys.index("s9", keys.index("s14")) + 1] == [
        "s14",
        "s14b",
        "s9",
    ]
    assert keys[-3:] == ["s14", "s14a", "s15"]

    c = case("djki_vendor")
    step = active(c)
    assert (step.step_key, step.actor_key) == ("s12", "tim_ipas")
    assert holders(c, "tim_ipas").filter(user__username="ipasdev").exists()

    c = case("utn_maintenance")
    assert c.status == CaseStatus.RUNNING
    assert list(
        c.steps.filter(step_key="s3").order_by("visit").values_list("visit", "outcome")
    ) == [(1, "Ya"), (2, "Tidak")]
    assert c.steps.get(step_key="s7").outcome == "Tidak"
    assert c.steps.get(step_key="s4").completed_by.user.username == "utn_vendor1"
    assert active(c).step_key == "s5"  # the second cycle, by the internal team

    c = case("utn_rejected")
    assert (c.status, c.end_key) == (CaseStatus.FINISHED, "tidak_disetujui")
    assert completed(c) == ["s1", "s2a"] and c.steps.get(step_key="s2a").outcome == "Tidak"

    c = case("utn_building")
    assert completed(c) == ["s1", "s2a", "s2b", "s3", "s4", "s5", "s6", "s7", "s8"]
    assert c.steps.get(step_key="s5").completed_by.user.username == "utn_kadiv_app"
    assert active(c).step_key == "s9"
    # Row 8's output is the final security test report, made from the security run.
    report = c.documents.get(artifact_key="uji_keamanan")
    assert report.status == "final" and report.kind == "laporan_uji_keamanan"
    assert c.state["artifacts"]["uji_keamanan"]["ref"] == f"document:{report.pk}"
    assert c.application.environments.filter(domain="labsb.ft.utn.ac.id").exists()

    c = case("skm_midway")
    assert completed(c) == ["a1", "a2", "b1", "b2"] and active(c).step_key == "c1"

    c = case("skm_operation")
    assert c.steps.get(step_key="f3").outcome == "Ya"
    assert (active(c).step_key, active(c).visit) == ("e1", 2)

    # Every journal verifies, and the whole history lies in the past weeks.
    cases = list(Case.objects.all())
    for c in cases:
        assert verify_case(c) is None, c
    # ... and so does the whole check: the rows the entries cover and the case numbers (the
    # files are read below: this module's files folder is not the test's).
    report = integrity.verify(files=False)
    assert report.ok, report.problems
    times = list(JournalEntry.objects.values_list("at", flat=True))
    assert max(times) < now
    opened = sorted(c.opened_at for c in cases)
    assert now - opened[0] > dt.timedelta(weeks=4)
    assert now - opened[-1] < dt.timedelta(days=5)
    # The files are real: PDFs and PNGs, stored, with image thumbnails.
    # (And the monitoring's evidence of failed checks, CSV.)
    kinds = set(Attachment.objects.values_list("content_type", flat=True))
    assert kinds == {"application/pdf", "image/png", "text/csv"}
    heads = {
        "application/pdf": b"%PDF-",
        "image/png": b"\x89PNG",
        "text/csv": b"\xef\xbb\xbfmonitor",
    }
    for a in Attachment.objects.all():
        assert demo.heads[a.pk].startswith(heads[a.content_type][:8])


def test_the_generated_pdf_is_readable():
    from pypdf import PdfReader

    from laksana.demo.files import pdf_bytes

    reader = PdfReader(io.BytesIO(pdf_bytes("Berita Acara UAT", ["Pada hari ini (Senin)"])))
    text = reader.pages[0].extract_text()
    assert "Berita Acara UAT" in text and "Pada hari ini (Senin)" in text


def test_the_services_recorded_everyone_who_took_part_in_the_demos_cases(demo):
    # The demo runs every case through the services: the summary the list gate reads holds
    # every (person, procedure, requesting unit) its cases' openers, steps and dispositions
    # imply, and nothing else.
    written = set(
        Participation.objects.values_list("person_id", "procedure_key", "requesting_unit_id")
    )
    assert len(written) > 10
    assert participation.missing(connection) == []
    Participation.objects.all().delete()
    participation.fill(connection)
    assert (
        set(Participation.objects.values_list("person_id", "procedure_key", "requesting_unit_id"))
        == written
    )


def runs_of(key: str) -> list[Run]:
    return list(case(key).test_runs.order_by("opened_at", "pk"))


def test_every_demo_application_of_a_case_has_real_scenario_sets(demo):
    functional = ScenarioSet.objects.filter(kind=SetKind.FUNCTIONAL)
    assert functional.count() == 9
    for s in functional:
        count = s.scenarios.count()
        assert 6 <= count <= 12, s
        # Indonesian, with priorities of every level across the set's scenarios.
        assert {sc.priority for sc in s.scenarios.all()} >= {"tinggi", "sedang"}, s
        assert all(sc.steps and sc.expected for sc in s.scenarios.all()), s
    named = {(s.application.short_name, s.name) for s in functional.select_related("application")}
    assert ("SIKESDA", "Modul laporan bulanan puskesmas") in named
    assert ("IPAS", "Pencarian merek serupa") in named
    tested = {c.application_id for c in Case.objects.exclude(test_runs=None)}
    assert tested <= set(ScenarioSet.objects.values_list("application_id", flat=True))
    # The security checklists (ASVS level 1) of the laboratory website and e-Retribusi.
    checklists = ScenarioSet.objects.filter(kind=SetKind.SECURITY)
    assert {c.application.short_name for c in checklists} == {"Web Lab SB", "e-Retribusi"}
    assert all(c.scenarios.count() > 50 for c in checklists)


def test_a_revised_set_left_what_the_earlier_runs_recorded(demo):
    sk = ScenarioSet.objects.get(name="Cetak SK kenaikan pangkat")
    assert sk.revision == 2 and sk.revisions.count() == 2
    sit1, uat1, sit2, uat2 = runs_of("bali_finished")
    assert (sit1.set_revision, uat1.set_revision, sit2.set_revision, uat2.set_revision) == (
        1,
        1,
        2,
        2,
    )
    now = sk.scenarios.get(number="SK-04").expected
    then = uat1.items.get(number="SK-04").expected
    assert then != now and "GUBERNUR BALI" in now and then == "PDF SK ditandatangani Gubernur Bali."
    assert uat1.items.count() == 8 and uat2.items.count() == 9
    assert not uat1.items.filter(number="SK-09").exists()


def test_the_rejected_uat_loops_back_and_its_retest_is_accepted(demo):
    sit1, uat1, sit2, uat2 = runs_of("bali_finished")
    assert [r.kind for r in (sit1, uat1, sit2, uat2)] == [RunKind.SIT, RunKind.UAT] * 2
    assert [r.result for r in (sit1, uat1, sit2, uat2)] == [
        RunResult.ACCEPTED,
        RunResult.REJECTED,
        RunResult.ACCEPTED,
        RunResult.ACCEPTED,
    ]
    assert all(r.status == RunStatus.SIGNED for r in (sit1, uat1, sit2, uat2))
    # Rejected: a high-priority scenario failed, and a high finding was recorded.
    failed = uat1.items.get(verdict=Verdict.FAILED)
    assert failed.priority == "tinggi" and failed.evidence.exists()
    (finding,) = uat1.findings.all()
    assert finding.severity == "tinggi" and finding.item == failed
    assert finding.owner.user.username == "dev1" and finding.due is not None
    # Fixed at row 6, closed by its retest in the new UAT, which repeats the first.
    assert finding.status == FindingStatus.CLOSED and finding.retest_result == "lulus"
    assert finding.fixed_at < sit2.opened_at < uat2.opened_at
    assert uat2.retest_of == uat1
    # Both BA UAT are final, each the value of its visit of row 9, signed by the head of the
    # BKD (the requesting unit) and the Ketua Tim AI.
    c = case("bali_finished")
    for visit, run in ((1, uat1), (2, uat2)):
        row = c.steps.get(step_key="s9", visit=visit)
        assert run.step_id == row.pk and run.document.status == "final"
        assert [
            s.person.user.username for s in run.document.signatories.order_by("order", "pk")
        ] == [
            "kabkd",
            "ketuatim",
        ]


def test_the_testers_are_the_right_people(demo):
    spbe = {"dev1", "qa1"}
    for run in Run.objects.select_related("case"):
        testers = set(
            run.items.exclude(verdict="").values_list("tested_by__user__username", flat=True)
        )
        assert testers, run
        if run.kind == RunKind.SIT:
            assert testers <= spbe and len(testers) == 2, run
        elif run.kind == RunKind.UAT:
            # Staff of the requesting unit of the case.
            unit_ids = set(
                Person.objects.filter(user__username__in=testers).values_list("unit_id", flat=True)
            )
            assert unit_ids == {run.case.requesting_unit_id}, run
        else:  # the developers who work the step (SOP 003 row 8, SOP 001 c.2)
            assert testers == {"utn_dev1" if run.agency.slug == "utn" else "skm_dev2"}, run
        # Every signature of its minutes is done, by the step's signers in their order.
        if run.status != RunStatus.OPEN:
            signed = list(run.document.signatories.order_by("order", "pk"))
            assert all(s.status == "done" for s in signed), run
            times = [s.acted_at for s in signed]
            assert times == sorted(times) and run.closed_at <= times[0], run


def test_the_sit_and_uat_in_progress_and_with_notes(demo):
    sit, uat = runs_of("bali_uat")
    assert (sit.status, sit.result) == (RunStatus.SIGNED, RunResult.ACCEPTED)
    (fixed,) = sit.findings.all()
    assert fixed.status == FindingStatus.CLOSED and fixed.severity == "sedang"
    # The UAT is open for dinkes_staf to continue: three of the scenarios tested.
    assert uat.status == RunStatus.OPEN and uat.document is None
    assert uat.items.exclude(verdict="").count() == 3 and uat.items.filter(verdict="").exists()
    assert uat.step == active(case("bali_uat"))

    sit, uat = runs_of("bali_handover")
    assert uat.result == RunResult.ACCEPTED_WITH_NOTES
    (low,) = uat.findings.all()
    assert (low.severity, low.status) == ("rendah", FindingStatus.OPEN)
    assert low.owner.user.username == "dev1" and low.due > uat.closed_at.date()
    # The minutes name the testers and, apart, the others who took part.
    names = [p["name"] for p in uat.document.fields["participants"]]
    assert len(names) == len(set(names)) and "Wayan Sutama" in names


def test_the_sop_001_case_tested_quality_and_security(demo):
    c = case("skm_operation")
    kept = c.state["artifacts"]
    assert kept["hasil_uji_kualitas"]["name"] == "Pembayaran retribusi pasar nontunai"
    (run,) = runs_of("skm_operation")
    assert run.kind == RunKind.SECURITY and run.status == RunStatus.SIGNED
    assert kept["hasil_uji_keamanan"]["ref"] == f"document:{run.document_id}"
    assert run.url == "https://uji-eretribusi.sukamajukab.go.id"
    assert run.step.step_key == "c2"


def test_the_security_test_checklist_and_zap_findings(demo):
    (run,) = runs_of("utn_building")
    assert run.kind == RunKind.SECURITY and run.status == RunStatus.SIGNED
    assert run.result == RunResult.ACCEPTED_WITH_NOTES
    assert run.url == "https://labsb.ft.utn.ac.id" and run.environment is not None
    assert not run.items.filter(verdict="").exists()
    assert run.items.filter(verdict=Verdict.NOT_RUN).exists()
    zap = run.findings.filter(source=FindingSource.ZAP)
    assert zap.count() == 8 and set(zap.values_list("severity", flat=True)) == {
        "sedang",
        "rendah",
        "info",
    }
    assert zap.get(rule="10038").cwe == "CWE-693"
    assert zap.filter(status=FindingStatus.CLOSED).count() == 1
    assert not zap.filter(severity__in=["sedang", "rendah"], owner=None).exists()
    assert run.findings.filter(source=FindingSource.TESTER).count() == 1


def test_the_demo_testing_happened_in_working_hours_before_now(demo):
    moments = [
        *Run.objects.values_list("opened_at", flat=True),
        *Run.objects.exclude(closed_at=None).values_list("closed_at", flat=True),
        *RunItem.objects.exclude(tested_at=None).values_list("tested_at", flat=True),
        *Finding.objects.values_list("created_at", flat=True),
        *Evidence.objects.values_list("uploaded_at", flat=True),
        *ScenarioSet.objects.values_list("created_at", flat=True),
    ]
    for at in moments:
        local = timezone.localtime(at, timezone.get_default_timezone())
        assert at < demo.started
        # Every agency of the demo is in WIB or WITA: working time is in 07:30-16:00 there.
        wib = local.astimezone(dt.timezone(dt.timedelta(hours=7)))
        wita = local.astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert any(t.weekday() < 5 and DAY_START <= t.time() <= DAY_END for t in (wib, wita)), at
    assert Evidence.objects.count() >= 5
    for evidence in Evidence.objects.all():
        assert evidence.content_type == "image/png" and evidence.size > 0


def test_the_hosting_case_waits_at_its_joint_step_with_the_owners_part_confirmed(demo):
    # Diskominfo Sukamaju's hosting procedure shows the steps of several actors on a first
    # start: a chosen owner, a check copied to the Kepala Dinas, a step of either team and the
    # joint installation, with its service level.
    c = case("skm_hosting")
    spec = c.version.spec
    assert spec.identity.service_time is not None and spec.identity.cost
    assert spec.identity.service_time.text == "5 Hari kerja"
    assert spec.actor("pemilik").kind is ActorKind.CHOSEN
    assert c.status == CaseStatus.RUNNING and c.due_at is not None
    assert [(k, s, o) for k, _v, s, o in trail(c)] == [
        ("s1", StepStatus.COMPLETED, ""),
        ("s2", StepStatus.COMPLETED, "Ya"),
        ("s3", StepStatus.COMPLETED, ""),
        ("s4", StepStatus.ACTIVE, ""),
    ]
    owner = Person.objects.get(user__username="skm_kadisdukcapil")
    assert list(c.chosen_actors.values_list("actor_key", "person_id")) == [("pemilik", owner.pk)]
    s4 = active(c)
    assert list(s4.confirmations.values_list("actor_key", "person_id")) == [("pemilik", owner.pk)]
    kinds = list(c.journal.order_by("seq").values_list("kind", flat=True))
    assert kinds.count(JournalKind.COPY_SENT) == 1 and JournalKind.JOINT_CONFIRMED in kinds
    kadis = Person.objects.get(user__username="skm_kadis")
    (copy,) = JournalEntry.objects.filter(case=c, kind=JournalKind.COPY_SENT)
    assert copy.data["step"] == "s2" and copy.data["people"] == [kadis.pk]
    assert verify_case(c) is None
