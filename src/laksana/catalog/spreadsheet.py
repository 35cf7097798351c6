"""The catalogue as a spreadsheet: reading XLSX and CSV inventories, mapping their columns,
finding every problem of every row, and writing the catalogue out again.

Agencies keep their application inventory in spreadsheets, one row per application, with
headers of their own ("Nama Aplikasi", "OPD Pengelola", "Alamat Website", ...). Importing
one is a first step of a new user, so this module

* reads the first sheet (or the one named "Aplikasi") of an XLSX file, or a CSV file
  (UTF-8 or Windows-1252, comma or semicolon), finding the header row below any title rows;
* guesses which field each header means, from Indonesian and English names
  (:func:`guess_mapping`), for a person to correct;
* checks every row against the agency's units and catalogue and lists every problem by row
  and column (:func:`check`), writing nothing;
* writes the catalogue as XLSX or CSV with the same columns (:func:`export_rows`), so an
  export imports again unchanged (a round trip).

Committing is :func:`laksana.catalog.services.import_applications` (one transaction, all or
nothing). Choice values are read in Indonesian and English and written in Indonesian: the
spreadsheet format is Indonesian first, whatever the language of the screen.

One row carries the application, its production and staging environments and its latest
contract; older contracts, documents, risks and the stage history stay in Laksana. The
columns, the headers they are recognised by and the names of the choices are data, in
:mod:`laksana.catalog.columns`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana import tabular
from laksana.cases.uploads import UploadRejected, check_zip
from laksana.catalog.artifacts import host_of
from laksana.catalog.columns import (
    BY_KEY,
    COLUMNS,
    CONTRACT_KEYS,
    ENVIRONMENT_KEYS,
    Kind,
    allowed_names,
    choice_lookup,
    choice_name,
    header_key,
    normalize,
)
from laksana.catalog.inputs import (
    EARLIEST_YEAR,
    MAX_URLS,
    ApplicationInput,
    ContractInput,
    EnvironmentInput,
    url_problem,
)
from laksana.catalog.models import (
    Application,
    Contract,
    DeveloperKind,
    Stage,
)
from laksana.org.models import Unit

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
# Cells right of this column are not read: a sheet's declared size (its dimension, up to
# 1,048,576 rows x 16,384 columns) is never trusted to size what is read.
MAX_COLUMNS = 256
# The rows read at most: the header search, the data rows and one more to tell "too many".
_READ_ROWS = MAX_ROWS + HEADER_SEARCH_ROWS + 1
_DELIMITERS = (";", ",", "\t")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- reading files ---------------------------------------------------------------------------


class TableError(ValueError):
    """A file that cannot be read as a table; the message says why."""


@dataclass
class Table:
    """The cells of a spreadsheet below its header row, with their row numbers as the
    spreadsheet shows them (1-based, the header row included)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int = 1
    sheet: str = ""
    # The cells of the other sheets registered by domain modules (laksana.catalog.sheets).
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)


def read_table(content: bytes, filename: str = "") -> Table:
    """Read an XLSX or CSV file into a :class:`Table`, or raise :class:`TableError`."""
    if len(content) > MAX_BYTES:
        raise TableError(
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise TableError(_("The file is empty."))
    extra: dict[str, list[list[Any]]] = {}
    if content[:4] == b"PK\x03\x04":
        grid, sheet = _read_xlsx(content, extra)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            _("This is an old Excel file (.xls); save it as .xlsx or .csv and upload it again.")
        )
    else:
        grid, sheet = _read_csv(content), ""
    table = _table(grid, sheet)
    table.sheets = extra
    return table


