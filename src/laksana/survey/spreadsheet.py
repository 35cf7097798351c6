"""Answers read from a spreadsheet (CSV or XLSX): one row per respondent, the scores in
columns ``U1`` … ``U9`` (1 to 4), optionally the profile (``Umur``, ``Jenis Kelamin``,
``Pendidikan``, ``Pekerjaan``) and ``Saran``.

The header row is found among the sheet's first rows; each following row is checked with
:func:`laksana.survey.answers.check` and every problem is named by the spreadsheet's row
number (the header's row counts, as the spreadsheet program numbers them) and the column's
header as written. A sheet of the older 14-unsur instrument (Kepmenpan 25/2004) is
recognised and refused: its index is not the one of PermenPANRB 14/2017. Nothing is read
from a sheet with a problem.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from laksana.cases.uploads import UploadRejected, check_zip
from laksana.errors import ServiceError
from laksana.survey import answers
from laksana.survey.models import UNSUR_COUNT

MAX_ROWS = 200_000
MAX_BYTES = 60 * 1024 * 1024
MAX_COLUMNS = 64
HEADER_SEARCH_ROWS = 10
MAX_LISTED = 50
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SCORE = re.compile(r"^(?:u|unsur|p|pertanyaan|q)(\d{1,2})$")

_PROFILE_HEADERS = {
    "age": ("umur", "usia", "age"),
    "sex": ("jeniskelamin", "jk", "kelamin", "sex", "gender"),
    "education": ("pendidikan", "pendidikanterakhir", "education"),
    "occupation": ("pekerjaan", "pekerjaanutama", "occupation", "job"),
    "suggestion": ("saran", "sarandanmasukan", "saranmasukan", "masukan", "suggestion"),
}
_HEADER_NAMES = {alias: name for name, aliases in _PROFILE_HEADERS.items() for alias in aliases}

# Spreadsheets' words for the profile's choices (normalised: lower case, letters and digits).
_VALUES: dict[str, dict[str, str]] = {
    "sex": {
        "l": "L", "lk": "L", "lakilaki": "L", "pria": "L", "male": "L", "m": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P",
    },
    "education": {
        "sd": "sd", "sdkebawah": "sd", "sdsederajat": "sd", "smp": "smp", "sltp": "smp",
        "mts": "smp", "sma": "sma", "smk": "sma", "slta": "sma", "ma": "sma", "smasmk": "sma",
        "d1": "d1_d3", "d2": "d1_d3", "d3": "d1_d3", "diploma": "d1_d3", "d1d3": "d1_d3",
        "d4": "d4_s1", "s1": "d4_s1", "d4s1": "d4_s1", "sarjana": "d4_s1", "s2": "s2",
        "magister": "s2", "s3": "s3", "doktor": "s3",
    },
    "occupation": {
        "pns": "pns", "pppk": "pns", "asn": "pns", "pnspppk": "pns", "tni": "tni_polri",
        "polri": "tni_polri", "tnipolri": "tni_polri", "swasta": "swasta",
        "pegawaiswasta": "swasta", "karyawanswasta": "swasta", "wirausaha": "wirausaha",
        "wiraswasta": "wirausaha", "pelajar": "pelajar", "mahasiswa": "pelajar",
        "pelajarmahasiswa": "pelajar", "lainnya": "lainnya", "lain": "lainnya",
        "lainlain": "lainnya",
    },
}  # fmt: skip


def _key(value: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower()) if value is not None else ""


def _invalid(message: str, items: Sequence[str] = ()) -> ServiceError:
    return ServiceError("invalid_file", message, field="file", items=items)


def _old_format() -> ServiceError:
    return ServiceError(
        "old_format",
        _(
            "This sheet has 14 unsur: it is the instrument of Kepmenpan No. 25/2004 (each unsur "
            "weighted 0,071), replaced by the nine unsur of PermenPANRB No. 14/2017. Its index "
            "is not the IKM of the current regulation; nothing was read. Give the answers to "
            "the nine unsur in columns U1 to U9."
        ),
        field="file",
    )


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_rows(data: bytes) -> Iterable[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid(
            _("The file is neither an XLSX workbook nor a UTF-8 CSV file; save it as one.")
        ) from None
    if "\x00" in text:
        raise _invalid(_("The file is neither an XLSX workbook nor a CSV file."))
    head = text[: 64 * 1024]
    delimiter = ","
    best = (-1, -1)
    for candidate in (",", ";", "\t"):
        try:
            top = list(itertools.islice(csv.reader(io.StringIO(head), delimiter=candidate), 10))
        except csv.Error:
            continue
        found = max((sum(1 for c in r if _SCORE.match(_key(c))) for r in top), default=0)
        score = (found, max((len(r) for r in top), default=0))
        if score > best:
            delimiter, best = candidate, score
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise _invalid(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            check_zip(_("The file"), data, _XLSX)
        except UploadRejected as exc:
            raise _invalid(str(exc)) from exc
    book = None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book[book.sheetnames[0]]
        return [
            list(row)
            for row in sheet.iter_rows(
                max_row=MAX_ROWS + HEADER_SEARCH_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
            )
        ]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _invalid(_("The file cannot be read as an XLSX workbook.")) from exc
    finally:
        if book is not None:
            book.close()


def _header(rows: list[list[Any]]) -> tuple[int, dict[int, str], dict[str, str]]:
    """The header's index among ``rows``, the columns read (index -> field name) and the
    headers as written (field name -> header)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        numbers = {}
        for position, cell in enumerate(row):
            match = _SCORE.match(_key(cell))
            if match:
                numbers[position] = int(match.group(1))
        if not numbers:
            continue
        if max(numbers.values()) > UNSUR_COUNT or len(numbers) > UNSUR_COUNT:
            raise _old_format()
        columns: dict[int, str] = {}
        written: dict[str, str] = {}
        for position, cell in enumerate(row):
            if position in numbers:
                name = f"u{numbers[position]}"
            else:
                name = _HEADER_NAMES.get(_key(cell), "")
            if name and name not in written:
                columns[position] = name
                written[name] = str(cell).strip()
        missing = [f"U{i}" for i in range(1, UNSUR_COUNT + 1) if f"u{i}" not in written]
        if missing:
            raise _invalid(
                _("The header row (row %(row)s) lacks the columns %(columns)s.")
                % {"row": index + 1, "columns": ", ".join(missing)}
            )
        return index, columns, written
    # No header: a grid of 14 scores per row is the old instrument's.
    data_rows = [r for r in rows[:HEADER_SEARCH_ROWS] if any(not _blank(c) for c in r)]
    if data_rows and all(
        sum(1 for c in r if answers._int(c) in (1, 2, 3, 4)) >= 14 for r in data_rows
    ):
        raise _old_format()
    raise _invalid(
        _("No header row with the columns U1 to U9 in the first %(count)s rows.")
        % {"count": HEADER_SEARCH_ROWS}
    )


