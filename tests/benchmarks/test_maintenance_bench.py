"""The maintenance part of `laksana bench`: a year's management report of one plan on a
generated database beside the bare ORM aggregates of the same sums, its query count the same
at two sizes, its rows rolled back."""

from __future__ import annotations

import pytest

from laksana.benchmarks import maintenance
from laksana.benchmarks.run import PARTS
from laksana.cases.models import Case
from laksana.maintenance.models import Occurrence, Plan
from laksana.org.models import Agency


@pytest.mark.django_db
def test_the_maintenance_part_measures_a_ratio_and_leaves_nothing() -> None:
    lines: list[str] = []
    figures = maintenance.measure(True, log=lines.append)
    assert "maintenance" in PARTS
    (figure,) = figures
    assert figure.part == "maintenance" and figure.unit == "x"
    assert figure.target == 3.0 and not figure.higher_is_better
    assert 0.3 < figure.value < 50  # a ratio of two readings of the same records
    extra = figure.extra
    assert extra["cases"] == 500 and extra["rounds"] == 5
    # No query per case, activity or occurrence: the same count at a tenth of the cases.
    assert extra["queries"] == extra["queries_at_a_tenth"] <= 9
    # The report read the generated records: 3 of 4 cases finish (two days after opening,
    # all in the year but those opened in its last two days), 480 occurrences, 52 incidents.
    assert extra["occurrences_due"] == 480 and extra["incidents"] == 52
    assert 360 <= extra["cases_finished"] <= 375
    assert extra["laksana_p50_ms"] > 0 and extra["bare_p50_ms"] > 0
    assert lines and lines[0].startswith("maintenance: a year's report of one plan (500 cases")
    assert not Plan.objects.exists() and not Occurrence.objects.exists()
    assert not Case.objects.exists() and not Agency.objects.exists()


def test_the_bare_path_and_the_report_agree(db) -> None:
    """The bare aggregates and the report give the same sums (what is compared is the same)."""
    from laksana.maintenance import report

    world = maintenance.generate(60)
    plan, now = world["plan"], world["now"]
    occurrences, activities, cases, incidents, cycles, _changes = maintenance.bare(plan, now)
    data = report.data(plan, now=now)
    assert sum(o["due"] for o in occurrences) == data.due
    assert sum(o["on_time"] for o in occurrences) == data.on_time
    assert sum(o["late"] for o in occurrences) == data.late
    assert sum(o["not_done"] for o in occurrences) == data.not_done
    assert sum(o["cost"] or 0 for o in occurrences) == data.cost
    assert len(activities) == len(data.activities) == 40
    assert (cases["opened"], cases["finished"], cases["on_time"]) == (
        data.cases.opened,
        data.cases.finished,
        data.cases.on_time,
    )
    assert len(incidents) == data.incidents and len(cycles) == len(data.cycles) == 12
