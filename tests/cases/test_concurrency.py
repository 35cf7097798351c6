"""Two people completing the same step at once: exactly one wins, the other is told by whom.

Runs with real threads and real transactions (one database connection per thread). On
PostgreSQL the case row lock (SELECT ... FOR UPDATE) serialises them; on SQLite the immediate
write transaction does.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import translation

from laksana.cases import services
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, JournalKind, StepStatus

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
                "surat_permohonan": {"ref": "surat-1"},
                "keterangan_proses": {"uraian": f"Laporan dari {person.name}"},
            },
            files=[
                services.FileInput("foto_masalah", [png()]),
                services.FileInput("dokumen_analisis", [pdf()]),
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
        assert case.attachments.count() == 2  # the loser's files were not kept
        assert verify_case(case) is None
