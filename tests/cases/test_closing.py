"""Closing a running case (laksana.cases.closing): attacks first (another agency's case, staff
who are no administrators, a finished case, no reason), nothing written on a refusal; then a
case closed by its administrator, its steps cancelled and its journal still verifying."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from laksana.cases import closing, coverage, display, services
from laksana.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    DispositionStatus,
    JournalEntry,
    JournalKind,
    StepStatus,
)

from .helpers import work

WITA = ZoneInfo("Asia/Makassar")


def at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, 2, hour, tzinfo=WITA)


@pytest.fixture
def case(bali, sop002) -> Case:
    staf = bali["dinkes_staf"]
    opened = services.open_case(staf, sop002, "SIKESDA tidak bisa login", now=at(8))
    return work(staf, opened, now=at(9))


def _counts(case: Case) -> tuple[int, int, str, int]:
    case.refresh_from_db()
    active = CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE).count()
    return (JournalEntry.objects.filter(case=case).count(), active, case.status, case.journal_seq)


@pytest.mark.django_db
def test_staff_who_are_no_administrators_are_refused(case, bali):
    before = _counts(case)
    for login in ("dinkes_staf", "kadis", "dev1"):
        with pytest.raises(services.NotAllowed):
            closing.close_case(bali[login], case.pk, "spam", now=at(10))
    assert _counts(case) == before


@pytest.mark.django_db
def test_another_agencys_case_is_not_found_even_for_its_administrator(case, djki):
    before = _counts(case)
    with pytest.raises(services.ServiceError) as caught:
        closing.close_case(djki["admindjki"], case.pk, "spam", now=at(10))
    assert caught.value.code == "not_found"
    with pytest.raises(services.ServiceError) as missing:
        closing.close_case(djki["admindjki"], 999_999, "spam", now=at(10))
    assert missing.value.code == "not_found"
    assert _counts(case) == before


@pytest.mark.django_db
def test_no_reason_or_too_long_a_reason_is_refused(case, bali):
    before = _counts(case)
    for reason in ("", "   ", "x" * 301):
        with pytest.raises(services.ServiceError) as caught:
            closing.close_case(bali["adminbali"], case.pk, reason, now=at(10))
        assert caught.value.field == "reason"
    assert _counts(case) == before


@pytest.mark.django_db
def test_a_finished_case_is_not_closed_again(case, bali):
    closing.close_case(bali["adminbali"], case.pk, "Laporan palsu", now=at(10))
    before = _counts(case)
    with pytest.raises(services.ServiceError) as caught:
        closing.close_case(bali["kabid"], case.pk, "lagi", now=at(11))
    assert caught.value.code == "finished"
    assert _counts(case) == before


@pytest.mark.django_db
def test_the_administrator_closes_the_case_and_its_journal_verifies(case, bali):
    kadis = bali["kadis"]
    # Step 2 done, step 3 (the head's disposition) active with an open disposition.
    case = work(bali["dinkes_staf"], case, now=at(9))
    row = case.steps.get(status=StepStatus.ACTIVE)
    services.dispose(kadis, case.pk, [bali["kabid"]], "Tindak lanjuti", step_id=row.pk, now=at(9))
    closed = closing.close_case(bali["adminbali"], case.pk, "  Laporan palsu  ", now=at(10))
    case.refresh_from_db()
    assert closed.pk == case.pk
    assert case.status == CaseStatus.FINISHED
    assert case.end_key == closing.CLOSED_END
    assert case.finished_at == at(10)
    assert case.state["status"] == "finished" and case.state["active"] == []
    assert not CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE).exists()
    assert CaseStep.objects.get(pk=row.pk).status == StepStatus.CANCELLED
    sent = Disposition.objects.get(step=row)
    assert sent.status == DispositionStatus.DONE and sent.closed_at == at(10)
    last = case.journal.order_by("-seq").first()
    assert last.kind == JournalKind.CLOSED
    assert last.actor_id == bali["adminbali"].pk
    assert last.data["reason"] == "Laporan palsu"
    assert last.data["cancelled"] == [{"step": row.step_key, "visit": row.visit}]
    # The chain and the rows agree with the journal.
    assert coverage.check_case(case) == []
    out = StringIO()
    call_command("journal", "verify", stdout=out)
    assert "journal ok" in out.getvalue()
    # Work on the closed case is refused.
    with pytest.raises(services.ServiceError):
        services.complete_step(kadis, row.pk, now=at(11))
    # The case page says who closed it and why.
    items = display.timeline(case.version.spec, list(case.journal.order_by("seq")), {}, {})
    assert "Komang Sri Wahyuni closed the case: Laporan palsu" in items[-1].text


@pytest.mark.django_db
def test_a_procedure_administrator_may_close_and_a_cancelled_step_changed_is_found(case, bali):
    closing.close_case(bali["kabid"], case.pk, "Salah buka", now=at(10))
    case.refresh_from_db()
    assert case.status == CaseStatus.FINISHED
    assert coverage.check_case(case) == []
    CaseStep.objects.filter(case=case, status=StepStatus.CANCELLED).update(status=StepStatus.ACTIVE)
    assert any("status" in p for p in coverage.check_case(case))
