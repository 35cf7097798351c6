from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """`laksana bench`: the speed and memory benchmarks, run on demand."""

    name = "laksana.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
