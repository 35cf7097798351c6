"""Importing a SIMPEG staff list into an empty agency, and importing it again, beside the bare
library doing the same work, in the same run.

The file: a generated SIMPEG CSV (``NIP``, ``Nama``, ``Jabatan``, ``Unit Kerja``, ``NIP
Atasan``, ``Email``, ``Telepon``) of ``people`` people with valid 18-digit NIPs in 40 units of
5 positions each (200 positions): the agency's head, a head per unit below them, two section
heads per unit below the unit's head, and the staff below their section head. The agency is
empty: its top office and its administrator (no NIP).

* The import: Laksana's path is :func:`laksana.org.staffimport.import_staff` (the file read
  and every row checked into a plan, then the units, positions and people written, each write
  recorded in the organisation's history). The bare path reads the same bytes with Python's
  ``csv`` module and writes the same end state with Django's ``bulk_create`` (the units, the
  positions, the people and the positions they hold) and two ``bulk_update`` (the people's
  and the positions' superiors): no check, no history. Target: at most 10 (the first
  measurement, 2,000 people on SQLite on the 2-core reference machine shared with a test run,
  was 7.0: 3.5 s against 0.55 s; the import writes one person, their position and a history
  entry at a time and reads each person's state back for the history, the bare path writes the
  same rows in a handful of statements. The margin is the rounds' noise on a loaded machine; a
  query per row more anywhere misses it).
* The re-import of the same file (nothing changes): :func:`import_staff` again, beside the
  bare path reading the same bytes with ``csv`` and comparing every row to one
  ``values_list`` of the agency's people (name, e-mail, phone, unit, position, superior's
  NIP). Target: at most 40, which the first measurement missed: 152 (2.1 s against 14 ms).
  Checking the file alone (a dry run, timed apart) took about 25 times the bare path, 0.4 s;
  the rest is :mod:`laksana.org.staffapply` saving every unchanged person, setting their
  positions and reading their state again one at a time. The target is what the check
  reaches, with the same margin: met once unchanged rows are left unwritten.

Each round runs Laksana's path, then the bare one, each in a savepoint rolled back after it
(a NIP is unique in the installation, so the two cannot stand side by side); the end states
are compared once before the rounds. The figure is the median of the rounds' ratios. Every
row is rolled back.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]
UNITS = 40
FILE_NAME = "simpeg-bench.csv"
HEADER = ("NIP", "Nama", "Jabatan", "Unit Kerja", "NIP Atasan", "Email", "Telepon")


class _Rollback(Exception):
    pass


@contextmanager
def _undone() -> Iterator[None]:
    """A savepoint rolled back when the block ends."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def nip(n: int) -> str:
    """The ``n``-th person's NIP: birth date, appointment month, sex and a serial number
    (18 digits, distinct for every ``n`` below 100,000)."""
    born = f"19{70 + n % 30:02d}{1 + n % 12:02d}{1 + n % 28:02d}"
    appointed = f"20{n // 1000 % 20 + 5:02d}{1 + n // 100 % 12:02d}"
    return f"{born}{appointed}{1 + n % 2}{n % 1000:03d}"


def rows(people: int) -> list[tuple[str, ...]]:
    """The file's rows (see the module's text): person ``n`` in unit ``n % 40``, its first
    member the unit's head, the next two its section heads, the others their staff."""
    out: list[tuple[str, ...]] = []
    for n in range(people):
        unit, rank = n % UNITS, n // UNITS
        section = 1 + rank % 2
        if rank == 0:
            position, superior = f"Kepala Bidang {unit + 1:02d}", 0
        elif rank <= 2:
            position, superior = f"Kepala Seksi {unit + 1:02d}.{rank}", unit
        else:
            position, superior = f"Staf Seksi {unit + 1:02d}.{section}", unit + UNITS * section
        above = "" if n == 0 else nip(superior if n != superior else 0)
        out.append(
            (
                nip(n),
                f"Pegawai Bench {n:05d}",
                position,
                f"Bidang Bench {unit + 1:02d}",
                above,
                f"pegawai{n}@bench.go.id",
                f"0812 {n // 10000:04d} {n % 10000:04d}",
            )
        )
    return out


