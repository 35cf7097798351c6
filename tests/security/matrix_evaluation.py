"""The permission matrix's rows for the evaluation module's screens and API operations (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up by :func:`prepare`: a draft evaluation of SIKESDA
of Bali, made by the Kepala Dinas. Members of Bali read it (the other unit and the requester
are requesting units' staff); only the catalogue keeper (the step holder, the Kepala Dinas)
makes, refreshes, concludes and deletes evaluations. The DJKI vendor is refused the screens
that name no evaluation (403: the list, a new one; the API's list is simply empty) and gets
404 for Bali's evaluation, as for one that does not exist. Every cell checks the evaluation
table itself (a refused or reading cell changed nothing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> list[tuple[Any, ...]]:
    from laksana.evaluation.models import Evaluation

    return sorted(
        Evaluation.objects.values_list("pk", "status", "conclusion", "reasoning", "figures")
    )


def prepare(s: Any) -> None:
    from django.utils import timezone

    from laksana.evaluation.models import Evaluation

    evaluation = Evaluation.objects.create(
        agency_id=s.bali.agency.pk,
        application=s.bali.applications["sikesda"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        created_by=s.person("step_holder"),
        created_at=timezone.now(),
    )
    s.__dict__.update(ev_draft=evaluation, ev_before=_state())


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(kind: str) -> Callable[[Any], None]:
    """The evaluation table unchanged unless the cell is an "ok" write of ``kind`` (``new``:
    one more; ``changed``: as many, one changed; ``gone``: one fewer)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["ev_before"], _state()
        if kind == "read" or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the evaluations"
            return
        if kind == "new":
            assert len(after) == len(before) + 1, c.route
        elif kind == "gone":
            assert len(after) == len(before) - 1, c.route
        else:
            assert after != before and len(after) == len(before), c.route

    return check


def nothing_of_bali(c: Any) -> None:
    judged("read")(c)
    if c.persona in _matrix().NOT_OF_BALI:
        assert "SIKESDA" not in c.response.content.decode()


def new_form(s: Any) -> dict[str, Any]:
    return {
        "application": str(s.bali.applications["sikesda"].pk),
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
    }


def new_json(s: Any) -> dict[str, Any]:
    return {
        "application_id": s.bali.applications["sikesda"].pk,
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
    }


def conclusion(s: Any) -> dict[str, Any]:
    return {"conclusion": "keep", "reasoning": "Masih dipakai dan andal."}


def _delete(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a DELETE."""
    return Client.delete(self, path, **extra)


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    read = row("login", "ok", "ok", "ok", "404")
    keeper = row("login", "403", "403", "ok", "404")
    no_object = row("login", "403", "403", "ok", "403")
    api_read = row("401", "ok", "ok", "ok", "404")
    api_keeper = row("401", "403", "403", "ok", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def web(name: str, named: bool = False) -> Callable[[Any], str]:
        if not named:
            return lambda s: reverse(f"evaluation:{name}")
        return lambda s: reverse(f"evaluation:{name}", args=[s.ev_draft.pk])

    def api(tail: str = "") -> Callable[[Any], str]:
        return lambda s: f"/api/evaluations/{s.ev_draft.pk}{tail}"

    return {
        "evaluation:list": Entry(
            web("list"), row("login", "ok", "ok", "ok", "403"), check=nothing_of_bali, **common
        ),
        "evaluation:new": Entry(web("new"), no_object, check=judged("read"), **common),
        "POST evaluation:new": Entry(
            web("new"),
            {**no_object, "other_admin": "422"},
            method="POST",
            data=new_form,
            check=judged("new"),
            **common,
        ),
        "evaluation:detail": Entry(web("detail", True), read, check=judged("read"), **common),
        "POST evaluation:detail": Entry(
            web("detail", True),
            keeper,
            method="POST",
            data=conclusion,
            check=judged("changed"),
            **common,
        ),
        "POST evaluation:refresh": Entry(
            web("refresh", True), keeper, method="POST", check=judged("changed"), **common
        ),
        "POST evaluation:delete": Entry(
            web("delete", True), keeper, method="POST", check=judged("gone"), **common
        ),
        "GET /api/evaluations": Entry(
            lambda s: "/api/evaluations",
            row("401", "ok", "ok", "ok", "ok"),
            check=nothing_of_bali,
            **common,
        ),
        "POST /api/evaluations": Entry(
            lambda s: "/api/evaluations",
            row("401", "403", "403", "ok", "403", other_admin="404"),
            method="POST",
            json=True,
            data=new_json,
            check=judged("new"),
            **common,
        ),
        "GET /api/evaluations/{evaluation_id}": Entry(
            api(), api_read, check=judged("read"), **common
        ),
        "POST /api/evaluations/{evaluation_id}/refresh": Entry(
            api("/refresh"), api_keeper, method="POST", check=judged("changed"), **common
        ),
        "POST /api/evaluations/{evaluation_id}/conclude": Entry(
            api("/conclude"),
            api_keeper,
            method="POST",
            json=True,
            data=conclusion,
            check=judged("changed"),
            **common,
        ),
        "DELETE /api/evaluations/{evaluation_id}": Entry(
            api(),
            api_keeper,
            method="DELETE",
            check=judged("gone"),
            stubs=(("django.test.client.Client.post", _delete),),
            **common,
        ),
    }
