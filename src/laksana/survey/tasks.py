"""Background tasks of the survey module, queued with the SLA sweep (``laksana sla
enqueue-every``, through :func:`laksana.ops.ticker.register_periodic`) and run by the task
worker."""

from __future__ import annotations

from django_tasks import task

from laksana.survey import invitations


@task()
def send_invitations() -> dict[str, int]:
    """The invitations' pass (:func:`laksana.survey.invitations.send_due`) at the time the
    worker runs it: the due invitations sent, the overdue ones expired. Returns the counts,
    kept with the result."""
    return invitations.send_due()
