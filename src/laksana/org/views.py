"""The actor-binding screens: who plays each actor of a procedure in an agency.

An agency's bindings are managed by its agency administrators and its procedure
administrators (:mod:`laksana.org.roles`); the installation's superuser manages every agency.
Anyone else signed in is refused (403); another agency's slug is not found (404). Writes go
through :func:`laksana.org.services.set_bindings`, which records them. The screens show the
checks of :mod:`laksana.org.reach` per actor.

``staff_required`` and ``managed_agencies`` (Django's ``is_staff``) remain for the working
calendar (:mod:`laksana.worktime.views`), which has its own rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from laksana.cases.queries import person_of
from laksana.engine.spec import Actor, ActorKind
from laksana.org import reach, roles, services
from laksana.org.models import ActorBinding, Agency, Person, Position, Unit
from laksana.procedures.models import ProcedureVersion
from laksana.web.middleware import current_person
from laksana.web.params import record_id

KIND_LABELS = {
    ActorKind.POSITION: gettext_lazy("Position"),
    ActorKind.TEAM: gettext_lazy("Team"),
    ActorKind.PERSON: gettext_lazy("Person"),
    ActorKind.EXTERNAL: gettext_lazy("External office"),
    ActorKind.REQUESTING_UNIT: gettext_lazy("Requesting unit"),
    ActorKind.VENDOR: gettext_lazy("Vendor"),
    ActorKind.CHOSEN: gettext_lazy("Chosen when the case opens"),
}

# The target groups offered for an actor, its natural kind of target first.
_GROUP_ORDER = {
    ActorKind.POSITION: ("position", "unit", "person"),
    ActorKind.TEAM: ("unit", "position", "person"),
    ActorKind.PERSON: ("person", "position", "unit"),
    ActorKind.EXTERNAL: ("unit", "position", "person"),
    ActorKind.CHOSEN: ("person", "position", "unit"),
}
_GROUP_LABELS = {
    "position": gettext_lazy("Positions"),
    "unit": gettext_lazy("Units"),
    "person": gettext_lazy("People"),
}


_View = Callable[..., HttpResponse]


def staff_required(view: _View) -> _View:
    """Signed-in staff only: anonymous users are sent to sign in, others are refused."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def managed_agencies(request: HttpRequest) -> QuerySet[Agency]:
    """The agencies whose bindings the user may manage."""
    if request.user.is_superuser:
        return Agency.objects.all()
    person = person_of(request.user)
    if person is None:
        return Agency.objects.none()
    return Agency.objects.filter(pk=person.agency_id)


def binding_agencies(request: HttpRequest) -> list[Agency]:
    """The agencies whose bindings the signed-in user may manage: every agency for the
    superuser, else their own agency if they administer it or its procedures."""
    person = current_person(request)
    if roles.is_superuser(person, request.user):
        return list(Agency.objects.order_by("name"))
    if person is None:
        return []
    if roles.may_keep_procedures(person, person.agency_id):
        return [person.agency]
    return []


