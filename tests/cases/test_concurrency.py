"""Two people completing the same step at once: exactly one wins, the other is told by whom.

Runs with real threads and real transactions (one database connection per thread). On
PostgreSQL the case row lock (SELECT ... FOR NO KEY UPDATE) serialises them; on SQLite the immediate
write transaction does.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from laksana.cases import services, sla
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, JournalKind, Notification, StepStatus

from .helpers import active, pdf, png

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 12


def _complete(person, step_id, results, barrier):
    try:
        translation.activate("en")  # the language is per thread
        barrier.wait(timeout=10)
        services.complete_step(
            person,
            step_id,
            values={
                "keterangan_proses": {"uraian": f"Laporan dari {person.name}"},
            },
            files=[
                services.FileInput("foto_masalah", [png()]),
                services.FileInput("dokumen_analisis", [pdf()]),
                services.FileInput("surat_permohonan", [pdf("surat.pdf")]),
            ],
        )
        results.append(("ok", person.name))
    except services.ServiceError as exc:
        results.append((exc.code, exc.message))
    except Exception as exc:  # recorded, so the test fails naming it
        results.append(("error", repr(exc)))
    finally:
        connections.close_all()


def test_exactly_one_of_two_simultaneous_completions_wins(bali, sop002):
    requesters = [bali["dinkes"], bali["dinkes_staf"]]
    for _ in range(ROUNDS):
        case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan bersamaan")
        step = active(case)
        results: list[tuple[str, str]] = []
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=_complete, args=(p, step.pk, results, barrier))
            for p in requesters
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(r[0] for r in results) == ["already_completed", "ok"], results
        winner = next(name for code, name in results if code == "ok")
        loser_message = next(msg for code, msg in results if code != "ok")
        assert loser_message == f"This step was already completed by {winner}."
        case = Case.objects.get(pk=case.pk)
        step.refresh_from_db()
        assert step.status == StepStatus.COMPLETED and step.completed_by.name == winner
        completed = case.journal.filter(kind=JournalKind.COMPLETED)
        assert completed.count() == 1
        assert case.steps.filter(step_key="s2", status=StepStatus.ACTIVE).count() == 1
        assert case.attachments.count() == 3  # the loser's files were not kept
        assert verify_case(case) is None


def _waiting_on_a_lock(timeout: float = 10.0) -> bool:
    """Whether another connection is waiting for a row lock (PostgreSQL), polled until one
    is or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # The activity view is read once per transaction unless its snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_a_sla_notice_and_a_completion_of_the_same_step_at_once_both_go_through(bali, sop002):
    """The SLA sweep marks a step (locking its row), then writes its notice, whose reference
    to the case is checked at commit; a completion of that step meanwhile holds the case's
    lock and waits for the step's row. The case's lock must not stop the notice's check
    (PostgreSQL: FOR NO KEY UPDATE), or the two wait for each other until the database
    aborts the completion as a deadlock."""

    if connection.vendor != "postgresql":
        pytest.skip("row locks and deferred reference checks are PostgreSQL's")
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan saat pengingat")
    step = active(case)
    results: list[tuple[str, str]] = []
    marked = threading.Event()

    def send(row, now):
        marked.set()  # the step's row is locked by this transaction now
        if not _waiting_on_a_lock():  # the completion has taken the case, waits for the step
            raise AssertionError("the completion never waited for the step's row")
        services.notify([bali["dinkes"]], row.case, "Langkah hampir jatuh tempo", now)
        return 1

    def sweep():
        try:
            told = sla._mark_and_send(step.pk, "near_due_notified_at", timezone.now(), send)
            results.append(("swept", str(told)))
        except Exception as exc:  # recorded, so the test fails naming it
            results.append(("error", repr(exc)))
        finally:
            connections.close_all()

    def complete():
        try:
            assert marked.wait(timeout=10)
            services.complete_step(
                bali["dinkes_staf"],
                step.pk,
                values={
                    "keterangan_proses": {"uraian": "Laporan"},
                },
                files=[
                    services.FileInput("foto_masalah", [png()]),
                    services.FileInput("dokumen_analisis", [pdf()]),
                    services.FileInput("surat_permohonan", [pdf("surat.pdf")]),
                ],
            )
            results.append(("completed", ""))
        except Exception as exc:  # recorded, so the test fails naming it
            results.append(("error", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep), threading.Thread(target=complete)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [("completed", ""), ("swept", "1")], results
    step.refresh_from_db()
    assert step.status == StepStatus.COMPLETED
    assert step.near_due_notified_at is not None  # the completion kept the sweep's mark
    assert Notification.objects.filter(case=case, message="Langkah hampir jatuh tempo").exists()
    assert verify_case(Case.objects.get(pk=case.pk)) is None
