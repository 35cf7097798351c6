"""The demo's requests from outside: Diskominfos Bali opens SOP 002 to the public as
**Pengaduan Masalah Aplikasi** (``/layanan/diskominfos-bali/pengaduan-aplikasi/``), made by
its agency administrator through the service (laksana.intake.services_admin).

Three requests came in: a citizen, Wayan Sudarma, reports that SIKESDA shows no schedule of
his puskesmas; his e-mail was confirmed and the case opened on the desk's unit, its first
step (the requester's, done through his follow link) waiting; one request still awaits its
e-mail confirmation; one, an advertisement, was marked as spam by the administrator.
"""

from __future__ import annotations

import datetime as dt

from laksana.cases.models import Case
from laksana.demo.cases import Story
from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.intake import desk, services_admin, spam
from laksana.intake.models import OutsideRequest, PublicService, RequestStatus

DESK_LOGIN = "layanan_publik"
"""The key of the desk's system account among the demo people (it has no sign-in)."""

SLUG = "pengaduan-aplikasi"
TITLE = "SIKESDA tidak menampilkan jadwal puskesmas"


def _request(
    service: PublicService,
    title: str,
    name: str,
    email: str,
    description: str,
    at: dt.datetime,
    address: str,
    phone: str = "",
) -> OutsideRequest:
    _secret, confirm_hash = desk.new_secret()
    return OutsideRequest.objects.create(
        agency=service.agency,
        service=service,
        name=name,
        email=email,
        phone=phone,
        title=title,
        description=description,
        created_at=at,
        confirm_hash=confirm_hash,
        address_hash=desk.digest(address),
        email_hash=desk.digest(email.lower()),
    )


def build_intake(bali: DemoOrg, now: dt.datetime, written: list[str]) -> Case:
    """Open SOP 002 to the public and write the three requests; returns the opened case."""
    agency = bali.agency
    service = services_admin.create_service(
        agency,
        bali["adminbali"],
        procedure_key=SOP_002,
        title="Pengaduan Masalah Aplikasi",
        slug=SLUG,
        intro=(
            "Laporkan masalah pada aplikasi layanan Pemerintah Provinsi Bali. Kami mengirim "
            "tautan konfirmasi ke e-mail Anda; setelah dikonfirmasi, permohonan Anda "
            "diproses dan dapat diikuti melalui tautan pelacakan."
        ),
        source="demo",
        now=now - dt.timedelta(days=7),
    )
    bali.people[DESK_LOGIN] = desk.desk_for(agency).robot
    name, email, phone = "Wayan Sudarma", "wayan.sudarma@example.org", "081338123456"
    text = (
        "Sejak dua hari jadwal pelayanan Puskesmas Abiansemal I tidak muncul di SIKESDA; "
        "halaman hanya menampilkan pesan galat."
    )
    s = Story(bali, bali.versions[SOP_002], now, days_ago=2, written=written)
    s.open(DESK_LOGIN, TITLE, f"{text}\n\nPemohon: {name}, {email}, {phone}")
    case = s.current
    opened = _request(service, TITLE, name, email, text, case.opened_at, "203.0.113.7", phone)
    _secret, link_hash = desk.new_secret()
    opened.status = RequestStatus.OPENED
    opened.case = case
    opened.link_hash = link_hash
    opened.confirmed_at = case.opened_at
    opened.save(update_fields=["status", "case", "link_hash", "confirmed_at"])
    # Its first step is the requester's (through the follow link): SOP 002's step 1 asks
    # for a signed letter, which the follow link's page provides, so it waits here.
    _request(
        service,
        "Aplikasi e-Samsat tidak bisa dibuka",
        "Ni Made Ayu",
        "made.ayu@example.org",
        "Halaman e-Samsat berhenti saat memuat.",
        now - dt.timedelta(hours=3),
        "198.51.100.23",
    )
    junk = _request(
        service,
        "Promo pinjaman cepat cair",
        "Promo",
        "promo@example.net",
        "Pinjaman tanpa jaminan, hubungi kami.",
        now - dt.timedelta(days=1),
        "192.0.2.99",
    )
    spam.mark_spam(
        agency,
        bali["adminbali"],
        junk.pk,
        "Iklan, bukan pengaduan",
        now=now - dt.timedelta(hours=20),
    )
    return s.current
