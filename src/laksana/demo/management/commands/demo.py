"""``laksana demo``: fill an empty database with demo agencies, people and cases.

Idempotent: on a database that already has the demo agencies it says so and changes nothing.
Either way it ends with the table of demo logins and their password.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from laksana.cases.models import CaseStatus
from laksana.demo.build import build_demo, demo_agencies, demo_logins
from laksana.demo.orgs import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Fill an empty database with demo agencies, people and cases (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        present = list(demo_agencies().order_by("name"))
        if present:
            self.stdout.write(
                _("Demo data is already in this database (%(agencies)s); nothing was changed.")
                % {"agencies": ", ".join(str(a) for a in present)}
            )
        else:
            try:
                demo = build_demo()
            except IntegrityError as exc:
                raise CommandError(
                    _(
                        "The demo could not be written (a demo login name or NIP is already "
                        "in use?); nothing was changed: %(error)s"
                    )
                    % {"error": exc}
                ) from exc
            running = sum(1 for c in demo.cases.values() if c.status == CaseStatus.RUNNING)
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo data written: %(agencies)s agencies, %(people)s people, "
                        "%(cases)s cases (%(running)s running)."
                    )
                    % {
                        "agencies": len(demo.orgs),
                        "people": sum(len(o.people) for o in demo.orgs.values()),
                        "cases": len(demo.cases),
                        "running": running,
                    }
                )
            )
            if not demo.admin_created:
                self.stdout.write(_("A user 'admin' already existed; it was left as it was."))
        self._print_logins()

    def _print_logins(self) -> None:
        logins = demo_logins()
        header = (_("username"), _("name"), _("role / position"), _("agency"))
        rows = [header] + [(x.username, x.name, x.role, x.agency) for x in logins]
        widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
        self.stdout.write("")
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(
            _("Password for every demo login: %(password)s") % {"password": DEMO_PASSWORD}
        )
