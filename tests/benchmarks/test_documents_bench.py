"""The documents part of `laksana bench`: a BAST PDF beside a bare WeasyPrint rendering of
the same HTML, its rows rolled back."""

from __future__ import annotations

import pytest

from laksana.benchmarks import documents
from laksana.benchmarks.run import PARTS
from laksana.documents.models import Document
from laksana.org.models import Agency


@pytest.mark.django_db
def test_the_documents_part_measures_a_ratio_and_leaves_nothing() -> None:
    lines: list[str] = []
    figures = documents.measure(True, log=lines.append)
    assert "documents" in PARTS
    (figure,) = figures
    assert figure.part == "documents" and figure.unit == "x"
    assert figure.target == 1.3 and not figure.higher_is_better
    assert 0.3 < figure.value < 5  # a ratio of two renderings of one page, not a wild number
    assert figure.extra["rounds"] == 5
    assert figure.extra["laksana_p50_ms"] > 0 and figure.extra["bare_p50_ms"] > 0
    assert lines and lines[0].startswith("documents: BAST PDF")
    assert not Document.objects.exists() and not Agency.objects.exists()
