"""``laksana monitor add|run-once|enqueue-every|list|prune``: monitoring from the command line.

- ``add --application ID --url URL [--every SECONDS] [--fail-after N] [--recover-after M]
  [--kind http|tcp|tls|dns] [--name NAME] [--environment ID] [--timeout SECONDS]`` adds a
  monitor as the operator (no person: every agency) and prints its id, nothing else. A bad
  argument is refused naming it (``--every: ...``) with exit code 2, and nothing is written.
- ``run-once [--all]`` runs every due check once, here and now (``--all``: every active
  monitor, whatever its interval), records them (state changes, incidents and cases follow)
  and prints one line per check: ``<id> <name>  up|down  <latency> ms  <reason>``. For cron
  and tests.
- ``enqueue-every SECONDS`` queues the ``run_monitors`` task (a scheduler pass over the next
  SECONDS seconds) on the "monitoring" queue every SECONDS seconds, unless one is still
  queued or running; ``laksana db_worker --queue-name monitoring`` runs them. It runs until
  it is stopped (Ctrl-C or SIGTERM).
- ``list [--agency SLUG]`` prints the monitors and their state; ``prune`` removes check
  results older than ``LAKSANA_MONITOR_RESULT_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from laksana.errors import ServiceError
from laksana.ops import ticker

# MonitorInput's fields (and the services' other field names) as the command's arguments.
ARGUMENTS = {
    "application": "--application",
    "application_id": "--application",
    "target": "--url",
    "url": "--url",
    "interval_seconds": "--every",
    "fail_after": "--fail-after",
    "recover_after": "--recover-after",
    "kind": "--kind",
    "name": "--name",
    "environment": "--environment",
    "environment_id": "--environment",
    "timeout_seconds": "--timeout",
}
# A running pass older than its window and this is taken for one whose worker died (a pass
# lasts its window, a check's timeout (at most 60 s) and the recording of the outcomes).
STALE_SECONDS = 180


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Monitors: add one, run the due checks once, queue the scheduler, list, prune."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        add = actions.add_parser("add", help="Add a monitor (as the operator); print its id.")
        add.add_argument("--application", type=int, required=True, metavar="ID")
        add.add_argument(
            "--url", required=True, help="what is checked: a URL, host:port (tcp, tls) or a name"
        )
        add.add_argument("--every", type=int, default=60, metavar="SECONDS")
        add.add_argument("--fail-after", type=int, default=3, metavar="N")
        add.add_argument("--recover-after", type=int, default=2, metavar="M")
        add.add_argument("--kind", default="http", help="http, tcp, tls or dns")
        add.add_argument("--name", default="")
        add.add_argument("--environment", type=int, metavar="ID")
        add.add_argument("--timeout", type=int, default=10, metavar="SECONDS")
        once = actions.add_parser("run-once", help="Run the due checks once and print them.")
        once.add_argument(
            "--all", action="store_true", dest="all_", help="every active monitor, due or not"
        )
        every = actions.add_parser(
            "enqueue-every", help="Queue a scheduler pass every SECONDS seconds until stopped."
        )
        every.add_argument("seconds", metavar="SECONDS", type=float)
        every.add_argument(
            "--times", type=int, default=0, help="stop after this many ticks (tests)"
        )
        listing = actions.add_parser("list", help="List the monitors and their state.")
        listing.add_argument("--agency", metavar="SLUG")
        actions.add_parser("prune", help="Remove check results older than the days kept.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self.add(options)
        elif action == "run-once":
            self.run_once(options["all_"])
        elif action == "enqueue-every":
            self.enqueue_every(options["seconds"], options["times"], options["verbosity"])
        elif action == "list":
            self.list(options["agency"])
        else:
            from laksana.monitoring import state

            self.stdout.write(f"removed {state.prune_results()} check results")

    def add(self, options: dict[str, Any]) -> None:
        from laksana.catalog.inputs import InvalidInput
        from laksana.catalog.models import Application
        from laksana.monitoring import services

        application_id = options["application"]
        if not Application.objects.filter(pk=application_id).exists():
            raise _bad(f"--application: no application {application_id}")
        data = services.MonitorInput(
            name=options["name"],
            kind=options["kind"],
            target=options["url"],
            environment_id=options["environment"],
            interval_seconds=options["every"],
            timeout_seconds=options["timeout"],
            fail_after=options["fail_after"],
            recover_after=options["recover_after"],
        )
        try:
            monitor = services.add_monitor(None, application_id, data)
        except InvalidInput as exc:
            lines = [
                f"{ARGUMENTS.get(field, field)}: {message}"
                for field, messages in exc.errors.items()
                for message in messages
            ]
            raise _bad("\n".join(lines)) from None
        except ServiceError as exc:
            where = ARGUMENTS.get(exc.field or "", "--application")
            raise _bad(f"{where}: {exc.message}") from None
        self.stdout.write(str(monitor.pk))

    def run_once(self, all_: bool) -> None:
        from laksana.monitoring import probes, scheduler
        from laksana.monitoring.models import Monitor

        outcomes = scheduler.run_pass(window=0.0, all_=all_)
        names = dict(
            Monitor.objects.filter(pk__in=[o.monitor_id for o in outcomes]).values_list(
                "pk", "name"
            )
        )
        for outcome in sorted(outcomes, key=lambda o: o.monitor_id):
            latency = "-" if outcome.latency_ms is None else str(outcome.latency_ms)
            reason = probes.describe(outcome.error, outcome.detail)
            self.stdout.write(
                f"{outcome.monitor_id} {names.get(outcome.monitor_id, '')}  "
                f"{'up' if outcome.ok else 'down'}  {latency} ms  {reason}".rstrip()
            )

    def enqueue_every(self, seconds: float, times: int, verbosity: int) -> None:
        from laksana.monitoring.tasks import run_monitors

        if not 1 <= seconds <= 3600:
            raise _bad("SECONDS: must be between 1 and 3600")
        queued = 0

        def tick() -> None:
            nonlocal queued
            if not pass_waiting(seconds):
                result = run_monitors.enqueue(window=seconds)
                queued += 1
                if verbosity > 1:
                    self.stdout.write(f"queued a monitoring pass ({result.id})")

        ticker.every(seconds, tick, times=times)
        self.stdout.write(f"queued a monitoring pass {queued} times")

    def list(self, agency_slug: str | None) -> None:
        from laksana.monitoring.models import Monitor

        rows = Monitor.objects.select_related("agency").order_by("agency__slug", "name", "pk")
        if agency_slug:
            rows = rows.filter(agency__slug=agency_slug)
        for m in rows:
            active = "" if m.active else "  (inactive)"
            self.stdout.write(
                f"{m.pk} {m.agency.slug} {m.name}  {m.kind} {m.target}  "
                f"every {m.interval_seconds} s  {m.state}{active}"
            )


def pass_waiting(window: float) -> bool:
    """Whether a monitoring pass is queued, or running and started recently enough to be
    alive: within its ``window`` and :data:`STALE_SECONDS` (a worker that died leaves its
    task "running" for ever)."""
    from django_tasks_db.models import DBTaskResult

    from laksana.monitoring.tasks import run_monitors

    mine = DBTaskResult.objects.filter(task_path=run_monitors.module_path)
    alive = timezone.now() - dt.timedelta(seconds=window + STALE_SECONDS)
    return (
        mine.filter(status="READY").exists()
        or mine.filter(status="RUNNING", started_at__gte=alive).exists()
    )
