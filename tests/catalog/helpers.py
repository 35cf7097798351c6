"""Helpers of the catalogue tests: spreadsheets built in memory, and completing a step with
structured values of the catalogue's artifact types."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from laksana.cases import services as case_services
from laksana.cases.models import Case
from laksana.catalog import spreadsheet
from laksana.org.models import Person

from ..cases.helpers import active, pdf


def csv_bytes(rows: Sequence[Sequence[Any]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def table(rows: Sequence[Sequence[Any]]) -> spreadsheet.Table:
    return spreadsheet.read_table(csv_bytes(rows), "test.csv")


def step(
    person: Person,
    case: Case,
    outcome: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> Case:
    """Complete the active step: the given values, and uploaded PDFs for file artifacts and
    every other named type (the signed document)."""
    row = active(case)
    spec = case.version.spec
    st = spec.step(row.step_key)
    given = dict(values or {})
    files = []
    wanted = [a for a in st.requires if a not in case.state["artifacts"]] + list(st.produces)
    for key in dict.fromkeys(wanted):
        if key in given:
            continue
        art = spec.artifact(key)
        if art.type == "form":
            raise AssertionError(f"give the form {key}")
        # A file, or the signed document of a named type, uploaded.
        files.append(case_services.FileInput(key, [pdf(f"{key}.pdf")]))
    return case_services.complete_step(person, row.pk, values=given, files=files, outcome=outcome)
