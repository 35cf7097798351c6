"""The demo's procedure of several actors: Diskominfo Sukamaju's **Permohonan Hosting
Aplikasi** (data/permohonan-hosting-aplikasi.yaml), published by its procedure administrator,
with its service level (5 working days, no charge, its product and requirements), an actor
chosen when a case opens (Pemilik Sistem Elektronik), a check with a yes/no decision copied
to the Kepala Dinas (tembusan), a step any one of two teams may do and a step done jointly
with the system's owner.

One case runs on it, worked through the services: Disdukcapil asks to host its queueing
application (SIANDUK) with its head as the system's owner; the Kepala Bidang checks the
request (the Kepala Dinas gets the copy), the IT team prepares the server, and at the joint
installation step the owner has confirmed their part while the developers' part is still
open (what the case page shows as "Konfirmasi bagian saya").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from laksana.cases.models import Case
from laksana.demo.cases import TITLES, Story
from laksana.demo.orgs import DemoOrg
from laksana.org.models import ActorBinding
from laksana.procedures.services import publish

KEY = "permohonan-hosting-aplikasi"
SOURCE = Path(__file__).parent / "data" / f"{KEY}.yaml"


def build_hosting(skm: DemoOrg, now: dt.datetime, written: list[str]) -> Case:
    """Publish the procedure for Diskominfo Sukamaju, bind its actors and run its case to
    the joint step with the owner's part confirmed."""
    agency = skm.agency
    version = publish(SOURCE.read_text(encoding="utf-8"), SOURCE.name, agency, by=skm["skm_kabid"])
    skm.versions[KEY] = version
    # (Bound by their posts: whoever holds them later holds the steps.)
    for actor, target in (
        ("kabid", {"position": skm["skm_kabid"].positions.get()}),
        ("kadis", {"position": skm["skm_kadis"].positions.get()}),
        ("tim_ti", {"unit": skm.units["tim_ti"]}),
        ("pengembang", {"unit": skm.units["tim_dev"]}),
    ):
        ActorBinding.objects.create(agency=agency, procedure_key=KEY, actor_key=actor, **target)
    s = Story(skm, version, now, days_ago=2, written=written).open(
        "skm_dukcapil_staf",
        TITLES["skm_hosting"],
        "Disdukcapil memohon penempatan aplikasi antrean daring pelayanan adminduk (SIANDUK) "
        "di Pusat Data dengan subdomain antrean.sukamajukab.go.id sebelum peluncuran.",
        skm.applications["antrean"],
        chosen={"pemilik": "skm_kadisdukcapil"},
    )
    s.step(
        "skm_dukcapil_staf",
        hours=1,
        values={
            "kebutuhan_server": {
                "kapasitas": "100 GB",
                "sistem_operasi": "Ubuntu Server 24.04 LTS, PostgreSQL 16",
            }
        },
        note="Surat permohonan Kepala Disdukcapil terlampir.",
    )
    s.step("skm_kabid", hours=3, outcome="Ya", note="Persyaratan lengkap, lanjut ke Tim TI.")
    s.step(
        "skm_ti1",
        hours=6,
        values={"server_siap": {"alamat": "10.12.3.41 (VM antrean-01), antrean.sukamajukab.go.id"}},
        note="Server, basis data dan sertifikat TLS subdomain sudah disiapkan.",
    )
    s.confirm("skm_kadisdukcapil", hours=4)
    return s.current
