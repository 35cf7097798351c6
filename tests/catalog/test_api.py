"""The catalogue API: list and search (keyset pages), one application with its record, the
export, documents; the shared error format."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from laksana.accounts.services import issue_token
from laksana.cases import services as case_services
from laksana.catalog import services, spreadsheet
from laksana.catalog.models import Application

from ..cases.helpers import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, province, sample_table):
    services.import_applications(
        None, province.agency, sample_table, spreadsheet.guess_mapping(sample_table.headers)
    )

    def get(path, params=None, person=None):
        _token, secret = issue_token(person or province["kabid"], "tests")
        return client.get(f"/api{path}", params or {}, HTTP_AUTHORIZATION=f"Bearer {secret}")

    return get


def test_it_lists_applications_a_keyset_page_at_a_time(api):
    seen, after, counts = [], None, set()
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = api("/applications", {"limit": 7, **({"after": after} if after else {})})
        counts.add(len(queries))
        page = response.json()
        seen += [item["name"] for item in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert len(seen) == 32 == len(set(seen)) and seen == sorted(seen)
    # The same on every page: issuing the token (2), authenticating it (token, person,
    # account: 3, and its first use noted: 1), then the page itself.
    assert len(counts) == 1 and max(counts) <= 10, counts


def test_it_searches_and_filters(api):
    items = api("/applications", {"q": "pajak"}).json()["items"]
    assert [i["short_name"] for i in items] == ["e-Samsat Bali"]
    (item,) = items
    assert item["stage"] == "in_production" and item["platforms"] == ["web", "mobile", "api"]
    assert item["owner_unit"]["short_name"] == "Bapenda"
    retired = api("/applications", {"stage": "retired", "platform": "web"}).json()["items"]
    assert {i["short_name"] for i in retired} == {"TNDE", "e-Planning"}
    bad = api("/applications", {"stage": "setengah"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    cursor = api("/applications", {"after": "!!"})
    assert cursor.status_code == 422 and cursor.json()["field"] == "after"


def test_one_application_comes_with_its_record(api, province, sop002):
    app = Application.objects.get(short_name="Love Bali")
    case = case_services.open_case(
        province["dinkes_staf"], sop002, "Voucer tidak terbaca", application=app
    )
    services.add_risk(None, app.pk, services.RiskInput("Pembayaran ganda", 2, 5, "Idempoten"))
    doc = services.add_document(None, app.pk, pdf("bast.pdf"), kind="handover")
    body = api(f"/applications/{app.pk}").json()
    assert body["name"] == "Sistem Pungutan Wisatawan Asing"
    assert body["developer"] == {
        "kind": "vendor",
        "name": "PT Cipta Solusi Bali",
        "unit_id": None,
        "vendor_id": app.developer_vendor_id,
    }
    assert [e["kind"] for e in body["environments"]] == ["production", "staging"]
    (contract,) = body["contracts"]
    assert contract["value"] == "2450000000.00" and contract["current"] is False
    (risk,) = body["risks"]
    assert (risk["score"], risk["level"]) == (10, "high")
    assert body["cases"] == []  # the Kabid has no part in the Dinkes case
    mine = api(f"/applications/{app.pk}", person=province["dinkes_staf"]).json()
    assert [c["reference"] for c in mine["cases"]] == [case.reference]
    assert body["stage_changes"][0]["new_stage"] == "in_production"
    assert {e["kind"] for e in mine["timeline"]} >= {"stage", "case", "contract", "risk"}
    (document,) = body["documents"]
    download = api(document["url"].removeprefix("/api"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert document["id"] == doc.pk
    missing = api("/applications/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_the_export_is_the_import_format(api):
    response = api("/applications/export", {"format": "xlsx", "q": "bali"})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Aplikasi"].iter_rows(values_only=True))
    assert rows[0][0] == "Nama Aplikasi" and len(rows) > 2
    csv = api("/applications/export", {"format": "csv"})
    assert csv["Content-Type"] == "text/csv"
    table = spreadsheet.read_table(csv.content, "x.csv")
    assert len(table.rows) == 32


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/applications",
        "/api/applications/export",
        "/api/applications/{application_id}",
        "/api/applications/{application_id}/documents/{document_id}",
    ):
        assert path in paths, path
