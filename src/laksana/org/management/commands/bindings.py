"""``laksana bindings check [--agency SLUG]``: whether every procedure an agency offers can run.

Every agency is checked for every procedure it has published (its own latest version of each),
whether or not it has bindings or cases yet; an agency with bindings or cases of a procedure
but no version of its own is listed too (it cannot open cases). Per agency and procedure it
lists:

* unbound actors (a step of theirs is offered to nobody) — a problem;
* actors bound to nobody who can do their steps (a position nobody holds, a unit with no
  members, a person who cannot sign in; :mod:`laksana.org.reach`) — a problem;
* the disposition warnings of :mod:`laksana.org.reach` (a disposition that cannot reach the
  people bound to the next step, a holder outside every chain) — warnings only.

The command exits with status 1 when it finds a problem (for CI and deployment checks), with a
summary of the problems' numbers; warnings alone leave the status 0.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.org import reach, services
from laksana.org.models import Agency


class Command(BaseCommand):
    help = "Check that every actor of every procedure an agency offers is bound to someone."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "check",
            help="List unbound actors, actors nobody can play, and disposition warnings; "
            "exit 1 when an actor is unbound or nobody can play it.",
        )
        check.add_argument("--agency", metavar="SLUG", help="Check only this agency.")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.order_by("name")
        if options.get("agency"):
            agencies = agencies.filter(slug=options["agency"])
            if not agencies.exists():
                raise CommandError(f"No agency {options['agency']!r}.")
        checked = unbound = nobody = warnings = failing = 0
        for agency in agencies:
            people = reach.members(agency)
            keys = sorted(set(services.procedures_run_by(agency)) | services.published_by(agency))
            for key in keys:
                checked += 1
                version = services.latest_version(agency, key)
                if version is None:
                    # Bindings or cases, but no version of its own: it cannot open cases.
                    failing += 1
                    self.stdout.write(f"{agency.slug} / {key}: not published by the agency")
                    continue
                missing = services.unbound(agency, version)
                found = reach.findings(agency, version, people)
                problems = [f for f in found if f.is_problem]
                label = f"{agency.slug} / {key} (v{version.number})"
                unbound += len(missing)
                nobody += len(problems)
                warnings += len(found) - len(problems)
                failing += bool(missing or problems)
                if not missing and not found:
                    self.stdout.write(f"{label}: all actors bound")
                    continue
                self.stdout.write(
                    f"{label}: {len(missing)} unbound, {len(problems)} nobody can play, "
                    f"{len(found) - len(problems)} warning(s)"
                )
                for actor in missing:
                    self.stdout.write(f"  {actor.id} ({actor.name}, {actor.kind.value}): unbound")
                for f in found:
                    steps = f" [steps {', '.join(f.steps)}]" if f.steps else ""
                    self.stdout.write(f"  {f.actor}: {f.severity} {f.code}{steps}: {f.message}")
        if failing:
            raise CommandError(
                f"{failing} of {checked} agency procedure(s) cannot run as bound: "
                f"{unbound} unbound actor(s), {nobody} actor(s) nobody can play "
                f"({warnings} warning(s)); bind them at /organisasi/."
            )
        self.stdout.write(
            f"bindings ok: {checked} agency procedure(s) checked, {warnings} warning(s)"
        )
