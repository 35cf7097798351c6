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


@task()
def seal_journal() -> dict[str, int]:
    """The journal's daily seal (:func:`laksana.cases.seals.seal_due`): every complete day
    not sealed yet, of every agency. Queued with the SLA sweep by ``laksana sla
    enqueue-every``; when every day is sealed it only reads each agency's last seal."""
    from laksana.cases import seals

    return {"sealed": len(seals.seal_due())}
