"""Opening an agency's procedures to the public: the only code that writes
:class:`~laksana.intake.models.PublicService` rows.

An agency's administrators and procedure administrators choose one of the agency's OWN
published procedures that has an actor of kind ``requesting_unit`` (the requester's steps are
that actor's: the desk's unit plays it), and give it a title, an address (slug), an
introduction, whether it is open and whether the form takes files. The first service makes
the agency's desk (:func:`laksana.intake.desk.desk_for`). Every change is recorded in the
organisation's history (:func:`laksana.org.changes.record`, subject ``public_service``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.engine.spec import ActorKind
from laksana.errors import NotAllowed, ServiceError
from laksana.intake.desk import desk_for
from laksana.intake.models import PublicService
from laksana.org import changes, roles
from laksana.org.models import Agency, ChangeAction, Person
from laksana.org.services import latest_version
from laksana.procedures.models import ProcedureVersion

SUBJECT = "public_service"
FIELDS = ("procedure_key", "title", "slug", "intro", "is_open", "accepts_files")
RESERVED_SLUGS = frozenset({"konfirmasi", "lacak", "saya", "permohonan"})
"""Addresses the public routes use under the agency's address (/layanan/<agency>/...)."""


def may_manage(person: Person | None, agency: Agency, user: Any = None) -> bool:
    """Whether the person (or account) manages the agency's public services and reviews its
    outside requests: its agency administrators, its procedure administrators, the
    superuser."""
    return roles.may_keep_procedures(person, agency, user)


def has_requester(version: ProcedureVersion) -> bool:
    """Whether the version has an actor of kind ``requesting_unit``."""
    return any(a.kind == ActorKind.REQUESTING_UNIT for a in version.spec.actors)


def procedures(agency: Agency) -> list[ProcedureVersion]:
    """The agency's own latest published versions, by title (every one, with or without a
    requester: the screen says why one is refused)."""
    keys = (
        ProcedureVersion.objects.filter(agency=agency)
        .values_list("procedure_key", flat=True)
        .distinct()
    )
    found = [latest_version(agency, k) for k in sorted(set(keys))]
    return sorted((v for v in found if v is not None), key=lambda v: v.title)


def services_of(agency: Agency) -> list[PublicService]:
    return list(PublicService.objects.filter(agency=agency).order_by("title", "pk"))


def _check(
    agency: Agency, by: Person | None, user: Any, slug: str, title: str, exclude: int | None
) -> tuple[str, str]:
    if not may_manage(by, agency, user):
        raise NotAllowed(
            _(
                "Only the agency's administrators and procedure administrators manage its "
                "public services."
            )
        )
    title = (title or "").strip()
    slug = (slug or "").strip().lower()
    if not title:
        raise ServiceError("required", _("Give the service a title."), field="title")
    if len(title) > 200:
        raise ServiceError("too_long", _("The title has at most 200 characters."), field="title")
    if not slug:
        raise ServiceError("required", _("Give the service an address."), field="slug")
    try:
        validate_slug(slug)
    except ValidationError:
        raise ServiceError(
            "invalid",
            _("The address may hold only letters, digits, hyphens and underscores."),
            field="slug",
        ) from None
    if len(slug) > 100:
        raise ServiceError("too_long", _("The address has at most 100 characters."), field="slug")
    if slug in RESERVED_SLUGS:
        raise ServiceError(
            "reserved",
            _("The address %(slug)s is used by the public pages; choose another.") % {"slug": slug},
            field="slug",
        )
    taken = PublicService.objects.filter(agency=agency, slug=slug)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ServiceError(
            "duplicate",
            _("Another public service of the agency has the address %(slug)s.") % {"slug": slug},
            field="slug",
        )
    return title, slug


@transaction.atomic
def create_service(
    agency: Agency,
    by: Person | None,
    *,
    procedure_key: str,
    title: str,
    slug: str,
    intro: str = "",
    is_open: bool = True,
    accepts_files: bool = True,
    user: Any = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> PublicService:
    """Open one of the agency's published procedures to the public."""
    title, slug = _check(agency, by, user, slug, title, None)
    key = (procedure_key or "").strip()
    version = latest_version(agency, key) if key else None
    if version is None:
        raise ServiceError(
            "not_published",
            _("Choose one of the agency's own published procedures."),
            field="procedure_key",
        )
    if not has_requester(version):
        raise ServiceError(
            "no_requester",
            _(
                "%(title)s has no actor of kind requesting unit: the requester's steps need "
                "such an actor."
            )
            % {"title": version.title},
            field="procedure_key",
        )
    if PublicService.objects.filter(agency=agency, procedure_key=key).exists():
        raise ServiceError(
            "duplicate",
            _("%(title)s is already open to the public.") % {"title": version.title},
            field="procedure_key",
        )
    desk_for(agency)
    service = PublicService.objects.create(
        agency=agency,
        procedure_key=key,
        slug=slug,
        title=title,
        intro=(intro or "").strip(),
        is_open=is_open,
        accepts_files=accepts_files,
        opened_at=now or timezone.now(),
        opened_by=by,
    )
    changes.record(
        agency,
        by,
        SUBJECT,
        service,
        ChangeAction.CREATED,
        None,
        changes.snapshot(service, FIELDS),
        source=source,
        at=now,
    )
    return service


@transaction.atomic
def update_service(
    agency: Agency,
    by: Person | None,
    service_id: int,
    *,
    title: str,
    slug: str,
    intro: str = "",
    is_open: bool = True,
    accepts_files: bool = True,
    user: Any = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> PublicService:
    """Change a public service of the agency (its procedure stays); another agency's service
    is not found."""
    service = PublicService.objects.select_for_update().filter(agency=agency, pk=service_id).first()
    if service is None:
        raise ServiceError("not_found", _("No such public service."))
    title, slug = _check(agency, by, user, slug, title, service.pk)
    before = changes.snapshot(service, FIELDS)
    service.title = title
    service.slug = slug
    service.intro = (intro or "").strip()
    service.is_open = is_open
    service.accepts_files = accepts_files
    after = changes.snapshot(service, FIELDS)
    if after != before:
        service.save(update_fields=["title", "slug", "intro", "is_open", "accepts_files"])
        changes.record(
            agency, by, SUBJECT, service, ChangeAction.CHANGED, before, after, source=source, at=now
        )
    return service
