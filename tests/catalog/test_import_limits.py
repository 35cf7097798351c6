"""Reading an inventory file is bounded by what the file holds, never by what it declares
(issue 16, item 12), and a CSV from a spreadsheet program in an Indonesian locale (``;``, a
title row above the header) is read as the table it is (item 13)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from laksana.catalog import spreadsheet
from laksana.catalog.spreadsheet import TableError, read_table

MB = 1024 * 1024


def _workbook(sheet_xml: str) -> bytes:
    """A small real workbook whose first sheet is ``sheet_xml``."""
    from openpyxl import Workbook

    book = Workbook()
    raw = io.BytesIO()
    book.save(raw)
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(dimension: str, rows: dict[int, str]) -> str:
    body = "".join(f'<row r="{n}">{cells}</row>' for n, cells in sorted(rows.items()))
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )


def _peak(content: bytes) -> tuple[int, object]:
    """The peak of Python's allocations while the file is read (bytes), and the outcome."""
    tracemalloc.start()
    try:
        try:
            outcome: object = read_table(content, "aplikasi.xlsx")
        except TableError as exc:
            outcome = exc
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, outcome


def test_a_sheet_declaring_the_whole_grid_is_read_bounded():
    rows = {
        1: _cell("A1", "Nama Aplikasi") + _cell("B1", "OPD Pengelola"),
        2: _cell("A2", "SIKESDA") + _cell("B2", "Dinas Kesehatan"),
        9: _cell("A9", "E-Office") + _cell("B9", "BPKAD") + _cell("XFD9", "jauh"),
        1_048_576: _cell("XFD1048576", "di pojok terakhir"),
    }
    content = _workbook(_sheet("A1:XFD1048576", rows))
    assert len(content) < 10_000
    peak, table = _peak(content)
    # Before: the rows between 9 and the last one yielded, each as 16,384 cells, until
    # 5,011 rows were kept: about 650 MB.
    assert peak < 64 * MB, f"reading grew Python's memory by {peak / MB:.0f} MB"
    assert isinstance(table, spreadsheet.Table)
    assert table.headers == ["Nama Aplikasi", "OPD Pengelola"]
    assert [(n, cells[0]) for n, cells in table.rows] == [(2, "SIKESDA"), (9, "E-Office")]


def test_a_sheet_with_more_rows_than_the_limit_is_refused_without_reading_them_all():
    rows = {1: _cell("A1", "Nama Aplikasi") + _cell("B1", "OPD Pengelola")}
    rows.update({n: _cell(f"A{n}", f"Aplikasi {n}") for n in range(2, spreadsheet.MAX_ROWS + 3)})
    peak, outcome = _peak(_workbook(_sheet("A1:XFD1048576", rows)))
    assert isinstance(outcome, TableError)
    assert "more than 5000 rows" in str(outcome)
    assert peak < 64 * MB


def test_a_csv_of_empty_lines_and_separators_is_read_bounded():
    content = b"Nama Aplikasi;OPD Pengelola\n" + b";" * (2 * MB) + b"\n" + b"\n" * (2 * MB)
    tracemalloc.start()
    try:
        table = read_table(content, "aplikasi.csv")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 128 * MB, f"reading grew Python's memory by {peak / MB:.0f} MB"
    assert table.headers == ["Nama Aplikasi", "OPD Pengelola"]
    assert table.rows == []
    assert getattr(spreadsheet, "MAX_COLUMNS", 0) >= 64


@pytest.mark.parametrize(
    "title",
    [
        "DAFTAR APLIKASI PEMERINTAH PROVINSI BALI TAHUN 2024",
        "Daftar Aplikasi, per 1 Januari 2024",
        '"Daftar Aplikasi; Dinas Kominfos"',
        "Daftar Aplikasi;;;",
    ],
)
def test_a_semicolon_csv_with_a_title_row_is_read_as_its_columns(title):
    text = (
        f"{title}\r\n"
        "\r\n"
        "No;Nama Aplikasi;OPD Pengelola;Alamat Website\r\n"
        "1;SIKESDA;Dinas Kesehatan;https://sikesda.baliprov.go.id\r\n"
        '2;E-Office;BPKAD;"https://eoffice.baliprov.go.id, https://mail.baliprov.go.id"\r\n'
    )
    table = read_table(text.encode("cp1252"), "aplikasi.csv")
    assert table.headers == ["No", "Nama Aplikasi", "OPD Pengelola", "Alamat Website"]
    assert table.header_row == 3
    assert [cells[1] for _n, cells in table.rows] == ["SIKESDA", "E-Office"]
    assert table.rows[1][1][3].startswith("https://eoffice")
    assert spreadsheet.guess_mapping(table.headers)[1] == "name"


def test_a_comma_csv_with_a_title_row_is_still_read():
    text = (
        "Daftar Aplikasi; per 2024\n"
        "Nama Aplikasi,OPD Pengelola,Deskripsi\n"
        'SIKESDA,Dinas Kesehatan,"Data kesehatan; rujukan"\n'
    )
    table = read_table(text.encode(), "aplikasi.csv")
    assert table.headers == ["Nama Aplikasi", "OPD Pengelola", "Deskripsi"]
    assert table.rows == [(3, ["SIKESDA", "Dinas Kesehatan", "Data kesehatan; rujukan"])]
