"""SQLite: the write-ahead log's checkpoints in a background thread, off the requests' path.

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
their lock (:func:`laksana.cases.store.writers_lock`) — the few pages written since its last
pass and the disk's two waits — and the next commit starts the log again. The writers' own
automatic checkpoint stays on, at :data:`SAFETY_PAGES`, for a log no thread keeps short (a
process that never started one, a thread that died).

Durability is unchanged: a commit is in the log before it returns (``synchronous=NORMAL``),
and the log is replayed after a crash, checkpointed or not.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
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


class _Checkpointer:
    """The thread of one process, for one database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self.wake = threading.Event()
        self.stopping = False
        self.commits = 0
        self.passes = 0
        self.restarts = 0
        self.failures = 0
        self.thread = threading.Thread(target=self._loop, name="laksana-checkpoints", daemon=True)
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
            except sqlite3.Error as exc:
                # Another process's checkpoint, a database being replaced, a full disk: the
                # next pass tries again (and the writers' own checkpoint is still there).
                self.failures += 1
                log.warning("checkpoint of %s not done: %s", self.path, exc)
                if conn is not None:
                    conn.close()
                    conn = None
        if conn is not None:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        ((_busy, pages, _copied),) = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.passes += 1
        if pages >= RESTART_PAGES:
            from laksana.cases.store import writers_lock

            with writers_lock(self.path):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.restarts += 1

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=10)


_RUNNING: _Checkpointer | None = None
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


def start() -> bool:
    """Run the checkpoints of the SQLite database in a thread of this process (once per
    process: a forked child starts its own at its first commit). False, and nothing done,
    on PostgreSQL or an in-memory database."""
    global _RUNNING
    path = _database_path()
    if path is None:
        return False
    with _LOCK:
        if _RUNNING is not None and _RUNNING.pid == os.getpid():
            return True
        _RUNNING = _Checkpointer(path)
        connection_created.connect(_on_connection, dispatch_uid="laksana-checkpoints")
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
        connection_created.disconnect(dispatch_uid="laksana-checkpoints")
        if running is not None and running.pid == os.getpid():
            running.stop()
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor == "sqlite" and db.connection is not None:
            _set_writers_pages(db.connection, SQLITE_DEFAULT_PAGES)


def running() -> _Checkpointer | None:
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
        start()
        found = _RUNNING
        if found is None:
            return
    found.commits += 1
    if found.commits % COMMITS == 0:
        found.wake.set()
