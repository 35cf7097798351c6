"""`laksana bench`: every benchmark in one run, on SQLite and (when configured) PostgreSQL.

The command never touches the configured database. For each backend it migrates one scratch
database (SQLite: a file in a temporary folder; PostgreSQL: ``<name>_bench_template`` on the
configured server), gives each group of parts a copy of it (``<name>_bench0``, ``_bench1``),
drops them all afterwards, and runs the parts in child processes with production settings
(debug off, a random secret key), so every figure is what a deployment would see:

* ``engine``: SOP 004's main path in memory (once, no database);
* ``service``: step completions through the case services, one process, then several;
* ``peer``: the same path on SpiffWorkflow, same database, same run (and the ratio);
* ``http``: gunicorn and 16 concurrent API clients; then the workers' peak memory;
* ``scale``: the bulk generator and the screens over its cases (a second scratch database);
* ``maintenance``: a year's management report of one plan beside the bare ORM aggregates;
* ``survey``: the satisfaction index of a survey of 1,000,000 answers beside the bare COUNT and
  SUM through the DB-API cursor;
* ``staff``: importing a SIMPEG file of 2,000 people into an empty agency, and again, beside
  the csv module and bulk ORM writes reaching the same end state;
* ``intake``: public filings confirmed into cases beside the bare inserts of the request and
  the case (the intake's own overhead);
* ``monitor``: 2,000 monitors due every minute run by one worker process, and the check
  rate of the scheduler beside a bare asyncio + httpx loop (a scratch database of its own).

Figures are printed as a table and written as JSON (``--json``). ``--quick`` keeps the run
under a minute on the reference machine; the full run generates 1,000,000 cases per backend
and takes much longer (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from laksana.benchmarks.common import Figure, percentile

PARTS = (
    "engine",
    "service",
    "peer",
    "http",
    "scale",
    "documents",
    "quality",
    "maintenance",
    "survey",
    "staff",
    "intake",
    "monitor",
)


class Sizes:
    """How much each part does, quick or full."""

    def __init__(
        self,
        quick: bool,
        scale_cases: int | None,
        cases: int | None = None,
        http_workers: int | None = None,
    ) -> None:
        self.quick = quick
        # Quick: every part on small sizes, the whole run within a minute with both databases
        # on the reference machine (the figures are then only indicative).
        self.engine_seconds = 0.5 if quick else 5.0
        self.service_cases = cases or (10 if quick else 200)
        self.peer_cases = cases or (10 if quick else 100)
        self.http_cases = cases or (16 if quick else 200)
        # gunicorn's sync workers: one per core. A request is CPU work (the database is local
        # or answers in well under a millisecond), so more workers only take turns on the
        # same cores; on the 2-core reference machine 3 workers gave less throughput and a
        # longer tail than 2 (docs/performance.md, "The figures").
        self.http_workers = http_workers or os.cpu_count() or 2
        # A million cases on PostgreSQL; on SQLite a tenth (a million would be a 20 GB file).
        self.scale_cases = scale_cases or (500 if quick else 1_000_000)
        self.scale_cases_sqlite = scale_cases or (500 if quick else 100_000)
        self.scale_rounds = 3 if quick else 50
        # Monitoring: monitors against a local server, each due every interval, one worker
        # for the period (at least two intervals), then the all-at-once rates in turns.
        self.monitor_count = 200 if quick else 2000
        self.monitor_interval = 10 if quick else 60
        self.monitor_seconds = 20.0 if quick else 180.0
        self.monitor_window = 5.0 if quick else 10.0
        self.monitor_rounds = 1 if quick else 3

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _production_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LAKSANA_") or k == "LAKSANA_BENCH"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "laksana.config.settings",
            "LAKSANA_MODE": "production",
            "LAKSANA_DEBUG": "off",
            "LAKSANA_SECRET_KEY": secrets.token_urlsafe(48),
            "LAKSANA_JOURNAL_KEY": secrets.token_urlsafe(48),
            "LAKSANA_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LAKSANA_SITE_URL": "http://127.0.0.1",
            "LAKSANA_TLS": "off",
            "LAKSANA_DATA_DIR": str(data_dir),
            # No mail server on a benchmark machine: messages are built, then dropped.
            "LAKSANA_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
    )
    if database_url:
        env["LAKSANA_DATABASE_URL"] = database_url
    return env


def _scratch_url(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "laksana"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def _pg_admin(url: str, statements: list[str]) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def _pg_recreate(url: str, template: str | None = None) -> None:
    """Drop and create the database of ``url`` (as a copy of ``template``'s database)."""
    name = urlsplit(url).path.lstrip("/")
    copy = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"' if template else ""
    _pg_admin(
        url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{copy}']
    )


# The SQLite database's file in LAKSANA_DATA_DIR (laksana.config.settings).
SQLITE_FILE = "laksana.sqlite3"


def _migrated_templates(
    backends: list[tuple[str, str | None]], log: Callable[[str], None]
) -> dict[str, str]:
    """A migrated, empty database per backend, the migrations of all of them run at once:
    {backend: the SQLite file's path, or the PostgreSQL database's URL}."""
    started = time.perf_counter()
    found: dict[str, str] = {}
    running: list[tuple[str, subprocess.Popen[bytes]]] = []
    scratch_folders: list[Path] = []
    for name, url in backends:
        workdir = Path(tempfile.mkdtemp(prefix=f"laksana-bench-{name}-template-"))
        scratch = _scratch_url(url, "bench_template") if url else None
        if scratch:
            _pg_recreate(scratch)
            found[name] = scratch
            scratch_folders.append(workdir)
        else:
            found[name] = str(workdir / "data" / SQLITE_FILE)
        env = _production_env(workdir / "data", scratch)
        command = [sys.executable, "-m", "django", "migrate", "--verbosity", "0"]
        running.append(
            (
                name,
                subprocess.Popen(
                    command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                ),
            )
        )
    failed = []
    for name, process in running:
        output, _ = process.communicate()
        if process.returncode != 0:
            failed.append(f"{name}:\n{output.decode('utf-8', 'replace')[-3000:]}")
    for folder in scratch_folders:  # a database server's migration leaves nothing in them
        shutil.rmtree(folder, ignore_errors=True)
    if failed:
        _drop_templates(found)
        raise SystemExit("migrating the scratch databases failed:\n" + "\n".join(failed))
    if backends:
        names = " and ".join(name for name, _url in backends)
        log(f"migrated the scratch {names} databases in {time.perf_counter() - started:.1f} s")
    return found


def _drop_templates(templates: dict[str, str]) -> None:
    """Remove the migrated databases of :func:`_migrated_templates` (the SQLite file's whole
    temporary folder)."""
    for name, template in templates.items():
        if name == "postgresql":
            _pg_drop(template)
        else:
            shutil.rmtree(Path(template).parent.parent, ignore_errors=True)


def _pg_drop(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _pg_admin(url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def _child(
    parts: list[str], sizes: Sizes, env: dict[str, str], workdir: Path, log: Callable[[str], None]
) -> list[Figure]:
    """Run parts in a child process with the scratch database's settings."""
    out = workdir / f"figures-{'-'.join(parts)}.json"
    command = [
        sys.executable,
        "-m",
        "laksana.benchmarks.child",
        "--parts",
        ",".join(parts),
        "--sizes",
        json.dumps(sizes.as_dict()),
        "--workdir",
        str(workdir),
        "--out",
        str(out),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    for line in process.stdout:
        log(line.decode("utf-8", "replace").rstrip())
    if process.wait() != 0:
        raise SystemExit(f"the benchmark part(s) {', '.join(parts)} failed (see above)")
    found = json.loads(out.read_text())
    return [Figure(**{k: v for k, v in d.items() if k != "met"}) for d in found]


def _backends(only: str | None) -> list[tuple[str, str | None]]:
    url = os.environ.get("LAKSANA_DATABASE_URL", "").strip() or None
    found: list[tuple[str, str | None]] = [("sqlite", None)]
    if url:
        found.append(("postgresql", url))
    if only:
        found = [b for b in found if b[0] == only]
        if not found:
            raise SystemExit(
                f"--backend {only}: not available (PostgreSQL needs LAKSANA_DATABASE_URL)"
            )
    return found


def run(
    *,
    quick: bool,
    parts: list[str],
    backend: str | None,
    json_path: Path,
    scale_cases: int | None,
    keep: bool,
    log: Callable[[str], None],
    cases: int | None = None,
    http_workers: int | None = None,
) -> list[Figure]:
    sizes = Sizes(quick, scale_cases, cases, http_workers)
    started = time.perf_counter()
    measured = reference()
    log(
        f"machine: sum(range(1000)) {measured['python_sum_range_1000_us']:.1f} µs, "
        f"fdatasync p50 {measured['fdatasync_p50_us']:.0f} µs "
        f"(p90 {measured['fdatasync_p90_us']:.0f}): compare runs of other machines by these"
    )
    figures: list[Figure] = []
    if "engine" in parts:
        from laksana.benchmarks.peer import sop_004
        from laksana.benchmarks.service import engine_rate

        log("engine: SOP 004's main path in memory")
        figures.append(engine_rate(sop_004(), sizes.engine_seconds))
    backends = _backends(backend)
    plans: list[tuple[str, str | None, list[list[str]]]] = []
    for name, url in backends:
        groups: list[list[str]] = [
            [
                p
                for p in (
                    "service",
                    "peer",
                    "http",
                    "documents",
                    "quality",
                    "maintenance",
                    "survey",
                    "staff",
                    "intake",
                )
                if p in parts
            ]
        ]
        if "scale" in parts:
            groups.append(["scale"])
        if "monitor" in parts:  # its own database: its worker process commits there
            groups.append(["monitor"])
        plans.append((name, url, [g for g in groups if g]))
    # Each scratch database starts as a copy of one migrated database per backend: the
    # migrations (several seconds each) run once per backend, and those of the two backends
    # at the same time (nothing is measured while they run).
    templates = _migrated_templates([(n, u) for n, u, g in plans if g], log)
    try:
        for name, url, groups in plans:
            if not groups:  # only the engine was asked for
                continue
            template = templates[name]
            for index, group in enumerate(groups):
                workdir = Path(tempfile.mkdtemp(prefix=f"laksana-bench-{name}-"))
                scratch = _scratch_url(url, f"bench{index}") if url else None
                where = (
                    f"database {urlsplit(scratch).path[1:]}" if scratch else f"SQLite in {workdir}"
                )
                log(f"{name}: {', '.join(group)} ({where})")
                try:
                    if scratch:
                        _pg_recreate(scratch, template=template)
                    else:
                        (workdir / "data").mkdir()
                        for suffix in ("", "-wal"):  # the log too, if not checkpointed
                            if Path(template + suffix).exists():
                                shutil.copyfile(
                                    template + suffix, workdir / "data" / (SQLITE_FILE + suffix)
                                )
                    env = _production_env(workdir / "data", scratch)
                    figures.extend(_child(group, sizes, env, workdir, log))
                finally:
                    if not keep:
                        if scratch:
                            _pg_drop(scratch)
                        shutil.rmtree(workdir, ignore_errors=True)
    finally:
        _drop_templates(templates)
    _ratio(figures)
    report = {
        "laksana": _version(),
        "quick": quick,
        "sizes": sizes.as_dict(),
        "machine": _machine(measured),
        "seconds": round(time.perf_counter() - started, 1),
        "figures": [f.as_dict() for f in figures],
    }
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return figures


def _ratio(figures: list[Figure]) -> None:
    """Laksana's service level against the peer, per backend, in the same run."""
    for backend in {f.backend for f in figures if f.part == "peer"}:
        peer = next(f for f in figures if f.part == "peer" and f.backend == backend)
        ours = [f for f in figures if f.part == "service" and f.backend == backend]
        if not ours:
            continue
        single = next((f for f in ours if f.extra.get("workers") == 1), ours[0])
        figures.append(
            Figure(
                "peer",
                "ratio: Laksana service level / SpiffWorkflow (one process each)",
                single.value / peer.value,
                "x",
                backend=backend,
                target=5.0,
            )
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("laksana")
    except PackageNotFoundError:
        return "unknown"


def reference() -> dict[str, float]:
    """How fast this machine is at what the figures depend on, measured now: pure Python (the
    best of 7 timings of ``sum(range(1000))``, the figure docs/performance.md compares machines
    by) and the disk's flush (p50 and p90 of 200 ``fdatasync`` calls after a 4 KiB write, in the
    temporary folder that holds the SQLite scratch databases). Machines of one kind differ by
    several times in both, so figures of two runs compare only with their references."""
    import timeit

    loops = 2000
    python_us = min(timeit.repeat("sum(range(1000))", number=loops, repeat=7)) / loops * 1e6
    flushes: list[float] = []
    with tempfile.TemporaryDirectory(prefix="laksana-bench-disk-") as folder:
        fd = os.open(Path(folder) / "probe", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            block = b"\0" * 4096
            for _ in range(200):
                os.pwrite(fd, block, 0)
                t0 = time.perf_counter()
                os.fdatasync(fd)
                flushes.append((time.perf_counter() - t0) * 1e6)
        finally:
            os.close(fd)
    return {
        "python_sum_range_1000_us": round(python_us, 2),
        "fdatasync_p50_us": round(percentile(flushes, 0.5), 1),
        "fdatasync_p90_us": round(percentile(flushes, 0.9), 1),
    }


def _machine(measured: dict[str, float]) -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average": os.getloadavg(),
        "reference": measured,
    }


def table(figures: list[Figure]) -> str:
    """The figures as a plain table."""
    rows = [("part", "backend", "figure", "value", "target", "met")]
    for f in figures:
        target = ""
        if f.target is not None:
            target = f"{'≥' if f.higher_is_better else '≤'} {f.target:g}"
        met = {True: "yes", False: "NO", None: ""}[f.met]
        value = f"{f.value:,.1f} {f.unit}" if f.value < 100 else f"{f.value:,.0f} {f.unit}"
        rows.append((f.part, f.backend or "-", f.name, value, target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="laksana bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: under a minute")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help="only this one")
    parser.add_argument(
        "--cases", type=int, help="SOP 004 cases for the service, peer and HTTP parts"
    )
    parser.add_argument("--scale-cases", type=int, help="cases to generate for the scale part")
    parser.add_argument(
        "--http-workers",
        type=int,
        help="gunicorn sync workers for the HTTP part (default: one per core)",
    )
    parser.add_argument(
        "--json", type=Path, default=Path("bench-results.json"), help="where to write the JSON"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"--parts: unknown {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    if args.http_workers is not None and args.http_workers < 1:
        parser.error(f"--http-workers: {args.http_workers} is not a number of workers (1 or more)")
    figures = run(
        quick=args.quick,
        parts=parts,
        backend=args.backend,
        json_path=args.json,
        scale_cases=args.scale_cases,
        cases=args.cases,
        http_workers=args.http_workers,
        keep=args.keep,
        log=lambda line: print(line, flush=True),
    )
    print()
    print(table(figures))
    print(f"\nwritten: {args.json}")
    return 0
