"""Working-time speed: due times per second under the default national calendar.

Run: .venv/bin/python bench/worktime_speed.py
Prints the rate of ``Calendar.due`` for a mix of starts (any minute of 2025–2027, inside and
outside working time, in the three zones) and standards (minutes, hours, ranges, days, weeks),
then per standard. Target (issue 4): at least 100,000 due times per second.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from laksana.engine.timetext import TimeStandard, parse_time
from laksana.engine.worktime import Calendar, national_calendar

TEXTS = ["15 menit", "1 jam", "±1-2 Jam", "4 jam", "30 jam", "1 Hari kerja", "±3 Hari", "2 minggu",
         "±60 Hari (sesuai lingkup aplikasi)"]  # fmt: skip
ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
N = 200_000


def _starts(count: int, rng: random.Random) -> list[datetime]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 24 * 60
    return [base + timedelta(minutes=rng.randrange(span), seconds=rng.randrange(60))
            for _ in range(count)]  # fmt: skip


def _rate(calendar: Calendar, pairs: list[tuple[datetime, TimeStandard]]) -> float:
    due = calendar.due
    t0 = time.perf_counter()
    for start, standard in pairs:
        due(start, standard)
    return len(pairs) / (time.perf_counter() - t0)


def main() -> None:
    rng = random.Random(4)
    standards = [parse_time(text) for text in TEXTS]
    starts = _starts(N, rng)
    pairs = [(start, rng.choice(standards)) for start in starts]
    print(f"{'calendar / standard':40} {'due times per second':>22}")
    for zone in ZONES:
        calendar = national_calendar(zone)
        _rate(calendar, pairs[:20_000])  # warm up: the year tables are built once
        best = max(_rate(calendar, pairs) for _ in range(3))
        print(f"{zone + ', mix of ' + str(len(TEXTS)) + ' standards':40} {best:>22,.0f}")
    calendar = national_calendar()
    for standard in standards:
        same = [(start, standard) for start in starts[:50_000]]
        best = max(_rate(calendar, same) for _ in range(3))
        print(f"{'  ' + standard.text:40} {best:>22,.0f}")


if __name__ == "__main__":
    main()