def _read_xlsx(
    content: bytes, extra: dict[str, list[list[Any]]] | None = None
) -> tuple[list[list[Any]], str]:
    from openpyxl import load_workbook
    from openpyxl import xml as openpyxl_xml

    if zipfile.is_zipfile(io.BytesIO(content)):
        # The workbook's ZIP container first (member count, sizes, ratios, paths): openpyxl
        # would decompress a bomb into memory. A damaged one is left to openpyxl to report.
        try:
            check_zip(_("The file"), content, _XLSX)
        except UploadRejected as exc:
            raise TableError(str(exc)) from exc
    if not openpyxl_xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        # Without defusedxml openpyxl would expand the XML entities a workbook declares.
        raise TableError(_("XLSX files cannot be read safely here; save the file as CSV."))
    book = None
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        from laksana.catalog import sheets

        names = {normalize(n): n for n in book.sheetnames}
        others = {normalize(n): n for n in sheets.names()}
        first = next((n for n in book.sheetnames if normalize(n) not in others), None)
        name = names.get("aplikasi") or names.get("applications") or first or book.sheetnames[0]
        grid = _grid(book[name])
        for key, registered in others.items():
            if extra is not None and key in names and names[key] != name:
                extra[registered] = _grid(book[names[key]])
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        if _declares_entities(exc):
            raise TableError(
                _(
                    "The file declares XML entities (a document type definition), which a "
                    "spreadsheet program never writes; it is refused. Save the workbook again "
                    "from the spreadsheet program."
                )
            ) from exc
        raise TableError(_("The file cannot be read as an XLSX workbook.")) from exc
    finally:
        if book is not None:
            book.close()
    return grid, name


