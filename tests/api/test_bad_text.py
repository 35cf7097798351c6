"""Text no database column can store (a NUL character, an unpaired surrogate) is refused
with a 422 naming the field, on both databases, and nothing is written."""

from __future__ import annotations

import json

import pytest

from laksana.cases import services
from laksana.cases.models import Case, JournalEntry

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_json_body_is_refused_by_field(api_as, bali, sop002):
    before = Case.objects.count()
    response = api_as(bali["dinkes_staf"]).post(
        "/cases", {"procedure": sop002.procedure_key, "title": "Aplikasi\x00 lambat"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "title"
    assert "NUL" in body["message"]
    assert Case.objects.count() == before


def test_an_unpaired_surrogate_in_a_nested_value_is_refused(api_as, bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Layanan lambat")
    entries = JournalEntry.objects.filter(case=case).count()
    api = api_as(bali["dinkes_staf"])
    raw = '{"text": "Catatan \\ud800 rusak"}'
    response = api.client.post(
        f"/api/cases/{case.reference}/comments", raw, content_type="application/json",
        **api.headers,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["field"] == "text"
    assert JournalEntry.objects.filter(case=case).count() == entries


def test_a_nul_character_elsewhere_is_a_422_not_a_server_error(api_as, bali, sop002):
    # In a query parameter: PostgreSQL refuses it, SQLite searches for it; never a 500.
    response = api_as(bali["dinkes_staf"]).get("/cases", {"q": "lambat\x00"})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["code"] == "invalid_text"
    # Inside the JSON that a multipart completion carries in its "data" part.
    case = services.open_case(bali["dinkes_staf"], sop002, "Layanan lambat")
    step = case.steps.get(status="active")
    data = json.dumps({"values": {"x\x00": 1}, "note": "a\x00b"})
    response = api_as(bali["dinkes_staf"]).post_form(
        f"/cases/{case.reference}/steps/{step.pk}/complete", {"data": data}
    )
    assert response.status_code in (400, 422), response.content
    case.refresh_from_db()
    assert case.steps.get(status="active").pk == step.pk
