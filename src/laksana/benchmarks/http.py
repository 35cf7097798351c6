"""HTTP: a production server and 16 concurrent clients completing steps over the API.

The server is gunicorn with production settings (debug off) on the benchmark's database, one
sync worker per core unless told otherwise; the clients are threads of one separate process,
each with its own connection (sync workers close it after each answer, so a request opens
one: cheap on loopback, and counted in its time) and the API tokens of the people who act,
driving their own SOP 004 cases along the main path with
``POST /api/cases/{reference}/steps/{id}/complete``. Every request is timed from sending to
the last byte of the answer; throughput is completions per second of wall time.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from laksana.benchmarks.common import Figure, percentile

CLIENTS = 16


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(env: dict[str, str], workers: int, threads: int, log: Path) -> Server:
    """gunicorn on a free port, answering once /api/openapi.json answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "laksana.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--keep-alive",
        "30",
    ]
    out = log.open("wb")
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start; see {log}:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")


@dataclass(frozen=True)
class Job:
    """One client's work: cases (reference, first active step id) and the path to drive."""

    cases: list[tuple[str, int]]


def _client(
    port: int,
    job: Job,
    plan: list[dict[str, Any]],
    values: dict[str, list[Any]],
    tokens: dict[str, str],
    latencies: list[float],
    errors: list[str],
    start: threading.Barrier,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    for reference, step_id in job.cases:
        for action, given in zip(plan, values[reference], strict=True):
            body = json.dumps({"values": given, "outcome": action["outcome"]}).encode()
            headers = {
                "Authorization": f"Bearer {tokens[action['actor']]}",
                "Content-Type": "application/json",
                "Host": "localhost",
            }
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST", f"/api/cases/{reference}/steps/{step_id}/complete", body, headers
                )
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{reference} step {step_id}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                break
            latencies.append(time.perf_counter() - t0)
            if response.status != 200:
                errors.append(f"{reference} step {step_id}: {response.status} {payload[:300]!r}")
                break
            answer = json.loads(payload)
            active = answer.get("active_step_ids") or []
            if answer.get("status") == "finished":
                break
            step_id = active[0]
    conn.close()


def drive(
    port: int,
    jobs: list[Job],
    plan: list[dict[str, Any]],
    values: dict[str, list[Any]],
    tokens: dict[str, str],
) -> dict[str, Any]:
    """Run the clients (threads of this process) and return the timings. ``values``: per case
    reference, the values of each action (naming the attachments uploaded to that case)."""
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(len(jobs) + 1)
    threads = [
        threading.Thread(
            target=_client, args=(port, job, plan, values, tokens, latencies, errors, barrier)
        )
        for job in jobs
    ]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {"latencies": latencies, "errors": errors, "seconds": elapsed}


def client_main(spec_file: str) -> None:
    """Entry point of the client process: read the jobs, drive, print the timings as JSON."""
    spec = json.loads(Path(spec_file).read_text())
    jobs = [Job([(r, s) for r, s in j]) for j in spec["jobs"]]
    result = drive(spec["port"], jobs, spec["plan"], spec["values"], spec["tokens"])
    print(json.dumps(result))


def http_rate(
    cases: int,
    *,
    env: dict[str, str],
    workdir: Path,
    log: Callable[[str], None],
    workers: int = 3,
    threads: int = 1,
) -> list[Figure]:
    """Prepare cases and tokens, start gunicorn, drive 16 clients, measure; then the peak
    memory of each worker."""
    from django.db import connection

    from laksana.accounts.services import issue_token
    from laksana.benchmarks.service import attach_evidence, prepare
    from laksana.cases.models import Case, CaseStep, StepStatus
    from laksana.org.models import Person

    ids, actor_person, plan = prepare(cases)
    evidence = attach_evidence(ids, plan)
    tokens = {
        actor: issue_token(Person.objects.get(pk=pk), f"bench {actor}")[1]
        for actor, pk in actor_person.items()
    }
    starts = {
        row[0]: (row[1], row[2])
        for row in CaseStep.objects.filter(case_id__in=ids, status=StepStatus.ACTIVE).values_list(
            "case_id", "case__reference", "pk"
        )
    }
    jobs = [Job([]) for _ in range(CLIENTS)]
    for i, case_id in enumerate(ids):
        jobs[i % CLIENTS].cases.append(starts[case_id])
    connection.close()  # the server's workers and this process must not share a connection
    server = start_server(env, workers, threads, workdir / "gunicorn.log")
    try:
        spec_file = workdir / "http-clients.json"
        spec_file.write_text(
            json.dumps(
                {
                    "port": server.port,
                    "jobs": [j.cases for j in jobs],
                    "plan": [{"actor": p.actor, "outcome": p.outcome} for p in plan],
                    "values": {starts[case_id][0]: evidence[case_id] for case_id in ids},
                    "tokens": tokens,
                }
            )
        )
        log(f"  gunicorn: {workers} workers x {threads} threads; {CLIENTS} clients, {cases} cases")
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from laksana.benchmarks.http import client_main; client_main({str(spec_file)!r})",
            ],
            env={**os.environ, **env},
            capture_output=True,
            check=True,
        )
        result = json.loads(done.stdout)
        rss = {pid: _peak_rss_mb(pid) for pid in server.worker_pids()}
    finally:
        server.stop()
    if result["errors"]:
        raise RuntimeError("HTTP clients saw errors:\n" + "\n".join(result["errors"][:10]))
    finished = Case.objects.filter(pk__in=ids, status="finished").count()
    if finished != len(ids):
        raise RuntimeError(f"only {finished} of {len(ids)} cases finished over HTTP")
    ms = [x * 1e3 for x in result["latencies"]]
    count = len(ms)
    backend = connection.vendor
    detail = {
        "requests": count,
        "seconds": round(result["seconds"], 3),
        "clients": CLIENTS,
        "workers": workers,
        "threads": threads,
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
    }
    figures = [
        Figure(
            "http",
            "API step completions, 16 concurrent clients",
            count / result["seconds"],
            "steps/s",
            backend=backend,
            target=500,
            extra=detail,
        ),
        Figure(
            "http",
            "API latency p50",
            detail["p50_ms"],
            "ms",
            backend=backend,
            higher_is_better=False,
        ),
        Figure(
            "http",
            "API latency p95",
            detail["p95_ms"],
            "ms",
            backend=backend,
            higher_is_better=False,
        ),
        Figure(
            "http",
            "API latency p99",
            detail["p99_ms"],
            "ms",
            backend=backend,
            target=100,
            higher_is_better=False,
        ),
    ]
    if rss:
        figures.append(
            Figure(
                "memory",
                "peak RSS of a web worker after the HTTP run",
                max(rss.values()),
                "MB",
                backend=backend,
                target=150,
                higher_is_better=False,
                extra={"workers_mb": {str(k): round(v, 1) for k, v in rss.items()}},
            )
        )
    return figures


def _peak_rss_mb(pid: int) -> float:
    """The peak resident set (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
