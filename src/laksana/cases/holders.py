"""Who plays an actor in a case: the people a step is offered to.

Bound actors (positions, people, teams) come from the agency's ActorBindings; the requesting
unit and the vendor are resolved from the case itself; a chosen actor is the person chosen
for it when the case opened (:class:`~laksana.cases.models.CaseActor`), or, in a case opened
automatically (nobody chose), the agency's binding of that actor. A vendor's employee holds
nothing on a case unless a contract of the vendor for the case's application is in its period
today (:mod:`laksana.cases.vendors`), whichever way the actor reaches them.
"""

from __future__ import annotations

from django.db.models import ManyToManyField, Q, QuerySet

from laksana.cases import store, vendors
from laksana.cases.models import Case, CaseActor
from laksana.cases.sharedsteps import bound_copies, bound_shared
from laksana.engine.spec import ActorKind
from laksana.org.models import ActorBinding, Person


def chosen_id(case: Case, actor_key: str) -> int | None:
    """The id of the person chosen for ``actor_key`` when ``case`` opened; None if nobody was
    (a case opened automatically: the agency's binding of the actor stands in)."""
    found = (
        CaseActor.objects.filter(case_id=case.pk, actor_key=actor_key)
        .values_list("person_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def holders(case: Case, actor_key: str) -> QuerySet[Person]:
    """Everyone who may take a step of ``actor_key`` in ``case``."""
    actor = case.version.spec.actor(actor_key)
    chosen = chosen_id(case, actor_key) if actor.kind is ActorKind.CHOSEN else None
    if chosen is not None:
        return Person.objects.filter(pk=chosen)
    if actor.kind is ActorKind.REQUESTING_UNIT:
        return Person.objects.filter(unit_id=case.requesting_unit_id)
    if actor.kind is ActorKind.VENDOR:
        on = vendors.case_day(case)
        vendor = case.application.current_vendor(on) if case.application else None
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
    acting = vendors.acting_people(case)
    if binding.person_id:
        return Person.objects.filter(acting, pk=binding.person_id)
    if binding.position_id:
        return Person.objects.filter(acting, positions=binding.position_id)
    assert binding.unit_id is not None  # the check constraint: exactly one target
    return Person.objects.filter(acting, unit_id=binding.unit_id)


def _positions_table() -> tuple[str, str, str]:
    field = Person._meta.get_field("positions")
    assert isinstance(field, ManyToManyField)
    through = field.remote_field.through
    assert through is not None
    return (through._meta.db_table, field.m2m_column_name(), field.m2m_reverse_name())


def holds(person: Person, case: Case, actor_key: str) -> bool:
    """Whether ``person`` is among :func:`holders` (the same rule, in at most one query)."""
    actor = case.version.spec.actor(actor_key)
    if actor.kind is ActorKind.REQUESTING_UNIT:
        return person.unit_id == case.requesting_unit_id
    if actor.kind is ActorKind.VENDOR:
        return holders(case, actor_key).filter(pk=person.pk).exists()
    chosen = chosen_id(case, actor_key) if actor.kind is ActorKind.CHOSEN else None
    if chosen is not None:
        return chosen == person.pk
    if person.vendor_id is not None and not vendors.may_act(person, case):
        return False
    table, person_col, position_col = _positions_table()
    rows = store.fetch(
        "SELECT b.person_id, b.unit_id, b.position_id, "
        f"(SELECT COUNT(*) FROM {table} pp WHERE pp.{person_col} = %s "
        f"AND pp.{position_col} = b.position_id) "
        "FROM org_actorbinding b "
        "WHERE b.agency_id = %s AND b.procedure_key = %s AND b.actor_key = %s",
        [person.pk, case.agency_id, case.version.procedure_key, actor_key],
    )
    if not rows:
        return False
    person_id, unit_id, position_id, holds_position = rows[0]
    if person_id:
        return bool(person_id == person.pk)
    if position_id:
        return bool(holds_position)
    return bool(unit_id == person.unit_id)


def holder_contacts(case: Case, actor_key: str) -> list[tuple[int, str]]:
    """(id, e-mail) of :func:`holders`, for notices: the same rule, in one query."""
    actor = case.version.spec.actor(actor_key)
    chosen = chosen_id(case, actor_key) if actor.kind is ActorKind.CHOSEN else None
    if chosen is not None:
        return list(Person.objects.filter(pk=chosen).values_list("pk", "email"))
    if actor.kind is ActorKind.REQUESTING_UNIT or actor.kind is ActorKind.VENDOR:
        return list(holders(case, actor_key).order_by("pk").values_list("pk", "email"))
    table, person_col, position_col = _positions_table()
    acting, acting_params = vendors.acting_people_sql("p", case)
    binding = f"b.agency_id = %s AND b.procedure_key = %s AND b.actor_key = %s AND {acting}"
    key = [case.agency_id, case.version.procedure_key, actor_key, *acting_params]
    rows = store.fetch(
        "SELECT p.id, p.email FROM org_person p JOIN org_actorbinding b ON b.person_id = p.id "
        f"WHERE {binding} "
        "UNION SELECT p.id, p.email FROM org_person p JOIN org_actorbinding b "
        f"ON b.unit_id = p.unit_id WHERE {binding} "
        f"UNION SELECT p.id, p.email FROM org_person p JOIN {table} pp ON pp.{person_col} = p.id "
        f"JOIN org_actorbinding b ON b.position_id = pp.{position_col} WHERE {binding} "
        "ORDER BY 1",
        key * 3,
    )
    return [(int(pk), email or "") for pk, email in rows]


def bound_actor_filter(person_ids: set[int]) -> Q:
    """A Case filter: cases whose active steps are of an actor bound to any of these people
    (as the step's actor, or its joint or any-of actor), or that have a completed step copied
    to such an actor."""
    people = Person.objects.filter(pk__in=person_ids)
    bindings = (
        ActorBinding.objects.filter(
            Q(person__in=people) | Q(position__holders__in=people) | Q(unit__members__in=people)
        )
        .values_list("agency_id", "procedure_key", "actor_key")
        .distinct()
    )
    q = Q(pk__in=[])
    bound: dict[tuple[int, str], set[str]] = {}
    for agency_id, procedure_key, actor_key in bindings:
        bound.setdefault((agency_id, procedure_key), set()).add(actor_key)
        q |= Q(
            agency_id=agency_id,
            version__procedure_key=procedure_key,
            steps__actor_key=actor_key,
            steps__status="active",
        )
    # The steps those actors do jointly with, or instead of, the step's own actor while
    # active; the steps copied to them (tembusan) once completed: read, never act.
    for status, found in (("active", bound_shared(bound)), ("completed", bound_copies(bound))):
        for agency_id, version_id, keys in found:
            q |= Q(
                agency_id=agency_id,
                version_id=version_id,
                steps__step_key__in=keys,
                steps__status=status,
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
