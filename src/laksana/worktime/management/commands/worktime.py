"""``laksana worktime due|holidays``: working-time arithmetic from the command line.

- ``due START DURATION [--tz ZONE]`` prints when a step started at START with the time
  standard DURATION ("1 jam", "±3 Hari") is due under the default national calendar of ZONE
  (default Asia/Jakarta), as ISO 8601 with the offset. A START without an offset is read as
  local time in ZONE.
- ``holidays YEAR`` lists the national holidays and cuti bersama: date, weekday, name.

Bad input (an unreadable time, a duration without a unit, an unknown zone) is one line on
standard error and exit status 2, never a traceback. Nothing here touches the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.engine.timetext import TimeTextError, parse_time
from laksana.engine.worktime import WEEKDAYS_ID, WorkTimeError, national_calendar, resolve_zone


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Working time: due times and the national non-working days."

    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        due = actions.add_parser(
            "due", help="Print when a step with a time standard is due (working time)."
        )
        due.add_argument(
            "start",
            metavar="START",
            help="start time, ISO 8601 (2026-05-06T15:30+07:00); without an offset it is "
            "local time in ZONE",
        )
        due.add_argument("duration", metavar="DURATION", help="time standard, e.g. '1 jam'")
        due.add_argument(
            "--tz",
            default="Asia/Jakarta",
            metavar="ZONE",
            help="the agency's zone: Asia/Jakarta (WIB, default), Asia/Makassar (WITA), "
            "Asia/Jayapura (WIT)",
        )

        days = actions.add_parser(
            "holidays", help="List the national holidays and cuti bersama of a year."
        )
        days.add_argument("year", metavar="YEAR", help="e.g. 2026")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            self.due(options["start"], options["duration"], options["tz"])
        else:
            self.holidays(options["year"])

    def due(self, start_text: str, duration: str, zone_name: str) -> None:
        try:
            zone = resolve_zone(zone_name)
        except WorkTimeError as exc:
            raise _bad(str(exc)) from None
        try:
            start = datetime.fromisoformat(start_text.strip())
        except ValueError:
            raise _bad(
                f"cannot read the start time {start_text!r}: write ISO 8601, e.g. "
                "2026-05-06T15:30+07:00"
            ) from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=zone)
        try:
            standard = parse_time(duration)
        except TimeTextError as exc:
            raise _bad(str(exc)) from None
        try:
            due = national_calendar(zone.key).due(start, standard)
        except WorkTimeError as exc:
            raise _bad(str(exc)) from None
        self.stdout.write(due.isoformat())

    def holidays(self, year_text: str) -> None:
        try:
            year = int(year_text)
        except ValueError:
            year = 0
        if not 1 <= year <= 9999:
            raise _bad(f"cannot read the year {year_text!r}: write it as four digits, e.g. 2026")
        for day, name in national_calendar().non_working_days(year):
            self.stdout.write(f"{day.isoformat()}  {WEEKDAYS_ID[day.weekday()]:<6}  {name}")
