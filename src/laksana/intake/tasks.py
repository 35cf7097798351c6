"""Background tasks of the public desk, queued with the SLA sweep (``laksana sla
enqueue-every``, through :func:`laksana.ops.ticker.register_periodic`) and run by the task
worker."""

from __future__ import annotations

from django_tasks import task

PERIODIC = "intake"


@task()
def sweep() -> dict[str, int]:
    """The public desk's pass (:func:`laksana.intake.guard.sweep`): requests not confirmed in
    time expired, past hours' counts and stale form tokens deleted. Returns the counts."""
    from laksana.intake import guard

    return guard.sweep()


def _enqueue() -> object:
    return sweep.enqueue()


def register() -> None:
    """Called from the app's ready(): the periodic pass."""
    from laksana.ops import ticker

    ticker.register_periodic(PERIODIC, _enqueue)
