"""Filing a request on the public form, confirming it, and sending its follow link again.

- :func:`file_request`: the honeypot, the hourly limits (:mod:`laksana.intake.guard`), the
  fields and files, the single-use form token (not too fast), then one
  :class:`~laksana.intake.models.OutsideRequest` *awaiting* confirmation with its files, and an
  e-mail carrying the confirmation link (the secret kept only as its hash). A signed-in
  requester files with their own account's e-mail and the case opens at once.
- :func:`confirm` (a POST, never a GET: mail scanners follow links) opens the case through
  :func:`laksana.intake.desk.open_case`, attaches the filed files to it as the desk's account
  (:func:`laksana.cases.services.add_attachment`), keeps the follow link's hash and e-mails
  the follow link. The confirmation is valid :data:`~laksana.intake.guard.CONFIRM_TTL`.
- :func:`resend_link`: the tracking form; when the case reference and the e-mail match, a
  new follow link is made (the old one stops working) and e-mailed to that address.

Every refusal is a :class:`~laksana.errors.ServiceError` with a stable code, and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from laksana.cases import services as case_services
from laksana.cases.models import Case
from laksana.cases.servicebase import _WRITTEN, _atomic
from laksana.cases.uploads import CheckedUpload, UploadRejected, check_upload
from laksana.errors import ServiceError
from laksana.intake import desk, guard, requester_mail
from laksana.intake.models import OutsideRequest, PublicService, RequestFile, RequestStatus
from laksana.org.models import Person
from laksana.outbox import services as outbox

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TITLE = 300
MAX_DESCRIPTION = 5000
MAX_NAME = 200
MAX_PHONE = 40
_PHONE = re.compile(r"^[0-9+ ]+$")
# Control characters other than tab and line breaks (PostgreSQL refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIELDS = ("name", "email", "phone", "title", "description")
FILE_FIELD = "files"


class FormErrors(ServiceError):
    """The form's fields refused, each with its message (``errors``: field -> message)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors))
        super().__init__("invalid", errors[first], field=first, items=list(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Filed:
    """A filing's outcome: the request, and whether its case opened already."""

    request: OutsideRequest
    opened: bool


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value if value is not None else "").strip()


def clean(data: Mapping[str, Any], *, email: str | None = None) -> dict[str, str]:
    """The form's fields checked; :class:`FormErrors` names each wrong one. ``email`` (a
    signed-in requester's own) replaces the posted one."""
    values = {name: _text(data, name) for name in FIELDS}
    if email is not None:
        values["email"] = email
    errors: dict[str, str] = {
        name: _("This field holds characters that are not text.")
        for name, value in values.items()
        if _CONTROL.search(value)
    }
    if errors:
        raise FormErrors(errors)
    if not values["name"]:
        errors["name"] = _("Write your name.")
    elif len(values["name"]) > MAX_NAME:
        errors["name"] = _("The name is too long (at most %(n)s characters).") % {"n": MAX_NAME}
    if not values["email"]:
        errors["email"] = _("Write your e-mail address: the confirmation link is sent there.")
    else:
        try:
            validate_email(values["email"])
        except Exception:
            errors["email"] = _("This is not an e-mail address (for example nama@contoh.id).")
    phone = values["phone"]
    if phone and (len(phone) > MAX_PHONE or not _PHONE.match(phone)):
        errors["phone"] = _("A phone number has only digits, spaces and a leading +.")
    if not values["title"]:
        errors["title"] = _("Write what your request is about.")
    elif len(values["title"]) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(n)s characters).") % {"n": MAX_TITLE}
    if len(values["description"]) > MAX_DESCRIPTION:
        errors["description"] = _("The description is too long (at most %(n)s characters).") % {
            "n": MAX_DESCRIPTION
        }
    if errors:
        raise FormErrors(errors)
    return values


