"""``laksana backup [-o FILE.tar.gz]``: one archive of the database snapshot and the files.

Safe while the server runs. Without ``-o`` the archive goes to
``<data folder>/backups/laksana-backup-<UTC time>.tar.gz``. See docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (a consistent snapshot) and the uploaded files to one archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="the archive to write (.tar.gz); default: a time-stamped name in "
            "<data folder>/backups/",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_backup(options.get("output"))
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc.message}", returncode=exc.status) from exc
        m = result.manifest
        c = m["counts"]
        self.stdout.write(
            f"backup written: {result.path}\n"
            f"  {m['backend']} database: {c.get('cases.Case', 0)} cases, "
            f"{c.get('cases.CaseStep', 0)} steps, {c.get('cases.JournalEntry', 0)} journal "
            f"entries, {c.get('org.Person', 0)} people\n"
            f"  files: {m['files']['count']} ({m['files']['bytes']} bytes)"
        )
        if result.missing:
            self.stderr.write(
                f"warning: {len(result.missing)} file(s) the database refers to were not in the "
                f"files folder (listed in the manifest), first: {result.missing[0]}"
            )
