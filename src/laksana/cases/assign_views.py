"""The screens' part of who plays a step in one case: the people chosen for the chosen actors
on the open-case form, and the "Alihkan" (reassign) form of a step on the case page
(:mod:`laksana.cases.chosen_actors`, :mod:`laksana.cases.reassign`: the services decide)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laksana.cases import chosen_actors, reassign, services
from laksana.cases.models import Case, CaseStep
from laksana.org.models import Person
from laksana.procedures.models import ProcedureVersion


@dataclass(frozen=True)
class ChosenField:
    """One person select of the open-case form: a chosen actor of one procedure."""

    version: ProcedureVersion
    actor_key: str
    actor_name: str
    description: str
    name: str  # the form field's name
    value: str  # what was selected
    error: str


def field_name(version: ProcedureVersion, actor_key: str) -> str:
    return f"chosen-{version.pk}-{actor_key}"


def chosen_fields(
    versions: Sequence[ProcedureVersion],
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> list[ChosenField]:
    """The person selects of every offered procedure that has chosen actors (the one of the
    procedure chosen is used)."""
    return [
        ChosenField(
            v,
            a.id,
            a.name,
            a.description,
            field_name(v, a.id),
            values.get(field_name(v, a.id), ""),
            errors.get(field_name(v, a.id), ""),
        )
        for v in versions
        for a in chosen_actors.chosen_actors(v)
    ]


def read_chosen(
    request: HttpRequest, version: ProcedureVersion, candidates: Sequence[Person]
) -> tuple[dict[str, Person], dict[str, str], dict[str, str]]:
    """The people selected for the version's chosen actors: (chosen, the values entered,
    errors by field). An id not among the candidates is not a choice (the service then says
    whom to choose)."""
    by_id = {str(p.pk): p for p in candidates}
    chosen: dict[str, Person] = {}
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for actor in chosen_actors.chosen_actors(version):
        name = field_name(version, actor.id)
        value = str(request.POST.get(name, "")).strip()
        values[name] = value
        if value in by_id:
            chosen[actor.id] = by_id[value]
        elif value:
            errors[name] = _("Choose a person from the list.")
    return chosen, values, errors


def error_field(version: ProcedureVersion, service_field: str | None) -> str:
    """The form field of a service refusal about a chosen actor (or the field as it is)."""
    prefix = f"{chosen_actors.FIELD}."
    if service_field and service_field.startswith(prefix):
        return field_name(version, service_field.removeprefix(prefix))
    return service_field or "general"


# --- reassigning a step --------------------------------------------------------------------


def reassign_choices(person: Person, case: Case, below: set[int]) -> list[Person]:
    """Whom ``person`` may give a step of the case to: themself and everyone under them of
    the case's agency who can sign in."""
    return list(
        Person.objects.filter(
            pk__in=below | {person.pk},
            agency_id=case.agency_id,
            user__isnull=False,
            user__is_active=True,
        )
        .select_related("unit")
        .order_by("name", "pk")
    )


def may_reassign(person: Person, case: Case, row: CaseStep, below: set[int]) -> bool:
    return bool(reassign.may_reassign(person, case, row, below))


@login_required
@require_POST
def reassign_view(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """Give a step to someone (Alihkan): the service decides; its refusal is shown."""
    from laksana.cases.views import _detail_url, _person, _step_row, _visible_case

    case = _visible_case(request, reference)
    person = _person(request)
    row = _step_row(case, step_id)
    to = Person.objects.filter(
        pk=_int(request.POST.get("to", "")) or 0, agency_id=case.agency_id
    ).first()
    if to is None:
        messages.error(request, _("Choose a person from the list."))
        return redirect(_detail_url(case, f"step-{row.pk}"))
    if row.status != "active":
        messages.error(request, _("This step is not active now."))
        return redirect(_detail_url(case, f"step-{row.pk}"))
    try:
        services.reassign_step(person, case, row.step_key, to, request.POST.get("reason", ""))
    except services.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        step = case.version.spec.step(row.step_key)
        messages.success(
            request,
            _("Step %(no)s is now %(name)s's.") % {"no": step.number, "name": to.name},
        )
    return redirect(_detail_url(case, f"step-{row.pk}"))


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 12 else None
