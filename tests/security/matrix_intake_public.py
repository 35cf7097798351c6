"""The permission matrix's rows for the public desk's filing pages (laksana.intake.views_public,
under /layanan/): open to everyone, signed in or not, except "my requests" (signed in). Each
persona gets the same answer: the agency's list, the form of an open service, the page after
filing and the tracking form; a form sent without its single-use token is refused (400) and a
made-up confirmation link is not found (404) for everyone, writing nothing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

PUBLIC = dict(agency_admin="ok", other_admin="ok")


def _bali(s: Any) -> str:
    return str(s.bali.agency.slug)


def _open_service(s: Any) -> None:
    from laksana.demo.orgs import SOP_002
    from laksana.intake.models import PublicService

    PublicService.objects.get_or_create(
        agency=s.bali.agency,
        slug="bantuan-aplikasi",
        defaults={
            "procedure_key": SOP_002,
            "title": "Bantuan masalah aplikasi",
            "opened_at": timezone.now(),
        },
    )


def _file_url(s: Any) -> str:
    return reverse("intake:file", args=[_bali(s), "bantuan-aplikasi"])


def _untokened(s: Any) -> dict[str, Any]:
    return {"name": "Ayu", "email": "ayu@contoh.id", "title": "Aplikasi galat"}


def _forged(s: Any) -> str:
    return reverse("intake:confirm", args=["bukan-rahasia-yang-benar"])


def entries() -> dict[str, Any]:
    from tests.security.test_permission_matrix import Entry, row

    everyone = row("ok", "ok", "ok", "ok", "ok", **PUBLIC)
    return {
        "intake:agency": Entry(
            lambda s: reverse("intake:agency", args=[_bali(s)]), everyone, static=True
        ),
        "intake:file": Entry(_file_url, everyone, static=True, prepare=_open_service),
        "POST intake:file": Entry(
            _file_url,
            row("400", "400", "400", "400", "400", agency_admin="400", other_admin="400"),
            method="POST",
            data=_untokened,
            static=True,
            prepare=_open_service,
        ),
        "intake:filed": Entry(lambda s: reverse("intake:filed"), everyone, static=True),
        "intake:confirm": Entry(
            _forged,
            row("404", "404", "404", "404", "404", agency_admin="404", other_admin="404"),
            static=True,
        ),
        "POST intake:confirm": Entry(
            _forged,
            row("404", "404", "404", "404", "404", agency_admin="404", other_admin="404"),
            method="POST",
            static=True,
        ),
        "intake:track": Entry(lambda s: reverse("intake:track"), everyone, static=True),
        "POST intake:track": Entry(
            lambda s: reverse("intake:track"),
            everyone,
            method="POST",
            data=lambda s: {"reference": "TIDAK-ADA", "email": "ayu@contoh.id"},
            static=True,
        ),
        "intake:mine": Entry(
            lambda s: reverse("intake:mine"),
            row("login", "ok", "ok", "ok", "ok", **PUBLIC),
            static=True,
        ),
    }
