"""The catalogue's artifact types accept a reference, a scanned document, or their fields,
and say what is wrong with fields that are not right."""

from __future__ import annotations

import pytest

from laksana.engine import artifacts
from laksana.engine.spec import ArtifactSpec

FILE = {"files": [{"id": "1", "name": "ba.pdf", "content_type": "application/pdf", "size": 9}]}

VALID = {
    "proposal.needs_analysis": {
        "summary": "Antrean panjang di loket",
        "users": "Warga",
        "requirements": ["Pendaftaran daring"],
    },
    "proposal.development_plan": {
        "cost": 100,
        "cost_items": [{"item": "a", "amount": "60"}, {"item": "b", "amount": 40}],
        "start": "2026-01-05",
        "end": "2026-03-31",
        "resources": [{"role": "Pengembang", "count": 2}],
    },
    "proposal.budget_plan": {
        "items": [{"item": "Honor", "quantity": 2, "unit_price": "50", "amount": "100"}],
        "total": "100",
    },
    "proposal.risk_register": {
        "risks": [
            {
                "risk": "Data bocor",
                "likelihood": 2,
                "impact": 5,
                "level": "high",
                "mitigation": "Enkripsi",
                "owner": "Kabid",
            }
        ]
    },
    "catalog.work_programme_entry": {"year": 2027, "budget": "150000000"},
    "catalog.deployment": {"server": "VM-1", "domain": "app.baliprov.go.id"},
    "minutes.data_deletion": {
        "date": "2026-02-01",
        "executed_by": "A",
        "witness": "B",
        "items": [{"data": "Basis data", "location": "VM-1", "method": "shred"}],
    },
}

INVALID = {
    "proposal.needs_analysis": ({"summary": "x"}, ["'users' is required", "'requirements'"]),
    "proposal.development_plan": (
        {"cost": 100, "cost_items": [{"item": "a", "amount": 60}], "resources": []},
        ["sum of the cost items (60)", "the time is required", "'resources' needs"],
    ),
    "proposal.budget_plan": (
        {"items": [{"item": "a", "quantity": 2, "unit_price": 10, "amount": 30}], "total": 30},
        ["quantity × unit price (20)"],
    ),
    "proposal.risk_register": (
        {"risks": [{"risk": "x", "likelihood": 6, "impact": 2, "mitigation": "m", "owner": "o"}]},
        ["risks 1: 'likelihood' must be a whole number from 1 to 5"],
    ),
    "catalog.work_programme_entry": ({"year": "tahun depan"}, ["'year' must be a whole number"]),
    "catalog.deployment": (
        {"server": "VM", "domain": "bukan domain", "url": "ftp://x"},
        ["'domain' must be a domain name", "'url' must be a web address"],
    ),
    "minutes.data_deletion": (
        {"date": "kemarin", "executed_by": "A", "witness": "", "items": [{"data": "x"}], "x": 1},
        [
            "unknown field 'x'",
            "'date' must be a date",
            "'witness' is required",
            "items 1: 'location' is required",
        ],
    ),
}


def spec(kind: str) -> ArtifactSpec:
    return ArtifactSpec(id="a", name="Artefak", type=kind)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_a_reference_a_file_and_the_fields_are_accepted(kind):
    assert artifacts.problems(spec(kind), {"ref": "x:1"}) == []
    assert artifacts.problems(spec(kind), FILE) == []
    assert artifacts.problems(spec(kind), VALID[kind]) == []


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_wrong_fields_are_named(kind):
    value, expected = INVALID[kind]
    found = artifacts.problems(spec(kind), value)
    for text in expected:
        assert any(text in problem for problem in found), (text, found)


def test_a_risk_level_that_contradicts_the_scores_is_refused():
    value = {
        "risks": [
            {
                "risk": "x",
                "likelihood": 5,
                "impact": 5,
                "level": "low",
                "mitigation": "m",
                "owner": "o",
            }
        ]
    }
    (problem,) = artifacts.problems(spec("proposal.risk_register"), value)
    assert "must be very_high" in problem


def test_something_else_is_refused_with_what_is_expected():
    (problem,) = artifacts.problems(spec("catalog.deployment"), "VM-1")
    assert "catalog.deployment" in problem and "reference" in problem
