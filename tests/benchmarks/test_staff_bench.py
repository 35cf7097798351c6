"""The staff part of `laksana bench`: a generated SIMPEG file imported into an empty agency and
imported again, beside the bare csv module and bulk ORM writes reaching the same end state, its
rows rolled back."""

from __future__ import annotations

import pytest

from laksana.benchmarks import staff as bench
from laksana.benchmarks.run import PARTS
from laksana.org.models import Agency, OrgChange, Person, Position, Unit
from laksana.org.staffimport import import_staff


def test_the_generated_file_is_a_valid_simpeg_export_with_a_superior_tree(db: None) -> None:
    rows = bench.rows(400)
    nips = [r[0] for r in rows]
    assert len(set(nips)) == 400 and all(len(n) == 18 and n.isdigit() for n in nips)
    assert len({r[3] for r in rows}) == 40 and len({(r[3], r[2]) for r in rows}) == 200
    assert [r for r in rows if not r[4]] == [rows[0]]  # one head; everyone else below someone
    world = bench.generate()
    plan = import_staff(world["agency"], bench.content(400), bench.FILE_NAME, dry_run=True)
    assert plan.ok, plan.problems[:3]
    assert len(plan.created) == 400 and len(plan.new_units) == 40
    assert len(plan.new_positions) == 200


def test_the_bare_paths_leave_what_the_import_leaves(db: None) -> None:
    """The bare import reaches the import's end state, and the bare re-import finds no change
    after it (what is compared is the same work)."""
    world = bench.generate()
    agency, data = world["agency"], bench.content(300)
    with bench._undone():
        import_staff(agency, data, bench.FILE_NAME, world["admin"])
        ours = bench.end_state(agency)
    bench.bare_import(agency, world["top"], data)
    assert bench.end_state(agency) == ours and len(ours) == 300 + 200
    assert bench.bare_reimport(agency, data) == 0
    assert bench.bare_reimport(agency, data.replace(b"Pegawai Bench 00007", b"Pegawai X")) == 1


@pytest.mark.django_db
def test_the_staff_part_measures_two_ratios_and_leaves_nothing() -> None:
    lines: list[str] = []
    first, again = bench.measure(True, log=lines.append, people=200)
    assert "staff" in PARTS
    for figure, target in ((first, 10.0), (again, 40.0)):
        assert figure.part == "staff" and figure.unit == "x"
        assert figure.target == target and not figure.higher_is_better
        assert 0.1 < figure.value < 1000  # a ratio of two ways to the same rows
        assert figure.extra["people"] == 200 and figure.extra["rounds"] == 3
        assert figure.extra["laksana_p50_ms"] > 0 and figure.extra["bare_p50_ms"] > 0
    assert first.extra["what"] == "import" and again.extra["what"] == "re-import"
    assert first.extra["units_created"] == 40 and first.extra["positions_created"] == 200
    assert lines[0].startswith("staff: the import of a SIMPEG file of 200 people")
    assert lines[1].startswith("staff: the re-import of a SIMPEG file of 200 people")
    assert not Agency.objects.exists() and not Person.objects.exists()
    assert not Unit.objects.exists() and not Position.objects.exists()
    assert not OrgChange.objects.exists()