def _mapped(name: str, value: Any) -> Any:
    if name in _VALUES and isinstance(value, str):
        return _VALUES[name].get(_key(value), value)
    if name == "suggestion" and value is not None and not isinstance(value, str):
        return str(value)
    return value


def read(data: bytes, file_name: str) -> list[dict[str, Any]]:
    """The answers of the spreadsheet ``data`` (CSV or XLSX), each the values of
    :func:`laksana.survey.answers.check`; ServiceError ``invalid_file`` listing the problems
    by row and column, or ``old_format`` for the 14-unsur instrument."""
    if len(data) > MAX_BYTES:
        raise _invalid(
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise _invalid(_("The file is empty."))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _invalid(
            _("This is an old Excel file (.xls); save it as .xlsx or .csv and upload it again.")
        )
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        source: Iterable[list[Any]] = iter(_xlsx_rows(data))
    else:
        source = _csv_rows(data)
    source = iter(source)
    top = list(itertools.islice(source, HEADER_SEARCH_ROWS))
    header_index, columns, written = _header(top)
    rows = itertools.chain(top[header_index + 1 :], source)
    found: list[dict[str, Any]] = []
    problems: list[str] = []
    counted = 0
    for number, row in enumerate(rows, start=header_index + 2):
        if all(_blank(c) for c in row):
            continue
        counted += 1
        if counted > MAX_ROWS:
            raise _invalid(
                _("The sheet has more than %(max)s rows of answers.") % {"max": f"{MAX_ROWS:,}"}
            )
        values = {
            name: _mapped(name, _cell(row[position]) if position < len(row) else None)
            for position, name in columns.items()
        }
        checked = answers.check(values)
        for name, text in checked.problems.items():
            problems.append(
                _("row %(row)s, column %(column)s: %(problem)s")
                % {"row": number, "column": written.get(name, name), "problem": text}
            )
        if not checked.problems:
            found.append(checked.values)
    if problems:
        listed = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            listed.append(
                _("… and %(count)s more problems") % {"count": len(problems) - MAX_LISTED}
            )
        raise _invalid(
            _("%(count)s problem(s) in the sheet; nothing was read. First: %(first)s")
            % {"count": len(problems), "first": problems[0]},
            listed,
        )
    if not found:
        raise _invalid(_("The sheet has no rows of answers below its header."))
    return found
