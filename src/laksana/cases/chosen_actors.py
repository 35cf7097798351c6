"""Actors chosen when a case opens (kind ``chosen``: the owner of the affected system, which
differs per case): who may be chosen, and the record of the choice.

Every chosen actor of the version is given a person when the case opens
(:func:`laksana.cases.services.open_case`), a member of the case's agency's own staff who can
sign in (not a system account, not a vendor's employee). A case opened automatically by a
system account chooses nobody: the agency's binding of the actor stands in
(:func:`laksana.cases.holders.holders`), and without one the case is not opened.

The choice is in the OPENED journal entry (``chosen``: actor key -> person id) and in the
:class:`~laksana.cases.models.CaseActor` rows, which :mod:`laksana.cases.holders` reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseActor
from laksana.engine.spec import Actor, ActorKind
from laksana.errors import ServiceError
from laksana.org.models import ActorBinding, Person
from laksana.procedures.models import ProcedureVersion

FIELD = "chosen_actors"
"""The input the choices are given in (the API's body; the form's fields are per actor)."""


def chosen_actors(version: ProcedureVersion) -> list[Actor]:
    """The actors of the version chosen when a case opens, in the procedure's order."""
    return [a for a in version.spec.actors if a.kind is ActorKind.CHOSEN]


def field_of(actor_key: str) -> str:
    """The field a refusal about one chosen actor names."""
    return f"{FIELD}.{actor_key}"


def may_be_chosen(person: Person, agency_id: int) -> bool:
    """Whether ``person`` may play a chosen actor in a case of the agency: its own staff (not
    a vendor's employee), with an active sign-in (not a system account)."""
    user = person.user if person.user_id is not None else None
    return (
        person.agency_id == agency_id
        and person.vendor_id is None
        and user is not None
        and user.is_active
    )


def candidates(agency_id: int) -> list[Person]:
    """Everyone who may be chosen in the agency, by name (the open-case form's lists)."""
    people = Person.objects.filter(
        agency_id=agency_id, vendor__isnull=True, user__isnull=False, user__is_active=True
    ).select_related("unit")
    return list(people.order_by("name", "pk"))


def unbound_for_automatic(version: ProcedureVersion) -> list[Actor]:
    """The chosen actors of the version that its agency has not bound: a case opened
    automatically (nobody to choose) cannot be opened while there are any."""
    actors = chosen_actors(version)
    bound = set(
        ActorBinding.objects.filter(
            agency_id=version.agency_id,
            procedure_key=version.procedure_key,
            actor_key__in=[a.id for a in actors],
        ).values_list("actor_key", flat=True)
    )
    return [a for a in actors if a.id not in bound]


def check(
    version: ProcedureVersion, chosen: Mapping[str, Person], *, automatic: bool
) -> dict[str, Person]:
    """The choices, checked: every chosen actor of the version given (a case opened
    automatically gives none, and each actor must then be bound), nothing else, each by a
    person who may be chosen. Raises :class:`ServiceError` naming the actor."""
    actors = {a.id: a for a in chosen_actors(version)}
    for key in chosen:
        if key not in actors:
            allowed = ", ".join(sorted(actors)) or "-"
            raise ServiceError(
                "invalid",
                _(
                    "The procedure has no actor %(actor)s chosen when a case opens "
                    "(allowed: %(allowed)s)."
                )
                % {"actor": key, "allowed": allowed},
                field=field_of(key),
            )
    if automatic:
        for actor in unbound_for_automatic(version):
            if actor.id not in chosen:
                key = actor.id
                raise ServiceError(
                    "unbound",
                    _(
                        "%(actor)s is chosen when a case opens and the agency has bound nobody "
                        "to it for cases opened automatically."
                    )
                    % {"actor": actor.name},
                    field=field_of(key),
                )
    for key, actor in actors.items():
        person = chosen.get(key)
        if person is None:
            if automatic:
                continue
            raise ServiceError(
                "required",
                _("Choose who is %(actor)s in this case.") % {"actor": actor.name},
                field=field_of(key),
            )
        if person.agency_id != version.agency_id:
            # Another agency's person is not named, as if there were no such person.
            raise ServiceError(
                "invalid", _("There is no such person in your agency."), field=field_of(key)
            )
        if not may_be_chosen(person, version.agency_id):
            raise ServiceError(
                "invalid",
                _(
                    "%(name)s cannot be %(actor)s: choose a member of your agency's staff who "
                    "can sign in (not a system account or a vendor's employee)."
                )
                % {"name": person.name, "actor": actor.name},
                field=field_of(key),
            )
    return {key: chosen[key] for key in actors if key in chosen}


def record(case: Case, chosen: Mapping[str, Person], by: Person, at: dt.datetime) -> None:
    """Write the choices of a case being opened (checked by :func:`check`)."""
    CaseActor.objects.bulk_create(
        [
            CaseActor(case=case, actor_key=key, person=person, chosen_by=by, chosen_at=at)
            for key, person in chosen.items()
        ]
    )


def journal_data(chosen: Mapping[str, Person]) -> dict[str, dict[str, object]]:
    """The choices as the OPENED journal entry keeps them."""
    return {key: {"person": p.pk, "name": p.name} for key, p in sorted(chosen.items())}
