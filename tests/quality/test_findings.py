"""Findings (temuan) of test runs: who records and follows them up, what freezes when the run
closes, their retest, and the problem case a finding opens. The attacks first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from laksana.cases.models import Case, JournalEntry, JournalKind
from laksana.errors import NotAllowed, ServiceError
from laksana.quality import findings, runs
from laksana.quality.models import Finding, FindingStatus
from tests.quality.test_runs import case_at, sign_all, start, verdicts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def sit(bali, sop002):
    return start(bali, case_at(bali, sop002, "s8"))


def add(bali, run, **kw) -> Finding:
    kw.setdefault("severity", "tinggi")
    kw.setdefault("title", "Laporan tidak tercetak")
    return findings.add_finding(bali["dev1"], run.pk, **kw)


# --- attacks ------------------------------------------------------------------------------------


def test_another_agency_sees_no_finding(bali, djki, sit) -> None:
    finding = add(bali, sit)
    intruder = djki["direktur"]
    for call in (
        lambda: findings.update_finding(intruder, finding.pk, due="2026-12-31"),
        lambda: findings.mark_fixed(intruder, finding.pk),
        lambda: findings.record_retest(intruder, finding.pk, "lulus"),
        lambda: findings.accept_risk(intruder, finding.pk, note="boleh"),
        lambda: findings.open_problem_case(intruder, finding.pk),
        lambda: findings.add_finding(intruder, sit.pk, severity="info", title="x"),
    ):
        with pytest.raises(ServiceError) as e:
            call()
        assert e.value.code == "not_found"
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and finding.due is None


def test_made_up_ids_are_not_found(bali, sit) -> None:
    for bad in (0, 2**70, "x", None, 999999):
        with pytest.raises(ServiceError) as e:
            findings.mark_fixed(bali["dev1"], bad)  # type: ignore[arg-type]
        assert e.value.code == "not_found"


def test_an_owner_or_item_of_elsewhere_is_refused(bali, djki, sit, sop002) -> None:
    other = start(bali, case_at(bali, sop002, "s8", title="Lain"))
    with pytest.raises(ServiceError) as e:
        add(bali, sit, item_id=other.items.first().pk)
    assert (e.value.code, e.value.field) == ("not_found", "item")
    with pytest.raises(ServiceError) as e:
        add(bali, sit, owner_id=djki["direktur"].pk)
    assert (e.value.code, e.value.field) == ("not_found", "owner")
    assert not Finding.objects.exists()


def test_who_may_not_test_records_no_finding(bali, sit) -> None:
    for who in ("dinkes_staf", "bkd", "kadis"):
        with pytest.raises(ServiceError) as e:
            findings.add_finding(bali[who], sit.pk, severity="tinggi", title="x")
        assert e.value.code in ("not_allowed", "not_found")
    assert not Finding.objects.exists()


def test_a_requester_of_another_unit_follows_nothing_up(bali, sit) -> None:
    finding = add(bali, sit)
    with pytest.raises(ServiceError) as e:
        findings.mark_fixed(bali["bkd"], finding.pk)
    assert e.value.code in ("not_allowed", "not_found")


def test_bad_values_are_named(bali, sit) -> None:
    for kw, field in (
        ({"severity": "parah"}, "severity"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"due": "besok"}, "due"),
        ({"due": "1999-01-01"}, "due"),
    ):
        with pytest.raises(ServiceError) as e:
            add(bali, sit, **kw)
        assert e.value.field == field
    assert not Finding.objects.exists()


# --- recording and following up -----------------------------------------------------------------


def test_a_finding_is_numbered_per_run_and_journalled(bali, sit) -> None:
    item = sit.items.first()
    first = add(bali, sit, item_id=item.pk, owner_id=bali["dev1"].pk, due=dt.date(2026, 12, 14))
    second = add(bali, sit, severity="info", title="Ejaan")
    assert (first.number, second.number) == (1, 2)
    assert first.item_id == item.pk and first.owner_id == bali["dev1"].pk
    entries = JournalEntry.objects.filter(kind=JournalKind.FINDING_RECORDED)
    assert [e.data["number"] for e in entries.order_by("seq")] == ["T-1", "T-2"]
    assert entries.first().data["title"] == "SIT 1 — SIKESDA 2.1"


def test_what_a_finding_says_freezes_its_follow_up_goes_on(bali, sit) -> None:
    finding = add(bali, sit)
    findings.update_finding(bali["dev1"], finding.pk, severity="sedang", title="Judul baru")
    verdicts(bali, sit, "dev1", "lulus", "lulus")
    run = runs.close_run(bali["dev1"], sit.pk)
    assert run.result == "diterima_dengan_catatan"
    sign_all(bali, run.document)
    with pytest.raises(ServiceError) as e:
        findings.update_finding(bali["dev1"], finding.pk, severity="kritis")
    assert e.value.code == "run_closed"
    # After sign-off: the IT staff (a catalogue keeper) and the owner follow it up.
    findings.update_finding(bali["ketuatim"], finding.pk, owner_id=bali["qa1"].pk, due="2027-01-05")
    findings.mark_fixed(bali["qa1"], finding.pk, note="Diperbaiki di 2.1.1")
    finding = findings.record_retest(bali["ketuatim"], finding.pk, "gagal", note="Masih galat")
    assert finding.status == FindingStatus.OPEN
    findings.mark_fixed(bali["qa1"], finding.pk)
    finding = findings.record_retest(bali["qa1"], finding.pk, "lulus")
    assert finding.status == FindingStatus.CLOSED and finding.closed_at is not None
    with pytest.raises(ServiceError):
        findings.accept_risk(bali["ketuatim"], finding.pk, note="x")
    finding.refresh_from_db()
    assert (finding.severity, finding.title) == ("sedang", "Judul baru")
    # The requester's staff may not test this SIT nor keep the catalogue: no follow-up.
    with pytest.raises(NotAllowed):
        findings.update_finding(bali["dinkes_staf"], finding.pk, due="2027-02-01")


def test_a_closed_finding_no_longer_rejects(bali, sit) -> None:
    finding = add(bali, sit, severity="kritis")
    verdicts(bali, sit, "dev1", "lulus", "lulus")
    assert runs.preview(sit).result == "ditolak"
    findings.accept_risk(bali["dev1"], finding.pk, note="Hanya di lingkungan uji")
    assert runs.preview(sit).result == "diterima"
    with pytest.raises(ServiceError) as e:
        findings.accept_risk(bali["dev1"], add(bali, sit).pk, note="  ")
    assert e.value.field == "note"


def test_a_finding_opens_one_problem_case(bali, sit) -> None:
    finding = add(bali, sit, description="Tombol cetak tidak merespons")
    case = findings.open_problem_case(bali["ketuatim"], finding.pk)
    assert isinstance(case, Case)
    assert case.version.procedure_key == findings.SOP_002
    assert case.application_id == sit.application_id
    assert "Laporan tidak tercetak" in case.title and case.description.startswith("Tombol")
    finding.refresh_from_db()
    assert finding.problem_case_id == case.pk
    with pytest.raises(ServiceError) as e:
        findings.open_problem_case(bali["ketuatim"], finding.pk)
    assert e.value.code == "exists"
    assert Case.objects.filter(version__procedure_key=findings.SOP_002).count() == 2


def test_a_problem_case_on_another_agencys_procedure_is_refused(bali, djki, sit, sop004) -> None:
    finding = add(bali, sit)
    with pytest.raises(ServiceError) as e:
        findings.open_problem_case(bali["ketuatim"], finding.pk, procedure_version_id=sop004.pk)
    assert (e.value.code, e.value.field) == ("not_found", "procedure_version")
    finding.refresh_from_db()
    assert finding.problem_case_id is None


def test_left_out_stays_none_clears(bali, sit) -> None:
    finding = add(bali, sit, owner_id=bali["qa1"].pk, due="2026-12-14")
    finding = findings.update_finding(bali["dev1"], finding.pk, title="Judul lain")
    assert (finding.owner_id, finding.due) == (bali["qa1"].pk, dt.date(2026, 12, 14))
    findings.update_finding(bali["dev1"], finding.pk, owner_id=None, due=None)
    finding.refresh_from_db()
    assert (finding.owner_id, finding.due) == (None, None)
    findings.update_finding(bali["dev1"], finding.pk, owner_id=bali["qa1"].pk, due="2026-12-15")
    findings.update_finding(bali["dev1"], finding.pk, owner_id="", due="")
    finding.refresh_from_db()
    assert (finding.owner_id, finding.due) == (None, None)