def _grid(sheet: Any) -> list[list[Any]]:
    """A sheet's cells, bounded whatever its dimension says: at most MAX_COLUMNS cells of at
    most _READ_ROWS rows, trailing empty cells dropped."""
    grid = []
    for row in sheet.iter_rows(max_row=_READ_ROWS, max_col=MAX_COLUMNS, values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        grid.append(cells)
    return grid


def _declares_entities(exc: BaseException | None) -> bool:
    """Whether defusedxml refused an XML part of the workbook (somewhere in the chain)."""
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _read_csv(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise TableError(_("The file is neither UTF-8 nor Windows text."))
    if "\x00" in text:
        raise TableError(_("The file is neither a CSV nor an XLSX file."))
    delimiter = _delimiter(text)
    try:
        # Cells as Laksana's export wrote them: its apostrophe before a formula character
        # (laksana.tabular) is removed, so an export imports again unchanged.
        unescape = tabular.unescape_csv_text
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return [
            [unescape(c) for c in r[:MAX_COLUMNS]] for r in itertools.islice(reader, _READ_ROWS)
        ]
    except csv.Error as exc:
        raise TableError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _delimiter(text: str) -> str:
    """The separator of a CSV file: the one with which its top rows hold a header row (a
    spreadsheet program in an Indonesian locale writes ``;``, and a title row may stand above
    the header); failing that, the one that splits the top rows into the most cells."""
    head = text[: 64 * 1024]
    best, best_score = ",", (-1, -1)
    for candidate in _DELIMITERS:
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(head), delimiter=candidate), 20))
        except csv.Error:
            continue
        known = max((sum(1 for c in r[:MAX_COLUMNS] if header_key(c)) for r in rows), default=0)
        widest = max((len(r) for r in rows), default=0)
        score = (known if known >= 2 else 0, widest)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(grid: list[list[Any]], sheet: str) -> Table:
    # The header row: the first of the top rows in which at least two cells name a field
    # (inventories often have a title and a date above the table); else the first non-empty.
    header_index = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        known = sum(1 for cell in row if header_key(cell))
        if known >= 2:
            header_index = i
            break
    if header_index is None:
        header_index = next((i for i, row in enumerate(grid) if any(map(_not_blank, row))), None)
    if header_index is None:
        raise TableError(_("The file has no rows."))
    headers = [str(h).strip() if h is not None else "" for h in grid[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise TableError(_("The file has no header row."))
    rows = []
    for number, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        cells = list(row[: len(headers)]) + [None] * (len(headers) - len(row))
        if all(_is_blank(c) for c in cells):
            continue
        rows.append((number, cells))
    if len(rows) > MAX_ROWS:
        raise TableError(
            _("The file has more than %(limit)s rows; split it.") % {"limit": MAX_ROWS}
        )
    return Table(headers=headers, rows=rows, header_row=header_index + 1, sheet=sheet)


def _not_blank(value: Any) -> bool:
    return not _is_blank(value)


# --- the column mapping ----------------------------------------------------------------------


def guess_mapping(headers: Sequence[str]) -> list[str]:
    """For each header, the field it most likely means ("" for none); each field once."""
    taken: set[str] = set()
    out = []
    for header in headers:
        key = header_key(header)
        if key in taken:
            key = ""
        if key:
            taken.add(key)
        out.append(key)
    return out


# --- checking rows ---------------------------------------------------------------------------


class Code(StrEnum):
    """What is wrong with a cell (stable, for programs)."""

    UNMAPPED = "unmapped"
    MAPPED_TWICE = "mapped_twice"
    MISSING = "missing"
    UNKNOWN_UNIT = "unknown_unit"
    AMBIGUOUS_UNIT = "ambiguous_unit"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    DUPLICATE_IN_CATALOGUE = "duplicate_in_catalogue"
    BAD_DATE = "bad_date"
    BAD_URL = "bad_url"
    BAD_DOMAIN = "bad_domain"
    BAD_CHOICE = "bad_choice"
    BAD_YEAR = "bad_year"
    BAD_MONEY = "bad_money"
    TOO_LONG = "too_long"
    INCONSISTENT = "inconsistent"


@dataclass(frozen=True)
class Problem:
    """One problem: the spreadsheet row, the column (its header), the field, what is wrong."""

    row: int
    column: str
    field: str
    code: Code
    message: str
    sheet: str = ""  # a domain module's sheet ("" for the applications)

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        if self.sheet:
            where = f"{self.sheet}, {where}"
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    """A row read into what the services write."""

    row: int
    application: ApplicationInput
    stage: str
    developer_vendor: str  # the vendor's name, entered on commit if new
    environments: dict[str, EnvironmentInput]
    contract: ContractInput | None


@dataclass
class Report:
    """The outcome of checking (or importing) a file."""

    table: Table
    mapping: list[str]
    problems: list[Problem] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    new_vendors: list[str] = field(default_factory=list)
    created: list[Application] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Units:
    """The agency's units by normalised name and short name."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_name: dict[str, list[Unit]] = {}
        self.by_short: dict[str, list[Unit]] = {}
        self.names: list[str] = []
        for u in units:
            self.by_name.setdefault(normalize(u.name), []).append(u)
            if u.short_name:
                self.by_short.setdefault(normalize(u.short_name), []).append(u)
            self.names.append(u.name)

    def find(self, text: str) -> tuple[Unit | None, Code | None, str]:
        key = normalize(text)
        found = self.by_name.get(key) or self.by_short.get(key) or []
        if len(found) == 1:
            return found[0], None, ""
        if len(found) > 1:
            return None, Code.AMBIGUOUS_UNIT, ", ".join(u.name for u in found)
        close = difflib.get_close_matches(text, self.names, n=3, cutoff=0.6)
        return None, Code.UNKNOWN_UNIT, ", ".join(close)


class _RowReader:
    """Reads the cells of one row, collecting its problems."""

    def __init__(
        self,
        number: int,
        cells: Mapping[str, tuple[str, Any]],
        units: _Units,
        problems: list[Problem],
    ) -> None:
        self.number = number
        self.cells = cells  # field key -> (header, raw value)
        self.units = units
        self.problems = problems

    def problem(self, key: str, code: Code, message: str) -> None:
        header = self.cells[key][0] if key in self.cells else str(BY_KEY[key].header)
        self.problems.append(Problem(self.number, header, key, code, message))

    def raw(self, key: str) -> Any:
        return self.cells.get(key, ("", None))[1]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        col = BY_KEY[key]
        text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if col.kind is not Kind.LONG_TEXT:
            text = " ".join(text.split())
        if text in ("-", "–", "—"):
            return ""
        if col.max_length and len(text) > col.max_length:
            self.problem(
                key,
                Code.TOO_LONG,
                _("Too long: at most %(count)s characters.") % {"count": col.max_length},
            )
        return text

    def choice(self, key: str) -> str:
        text = self.text(key)
        if not text:
            return ""
        value = choice_lookup(BY_KEY[key].choices).get(normalize(text))
        if value is None:
            self._bad_choice(key, text)
            return ""
        return value

    def _bad_choice(self, key: str, text: str) -> None:
        self.problem(
            key,
            Code.BAD_CHOICE,
            _("%(value)s is not an allowed value; allowed: %(items)s")
            % {"value": text, "items": ", ".join(allowed_names(BY_KEY[key].choices))},
        )

    def choices(self, key: str) -> list[str]:
        text = self.text(key)
        out: list[str] = []
        table = choice_lookup(BY_KEY[key].choices)
        for part in re.split(r"[,;/\n]|\s+dan\s+|\s+and\s+|\s*&\s*|\s*\+\s*", text):
            part = part.strip()
            if not part:
                continue
            value = table.get(normalize(part))
            if value is None:
                self._bad_choice(key, part)
            elif value not in out:
                out.append(value)
        return out

    def urls(self, key: str) -> list[str]:
        out: list[str] = []
        for part in re.split(r"[\s,;]+", self.text(key)):
            if not part:
                continue
            url = part if "://" in part else f"https://{part}"
            if url_problem(url) is not None or ("://" not in part and host_of(part) is None):
                self.problem(
                    key,
                    Code.BAD_URL,
                    _("%(value)s is not a web address.") % {"value": part},
                )
            elif url not in out:
                out.append(url)
        if len(out) > MAX_URLS:
            self.problem(
                key, Code.TOO_LONG, _("At most %(count)s web addresses.") % {"count": MAX_URLS}
            )
        return out

    def domain(self, key: str) -> str:
        text = self.text(key)
        if text and host_of(text) is None:
            self.problem(
                key, Code.BAD_DOMAIN, _("%(value)s is not a domain name.") % {"value": text}
            )
            return ""
        return text.lower()

    def unit(self, key: str, text: str | None = None) -> Unit | None:
        text = self.text(key) if text is None else text
        if not text:
            return None
        unit, code, hint = self.units.find(text)
        if code is Code.AMBIGUOUS_UNIT:
            self.problem(
                key,
                code,
                _("%(value)s names several units: %(names)s; write the full name.")
                % {"value": text, "names": hint},
            )
        elif code is Code.UNKNOWN_UNIT:
            message = _("Unknown unit %(value)s.") % {"value": text}
            if hint:
                message += " " + _("Did you mean: %(names)s?") % {"names": hint}
            self.problem(key, code, message)
        return unit

    def unit_list(self, key: str) -> list[Unit]:
        out: list[Unit] = []
        # Unit names contain commas ("Dinas Komunikasi, Informatika dan Statistik"): only
        # semicolons and line breaks separate them.
        for part in re.split(r"[;\n]", self.text(key)):
            unit = self.unit(key, part.strip()) if part.strip() else None
            if unit is not None and unit not in out:
                out.append(unit)
        return out

    def year(self, key: str) -> int | None:
        value = self.raw(key)
        if _is_blank(value):
            return None
        if isinstance(value, dt.date):
            value = value.year
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        text = re.sub(r"\.0+$", "", text.strip())
        latest = timezone.localdate().year + 1
        if not re.fullmatch(r"\d{4}", text) or not EARLIEST_YEAR <= int(text) <= latest:
            self.problem(
                key,
                Code.BAD_YEAR,
                _("%(value)s is not a year between %(first)s and %(last)s.")
                % {"value": text, "first": EARLIEST_YEAR, "last": latest},
            )
            return None
        return int(text)

    def date(self, key: str) -> dt.date | None:
        value = self.raw(key)
        if _is_blank(value):
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problem(
                key,
                Code.BAD_DATE,
                _("%(value)s is not a date; write it as 2024-03-15 or 15/03/2024.")
                % {"value": str(value).strip()},
            )
        return parsed

    def money(self, key: str) -> Decimal | None:
        value = self.raw(key)
        if _is_blank(value):
            return None
        amount = parse_money(value)
        if amount is None:
            self.problem(
                key,
                Code.BAD_MONEY,
                _("%(value)s is not an amount in rupiah.") % {"value": str(value).strip()},
            )
        return amount


MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "pebruari", "february"),
            ("maret", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("agustus", "agu", "agt", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov", "nopember"),
            ("desember", "des", "dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def parse_date(value: Any) -> dt.date | None:
    """A date from a spreadsheet cell: a date cell, ``2024-03-15``, ``15/03/2024``,
    ``15-03-2024``, ``15.03.2024`` (day first, as Indonesia writes it) or ``15 Maret 2024``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).strip().lower().split())
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = re.fullmatch(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})", text)
        if m and m[2] in MONTHS:
            return dt.date(int(m[3]), MONTHS[m[2]], int(m[1]))
    except ValueError:
        return None
    return None


