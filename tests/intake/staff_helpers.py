"""Requests from outside made directly in tests of the staff's side (the public form is
another module's)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from laksana.intake import desk
from laksana.intake.models import OutsideRequest, PublicService, RequestStatus
from laksana.org.models import Agency


def service(agency: Agency, key: str, slug: str = "pengaduan") -> PublicService:
    desk.desk_for(agency)
    return PublicService.objects.create(
        agency=agency, procedure_key=key, slug=slug, title="Pengaduan", opened_at=timezone.now()
    )


def outside(
    svc: PublicService,
    title: str = "Aplikasi error",
    *,
    name: str = "Wayan Sudarma",
    email: str = "wayan@example.org",
    address: str = "1.2.3.4",
    opened: bool = False,
    at: dt.datetime | None = None,
) -> OutsideRequest:
    row = OutsideRequest.objects.create(
        agency=svc.agency,
        service=svc,
        name=name,
        email=email,
        phone="08123456789",
        title=title,
        description="Tidak bisa masuk.",
        created_at=at or timezone.now(),
        confirm_hash=desk.digest(f"confirm-{title}-{email}"),
        address_hash=desk.digest(address),
        email_hash=desk.digest(email),
    )
    if opened:
        row.case = desk.open_case(row)
        row.status = RequestStatus.OPENED
        row.link_hash = desk.digest(f"link-{row.pk}")
        row.confirmed_at = row.created_at
        row.save()
    return row