def check_files(
    service: PublicService, files: Sequence[UploadedFile[bytes]]
) -> list[CheckedUpload]:
    """The files checked like every upload of the project (content, not name), at most
    :data:`MAX_FILES` of at most :data:`MAX_FILE_BYTES` each."""
    files = [f for f in files if f is not None]
    if not files:
        return []
    if not service.accepts_files:
        raise FormErrors({FILE_FIELD: _("This service does not take files.")})
    if len(files) > MAX_FILES:
        raise FormErrors({FILE_FIELD: _("Send at most %(n)s files.") % {"n": MAX_FILES}})
    checked = []
    for upload in files:
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise FormErrors(
                {
                    FILE_FIELD: _("%(name)s is too large; the limit is %(mb)s MB per file.")
                    % {"name": upload.name, "mb": MAX_FILE_BYTES // (1024 * 1024)}
                }
            )
        try:
            one = check_upload(upload)
        except UploadRejected as exc:
            raise FormErrors({FILE_FIELD: str(exc)}) from exc
        if len(one.content) > MAX_FILE_BYTES:
            raise FormErrors(
                {
                    FILE_FIELD: _("%(name)s is too large; the limit is %(mb)s MB per file.")
                    % {"name": one.name, "mb": MAX_FILE_BYTES // (1024 * 1024)}
                }
            )
        checked.append(one)
    return checked


def _mail(request: OutsideRequest, kind: str, context: Mapping[str, Any], at: dt.datetime) -> None:
    ctx = {
        "name": request.name,
        "title": request.title,
        "service": request.service.title,
        **context,
    }
    # In the product's language, as the requester's other e-mails (laksana.intake.requester_mail),
    # whatever language the thread that files or confirms has active.
    with translation.override(requester_mail.LANGUAGE):
        subject = render_to_string(f"intake/email/{kind}_subject.txt", ctx).strip()
        body = render_to_string(f"intake/email/{kind}.txt", ctx)
    outbox.queue([request.email], subject, body, agency_id=request.agency_id, now=at)


def _attach(case: Case, request: OutsideRequest, robot: Person, at: dt.datetime) -> None:
    """The request's files on its new case, outside any step, added by the desk's account
    through the cases' own service (checked again from their stored bytes, a ``file_added``
    journal entry each)."""
    for stored in request.files.all():
        with stored.file.open("rb") as handle:
            content = handle.read()
        upload = SimpleUploadedFile(stored.name, content, stored.content_type)
        case_services.add_attachment(robot, case.pk, upload, now=at)


def _open(request: OutsideRequest, at: dt.datetime) -> str:
    """Open the request's case (in the caller's transaction), attach its files, keep the
    follow link's hash and e-mail the link; returns the link's secret."""
    case = desk.open_case(request)
    _attach(case, request, desk.desk_for(request.agency).robot, at)
    request.case = case
    request.confirm_hash = ""
    request.status = RequestStatus.OPENED
    request.confirmed_at = at
    request.save(update_fields=["case", "confirm_hash", "status", "confirmed_at"])
    return _send_secret(
        request, "link_hash", "intake:follow", "opened", at, reference=case.reference
    )


def _send_secret(
    request: OutsideRequest, field: str, route: str, kind: str, at: dt.datetime, **extra: Any
) -> str:
    """A new secret for ``request`` (its hash kept in ``field``) e-mailed as a link to
    ``route``; returns the secret."""
    secret, hashed = desk.new_secret()
    setattr(request, field, hashed)
    request.save(update_fields=[field])
    link = outbox.absolute(reverse(route, args=[secret]))
    _mail(request, kind, {"link": link, **extra}, at)
    return secret


def file_request(
    service: PublicService,
    data: Mapping[str, Any],
    files: Sequence[UploadedFile[bytes]],
    *,
    address: str | None,
    user: Any = None,
    now: dt.datetime | None = None,
) -> Filed:
    """File one request on ``service``'s public form, all or nothing. Refusals:
    ``service_closed``, ``honeypot``, ``rate_limited``, ``invalid`` (:class:`FormErrors`),
    ``token_missing``/``token_invalid``/``token_used``/``token_expired``/``too_fast``, and the
    case service's errors for a signed-in requester's case."""
    at = now or timezone.now()
    if not service.is_open:
        raise ServiceError("service_closed", _("This service no longer takes requests."))
    guard.check_honeypot(data)
    own_email = None
    if user is not None and getattr(user, "is_authenticated", False):
        own_email = (user.email or "").strip() or None
        if own_email is None:
            user = None
    else:
        user = None
    values = clean(data, email=own_email)
    guard.check_rate(address, values["email"], now=at)
    checked = check_files(service, list(files))
    return _record(service, data, values, checked, address=address, user=user, at=at)


@_atomic
def _record(
    service: PublicService,
    data: Mapping[str, Any],
    values: dict[str, str],
    checked: list[CheckedUpload],
    *,
    address: str | None,
    user: Any,
    at: dt.datetime,
) -> Filed:
    """:func:`file_request`'s writes, all or nothing (the files written are deleted when the
    transaction fails)."""
    guard.redeem(service, _text(data, guard.TOKEN_FIELD), now=at)
    request = OutsideRequest.objects.create(
        agency_id=service.agency_id,
        service=service,
        user=user,
        created_at=at,
        address_hash=guard.address_key(address),
        email_hash=guard.email_hash(values["email"]),
        **values,
    )
    written = _WRITTEN.get()
    for one in checked:
        stored = RequestFile(
            request=request, name=one.name, size=len(one.content), content_type=one.content_type
        )
        ext = one.name.rsplit(".", 1)[-1] if "." in one.name else "bin"
        stored.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(one.content), save=False)
        if written is not None:
            written.append((stored.file.storage, stored.file.name or ""))
        stored.save()
    guard.count_filing(address, values["email"], now=at)
    if user is not None:
        _open(request, at)
        return Filed(request, True)
    hours = int(guard.CONFIRM_TTL.total_seconds() // 3600)
    _send_secret(request, "confirm_hash", "intake:confirm", "confirm", at, hours=hours)
    return Filed(request, False)


def _gone() -> ServiceError:
    return ServiceError(
        "confirm_invalid",
        _(
            "This confirmation link is not valid: it was already used, it has expired (after "
            "48 hours) or it was copied wrongly. Please file your request again."
        ),
    )


def awaiting(secret: str, *, now: dt.datetime | None = None) -> OutsideRequest | None:
    """The request awaiting confirmation by ``secret`` and still in time, or None (reads
    only)."""
    at = now or timezone.now()
    if not secret or len(secret) > 100:
        return None
    return (
        OutsideRequest.objects.select_related("service", "agency")
        .filter(
            confirm_hash=desk.digest(secret),
            status=RequestStatus.AWAITING,
            created_at__gt=at - guard.CONFIRM_TTL,
        )
        .first()
    )


@_atomic
def confirm(secret: str, *, now: dt.datetime | None = None) -> OutsideRequest:
    """Confirm a request by its e-mailed secret and open its case; ``confirm_invalid`` for a
    used, expired or forged secret (nothing written)."""
    at = now or timezone.now()
    found = awaiting(secret, now=at)
    if found is None:
        raise _gone()
    request = (
        OutsideRequest.objects.select_for_update()
        .select_related("service", "agency")
        .filter(pk=found.pk, status=RequestStatus.AWAITING)
        .first()
    )
    if request is None:
        raise _gone()
    if not request.service.is_open:
        raise ServiceError("service_closed", _("This service no longer takes requests."))
    _open(request, at)
    return request


def resend_link(
    reference: str, email: str, *, address: str | None, now: dt.datetime | None = None
) -> bool:
    """When ``reference`` names an opened request filed with ``email``, make a new follow link
    (the old one stops working) and e-mail it to that address. Returns whether it did; the
    caller answers the same either way. Refuses only ``rate_limited`` (every attempt of an
    address counts)."""
    at = now or timezone.now()
    guard.count_track(address, now=at)
    reference = (reference or "").strip()[:100]
    email = (email or "").strip()[:254]
    if not reference or not email or _CONTROL.search(reference + email):
        return False
    with transaction.atomic():
        request = (
            OutsideRequest.objects.select_for_update()
            .select_related("case", "service")
            .filter(
                case__reference__iexact=reference,
                email_hash=guard.email_hash(email),
                status=RequestStatus.OPENED,
            )
            .first()
        )
        if request is None or request.case is None:
            return False
        reference = request.case.reference
        _send_secret(request, "link_hash", "intake:follow", "link", at, reference=reference)
    return True
