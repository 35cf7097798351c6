"""Importing a scenario set from XLSX, beside openpyxl reading the same file and a bare bulk
insert of the same rows, in the same run.

Laksana's path is :func:`laksana.quality.spreadsheet.import_xlsx` as a new set of an
application: the file's checks (size, zip, the parts it may hold), openpyxl reading it
(read-only), the header row found, every row cleaned and checked (every problem named by row
and column), then :func:`laksana.quality.scenarios.create_set`: the set, its scenarios and
its first revision, in one transaction. The bare path reads the same workbook with openpyxl
(read-only, the values of the scenario sheet) and writes the same records without any
check: the set, the scenarios with one ``bulk_create``, the revision with the same JSON. The
two run in turns, so both see the same machine; the figure is the median of the rounds'
ratios (target: at most 1.5). The rows (the Bali demo agency, the sets) are rolled back.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]

FIELDS = (
    "number",
    "title",
    "requirement",
    "preconditions",
    "steps",
    "input_data",
    "expected",
    "priority",
)


class _Rollback(Exception):
    pass


def _rows(count: int) -> list[dict[str, str]]:
    """``count`` scenarios as an agency writes them: a few lines of steps each."""
    return [
        {
            "number": f"SK-{n:04d}",
            "title": f"Simpan data pasien rawat jalan {n}",
            "requirement": f"F-{n % 40 + 1:02d} Pendaftaran pasien",
            "preconditions": "Pengguna masuk sebagai petugas pendaftaran puskesmas",
            "steps": "1. Buka menu Pendaftaran\n2. Isi NIK, nama dan tanggal lahir\n"
            "3. Pilih poli tujuan\n4. Tekan Simpan",
            "input_data": f"NIK 5171{n:012d}, nama Uji {n}",
            "expected": "Data tersimpan, nomor antrean tampil dan dapat dicetak",
            "priority": ("tinggi", "sedang", "rendah")[n % 3],
        }
        for n in range(1, count + 1)
    ]


def measure(quick: bool, log: Log) -> list[Figure]:
    """The ratio of importing an XLSX scenario set through Laksana to openpyxl reading it
    and a bare bulk insert of the same records."""
    from django.db import connection, transaction
    from django.utils import timezone
    from openpyxl import load_workbook

    from laksana.demo.orgs import build_bali
    from laksana.quality import scenarios, spreadsheet
    from laksana.quality.models import Scenario, ScenarioSet, ScenarioSetRevision

    count = 100 if quick else 500
    rounds = 5 if quick else 15
    ours: list[float] = []
    bare: list[float] = []
    try:
        with transaction.atomic():
            bali = build_bali()
            person = bali["kadis"]
            application = bali.applications["sikesda"]
            source = scenarios.create_set(
                person, application.pk, name="Sumber", scenarios=_rows(count)
            )
            data = spreadsheet.write_xlsx(source)

            def laksana() -> ScenarioSet:
                return spreadsheet.import_xlsx(
                    person, data, application_id=application.pk, name="Impor"
                )

            def plain() -> None:
                book = load_workbook(io.BytesIO(data), read_only=True)
                sheet = book[spreadsheet.SHEET]
                rows = [
                    {f: "" if v is None else str(v) for f, v in zip(FIELDS, values, strict=False)}
                    for values in sheet.iter_rows(min_row=2, values_only=True)
                    if any(v is not None for v in values)
                ]
                book.close()
                now = timezone.now()
                with transaction.atomic():
                    made = ScenarioSet.objects.create(
                        agency_id=application.agency_id,
                        application=application,
                        name="Impor",
                        revision=1,
                        created_by=person,
                        created_at=now,
                        updated_at=now,
                    )
                    Scenario.objects.bulk_create(
                        Scenario(set=made, position=i, **row) for i, row in enumerate(rows, 1)
                    )
                    ScenarioSetRevision.objects.create(
                        set=made, number=1, scenarios=rows, by=person, at=now
                    )

            made = laksana()  # warm: openpyxl, the queries
            assert made.scenarios.count() == count
            plain()
            for _ in range(rounds):
                t0 = time.perf_counter()
                laksana()
                t1 = time.perf_counter()
                plain()
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                bare.append(t2 - t1)
            raise _Rollback
    except _Rollback:
        pass
    ours_ms = statistics.median(ours) * 1000
    bare_ms = statistics.median(bare) * 1000
    ratio = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
    log(
        f"quality: XLSX import of {count} scenarios {ours_ms:.0f} ms, bare openpyxl and "
        f"bulk insert {bare_ms:.0f} ms: {ratio:.2f}x"
    )
    return [
        Figure(
            "quality",
            f"ratio: XLSX import of {count} scenarios (checks, set, revision) / bare openpyxl "
            "read and bulk insert of the same rows",
            ratio,
            "x",
            backend=connection.vendor,
            target=1.5,
            higher_is_better=False,
            extra={
                "scenarios": count,
                "laksana_p50_ms": round(ours_ms, 1),
                "bare_p50_ms": round(bare_ms, 1),
                "laksana_min_ms": round(min(ours) * 1000, 1),
                "bare_min_ms": round(min(bare) * 1000, 1),
                "ratio_of_medians": round(ours_ms / bare_ms, 3),
                "rounds": rounds,
            },
        )
    ]
