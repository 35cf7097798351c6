"""Monitoring at scale: N monitors (2,000) against a local HTTP server, each due every minute,
one worker process running the scheduler's passes; beside it, in the same run, a bare
asyncio + httpx loop over the same URLs.

- The **server** is a small asyncio HTTP/1.1 server (keep-alive, ``200 ok`` on every path)
  in a process of its own (``python -m laksana.benchmarks.monitor serve``), so it does not
  share the worker's CPU time (it shares the machine's cores).
- The **worker** is a child process (``python -m laksana.benchmarks.monitor worker``) that
  runs :func:`laksana.monitoring.scheduler.run_pass` with a window of W seconds, one pass
  after the other, for the measured period; it reports its CPU time (``getrusage``) over
  that period and its peak resident memory (``ru_maxrss``). Whether every check was done
  within its minute is read afterwards from the check results the passes recorded: every
  monitor is due at its first due time plus whole intervals; each due time of the period
  must have a check started before the next one, and the lateness of each check's start
  (and end) is reported.
- The **rates**: Laksana's :func:`run_pass` with ``all_=True`` (every monitor at once: the
  claim, the checks, the recording of every outcome, the release) against the bare loop
  (the same URLs, the same concurrency, one ``httpx.AsyncClient``, nothing written), in
  turns; the figure is checks per second of each (the median round) and their ratio
  (target: Laksana at least half of the bare loop).

The monitors are written straight into the scratch database (the bench's own records, as the
scale part's generator does), all of one application of a demo agency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]


# --- the test server (its own process) --------------------------------------------------------

_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
    b"Connection: keep-alive\r\n\r\nok"
)


class _Http(asyncio.Protocol):
    """Answers every request of a keep-alive connection with ``200 ok`` (requests without a
    body: GET and HEAD)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self.transport.write(_ANSWER[:-2] if head.startswith(b"HEAD ") else _ANSWER)


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Http, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


class TestServer:
    """The test server's process; ``url(n)`` is the n-th monitor's address."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "laksana.benchmarks.monitor", "serve"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/m/{n}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# --- the worker (its own process) -------------------------------------------------------------


def _worker(seconds: float, window: float, database: str, out: Path) -> None:
    """Scheduler passes, one after the other, each starting W seconds after the last one
    began (at once when it took longer), for ``seconds``; writes CPU time and peak memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laksana.config.settings")
    import django

    django.setup()
    from django.conf import settings

    if database:
        from django.db import connections

        settings.DATABASES["default"]["NAME"] = database
        connections["default"].settings_dict["NAME"] = database
    from laksana.monitoring import scheduler

    cpu0 = _cpu()
    wall0 = time.perf_counter()
    end = time.monotonic() + seconds
    passes = checks = 0
    slowest = 0.0
    each: list[tuple[int, float]] = []
    while time.monotonic() < end:
        began = time.monotonic()
        ran = len(scheduler.run_pass(window=window))
        checks += ran
        passes += 1
        took = time.monotonic() - began
        each.append((ran, round(took, 2)))
        slowest = max(slowest, took)
        pause = began + window - time.monotonic()
        if pause > 0 and time.monotonic() + pause < end:
            time.sleep(pause)
    wall = time.perf_counter() - wall0
    cpu = _cpu() - cpu0
    out.write_text(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "passes": passes,
                "checks": checks,
                "slowest_pass_s": slowest,
                "pass_checks_seconds": each,
            }
        )
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the bare loop ------------------------------------------------------------------------------


async def _bare(urls: list[str], concurrency: int) -> int:
    """GET every URL once, at most ``concurrency`` at once, one client; the number answered."""
    import httpx

    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    answered = 0

    async def one(client: httpx.AsyncClient, url: str) -> None:
        nonlocal answered
        async with gate:
            try:
                response = await client.get(url, timeout=10)
                await response.aread()
                answered += response.status_code == 200
            except httpx.HTTPError:
                pass

    async with httpx.AsyncClient(limits=limits) as client:
        await asyncio.gather(*(one(client, url) for url in urls))
    return answered


# --- the part -----------------------------------------------------------------------------------


