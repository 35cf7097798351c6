"""``laksana document verify FILE.pdf``: is a copy of an official document genuine?

Exit status 0, printing the number, title, date and signers, for the exact file of a final
document; 1 saying why otherwise (unknown, altered, not final, not a PDF or unreadable); 2 for
a command that cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.documents import verification
from laksana.documents.models import SignatoryRole

MAX_FILE = 200 * 1024 * 1024  # no official document is larger


class Command(BaseCommand):
    help = "Work with official documents: verify a copy (exit 1 if it is not genuine)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Is FILE the genuine final document? Exit 1 if not.")
        verify.add_argument("file", metavar="FILE.pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def verify(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_FILE:
                raise CommandError(f"{path}: too large to be a document", returncode=1)
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})", returncode=1) from None
        verdict = verification.check_pdf(data)
        if not verdict.genuine or verdict.document is None:
            raise CommandError(f"{path}: {verdict.status}: {verdict.message}", returncode=1)
        doc = verdict.document
        self.stdout.write(f"genuine: {path}")
        self.stdout.write(f"number: {doc.number}")
        self.stdout.write(f"title: {doc.title}")
        self.stdout.write(f"date: {doc.date.isoformat()}")
        for s in doc.signatories.select_related("person").order_by("order", "pk"):
            role = "signed" if s.role == SignatoryRole.SIGN else "initialled"
            when = s.acted_at.isoformat(timespec="minutes") if s.acted_at else "-"
            label = f" ({s.label})" if s.label else ""
            self.stdout.write(f"{role}: {s.person.name}{label} {when}")
        self.stdout.write(f"sha256: {doc.pdf_sha256}")
