"""Outside requests opened as cases on Bali's SOP 002, for the follow link's tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.demo.orgs import SOP_002
from laksana.intake import desk
from laksana.intake.models import OutsideRequest, PublicService, RequestStatus
from laksana.outbox.models import Message
from tests.cases.helpers import pdf, png


def service(agency: Any) -> PublicService:
    found = PublicService.objects.filter(agency=agency, procedure_key=SOP_002).first()
    return found or PublicService.objects.create(
        agency=agency,
        procedure_key=SOP_002,
        slug="masalah-aplikasi",
        title="Penanganan Masalah Aplikasi",
        opened_at=timezone.now(),
    )


def outside_case(
    agency: Any,
    *,
    name: str = "Wayan Sari",
    email: str = "wayan@contoh.id",
    title: str = "Aplikasi SIMPEG galat",
) -> tuple[str, OutsideRequest]:
    """A confirmed outside request with its case (the first step, the requester's, active);
    returns the link's secret and the request."""
    secret, digest = desk.new_secret()
    request = OutsideRequest.objects.create(
        agency=agency,
        service=service(agency),
        name=name,
        email=email,
        title=title,
        description="Tidak bisa masuk sejak kemarin.",
        status=RequestStatus.OPENED,
        link_hash=digest,
        created_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    request.case = desk.open_case(request)
    request.save(update_fields=["case"])
    return secret, request


def active(case: Case) -> CaseStep:
    return case.steps.get(status=StepStatus.ACTIVE)


def url(secret: str) -> str:
    return f"/layanan/permohonan/{secret}/"


def step_url(secret: str, step_id: int) -> str:
    return f"/layanan/permohonan/{secret}/langkah/{step_id}/"


def reply_url(secret: str, step_id: int) -> str:
    return f"/layanan/permohonan/{secret}/balas/{step_id}/"


def step1_form() -> dict[str, Any]:
    """What the requester enters on SOP 002's step 1."""
    return {
        "art-surat_permohonan": pdf("surat.pdf"),
        "art-foto_masalah": png("galat.png"),
        "art-keterangan_proses-uraian": "Setelah pembaruan, tombol masuk tidak berfungsi.",
        "art-dokumen_analisis": pdf("analisis.pdf"),
    }


def step2_form() -> dict[str, Any]:
    return {
        "art-proses_bisnis_masalah": pdf("proses.pdf"),
        "art-permohonan_kantor_virtual": pdf("permohonan.pdf"),
    }


def mails_to(address: str) -> list[Message]:
    return list(Message.objects.filter(to=address).order_by("pk"))


def counts() -> tuple[int, ...]:
    from laksana.cases.models import Attachment, JournalEntry, Notification

    return (
        JournalEntry.objects.count(),
        Attachment.objects.count(),
        CaseStep.objects.filter(status=StepStatus.COMPLETED).count(),
        Notification.objects.count(),
        Message.objects.count(),
    )
