"""The permission matrix's rows for the procedure drafts web routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up by :func:`prepare`: a Bali draft revising SOP 002
(it checks clean) and a second one sent for review, both written by a member of the IT
division. Bali's own staff write drafts: of the personas, the Kepala Dinas (the step holder);
the other unit and the requester are requesting units' staff, who may not (403). The DJKI
vendor gets 404 for Bali's drafts, as for ones that do not exist, and 403 where no draft is
named (the list, a new draft). None of the personas is a procedure administrator: approving
or returning is a 403 for all of Bali's. Every cell checks the draft tables itself (a refused
or reading cell changed nothing; an "ok" write changed what it says).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.urls import reverse


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.procedures.models import ProcedureDraft, ProcedureEvent, ProcedureVersion

    return {
        "drafts": sorted(
            ProcedureDraft.objects.values_list("pk", "state", "revision", "source", "title")
        ),
        "events": ProcedureEvent.objects.count(),
        "versions": ProcedureVersion.objects.count(),
    }


def prepare(s: Any) -> None:
    from laksana.procedures import drafts

    author = s.bali["dev1"]
    version = s.bali.versions["sop-002-penanganan-masalah-aplikasi"]
    draft = drafts.create_from_version(author, version)
    in_review = drafts.create_from_version(author, version)
    drafts.submit(author, in_review)
    s.__dict__.update(dr_draft=draft, dr_review=in_review, dr_before=_state())


def judged(kind: str) -> Callable[[Any], None]:
    """The draft tables unchanged unless the cell is an "ok" write of ``kind`` (``new``: one
    more draft; ``changed``: as many drafts, one changed, one more journal entry)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["dr_before"], _state()
        ok = _matrix().outcome(c.response, web=True) == "ok"
        if kind == "read" or not ok:
            assert after == before, f"{c.route} as {c.persona} changed the draft tables"
            return
        if kind == "new":
            assert len(after["drafts"]) == len(before["drafts"]) + 1, c.route
        else:
            assert after["drafts"] != before["drafts"], c.route
            assert len(after["drafts"]) == len(before["drafts"]), c.route
        assert after["events"] == before["events"] + 1, c.route

    return check


def identity_form(s: Any) -> dict[str, Any]:
    draft = s.__dict__["dr_draft"]
    return {
        "revision": str(draft.revision),
        "id": draft.procedure_key,
        "number": "000.9/002/Diskominfos",
        "title": "Penanganan Masalah Aplikasi (revisi matriks)",
        "agency": "Dinas Komunikasi, Informatika dan Statistik Provinsi Bali",
        "approved_by_title": "Kepala Dinas",
    }


def source_form(s: Any) -> dict[str, Any]:
    draft = s.__dict__["dr_draft"]
    return {"revision": str(draft.revision), "source": draft.source + "\n"}


def new_form(s: Any) -> dict[str, Any]:
    return {"procedure_key": "sop-019-matriks-baru", "title": "SOP Matriks Baru"}


def open_form(s: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = s.bali.versions["sop-002-penanganan-masalah-aplikasi"].source.replace(
        "sop-002-penanganan-masalah-aplikasi", "sop-029-matriks-berkas"
    )
    return {"source": SimpleUploadedFile("matriks.yaml", text.encode(), "application/yaml")}


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    # Bali's IT staff (the Kepala Dinas) write; requesting units' staff are refused.
    agency_writer = row("login", "403", "403", "ok", "403")
    draft_writer = row("login", "403", "403", "ok", "404")
    reviewer = row("login", "403", "403", "403", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def draft_url(name: str, key: str = "dr_draft", *extra: str) -> Callable[[Any], str]:
        return lambda s: reverse(f"procedures:{name}", args=[s.__dict__[key].pk, *extra])

    def post(url: Callable[[Any], str], expect: Any, kind: str, **more: Any) -> Any:
        return Entry(url, expect, method="POST", check=judged(kind), **more, **common)

    return {
        "procedures:drafts": Entry(
            lambda s: reverse("procedures:drafts"), agency_writer, check=judged("read"), **common
        ),
        "POST procedures:draft_new": post(
            lambda s: reverse("procedures:draft_new"), agency_writer, "new", data=new_form
        ),
        "POST procedures:draft_open": post(
            lambda s: reverse("procedures:draft_open"), agency_writer, "new", data=open_form
        ),
        "procedures:draft": Entry(draft_url("draft"), draft_writer, check=judged("read"), **common),
        "procedures:draft_yaml": Entry(
            draft_url("draft_yaml"), draft_writer, check=judged("read"), **common
        ),
        "POST procedures:draft_save": post(
            draft_url("draft_save", "dr_draft", "identity"),
            draft_writer,
            "changed",
            data=identity_form,
        ),
        "POST procedures:draft_source": post(
            draft_url("draft_source"), draft_writer, "changed", data=source_form
        ),
        "POST procedures:draft_preview": post(
            draft_url("draft_preview", "dr_draft", "identity"),
            draft_writer,
            "read",
            data=identity_form,
        ),
        "POST procedures:draft_submit": post(draft_url("draft_submit"), draft_writer, "changed"),
        "POST procedures:draft_approve": post(
            draft_url("draft_approve", "dr_review"), reviewer, "read"
        ),
        "POST procedures:draft_return": post(
            draft_url("draft_return", "dr_review"),
            reviewer,
            "read",
            data=lambda s: {"note": "Perbaiki waktu langkah 3"},
        ),
        "POST procedures:draft_withdraw": post(
            draft_url("draft_withdraw"), draft_writer, "changed"
        ),
        "POST procedures:revise": post(
            lambda s: reverse("procedures:revise", args=m.BALI_SOP_002(s)),
            draft_writer,
            "new",
        ),
    }
