"""`laksana bench` end to end on small sizes: scratch databases, child processes with
production settings, gunicorn and its clients, the figures table and the JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from laksana.benchmarks.common import Figure, percentile
from laksana.benchmarks.run import table


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_command_measures_on_scratch_databases(backend, tmp_path, settings):
    if backend == "postgresql" and not os.environ.get("LAKSANA_DATABASE_URL"):
        pytest.skip("PostgreSQL is measured when LAKSANA_DATABASE_URL is set")
    out = tmp_path / "figures.json"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "LAKSANA_DATA_DIR": str(tmp_path / "untouched"), "TMPDIR": str(scratch)}
    done = subprocess.run(
        [sys.executable, "-m", "laksana.cli", "bench", "--backend", backend,
         "--parts", "engine,service,peer,http", "--cases", "3", "--json", str(out)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    by_part: dict[str, list[dict]] = {}
    for figure in report["figures"]:
        by_part.setdefault(figure["part"], []).append(figure)
    assert set(by_part) == {"engine", "service", "peer", "http", "memory"}
    assert all(f["value"] > 0 for f in report["figures"])
    # Service level once with one process, once with several; all 3 x 15 steps each time.
    workers = sorted(f["extra"]["workers"] for f in by_part["service"])
    assert workers[0] == 1 and workers[1] > 1
    assert all(f["extra"]["steps"] == 45 and f["backend"] == backend for f in by_part["service"])
    # The same path on the peer, and the ratio printed beside it.
    assert any(f["unit"] == "x" for f in by_part["peer"])
    http = next(f for f in by_part["http"] if f["unit"] == "steps/s")
    assert http["extra"]["requests"] == 45 and http["extra"]["clients"] == 16
    # One sync worker per core by default, each measured after the run.
    assert http["extra"]["workers"] == (os.cpu_count() or 2) == report["sizes"]["http_workers"]
    assert len(by_part["memory"][0]["extra"]["workers_mb"]) == http["extra"]["workers"]
    assert by_part["memory"][0]["unit"] == "MB"
    # The configured database was never touched: the run used scratch databases (copies of
    # one migrated database), all dropped afterwards.
    assert not (tmp_path / "untouched" / "laksana.sqlite3").exists()
    assert "migrated the scratch" in done.stdout
    assert sorted(p.name for p in scratch.iterdir()) == []  # no scratch folder left behind
    if backend == "postgresql":
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        url = urlsplit(os.environ["LAKSANA_DATABASE_URL"])
        name = url.path.lstrip("/") or "laksana"
        with psycopg.connect(urlunsplit(url._replace(path="/postgres"))) as conn:
            left = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_bench%"]
            ).fetchall()
        assert left == []
    assert "API step completions" in done.stdout and "met" in done.stdout


def test_the_engine_alone_needs_no_database(tmp_path, capsys):
    from laksana.benchmarks.run import main

    out = tmp_path / "figures.json"
    assert main(["--parts", "engine", "--quick", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert [f["part"] for f in report["figures"]] == ["engine"]
    assert report["figures"][0]["value"] > 0
    printed = capsys.readouterr().out
    assert "migrated" not in printed
    # The machine's own speed goes with the figures: runs of other machines compare by it.
    measured = report["machine"]["reference"]
    assert 0 < measured["python_sum_range_1000_us"] < 10_000
    assert 0 < measured["fdatasync_p50_us"] <= measured["fdatasync_p90_us"]
    assert f"sum(range(1000)) {measured['python_sum_range_1000_us']:.1f} µs" in printed


@pytest.mark.parametrize("given", ["0", "-2"])
def test_a_number_of_http_workers_below_one_is_refused_before_anything_runs(
    given, tmp_path, capsys
):
    from laksana.benchmarks.run import main

    out = tmp_path / "figures.json"
    with pytest.raises(SystemExit) as exit_:
        main(["--parts", "http", "--http-workers", given, "--json", str(out)])
    assert exit_.value.code == 2
    assert f"--http-workers: {given} is not a number of workers (1 or more)" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_the_table_marks_targets_met_and_missed():
    figures = [
        Figure("service", "fast", 3000, "steps/s", "sqlite", target=2400),
        Figure("http", "p99", 120, "ms", "sqlite", target=100, higher_is_better=False),
        Figure("engine", "free", 5.5, "x"),
    ]
    text = table(figures)
    lines = text.splitlines()
    assert lines[2].rstrip().endswith("yes") and lines[3].rstrip().endswith("NO")
    assert "≥ 2400" in lines[2] and "≤ 100" in lines[3]
    assert lines[4].rstrip().endswith("5.5 x")


def test_percentiles_are_the_inclusive_ones():
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 0.5) == pytest.approx(50.5)
    assert percentile(samples, 0.95) == pytest.approx(95.05)
    assert percentile([7.0], 0.99) == 7.0
