"""The procedure drafts API: the service's rules at the API's door, and a draft written,
reviewed and published through it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from laksana.demo.orgs import SOP_002
from laksana.org import roles
from laksana.org.models import RoleKind
from laksana.procedures import drafts, drafttree
from laksana.procedures.models import DraftState, ProcedureDraft, ProcedureVersion

pytestmark = pytest.mark.django_db


def _put(api: Any, path: str, body: dict[str, Any]) -> Any:
    return api.client.put(
        f"/api{path}", json.dumps(body), content_type="application/json", **api.headers
    )


def drafts_ids(bali: Any) -> dict[str, Any]:
    """A draft of Bali revising its SOP 002, written by the Ketua Tim: the path parameters of
    the drafts API's operations for the API's fuzzing (tests/security/test_api_fuzz.py)."""
    draft = drafts.create_from_version(bali["ketuatim"], bali.versions[SOP_002])
    return {"draft_id": draft.pk, "section": "notes"}


def test_another_agencys_draft_is_a_404_and_a_vendor_may_not_write(api_as, bali, djki):
    draft_id = drafts_ids(bali)["draft_id"]
    outsider = api_as(djki["ipasdev"])
    for path in ("", "/check", "/yaml", "/journal"):
        response = outsider.get(f"/procedure-drafts/{draft_id}{path}")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert outsider.post(f"/procedure-drafts/{draft_id}/withdraw").status_code == 404
    assert (
        _put(
            outsider, f"/procedure-drafts/{draft_id}/source", {"source": "x", "revision": 1}
        ).status_code
        == 404
    )
    assert outsider.get("/procedure-drafts").json() == []
    response = outsider.post("/procedure-drafts", {"procedure_key": "izin-vendor", "title": "x"})
    assert response.status_code == 403
    assert not ProcedureDraft.objects.filter(procedure_key="izin-vendor").exists()
    assert ProcedureDraft.objects.get(pk=draft_id).state == DraftState.DRAFT


def test_a_draft_is_written_sent_and_approved_through_the_api(api_as, bali):
    roles.grant(bali["kadis"], RoleKind.PROCEDURE_ADMIN)
    writer, reviewer = api_as(bali["ketuatim"]), api_as(bali["kadis"])
    created = writer.post("/procedure-drafts", {"version_key": SOP_002, "version_number": 1})
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["base_version"] == 1 and draft["tree"]["id"] == SOP_002
    ident = drafttree.section(draft["tree"], "identity")
    path = f"/procedure-drafts/{draft['id']}"
    saved = _put(
        writer,
        f"{path}/sections/identity",
        {"data": {**ident, "title": "Penanganan Masalah (API)"}, "revision": draft["revision"]},
    )
    assert saved.status_code == 200, saved.content
    stale = _put(writer, f"{path}/sections/notes", {"data": [], "revision": draft["revision"]})
    assert stale.status_code == 400 and stale.json()["field"] == "revision"
    forged = _put(
        writer, f"{path}/sections/secret", {"data": {}, "revision": saved.json()["revision"]}
    )
    assert forged.status_code == 400 and forged.json()["field"] == "section"
    assert writer.get(f"{path}/check").json() == {"ok": True, "messages": []}
    yaml_file = writer.get(f"{path}/yaml")
    assert yaml_file["Content-Type"] == "application/yaml"
    assert "Penanganan Masalah (API)" in yaml_file.content.decode()
    assert writer.post(f"{path}/submit").json()["state"] == "in_review"
    own = writer.post(f"{path}/approve", {"note": ""})
    assert own.status_code == 403
    approved = reviewer.post(f"{path}/approve", {"note": "Setuju"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["version"] == 2 and approved.json()["draft"]["state"] == "published"
    version = ProcedureVersion.objects.get(agency=bali.agency, procedure_key=SOP_002, number=2)
    assert version.published_by == bali["kadis"]
    journal = writer.get(f"{path}/journal").json()
    assert [e["kind"] for e in journal] == ["created", "saved", "submitted", "approved"]
    assert journal[-1]["by"] == bali["kadis"].name and journal[-1]["data"]["version"] == 2


def test_bad_drafts_input_is_refused_with_its_field(api_as, bali):
    writer = api_as(bali["ketuatim"])
    assert writer.post("/procedure-drafts", {}).status_code == 422
    response = writer.post("/procedure-drafts", {"source": "a: [b\n"})
    assert response.status_code == 400 and response.json()["field"] == "source"
    response = writer.post("/procedure-drafts", {"version_key": SOP_002, "version_number": 9})
    assert response.status_code == 404
    response = writer.post("/procedure-drafts", {"procedure_key": "Bad Key", "title": "x"})
    assert response.status_code == 400 and response.json()["field"] == "procedure_key"
    assert not ProcedureDraft.objects.exists()