def parse_money(value: Any) -> Decimal | None:
    """Rupiah from a cell: a number, ``1250000000``, ``Rp 1.250.000.000``,
    ``1.250.000.000,00`` or ``1,250,000,000.00``; None when it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"(?i)^\s*(rp\.?|idr)\s*", "", str(value)).replace(" ", "")
        text = re.sub(r",-$", "", text)
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", text):
            text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?", text):
            text = text.replace(",", "")
        elif re.fullmatch(r"\d+,\d{1,2}", text):
            text = text.replace(",", ".")
        elif not re.fullmatch(r"\d+(\.\d{1,2})?", text):
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 16:
        return None
    return amount


def check(
    table: Table,
    mapping: Sequence[str],
    units: Iterable[Unit],
    existing: Iterable[tuple[str, str]],
    vendors: Iterable[str] = (),
) -> Report:
    """Read every row with the mapping and list every problem by row and column. ``existing``
    are the (name, short name) pairs already in the catalogue, ``vendors`` the names of the
    agency's vendors (for the list of vendors the import will enter). Writes nothing."""
    mapping = list(mapping) + [""] * (len(table.headers) - len(mapping))
    report = Report(table=table, mapping=mapping)
    problems = report.problems
    seen_keys: dict[str, int] = {}
    for index, key in enumerate(mapping):
        if not key:
            continue
        if key not in BY_KEY:
            problems.append(
                Problem(
                    table.header_row,
                    table.headers[index],
                    key,
                    Code.UNMAPPED,
                    _("Unknown field %(field)s.") % {"field": key},
                )
            )
        elif key in seen_keys:
            problems.append(
                Problem(
                    table.header_row,
                    table.headers[index],
                    key,
                    Code.MAPPED_TWICE,
                    _("%(field)s is already read from column %(column)s.")
                    % {
                        "field": BY_KEY[key].label,
                        "column": table.headers[seen_keys[key]],
                    },
                )
            )
        else:
            seen_keys[key] = index
    if "name" not in seen_keys:
        problems.append(
            Problem(
                table.header_row,
                "",
                "name",
                Code.UNMAPPED,
                _("No column is read as the application name; choose one."),
            )
        )
    if problems:
        return report
    unit_table = _Units(units)
    taken: dict[str, str] = {}
    for name, short in existing:
        for value in (name, short):
            if value:
                taken[normalize(value)] = value
    in_file: dict[str, int] = {}
    known_vendors = {normalize(v): v for v in vendors}
    new_vendors: dict[str, str] = {}
    for number, cells in table.rows:
        values = {key: (table.headers[i], cells[i]) for key, i in seen_keys.items()}
        reader = _RowReader(number, values, unit_table, problems)
        parsed = _read_row(reader)
        report.rows.append(parsed)
        app = parsed.application
        if not app.name:
            reader.problem("name", Code.MISSING, _("The application name is missing."))
        for key, value in (("name", app.name), ("short_name", app.short_name)):
            if not value:
                continue
            norm = normalize(value)
            if norm in taken:
                reader.problem(
                    key,
                    Code.DUPLICATE_IN_CATALOGUE,
                    _("%(value)s is already in the catalogue.") % {"value": value},
                )
            elif norm in in_file and in_file[norm] != number:
                reader.problem(
                    key,
                    Code.DUPLICATE_IN_FILE,
                    _("%(value)s is already on row %(row)s of this file.")
                    % {"value": value, "row": in_file[norm]},
                )
            else:
                in_file.setdefault(norm, number)
        contract_vendor = parsed.contract.vendor_name if parsed.contract else ""
        for vendor in (parsed.developer_vendor, contract_vendor):
            if vendor and normalize(vendor) not in known_vendors:
                new_vendors.setdefault(normalize(vendor), vendor)
    report.new_vendors = sorted(new_vendors.values())
    return report


