"""Shared by the tests of a document's life: a SOP 002 case of the Bali demo at step 5 (the
Ketua Tim makes the Berita Acara Hasil Diskusi), and drafts of it."""

from __future__ import annotations

from typing import Any

from laksana.cases import services as case_services
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.documents import services
from laksana.documents.models import Document
from tests.cases.helpers import work

DISCUSSION = {
    "place": "Ruang Rapat Diskominfos",
    "topic": "Perbaikan modul laporan SIKESDA",
    "agreements": "Perbaikan selesai dalam 30 hari\nUji coba bersama Dinkes",
    "participants": [{"name": "I Made Suardana", "position": "Ketua Tim AI"}],
}


def case_at_discussion(bali: Any, sop002: Any, title: str = "Gangguan laporan") -> Case:
    """A case of SOP 002 whose active step is s5 (the discussion, output ba_diskusi)."""
    case = case_services.open_case(bali["dinkes_staf"], sop002, title)
    for who in ("dinkes_staf", "dinkes_staf", "kadis", "kabid"):
        case = work(bali[who], case)
    assert step(case).step_key == "s5"
    return case


def step(case: Case) -> CaseStep:
    return case.steps.get(status=StepStatus.ACTIVE)


def signatories(bali: Any) -> list[dict[str, Any]]:
    """Two initials, then a joint signature of the Kepala Dinas and the head of Dinkes."""
    return [
        {"person": bali["ketuatim"].pk, "role": "initial", "label": "", "order": 1},
        {"person": bali["kabid"].pk, "role": "initial", "label": "", "order": 2},
        {"person": bali["kadis"].pk, "role": "sign", "label": "PIHAK PERTAMA", "order": 3},
        {"person": bali["dinkes"].pk, "role": "sign", "label": "PIHAK KEDUA", "order": 3},
    ]


def draft(bali: Any, case: Case, **kw: Any) -> Document:
    kw.setdefault("fields", DISCUSSION)
    kw.setdefault("signatories", signatories(bali))
    return services.make_draft(
        bali["ketuatim"], case, step=step(case), artifact_key="ba_diskusi", **kw
    )


def circulate(bali: Any, case: Case) -> Document:
    return services.submit(bali["ketuatim"], draft(bali, case))


def finish(bali: Any, doc: Document) -> Document:
    """Every initial and signature, in order."""
    doc = services.initial(bali["ketuatim"], doc)
    doc = services.initial(bali["kabid"], doc)
    doc = services.sign(bali["dinkes"], doc)
    return services.sign(bali["kadis"], doc)
