"""Reading a staff list as a personnel system (SIMPEG) exports it: a CSV file (comma,
semicolon or tab; UTF-8 with or without a byte-order mark, or Windows text) or an XLSX
workbook (its first sheet), with the columns ``NIP``, ``Nama``, ``Jabatan``, ``Unit Kerja``,
``NIP Atasan``, ``Email`` and ``Telepon``.

Headers are matched without regard to case and surrounding spaces; other columns are
ignored; the header row is found among the first rows (an export often has a title above
it). Every cell is read as text, with the row number the spreadsheet program shows (the
header's row counts). The meaning of the rows is checked by :mod:`laksana.org.staffimport`.

A workbook's ZIP container is checked before anything is unpacked (member count, sizes and
ratios, :func:`laksana.cases.uploads.check_zip`, and at most :data:`MAX_UNPACKED_BYTES`
unpacked in all), and its XML is read with defusedxml (openpyxl's), so a "zip bomb" or an
entity expansion is refused, not read.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laksana import tabular
from laksana.cases.uploads import UploadRejected, check_zip
from laksana.errors import ServiceError

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 64
HEADER_SEARCH_ROWS = 10
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The columns read, by field: the header as a SIMPEG export writes it (and other spellings).
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("NIP",),
    "name": ("Nama", "Nama Pegawai"),
    "position": ("Jabatan",),
    "unit": ("Unit Kerja",),
    "superior": ("NIP Atasan",),
    "email": ("Email", "E-mail", "Surel"),
    "phone": ("Telepon", "No. Telepon", "No Telepon", "HP", "No. HP"),
}
#: The columns a file must have; the others may be missing (their fields are then left as
#: they are on a re-import).
REQUIRED = ("nip", "name", "position", "unit")
_HEADERS = {_alias.casefold(): key for key, aliases in COLUMNS.items() for _alias in aliases}
# Shown in messages for a field's column when the file has none.
LABELS = {key: aliases[0] for key, aliases in COLUMNS.items()}
_WHAT = gettext_lazy("Give a .csv or .xlsx file exported from the personnel system (SIMPEG).")


class StaffFileError(ServiceError):
    """A file that cannot be read as a staff list; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_file", message, field="file")


@dataclass
class Sheet:
    """The cells read: the header as written per field, and the data rows (their
    spreadsheet row number and text per field)."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    header_row: int = 1

    def column(self, key: str) -> str:
        """The column's header as the file writes it (or its usual name)."""
        return self.headers.get(key, LABELS[key])


def header_key(value: Any) -> str:
    """The field a header names ("" for a column not read)."""
    if not isinstance(value, str):
        return ""
    return _HEADERS.get(" ".join(value.split()).casefold(), "")


def read(content: bytes, file_name: str = "") -> Sheet:
    """The staff list in ``content``, or :class:`StaffFileError`."""
    if len(content) > MAX_BYTES:
        raise StaffFileError(
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise StaffFileError(_("The file is empty."))
    suffix = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise StaffFileError(
            _("This is an old Excel file (.xls); save it as .xlsx or .csv and upload it again.")
        )
    if content[:4] == b"PK\x03\x04":
        if suffix not in ("xlsx", ""):
            raise StaffFileError(_("The file is not a spreadsheet. %(what)s") % {"what": _WHAT})
        grid = _xlsx(content)
    elif suffix in ("csv", "txt", "") and b"\x00" not in content[:4096]:
        grid = _csv(content)
    else:
        raise StaffFileError(_("The file is not a spreadsheet. %(what)s") % {"what": _WHAT})
    return sheet_of(grid)


def _xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        check_zip(_("The file"), content, _XLSX)
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (UploadRejected, zipfile.BadZipFile) as exc:
        raise StaffFileError(str(exc)) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise StaffFileError(
            _(
                "The workbook would unpack to %(size)s MB; at most %(limit)s MB is read. It "
                "may be a decompression bomb."
            )
            % {"size": unpacked // (1024 * 1024), "limit": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    book = None
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book[book.sheetnames[0]]
        return [
            list(row)
            for row in sheet.iter_rows(
                max_row=MAX_ROWS + HEADER_SEARCH_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
            )
        ]
    except Exception as exc:  # openpyxl (and defusedxml) raise many kinds for a bad file
        raise StaffFileError(_("The file cannot be read as an XLSX workbook.")) from exc
    finally:
        if book is not None:
            book.close()


def _csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    head = text[: 64 * 1024]
    delimiter, best = ",", (-1, -1)
    for candidate in (",", ";", "\t"):
        try:
            top = list(itertools.islice(csv.reader(io.StringIO(head), delimiter=candidate), 10))
        except csv.Error:
            continue
        known = max((sum(1 for c in r if header_key(c)) for r in top), default=0)
        score = (known, max((len(r) for r in top), default=0))
        if score > best:
            delimiter, best = candidate, score
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        unescape = tabular.unescape_csv_text
        return [
            [unescape(c) for c in r[:MAX_COLUMNS]]
            for r in itertools.islice(reader, MAX_ROWS + HEADER_SEARCH_ROWS + 1)
        ]
    except csv.Error as exc:
        raise StaffFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _text(value: Any) -> str:
    """A cell as text: a whole number without its ".0", a decimal number as Python writes it
    (so an 18-digit NIP stored as a number, which lost its last digits, shows as such)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def sheet_of(grid: list[list[Any]]) -> Sheet:
    """The staff list in ``grid`` (rows of cells, the header row among the first): for a
    spreadsheet, or rows with the same columns from another source (a directory)."""
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for position, cell in enumerate(cells):
            key = header_key(cell)
            if key and key not in columns:
                columns[key] = position
                headers[key] = str(cell).strip()
        if len(columns) < 2:
            continue
        missing = [LABELS[k] for k in REQUIRED if k not in columns]
        if missing:
            raise StaffFileError(
                _("The header row (row %(row)s) lacks the column(s) %(columns)s.")
                % {"row": index + 1, "columns": ", ".join(missing)}
            )
        sheet = Sheet(headers, header_row=index + 1)
        for number, cells_of_row in enumerate(grid[index + 1 :], start=index + 2):
            values = {
                key: _text(cells_of_row[pos]) if pos < len(cells_of_row) else ""
                for key, pos in columns.items()
            }
            if not any(values.values()):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise StaffFileError(
                    _("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"}
                )
            sheet.rows.append((number, values))
        if not sheet.rows:
            raise StaffFileError(_("The file has no rows of staff below its header."))
        return sheet
    raise StaffFileError(
        _("No header row with the columns %(columns)s in the first %(count)s rows.")
        % {"columns": ", ".join(LABELS[k] for k in REQUIRED), "count": HEADER_SEARCH_ROWS}
    )
