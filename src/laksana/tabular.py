"""Tables written for spreadsheet programs (CSV and XLSX), with user text that cannot become
a formula.

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or a carriage return before one of them) as a formula, and a formula can reach
out of the file (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``, DDE). Every export of Laksana
writes through this module, so text typed by a user is always written as text (the OWASP
CSV-injection rule):

* in CSV, such text is written with a leading apostrophe (``'=1+2``), which spreadsheet
  programs show as the text ``=1+2``; :func:`unescape_csv_text` undoes it when Laksana reads
  its own CSV back, so an export imports again unchanged;
* in XLSX, such text is written as a string cell with the "quote prefix" style (Excel's own
  way of marking "this is text"), never as a formula; the value itself is unchanged.

Numbers, dates and booleans are values, not text: a negative number stays a number
(``-5``). No export writes formulas; :func:`workbook_bytes` turns any formula cell into text.
A test (tests/security/test_export_injection.py) checks that no other module writes CSV or
creates a workbook, and walks every export with a hostile value.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl import Workbook

#: The characters that make a spreadsheet program read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Text escaped on the way out: a formula start, possibly behind apostrophes already (so a
# value that itself starts with "'=" survives the round trip: it gains one more apostrophe).
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS)


def escape_csv_text(value: str) -> str:
    """``value`` as a CSV cell: with one more leading apostrophe if it starts (after any
    apostrophes) with a formula character, else unchanged."""
    return "'" + value if _NEEDS_ESCAPE.match(value) else value


def unescape_csv_text(value: str) -> str:
    """The inverse of :func:`escape_csv_text`, for reading a CSV file Laksana wrote (or one a
    person wrote the same way): one leading apostrophe before a formula character is
    removed; any other text is unchanged."""
    return value[1:] if _ESCAPED.match(value) else value


def csv_cell(value: Any) -> Any:
    """A value for ``csv.writer``: text escaped, anything else (numbers) as it is."""
    return escape_csv_text(value) if isinstance(value, str) else value


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """Rows as CSV in UTF-8 (with a byte-order mark by default, so spreadsheet programs read
    it as UTF-8). Every text cell goes through :func:`escape_csv_text`, headers included;
    turn dates and decimals into text first if their format matters."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def new_workbook() -> Workbook:
    """An empty workbook, to be saved with :func:`workbook_bytes`."""
    from openpyxl import Workbook

    return Workbook()


def neutralise(book: Workbook) -> None:
    """Make every cell of ``book`` that a spreadsheet program could run a text cell: a
    formula cell (openpyxl stores any string starting with ``=`` as one) becomes a string
    cell, and every string cell starting with a formula character gets the quote prefix."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" and not isinstance(value, str):
                    # An ArrayFormula or a DataTableFormula object: keep its text only.
                    value = str(getattr(value, "text", "") or "")
                    cell.value = value
                if isinstance(value, str) and (cell.data_type == "f" or is_formula_like(value)):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def workbook_bytes(book: Workbook) -> bytes:
    """``book`` as XLSX bytes, after :func:`neutralise`."""
    neutralise(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
