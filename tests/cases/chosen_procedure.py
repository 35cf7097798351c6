"""A small procedure with an actor chosen when a case opens (the owner of the affected
system) and a step of a bound actor, published for Bali: shared by the service, API and web
tests of chosen actors and reassignment."""

from __future__ import annotations

from laksana.org.models import ActorBinding
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import publish

KEY = "uji-pemilik"

TEXT = """\
format: laksana/procedure@1
id: uji-pemilik
identity: {number: "098/UJI", title: Uji Pemilik Sistem, agency: Dinas Uji}
actors:
  pemilik:
    name: Pemilik Sistem
    kind: chosen
    description: Pegawai pemilik sistem yang terdampak, dipilih saat kasus dibuka
  ketua: {name: Ketua Tim, kind: position}
artifacts:
  catatan: {name: Catatan Pemeriksaan, type: form, fields: [{id: isi, label: Isi, type: text}]}
  persetujuan: {name: Persetujuan, type: form, fields: [{id: isi, label: Isi, type: text}]}
start: s1
steps:
  - id: s1
    activity: Memeriksa gangguan pada sistem
    actor: pemilik
    produces: [catatan]
    next: s2
  - id: s2
    activity: Menyetujui hasil pemeriksaan
    actor: ketua
    requires: [catatan]
    produces: [persetujuan]
    next: selesai
ends:
  - {id: selesai}
"""


def publish_for(org) -> ProcedureVersion:
    """Publish the procedure for the organisation, its ``ketua`` bound to its team leader."""
    version = publish(TEXT, "uji-pemilik.yaml", org.agency)
    ActorBinding.objects.get_or_create(
        agency=org.agency, procedure_key=KEY, actor_key="ketua", person=org["ketuatim"]
    )
    return version