def content(people: int) -> bytes:
    """The SIMPEG CSV of :func:`rows`, as an export writes it (UTF-8 with a byte-order mark),
    written by the project's one CSV writer (:mod:`laksana.tabular`)."""
    from laksana.tabular import csv_bytes

    return csv_bytes([HEADER, *rows(people)])


def generate() -> dict[str, Any]:
    """The empty agency: its top office and its administrator."""
    from laksana.org.models import Agency, Person, Unit, UnitKind

    agency = Agency.objects.create(
        name="Badan Bench Kepegawaian", short_name="BBK", slug="bench-staff"
    )
    top = Unit.objects.create(agency=agency, name="Badan Bench Kepegawaian", kind=UnitKind.OFFICE)
    admin = Person.objects.create(agency=agency, name="Admin Bench", unit=top)
    return {"agency": agency, "top": top, "admin": admin}


def _read(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def bare_import(agency: Any, top: Any, data: bytes) -> int:
    """The same end state as the import, by ``csv`` and bulk writes (no check, no history);
    how many people."""
    from laksana.org.models import Person, Position, Unit, UnitKind

    records = _read(data)
    units: dict[str, Unit] = {}
    for r in records:
        name = r["Unit Kerja"]
        if name not in units:
            units[name] = Unit(agency=agency, parent=top, name=name, kind=UnitKind.DIVISION)
    Unit.objects.bulk_create(units.values())
    positions: dict[tuple[str, str], Position] = {}
    first_superior: dict[tuple[str, str], str] = {}
    for r in records:
        where = (r["Unit Kerja"], r["Jabatan"])
        if where not in positions:
            positions[where] = Position(agency=agency, unit=units[where[0]], name=where[1])
            first_superior[where] = r["NIP Atasan"]
    Position.objects.bulk_create(positions.values())
    people = [
        Person(
            agency=agency,
            name=r["Nama"],
            nip=r["NIP"],
            email=r["Email"],
            phone=r["Telepon"],
            unit=units[r["Unit Kerja"]],
        )
        for r in records
    ]
    Person.objects.bulk_create(people)
    by_nip = {p.nip: p for p in people}
    held = {r["NIP"]: positions[(r["Unit Kerja"], r["Jabatan"])] for r in records}
    Through = Person.positions.through
    Through.objects.bulk_create(
        [Through(person_id=by_nip[n].pk, position_id=p.pk) for n, p in held.items()]
    )
    for r, person in zip(records, people, strict=True):
        person.superior = by_nip.get(r["NIP Atasan"])
    Person.objects.bulk_update(people, ["superior"])
    for where, position in positions.items():
        position.superior = held.get(first_superior[where])
    Position.objects.bulk_update(positions.values(), ["superior"])
    return len(people)


def bare_reimport(agency: Any, data: bytes) -> int:
    """The rows of the file that differ from the agency's people (by ``csv`` and one
    ``values_list``): how many (none, for the same file)."""
    from laksana.org.models import Person

    stored = {
        row[0]: row[1:]
        for row in Person.objects.filter(agency=agency).values_list(
            "nip", "name", "email", "phone", "unit__name", "positions__name", "superior__nip"
        )
    }
    changed = 0
    for r in _read(data):
        wanted = (
            r["Nama"],
            r["Email"],
            r["Telepon"],
            r["Unit Kerja"],
            r["Jabatan"],
            r["NIP Atasan"] or None,
        )
        if stored.get(r["NIP"]) != wanted:
            changed += 1
    return changed


def end_state(agency: Any) -> set[tuple[Any, ...]]:
    """The agency's imported people as they stand: what the two paths must both leave."""
    from laksana.org.models import Person, Position

    people = set(
        Person.objects.filter(agency=agency)
        .exclude(nip="")
        .values_list(
            "nip",
            "name",
            "email",
            "phone",
            "unit__name",
            "unit__parent__name",
            "unit__kind",
            "positions__name",
            "positions__superior__name",
            "superior__nip",
        )
    )
    positions = set(
        Position.objects.filter(agency=agency).values_list("name", "unit__name", "superior__name")
    )
    return people | {("position", *p) for p in positions}


def measure(quick: bool, log: Log, *, people: int | None = None) -> list[Figure]:
    """The ratios of the import and the re-import to the bare library's same work."""
    from django.db import connection, transaction

    from laksana.org.staffimport import import_staff

    count = people or (500 if quick else 2000)
    rounds = 3 if quick else 7
    data = content(count)
    first: list[tuple[float, float]] = []
    again: list[tuple[float, float]] = []
    found: dict[str, Any] = {}
    try:
        with transaction.atomic():
            world = generate()
            agency, top, admin = world["agency"], world["top"], world["admin"]
            # Warm, and the two end states compared.
            with _undone():
                plan = import_staff(agency, data, FILE_NAME, admin)
                if not plan.written or len(plan.created) != count:
                    raise AssertionError(f"the import did not write: {plan.problems[:3]}")
                ours_state = end_state(agency)
                found = {
                    "units_created": len(plan.new_units),
                    "positions_created": len(plan.new_positions),
                }
            with _undone():
                bare_import(agency, top, data)
                if end_state(agency) != ours_state:
                    raise AssertionError("the bare import left another end state")
            for _ in range(rounds):
                with _undone():
                    t1 = time.perf_counter()
                    import_staff(agency, data, FILE_NAME, admin)
                    t2 = time.perf_counter()
                with _undone():
                    t3 = time.perf_counter()
                    bare_import(agency, top, data)
                    t4 = time.perf_counter()
                first.append((t2 - t1, t4 - t3))
            # The re-import: the file imported once (kept), then imported again.
            import_staff(agency, data, FILE_NAME, admin)
            plan = import_staff(agency, data, FILE_NAME, admin, dry_run=True)
            if len(plan.unchanged) != count or bare_reimport(agency, data) != 0:
                raise AssertionError("the re-import of the same file changes something")
            for _ in range(rounds):
                with _undone():
                    t1 = time.perf_counter()
                    import_staff(agency, data, FILE_NAME, admin)
                    t2 = time.perf_counter()
                t3 = time.perf_counter()
                bare_reimport(agency, data)
                t4 = time.perf_counter()
                again.append((t2 - t1, t4 - t3))
            raise _Rollback
    except _Rollback:
        pass
    figures = []
    for what, samples, target in (
        ("import", first, 10.0),
        ("re-import", again, 40.0),
    ):
        ours_ms = statistics.median(o for o, _b in samples) * 1000
        bare_ms = statistics.median(b for _o, b in samples) * 1000
        ratio = statistics.median(o / b for o, b in samples)
        log(
            f"staff: the {what} of a SIMPEG file of {count:,} people {ours_ms:.0f} ms, "
            f"bare csv + ORM {bare_ms:.0f} ms: {ratio:.1f}x"
        )
        if what == "import":
            bare_name = "csv and bulk_create of the same units, positions and people"
            name = f"ratio: importing a SIMPEG file of {count:,} people / {bare_name}"
        else:
            bare_name = "csv and one values_list of the people compared"
            name = f"ratio: re-importing the same SIMPEG file of {count:,} people / {bare_name}"
        figures.append(
            Figure(
                "staff",
                name,
                ratio,
                "x",
                backend=connection.vendor,
                target=target,
                higher_is_better=False,
                extra={
                    "what": what,
                    "people": count,
                    "units": UNITS,
                    "positions": UNITS * 5,
                    "file_bytes": len(data),
                    "rounds": rounds,
                    "laksana_p50_ms": round(ours_ms, 2),
                    "bare_p50_ms": round(bare_ms, 2),
                    "laksana_min_ms": round(min(o for o, _b in samples) * 1000, 2),
                    "bare_min_ms": round(min(b for _o, b in samples) * 1000, 2),
                    "ratio_of_medians": round(ours_ms / bare_ms, 3),
                    **found,
                },
            )
        )
    return figures
