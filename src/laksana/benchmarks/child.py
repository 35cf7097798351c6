"""One benchmark child process: migrate the scratch database, run the parts, write figures.

Started by :mod:`laksana.benchmarks.run` with the scratch database's settings in its
environment; not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    parts = args.parts.split(",")
    sizes = json.loads(args.sizes)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laksana.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from laksana.benchmarks.common import Figure

    def log(line: str) -> None:
        print(f"  {line.strip()}", flush=True)

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated the scratch {connection.vendor} database in {time.perf_counter() - t0:.1f} s")
    figures: list[Figure] = []
    if "service" in parts:
        from laksana.benchmarks.service import service_rate

        figures.append(service_rate(sizes["service_cases"], log=log, workers=1))
        many = 2 if connection.vendor == "sqlite" else 16
        figures.append(service_rate(sizes["service_cases"], log=log, workers=many))
        for f in figures[-2:]:
            log(f"service, {f.extra['workers']} process(es): {f.value:,.0f} steps/s")
    if "peer" in parts:
        from laksana.benchmarks.peer import peer_rate

        figures.append(peer_rate(sizes["peer_cases"], log=log))
        log(f"peer: {figures[-1].value:,.0f} steps/s")
    if "http" in parts:
        from laksana.benchmarks.http import http_rate

        env = dict(os.environ)
        found = http_rate(
            sizes["http_cases"],
            env=env,
            workdir=args.workdir,
            log=log,
            workers=sizes["http_workers"],
        )
        figures.extend(found)
        log(f"http: {found[0].value:,.0f} steps/s, p99 {found[0].extra['p99_ms']} ms")
    if "scale" in parts:
        from laksana.benchmarks import scale

        count = sizes["scale_cases_sqlite" if connection.vendor == "sqlite" else "scale_cases"]
        stats = scale.generate(count, log=log)
        figures.append(
            Figure(
                "scale",
                "bulk generation",
                stats.get("rows_per_second", 0.0),
                "rows/s",
                backend=connection.vendor,
                extra=stats,
            )
        )
        figures.extend(scale.measure(rounds=sizes["scale_rounds"], log=log))
    if "documents" in parts:
        from laksana.benchmarks import documents

        figures.extend(documents.measure(sizes["quick"], log=log))
    if "quality" in parts:
        from laksana.benchmarks import quality

        figures.extend(quality.measure(sizes["quick"], log=log))
    if "maintenance" in parts:
        from laksana.benchmarks import maintenance

        figures.extend(maintenance.measure(sizes["quick"], log=log))
    if "survey" in parts:
        from laksana.benchmarks import survey

        figures.extend(survey.measure(sizes["quick"], log=log))
    if "staff" in parts:
        from laksana.benchmarks import staff

        figures.extend(staff.measure(sizes["quick"], log=log))
    if "intake" in parts:
        from laksana.benchmarks import intake

        figures.extend(intake.measure(sizes["quick"], log=log))
    if "monitor" in parts:
        from laksana.benchmarks import monitor

        figures.extend(
            monitor.measure(
                count=sizes["monitor_count"],
                seconds=sizes["monitor_seconds"],
                interval=sizes["monitor_interval"],
                window=sizes["monitor_window"],
                rounds=sizes["monitor_rounds"],
                log=log,
            )
        )
    args.out.write_text(json.dumps([f.as_dict() for f in figures]))


if __name__ == "__main__":
    main()
