"""SQLite's upkeep by a thread of the process (laksana.ops.upkeep): the log's checkpoints and
the planner's statistics; and the services' writer lock in a forked process."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from laksana.benchmarks.service import PlannedAction, attach_evidence, complete_one, prepare
from laksana.cases.models import Case, CaseStatus
from laksana.ops import upkeep

from ..conftest import drop_statistics

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(
    connections["default"].vendor != "sqlite", reason="SQLite's write-ahead log"
)


@pytest.fixture
def thread(sqlite_upkeep):
    return sqlite_upkeep


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def _wait_until_idle(running, quiet: float = 0.3) -> None:
    """Until the thread has made no pass for ``quiet`` seconds (it has caught up)."""
    deadline = time.monotonic() + 10
    seen = running.passes
    while time.monotonic() < deadline:
        time.sleep(quiet)
        if running.passes == seen:
            return
        seen = running.passes


def _autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return int(cursor.fetchone()[0])


def _log_pages(path: str) -> int:
    """Frames in the log, as a PASSIVE checkpoint of a separate connection reports them."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def work(case_ids: list[int], people: dict[str, int], plan: list[PlannedAction]) -> None:
    """Every step of these cases completed as the bench does, naming each case's attachments."""
    evidence = attach_evidence(case_ids, plan)
    for case_id in case_ids:
        for action, values in zip(plan, evidence[case_id], strict=True):
            complete_one(case_id, people[action.actor], action, values)


@sqlite_only
def test_the_thread_copies_the_log_into_the_database_file(thread, monkeypatch) -> None:
    monkeypatch.setattr(upkeep, "COMMITS", 1)
    path = str(connection.settings_dict["NAME"])
    ids, people, plan = prepare(2)
    with sqlite3.connect(path) as conn:  # an empty log to start from
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    assert Path(f"{path}-wal").stat().st_size == 0
    assert thread.start() is True
    running = thread.running()
    assert running is not None
    # The writers' own checkpoint is moved out of the way (a safety net only).
    assert _autocheckpoint() == upkeep.SAFETY_PAGES
    work(ids[:1], people, plan)
    assert _wait_for(lambda: running.passes > 0)
    _wait_until_idle(running)
    # The completions wrote some hundreds of pages to the log (its file keeps its largest
    # size), well below SQLite's own 1,000-page checkpoint, and no writer checkpoints now.
    written = Path(f"{path}-wal").stat().st_size // 4120
    assert written > 150
    # The thread copied all of it, so the next action starts the log again from its
    # beginning: the log holds that action's pages only.
    prepare(1)
    assert _log_pages(path) < 100
    assert running.failures == 0
    assert Case.objects.get(pk=ids[0]).status == CaseStatus.FINISHED
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]


@sqlite_only
def test_a_long_log_is_started_again_from_its_beginning(thread, monkeypatch) -> None:
    monkeypatch.setattr(upkeep, "COMMITS", 1)
    monkeypatch.setattr(upkeep, "RESTART_PAGES", 40)
    path = str(connection.settings_dict["NAME"])
    ids, people, plan = prepare(6)
    thread.start()
    running = thread.running()
    assert running is not None
    work(ids, people, plan)
    assert _wait_for(lambda: running.restarts > 0)
    _wait_until_idle(running)
    # One more action: it starts the log again if the thread's last pass copied all of it,
    # and adds its own pages. Six cases' completions are about 1,500 pages; the log holds
    # only what came after the last restart.
    prepare(1)
    assert _log_pages(path) < 40 + 60
    assert running.failures == 0
    assert Case.objects.filter(pk__in=ids, status=CaseStatus.FINISHED).count() == len(ids)


@sqlite_only
def test_stopping_gives_the_writers_their_own_checkpoint_back(thread) -> None:
    connection.ensure_connection()
    assert thread.start() is True
    assert thread.start() is True  # once per process
    running = thread.running()
    assert running is not None and running.thread.is_alive()
    thread.stop()
    assert not running.thread.is_alive()
    assert thread.running() is None
    assert _autocheckpoint() == upkeep.SQLITE_DEFAULT_PAGES
    # A connection opened later is left alone too.
    connection.close()
    assert _autocheckpoint() == upkeep.SQLITE_DEFAULT_PAGES


