"""Background tasks of the maintenance module, queued with the SLA sweep (``laksana sla
enqueue-every``, through :func:`laksana.ops.ticker.register_periodic`) and run by the task
worker."""

from __future__ import annotations

from django_tasks import task

from laksana.maintenance import schedule


@task()
def sweep_maintenance() -> dict[str, int]:
    """The maintenance sweep (:func:`laksana.maintenance.schedule.sweep`) at the time the
    worker runs it: activities opened ahead of their due day, late notices and escalations.
    Returns the counts, kept with the result."""
    return schedule.sweep().as_dict()
