"""SQLite's upkeep: the lock its writers queue on (:func:`writers_lock`) and, in a background
thread of each web worker, the write-ahead log's checkpoints, off the requests' path, and the
query planner's statistics.

Checkpoints.

In WAL mode a commit appends the pages it changed to ``laksana.sqlite3-wal``; a *checkpoint*
copies them back into the database file and waits for the disk twice (``fsync``). Left to
itself SQLite runs one inside whichever commit takes the log past 1,000 pages, so every few
dozen actions one request, and every writer queued behind it, waits milliseconds for the disk.

:func:`start` (called by the web entry points, :mod:`laksana.config.wsgi` and ``asgi``) moves
that work to a daemon thread of the process with its own connection. Each service commit
calls :func:`nudge`; every :data:`COMMITS` commits, and at least every :data:`INTERVAL`
seconds, the thread runs a ``PASSIVE`` checkpoint, which waits for no writer and no reader.
While commits keep coming, such a pass never copies the whole log (pages are appended during
it) and the log only starts again from its beginning after one that does; so once the log is
:data:`RESTART_PAGES` long the thread copies the rest with the services' writers waiting on
their lock (:func:`writers_lock`) — the few pages written since its last
pass and the disk's two waits — and the next commit starts the log again. The writers' own
automatic checkpoint stays on, at :data:`SAFETY_PAGES`, for a log no thread keeps short (a
process that never started one, a thread that died).

Durability is unchanged: a commit is in the log before it returns (``synchronous=NORMAL``),
and the log is replayed after a crash, checkpointed or not.

Statistics. Without them (``sqlite_stat1``, written by ``ANALYZE``) SQLite's planner judges an
index by the columns a query fixes, and the partial indexes of active steps (``status =
'active'`` first) look as good as a case's own index for "the active steps of this case": it
then walks every active step of every case (1.9 ms for one case at 20,000 cases, growing with
the open work, against 6 µs on the case's index). PostgreSQL keeps its statistics itself
(autovacuum); SQLite only when asked. :func:`start` analyses a database that has none for the
cases' tables before it returns (so the worker's connections, opened afterwards, plan with
them), and the thread analyses again every :data:`ANALYZE_EVERY` seconds as the data grows
(connections see new statistics when they next connect: ``CONN_MAX_AGE``). ``ANALYZE`` reads
at most :data:`ANALYSIS_LIMIT` rows of each index (``PRAGMA analysis_limit``), so it takes
milliseconds on any size of database, with the services' writers waiting.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

# Commits between two passes, and the longest wait of the thread between passes (seconds).
COMMITS = 64
INTERVAL = 1.0
# A log this long (pages of 4 KiB) is copied to its end with the services' writers waiting.
RESTART_PAGES = 2_000
# The writers' own checkpoint (SQLite's default is 1,000 pages), for a log no thread copies.
SAFETY_PAGES = 10_000
SQLITE_DEFAULT_PAGES = 1_000
# Statistics: how often they are gathered again, and how many rows of each index are read.
ANALYZE_EVERY = 3_600.0
RETRY_ANALYSIS = 60.0
ANALYSIS_LIMIT = 1_000
# Tables whose statistics must exist (the busiest); without them start() analyses at once.
_ANALYZED_TABLES = ("cases_casestep", "cases_case", "cases_journalentry")


# SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps in
# growing steps (up to 100 ms) and so gives the slowest requests long, random waits. The
# services' writers (laksana.cases.store.one_writer) and this module's thread queue instead on
# a lock file beside the database (and, within a process, on a thread lock), and are woken as
# soon as it is free.
_WRITER_THREADS = threading.Lock()
_LOCK_FILES: dict[tuple[int, str], int] = {}


@contextlib.contextmanager
def writers_lock(name: str) -> Iterator[None]:
    """The lock the services' writers of the SQLite database ``name`` queue on (a thread lock
    in this process, then the lock file beside the database)."""
    import fcntl

    with _WRITER_THREADS:
        path = f"{name}.writers"
        pid = os.getpid()
        fd = _LOCK_FILES.get((pid, path))
        if fd is None:
            # Opened again in a forked child: a lock taken on the parent's descriptor would
            # be shared with the parent (and every other child), not exclusive.
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            _LOCK_FILES[(pid, path)] = fd
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


class _Upkeep:
    """The thread of one process, for one database file."""

    def __init__(self, path: str, *, analyse_soon: bool = False) -> None:
        self.path = path
        self.pid = os.getpid()
        self.wake = threading.Event()
        self.stopping = False
        self.commits = 0
        self.passes = 0
        self.restarts = 0
        self.failures = 0
        self.analyses = 0
        # At the first pass when the statistics were not looked after by start().
        self.next_analysis = time.monotonic() + (0.0 if analyse_soon else ANALYZE_EVERY)
        self.thread = threading.Thread(target=self._loop, name="laksana-sqlite-upkeep", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        conn: sqlite3.Connection | None = None
        while not self.stopping:
            self.wake.wait(INTERVAL)
            self.wake.clear()
            if self.stopping:
                break
            try:
                if conn is None:
                    conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                self._checkpoint(conn)
                if time.monotonic() >= self.next_analysis:
                    # Tried again in a minute if it fails (below), else in ANALYZE_EVERY.
                    self.next_analysis = time.monotonic() + RETRY_ANALYSIS
                    analyze(self.path, conn)
                    self.analyses += 1
                    self.next_analysis = time.monotonic() + ANALYZE_EVERY
            except sqlite3.Error as exc:
                # A database locked for long or being replaced, a full disk: the next pass
                # tries again (and the writers' own checkpoint is still there).
                self.failures += 1
                log.warning("SQLite upkeep of %s not done: %s", self.path, exc)
                if conn is not None:
                    conn.close()
                    conn = None
        if conn is not None:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        ((_busy, pages, _copied),) = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.passes += 1
        if pages >= RESTART_PAGES:
            with writers_lock(self.path):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.restarts += 1

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=10)


_RUNNING: _Upkeep | None = None
_LOCK = threading.Lock()


def _database_path() -> str | None:
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite":
        return None
    name = str(db.settings_dict["NAME"])
    if name.startswith((":memory:", "file:")):
        return None
    return name


def _set_writers_pages(raw: Any, pages: int) -> None:
    raw.execute(f"PRAGMA wal_autocheckpoint={int(pages)}").fetchall()


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite" and connection.alias == DEFAULT_DB_ALIAS:
        _set_writers_pages(connection.connection, SAFETY_PAGES)


def analyze(path: str, conn: sqlite3.Connection | None = None) -> None:
    """Gather the planner's statistics of the database at ``path`` (a bounded ``ANALYZE``),
    with the services' writers waiting."""
    own = conn is None
    conn = conn or sqlite3.connect(path, timeout=20, isolation_level=None)
    try:
        with writers_lock(path):
            conn.execute(f"PRAGMA analysis_limit={int(ANALYSIS_LIMIT)}").fetchall()
            conn.execute("ANALYZE").fetchall()
    finally:
        if own:
            conn.close()


