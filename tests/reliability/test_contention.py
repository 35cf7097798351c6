"""Many people completing (or claiming) the same step at the same instant, thousands of times.

Each round, every thread calls the service for the one active step of a case at once (behind a
barrier): exactly one wins, every other is told the step was already completed (or claimed)
by the winner, the step is completed once, the next activation happens once, and the journal
has each entry exactly once with contiguous sequence numbers and a verifying hash chain.

The procedure is one decision step that loops on itself ("Ulangi"), so every round is a new
visit of the same step: rounds are spread over a few cases, whose rows are the locks. Real
threads, real transactions, one database connection per thread (closed at the end). On
PostgreSQL the case row lock (SELECT ... FOR NO KEY UPDATE) serialises them: 16 threads x 200
rounds. SQLite serialises writers with IMMEDIATE transactions: 8 threads x 30 rounds, on both
backends.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import translation

from laksana.cases import services
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, CaseStep, JournalKind, StepStatus
from laksana.org.models import Person
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import publish

from .support import on_postgres

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 8
LOOP = """\
format: laksana/procedure@1
id: uji-rebutan-langkah
identity:
  number: "UJI/REBUTAN/1"
  title: "Uji rebutan langkah"
  agency: "Instansi Uji"
actors:
  pemohon: {name: "Unit Kerja Pemohon", kind: requesting_unit}
artifacts:
  catatan:
    name: "Catatan putaran"
    type: form
    fields:
      - {id: uraian, label: "Uraian", type: text}
start: s1
steps:
  - id: s1
    activity: "Unit Kerja Pemohon mencatat putaran dan memutuskan apakah diulang"
    actor: pemohon
    produces: [catatan]
    time: "1 hari"
    decision:
      outcomes:
        - {label: "Ulangi", to: s1}
        - {label: "Selesai", to: selesai}
ends:
  - {id: selesai, label: "Selesai"}