def binders_only(view: _View) -> _View:
    """Signed-in users who manage some agency's bindings; anonymous users are sent to sign
    in, others are refused (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not binding_agencies(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class Group:
    label: str
    options: list[Option]


@dataclass(frozen=True)
class Row:
    """One actor on the screen: its binding and, for bound kinds, the choices."""

    actor: Actor
    kind_label: str
    bindable: bool
    binding: ActorBinding | None
    groups: list[Group]
    error: str = ""
    findings: tuple[reach.Finding, ...] = ()

    @property
    def field(self) -> str:
        return f"actor-{self.actor.id}"


def _value(target: object) -> str:
    if isinstance(target, Position):
        return f"position:{target.pk}"
    if isinstance(target, Unit):
        return f"unit:{target.pk}"
    if isinstance(target, Person):
        return f"person:{target.pk}"
    return ""


def _choices(agency: Agency) -> dict[str, list[tuple[str, str]]]:
    positions = Position.objects.filter(agency=agency).select_related("unit").order_by("name")
    units = Unit.objects.filter(agency=agency).order_by("name")
    people = Person.objects.filter(agency=agency).select_related("vendor").order_by("name")
    return {
        "position": [(_value(p), f"{p.name} — {p.unit}") for p in positions],
        "unit": [(_value(u), u.name) for u in units],
        "person": [
            (_value(p), f"{p.name} ({p.nip})" if p.nip else f"{p.name} — {p.vendor or ''}")
            for p in people
        ],
    }


def _rows(
    agency: Agency,
    version: ProcedureVersion,
    selected: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    findings: dict[str, list[reach.Finding]] | None = None,
) -> list[Row]:
    bindings = {
        b.actor_key: b
        for b in ActorBinding.objects.filter(
            agency=agency, procedure_key=version.procedure_key
        ).select_related("position", "unit", "person")
    }
    choices = _choices(agency)
    rows = []
    for actor in version.spec.actors:
        binding = bindings.get(actor.id)
        bindable = actor.kind in services.BINDABLE_KINDS
        groups = []
        if bindable:
            current = (selected or {}).get(actor.id, _value(binding.target) if binding else "")
            groups = [
                Group(
                    str(_GROUP_LABELS[name]),
                    [Option(v, label, v == current) for v, label in choices[name]],
                )
                for name in _GROUP_ORDER[actor.kind]
            ]
        rows.append(
            Row(
                actor=actor,
                kind_label=str(KIND_LABELS[actor.kind]),
                bindable=bindable,
                binding=binding,
                groups=groups,
                error=(errors or {}).get(actor.id, ""),
                findings=tuple((findings or {}).get(actor.id, ())),
            )
        )
    return rows


def _target(value: str) -> services.Target | None:
    """The object a posted value names; raises ValueError for a value that names nothing."""
    if not value:
        return None
    kind, _sep, pk = value.partition(":")
    models: dict[str, type[Position] | type[Unit] | type[Person]] = {
        "position": Position,
        "unit": Unit,
        "person": Person,
    }
    model = models.get(kind)
    ident = record_id(pk)
    if model is None or ident is None:
        raise ValueError(value)
    # Looked up in every agency: the service refuses a target of another agency, by name.
    target = model.objects.filter(pk=ident).first()
    if target is None:
        raise ValueError(value)
    return target


@require_safe
@binders_only
def index(request: HttpRequest) -> HttpResponse:
    """Per agency, every published procedure, its unbound actors and the actors nobody can
    play or no disposition can reach (:mod:`laksana.org.reach`)."""
    wanted = request.GET.get("procedure", "")
    keys = services.published_keys()
    if wanted:
        keys = [k for k in keys if k == wanted]
    agencies = []
    has_versions = False
    for agency in binding_agencies(request):
        # The agency's own latest version of each procedure it has published.
        versions = [v for v in (services.latest_version(agency, k) for k in keys) if v]
        has_versions = has_versions or bool(versions)
        runs = services.procedures_run_by(agency)
        people = reach.members(agency)
        rows = []
        for v in versions:
            found = reach.findings(agency, v, people)
            rows.append(
                {
                    "version": v,
                    "runs": v.procedure_key in runs,
                    "unbound": services.unbound(agency, v),
                    "problems": [f for f in found if f.is_problem],
                    "warnings": [f for f in found if not f.is_problem],
                }
            )
        # The procedures the agency runs first: their check matters now.
        rows.sort(key=lambda row: not row["runs"])
        agencies.append({"agency": agency, "procedures": rows})
    return render(
        request,
        "org/index.html",
        {"agencies": agencies, "procedure": wanted, "has_versions": has_versions},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@binders_only
def bindings(request: HttpRequest, agency: str, procedure: str) -> HttpResponse:
    """One agency's bindings of one procedure's actors (its latest published version)."""
    the_agency = next((a for a in binding_agencies(request) if a.slug == agency), None)
    if the_agency is None:
        raise Http404
    version = services.latest_version(the_agency, procedure)
    if version is None:
        raise Http404
    status = 200
    selected: dict[str, str] | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        selected = {}
        targets: dict[str, services.Target | None] = {}
        for actor in version.spec.actors:
            if actor.kind not in services.BINDABLE_KINDS:
                continue
            field = f"actor-{actor.id}"
            if field not in request.POST:
                continue
            value = request.POST[field]
            selected[actor.id] = value
            try:
                targets[actor.id] = _target(value)
            except ValueError:
                errors[actor.id] = _("Choose a position, unit or person from the list.")
        if not errors:
            try:
                changes = services.set_bindings(
                    the_agency, version, targets, by=current_person(request)
                )
            except services.BindingError as exc:
                errors[exc.actor] = exc.message
            else:
                messages.success(
                    request,
                    _("Bindings saved (%(count)s changed).") % {"count": len(changes)},
                )
                return redirect("org:bindings", agency=the_agency.slug, procedure=procedure)
        status = 400
    found = reach.findings(the_agency, version)
    return render(
        request,
        "org/bindings.html",
        {
            "agency": the_agency,
            "version": version,
            "rows": _rows(the_agency, version, selected, errors, reach.by_actor(found)),
            "unbound": services.unbound(the_agency, version),
            "problems": [f for f in found if f.is_problem],
            "warnings": [f for f in found if not f.is_problem],
            "errors": errors,
        },
        status=status,
    )
