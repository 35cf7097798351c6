"""The quality part of `laksana bench`: an XLSX scenario set imported through Laksana beside
openpyxl reading the same file and a bare bulk insert, its rows rolled back."""

from __future__ import annotations

import pytest

from laksana.benchmarks import quality
from laksana.benchmarks.run import PARTS
from laksana.org.models import Agency
from laksana.quality.models import Scenario, ScenarioSet


@pytest.mark.django_db
def test_the_quality_part_measures_a_ratio_and_leaves_nothing() -> None:
    lines: list[str] = []
    figures = quality.measure(True, log=lines.append)
    assert "quality" in PARTS
    (figure,) = figures
    assert figure.part == "quality" and figure.unit == "x"
    assert figure.target == 1.5 and not figure.higher_is_better
    assert 0.3 < figure.value < 20  # a ratio of two imports of one file, not a wild number
    assert figure.extra["rounds"] == 5 and figure.extra["scenarios"] == 100
    assert figure.extra["laksana_p50_ms"] > 0 and figure.extra["bare_p50_ms"] > 0
    assert lines and lines[0].startswith("quality: XLSX import of 100 scenarios")
    assert not ScenarioSet.objects.exists() and not Scenario.objects.exists()
    assert not Agency.objects.exists()
