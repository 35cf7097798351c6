"""``laksana restore FILE.tar.gz [--replace] [--check]``: restore a ``laksana backup`` archive.

Exit status: 0 restored and verified; 2 refused, nothing changed (data present without
``--replace``, a damaged archive, another backend, the database in use); 1 restored but the
counts or the journal do not match the backup, or the restore itself failed.
See docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.ops.backup import BackupError, read_archive, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and files folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the archive written by laksana backup")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the database and the files even though they hold data",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the archive (every member against the manifest); change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            if options["check"]:
                checked = read_archive(archive.expanduser().resolve())
                m = checked.manifest
                self.stdout.write(
                    f"archive ok: {len(m['members'])} members match the manifest; "
                    f"{m['backend']} backup made {m['created_at']} by Laksana "
                    f"{m.get('laksana_version', '?')}"
                )
                self._counts(m["counts"], m["counts"])
                return
            report = restore_backup(
                archive, replace=options["replace"], progress=lambda s: self.stdout.write(s)
            )
        except BackupError as exc:
            raise CommandError(f"restore: {exc.message}", returncode=exc.status) from exc
        m = report.manifest
        self.stdout.write(
            f"restored {archive} ({m['backend']} backup made {m['created_at']} by Laksana "
            f"{m.get('laksana_version', '?')})"
        )
        self._counts(report.counts, m["counts"])
        self.stdout.write(f"  files: {report.files[0]} ({report.files[1]} bytes)")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        problems = list(report.count_mismatches)
        if report.file_mismatch:
            problems.append(f"files: {report.file_mismatch}")
        problems += [f"journal: {b}" for b in report.journal_breaks]
        if problems:
            raise CommandError(
                "restored, but it does not match the backup:\n  " + "\n  ".join(problems),
                returncode=1,
            )
        self.stdout.write(
            f"counts match the backup; journal ok: {report.cases_verified} cases verified"
        )

    def _counts(self, counts: dict[str, int], expected: dict[str, int]) -> None:
        width = max((len(k) for k in expected), default=0)
        for label, want in expected.items():
            have = counts.get(label)
            mark = "" if have == want else f"   (backup: {want})"
            self.stdout.write(f"  {label.ljust(width)}  {have if have is not None else '-'}{mark}")
