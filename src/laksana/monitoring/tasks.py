"""The monitoring task, run by a worker of its own: ``laksana db_worker --queue-name
monitoring`` (checks never wait behind e-mails or the SLA sweep on the default queue).
``laksana monitor enqueue-every SECONDS`` queues it every SECONDS seconds."""

from __future__ import annotations

from django_tasks import task

QUEUE = "monitoring"
# The window of a pass queued without one: the checks due in the next this many seconds.
DEFAULT_WINDOW = 10.0


@task(queue_name=QUEUE)
def run_monitors(window: float = DEFAULT_WINDOW) -> dict[str, int]:
    """One scheduler pass (:func:`laksana.monitoring.scheduler.run_pass`) over the checks due
    in the next ``window`` seconds, each started at its due time. Returns how many checks ran
    and how many found their target down, kept with the task's result."""
    from laksana.monitoring import scheduler

    outcomes = scheduler.run_pass(window=window)
    return {"checks": len(outcomes), "down": sum(1 for o in outcomes if not o.ok)}
