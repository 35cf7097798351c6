"""``laksana survey ikm FILE [--population N]``: the index (IKM) of a spreadsheet of answers
(CSV or XLSX, columns U1 … U9, one row per respondent) — respondents, the NRR of each unsur,
the IKM exact and with the rounded weight 0,111, the converted value and the grade — without
writing anything.

``laksana survey import FILE --survey ID [--date YYYY-MM-DD]``: the same file imported into a
survey as the operator, all rows or none.

A bad file is refused with its problems by row and column on standard error and exit code 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.errors import ServiceError
from laksana.survey import imports, index, spreadsheet
from laksana.survey.elements import default_elements, minimum_sample
from laksana.survey.models import UNSUR_COUNT


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Satisfaction surveys: the IKM of a spreadsheet, or its import into a survey."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        ikm = actions.add_parser("ikm", help="Print the IKM of a CSV/XLSX file of answers.")
        ikm.add_argument("file", help="a .csv or .xlsx file, columns U1 … U9")
        ikm.add_argument(
            "--population", type=int, metavar="N", help="people served (for the minimum sample)"
        )
        imp = actions.add_parser("import", help="Import a file's answers into a survey.")
        imp.add_argument("file", help="a .csv or .xlsx file, columns U1 … U9")
        imp.add_argument("--survey", required=True, metavar="ID", help="the survey's id")
        imp.add_argument("--date", metavar="YYYY-MM-DD", help="the answers' date")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _bad(f"{path}: {exc.strerror}") from exc
        try:
            if options["action"] == "ikm":
                self.ikm(path, data, options.get("population"))
            else:
                self.import_file(path, data, options["survey"], options.get("date"))
        except ServiceError as exc:
            for item in exc.items:
                self.stderr.write(f"{path.name}: {item}")
            # The option the refusal concerns: the survey named (not found), or the date.
            option = {"survey": "--survey", "submitted_on": "--date"}.get(
                exc.field or ("survey" if exc.code == "not_found" else ""), ""
            )
            field = f"{option}: " if option else ""
            raise _bad(f"{path.name}: {field}{exc.message}") from exc

    def ikm(self, path: Path, data: bytes, population: int | None) -> None:
        if population is not None and population < 1:
            raise _bad("--population: a whole number of people served, at least 1")
        rows = spreadsheet.read(data, path.name)
        totals = [sum(int(row[f"u{i}"]) for row in rows) for i in range(1, UNSUR_COUNT + 1)]
        result = index.compute(totals, len(rows), default_elements())
        if result is None:  # pragma: no cover - read() refuses a sheet without answers
            raise _bad(f"{path.name}: no answers")
        out = self.stdout.write
        out(f"{path.name}: {result.respondents} respondent(s)")
        for row in result.elements:
            out(
                f"  U{row.position} {row.name}: NRR {index.shown(row.nrr)} "
                f"(x25 {index.shown(row.converted)}, {row.grade.letter})"
            )
        out(f"IKM (weight 1/9, exact): {index.shown(result.ikm)}")
        out(f"IKM (weight rounded to 0,111): {index.shown(result.ikm_0111)}")
        out(f"Converted IKM (x25, exact): {index.shown(result.converted)}")
        out(f"Converted IKM (x25, weight 0,111): {index.shown(result.converted_0111)}")
        out(f"Grade: {result.grade.letter} ({result.grade.label})")
        weakest = ", ".join(f"U{row.position} {row.name}" for row in result.weakest)
        out(f"Weakest unsur: {weakest}")
        if population is not None:
            minimum = minimum_sample(population)
            verdict = "enough" if result.respondents >= minimum else "BELOW the minimum"
            out(
                f"Sample: {result.respondents} of a minimum {minimum} for a population of "
                f"{population} (Krejcie-Morgan): {verdict}"
            )

    def import_file(self, path: Path, data: bytes, survey: str, day: str | None) -> None:
        submitted_on = None
        if day is not None:
            try:
                submitted_on = dt.date.fromisoformat(day)
            except ValueError:
                raise _bad(f"--date: {day!r} is not a date (YYYY-MM-DD)") from None
        batch = imports.import_answers(None, survey, data, path.name, submitted_on=submitted_on)
        self.stdout.write(
            f"{path.name}: {batch.rows} answer(s) imported into survey {batch.survey_id}"
        )
