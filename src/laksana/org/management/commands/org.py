"""``laksana org import FILE --agency SLUG [--dry-run] [--by USERNAME]``: an agency's staff
from a personnel system's (SIMPEG's) export, CSV or XLSX (:mod:`laksana.org.staffimport`).

Prints the plan: units and positions created, people created, changed (field: before →
after) and unchanged, and the agency's people not in the file (never removed). With problems
it lists every one by row and column, writes nothing and exits with status 1; ``--dry-run``
writes nothing either (status 0 when the file has no problem).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.org import staffimport
from laksana.org.models import Agency, Person
from laksana.org.staffimport import Plan


class Command(BaseCommand):
    help = "Organisation tasks: import an agency's staff from a SIMPEG export (CSV/XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a staff list (all rows or none).")
        imp.add_argument("file", help="an .xlsx or .csv file")
        imp.add_argument("--agency", required=True, help="the agency's slug")
        imp.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        imp.add_argument("--by", default="", help="the username recorded as who imported")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            slugs = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency {options['agency']!r}; agencies: {slugs or 'none'}")
        by = None
        if options["by"]:
            user = get_user_model().objects.filter(username=options["by"]).first()
            by = Person.objects.filter(user=user).first() if user else None
            if by is None:
                raise CommandError(f"No person with the username {options['by']!r}")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        try:
            plan = staffimport.import_staff(
                agency, content, path.name, by, dry_run=options["dry_run"]
            )
        except staffimport.StaffFileError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from exc
        if not plan.ok:
            for problem in plan.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{len(plan.problems)} problem(s) in the file; nothing was written.",
                returncode=1,
            )
        self.write_plan(plan)
        if plan.written:
            self.stdout.write(self.style.SUCCESS(f"{path.name}: imported into {agency.slug}"))
        else:
            self.stdout.write(f"{path.name}: no problems (dry run: nothing was written)")

    def write_plan(self, plan: Plan) -> None:
        out = self.stdout.write
        for name in plan.new_units:
            out(f"new unit: {name} (under {plan.new_units_parent or 'the top'})")
        for position, unit in plan.new_positions:
            out(f"new position: {position} ({unit})")
        for r in plan.created:
            out(f"new person: {r.name} ({r.nip}), {r.after['position']}, {r.after['unit']}")
        for r in plan.changed:
            out(f"changed: {r.name} ({r.nip})")
            for field, before, after in r.changes:
                out(f"  {field}: {before or '-'} → {after or '-'}")
        out(f"unchanged: {len(plan.unchanged)} person(s)")
        for p in plan.absent:
            out(f"not in the file (kept): {p.name} ({p.nip or 'no NIP'})")
