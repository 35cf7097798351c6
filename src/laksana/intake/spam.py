"""The staff's review of outside requests: what the list shows (short fingerprints of the
hashed client address and e-mail, how many requests share them, to spot floods) and marking
requests as spam.

A request awaiting its e-mail confirmation marked as spam: its confirmation link then names
nothing. An opened request marked as spam: its case is closed
(:func:`laksana.cases.closing.close_case`, with the reason) and its follow link names nothing
(:func:`laksana.intake.desk.request_by_link` finds only opened requests). Who: the agency's
administrators and procedure administrators (:func:`services_admin.may_manage`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.closing import close_case
from laksana.cases.models import CaseStatus
from laksana.errors import NotAllowed, ServiceError
from laksana.intake.models import OutsideRequest, RequestStatus
from laksana.intake.services_admin import may_manage
from laksana.org import changes
from laksana.org.models import Agency, ChangeAction, Person

SUBJECT = "outside_request"
FIELDS = ("status", "spam_reason")
REASON_MAX = 300
_HEX64 = re.compile(r"[0-9a-f]{64}")


def hash_or_blank(value: object) -> str:
    """``value`` if it is a SHA-256 hex digest (as the hashes are kept), else ""."""
    text = str(value or "").strip().lower()
    return text if _HEX64.fullmatch(text) else ""


def fingerprint(value: str) -> str:
    """A hash shown short (its first 8 hex digits): enough to tell floods apart."""
    return value[:8] if value else ""


def requests_of(
    agency: Agency, *, status: str = "", service: int | None = None, q: str = "", address: str = ""
) -> QuerySet[OutsideRequest]:
    """The agency's requests, newest first, filtered by status, service, one address hash,
    and a search of the requester's name, e-mail and the title."""
    rows = OutsideRequest.objects.filter(agency=agency).select_related("service", "case")
    if status in RequestStatus.values:
        rows = rows.filter(status=status)
    if service is not None:
        rows = rows.filter(service_id=service)
    address = hash_or_blank(address)
    if address:
        rows = rows.filter(address_hash=address)
    q = q.replace("\x00", "").strip()[:100]
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(title__icontains=q))
    return rows


def counts(agency: Agency, rows: Iterable[OutsideRequest]) -> tuple[Counter[str], Counter[str]]:
    """How many of the agency's requests share each address hash and e-mail hash of
    ``rows``."""
    rows = list(rows)
    addresses = {r.address_hash for r in rows if r.address_hash}
    emails = {r.email_hash for r in rows if r.email_hash}
    base = OutsideRequest.objects.filter(agency=agency)
    by_address = Counter(
        {
            x["address_hash"]: x["n"]
            for x in base.filter(address_hash__in=addresses)
            .values("address_hash")
            .annotate(n=Count("pk"))
        }
    )
    by_email = Counter(
        {
            x["email_hash"]: x["n"]
            for x in base.filter(email_hash__in=emails).values("email_hash").annotate(n=Count("pk"))
        }
    )
    return by_address, by_email


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("required", _("Give the reason for marking it as spam."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(
            "too_long",
            _("The reason has at most %(limit)s characters.") % {"limit": REASON_MAX},
            field="reason",
        )
    return reason


def _allowed(agency: Agency, by: Person | None, user: Any) -> Person:
    if by is None or not may_manage(by, agency, user):
        raise NotAllowed(
            _("Only the agency's administrators and procedure administrators review its requests.")
        )
    return by


def _mark(agency: Agency, by: Person, row: OutsideRequest, reason: str, at: dt.datetime) -> None:
    before = changes.snapshot(row, FIELDS)
    case = row.case
    if (
        row.status == RequestStatus.OPENED
        and case is not None
        and case.status == CaseStatus.RUNNING
    ):
        close_case(by, case.pk, _("Spam: %(reason)s") % {"reason": reason}, now=at)
    row.status = RequestStatus.SPAM
    row.spam_at = at
    row.spam_by = by
    row.spam_reason = reason
    row.save(update_fields=["status", "spam_at", "spam_by", "spam_reason"])
    changes.record(
        agency,
        by,
        SUBJECT,
        row,
        ChangeAction.CHANGED,
        before,
        changes.snapshot(row, FIELDS),
        source="spam",
        at=at,
    )


@transaction.atomic
def mark_spam(
    agency: Agency,
    by: Person | None,
    request_id: int,
    reason: str,
    *,
    user: Any = None,
    now: dt.datetime | None = None,
) -> OutsideRequest:
    """Mark one of the agency's requests as spam (another agency's is not found)."""
    row = (
        OutsideRequest.objects.select_for_update(of=("self",))
        .filter(agency=agency, pk=request_id)
        .select_related("case")
        .first()
    )
    if row is None:
        raise ServiceError("not_found", _("No such request."))
    person = _allowed(agency, by, user)
    reason = _reason(reason)
    if row.status == RequestStatus.SPAM:
        raise ServiceError("already_spam", _("This request is already marked as spam."))
    _mark(agency, person, row, reason, now or timezone.now())
    return row


@transaction.atomic
def mark_spam_from_address(
    agency: Agency,
    by: Person | None,
    address_hash: str,
    reason: str,
    *,
    user: Any = None,
    now: dt.datetime | None = None,
) -> int:
    """Mark every request of the agency from one (hashed) client address as spam; how many
    were marked."""
    person = _allowed(agency, by, user)
    reason = _reason(reason)
    address_hash = hash_or_blank(address_hash)
    rows = list(
        OutsideRequest.objects.select_for_update(of=("self",))
        .filter(agency=agency, address_hash=address_hash)
        .exclude(status=RequestStatus.SPAM)
        .select_related("case")
        .order_by("pk")
    )
    if not address_hash or not rows:
        raise ServiceError(
            "not_found",
            _("No request of the agency from that address is left to mark."),
            field="address",
        )
    at = now or timezone.now()
    for row in rows:
        _mark(agency, person, row, reason, at)
    return len(rows)
