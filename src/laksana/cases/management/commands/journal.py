"""``laksana journal verify|seal|seals``: prove the journal was not rewritten.

- ``verify [--no-files] [--expect SLUG:DAY:DIGEST ...]`` checks every case's hash chain, the
  rows the entries cover (steps, dispositions, attachments, the case's status), the
  attachments' files against their SHA-256, the case numbers each agency gave out, and every
  daily seal with the journal key; ``--expect`` also compares seals with values recorded out
  of band. Exit status 1, naming every problem, if anything does not match.
- ``seal [--day DAY] [--agency SLUG] [--now ISO]`` seals every complete day not sealed yet (up
  to DAY); the worker's ``seal_journal`` task does the same daily.
- ``seals [--day DAY] [--agency SLUG] [--last N]`` prints seals for the out-of-band record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from laksana.cases import integrity, seals
from laksana.cases.models import JournalSeal
from laksana.org.models import Agency


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _bad(f"cannot read the day {text!r}: write YYYY-MM-DD") from None


def _expected(text: str) -> tuple[str, dt.date, str]:
    parts = text.strip().split(":")
    digest = parts[-1].lower() if parts else ""
    if len(parts) != 3 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise _bad(f"cannot read {text!r}: write SLUG:YYYY-MM-DD:DIGEST (64 hex digits)")
    return parts[0], _day(parts[1]), digest


class Command(BaseCommand):
    help = "Work with the case journal: verify it, seal complete days, print the seals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Check chains, covered rows, files, case numbers and seals; exit 1 if wrong.",
        )
        verify.add_argument(
            "--no-files", action="store_true", help="do not read the attachments' files"
        )
        verify.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SLUG:DAY:DIGEST",
            help="a seal's value recorded out of band, to compare (repeatable)",
        )
        seal = sub.add_parser("seal", help="Seal every complete day not sealed yet.")
        seal.add_argument("--day", help="seal up to this day (YYYY-MM-DD); default: yesterday")
        seal.add_argument("--agency", metavar="SLUG", help="only this agency")
        seal.add_argument("--now", metavar="ISO", help="seal as if it were this time")
        show = sub.add_parser("seals", help="Print the seals for an out-of-band record.")
        show.add_argument("--day", help="only this day (YYYY-MM-DD)")
        show.add_argument("--agency", metavar="SLUG", help="only this agency")
        show.add_argument("--last", type=int, default=0, help="only the last N days of each")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def _agency(self, slug: str | None) -> Agency | None:
        if slug is None:
            return None
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise _bad(f"no agency {slug!r}")
        return agency

    def verify(self, options: dict[str, Any]) -> None:
        expected = [_expected(t) for t in options["expect"]]
        report = integrity.verify(files=not options["no_files"], expected=expected)
        if report.overdue_entries:
            self.stderr.write(
                f"warning: {report.overdue_entries} entries of days that ended more than a day "
                "ago are under no seal: the daily seal is not running (laksana journal seal, "
                "or the worker with laksana sla enqueue-every), or the newest seals were removed"
            )
        if not report.ok:
            raise CommandError(
                f"journal: {len(report.problems)} problem(s) found:\n  "
                + "\n  ".join(report.problems)
            )
        self.stdout.write(
            f"journal ok: {report.cases} cases, {report.entries} entries verified; "
            f"{report.seals} seal(s) over {report.sealed_entries} entries, "
            f"{report.unsealed_entries} entries not sealed yet"
            + ("; files checked" if not options["no_files"] else "")
            + (f"; {len(expected)} recorded seal(s) match" if expected else "")
        )

    def seal(self, options: dict[str, Any]) -> None:
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"].strip())
            except ValueError:
                raise _bad(f"cannot read the time {options['now']!r}: write ISO 8601") from None
            if timezone.is_naive(now):
                raise _bad(f"the time {options['now']!r} needs an offset, e.g. +07:00")
        until = _day(options["day"]) if options["day"] else None
        try:
            made = seals.seal_due(now, until=until, agency=self._agency(options["agency"]))
        except seals.SealError as exc:
            raise _bad(str(exc)) from exc
        slugs = dict(Agency.objects.values_list("pk", "slug"))
        for seal in made:
            self.stdout.write("sealed " + seals.seal_line(seal, slugs[seal.agency_id]))
        self.stdout.write(f"{len(made)} day(s) sealed")

    def seals(self, options: dict[str, Any]) -> None:
        rows = JournalSeal.objects.order_by("agency__slug", "day")
        agency = self._agency(options["agency"])
        if agency is not None:
            rows = rows.filter(agency=agency)
        if options["day"]:
            rows = rows.filter(day=_day(options["day"]))
        slugs = dict(Agency.objects.values_list("pk", "slug"))
        found = list(rows)
        if options["last"] > 0:
            cut: dict[int, list[JournalSeal]] = {}
            for seal in found:
                cut.setdefault(seal.agency_id, []).append(seal)
            found = [s for chain in cut.values() for s in chain[-options["last"] :]]
        for seal in found:
            self.stdout.write(seals.seal_line(seal, slugs[seal.agency_id]))
        if not found:
            self.stdout.write("no seals")
