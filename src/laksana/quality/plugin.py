"""The testing module on the registry of artifact types (:mod:`laksana.cases.artifacts`).

To be written (runs helper): resolvers for quality.test_scenarios and security.test_report,
producers for minutes.sit/minutes.uat/security.test_report pointing to the run screen, and
the outcome read from a run's minutes.
"""

from __future__ import annotations


def register() -> None:
    """Called from QualityConfig.ready()."""
