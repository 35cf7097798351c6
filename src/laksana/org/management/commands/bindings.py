"""``laksana bindings check``: every unbound actor of every published procedure, per agency.

An agency is checked for a procedure when it runs it: it has published it, or has bindings or
cases for it; its own latest version is checked. A step of an unbound actor is offered to
nobody, and an agency with bindings but no version of its own cannot open cases, so the
command exits with status 1 when it finds either (for CI and deployment checks).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.org import services


class Command(BaseCommand):
    help = "Check that every actor of every procedure an agency runs is bound."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "check",
            help="List unbound actors per agency and procedure; exit 1 when there are any.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked = missing = 0
        for key in services.published_keys():
            for agency in services.agencies_running(key):
                checked += 1
                version = services.latest_version(agency, key)
                if version is None:
                    # Bindings or cases, but no version of its own: it cannot open cases.
                    missing += 1
                    self.stdout.write(f"{agency.slug} / {key}: not published by the agency")
                    continue
                unbound = services.unbound(agency, version)
                label = f"{agency.slug} / {key} (v{version.number})"
                if not unbound:
                    self.stdout.write(f"{label}: all actors bound")
                    continue
                missing += len(unbound)
                self.stdout.write(f"{label}: {len(unbound)} unbound")
                for actor in unbound:
                    self.stdout.write(f"  {actor.id} ({actor.name}, {actor.kind.value})")
        if missing:
            raise CommandError(
                f"{missing} unbound actor(s) in {checked} agency procedure(s); bind them at "
                "/organisasi/ or in the admin."
            )
        self.stdout.write(f"bindings ok: {checked} agency procedure(s) checked")
