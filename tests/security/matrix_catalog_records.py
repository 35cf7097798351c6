"""The permission matrix's rows for the catalogue's contracts and risks after they are
recorded (laksana.catalog.views_records and api_records; see test_permission_matrix's
docstring for the personas, outcomes and checks).

Every entry is static (no case): SIKESDA of Bali gets a contract and a risk, made by the
operator first. Members of Bali read (the other unit and the requester are requesting units'
staff, who read the catalogue and the agency's risk register); only the catalogue keeper (the
step holder, the Kepala Dinas) changes them; the DJKI vendors get 404 for Bali's application,
contract and risk, as for ones that do not exist, and 403 on the agency's risk register (a
vendor reads none). Every cell checks the contract and the risk itself: a refused or reading
cell changed neither, an "ok" change changed that one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.urls import reverse


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.catalog.models import Contract, Risk

    return {
        "contracts": sorted(Contract.objects.values_list()),
        "risks": sorted(Risk.objects.values_list()),
    }


def prepare(s: Any) -> None:
    import datetime as dt

    from laksana.catalog import records_services as rs
    from laksana.catalog.inputs import ContractInput, RiskInput

    app = s.bali.applications["sikesda"]
    contract = rs.create_contract(
        None, app.pk, ContractInput("PT Matriks", "M/2026", starts_on=dt.date(2026, 1, 1))
    )
    risk = rs.create_risk(None, app.pk, RiskInput("Risiko matriks", 3, 4))
    s.__dict__["rec_contract"] = contract
    s.__dict__["rec_risk"] = risk
    s.__dict__["rec_before"] = _state()


def app_id(s: Any) -> int:
    return int(s.bali.applications["sikesda"].pk)


def contract_id(s: Any) -> int:
    return int(s.__dict__["rec_contract"].pk)


def risk_id(s: Any) -> int:
    return int(s.__dict__["rec_risk"].pk)


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(kind: str) -> Callable[[Any], None]:
    """Contracts and risks unchanged unless the cell is an "ok" write of ``kind`` (``new``:
    one more row, nothing else changed; ``changed``: the same rows, one changed)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["rec_before"], _state()
        if kind == "read" or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed contracts or risks"
            return
        count = lambda d: len(d["contracts"]) + len(d["risks"])  # noqa: E731
        if kind == "new":
            assert count(after) == count(before) + 1, c.route
            assert set(before["contracts"]) <= set(after["contracts"]), c.route
            assert set(before["risks"]) <= set(after["risks"]), c.route
        else:
            assert after != before and count(after) == count(before), c.route

    return check


def added(c: Any) -> None:
    """An "ok" create: one more contract or risk row, nothing else in the fingerprint."""
    m = _matrix()
    m.only_changed(c, "counts")


def contract_form(s: Any) -> dict[str, Any]:
    return {"vendor": "PT Matriks", "number": "M/2026", "value": "5.000.000"}


def risk_form(s: Any) -> dict[str, Any]:
    return {"description": "Risiko matriks", "likelihood": "2", "impact": "2", "status": "open"}


def shows_own_register(c: Any) -> None:
    if c.response.status_code != 200:
        return
    if c.response.get("Content-Type", "").startswith("application/json"):
        text = " ".join(r["description"] for r in c.json()["items"])
    else:
        text = c.response.content.decode()
    # Bali's risk: in the register of Bali's members, not in DJKI's administrator's (DJKI's).
    if c.persona == "other_admin":
        assert "Risiko matriks" not in text, c.persona
    else:
        assert "Risiko matriks" in text, c.persona


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    keeper = row("login", "403", "403", "ok", "404")
    # A keeper's POST: "ok" is a redirect back to the application page with no error.
    keeper_post = row("login", "403", "403", "ok", "404")
    register = row("login", "ok", "ok", "ok", "403")
    api_read = row("401", "ok", "ok", "ok", "404")
    api_keeper = row("401", "403", "403", "ok", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def web(name: str, *args: Callable[[Any], Any]) -> Callable[[Any], str]:
        return lambda s: reverse(name, args=[f(s) for f in args])

    def application(tail: str) -> Callable[[Any], str]:
        return lambda s: f"/api/applications/{app_id(s)}{tail}"

    return {
        # --- screens ---------------------------------------------------------------------
        "catalog:risk_register": Entry(
            web("catalog:risk_register"),
            register,
            check=lambda c: (judged("read")(c), shows_own_register(c)),
            **common,
        ),
        "catalog:contract_edit": Entry(
            web("catalog:contract_edit", app_id, contract_id),
            keeper,
            check=judged("read"),
            **common,
        ),
        "POST catalog:contract_edit": Entry(
            web("catalog:contract_edit", app_id, contract_id),
            keeper_post,
            method="POST",
            data=lambda s: {**contract_form(s), "value": "7.500.000"},
            check=judged("changed"),
            **common,
        ),
        "catalog:contract_end": Entry(
            web("catalog:contract_end", app_id, contract_id),
            keeper_post,
            method="POST",
            data=lambda s: {"ends_on": "2026-06-30"},
            check=judged("changed"),
            **common,
        ),
        "catalog:risk_edit": Entry(
            web("catalog:risk_edit", app_id, risk_id), keeper, check=judged("read"), **common
        ),
        "POST catalog:risk_edit": Entry(
            web("catalog:risk_edit", app_id, risk_id),
            keeper_post,
            method="POST",
            data=risk_form,
            check=judged("changed"),
            **common,
        ),
        "catalog:risk_close": Entry(
            web("catalog:risk_close", app_id, risk_id),
            keeper_post,
            method="POST",
            check=judged("changed"),
            **common,
        ),
        # --- API -------------------------------------------------------------------------
        "GET /api/applications/{application_id}/contracts": Entry(
            application("/contracts"), api_read, check=judged("read"), **common
        ),
        "POST /api/applications/{application_id}/contracts": Entry(
            application("/contracts"),
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {"vendor": "PT Matriks", "number": "M/2027"},
            effect=added,
            check=judged("new"),
            **common,
        ),
        "PATCH /api/contracts/{contract_id}": Entry(
            lambda s: f"/api/contracts/{contract_id(s)}",
            api_keeper,
            method="PATCH",
            data=lambda s: {"ends_on": "2026-12-31"},
            check=judged("changed"),
            **common,
        ),
        "GET /api/applications/{application_id}/risks": Entry(
            application("/risks"), api_read, check=judged("read"), **common
        ),
        "POST /api/applications/{application_id}/risks": Entry(
            application("/risks"),
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {"description": "Risiko baru", "likelihood": 2, "impact": 3},
            effect=added,
            check=judged("new"),
            **common,
        ),
        "PATCH /api/risks/{risk_id}": Entry(
            lambda s: f"/api/risks/{risk_id(s)}",
            api_keeper,
            method="PATCH",
            data=lambda s: {"status": "closed"},
            check=judged("changed"),
            **common,
        ),
        "GET /api/risks": Entry(
            lambda s: "/api/risks",
            row("401", "ok", "ok", "ok", "403"),
            check=lambda c: (judged("read")(c), shows_own_register(c)),
            **common,
        ),
    }
