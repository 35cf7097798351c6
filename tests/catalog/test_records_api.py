"""The API of the catalogue's contracts and risks and of the agency's risk register."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from laksana.accounts.services import issue_token
from laksana.catalog import records_services as rs
from laksana.catalog.inputs import ContractInput, RiskInput
from laksana.catalog.models import Application, Contract, Risk, Stage, Vendor

pytestmark = pytest.mark.django_db


def call(client: Client, person: Any, method: str, path: str, body: Any = None) -> Any:
    headers = {}
    if person is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(person, 'tests')[1]}"
    if method == "GET":
        return client.get(f"/api{path}", body or {}, **headers)
    send = getattr(client, method.lower())
    return send(f"/api{path}", json.dumps(body or {}), content_type="application/json", **headers)


def records_ids(bali: Any) -> dict[str, int]:
    """A contract and a risk of SIKESDA: the path ids of this API (for the API fuzz test)."""
    app = bali.applications["sikesda"].pk
    contract = rs.create_contract(None, app, ContractInput("PT Fuzz", "F/1"))
    risk = rs.create_risk(None, app, RiskInput("Fuzz", 3, 3))
    return {"contract_id": contract.pk, "risk_id": risk.pk}


@pytest.fixture
def records(bali, djki):
    sikesda = bali.applications["sikesda"]
    contract = rs.create_contract(
        None,
        sikesda.pk,
        ContractInput("PT Kesehatan Digital", "027/2026", starts_on=dt.date(2026, 1, 1)),
    )
    risk = rs.create_risk(None, sikesda.pk, RiskInput("Server tunggal", 4, 5))
    rs.create_risk(None, bali.applications["simpeg"].pk, RiskInput("Data ganda", 2, 3))
    ipas = djki.applications["ipas"]
    foreign = rs.create_risk(None, ipas.pk, RiskInput("DJKI", 5, 5))
    foreign_contract = rs.create_contract(None, ipas.pk, ContractInput("PT DJKI", "1/2026"))
    return {
        "app": sikesda,
        "contract": contract,
        "risk": risk,
        "foreign": foreign,
        "foreign_contract": foreign_contract,
    }


def snapshot() -> list:
    return [
        sorted(Contract.objects.values_list()),
        sorted(Risk.objects.values_list()),
        sorted(Vendor.objects.values_list()),
    ]


def test_a_keeper_records_and_changes_contracts(client, bali, records):
    app = records["app"]
    k = bali["kabid"]
    made = call(
        client,
        k,
        "POST",
        f"/applications/{app.pk}/contracts",
        {"vendor": "CV Baru", "number": "2/2027", "value": "25000000", "starts_on": "2027-01-01"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["vendor"] == "CV Baru" and Decimal(made.json()["value"]) == 25_000_000
    listed = call(client, bali["dinkes"], "GET", f"/applications/{app.pk}/contracts")
    assert {c["number"] for c in listed.json()} == {"027/2026", "2/2027"}
    changed = call(
        client,
        k,
        "PATCH",
        f"/contracts/{records['contract'].pk}",
        {"ends_on": "2026-12-31", "support_kind": "warranty", "support_ends_on": "2027-03-31"},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["number"], body["ends_on"], body["support_kind"]) == (
        "027/2026",
        "2026-12-31",
        "warranty",
    )


def test_bad_contract_input_names_the_field_and_writes_nothing(client, bali, djki, records):
    before = snapshot()
    path = f"/contracts/{records['contract'].pk}"
    k = bali["kabid"]
    early = call(client, k, "PATCH", path, {"ends_on": "2025-01-01"})
    assert (early.status_code, early.json()["field"]) == (422, "ends_on")
    negative = call(client, k, "PATCH", path, {"value": -5})
    assert (negative.status_code, negative.json()["field"]) == (422, "value")
    foreign_vendor = Vendor.objects.get(agency=djki.agency, name="PT DJKI").pk
    stolen = call(client, k, "PATCH", path, {"vendor_id": foreign_vendor})
    assert (stolen.status_code, stolen.json()["field"]) == (422, "vendor_id")
    nameless = call(
        client, k, "POST", f"/applications/{records['app'].pk}/contracts", {"number": "3"}
    )
    assert (nameless.status_code, nameless.json()["field"]) == (422, "vendor")
    assert snapshot() == before


def test_a_keeper_records_reassesses_and_closes_risks(client, bali, records):
    app, k = records["app"], bali["kabid"]
    made = call(
        client,
        k,
        "POST",
        f"/applications/{app.pk}/risks",
        {"description": "Tanpa cadangan", "likelihood": 3, "impact": 4},
    )
    assert made.status_code == 201, made.content
    assert (made.json()["score"], made.json()["level"]) == (12, "high")
    risk = records["risk"].pk
    changed = call(client, k, "PATCH", f"/risks/{risk}", {"likelihood": 1})
    assert (changed.json()["likelihood"], changed.json()["impact"]) == (1, 5)
    closed = call(client, k, "PATCH", f"/risks/{risk}", {"status": "closed"})
    assert closed.json()["status"] == "closed"
    listed = call(client, k, "GET", f"/applications/{app.pk}/risks")
    assert {r["description"] for r in listed.json()} == {"Server tunggal", "Tanpa cadangan"}


def test_bad_risk_input_is_a_422_naming_the_field(client, bali, records):
    before = snapshot()
    k, path = bali["kabid"], f"/risks/{records['risk'].pk}"
    for body, field in (
        ({"likelihood": 6}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"status": "gone"}, "status"),
        ({"description": "  "}, "description"),
    ):
        answer = call(client, k, "PATCH", path, body)
        assert (answer.status_code, answer.json()["field"]) == (422, field), body
    assert snapshot() == before


def test_refusals_other_agencies_and_retired_records(client, bali, djki, records):
    before = snapshot()
    app, risk, contract = records["app"], records["risk"], records["contract"]
    # A requesting unit's staff member reads but does not keep.
    assert (
        call(client, bali["dinkes"], "PATCH", f"/risks/{risk.pk}", {"impact": 1}).status_code == 403
    )
    # Another agency's people: not found, like a missing id.
    for person in (djki["kasie_app"], djki["ipasdev"]):
        assert call(client, person, "PATCH", f"/risks/{risk.pk}", {}).status_code == 404
        assert call(client, person, "PATCH", f"/contracts/{contract.pk}", {}).status_code == 404
        assert call(client, person, "GET", f"/applications/{app.pk}/risks").status_code == 404
        answer = call(
            client, person, "POST", f"/applications/{app.pk}/risks",
            {"description": "x", "likelihood": 1, "impact": 1},
        )  # fmt: skip
        assert answer.status_code == 404
    # DJKI's vendor sees IPAS but keeps nothing of it.
    ipas = records["foreign_contract"].pk
    assert call(client, djki["ipasdev"], "PATCH", f"/contracts/{ipas}", {}).status_code == 403
    assert (
        call(client, bali["kabid"], "PATCH", f"/risks/{records['foreign'].pk}", {}).status_code
        == 404
    )
    assert call(client, None, "GET", "/risks").status_code == 401
    Application.objects.filter(pk=app.pk).update(stage=Stage.RETIRED)
    retired = call(client, bali["kabid"], "PATCH", f"/risks/{risk.pk}", {"impact": 1})
    assert (retired.status_code, retired.json()["code"]) == (400, "retired")
    assert snapshot() == before


def test_the_register_and_its_heat_map(client, bali, djki, records):
    answer = call(client, bali["dinkes"], "GET", "/risks")
    assert answer.status_code == 200
    body = answer.json()
    assert [r["description"] for r in body["items"]] == ["Server tunggal", "Data ganda"]
    assert body["total"] == 2 == sum(c["count"] for c in body["heat_map"])
    assert len(body["heat_map"]) == 25
    cell = call(client, bali["kabid"], "GET", "/risks", {"likelihood": 2, "impact": 3}).json()
    assert [r["description"] for r in cell["items"]] == ["Data ganda"] and cell["total"] == 1
    simpeg = bali.applications["simpeg"].pk
    one = call(client, bali["kabid"], "GET", "/risks", {"application": simpeg}).json()
    assert [r["description"] for r in one["items"]] == ["Data ganda"]
    djki_view = call(client, djki["kasie_app"], "GET", "/risks").json()
    assert [r["description"] for r in djki_view["items"]] == ["DJKI"]
    assert call(client, djki["ipasdev"], "GET", "/risks").status_code == 403
    bad = call(client, bali["kabid"], "GET", "/risks", {"likelihood": 7})
    assert (bad.status_code, bad.json()["field"]) == (422, "likelihood")
