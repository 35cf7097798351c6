"""The documents' API: the documents of a case, one document, a draft made and changed,
submitted, initialled, signed or returned, and its PDF. Attacks first: another agency's
documents, unknown fields, out-of-turn actions; each refused with a specific message and
nothing changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from laksana.accounts.services import issue_token
from laksana.cases.models import JournalEntry
from laksana.documents.models import Document, DocumentStatus, Signatory, SignatoryStatus
from laksana.engine.artifacts import example_value
from tests.api.conftest import Api
from tests.cases.helpers import pdf

from .drafts import DISCUSSION, case_at_discussion, circulate, draft, signatories, step


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def api_as(client: Client) -> Callable[[Any], Api]:
    """``api_as(person)``: an API client with a fresh token of ``person``, in English."""
    client.cookies["django_language"] = "en"

    def make(person: Any) -> Api:
        _token, secret = issue_token(person, "tests")
        return Api(client, secret)

    return make


@pytest.fixture
def case(bali, sop002):
    return case_at_discussion(bali, sop002)


def body(case: Any, bali: Any, **extra: Any) -> dict[str, Any]:
    return {
        "case": case.reference,
        "step_id": step(case).pk,
        "artifact": "ba_diskusi",
        "fields": DISCUSSION,
        "signatories": signatories(bali),
        **extra,
    }


# --- attacks --------------------------------------------------------------------------------


def test_another_agencys_documents_are_not_found(api_as, bali, djki, case):
    doc = circulate(bali, case)
    outsider: Api = api_as(djki["direktur"])
    assert outsider.get("/documents", {"case": case.reference}).status_code == 404
    for path in (f"/documents/{doc.pk}", f"/documents/{doc.pk}/pdf"):
        response = outsider.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
    response = outsider.post(f"/documents/{doc.pk}/sign", {})
    assert response.status_code == 404
    assert outsider.post("/documents", body(case, bali)).status_code == 404
    assert not Signatory.objects.filter(document=doc, status=SignatoryStatus.DONE).exists()
    assert Document.objects.count() == 1


def test_without_a_token_it_is_401(client, bali, case):
    assert Api(client, None).get("/documents", {"case": case.reference}).status_code == 401


def test_an_unknown_field_is_named_and_nothing_is_made(api_as, bali, case):
    fields = {**DISCUSSION, "warna": "merah"}
    response = api_as(bali["ketuatim"]).post("/documents", body(case, bali, fields=fields))
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_fields" and answer["field"] == "warna"
    assert "Unknown field warna" in answer["message"]
    assert not Document.objects.exists()


def test_an_unknown_key_of_the_body_is_refused(api_as, bali, case):
    response = api_as(bali["ketuatim"]).post("/documents", body(case, bali, nomor="001"))
    assert response.status_code == 422
    assert response.json()["field"] == "nomor"
    assert not Document.objects.exists()


def test_signing_out_of_turn_names_who_acts_first_and_changes_nothing(api_as, bali, case):
    doc = circulate(bali, case)
    journal = JournalEntry.objects.count()
    response = api_as(bali["kadis"]).post(
        f"/documents/{doc.pk}/sign", {"seen_sha256": doc.pdf_sha256}
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "not_your_turn"
    assert bali["ketuatim"].name in answer["message"]
    assert JournalEntry.objects.count() == journal
    assert not Signatory.objects.filter(document=doc, status=SignatoryStatus.DONE).exists()


def test_only_the_author_changes_or_submits(api_as, bali, case):
    doc = draft(bali, case)
    response = api_as(bali["kabid"]).post(f"/documents/{doc.pk}/submit")
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    response = api_as(bali["kabid"]).client.patch(
        f"/api/documents/{doc.pk}",
        '{"fields": {"topic": "lain"}}',
        content_type="application/json",
        **api_as(bali["kabid"]).headers,
    )
    assert response.status_code == 403
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DRAFT and doc.fields["topic"] == DISCUSSION["topic"]


def test_a_refusal_needs_a_note(api_as, bali, case):
    doc = circulate(bali, case)
    response = api_as(bali["ketuatim"]).post(f"/documents/{doc.pk}/refuse", {"note": " "})
    assert response.status_code == 400 and response.json()["field"] == "note"
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.CIRCULATING


# --- a document's life ----------------------------------------------------------------------


def test_a_draft_made_changed_circulated_and_signed_through_the_api(api_as, bali, case):
    author: Api = api_as(bali["ketuatim"])
    response = author.post("/documents", body(case, bali))
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "draft" and made["number"] == ""
    assert made["verification_code"] is None and made["pdf_url"] is None
    assert [s["person"]["id"] for s in made["signatories"]] == [
        s["person"] for s in signatories(bali)
    ]
    pk = made["id"]

    changed = author.client.patch(
        f"/api/documents/{pk}",
        '{"fields": {"place": "Aula", "topic": "Baru", "agreements": ["Satu"]}}',
        content_type="application/json",
        **author.headers,
    )
    assert changed.status_code == 200 and changed.json()["fields"]["topic"] == "Baru"

    listed = author.get("/documents", {"case": case.reference}).json()
    assert [d["id"] for d in listed] == [pk]

    sent = author.post(f"/documents/{pk}/submit").json()
    assert sent["status"] == "circulating" and sent["pdf_sha256"]
    assert [w["id"] for w in sent["waiting_for"]] == [bali["ketuatim"].pk]
    printed = author.get(f"/documents/{pk}/pdf")
    assert printed.status_code == 200
    assert b"".join(printed.streaming_content).startswith(b"%PDF")

    answer = sent
    for who, action in (
        ("ketuatim", "initial"),
        ("kabid", "initial"),
        ("kadis", "sign"),
        ("dinkes", "sign"),
    ):
        response = api_as(bali[who]).post(
            f"/documents/{pk}/{action}", {"seen_sha256": answer["pdf_sha256"]}
        )
        assert response.status_code == 200, (who, response.content)
        answer = response.json()
    assert answer["status"] == "final" and answer["number"]
    assert answer["verification_code"]
    assert all(s["status"] == "done" for s in answer["signatories"])

    # The step is completed with the final document, as on the web.
    row = step(case)
    spec = case.version.spec
    values = {"ba_diskusi": {"ref": f"document:{pk}"}}
    values["bahan_diskusi"] = example_value(spec.artifact("bahan_diskusi"))
    completed = author.post_form(
        f"/cases/{case.reference}/steps/{row.pk}/complete",
        {"data": json.dumps({"values": values}), "dokumen_awal_proses_bisnis": pdf("awal.pdf")},
    )
    assert completed.status_code == 200, completed.content
    case.refresh_from_db()
    assert case.state["artifacts"]["ba_diskusi"]["ref"] == f"document:{pk}"


def test_the_list_reads_the_same_number_of_queries_for_more_documents(api_as, bali, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from laksana.documents import services

    reader: Api = api_as(bali["kadis"])
    nota = {"to": "Kabid", "subject": "Uji", "body": "Isi."}
    services.make_draft(bali["kadis"], case, kind="nota_dinas", fields=nota)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert reader.get("/documents", {"case": case.reference}).status_code == 200
        return len(queries)

    count()  # the token's first use is written once
    one = count()
    for _ in range(3):
        services.make_draft(bali["kadis"], case, kind="nota_dinas", fields=nota)
    assert count() == one
