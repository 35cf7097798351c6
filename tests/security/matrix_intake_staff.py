"""The permission matrix's rows for the staff's screens of the public desk
(laksana.intake.views_staff): Bali's agency administrator gets in, Bali's other staff are
refused (403), anyone of another agency gets 404 (as for an agency that does not exist)."""

from __future__ import annotations

from typing import Any


def _service(s: Any) -> Any:
    from django.utils import timezone

    from laksana.demo.orgs import SOP_002
    from laksana.intake.models import PublicService

    found, _made = PublicService.objects.get_or_create(
        agency=s.bali.agency,
        procedure_key=SOP_002,
        defaults={"slug": "pengaduan", "title": "Pengaduan", "opened_at": timezone.now()},
    )
    return found


def _request(s: Any) -> Any:
    from django.utils import timezone

    from laksana.intake.models import OutsideRequest

    svc = _service(s)
    found = OutsideRequest.objects.filter(service=svc).first()
    return found or OutsideRequest.objects.create(
        agency=s.bali.agency,
        service=svc,
        name="Wayan",
        email="wayan@example.org",
        title="Aplikasi error",
        created_at=timezone.now(),
        address_hash="a" * 64,
    )


def _spam_marked(c: Any) -> None:
    """An "ok" cell: the request is spam now (the case rows are untouched: it was awaiting)."""
    from laksana.intake.models import OutsideRequest, RequestStatus
    from tests.security.test_permission_matrix import unchanged

    unchanged(c)
    assert OutsideRequest.objects.get().status == RequestStatus.SPAM


def _spam_only_if_ok(c: Any) -> None:
    from laksana.intake.models import OutsideRequest, RequestStatus

    marked = OutsideRequest.objects.filter(status=RequestStatus.SPAM).exists()
    assert marked == (c.persona == "agency_admin"), c.persona


def entries() -> dict[str, Any]:
    from tests.security.test_permission_matrix import Entry, row

    admins_only = row("login", "403", "403", "403", "404", agency_admin="ok", other_admin="404")
    return {
        "org:public_services": Entry(
            lambda s: "/organisasi/diskominfos-bali/layanan-publik/", admins_only, static=True
        ),
        "org:public_service": Entry(
            lambda s: f"/organisasi/diskominfos-bali/layanan-publik/{_service(s).pk}/",
            admins_only,
            static=True,
        ),
        "org:outside_requests": Entry(
            lambda s: "/organisasi/diskominfos-bali/layanan-publik/permohonan/",
            admins_only,
            static=True,
        ),
        "org:outside_request": Entry(
            lambda s: f"/organisasi/diskominfos-bali/layanan-publik/permohonan/{_request(s).pk}/",
            admins_only,
            static=True,
        ),
        "POST org:outside_request": Entry(
            lambda s: f"/organisasi/diskominfos-bali/layanan-publik/permohonan/{_request(s).pk}/",
            admins_only,
            method="POST",
            data=lambda s: {"reason": "Iklan"},
            effect=_spam_marked,
            check=_spam_only_if_ok,
            static=True,
        ),
    }