def _read_row(r: _RowReader) -> ParsedRow:
    developer_kind = r.choice("developer_kind")
    developer_text = r.text("developer")
    developer_unit = None
    developer_vendor = ""
    if developer_text:
        if developer_kind == DeveloperKind.VENDOR:
            developer_vendor = developer_text
        elif developer_kind == DeveloperKind.INTERNAL:
            developer_unit = r.unit("developer", developer_text)
        else:
            # Without the kind: one of the agency's units is its internal team, any other
            # name a vendor.
            unit, _code, _hint = r.units.find(developer_text)
            if unit is not None:
                developer_unit, developer_kind = unit, DeveloperKind.INTERNAL
            else:
                developer_vendor, developer_kind = developer_text, DeveloperKind.VENDOR
    app = ApplicationInput(
        name=r.text("name"),
        short_name=r.text("short_name"),
        description=r.text("description"),
        scope=r.choice("scope"),
        service_kind=r.choice("service_kind"),
        function=r.text("function"),
        legal_basis=r.text("legal_basis"),
        platforms=r.choices("platforms"),
        urls=r.urls("urls"),
        owner_unit=r.unit("owner_unit"),
        managing_unit=r.unit("managing_unit"),
        user_units=r.unit_list("user_units"),
        developer_kind=developer_kind,
        developer_unit=developer_unit,
        year_built=r.year("year_built"),
        data_classification=r.choice("data_classification"),
        source_code_location=r.text("source_code_location"),
    )
    stage = r.choice("stage") or Stage.IN_PRODUCTION
    environments: dict[str, EnvironmentInput] = {}
    for kind, (server, domain, database, hosting) in ENVIRONMENT_KEYS.items():
        env = EnvironmentInput(
            server=r.text(server),
            domain=r.domain(domain),
            database=r.text(database),
            hosting=r.text(hosting),
        )
        if any((env.server, env.domain, env.database, env.hosting)):
            environments[kind] = env
    contract = None
    given = {k: r.raw(k) for k in CONTRACT_KEYS if not _is_blank(r.raw(k))}
    if given:
        contract = ContractInput(
            vendor_name=r.text("contract_vendor") or developer_vendor,
            number=r.text("contract_number"),
            signed_on=r.date("contract_date"),
            value=r.money("contract_value"),
            starts_on=r.date("contract_start"),
            ends_on=r.date("contract_end"),
            support_kind=r.choice("support_kind"),
            support_ends_on=r.date("support_end"),
            scope=r.text("contract_scope"),
        )
        if not contract.number:
            r.problem(
                "contract_number",
                Code.MISSING,
                _("The contract has no number; give it, or leave every contract column empty."),
            )
        if not contract.vendor_name:
            r.problem(
                "contract_vendor",
                Code.MISSING,
                _("The contract has no vendor; name it (or the vendor as developer)."),
            )
        if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
            r.problem(
                "contract_end", Code.INCONSISTENT, _("The contract cannot end before it starts.")
            )
        if contract.support_ends_on and not contract.support_kind:
            r.problem(
                "support_kind",
                Code.MISSING,
                _("Say whether it is a warranty or maintenance; allowed: %(items)s")
                % {"items": ", ".join(allowed_names("support_kind"))},
            )
        end = contract.ends_on
        if contract.support_ends_on and end and contract.support_ends_on < end:
            r.problem(
                "support_end",
                Code.INCONSISTENT,
                _("The warranty or maintenance cannot end before the contract ends."),
            )
    return ParsedRow(
        row=r.number,
        application=app,
        stage=stage,
        developer_vendor=developer_vendor,
        environments=environments,
        contract=contract,
    )


