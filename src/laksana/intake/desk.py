"""The agency's public desk and the secrets of outside requests: the base the public form,
the follow link and the staff's screens share.

* :func:`desk_for` makes (once) the desk's unit ("Pemohon Luar", kind ``public``) and its
  system account ("Layanan Publik", no sign-in). Cases of outside requesters are requested by
  that unit and opened by that account; the account is the only member of the unit, so the
  requester's steps are offered to no member of staff: the requester does them through the
  follow link, and the link's view acts as the desk's account after checking the link.
* :func:`new_secret` / :func:`digest`: a secret is shown once (in an e-mail, a link) and kept
  only as its SHA-256 hash; :func:`request_by_link` finds the one request a link names.
* :func:`open_case` opens the case of a confirmed request (the public form's service calls it
  inside its own transaction).
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from laksana.cases import services as case_services
from laksana.cases.models import Case
from laksana.intake.models import OutsideRequest, PublicDesk, PublicService, RequestStatus
from laksana.org.models import Agency, Person, Unit, UnitKind
from laksana.org.services import latest_version

DESK_UNIT_NAME = "Pemohon Luar"
DESK_ROBOT_NAME = "Layanan Publik"


def digest(secret: str) -> str:
    """The SHA-256 hex digest a secret is kept as."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> tuple[str, str]:
    """A new secret (43 URL-safe characters) and its digest."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


@transaction.atomic
def desk_for(agency: Agency) -> PublicDesk:
    """The agency's desk, made on first use (its unit and system account with it)."""
    found = PublicDesk.objects.select_for_update().filter(agency=agency).first()
    if found is not None:
        return found
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one maker at a time
    found = PublicDesk.objects.filter(agency=agency).first()
    if found is not None:
        return found
    unit = Unit.objects.create(
        agency=agency, name=DESK_UNIT_NAME, short_name=DESK_UNIT_NAME, kind=UnitKind.PUBLIC
    )
    robot = Person.objects.create(agency=agency, name=DESK_ROBOT_NAME, unit=unit)
    return PublicDesk.objects.create(agency=agency, unit=unit, robot=robot)


def is_desk_person(person: Person | None) -> bool:
    """Whether ``person`` is a public desk's system account."""
    return person is not None and PublicDesk.objects.filter(robot_id=person.pk).exists()


def request_by_link(secret: str) -> OutsideRequest | None:
    """The request whose follow link carries ``secret`` (opened as a case, not spam), or
    None: a wrong, made-up or spam-closed link names nothing."""
    if not secret or len(secret) > 100:
        return None
    return (
        OutsideRequest.objects.select_related("case", "service", "agency")
        .filter(link_hash=digest(secret), status=RequestStatus.OPENED, case__isnull=False)
        .first()
    )


def contact_of(case: Case) -> tuple[str, str] | None:
    """The name and e-mail address of the outside requester of ``case`` (opened from an
    outside request, not marked as spam), or None."""
    return (
        OutsideRequest.objects.filter(case_id=case.pk, status=RequestStatus.OPENED)
        .values_list("name", "email")
        .first()
    )


def open_case(request: OutsideRequest) -> Case:
    """Open the case of a confirmed request on the agency's latest published version of the
    service's procedure, requested by the desk's unit and opened by its account. Raises the
    case service's errors (a procedure no longer published, a chosen actor without a
    binding); the caller's transaction then writes nothing."""
    service: PublicService = request.service
    version = latest_version(request.agency, service.procedure_key)
    if version is None:
        raise case_services.ServiceError(
            "not_published", _("This service's procedure is no longer published.")
        )
    desk = desk_for(request.agency)
    text = request.description
    contact = ", ".join(x for x in (request.name, request.email, request.phone) if x)
    description = f"{text}\n\n{_('Requester')}: {contact}".strip()
    return case_services.open_case(
        desk.robot,
        version,
        request.title,
        description,
        requesting_unit=desk.unit,
        automatic=True,
    )
