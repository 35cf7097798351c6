"""The journal cannot be quietly rewritten (issue 16, item 9).

Each attack below was invisible to the chain check alone (``laksana journal verify`` before the
daily seals and the coverage check): it changes the database the way someone with write access
to it would, and ``journal verify`` must name what was done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.cases import services
from laksana.cases.journal import entry_hash
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    JournalEntry,
    Notification,
)

from .helpers import active, work

pytestmark = pytest.mark.django_db

# Bali's time (WITA): the agency's days are sealed in its own time zone.
WITA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 3, 2)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


def verify(*args: str) -> str:
    out = StringIO()
    call_command("journal", "verify", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        verify(*args)
    return str(caught.value)


def seal(*args: str) -> str:
    """Seal up to DAY, two days later."""
    out = StringIO()
    now = at(1, day=DAY + dt.timedelta(days=2)).isoformat()
    call_command("journal", "seal", "--now", now, *(args or ("--day", str(DAY))), stdout=out)
    return out.getvalue()


@pytest.fixture
def cases(bali, sop002) -> list[Case]:
    """Two cases worked on DAY (files, a disposition, a comment), then sealed."""
    staf = bali["dinkes_staf"]
    first = services.open_case(staf, sop002, "SIKESDA tidak bisa login", now=at(8))
    first = work(staf, first, now=at(9))  # s1: photo + letter
    first = work(staf, first, now=at(10))  # s2
    first = work(bali["kadis"], first, now=at(11))  # s3: the head's disposition
    second = services.open_case(staf, sop002, "Laporan SIMPEG kosong", now=at(12))
    services.add_comment(bali["dinkes"], second.pk, "Mohon segera.", now=at(13))
    third = services.open_case(bali["bkd"], sop002, "Akun terkunci", now=at(14))
    services.add_comment(bali["bkd"], third.pk, "Terima kasih.", now=at(15))
    assert "journal ok" in verify()
    return [Case.objects.get(pk=c.pk) for c in (first, second, third)]


@pytest.fixture
def sealed(cases: list[Case]) -> list[Case]:
    """The same, with DAY sealed."""
    seal()
    return cases


def _rechain(case: Case, start: int) -> None:
    """Recompute the hashes from entry ``start`` on and the case's head: what anyone who can
    write to the database can do, since the entry hash has no secret."""
    prev = JournalEntry.objects.get(case=case, seq=start - 1).hash if start > 1 else ""
    for e in case.journal.filter(seq__gte=start).order_by("seq"):
        digest = entry_hash(
            case.reference, e.seq, e.kind, e.actor_id, e.actor_name, e.at, e.data, prev
        )
        JournalEntry.objects.filter(pk=e.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    last = case.journal.order_by("-seq").first()
    Case.objects.filter(pk=case.pk).update(journal_hash=prev, journal_seq=last.seq if last else 0)


def test_an_untouched_sealed_journal_verifies(sealed):
    out = verify()
    assert "journal ok: 3 cases" in out
    assert "1 seal(s) over 20 entries, 0 entries not sealed yet" in out


def test_the_last_entries_cut_off_with_the_head_updated_are_found(sealed):
    third = sealed[2]
    last = third.journal.order_by("-seq").first()
    JournalEntry.objects.filter(pk=last.pk).delete()
    _rechain(third, last.seq)  # the head now points at the entry before
    message = refused()
    assert f"seal of diskominfos-bali {DAY}" in message
    found = re.search(r"sealed (\d+) entries, (\d+) are there now", message)
    assert found and int(found[1]) == int(found[2]) + 1, message


def test_an_entry_edited_with_the_whole_chain_recomputed_is_found(sealed):
    second = sealed[1]
    comment = second.journal.get(kind="comment")
    JournalEntry.objects.filter(pk=comment.pk).update(data={"text": "Tidak perlu."})
    _rechain(second, comment.seq)
    message = refused()
    assert f"seal of diskominfos-bali {DAY}" in message
    assert "do not match its seal" in message


def test_a_whole_case_deleted_with_its_journal_is_found(sealed):
    second = sealed[1]
    for model in (Notification, Attachment, Disposition, JournalEntry, CaseStep):
        model.objects.filter(case=second).delete()
    Case.objects.filter(pk=second.pk).delete()
    message = refused()
    assert f"seal of diskominfos-bali {DAY}" in message
    assert f"case {second.reference} is missing" in message


def test_a_completed_step_row_changed_directly_is_found(cases, bali):
    first = cases[0]
    row = first.steps.get(step_key="s1")
    CaseStep.objects.filter(pk=row.pk).update(completed_by=bali["kadis"])
    message = refused()
    assert f"case {first.reference}: step s1" in message
    assert "completed_by" in message


def test_an_active_step_marked_completed_directly_is_found(cases):
    second = cases[1]
    row = active(second)
    CaseStep.objects.filter(pk=row.pk).update(status="completed", completed_at=at(16))
    message = refused()
    assert f"case {second.reference}: step {row.step_key}" in message
    assert "status" in message


def test_a_disposition_changed_directly_is_found(cases, bali):
    first = cases[0]
    d = Disposition.objects.get(case=first)
    Disposition.objects.filter(pk=d.pk).update(
        recipient=bali["ketuatim"], instruction="Tidak perlu ditindaklanjuti"
    )
    message = refused()
    assert f"case {first.reference}: disposition {d.pk}" in message
    assert "recipient" in message and "instruction" in message


def test_a_case_status_changed_directly_is_found(cases):
    second = cases[1]
    Case.objects.filter(pk=second.pk).update(status=CaseStatus.FINISHED, end_key="selesai")
    message = refused()
    assert f"case {second.reference}: status" in message


def test_an_evidence_file_swapped_on_disk_is_found(cases):
    first = cases[0]
    attachment = Attachment.objects.filter(case=first).order_by("pk").first()
    Path(attachment.file.path).write_bytes(b"%PDF-1.4\n% another letter\n%%EOF\n")
    message = refused()
    assert f"case {first.reference}: attachment {attachment.pk}" in message
    assert "the file's SHA-256" in message


def test_an_evidence_file_swapped_with_its_checksum_row_is_found(cases):
    first = cases[0]
    attachment = Attachment.objects.filter(case=first).order_by("pk").first()
    body = b"%PDF-1.4\n% another letter\n%%EOF\n"
    Path(attachment.file.path).write_bytes(body)
    Attachment.objects.filter(pk=attachment.pk).update(
        sha256=hashlib.sha256(body).hexdigest(), size=len(body)
    )
    message = refused()
    assert f"case {first.reference}: attachment {attachment.pk}" in message
    assert "sha256" in message


def test_an_entry_slipped_into_a_sealed_day_is_found(sealed, bali):
    second = Case.objects.get(pk=sealed[1].pk)
    # Written as the service writes it, chained and with the head updated, dated on DAY.
    services.add_comment(bali["dinkes"], second.pk, "Sudah selesai kemarin.", now=at(17))
    message = refused()
    assert f"seal of diskominfos-bali {DAY}" in message


def test_a_seal_forged_without_the_key_or_removed_from_the_chain_is_found(sealed, bali):
    from laksana.cases.models import JournalSeal

    staf = bali["dinkes_staf"]
    later = DAY + dt.timedelta(days=1)
    services.add_comment(staf, sealed[0].pk, "Hari berikutnya.", now=at(9, day=later))
    seal("--day", str(later))
    assert "2 seal(s)" in verify()
    # Recomputing a seal needs the key: one made with another key does not verify.
    first = JournalSeal.objects.get(day=DAY)
    forged = hmac.new(b"a guessed key", first.digest.encode(), "sha256").hexdigest()
    JournalSeal.objects.filter(pk=first.pk).update(digest=forged)
    message = refused()
    assert f"seal of diskominfos-bali {DAY}" in message
    # Deleting the first seal breaks the chain at the next one.
    JournalSeal.objects.filter(pk=first.pk).delete()
    message = refused()
    assert f"seal of diskominfos-bali {later}" in message
    assert "does not follow" in message


def test_the_seal_values_print_for_the_out_of_band_record_and_are_checked(sealed):
    out = StringIO()
    call_command("journal", "seals", stdout=out)
    line = out.getvalue().strip().splitlines()[-1]
    match = re.search(rf"diskominfos-bali {DAY} entries=(\d+) digest=([0-9a-f]{{64}})", line)
    assert match, line
    recorded = f"diskominfos-bali:{DAY}:{match[2]}"
    assert "journal ok" in verify("--expect", recorded)
    # The database's seal row rewritten (with the key, by someone who has it) no longer
    # matches the value recorded elsewhere.
    from laksana.cases.models import JournalSeal

    JournalSeal.objects.filter(day=DAY).update(digest="0" * 64)
    message = refused("--expect", recorded)
    assert "recorded out of band" in message


def test_the_daily_task_seals_complete_days_only(bali, sop002):
    from laksana.cases.models import JournalSeal
    from laksana.cases.seals import seal_due

    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan", now=at(8))
    work(bali["dinkes_staf"], case, now=at(9))
    # The same day, and just after midnight within the grace period: not complete yet.
    assert seal_due(now=at(20)) == []
    assert seal_due(now=at(0, 1, day=DAY + dt.timedelta(days=1))) == []
    sealed = seal_due(now=at(2, day=DAY + dt.timedelta(days=1)))
    assert [(s.day, s.count) for s in sealed] == [(DAY, case.journal.count())]
    assert seal_due(now=at(3, day=DAY + dt.timedelta(days=1))) == []  # once
    assert JournalSeal.objects.count() == 1


def test_seals_made_with_another_key_are_named_and_bad_input_is_refused(sealed, settings):
    settings.LAKSANA_JOURNAL_KEY = "another-key-" + "Qw9xZ3vB7nM2kL5pR8tY" * 2
    message = refused()
    assert f"seal of diskominfos-bali {DAY}: made with the journal key" in message
    # Unreadable input is a usage error (exit status 2), not a crash.
    for args in (("--expect", "diskominfos-bali:2026-03-02:abc"), ("--expect", "nonsense")):
        with pytest.raises(CommandError) as caught:
            verify(*args)
        assert caught.value.returncode == 2 and "SLUG:YYYY-MM-DD:DIGEST" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        seal("--day", str(DAY + dt.timedelta(days=5)))
    assert caught.value.returncode == 2 and "is not over yet" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        seal("--day", "2026-02-30")
    assert caught.value.returncode == 2 and "cannot read the day" in str(caught.value)


def test_days_left_unsealed_are_warned_about(cases):
    # Nothing sealed: the days of March are long over (removing the newest seals looks alike).
    err = StringIO()
    call_command("journal", "verify", stdout=StringIO(), stderr=err)
    assert "20 entries of days that ended more than a day ago are under no seal" in err.getvalue()
    seal("--day", str(DAY))
    err = StringIO()
    call_command("journal", "verify", stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""


@pytest.mark.django_db(transaction=True)
def test_the_seal_task_runs_on_the_worker(bali, sop002):
    from django_tasks_db.models import DBTaskResult

    from laksana.cases.models import JournalSeal
    from laksana.cases.tasks import seal_journal

    services.open_case(bali["dinkes_staf"], sop002, "Gangguan", now=at(8))
    call_command("sla", "enqueue-every", "0.01", "--times", "1", stdout=StringIO())
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    (result,) = DBTaskResult.objects.filter(task_path=seal_journal.module_path)
    assert result.status == "SUCCESSFUL"
    # Every day from the case's day to yesterday, in one chain.
    seals = list(JournalSeal.objects.order_by("day"))
    assert result.return_value == {"sealed": len(seals)}
    assert seals[0].day == DAY and seals[0].count == 2 and seals[0].prev_digest == ""
    assert all(b.prev_digest == a.digest for a, b in itertools.pairwise(seals))
    assert "journal ok" in verify()


def test_the_engine_state_changed_directly_is_found(cases):
    # Skipping a step by editing the case's state: its next step would be offered.
    second = cases[1]
    state = dict(second.state, active=["s2"])
    Case.objects.filter(pk=second.pk).update(state=state)
    message = refused()
    assert f"case {second.reference}: engine state: active is ['s2']" in message
