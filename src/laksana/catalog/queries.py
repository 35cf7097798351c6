"""What of the catalogue a user may see: the one gate for its lists, pages, files, exports
and API, next to the cases' gate (:func:`laksana.cases.queries.visible_cases`).

* administrators (superusers) see every application;
* a vendor's employee sees only the applications under a contract of the vendor that is in
  its period today (:mod:`laksana.cases.vendors`: before it starts and after it ends, the
  application is not shown at all), and on them only the vendor's own contracts and the
  documents not tied to another vendor's contract;
* everyone else sees the catalogue of their own agency (requesting units included: it is the
  inventory of the applications they use and propose);
* the cases listed on an application's page are those :func:`visible_cases` lets them see.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from laksana.cases import vendors
from laksana.cases.models import Case
from laksana.cases.queries import first_visible, person_of
from laksana.catalog.models import (
    Application,
    Contract,
    Document,
    Platform,
    Scope,
    ServiceKind,
    Stage,
    WorkProgrammeEntry,
)
from laksana.org.models import Person
from laksana.web.params import record_id

User = AbstractBaseUser | AnonymousUser | None


def visible_applications(user: User, person: Person | None = None) -> QuerySet[Application]:
    """The applications ``user`` may see. ``person`` is the user's Person when the caller has
    it already."""
    if user is None or not user.is_authenticated:
        return Application.objects.none()
    if getattr(user, "is_superuser", False):
        return Application.objects.all()
    if person is None or person.user_id != user.pk:
        person = person_of(user)
    if person is None:
        return Application.objects.none()
    return applications_of(person)


def applications_of(person: Person) -> QuerySet[Application]:
    """The applications a person (not an administrator) may see."""
    if person.vendor_id is not None:
        on = vendors.today(person.agency_id)
        covered = vendors.current_contracts(person.vendor_id, on).values("application_id")
        return Application.objects.filter(pk__in=covered)
    return Application.objects.filter(agency_id=person.agency_id)


def visible_contracts(user: User, application: Application) -> QuerySet[Contract]:
    """The application's contracts ``user`` may see: a vendor only its own."""
    contracts = application.contracts.select_related("vendor")
    person = None if getattr(user, "is_superuser", False) else person_of(user)
    if person is not None and person.vendor_id is not None:
        return contracts.filter(vendor_id=person.vendor_id)
    return contracts


def visible_documents(user: User, application: Application) -> QuerySet[Document]:
    """The application's documents ``user`` may see: a vendor not those of another vendor's
    contract."""
    documents = application.documents.select_related("contract", "uploaded_by")
    person = None if getattr(user, "is_superuser", False) else person_of(user)
    if person is not None and person.vendor_id is not None:
        return documents.filter(Q(contract__isnull=True) | Q(contract__vendor_id=person.vendor_id))
    return documents


def cases_about(user: User, application: Application, size: int) -> QuerySet[Case]:
    """The newest ``size`` cases about the application that ``user`` may see, newest first
    (a queryset whose first ``size`` rows are those: slice it). The gate is chosen for that
    one page (:func:`laksana.cases.queries.first_visible`), so an application with a great
    many cases costs a walk of its index, not a read of all its cases."""
    return (
        first_visible(user, Case.objects.filter(application=application), size)
        .select_related("version", "requesting_unit")
        .defer("version__source", "search_text")
        .order_by("-opened_at", "-id")
    )


def sees_work_programmes(user: User) -> bool:
    """Work programmes are the agency's internal planning: not for vendors."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    person = person_of(user)
    return person is not None and person.vendor_id is None


def visible_programme_entries(user: User) -> QuerySet[WorkProgrammeEntry]:
    if not sees_work_programmes(user):
        return WorkProgrammeEntry.objects.none()
    return WorkProgrammeEntry.objects.filter(application__in=visible_applications(user))


# --- the list: filters, counts, keyset pages -------------------------------------------------

FILTERS = ("q", "stage", "unit", "scope", "service_kind", "platform")


def filtered(qs: QuerySet[Application], params: Mapping[str, str]) -> QuerySet[Application]:
    """Applications matching the list's filters (unknown values are ignored)."""
    # A NUL character cannot be stored or searched for in PostgreSQL text: it separates words.
    for word in params.get("q", "").replace("\x00", " ").lower().split():
        qs = qs.filter(search_text__contains=word)
    stage = params.get("stage", "")
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    unit = params.get("unit", "")
    if record_id(unit) is not None:
        qs = qs.filter(owner_unit_id=record_id(unit))
    if params.get("scope", "") in Scope.values:
        qs = qs.filter(scope=params["scope"])
    if params.get("service_kind", "") in ServiceKind.values:
        qs = qs.filter(service_kind=params["service_kind"])
    platform = params.get("platform", "")
    if platform in Platform.values:
        # Platforms are a JSON list of known values, so the quoted value in its text is exact
        # on SQLite and PostgreSQL alike ('"web"' cannot match inside another value).
        qs = qs.filter(platforms__icontains=f'"{platform}"')
    return qs


def counts_by_stage(qs: QuerySet[Application]) -> list[tuple[str, str, int]]:
    """(stage, label, count) for every stage, in lifecycle order."""
    found = dict(qs.order_by().values_list("stage").annotate(n=Count("id")))
    return [(value, str(label), found.get(value, 0)) for value, label in Stage.choices]


@dataclass(frozen=True)
class UnitCount:
    unit_id: int | None
    name: str
    count: int


def counts_by_unit(qs: QuerySet[Application]) -> list[UnitCount]:
    """Applications per owner unit, most first (those without an owner last)."""
    rows = (
        qs.order_by()
        .values("owner_unit_id", "owner_unit__name", "owner_unit__short_name")
        .annotate(n=Count("id"))
    )
    out = [
        UnitCount(
            r["owner_unit_id"],
            r["owner_unit__short_name"] or r["owner_unit__name"] or "",
            r["n"],
        )
        for r in rows
    ]
    return sorted(out, key=lambda c: (c.unit_id is None, -c.count, c.name))


def encode_cursor(app: Application) -> str:
    """The keyset cursor after ``app`` in name order: base64 of ``name|id``."""
    return base64.urlsafe_b64encode(f"{app.name}|{app.pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    """The (name, id) of a cursor; None when it cannot be read."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    name, sep, ident = raw.rpartition("|")
    pk = record_id(ident)
    if not sep or pk is None:
        return None
    return name, pk


def page(qs: QuerySet[Application], after: str, size: int) -> tuple[list[Application], str | None]:
    """One keyset page of applications in name order, and the cursor of the next page (no
    count of the whole list)."""
    qs = qs.order_by("name", "id")
    cursor = decode_cursor(after) if after else None
    if cursor is not None:
        name, ident = cursor
        qs = qs.filter(Q(name__gt=name) | Q(name=name, id__gt=ident))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1]) if more and rows else None