def _monitors(server: TestServer, count: int, interval: int) -> list[int]:
    """``count`` HTTP monitors of one demo application (not scheduled yet)."""
    from django.db import transaction
    from django.utils import timezone

    from laksana.demo.orgs import build_bali
    from laksana.monitoring.models import Monitor

    now = timezone.now()
    with transaction.atomic():
        bali = build_bali()
        application = bali.applications["sikesda"]
        made = Monitor.objects.bulk_create(
            Monitor(
                agency_id=application.agency_id,
                application=application,
                name=f"Bench {n}",
                target=server.url(n),
                interval_seconds=interval,
                timeout_seconds=min(10, interval - 1),
                created_at=now,
                updated_at=now,
            )
            for n in range(count)
        )
    return [m.pk for m in made]


def _schedule(ids: list[int], interval: int, start: dt.datetime) -> None:
    """First due times spread over ``interval`` seconds from ``start``."""
    from laksana.monitoring.models import Monitor
    from laksana.monitoring.scheduler import first_due

    due = [Monitor(pk=pk, next_due_at=first_due(pk, interval, start)) for pk in ids]
    Monitor.objects.bulk_update(due, ["next_due_at"], batch_size=500)


def _punctuality(
    ids: list[int], interval: int, start: dt.datetime, until: dt.datetime
) -> dict[str, Any]:
    """From the recorded check results: the due times in [start, until) of every monitor,
    how many had a check started before the next one, and the checks' lateness."""
    from laksana.benchmarks.common import percentile
    from laksana.monitoring.models import CheckResult
    from laksana.monitoring.scheduler import first_due

    step = dt.timedelta(seconds=interval)
    early = dt.timedelta(seconds=0.5)
    results: dict[int, list[tuple[dt.datetime, int]]] = {}
    for monitor_id, at, latency in CheckResult.objects.filter(monitor_id__in=ids).values_list(
        "monitor_id", "at", "latency_ms"
    ):
        results.setdefault(monitor_id, []).append((at, latency or 0))
    due_count = done = 0
    lateness: list[float] = []
    finish: list[float] = []
    for monitor_id in ids:
        first = first_due(monitor_id, interval, start)
        found = sorted(results.get(monitor_id, []))
        due = first
        while due < until:
            due_count += 1
            # A check counts for the due time it started at or after (a little before
            # too: the clocks of two processes), and before the next one.
            hit = next((r for r in found if due - early <= r[0] < due + step - early), None)
            if hit is not None:
                done += 1
                late = max(0.0, (hit[0] - due).total_seconds())
                lateness.append(late)
                finish.append(late + hit[1] / 1000)
            due += step
    return {
        "due": due_count,
        "done": done,
        "max_late_s": max(lateness, default=0.0),
        "p99_late_s": percentile(lateness, 0.99) if lateness else 0.0,
        "max_finish_late_s": max(finish, default=0.0),
    }


