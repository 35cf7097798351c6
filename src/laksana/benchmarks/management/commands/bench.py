"""``laksana bench``: the speed and memory benchmarks (see laksana.benchmarks.run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from laksana.benchmarks import run


class Command(BaseCommand):
    help = (
        "Run the benchmarks (engine, service level, SpiffWorkflow peer, HTTP, data at scale) "
        "on scratch databases and print the figures. --quick: under a minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="*")

    def run_from_argv(self, argv: list[str]) -> None:
        # The benchmark has its own argument parser (it runs without touching the configured
        # database); pass everything after "bench" to it.
        raise SystemExit(run.main(argv[2:]))

    def handle(self, *args: Any, **options: Any) -> None:
        raise SystemExit(run.main(list(args)))
