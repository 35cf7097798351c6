"""Small helpers for driving cases in tests: files and the values a step needs."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from laksana.cases import services
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.engine import artifacts
from laksana.org.models import Person

# Who plays each actor of SOP 004 in the DJKI demo organisation (keys of ``DemoOrg``).
SOP_004_PEOPLE = {
    "pengguna": "merek_staf",
    "direktur": "direktur",
    "kasubdit": "kasubdit",
    "kasie_database": "kasie_db",
    "kasie_jaringan": "kasie_net",
    "kasie_aplikasi": "kasie_app",
    "tim_ipas": "ipasdev",
    "kasubag_tu": "kasubag_tu",
    "jfu": "jfu",
}


def png(name: str = "layar.png", color: str = "red") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name: str = "surat.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def active(case: Case) -> CaseStep:
    return case.steps.get(status=StepStatus.ACTIVE)


def work(
    person: Person, case: Case, outcome: str | None = None, *, now: dt.datetime | None = None
) -> Case:
    """Complete the active step with valid example values (files and signed documents as
    uploaded PDFs/images, form fields, the disposition sent on the step),
    at ``now`` (default: the real clock)."""
    row = active(case)
    spec = case.version.spec
    step = spec.step(row.step_key)
    state = case.state
    values, files = {}, []
    for key in [a for a in step.requires if a not in state["artifacts"]] + list(step.produces):
        art = spec.artifact(key)
        if art.type == "file":
            upload = png(f"{key}.png") if "image" in art.accept else pdf(f"{key}.pdf")
            files.append(services.FileInput(key, [upload]))
        elif art.type not in ("form", "disposition"):
            # A letter, minutes, a report: the signed document, uploaded.
            files.append(services.FileInput(key, [pdf(f"{key}.pdf")]))
        elif art.type == "disposition":
            # Filled from the disposition the person sent on the step: send one if needed.
            if not row.dispositions.filter(sender=person).exists():
                below = person.subordinates.order_by("pk").first()
                assert below is not None, f"{person} has nobody to disposition to"
                services.dispose(
                    person, case.pk, [below], "Proses lebih lanjut", step_id=row.pk, now=now
                )
        else:
            values[key] = artifacts.example_value(art)
    if outcome is None and step.decision is not None and step.decision.decided_by:
        # Read from a run's minutes when the value is one; a signed paper uploaded as a file
        # records no result Laksana can read, so the person says it (the first: accepted).
        outcome = step.decision.outcomes[0].label
    return services.complete_step(
        person, row.pk, values=values, files=files, outcome=outcome, now=now
    )
