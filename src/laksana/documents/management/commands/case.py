"""``laksana case export REFERENCE -o FILE.zip`` and ``laksana case verify FILE.zip``: the
case dossier, for an archivist or auditor.

Writes the ZIP of :mod:`laksana.documents.dossier` (final documents, attachments, the journal
with its hash chain, the case's identity, a manifest with every member's SHA-256) and prints the
file, how many members it holds and the SHA-256 of its manifest, which pins the whole dossier
when kept elsewhere. The archive is written under a temporary name in the same folder, synced
and renamed into place: an export that fails or is cut short leaves no file under the name.

Exit status 0 when written (a journal that does not verify is exported all the same, with a
warning: the manifest records it); 1 for an unknown case or an output that cannot be written.

``verify`` checks a dossier as the script in docs/dossier.md does, and the manifest's keyed
signature too (so only on the installation that made it, with its journal key); ``--expect``
compares the manifest's SHA-256 with the one kept apart. Exit status 0 when everything matches,
1 naming every problem.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.cases.models import Case
from laksana.documents import dossier


class Command(BaseCommand):
    help = "Work with cases from the command line: export a case's dossier, check one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export",
            help="Write the case's dossier (documents, attachments, journal, manifest) as a ZIP.",
        )
        export.add_argument("reference", help="the case's reference")
        export.add_argument(
            "-o", "--output", required=True, metavar="FILE.zip", help="where to write the ZIP"
        )
        verify = sub.add_parser(
            "verify", help="Check a dossier: members, journal, signature; exit 1 if wrong."
        )
        verify.add_argument("file", metavar="FILE.zip", help="the dossier")
        verify.add_argument(
            "--expect", metavar="SHA256", help="the manifest's SHA-256 as kept apart, to compare"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def export(self, options: dict[str, Any]) -> None:
        reference = options["reference"].strip()
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"no case with the reference {reference!r}")
        output = Path(options["output"]).expanduser().absolute()
        if output.is_dir():
            raise CommandError(f"{output} is a folder; give the ZIP's file name")
        if not output.parent.is_dir():
            raise CommandError(f"cannot write {output}: the folder {output.parent} does not exist")
        try:
            fd, temp = tempfile.mkstemp(
                prefix=f".{output.name}.", suffix=".partial", dir=output.parent
            )
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        partial = Path(temp)
        try:
            with os.fdopen(fd, "wb") as raw:
                manifest = dossier.write_dossier(case, raw)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if manifest.journal_break:
            self.stderr.write(
                f"warning: the journal of {reference} does not verify: {manifest.journal_break} "
                "(recorded in the manifest)"
            )
        for problem in manifest.problems:
            self.stderr.write(f"warning: {problem} (recorded in the manifest)")
        self.stdout.write(f"{output}")
        self.stdout.write(f"members: {manifest.count}")
        self.stdout.write(f"manifest sha256: {manifest.sha256}")

    def verify(self, options: dict[str, Any]) -> None:
        path = Path(options["file"]).expanduser()
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            checked = dossier.check_dossier(str(path))
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        problems = list(checked.problems)
        expect = (options["expect"] or "").strip().lower()
        if expect and expect != checked.sha256:
            problems.insert(0, "manifest.json is not the one whose SHA-256 was kept")
        self.stdout.write(f"manifest sha256: {checked.sha256}")
        if problems:
            raise CommandError(
                f"{path}: {len(problems)} problem(s) found:\n  " + "\n  ".join(problems)
            )
        self.stdout.write(
            f"dossier ok: {checked.case}, {checked.members} members, "
            f"{checked.entries} journal entries, signature checked"
        )
