"""The monitors' scheduler: which checks are due, running them concurrently, recording them.

One pass (:func:`run_pass`) covers a window of W seconds from now:

1. :func:`claim` takes the active monitors due before ``now + W`` that no other pass holds,
   in one transaction (rows locked with ``SKIP LOCKED`` on PostgreSQL; SQLite's transactions
   take the write lock when they begin), sets ``running_until`` (the pass holds them until
   then, so no monitor runs twice at once) and moves ``next_due_at`` on by the interval, kept
   in phase. A monitor never scheduled gets its first due time from :func:`first_due`, a
   stable hash of its id: monitors added together spread over their interval.
2. :func:`run` starts each check at its due time inside the window, at most
   ``LAKSANA_MONITOR_CONCURRENCY`` at once, all on one shared HTTP client
   (:func:`laksana.monitoring.netguard.make_client`), in an asyncio loop of its own thread:
   no database work happens there (a check gets a :class:`~laksana.monitoring.probes.Spec`,
   a copy of its monitor).
3. The pass's thread records the outcomes as they come, in batches (every second or every
   :data:`BATCH` outcomes) through :func:`laksana.monitoring.state.record` — state changes,
   incidents and cases follow from there — then releases its monitors, prunes old results
   now and then and opens the cases of incidents whose maintenance window has ended
   (:func:`laksana.monitoring.incidents.open_pending_cases`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import queue
import threading
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from laksana.monitoring.models import Monitor
from laksana.monitoring.probes import Outcome, Spec

# Outcomes recorded in one transaction at most; a batch is also written once it is a second
# old, so states change without waiting for the end of a pass.
BATCH = 200
BATCH_SECONDS = 1.0
# A claim holds its monitors this long past the window and the check's timeout: the time to
# record the last outcomes. A pass that died releases its monitors when this has passed.
MARGIN_SECONDS = 60
# Check results older than LAKSANA_MONITOR_RESULT_DAYS are removed at most this often.
PRUNE_EVERY_SECONDS = 3600.0

_last_prune: float | None = None


def _phase(monitor_id: int, interval: int) -> int:
    """A stable number of seconds in [0, interval) for the monitor (the same in every process
    and Python version: not ``hash()``)."""
    digest = hashlib.blake2b(str(monitor_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % max(interval, 1)


def first_due(monitor_id: int, interval: int, now: dt.datetime) -> dt.datetime:
    """The first due time of a monitor never scheduled: ``now`` plus its stable share of the
    interval, so monitors made together start spread over their interval."""
    return now + dt.timedelta(seconds=_phase(monitor_id, interval))


def _next_due(due: dt.datetime, interval: int, now: dt.datetime) -> dt.datetime:
    """The due time after ``due``, in phase with it; a monitor more than an interval behind
    (the scheduler was stopped) skips the missed runs instead of running them all."""
    step = dt.timedelta(seconds=interval)
    following = due + step
    if following <= now:
        behind = (now - due) // step
        following = due + step * (behind + 1)
    return following


def claim(
    *, now: dt.datetime, window: float, all_: bool = False, limit: int | None = None
) -> list[tuple[Spec, dt.datetime]]:
    """Take the active monitors due before ``now + window`` (every active one with ``all_``)
    that no pass holds, for this pass: returns each one's :class:`Spec` and the time to start
    its check (its due time, or ``now`` when overdue). In one transaction, which also writes
    their ``running_until`` and ``next_due_at``."""
    horizon = now + dt.timedelta(seconds=window)
    free = Q(running_until__isnull=True) | Q(running_until__lt=now)
    rows = Monitor.objects.filter(free, active=True)
    if not all_:
        rows = rows.filter(Q(next_due_at__isnull=True) | Q(next_due_at__lt=horizon))
    rows = rows.order_by("next_due_at", "pk")
    claimed: list[tuple[Spec, dt.datetime]] = []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        if limit is not None:
            rows = rows[:limit]
        taken: list[Monitor] = []
        scheduled: list[Monitor] = []  # never scheduled, first due after the window
        for monitor in rows:
            due = monitor.next_due_at
            if due is None:
                due = first_due(monitor.pk, monitor.interval_seconds, now)
            if due >= horizon and not all_:
                monitor.next_due_at = due
                scheduled.append(monitor)
                continue
            if due < horizon:
                monitor.next_due_at = _next_due(due, monitor.interval_seconds, now)
                start = max(due, now)
            else:  # --all: checked now, its schedule kept
                monitor.next_due_at = due
                start = now
            hold = window + monitor.timeout_seconds + MARGIN_SECONDS
            monitor.running_until = now + dt.timedelta(seconds=hold)
            taken.append(monitor)
            claimed.append((Spec.of(monitor), start))
        if taken:
            Monitor.objects.bulk_update(taken, ["next_due_at", "running_until"], batch_size=500)
        if scheduled:
            Monitor.objects.bulk_update(scheduled, ["next_due_at"], batch_size=500)
    claimed.sort(key=lambda pair: pair[1])
    return claimed


def release(monitor_ids: Sequence[int]) -> None:
    """Let other passes take these monitors again."""
    ids = list(monitor_ids)
    for start in range(0, len(ids), 500):
        Monitor.objects.filter(pk__in=ids[start : start + 500]).update(running_until=None)


async def run(
    specs_at: Sequence[tuple[Spec, dt.datetime]],
    *,
    concurrency: int,
    on_result: Callable[[Outcome], None],
) -> None:
    """Run each check at its start time (sleeping until then), at most ``concurrency`` at
    once, on one shared client; ``on_result`` gets every outcome as it comes (it must not
    touch the database: it runs in the event loop)."""
    from laksana.monitoring import netguard, probes

    if not specs_at:
        return
    gate = asyncio.Semaphore(concurrency)

    async def one(spec: Spec, start_at: dt.datetime) -> None:
        # The loop may wake a timer a little early (its clock's resolution): never before.
        while (delay := (start_at - timezone.now()).total_seconds()) > 0:
            await asyncio.sleep(delay)
        async with gate:
            outcome = await probes.check(spec, client)
        on_result(outcome)

    async with netguard.make_client(concurrency=concurrency) as client:
        await asyncio.gather(*(one(spec, at) for spec, at in specs_at))


def _record(batch: list[Outcome], now: dt.datetime | None) -> None:
    from laksana.monitoring import state

    if batch:
        state.record(batch, now=now)


def run_pass(
    *, now: dt.datetime | None = None, window: float = 10.0, all_: bool = False
) -> list[Outcome]:
    """One pass: claim the monitors due in the next ``window`` seconds (all with ``all_``),
    run their checks, record the outcomes in batches, release the monitors, then the upkeep
    (old results pruned now and then; cases of incidents out of maintenance opened). Returns
    the outcomes in the order they came. ``now`` fixes the clock of the claim and of the
    recording (tests); the checks start at real times."""
    from laksana.monitoring import incidents

    started = now or timezone.now()
    specs_at = claim(now=started, window=window, all_=all_)
    if now is not None:
        # A frozen clock: every check starts at once (its times are the test's, not the loop's).
        specs_at = [(spec, timezone.now()) for spec, _at in specs_at]
    outcomes: list[Outcome] = []
    try:
        if specs_at:
            outcomes = _run_and_record(specs_at, now)
    finally:
        release([spec.id for spec, _at in specs_at])
    _upkeep(now)
    incidents.open_pending_cases(now=now)
    return outcomes


def _run_and_record(
    specs_at: list[tuple[Spec, dt.datetime]], now: dt.datetime | None
) -> list[Outcome]:
    """The checks in an event loop of their own thread; their outcomes recorded here, in
    batches, while the others still run (this thread holds the database connection)."""
    arrived: queue.SimpleQueue[Outcome | None] = queue.SimpleQueue()
    failure: list[BaseException] = []

    def loop_thread() -> None:
        try:
            asyncio.run(
                run(
                    specs_at,
                    concurrency=settings.LAKSANA_MONITOR_CONCURRENCY,
                    on_result=arrived.put,
                )
            )
        except BaseException as exc:  # reported by the pass, after what came is recorded
            failure.append(exc)
        finally:
            arrived.put(None)

    thread = threading.Thread(target=loop_thread, name="laksana-monitor-checks", daemon=True)
    thread.start()
    outcomes: list[Outcome] = []
    batch: list[Outcome] = []
    oldest = 0.0
    while True:
        wait = BATCH_SECONDS if not batch else max(0.0, oldest + BATCH_SECONDS - time.monotonic())
        try:
            item = arrived.get(timeout=wait)
        except queue.Empty:
            _record(batch, now)
            batch = []
            continue
        if item is None:
            break
        if not batch:
            oldest = time.monotonic()
        batch.append(item)
        outcomes.append(item)
        if len(batch) >= BATCH or time.monotonic() - oldest >= BATCH_SECONDS:
            _record(batch, now)
            batch = []
    _record(batch, now)
    thread.join()
    if failure:
        raise failure[0]
    return outcomes


def _upkeep(now: dt.datetime | None) -> None:
    """Prune old check results, at most once every :data:`PRUNE_EVERY_SECONDS` per process."""
    global _last_prune
    from laksana.monitoring import state

    clock = time.monotonic()
    if _last_prune is not None and clock - _last_prune < PRUNE_EVERY_SECONDS:
        return
    _last_prune = clock
    state.prune_results(now=now)
