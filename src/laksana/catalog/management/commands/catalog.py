"""``laksana catalog import FILE --agency SLUG [--dry-run]`` and
``laksana catalog export --agency SLUG -o FILE``: the application inventory as a spreadsheet.

The import reads an XLSX or CSV file, maps its columns from their headers (Indonesian or
English), and lists every problem by row and column; with problems (or ``--dry-run``) it
writes nothing and exits with status 1 (0 for a clean dry run). Without problems it imports
every row in one transaction. The export writes XLSX or CSV, chosen by the file's extension
(``-`` writes CSV to standard output); it imports again unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.catalog import columns, services, sheets, spreadsheet
from laksana.catalog.models import Application
from laksana.catalog.views import export_queryset
from laksana.org.models import Agency


class Command(BaseCommand):
    help = "Import an application inventory (XLSX/CSV) into an agency's catalogue, or export it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import an inventory spreadsheet (all rows or none).")
        imp.add_argument("file", help="an .xlsx or .csv file")
        imp.add_argument("--agency", required=True, help="the agency's slug")
        imp.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        exp = sub.add_parser("export", help="Export an agency's catalogue as XLSX or CSV.")
        exp.add_argument("--agency", required=True, help="the agency's slug")
        exp.add_argument(
            "-o", "--output", required=True, help="a .xlsx or .csv file, or - for CSV on stdout"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            slugs = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency {options['agency']!r}; agencies: {slugs or 'none'}")
        if options["action"] == "import":
            self.import_file(agency, Path(options["file"]), dry_run=options["dry_run"])
        else:
            self.export(agency, options["output"])

    def import_file(self, agency: Agency, path: Path, *, dry_run: bool) -> None:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        try:
            table = spreadsheet.read_table(content, path.name)
        except spreadsheet.TableError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        mapping = spreadsheet.guess_mapping(table.headers)
        for header, key in zip(table.headers, mapping, strict=True):
            column = columns.BY_KEY.get(key)
            self.stdout.write(
                f"  {header or '-'} -> {column.header if column else '(not imported)'}"
            )
        report = services.import_applications(
            None, agency, table, mapping, dry_run=dry_run, source=path.name
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{len(report.problems)} problem(s) in {len(table.rows)} row(s); nothing was "
                "written."
            )
        if report.new_vendors:
            self.stdout.write("new vendors: " + ", ".join(report.new_vendors))
        if dry_run:
            self.stdout.write(
                f"{path.name}: {len(report.rows)} application(s), no problems (dry run: "
                "nothing was written)"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path.name}: {len(report.created)} application(s) imported into {agency.slug}"
                )
            )

    def export(self, agency: Agency, output: str) -> None:
        apps = list(export_queryset(None, Application.objects.filter(agency=agency)))
        headers, rows = spreadsheet.export_rows(apps)
        if output == "-":
            sys.stdout.buffer.write(spreadsheet.to_csv(headers, rows))
            return
        path = Path(output)
        if path.suffix.lower() == ".csv":
            data = spreadsheet.to_csv(headers, rows)
        elif path.suffix.lower() == ".xlsx":
            data = spreadsheet.to_xlsx(
                headers,
                rows,
                title=f"Katalog aplikasi {agency.name}",
                sheets=sheets.exported(None, apps),
            )
        else:
            raise CommandError("The output must end in .xlsx or .csv (or be - for CSV).")
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        self.stdout.write(f"{len(rows)} application(s) of {agency.slug} written to {path}")