@sqlite_only
def test_a_forked_worker_starts_its_own_thread(thread) -> None:
    thread.start()
    parent = thread.running()
    assert parent is not None
    ctx = multiprocessing.get_context("fork")
    found = ctx.Queue()

    def child() -> None:
        connections.close_all()
        upkeep.nudge()
        mine = upkeep.running()
        found.put(
            (
                mine is not None and mine.pid == os.getpid(),
                mine is not None and mine is not parent,
                # Its statistics are gathered by the thread (not in the nudge, which may run
                # inside an outer transaction holding the writers' lock).
                mine is not None and _wait_for(lambda: mine.analyses > 0),
            )
        )
        upkeep.stop()
        connections.close_all()

    process = ctx.Process(target=child)
    process.start()
    result = found.get(timeout=30)
    process.join(timeout=30)
    assert result == (True, True, True)
    assert thread.running() is parent


@sqlite_only
def test_a_forked_process_waits_for_the_writer_lock_of_its_parent() -> None:
    """The lock file is opened again in a child: a lock on the parent's descriptor would be
    the same lock for both, and the child would not wait."""
    name = str(connection.settings_dict["NAME"])
    ctx = multiprocessing.get_context("fork")
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with upkeep.writers_lock(name):
            holding.set()
            release.wait(30)

    with upkeep.writers_lock(name):
        pass  # the parent has the lock file open before the fork
    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    got = ctx.Queue()

    def child() -> None:
        # A fresh thread lock in the child; only the file lock can make it wait.
        upkeep._WRITER_THREADS = threading.Lock()
        waiter = threading.Thread(target=lambda: _take(name, got))
        waiter.daemon = True
        waiter.start()
        waiter.join(1.0)
        got.put("waited" if waiter.is_alive() else "not waited")

    try:
        process = ctx.Process(target=child)
        process.start()
        answer = got.get(timeout=30)
        process.join(timeout=30)
    finally:
        release.set()
        holder.join()
    assert answer == "waited"


def _take(name: str, got) -> None:
    with upkeep.writers_lock(name):
        got.put("taken")


def test_nothing_runs_for_postgresql_or_memory(thread) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL's own checkpoints")
    assert thread.start() is False
    assert thread.running() is None
    upkeep.nudge()  # nothing to wake: no error


_CASE_ACTIVE_STEPS = "SELECT id FROM cases_casestep WHERE case_id = 1 AND status = 'active'"


def _plan(path: str, sql: str) -> str:
    """The plan of a new connection (existing ones load statistics when they reconnect)."""
    conn = sqlite3.connect(path)
    try:
        return " ".join(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        conn.close()


@sqlite_only
def test_a_database_without_statistics_gets_them_before_the_worker_serves(thread) -> None:
    path = str(connection.settings_dict["NAME"])
    ids, people, plan = prepare(30)
    work(ids[:2], people, plan)
    drop_statistics()
    assert not upkeep.has_statistics(path)
    # Without statistics the partial index of all active steps looks as good as the case's
    # own index for "this case's active steps", and is chosen.
    assert "case_step_" in _plan(path, _CASE_ACTIVE_STEPS)
    assert thread.start() is True
    assert upkeep.has_statistics(path)
    assert "sqlite_autoindex_cases_casestep_1 (case_id=?)" in _plan(path, _CASE_ACTIVE_STEPS)


@sqlite_only
def test_the_thread_gathers_the_statistics_again(thread, monkeypatch) -> None:
    path = str(connection.settings_dict["NAME"])
    prepare(3)
    thread.start()
    running = thread.running()
    assert running is not None and running.analyses == 0  # start() did it
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    assert not upkeep.has_statistics(path)
    monkeypatch.setattr(upkeep, "ANALYZE_EVERY", 0.0)
    running.next_analysis = 0.0
    running.wake.set()
    assert _wait_for(lambda: running.analyses > 0)
    assert upkeep.has_statistics(path)
    assert running.failures == 0
