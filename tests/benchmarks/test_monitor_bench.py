"""The monitor part of `laksana bench` at a small size: a worker process runs the scheduler's
passes against the test server's process; the figures have their shape and the ratio is
computed from both measured rates (nothing timed is asserted)."""

from __future__ import annotations

import pytest
from django.db import connection

from laksana.benchmarks import monitor
from laksana.benchmarks.run import PARTS, Sizes


@pytest.mark.django_db(transaction=True)
def test_the_monitor_part_reports_punctuality_cpu_memory_and_the_ratio() -> None:
    lines: list[str] = []
    figures = monitor.measure(
        count=30,
        seconds=8.0,
        interval=3,
        window=1.5,
        rounds=1,
        log=lines.append,
        database=str(connection.settings_dict["NAME"]),
    )
    assert "monitor" in PARTS
    assert Sizes(False, None).monitor_count == 2000 and Sizes(False, None).monitor_interval == 60
    by_name = {f.name.split(" (")[0]: f for f in figures}
    assert [f.part for f in figures] == ["monitor"] * 7
    on_time = by_name["checks done within their interval"]
    assert on_time.unit == "%" and on_time.target == 100.0
    # 30 monitors every 3 s, due times in the first 5 s of the period: one or two each.
    assert 30 <= on_time.extra["due"] <= 60 and 0 <= on_time.extra["done"] <= on_time.extra["due"]
    assert on_time.value == pytest.approx(on_time.extra["done"] / on_time.extra["due"] * 100)
    assert on_time.extra["passes"] >= 1 and on_time.extra["checks_run"] >= on_time.extra["done"]
    cpu = by_name["worker's CPU share"]
    assert cpu.unit == "%" and cpu.value > 0 and cpu.extra["wall_s"] > 0
    assert by_name["worker's peak memory"].value > 10  # MB: a Django process
    ours = by_name["Laksana, all checks at once"]
    bare = by_name["bare asyncio + httpx loop, same URLs and concurrency"]
    ratio = by_name["ratio: Laksana / bare loop"]
    assert ours.extra["checks"] == 30 and bare.extra["answered"] == 30
    assert ours.value > 0 and bare.value > 0
    assert ratio.value == pytest.approx(ours.value / bare.value) and ratio.target == 0.5
    assert any(line.startswith("monitor: all at once, Laksana") for line in lines)
