"""``laksana journal verify``: check every case's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.cases.journal import verify_all


class Command(BaseCommand):
    help = "Work with the case journal."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every case's hash chain; exit 1 at a break.")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = entries = 0
        for case, broken in verify_all():
            if broken is not None:
                raise CommandError(f"journal broken: {broken}")
            cases += 1
            entries += case.journal_seq
        self.stdout.write(f"journal ok: {cases} cases, {entries} entries verified")
