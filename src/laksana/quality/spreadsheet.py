"""Scenario sets as XLSX workbooks, in the layout agencies already use: one row per scenario,
the header row first.

Columns written (and the header names read for each, matched without regard to case, extra
spaces or the spaces around ``/``, ``-`` and ``.``; a trailing ``:`` or ``*`` is ignored):

=============================== ==========================================================
Column written                  Also accepted
=============================== ==========================================================
No. Skenario                    No, No., Nomor, Nomor Skenario, Kode, Kode Skenario, ID,
                                ID Skenario, No. Uji, No Test, Scenario No, Scenario ID,
                                Test Case ID
Judul Skenario                  Judul, Skenario, Nama Skenario, Skenario Pengujian,
                                Deskripsi Skenario, Title, Scenario, Test Case, Test Scenario
Kebutuhan/Fungsi yang Diuji     Kebutuhan, Fungsi, Fitur, Modul, Fungsi yang Diuji,
                                Kebutuhan yang Diuji, Requirement, Function, Feature
Prasyarat                       Prakondisi, Pra-kondisi, Kondisi Awal, Precondition,
                                Preconditions
Langkah Pengujian               Langkah, Langkah-langkah, Langkah-langkah Pengujian,
                                Prosedur, Prosedur Pengujian, Cara Pengujian, Steps,
                                Test Steps, Procedure
Data Masukan                    Data Uji, Data Input, Input, Masukan, Data Pengujian,
                                Test Data, Input Data
Hasil yang Diharapkan           Hasil Diharapkan, Output yang Diharapkan, Keluaran yang
                                Diharapkan, Expected, Expected Result, Expected Output
Prioritas                       Priority (values Tinggi, Sedang, Rendah, or High, Medium,
                                Low; empty is Sedang)
=============================== ==========================================================

The header row is the first of the top ten rows in which at least two cells name a column (a
title row above the table is allowed). No. Skenario, Judul Skenario, Langkah Pengujian and
Hasil yang Diharapkan are required columns; other columns are ignored. The sheet read is the
one named "Skenario", else the first.

An import is all rows or none: :func:`read_xlsx` checks every row and raises one
:class:`~laksana.errors.ServiceError` listing every problem as "Baris N, kolom <header>:
<problem>" (row numbers as the spreadsheet shows them). A cell holding a formula is refused,
never evaluated. Files over :data:`MAX_BYTES`, with more than :data:`MAX_ROWS` scenarios, ZIP
bombs and workbooks declaring XML entities are refused.

Exports write text through :mod:`laksana.tabular`: text starting with ``=``, ``+``, ``-`` or
``@`` is a text cell, never a formula, and reads back as the same text, so an export imports
again unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from laksana import tabular
from laksana.cases.uploads import UploadRejected, check_zip
from laksana.errors import ServiceError
from laksana.org.models import Person
from laksana.quality import scenarios
from laksana.quality.models import SCENARIO_FIELDS, Priority, ScenarioSet
from laksana.quality.scenarios import ScenarioInput

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 64
HEADER_SEARCH_ROWS = 10
SHEET = "Skenario"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The header written for each field (and read first).
HEADERS = {
    "number": "No. Skenario",
    "title": "Judul Skenario",
    "requirement": "Kebutuhan/Fungsi yang Diuji",
    "preconditions": "Prasyarat",
    "steps": "Langkah Pengujian",
    "input_data": "Data Masukan",
    "expected": "Hasil yang Diharapkan",
    "priority": "Prioritas",
}
_ALIASES = {
    "number": (
        "No",
        "No.",
        "Nomor",
        "Nomor Skenario",
        "No Skenario",
        "Kode",
        "Kode Skenario",
        "ID",
        "ID Skenario",
        "No. Uji",
        "No Test",
        "Scenario No",
        "Scenario ID",
        "Test Case ID",
    ),
    "title": (
        "Judul",
        "Skenario",
        "Nama Skenario",
        "Skenario Pengujian",
        "Deskripsi Skenario",
        "Title",
        "Scenario",
        "Test Case",
        "Test Scenario",
    ),
    "requirement": (
        "Kebutuhan",
        "Fungsi",
        "Fitur",
        "Modul",
        "Fungsi yang Diuji",
        "Kebutuhan yang Diuji",
        "Kebutuhan / Fungsi",
        "Requirement",
        "Function",
        "Feature",
    ),
    "preconditions": (
        "Prakondisi",
        "Pra-kondisi",
        "Kondisi Awal",
        "Precondition",
        "Preconditions",
    ),
    "steps": (
        "Langkah",
        "Langkah-langkah",
        "Langkah-langkah Pengujian",
        "Langkah Langkah",
        "Prosedur",
        "Prosedur Pengujian",
        "Cara Pengujian",
        "Steps",
        "Test Steps",
        "Procedure",
    ),
    "input_data": (
        "Data Uji",
        "Data Input",
        "Input",
        "Masukan",
        "Data Pengujian",
        "Test Data",
        "Input Data",
    ),
    "expected": (
        "Hasil Diharapkan",
        "Output yang Diharapkan",
        "Keluaran yang Diharapkan",
        "Expected",
        "Expected Result",
        "Expected Output",
    ),
    "priority": ("Priority",),
}
PRIORITY_NAMES: dict[str, str] = {
    str(Priority.HIGH): "Tinggi",
    str(Priority.MEDIUM): "Sedang",
    str(Priority.LOW): "Rendah",
}


def normalize(header: Any) -> str:
    """A header as it is compared: lower case, single spaces, no spaces around ``/ - .``, no
    trailing ``:`` or ``*``."""
    text = " ".join(str(header or "").split()).casefold()
    text = re.sub(r"\s*([/.\-])\s*", r"\1", text)
    return text.rstrip(":* ").strip()


_BY_HEADER: dict[str, str] = {}
for _field in SCENARIO_FIELDS:
    for _name in (HEADERS[_field], *_ALIASES[_field]):
        _BY_HEADER.setdefault(normalize(_name), _field)


def field_of(header: Any) -> str | None:
    """The scenario field a header names, or None."""
    return _BY_HEADER.get(normalize(header))


def _refused(message: str, items: list[str] | None = None) -> ServiceError:
    return ServiceError("invalid_spreadsheet", message, field="file", items=items or [message])


def _problem(row: int, header: str, problem: str) -> str:
    return _("Row %(row)s, column %(column)s: %(problem)s") % {
        "row": row,
        "column": header,
        "problem": problem,
    }


# --- reading -----------------------------------------------------------------------------------


def _grid(data: bytes) -> list[list[tuple[Any, bool]]]:
    """The cells of the sheet as (value, is a formula), bounded in rows and columns."""
    from openpyxl import load_workbook
    from openpyxl import xml as openpyxl_xml

    if len(data) > MAX_BYTES:
        raise _refused(
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if data[:4] != b"PK\x03\x04" or not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refused(_("The file is not an XLSX workbook; save it as .xlsx and upload it again."))
    try:
        check_zip(_("The file"), data, XLSX_TYPE)
    except UploadRejected as exc:
        raise _refused(str(exc)) from exc
    if not openpyxl_xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise _refused(_("XLSX files cannot be read safely here."))
    book = None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        names = {normalize(n): n for n in book.sheetnames}
        sheet = book[names.get(normalize(SHEET)) or book.sheetnames[0]]
        grid: list[list[tuple[Any, bool]]] = []
        limit = MAX_ROWS + HEADER_SEARCH_ROWS + 1
        for row in sheet.iter_rows(max_row=limit, max_col=MAX_COLUMNS):
            cells = [(getattr(c, "value", None), getattr(c, "data_type", "") == "f") for c in row]
            while cells and cells[-1][0] is None:
                cells.pop()
            grid.append(cells)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refused(_("The file cannot be read as an XLSX workbook.")) from exc
    finally:
        if book is not None:
            book.close()
    return grid


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _header_row(grid: list[list[tuple[Any, bool]]]) -> int | None:
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(1 for value, _f in row if field_of(value)) >= 2:
            return i
    return None


def read_xlsx(data: bytes) -> list[ScenarioInput]:
    """The scenarios of an XLSX workbook, or a ServiceError (``invalid_spreadsheet``) listing
    every problem by row and column; nothing is written either way."""
    grid = _grid(data)
    header_index = _header_row(grid)
    if header_index is None:
        raise _refused(
            _(
                "The file has no header row: the first rows must name the columns "
                "(No. Skenario, Judul Skenario, Langkah Pengujian, Hasil yang Diharapkan, ...)."
            )
        )
    columns: dict[str, tuple[int, str]] = {}
    for index, (value, _formula) in enumerate(grid[header_index]):
        field = field_of(value)
        if field and field not in columns:
            columns[field] = (index, str(value).strip())
    missing = [HEADERS[f] for f in scenarios.REQUIRED if f not in columns]
    if missing:
        message = _("The header row lacks the columns %(columns)s.") % {
            "columns": ", ".join(missing)
        }
        raise _refused(message)
    rows: list[tuple[int, dict[str, str], set[str]]] = []
    for number, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if all(value is None or not str(value).strip() for value, _f in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise _refused(
                _("The file has more than %(limit)s scenarios; split it.") % {"limit": MAX_ROWS}
            )
        values: dict[str, str] = {}
        formulas: set[str] = set()
        for field, (index, _header) in columns.items():
            value, formula = row[index] if index < len(row) else (None, False)
            if formula:
                formulas.add(field)
                value = "="
            values[field] = _cell_text(value)
        rows.append((number, values, formulas))
    if not rows:
        raise _refused(_("The file has no scenario rows below its header row."))
    items: list[str] = []
    seen: dict[str, int] = {}
    for number, values, formulas in rows:
        cleaned = scenarios.cleaned(values)
        found = dict(scenarios.problems_of(cleaned))
        refused = _("the cell holds a formula, which is not evaluated; write its value.")
        found.update({field: refused for field in formulas})
        key = cleaned["number"].casefold()
        if key and key in seen and "number" not in found:
            found["number"] = _("number %(number)s is already used in row %(other)s.") % {
                "number": cleaned["number"],
                "other": seen[key],
            }
        elif key:
            seen.setdefault(key, number)
        for field in SCENARIO_FIELDS:
            if field in found:
                header = columns[field][1] if field in columns else HEADERS[field]
                items.append(_problem(number, header, found[field]))
    if items:
        raise _refused(
            _("The spreadsheet has %(count)s problems; nothing was imported.")
            % {"count": len(items)},
            items,
        )
    out = []
    for _number, values, _formulas in rows:
        cleaned = scenarios.cleaned(values)
        cleaned["priority"] = scenarios.priority_of(cleaned["priority"]) or str(Priority.MEDIUM)
        out.append(ScenarioInput(**cleaned))
    return out


# --- writing -----------------------------------------------------------------------------------


def _safe(value: str) -> str | None:
    """A text as a cell: control characters a worksheet cannot hold dropped; empty: none."""
    text = scenarios.CONTROL.sub("", value)
    return text or None


def _workbook(rows: list[dict[str, str]], notes: list[tuple[str, str]]) -> bytes:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = tabular.new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([HEADERS[f] for f in SCENARIO_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [row.get(f, "") for f in SCENARIO_FIELDS]
        values[-1] = PRIORITY_NAMES.get(str(row.get("priority", "")), values[-1])
        sheet.append([_safe(v) for v in values])
    wide = {"steps", "expected", "preconditions", "input_data", "title", "requirement"}
    for i, field in enumerate(SCENARIO_FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 40 if field in wide else 16
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    info = book.create_sheet("Petunjuk")
    for key, value in notes:
        info.append([key, _safe(value)])
    info.append([])
    info.append(
        ["Kolom wajib", "No. Skenario, Judul Skenario, Langkah Pengujian, Hasil yang Diharapkan"]
    )
    info.append(["Prioritas", "Tinggi, Sedang atau Rendah (kosong: Sedang)"])
    info.append(["Nomor", "No. Skenario tidak boleh sama dalam satu set"])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    return tabular.workbook_bytes(book)


def write_xlsx(scenario_set: ScenarioSet, revision: int | None = None) -> bytes:
    """The set's scenarios at ``revision`` (the latest when None) as an XLSX workbook in the
    layout :func:`read_xlsx` reads; not found for a revision the set does not have."""
    found = scenarios.revision_of(scenario_set, revision)
    if found is None:
        raise ServiceError("not_found", _("There is no such revision."), field="revision")
    notes = [
        ("Set skenario", scenario_set.name),
        ("Aplikasi", str(scenario_set.application)),
        ("Versi aplikasi", scenario_set.app_version or "-"),
        ("Revisi", str(found.number)),
    ]
    return _workbook(list(found.scenarios), notes)


def template_xlsx() -> bytes:
    """An empty workbook with the header row, to fill in and import."""
    return _workbook([], [("Set skenario", "(isi satu baris per skenario di lembar Skenario)")])


def import_xlsx(
    person: Person | None,
    data: bytes,
    *,
    set_id: int | None = None,
    application_id: int | None = None,
    name: str = "",
    at: dt.datetime | None = None,
) -> ScenarioSet:
    """Import a workbook in place of a set's scenarios (``set_id``) or as a new set of an
    application (``application_id``, named ``name``): all rows or none."""
    if set_id is not None:
        scenarios.writable_set(person, set_id)  # who may, before reading the file
        rows = read_xlsx(data)
        revision = scenarios.replace_scenarios(
            person,
            set_id,
            rows,
            note=scenarios.noted(gettext_noop("Imported from a spreadsheet")),
            at=at,
        )
        return revision.set
    if application_id is None:
        raise ServiceError(
            "invalid", _("Choose the application of the new set."), field="application"
        )
    scenarios.writable_application(person, application_id)
    rows = read_xlsx(data)
    return scenarios.create_set(person, application_id, name=name, scenarios=rows, at=at)
