"""A small procedure whose first step is copied (tembusan) to an actor bound to someone who
otherwise sees nothing of the case (BKD's analyst, the case requested by Dinas Kesehatan):
shared by the tests of who reads a case through its copies."""

from __future__ import annotations

from laksana.cases import services
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.org.services import set_bindings
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import publish

TEXT = """\
format: laksana/procedure@1
id: uji-tembusan
identity: {number: "097/UJI", title: Uji Tembusan, agency: Dinas Uji}
actors:
  kabid: {name: Kepala Bidang, kind: position}
  pengembang: {name: Pengembang, kind: position}
  bkd: {name: Badan Kepegawaian Daerah, kind: position}
start: s1
steps:
  - id: s1
    activity: Memeriksa permohonan
    actor: kabid
    copies: [bkd]
    next: s2
  - id: s2
    activity: Menindaklanjuti permohonan
    actor: pengembang
    next: selesai
ends:
  - {id: selesai}
"""


def publish_for(org) -> ProcedureVersion:
    """Publish it for the organisation, its copy actor bound to BKD's analyst."""
    version = publish(TEXT, "uji-tembusan.yaml", org.agency)
    set_bindings(
        org.agency,
        version,
        {"kabid": org["kabid"], "pengembang": org["dev1"], "bkd": org["bkd"]},
    )
    return version


def open_copied(org, version: ProcedureVersion, title: str = "Permohonan bertembusan") -> Case:
    """A case of it opened by Dinas Kesehatan with its first step completed (copy sent)."""
    case = services.open_case(org["dinkes_staf"], version, title)
    row = CaseStep.objects.get(case=case, step_key="s1", status=StepStatus.ACTIVE)
    return services.complete_step(org["kabid"], row.pk)