def has_statistics(path: str) -> bool:
    """Whether the database has the planner's statistics for the busiest tables."""
    conn = sqlite3.connect(path, timeout=20)
    try:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).fetchall():
            return False
        found = {
            t
            for (t,) in conn.execute(
                "SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl IN "
                f"({', '.join('?' for _ in _ANALYZED_TABLES)})",
                _ANALYZED_TABLES,
            )
        }
    finally:
        conn.close()
    return found == set(_ANALYZED_TABLES)


def start(*, statistics_now: bool = True) -> bool:
    """Run the upkeep of the SQLite database in a thread of this process (once per process:
    a forked child starts its own at its first commit). A database without statistics is
    analysed first (``statistics_now``; otherwise by the thread at its first pass). False,
    and nothing done, on PostgreSQL or an in-memory database."""
    global _RUNNING
    path = _database_path()
    if path is None:
        return False
    with _LOCK:
        if _RUNNING is not None and _RUNNING.pid == os.getpid():
            return True
        analysed = False
        if statistics_now:
            try:
                if not has_statistics(path):
                    analyze(path)
                analysed = True
            except sqlite3.Error as exc:  # not migrated yet, say: the thread tries again
                log.warning("statistics of %s not gathered: %s", path, exc)
        _RUNNING = _Upkeep(path, analyse_soon=not analysed)
        connection_created.connect(_on_connection, dispatch_uid="laksana-sqlite-upkeep")
        db = connections[DEFAULT_DB_ALIAS]
        if db.connection is not None:
            _set_writers_pages(db.connection, SAFETY_PAGES)
    return True


def stop() -> None:
    """Stop this process's thread and give this thread's connection SQLite's own automatic
    checkpoint back."""
    global _RUNNING
    with _LOCK:
        running, _RUNNING = _RUNNING, None
        connection_created.disconnect(dispatch_uid="laksana-sqlite-upkeep")
        if running is not None and running.pid == os.getpid():
            running.stop()
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor == "sqlite" and db.connection is not None:
            _set_writers_pages(db.connection, SQLITE_DEFAULT_PAGES)


def running() -> _Upkeep | None:
    """This process's thread, if it runs (for tests and diagnostics)."""
    found = _RUNNING
    return found if found is not None and found.pid == os.getpid() else None


def nudge() -> None:
    """After a service's commit: count it, and every :data:`COMMITS` wake the thread (in a
    process forked from one that started it, start this process's own first)."""
    found = _RUNNING
    if found is None:
        return
    if found.pid != os.getpid():
        # Not here: this thread may still hold the writers' lock of an outer transaction.
        start(statistics_now=False)
        found = _RUNNING
        if found is None:
            return
    found.commits += 1
    if found.commits % COMMITS == 0:
        found.wake.set()