# --- writing ---------------------------------------------------------------------------------


def latest_contract(app: Application) -> Contract | None:
    """The contract a spreadsheet row carries: the one that started last."""
    contracts = list(app.contracts.all())
    if not contracts:
        return None
    return max(
        contracts, key=lambda c: (c.starts_on or dt.date.min, c.signed_on or dt.date.min, c.pk)
    )


def export_rows(apps: Iterable[Application]) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per application, in the import's columns. Expects the
    applications with their units, developer, environments, user units and contracts
    (prefetched)."""
    headers = [c.header for c in COLUMNS]
    rows = []
    for app in apps:
        envs = {e.kind: e for e in app.environments.all()}
        contract = latest_contract(app)
        developer = app.developer
        values: dict[str, Any] = {
            "name": app.name,
            "short_name": app.short_name,
            "description": app.description,
            "scope": choice_name("scope", app.scope) if app.scope else "",
            "service_kind": choice_name("service_kind", app.service_kind)
            if app.service_kind
            else "",
            "function": app.function,
            "legal_basis": app.legal_basis,
            "platforms": ", ".join(choice_name("platforms", p) for p in app.platforms),
            "urls": "\n".join(app.urls),
            "owner_unit": app.owner_unit.name if app.owner_unit else "",
            "managing_unit": app.managing_unit.name if app.managing_unit else "",
            "user_units": "; ".join(u.name for u in app.user_units.all()),
            "developer_kind": choice_name("developer_kind", app.developer_kind)
            if app.developer_kind
            else "",
            "developer": developer.name if developer is not None else "",
            "stage": choice_name("stage", app.stage),
            "year_built": app.year_built,
            "data_classification": choice_name("data_classification", app.data_classification)
            if app.data_classification
            else "",
            "source_code_location": app.source_code_location,
        }
        for kind, keys in ENVIRONMENT_KEYS.items():
            env = envs.get(kind)
            for key, attr in zip(keys, ("server", "domain", "database", "hosting"), strict=True):
                values[key] = getattr(env, attr) if env is not None else ""
        if contract is not None:
            values.update(
                {
                    "contract_vendor": contract.vendor.name,
                    "contract_number": contract.number,
                    "contract_date": contract.signed_on,
                    "contract_value": contract.value,
                    "contract_start": contract.starts_on,
                    "contract_end": contract.ends_on,
                    "support_kind": choice_name("support_kind", contract.support_kind)
                    if contract.support_kind
                    else "",
                    "support_end": contract.support_ends_on,
                    "contract_scope": contract.scope,
                }
            )
        rows.append([values.get(c.key) for c in COLUMNS])
    return headers, rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8). Text
    that a spreadsheet program would take for a formula is written with a leading
    apostrophe (:mod:`laksana.tabular`); reading the file back removes it."""

    def cell(value: Any) -> Any:
        if isinstance(value, Decimal):  # a number stays a number, never escaped
            return Decimal(_cell_text(value))
        return value if isinstance(value, int | float) else _cell_text(value)

    return tabular.csv_bytes([list(headers), *([cell(v) for v in row] for row in rows)])


