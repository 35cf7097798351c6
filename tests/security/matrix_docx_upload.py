"""The permission matrix's rows for the Word import routes (/prosedur/impor/; see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up by :func:`prepare`: a pending import of the Kepala
Dinas's (the step holder), read from an SOP AP document built by tests/procedures/sopdocx.py.
Only an agency's own staff who may write drafts import (laksana.procedures.drafts.may_write):
the Kepala Dinas; the other unit and the requester are requesting units' staff and the vendor
a vendor's, so they get 403 on every route. Uploading adds one pending import; saving the
Kepala Dinas's (every item confirmed) makes one draft and removes the pending import. Every
cell checks the pending imports and drafts itself (a refused or reading cell changed
nothing).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.urls import reverse


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _document() -> bytes:
    from tests.procedures.sopdocx import Row, build

    rows = [
        Row("1", "Operator menerima permohonan", 0, "dml", "", "1 Jam", "Permohonan"),
        Row("2", "Apakah permohonan lengkap?", 0, "vml-diamond", "Permohonan", "15 menit"),
        Row("3", "Kepala Bidang menyetujui", 1, "✓", "Permohonan", "1 Hari", "Persetujuan"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder) / "sop.docx", ["Operator", "Kepala Bidang"], rows)
        return path.read_bytes()


def _state() -> dict[str, Any]:
    from laksana.procedures.models import PendingImport, ProcedureDraft

    return {
        "pending": sorted(PendingImport.objects.values_list("pk", "by_id", "source")),
        "drafts": sorted(ProcedureDraft.objects.values_list("pk", "agency_id", "origin")),
    }


def prepare(s: Any) -> None:
    import io

    from laksana.procedures import docx_pending

    content = _document()
    pending = docx_pending.start(s.bali["kadis"], "sop.docx", io.BytesIO(content))
    s.__dict__.update(dx_pending=pending, dx_content=content, dx_before=_state())


def judged(kind: str) -> Callable[[Any], None]:
    """Pending imports and drafts unchanged unless the cell is an "ok" write of ``kind``
    (``upload``: one more pending import, no draft; ``save``: the pending import gone, one
    draft of the Kepala Dinas's agency made from a Word import)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["dx_before"], _state()
        if kind == "read" or _matrix().outcome(c.response, web=True) != "ok":
            assert after == before, f"{c.route} as {c.persona} changed the imports or drafts"
            return
        if kind == "upload":
            assert len(after["pending"]) == len(before["pending"]) + 1, c.route
            assert after["drafts"] == before["drafts"], c.route
        else:
            assert after["pending"] == [], c.route
            [draft] = [d for d in after["drafts"] if d not in before["drafts"]]
            assert draft[1:] == (c.person.agency_id, "docx"), c.route

    return check


def upload_form(s: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"document": SimpleUploadedFile("sop.docx", s.__dict__["dx_content"])}


def save_form(s: Any) -> dict[str, Any]:
    pending = s.__dict__["dx_pending"]
    return {"action": "save", "confirm": [str(i) for i in range(len(pending.to_confirm))]}


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    writer = row("login", "403", "403", "ok", "403")
    # A pending import is its uploader's (the Kepala Dinas's): another writer, in the agency
    # or another, gets 404 as for one that does not exist.
    uploader = row("login", "403", "403", "ok", "403", agency_admin="404", other_admin="404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def review(s: Any) -> str:
        return reverse("procedures:import_review", args=[s.__dict__["dx_pending"].pk])

    return {
        "procedures:import": Entry(
            lambda s: reverse("procedures:import"), writer, check=judged("read"), **common
        ),
        "POST procedures:import": Entry(
            lambda s: reverse("procedures:import"),
            writer,
            method="POST",
            data=upload_form,
            check=judged("upload"),
            **common,
        ),
        "procedures:import_review": Entry(review, uploader, check=judged("read"), **common),
        "POST procedures:import_review": Entry(
            review, uploader, method="POST", data=save_form, check=judged("save"), **common
        ),
    }
