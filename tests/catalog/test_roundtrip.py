"""Export then import into an empty agency keeps the data, as XLSX and as CSV."""

from __future__ import annotations

import pytest

from laksana.catalog import services, spreadsheet
from laksana.catalog.models import Application
from laksana.catalog.views import export_queryset
from laksana.org.models import Agency, Unit

pytestmark = pytest.mark.django_db


def export(agency: Agency) -> tuple[list[str], list[list[object]]]:
    return spreadsheet.export_rows(export_queryset(None, Application.objects.filter(agency=agency)))


def empty_twin(source: Agency) -> Agency:
    """A new agency with the same units (by name and short name) and nothing else."""
    twin = Agency.objects.create(name="Diskominfo Kembar", short_name="Kembar", slug="kembar")
    for unit in Unit.objects.filter(agency=source):
        Unit.objects.create(agency=twin, name=unit.name, short_name=unit.short_name, kind=unit.kind)
    return twin


def normalised(rows: list[list[object]]) -> list[list[str]]:
    """Cells as the CSV writes them, so XLSX numbers and dates compare with their text."""
    return [[spreadsheet._cell_text(v) for v in row] for row in rows]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_into_an_empty_agency_unchanged(province, sample_table, fmt):
    report = services.import_applications(
        None, province.agency, sample_table, spreadsheet.guess_mapping(sample_table.headers)
    )
    assert report.ok
    headers, rows = export(province.agency)
    assert len(rows) == 32
    content = (
        spreadsheet.to_xlsx(headers, rows) if fmt == "xlsx" else spreadsheet.to_csv(headers, rows)
    )
    twin = empty_twin(province.agency)
    table = spreadsheet.read_table(content, f"katalog.{fmt}")
    mapping = spreadsheet.guess_mapping(table.headers)
    assert all(mapping), "every exported column is recognised"
    again = services.import_applications(None, twin, table, mapping)
    assert again.ok, again.problems[:5]
    assert len(again.created) == 32
    headers2, rows2 = export(twin)
    assert headers2 == headers
    assert normalised(rows2) == normalised(rows)


def test_the_csv_export_reads_back_as_the_same_cells(province, sample_table):
    services.import_applications(
        None, province.agency, sample_table, spreadsheet.guess_mapping(sample_table.headers)
    )
    headers, rows = export(province.agency)
    table = spreadsheet.read_table(spreadsheet.to_csv(headers, rows), "katalog.csv")
    assert table.headers == headers
    assert [cells for _n, cells in table.rows] == normalised(rows)