def to_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "",
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = (),
) -> bytes:
    """An XLSX workbook: the sheet "Aplikasi" with the rows (dates as dates, money as
    numbers), the domain modules' ``sheets`` (name, headers, rows), and a sheet "Petunjuk"
    listing the allowed values of the choice columns."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = tabular.new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Aplikasi"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    standard = list(headers) == [c.header for c in COLUMNS]
    kinds = [c.kind for c in COLUMNS] if standard else [Kind.TEXT] * len(headers)
    for row in rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral() else float(value)
            out.append(value if value not in ("",) else None)
        sheet.append(out)
        line = sheet.max_row
        for i, kind in enumerate(kinds, start=1):
            cell = sheet.cell(row=line, column=i)
            if kind is Kind.DATE and cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
            elif kind is Kind.MONEY and cell.value is not None:
                cell.number_format = "#,##0"
            elif kind in (Kind.LONG_TEXT, Kind.URLS, Kind.UNITS):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, header in enumerate(headers, start=1):
        width = 40 if kinds[i - 1] in (Kind.LONG_TEXT, Kind.URLS, Kind.UNITS) else 22
        sheet.column_dimensions[get_column_letter(i)].width = max(width, len(header) + 2)
    sheet.freeze_panes = "B2"
    for name, extra_headers, extra_rows in sheets:
        other = book.create_sheet(name)
        other.append(list(extra_headers))
        for cell in other[1]:
            cell.font = Font(bold=True)
        for values in extra_rows:
            other.append([None if v == "" else v for v in values])
        for i, header in enumerate(extra_headers, start=1):
            other.column_dimensions[get_column_letter(i)].width = max(16, len(header) + 2)
    notes = book.create_sheet("Petunjuk")
    notes.append([title or "Katalog aplikasi"])
    notes.append([])
    notes.append(["Kolom", "Nilai yang diterima"])
    for col in COLUMNS:
        if col.choices:
            notes.append([col.header, ", ".join(allowed_names(col.choices))])
    notes.append(["Tanggal", "2024-03-15 atau 15/03/2024"])
    notes.append(["Unit", "nama atau nama singkat unit; beberapa unit dipisah dengan ;"])
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 90
    return tabular.workbook_bytes(book)  # text that looks like a formula stays text
