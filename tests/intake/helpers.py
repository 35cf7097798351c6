"""Shared setup of the public filing's tests: Bali's SOP 002 opened to the public, a form's
token old enough to be sent, a valid filing, and the links the e-mails carry."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from laksana.demo.orgs import SOP_002
from laksana.intake import guard
from laksana.intake.models import (
    FormToken,
    IntakeCounter,
    OutsideRequest,
    PublicService,
    RequestFile,
)
from laksana.outbox.models import Message

# The smallest PDF check_upload accepts.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def open_service(
    org: Any, *, slug: str = "bantuan-aplikasi", is_open: bool = True, key: str = SOP_002
) -> PublicService:
    return PublicService.objects.create(
        agency=org.agency,
        procedure_key=key,
        slug=slug,
        title="Bantuan masalah aplikasi",
        intro="Laporkan masalah aplikasi pemerintah daerah.",
        is_open=is_open,
        opened_at=timezone.now(),
    )


def aged_token(service: PublicService, seconds: int = 30) -> str:
    """A form's token issued ``seconds`` ago (the minimum fill time passed)."""
    return guard.issue(service, now=timezone.now() - dt.timedelta(seconds=seconds))


def form(service: PublicService, **extra: Any) -> dict[str, Any]:
    data = {
        "name": "Ni Luh Putu Ayu",
        "email": "ayu@contoh.id",
        "phone": "+62 812 3456 7890",
        "title": "Aplikasi perizinan tidak bisa dibuka",
        "description": "Sejak pagi halaman masuk menampilkan galat 500.",
        "token": aged_token(service),
    }
    data.update(extra)
    return data


def counts() -> dict[str, int]:
    """What a filing writes (form tokens are issued by the form page, so only used ones)."""
    return {
        "requests": OutsideRequest.objects.count(),
        "files": RequestFile.objects.count(),
        "counters": IntakeCounter.objects.count(),
        "used_tokens": FormToken.objects.filter(used_at__isnull=False).count(),
        "mails": Message.objects.count(),
    }


def link_in(message: Message, prefix: str) -> str:
    """The site path starting with ``prefix`` in an e-mail's body."""
    found = re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def secret_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]