"""

POSTGRES_ONLY = pytest.mark.skipif(
    not on_postgres(),
    reason="the 16-thread version is for PostgreSQL's row locks; SQLite serialises writers, "
    "so the 8-thread version runs on it",
)


@pytest.fixture
def loop_version(bali) -> ProcedureVersion:
    return publish(LOOP, "uji-rebutan-langkah.yaml", bali.agency)


def _people(bali, n: int) -> list[Person]:
    """``n`` people of the requesting unit (Dinkes): all may complete its steps."""
    unit = bali.units["dinkes"]
    people = [bali["dinkes"], bali["dinkes_staf"]]
    users = get_user_model()
    for i in range(len(people), n):
        user = users.objects.create(username=f"rebutan{i:02d}")
        people.append(
            Person.objects.create(
                user=user, agency=unit.agency, name=f"Petugas Rebutan {i:02d}", unit=unit
            )
        )
    return people[:n]


@dataclass
class Round:
    number: int
    case_id: int
    step_id: int
    results: list[tuple[str, str, str]] = field(default_factory=list)  # (code, person, message)


class Contest:
    """``threads`` workers that each call ``action(person, step_id)`` when a round starts."""

    def __init__(self, people: list[Person], action: Callable[[Person, int, int], object]) -> None:
        self.people = people
        self.action = action
        self.start = threading.Barrier(len(people) + 1)
        self.end = threading.Barrier(len(people) + 1)
        self.current: Round | None = None
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._work, args=(p,), daemon=True) for p in people]
        for t in self.threads:
            t.start()

    def _work(self, person: Person) -> None:
        translation.activate("en")  # the language is per thread
        try:
            while True:
                self.start.wait(timeout=60)
                rnd = self.current
                if rnd is None:
                    return
                try:
                    self.action(person, rnd.step_id, rnd.number)
                    outcome = ("ok", person.name, "")
                except services.ServiceError as exc:
                    outcome = (exc.code, person.name, exc.message)
                except Exception as exc:  # recorded, so the round fails naming it
                    outcome = ("error", person.name, repr(exc))
                with self.lock:
                    rnd.results.append(outcome)
                self.end.wait(timeout=60)
        finally:
            connections.close_all()

    def play(self, rnd: Round) -> Round:
        self.current = rnd
        self.start.wait(timeout=60)
        self.end.wait(timeout=120)
        return rnd

    def stop(self) -> None:
        self.current = None
        self.start.wait(timeout=60)
        for t in self.threads:
            t.join(timeout=60)


def _active_step(case_id: int) -> CaseStep:
    return CaseStep.objects.get(case_id=case_id, status=StepStatus.ACTIVE)


def _check_round(rnd: Round, threads: int, loser_codes: set[str], verb: str) -> str:
    codes = Counter(code for code, _p, _m in rnd.results)
    assert len(rnd.results) == threads, rnd
    assert codes["ok"] == 1, f"round {rnd.number}: {codes}; {rnd.results}"
    assert set(codes) - {"ok"} <= loser_codes, f"round {rnd.number}: {rnd.results}"
    winner = next(p for code, p, _m in rnd.results if code == "ok")
    for code, _p, message in rnd.results:
        if code != "ok" and code.startswith("already"):
            assert message == f"This step was already {verb} by {winner}.", message
    return winner


def _complete(person: Person, step_id: int, number: int) -> object:
    return services.complete_step(
        person, step_id, values={"catatan": {"uraian": f"putaran {number}"}}, outcome="Ulangi"
    )


def _run_completions(bali, version: ProcedureVersion, threads: int, rounds: int) -> None:
    people = _people(bali, threads)
    opener = bali["dinkes_staf"]
    cases = [services.open_case(opener, version, f"Rebutan {i}").pk for i in range(CASES)]
    contest = Contest(people, _complete)
    winners: dict[tuple[int, int], str] = {}
    try:
        for number in range(rounds):
            case_id = cases[number % CASES]
            step = _active_step(case_id)
            rnd = contest.play(Round(number, case_id, step.pk))
            winners[(case_id, step.visit)] = _check_round(
                rnd, threads, {"already_completed", "not_active"}, "completed"
            )
    finally:
        contest.stop()

    total_completed = 0
    for i, case_id in enumerate(cases):
        case = Case.objects.get(pk=case_id)
        visits = len(range(i, rounds, CASES))
        rows = list(case.steps.select_related("completed_by").order_by("visit"))
        # One row per visit: each completed once, by the round's winner, and the next visit
        # activated exactly once.
        assert [r.visit for r in rows] == list(range(1, visits + 2))
        assert [r.status for r in rows] == [StepStatus.COMPLETED] * visits + [StepStatus.ACTIVE]
        for row in rows[:-1]:
            assert row.completed_by is not None
            assert row.completed_by.name == winners[(case_id, row.visit)]
        # The journal: contiguous, each event once, the chain verifies.
        entries = list(case.journal.order_by("seq"))
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert case.journal_seq == len(entries)
        kinds = Counter(e.kind for e in entries)
        assert kinds[JournalKind.COMPLETED] == visits
        assert kinds[JournalKind.STEP_ACTIVATED] == visits + 1
        assert kinds[JournalKind.OPENED] == 1
        assert sum(kinds.values()) == 1 + (visits + 1) + visits
        completed_by = [e.actor_name for e in entries if e.kind == JournalKind.COMPLETED]
        assert completed_by == [r.completed_by.name for r in rows[:-1]]  # type: ignore[union-attr]
        assert verify_case(case) is None
        assert len(case.state["active"]) == 1
        total_completed += kinds[JournalKind.COMPLETED]
    assert total_completed == rounds


def test_8_threads_x_30_rounds_complete_each_step_exactly_once(bali, loop_version):
    _run_completions(bali, loop_version, threads=8, rounds=30)


@POSTGRES_ONLY
def test_16_threads_x_200_rounds_complete_each_step_exactly_once(bali, loop_version):
    """3,200 attempts: 200 winners, 3,000 told who was first, 200 COMPLETED journal entries."""
    _run_completions(bali, loop_version, threads=16, rounds=200)


def _claim(person: Person, step_id: int, number: int) -> object:
    return services.claim_step(person, step_id)


@pytest.mark.parametrize("threads,rounds", [(8, 10), pytest.param(16, 40, marks=POSTGRES_ONLY)])
def test_simultaneous_claims_give_the_step_to_exactly_one(bali, loop_version, threads, rounds):
    """Everyone claims the same offered step at once: one claimant, the others are told who;
    one CLAIMED journal entry; then the claimant (only) completes it."""
    people = _people(bali, threads)
    case = services.open_case(bali["dinkes_staf"], loop_version, "Rebutan klaim")
    contest = Contest(people, _claim)
    claims: list[tuple[int, str]] = []
    try:
        for number in range(rounds):
            step = _active_step(case.pk)
            rnd = contest.play(Round(number, case.pk, step.pk))
            winner = _check_round(rnd, threads, {"already_claimed"}, "claimed")
            step.refresh_from_db()
            assert step.claimed_by is not None and step.claimed_by.name == winner
            claims.append((step.pk, winner))
            claimant = next(p for p in people if p.name == winner)
            _complete(claimant, step.pk, number)
    finally:
        contest.stop()
    case.refresh_from_db()
    entries = list(case.journal.order_by("seq"))
    claimed = [e for e in entries if e.kind == JournalKind.CLAIMED]
    assert [(e.data["visit"], e.actor_name) for e in claimed] == [
        (i + 1, name) for i, (_step, name) in enumerate(claims)
    ]
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert verify_case(case) is None
