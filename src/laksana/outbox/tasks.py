"""The outbox's task, run by the task worker (``laksana db_worker``)."""

from __future__ import annotations

from django_tasks import task

from laksana.outbox import services


@task()
def send_outbox() -> dict[str, int]:
    """Send the e-mails that are due (:func:`laksana.outbox.services.run`); returns the counts,
    kept with the result."""
    return services.run().as_dict()