def measure(
    *,
    count: int,
    seconds: float,
    interval: int = 60,
    window: float = 10.0,
    rounds: int = 3,
    log: Log,
    database: str = "",
) -> list[Figure]:
    """The monitoring part's figures (see the module's description). ``database`` names the
    database the worker process opens, when not the one of its settings (tests)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from laksana.monitoring import scheduler

    concurrency = settings.LAKSANA_MONITOR_CONCURRENCY
    if seconds < 2 * interval:
        raise ValueError("the measured period must be at least two intervals")
    server = TestServer()
    try:
        ids = _monitors(server, count, interval)
        # The worker process starts in about a second: the first checks are due after that.
        start = timezone.now() + dt.timedelta(seconds=2)
        _schedule(ids, interval, start)
        log(
            f"monitor: {count} monitors every {interval} s against a local server "
            f"(port {server.port}); a worker runs passes of {window:g} s for {seconds:g} s"
        )
        out = Path(os.environ.get("TMPDIR", "/tmp")) / f"laksana-monitor-worker-{os.getpid()}.json"
        worker = subprocess.run(
            [
                sys.executable,
                "-m",
                "laksana.benchmarks.monitor",
                "worker",
                "--seconds",
                str(seconds),
                "--window",
                str(window),
                "--database",
                database,
                "--out",
                str(out),
            ],
            check=False,
        )
        if worker.returncode != 0:
            raise RuntimeError("the monitoring worker failed (see above)")
        used = json.loads(out.read_text())
        out.unlink()
        # The due times whose whole interval was inside the worker's period.
        until = start + dt.timedelta(seconds=seconds - interval)
        on_time = _punctuality(ids, interval, start, until)
        cpu_share = used["cpu_s"] / used["wall_s"] * 100
        memory_mb = used["max_rss_kb"] / 1024
        log(
            f"monitor: {on_time['done']} of {on_time['due']} due checks done within their "
            f"interval, latest start {on_time['max_late_s']:.2f} s after its due time; worker "
            f"CPU {cpu_share:.1f} %, peak memory {memory_mb:.0f} MB"
        )
        ours: list[float] = []
        bare: list[float] = []
        urls = [server.url(n) for n in range(count)]
        scheduler.run_pass(all_=True, window=0.0)  # warm: the client, the queries
        asyncio.run(_bare(urls, concurrency))
        checked = answered = 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            checked = len(scheduler.run_pass(all_=True, window=0.0))
            t1 = time.perf_counter()
            answered = asyncio.run(_bare(urls, concurrency))
            t2 = time.perf_counter()
            ours.append(checked / (t1 - t0))
            bare.append(answered / (t2 - t1))
    finally:
        server.stop()
    laksana_rate = statistics.median(ours)
    bare_rate = statistics.median(bare)
    ratio = laksana_rate / bare_rate
    log(
        f"monitor: all at once, Laksana {laksana_rate:,.0f} checks/s (recorded), bare "
        f"asyncio+httpx {bare_rate:,.0f} checks/s: {ratio:.2f}x"
    )
    backend = connection.vendor
    common = {"monitors": count, "interval_s": interval, "concurrency": concurrency}
    return [
        Figure(
            "monitor",
            f"checks done within their interval ({count} monitors every {interval} s, one worker)",
            on_time["done"] / on_time["due"] * 100 if on_time["due"] else 0.0,
            "%",
            backend=backend,
            target=100.0,
            extra={
                **common,
                **{k: round(v, 3) if isinstance(v, float) else v for k, v in on_time.items()},
                "period_s": seconds,
                "window_s": window,
                "passes": used["passes"],
                "checks_run": used["checks"],
                "slowest_pass_s": round(used["slowest_pass_s"], 2),
                "pass_checks_seconds": used["pass_checks_seconds"],
            },
        ),
        Figure(
            "monitor",
            "latest start of a check after its due time",
            on_time["max_late_s"],
            "s",
            backend=backend,
            target=float(interval),
            higher_is_better=False,
            extra={"p99_s": round(on_time["p99_late_s"], 3)},
        ),
        Figure(
            "monitor",
            "worker's CPU share (CPU time / wall time, one core = 100 %)",
            cpu_share,
            "%",
            backend=backend,
            extra={"cpu_s": round(used["cpu_s"], 2), "wall_s": round(used["wall_s"], 2)},
        ),
        Figure("monitor", "worker's peak memory (ru_maxrss)", memory_mb, "MB", backend=backend),
        Figure(
            "monitor",
            "Laksana, all checks at once (run_pass, recorded)",
            laksana_rate,
            "checks/s",
            backend=backend,
            extra={**common, "rounds": [round(r, 1) for r in ours], "checks": checked},
        ),
        Figure(
            "monitor",
            "bare asyncio + httpx loop, same URLs and concurrency",
            bare_rate,
            "checks/s",
            backend=backend,
            extra={**common, "rounds": [round(r, 1) for r in bare], "answered": answered},
        ),
        Figure(
            "monitor",
            "ratio: Laksana / bare loop (check rate)",
            ratio,
            "x",
            backend=backend,
            target=0.5,
            extra={
                "laksana_checks_s": round(laksana_rate, 1),
                "bare_checks_s": round(bare_rate, 1),
            },
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m laksana.benchmarks.monitor")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("serve")
    worker = actions.add_parser("worker")
    worker.add_argument("--seconds", type=float, required=True)
    worker.add_argument("--window", type=float, required=True)
    worker.add_argument("--database", default="")
    worker.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.action == "serve":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve())
    else:
        _worker(args.seconds, args.window, args.database, args.out)


if __name__ == "__main__":
    main()
