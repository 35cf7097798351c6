"""``laksana quality install-checklist --application ID [--as USERNAME]``: install the OWASP
ASVS 4.0.3 level 1 checklist (:mod:`laksana.quality.security`) as a security scenario set of
an application. Without ``--as`` it is installed by the operator (no person); with it, as
that person, with the same rules as on the screen (the agency's catalogue keepers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.errors import ServiceError
from laksana.org.models import Person
from laksana.quality import security


class Command(BaseCommand):
    help = "The testing module's tasks: install the security checklist."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser(
            "install-checklist",
            help="Install the OWASP ASVS 4.0.3 level 1 checklist as a security scenario set.",
        )
        install.add_argument("--application", type=int, required=True, help="the application's id")
        install.add_argument("--as", dest="username", help="install as this person (sign-in name)")

    def handle(self, *args: Any, **options: Any) -> None:
        person: Person | None = None
        if options["username"]:
            person = Person.objects.filter(user__username=options["username"]).first()
            if person is None:
                raise CommandError(f"no person signs in as {options['username']!r}")
        try:
            made = security.install_checklist(person, options["application"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        count = made.scenarios.count()
        self.stdout.write(
            f"{made.name}: set {made.pk} of {made.application}, {count} scenarios (revision "
            f"{made.revision})"
        )
