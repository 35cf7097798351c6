"""The demo's procedure drafts (laksana.procedures.drafts), written through the service.

* The Diskominfos Bali's **revision of SOP 002** (Penanganan Masalah Aplikasi), written by the
  Ketua Tim Aplikasi Informatika: the service-level purpose stated and a note on why, then
  sent for review; the Kepala Bidang (a procedure administrator) approves or returns it.
* A **new procedure being written** by a developer of Tim SPBE: requests for hosting, its
  actors and first steps, not yet checking clean (its end and SOP number are still missing).

Each has its journal (created, saved, sent). No case is opened: the demo's case counts stay.
"""

from __future__ import annotations

from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.procedures import drafts, drafttree
from laksana.procedures.models import ProcedureDraft

REVISION_PURPOSE = (
    "Menangani masalah aplikasi yang dilaporkan Perangkat Daerah sampai tuntas, dengan "
    "waktu dan tanggung jawab yang jelas pada setiap langkah."
)


def build_drafts(orgs: dict[str, DemoOrg]) -> list[ProcedureDraft]:
    """Bali's revision of SOP 002 in review and its new hosting procedure being written."""
    bali = orgs["bali"]
    writer = bali["ketuatim"]
    revision = drafts.create_from_version(writer, bali.versions[SOP_002])
    service = drafttree.section(drafttree.parse(revision.source), "service")
    revision = drafts.save_section(
        writer,
        revision,
        "service",
        {**service, "purpose": REVISION_PURPOSE},
        revision=revision.revision,
    )
    notes = drafttree.section(drafttree.parse(revision.source), "notes")
    revision = drafts.save_section(
        writer,
        revision,
        "notes",
        [*notes, "Revisi 2026: tujuan layanan dinyatakan di blok identitas (usulan Tim AI)."],
        revision=revision.revision,
    )
    revision = drafts.submit(writer, revision)

    author = bali["dev1"]
    hosting = drafts.create_blank(
        author, procedure_key="permohonan-hosting", title="Permohonan Layanan Hosting"
    )
    hosting = drafts.save_section(
        author,
        hosting,
        "actors",
        {
            "pemohon": {"name": "Perangkat Daerah Pemohon", "kind": "requesting_unit"},
            "kabid": {"name": "Kepala Bidang IAI", "kind": "position"},
            "tim_spbe": {"name": "Tim SPBE", "kind": "team"},
        },
        revision=hosting.revision,
    )
    hosting = drafts.save_section(
        author,
        hosting,
        "steps",
        [
            {
                "id": "s1",
                "activity": "Perangkat Daerah mengajukan surat permohonan layanan hosting",
                "actor": "pemohon",
                "time": "1 Jam",
            },
            {
                "id": "s2",
                "activity": "Kepala Bidang mendisposisikan permohonan kepada Tim SPBE",
                "actor": "kabid",
                "time": "1 Jam",
            },
            {
                "id": "s3",
                "activity": "Tim SPBE menyiapkan ruang hosting dan akun pengelola",
                "actor": "tim_spbe",
                "time": "1 Hari",
            },
        ],
        revision=hosting.revision,
    )
    return [revision, hosting]
