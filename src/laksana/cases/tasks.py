"""Background tasks of the cases app, on the tasks API of django-tasks (Django 6's
``django.tasks``, backported), queued in the database by django-tasks-db and run by its
worker (``laksana db_worker``)."""

from __future__ import annotations

from django_tasks import task

from laksana.cases import sla


@task()
def sweep_due_steps() -> dict[str, int]:
    """The SLA sweep (:func:`laksana.cases.sla.sweep`) at the time the worker runs it:
    almost-due, overdue and escalation notices. Returns the counts, kept with the result."""
    return sla.sweep().as_dict()
