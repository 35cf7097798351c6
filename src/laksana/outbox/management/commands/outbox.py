"""``laksana outbox send|list``: the e-mail outbox from the command line.

- ``send`` sends the messages that are due now, here (what the task worker does), and prints
  the counts; for a server without the worker running, or to flush the queue by hand.
- ``list [--status waiting|sent|failed] [--limit N]`` prints the latest messages, one a line:
  id, status, attempts, recipient, subject and the last error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from laksana.outbox import services
from laksana.outbox.models import Message, MessageStatus

_STATUSES = {
    "waiting": MessageStatus.PENDING,
    "sent": MessageStatus.SENT,
    "failed": MessageStatus.FAILED,
}


class Command(BaseCommand):
    help = "The e-mail outbox: send what is due, or list the messages."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        actions.add_parser("send", help="Send the messages that are due and print the counts.")
        listing = actions.add_parser("list", help="Print the latest messages.")
        listing.add_argument("--status", choices=sorted(_STATUSES))
        listing.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            done = services.run()
            self.stdout.write(
                f"sent: {done.sent}, to try again: {done.retry}, given up: {done.failed}"
            )
            return
        found = Message.objects.order_by("-created_at", "-pk")
        if options["status"]:
            found = found.filter(status=_STATUSES[options["status"]])
        for m in found[: max(options["limit"], 0)]:
            error = f"  [{m.last_error}]" if m.last_error else ""
            self.stdout.write(f"{m.pk}\t{m.status}\t{m.attempts}\t{m.to}\t{m.subject}{error}")
