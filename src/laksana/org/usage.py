"""What still uses a record an administrator wants to remove, in words for the refusal.

A person who opened, held, signed or sent anything keeps their row for the evidence: the
relations that protect them (and their case participations and actor bindings) are counted
here, so a removal is refused naming what uses the person instead of failing in the database.
"""

from __future__ import annotations

from django.db import models

from laksana.org.models import Person

# Cascading relations that are still evidence or still decide who acts.
_KEEPING = frozenset({"Participation", "ActorBinding"})


def person_uses(person: Person) -> list[str]:
    """``"<count> <records>"`` for each kind of record that keeps ``person`` from removal."""
    found: list[str] = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue
        model = rel.related_model
        if model is None or isinstance(model, str):
            continue
        field = rel.field  # type: ignore[union-attr]
        protects = rel.on_delete is models.PROTECT  # type: ignore[union-attr]
        if not protects and model.__name__ not in _KEEPING:
            continue
        count = model._default_manager.filter(**{field.name: person}).count()
        if count:
            found.append(f"{count} {model._meta.verbose_name_plural}")
    return found
