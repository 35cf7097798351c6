"""Comments, files added to a case, downloads and the journal through the API."""

from __future__ import annotations

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laksana.cases import services
from laksana.cases.journal import verify_case
from laksana.cases.models import Case
from tests.cases.helpers import pdf, png

from .conftest import open_case

pytestmark = pytest.mark.django_db


def test_a_comment_becomes_a_journal_entry(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    response = api.post(f"/cases/{case['reference']}/comments", {"text": "  Mohon dibantu  "})
    assert response.status_code == 201
    entry = response.json()
    assert (entry["kind"], entry["data"], entry["actor_name"]) == (
        "comment",
        {"text": "Mohon dibantu"},
        "Putu Eka Pratama",
    )
    blank = api.post(f"/cases/{case['reference']}/comments", {"text": " "})
    assert blank.status_code == 400 and blank.json()["field"] == "text"


def test_a_file_is_added_and_downloaded_only_by_who_may_see_the_case(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    upload = pdf("surat permohonan.pdf")
    response = api.post_form(f"/cases/{case['reference']}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert (attachment["name"], attachment["type"], attachment["artifact"]) == (
        "surat permohonan.pdf",
        "application/pdf",
        None,
    )
    assert attachment["url"] == f"/api/cases/{case['reference']}/attachments/{attachment['id']}"
    download = api.client.get(attachment["url"], **api.headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    upload.seek(0)
    assert b"".join(download.streaming_content) == upload.read()
    # Another unit's token: the file is missing as far as it can tell.
    outsider = api_as(bali["bkd"])
    assert outsider.client.get(attachment["url"], **outsider.headers).status_code == 404
    assert (
        outsider.post_form(f"/cases/{case['reference']}/attachments", {"file": png()}).status_code
        == 404
    )
    # A file id of another case under this case's reference is not found either.
    other = open_case(api, "Lain")
    wrong = f"/api/cases/{other['reference']}/attachments/{attachment['id']}"
    assert api.client.get(wrong, **api.headers).status_code == 404


def test_a_file_of_a_forbidden_kind_is_refused(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    program = SimpleUploadedFile("alat.png", b"MZ\x90\x00" * 50)
    response = api.post_form(f"/cases/{case['reference']}/attachments", {"file": program})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("upload_rejected", "file")
    missing = api.post_form(f"/cases/{case['reference']}/attachments", {})
    assert missing.status_code == 422 and missing.json()["field"] == "file"


def test_the_journal_is_served_in_order_with_its_hash_chain(api_as, bali, sop002):
    api = api_as(bali["dinkes_staf"])
    case = open_case(api)
    for text in ("satu", "dua", "tiga"):
        services.add_comment(bali["dinkes_staf"], _pk(case), text)
    body = api.get(f"/cases/{case['reference']}/journal").json()
    entries = body["items"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5] and body["next"] is None
    assert [e["kind"] for e in entries[:2]] == ["opened", "step_activated"]
    assert entries[0]["prev_hash"] == ""
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))
    first = api.get(f"/cases/{case['reference']}/journal", {"limit": 2}).json()
    assert [e["seq"] for e in first["items"]] == [1, 2] and first["next"] == 2
    rest = api.get(f"/cases/{case['reference']}/journal", {"after": 2, "limit": 2}).json()
    assert [e["seq"] for e in rest["items"]] == [3, 4]
    assert verify_case(Case.objects.get(reference=case["reference"])) is None


def _pk(case: dict) -> int:
    return Case.objects.get(reference=case["reference"]).pk
