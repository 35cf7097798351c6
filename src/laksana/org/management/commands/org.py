"""``laksana org import FILE --agency SLUG [--dry-run] [--by USERNAME]``: an agency's staff
from a personnel system's (SIMPEG's) export, CSV or XLSX (:mod:`laksana.org.staffimport`).

``laksana org ldap --agency SLUG --url URL --base DN [--bind-dn DN --password-env VAR]
[--mapping openldap|ad] [--start-tls] [--dry-run] [--by USERNAME]``: the same import from the
agency's directory (:mod:`laksana.org.ldapsource`); a problem names the row and the entry's DN.

``laksana org agency create SLUG --name ... --short-name ... --unit ... --admin USERNAME
--admin-name ... --admin-email ... [--time-zone ...]``: a new agency with its top unit and its
first administrator, whose password is read from ``LAKSANA_ADMIN_PASSWORD`` or asked for
(:mod:`laksana.org.bootstrap`).

Prints the plan: units and positions created, people created, changed (field: before →
after) and unchanged, and the agency's people not in the file (never removed). With problems
it lists every one by row and column, writes nothing and exits with status 1; ``--dry-run``
writes nothing either (status 0 when the file has no problem).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.errors import ServiceError
from laksana.org import bootstrap, ldapsource, staffimport, staffsheet
from laksana.org.models import Agency, Person, TimeZone
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
        ldap = sub.add_parser("ldap", help="Import the staff from the agency's LDAP directory.")
        ldap.add_argument("--agency", required=True, help="the agency's slug")
        ldap.add_argument("--url", required=True, help="ldap://host:389 or ldaps://host:636")
        ldap.add_argument("--base", required=True, help="the search base, e.g. dc=kab,dc=go,dc=id")
        ldap.add_argument("--bind-dn", default="", help="the account to read as (else anonymous)")
        ldap.add_argument(
            "--password-env",
            default="LAKSANA_LDAP_PASSWORD",
            help="the environment variable holding the bind password",
        )
        ldap.add_argument("--mapping", choices=sorted(ldapsource.MAPPINGS), default="openldap")
        ldap.add_argument("--start-tls", action="store_true", help="upgrade ldap:// with StartTLS")
        ldap.add_argument("--dry-run", action="store_true", help="check every entry, write nothing")
        ldap.add_argument("--by", default="", help="the username recorded as who imported")
        agency = sub.add_parser("agency", help="Agencies of the installation.")
        agency_sub = agency.add_subparsers(dest="agency_action", required=True)
        create = agency_sub.add_parser("create", help="A new agency and its first administrator.")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--short-name", required=True)
        create.add_argument("--unit", required=True, help="the name of its top unit")
        create.add_argument("--admin", required=True, help="the administrator's username")
        create.add_argument("--admin-name", required=True)
        create.add_argument("--admin-email", required=True)
        create.add_argument("--time-zone", choices=TimeZone.values, default=TimeZone.WIB)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "agency":
            self.create_agency(options)
            return
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
        if options["action"] == "ldap":
            self.from_directory(agency, by, options)
            return
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

    def from_directory(self, agency: Agency, by: Person | None, options: dict[str, Any]) -> None:
        directory = ldapsource.Directory(
            url=options["url"],
            base=options["base"],
            bind_dn=options["bind_dn"],
            password=os.environ.get(options["password_env"], ""),
            mapping=ldapsource.MAPPINGS[options["mapping"]],
            start_tls=options["start_tls"],
        )
        try:
            entries = ldapsource.read(directory)
        except ldapsource.DirectoryError as exc:
            raise CommandError(str(exc)) from exc
        grid = [list(ldapsource.COLUMNS)] + [
            [e.row[c] for c in ldapsource.COLUMNS] for e in entries
        ]
        # Row 1 is the header; entry i is row i + 2.
        dn_of_row = {number: e.dn for number, e in enumerate(entries, start=2)}
        label = f"ldap: {options['url']}"
        try:
            sheet = staffsheet.sheet_of(grid)
            plan = staffimport.import_sheet(agency, sheet, label, by, dry_run=options["dry_run"])
        except staffimport.StaffFileError as exc:
            raise CommandError(f"{label}: {exc.message}") from exc
        if not plan.ok:
            for problem in plan.problems:
                self.stderr.write(f"{problem} [{dn_of_row.get(problem.row, '?')}]")
            raise CommandError(
                f"{len(plan.problems)} problem(s) in the directory; nothing was written.",
                returncode=1,
            )
        self.stdout.write(f"{len(entries)} person entries read from {options['base']}")
        self.write_plan(plan)
        if plan.written:
            self.stdout.write(self.style.SUCCESS(f"{label}: imported into {agency.slug}"))
        else:
            self.stdout.write(f"{label}: no problems (dry run: nothing was written)")

    def create_agency(self, options: dict[str, Any]) -> None:
        password = os.environ.get("LAKSANA_ADMIN_PASSWORD") or getpass.getpass(
            f"Password for {options['admin']}: "
        )
        new = bootstrap.NewAgency(
            name=options["name"],
            short_name=options["short_name"],
            slug=options["slug"],
            unit_name=options["unit"],
            admin_username=options["admin"],
            admin_name=options["admin_name"],
            admin_email=options["admin_email"],
            admin_password=password,
            time_zone=options["time_zone"],
        )
        try:
            agency, admin = bootstrap.create_agency(new)
        except ServiceError as exc:
            raise CommandError(f"{exc.field}: {exc.message}", returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"agency {agency.slug} created; {admin.name} ({options['admin']}) administers "
                f"it at /organisasi/{agency.slug}/"
            )
        )

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
