"""Who plays an actor in a case: the people a step is offered to.

Bound actors (positions, people, teams) come from the agency's ActorBindings; the requesting
unit and the vendor are resolved from the case itself.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from laksana.cases.models import Case
from laksana.engine.spec import ActorKind
from laksana.org.models import ActorBinding, Person


def holders(case: Case, actor_key: str) -> QuerySet[Person]:
    """Everyone who may take a step of ``actor_key`` in ``case``."""
    actor = case.version.spec.actor(actor_key)
    if actor.kind is ActorKind.REQUESTING_UNIT:
        return Person.objects.filter(unit_id=case.requesting_unit_id)
    if actor.kind is ActorKind.VENDOR:
        vendor = case.application.current_vendor() if case.application else None
        if vendor is None:
            return Person.objects.none()
        return Person.objects.filter(vendor=vendor)
    binding = ActorBinding.objects.filter(
        agency_id=case.agency_id,
        procedure_key=case.version.procedure_key,
        actor_key=actor_key,
    ).first()
    if binding is None:
        return Person.objects.none()
    if binding.person_id:
        return Person.objects.filter(pk=binding.person_id)
    if binding.position_id:
        return Person.objects.filter(positions=binding.position_id)
    assert binding.unit_id is not None  # the check constraint: exactly one target
    return Person.objects.filter(unit_id=binding.unit_id)


def bound_actor_filter(person_ids: set[int]) -> Q:
    """A Case filter: cases whose active steps are of an actor bound to any of these people."""
    people = Person.objects.filter(pk__in=person_ids)
    bindings = (
        ActorBinding.objects.filter(
            Q(person__in=people) | Q(position__holders__in=people) | Q(unit__members__in=people)
        )
        .values_list("agency_id", "procedure_key", "actor_key")
        .distinct()
    )
    q = Q(pk__in=[])
    for agency_id, procedure_key, actor_key in bindings:
        q |= Q(
            agency_id=agency_id,
            version__procedure_key=procedure_key,
            steps__actor_key=actor_key,
            steps__status="active",
        )
    return q


def unbound_actors(agency_id: int, procedure_key: str, actor_keys: list[str]) -> list[str]:
    """The actors of a procedure that the agency has not bound yet."""
    bound = set(
        ActorBinding.objects.filter(agency_id=agency_id, procedure_key=procedure_key).values_list(
            "actor_key", flat=True
        )
    )
    return [a for a in actor_keys if a not in bound]
