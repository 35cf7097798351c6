"""``laksana sla sweep|enqueue-every``: the SLA sweep from the command line.

- ``sweep [--now ISO]`` runs the sweep once, here and now, and prints how many steps got
  each notice. Run it from cron, or by hand.
- ``enqueue-every SECONDS`` queues the ``sweep_due_steps`` task every SECONDS seconds, for
  deployments without cron; the database worker (``laksana db_worker``) runs it. It runs
  until it is stopped (Ctrl-C or SIGTERM). Each time it also queues ``seal_journal``, the
  journal's daily seal (``laksana journal seal``), which seals each day once it is over.

The sweep is idempotent: running it again, or in two places at once, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from laksana.cases import sla
from laksana.ops import ticker


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "SLA sweep: almost-due, overdue and escalation notices for active steps, and notices "
        "of dispositions past their deadline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        sweep = actions.add_parser("sweep", help="Run the sweep once and print the counts.")
        sweep.add_argument(
            "--now",
            metavar="ISO",
            help="sweep as if it were this time (ISO 8601 with an offset); default: now",
        )
        every = actions.add_parser(
            "enqueue-every",
            help="Queue the sweep task every SECONDS seconds until stopped (no cron needed).",
        )
        every.add_argument("seconds", metavar="SECONDS", type=float)
        every.add_argument(
            "--times", type=int, default=0, help="stop after queueing this many times"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.sweep(options["now"])
        else:
            self.enqueue_every(options["seconds"], options["times"], options["verbosity"])

    def sweep(self, now_text: str | None) -> None:
        now = None
        if now_text:
            try:
                now = dt.datetime.fromisoformat(now_text.strip())
            except ValueError:
                raise _bad(f"cannot read the time {now_text!r}: write ISO 8601") from None
            if timezone.is_naive(now):
                raise _bad(f"the time {now_text!r} needs an offset, e.g. +07:00")
        result = sla.sweep(now)
        self.stdout.write(
            f"almost due: {result.near_due}, overdue: {result.overdue}, "
            f"escalated: {result.escalated}, "
            f"dispositions past their deadline: {result.dispositions_overdue}, "
            f"notifications: {result.notifications}"
        )

    def enqueue_every(self, seconds: float, times: int, verbosity: int) -> None:
        from laksana.cases.tasks import seal_journal, sweep_due_steps
        from laksana.outbox import services as outbox

        if not seconds > 0:
            raise _bad("SECONDS must be more than 0")

        def tick() -> None:
            result = sweep_due_steps.enqueue()
            # The journal's daily seal rides along: it seals a day once it is over, and costs
            # a few reads when there is nothing to seal.
            seal_journal.enqueue()
            # E-mails committed after the worker's last pass are not left waiting.
            outbox.wake_if_waiting()
            # The domain modules' periodic tasks (laksana.ops.ticker.register_periodic).
            ticker.enqueue_periodic()
            if verbosity > 1:
                self.stdout.write(f"queued the SLA sweep ({result.id})")

        count = ticker.every(seconds, tick, times=times)
        self.stdout.write(f"queued the SLA sweep {count} times")
