"""Listing, searching, opening and reading cases through the API; visibility as on the web."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laksana.cases import services
from laksana.demo.orgs import SOP_002
from tests.cases.helpers import work

from .conftest import open_case

pytestmark = pytest.mark.django_db


def _open(person, version, title, **kwargs):
    return services.open_case(person, version, title, **kwargs)


def test_it_lists_the_visible_cases_newest_first(api_as, bali, sop002):
    staff = bali["dinkes_staf"]
    t0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    for i, title in enumerate(["Satu", "Dua", "Tiga"]):
        _open(staff, sop002, title, now=t0 + dt.timedelta(hours=i))
    _open(bali["bkd"], sop002, "Kasus BKD", now=t0)
    body = api_as(staff).get("/cases").json()
    assert [c["title"] for c in body["items"]] == ["Tiga", "Dua", "Satu"]
    assert body["next"] is None
    first = body["items"][0]
    assert first["procedure"] == SOP_002 and first["version"] == 1
    assert first["status"] == "running" and first["active_steps"] == ["s1"]
    assert first["requesting_unit"]["short_name"] == "Dinkes"
    assert first["opened_by"] == {"id": staff.pk, "name": staff.name}


def test_it_filters_and_searches(api_as, bali, sop002, sop004):
    staff = bali["dinkes_staf"]
    sikesda = bali.applications["sikesda"]
    _open(staff, sop002, "SIKESDA lambat", application=sikesda)
    _open(staff, sop002, "Login gagal")
    api = api_as(staff)

    def titles(**params):
        response = api.get("/cases", params)
        assert response.status_code == 200, response.content
        return sorted(c["title"] for c in response.json()["items"])

    assert titles(application=sikesda.pk) == ["SIKESDA lambat"]
    assert titles(q="LOGIN") == ["Login gagal"]
    assert titles(q="sikesda lambat") == ["SIKESDA lambat"]
    assert titles(q="sikesda login") == []
    assert titles(status="running") == ["Login gagal", "SIKESDA lambat"]
    assert titles(status="finished") == []
    assert titles(procedure=SOP_002) == ["Login gagal", "SIKESDA lambat"]
    assert titles(procedure="sop-004-pemulihan-gagal-fungsi-ipas") == []
    assert titles(requesting_unit=bali.units["bkd"].pk) == []
    assert titles(requesting_unit=bali.units["dinkes"].pk) == ["Login gagal", "SIKESDA lambat"]


def test_it_pages_with_a_cursor(api_as, bali, sop002):
    staff = bali["dinkes_staf"]
    same = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    # Two cases opened at the same instant: the id breaks the tie, none is skipped or repeated.
    for title in ["A", "B", "C"]:
        _open(staff, sop002, title, now=same)
    _open(staff, sop002, "D", now=same + dt.timedelta(minutes=1))
    api = api_as(staff)
    seen, after = [], None
    for _ in range(3):
        params = {"limit": 2} | ({"after": after} if after else {})
        body = api.get("/cases", params).json()
        seen += [c["title"] for c in body["items"]]
        after = body["next"]
        if after is None:
            break
    assert seen == ["D", "C", "B", "A"]
    assert after is None


@pytest.mark.parametrize(
    ("params", "field"),
    [({"after": "not-a-cursor"}, "after"), ({"limit": 101}, "limit"), ({"limit": 0}, "limit")],
)
def test_it_refuses_a_bad_page_request(api_as, bali, params, field):
    response = api_as(bali["dinkes_staf"]).get("/cases", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["field"] == field


def test_the_list_takes_a_bounded_number_of_queries(api_as, bali, sop002):
    staff = bali["dinkes_staf"]
    api = api_as(staff)
    api.get("/cases")  # the token's first use writes last_used_at; later uses do not

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/cases", {"limit": 100}).status_code == 200
        return len(queries)

    _open(staff, sop002, "Pertama", application=bali.applications["sikesda"])
    few = count()
    for i in range(8):
        _open(staff, sop002, f"Kasus {i}", application=bali.applications["sikesda"])
    assert count() == few
    # The token, the visibility gate (person, subordinates, units, actor bindings), the page.
    assert few <= 8


def test_it_opens_a_case_for_the_callers_unit(api_as, bali, sop002):
    sikesda = bali.applications["sikesda"]
    case = open_case(
        api_as(bali["dinkes_staf"]),
        "SIKESDA error",
        description="Tidak bisa simpan",
        application=sikesda.pk,
    )
    assert case["reference"].endswith("-000001")
    assert case["application"] == {"id": sikesda.pk, "name": sikesda.name}
    assert case["description"] == "Tidak bisa simpan"
    assert case["requesting_unit"]["id"] == bali.units["dinkes"].pk
    (step,) = case["steps"]
    assert step["step_key"] == "s1" and step["actor"] == "pemohon" and step["visit"] == 1
    assert case["active_step_ids"] == [step["id"]]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"procedure": "tidak-ada", "title": "x"}, 400, "invalid", "procedure"),
        (
            {"procedure": SOP_002, "title": "x", "application": 999999},
            400,
            "invalid",
            "application",
        ),
        ({"procedure": SOP_002, "title": "  "}, 400, "required", "title"),
        ({"procedure": SOP_002}, 422, "invalid", "title"),
    ],
)
def test_opening_refusals_name_the_field(api_as, bali, sop002, body, status, code, field):
    response = api_as(bali["dinkes_staf"]).post("/cases", body)
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_an_application_of_another_agency_is_refused(api_as, bali, djki, sop002):
    response = api_as(bali["dinkes_staf"]).post(
        "/cases", {"procedure": SOP_002, "title": "x", "application": djki.applications["ipas"].pk}
    )
    assert response.status_code == 400 and response.json()["field"] == "application"


def test_it_shows_a_case_with_steps_dispositions_and_files(api_as, bali, sop002):
    case = _open(bali["dinkes_staf"], sop002, "Gangguan")
    case = work(bali["dinkes_staf"], case)
    case = work(bali["dinkes_staf"], case)
    services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut")
    body = api_as(bali["kadis"]).get(f"/cases/{case.reference}").json()
    assert [(s["step_key"], s["status"]) for s in body["steps"]] == [
        ("s1", "completed"),
        ("s2", "completed"),
        ("s3", "active"),
    ]
    s1 = body["steps"][0]
    assert s1["completed_by"]["name"] == "Putu Eka Pratama" and s1["completed_at"]
    assert body["active_steps"] == ["s3"] and len(body["active_step_ids"]) == 1
    (d,) = body["dispositions"]
    assert (d["sender"]["id"], d["recipient"]["id"]) == (bali["kadis"].pk, bali["kabid"].pk)
    assert d["status"] == "unread" and d["urgency"] == "biasa"
    artifacts = {a["artifact"] for a in body["attachments"]}
    assert {"foto_masalah", "dokumen_analisis", "proses_bisnis_masalah"} <= artifacts
    assert "keterangan_proses" in body["artifacts"]


def test_another_units_token_gets_404_on_a_case_as_if_missing(api_as, bali, sop002):
    case = _open(bali["dinkes_staf"], sop002, "Rahasia Dinkes")
    outsider = api_as(bali["bkd"])
    hidden = outsider.get(f"/cases/{case.reference}")
    missing = outsider.get("/cases/1999-999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert outsider.get("/cases").json()["items"] == []
    step_id = case.steps.get().pk
    assert outsider.post(f"/cases/{case.reference}/steps/{step_id}/claim").status_code == 404
    assert outsider.get(f"/cases/{case.reference}/journal").status_code == 404
    assert outsider.post(f"/cases/{case.reference}/comments", {"text": "x"}).status_code == 404


def test_a_vendor_sees_only_cases_on_its_contracts(api_as, djki, sop004):
    on_ipas = _open(djki["merek_staf"], sop004, "IPAS down", application=djki.applications["ipas"])
    _open(djki["merek_staf"], sop004, "Lain")
    body = api_as(djki["ipasdev"]).get("/cases").json()
    assert [c["reference"] for c in body["items"]] == [on_ipas.reference]
