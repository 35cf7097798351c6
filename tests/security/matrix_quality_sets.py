"""The permission matrix's rows for the testing module's sets routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case): SIKESDA of Bali gets a scenario set of two scenarios made by
the Kepala Dinas (a catalogue keeper) first. Members of Bali read it (the other unit and the
requester are requesting units' staff); only the keeper (the step holder) writes; the DJKI
vendors get 404, as for a set that does not exist; a vendor is never a writer of sets either
(403 on the routes that name no set). The quality tables are not in the matrix's fingerprint:
every cell checks them itself (``judged``): a refused or reading cell changed nothing, an
"ok" write made exactly its change (a new revision, a new set).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

SET_NAME = "Set skenario matriks"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.quality.models import Scenario, ScenarioSet, ScenarioSetRevision

    return {
        "sets": sorted(
            ScenarioSet.objects.values_list("pk", "name", "app_version", "revision", "archived")
        ),
        "scenarios": sorted(
            Scenario.objects.values_list("pk", "set_id", "number", "title", "expected")
        ),
        "revisions": sorted(
            ScenarioSetRevision.objects.values_list("pk", "set_id", "number", "note")
        ),
    }


def _rows() -> list[Any]:
    from laksana.quality.models import Priority
    from laksana.quality.scenarios import ScenarioInput

    return [
        ScenarioInput(
            number=f"SK-{n}",
            title=f"Simpan data pasien {n}",
            steps="1. Isi formulir\n2. Simpan",
            expected="Data tersimpan",
            priority=Priority.HIGH,
        )
        for n in (1, 2)
    ]


def make_set(s: Any) -> None:
    """SIKESDA's scenario set, by the Kepala Dinas; the quality tables as they then are."""
    from laksana.quality import scenarios

    s.__dict__["sets_set"] = scenarios.create_set(
        s.bali["kadis"],
        s.bali.applications["sikesda"].pk,
        name=SET_NAME,
        app_version="2.1",
        scenarios=_rows(),
    )
    s.__dict__["sets_before"] = _state()


def set_id(s: Any) -> int:
    return int(s.__dict__["sets_set"].pk)


def scenario_id(s: Any) -> int:
    return int(s.__dict__["sets_set"].scenarios.get(number="SK-1").pk)


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(kind: str) -> Callable[[Any], None]:
    """A check of the quality tables: unchanged unless the cell is an "ok" write of ``kind``
    (``revision``: the set got exactly one new revision; ``new_set``: one new set with its
    first revision; ``read``: never changed)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["sets_before"], _state()
        if kind == "read" or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the scenario sets"
            return
        if kind == "revision":
            new = set(after["revisions"]) - set(before["revisions"])
            assert len(new) == 1 and len(after["sets"]) == len(before["sets"]), c.route
            assert set(before["revisions"]) <= set(after["revisions"]), "no revision rewritten"
        else:
            assert len(after["sets"]) == len(before["sets"]) + 1, c.route
            assert set(before["revisions"]) <= set(after["revisions"])

    return check


def is_xlsx(c: Any) -> None:
    if _ok(c):
        assert c.response["Content-Type"] == XLSX
        assert c.response.content[:4] == b"PK\x03\x04"


def lists_only_own_sets(c: Any) -> None:
    text = c.text()
    if c.persona in _matrix().NOT_OF_BALI:
        assert SET_NAME not in text
    elif c.persona != "anonymous":
        assert SET_NAME in text


def api_lists_only_own_sets(c: Any) -> None:
    if c.persona == "anonymous":
        return
    names = [item["name"] for item in c.json()["items"]]
    if c.persona in _matrix().NOT_OF_BALI:
        assert names == []
    else:
        assert SET_NAME in names


def workbook(s: Any) -> SimpleUploadedFile:
    from laksana.quality import spreadsheet

    data = spreadsheet.write_xlsx(s.__dict__["sets_set"])
    return SimpleUploadedFile("skenario.xlsx", io.BytesIO(data).getvalue(), content_type=XLSX)


def scenario_form(s: Any) -> dict[str, Any]:
    return {
        "number": "SK-9",
        "title": "Cetak laporan",
        "requirement": "",
        "preconditions": "",
        "steps": "Tekan Cetak",
        "input_data": "",
        "expected": "PDF terunduh",
        "priority": "sedang",
    }


def _delete(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a DELETE."""
    return Client.delete(self, path, **extra)


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    signed_in = row("login", "ok", "ok", "ok", "ok")
    read = row("login", "ok", "ok", "ok", "404")
    keeper = row("login", "403", "403", "ok", "404")
    keeper_post = row("login", "403", "403", "422", "404")
    writer = row("login", "403", "403", "ok", "403")
    writer_post = row("login", "403", "403", "422", "403")
    api_signed_in = row("401", "ok", "ok", "ok", "ok")
    api_read = row("401", "ok", "ok", "ok", "404")
    api_keeper = row("401", "403", "403", "ok", "404")

    def web(name: str, *args: Callable[[Any], Any]) -> Callable[[Any], str]:
        return lambda s: reverse(name, args=[f(s) for f in args])

    def api(tail: str = "") -> Callable[[Any], str]:
        return lambda s: f"/api/scenario-sets/{set_id(s)}{tail}"

    common = {"static": True, "prepare": make_set}
    return {
        # --- screens ------------------------------------------------------------------------
        "quality:sets": Entry(web("quality:sets"), signed_in, check=lists_only_own_sets, **common),
        "quality:sets_template": Entry(
            web("quality:sets_template"), signed_in, check=judged("read"), **common
        ),
        "quality:sets_new": Entry(web("quality:sets_new"), writer, check=judged("read"), **common),
        "POST quality:sets_new": Entry(
            web("quality:sets_new"),
            writer_post,
            method="POST",
            check=judged("new_set"),
            **common,
        ),
        "quality:sets_import_new": Entry(
            web("quality:sets_import_new"), writer, check=judged("read"), **common
        ),
        "POST quality:sets_import_new": Entry(
            web("quality:sets_import_new"),
            row("login", "403", "403", "ok", "403", other_admin="422"),
            method="POST",
            data=lambda s: {
                "application": s.bali.applications["sikesda"].pk,
                "name": "Salinan",
                "file": workbook(s),
            },
            check=judged("new_set"),
            **common,
        ),
        "quality:set": Entry(web("quality:set", set_id), read, check=judged("read"), **common),
        "quality:sets_revisions": Entry(
            web("quality:sets_revisions", set_id), read, check=judged("read"), **common
        ),
        "quality:sets_revision": Entry(
            web("quality:sets_revision", set_id, lambda s: 1),
            read,
            check=judged("read"),
            **common,
        ),
        "quality:set_export": Entry(
            web("quality:set_export", set_id), read, check=is_xlsx, **common
        ),
        "quality:sets_edit": Entry(
            web("quality:sets_edit", set_id), keeper, check=judged("read"), **common
        ),
        "POST quality:sets_edit": Entry(
            web("quality:sets_edit", set_id),
            keeper_post,
            method="POST",
            check=judged("revision"),
            **common,
        ),
        "quality:sets_import": Entry(
            web("quality:sets_import", set_id), keeper, check=judged("read"), **common
        ),
        "POST quality:sets_import": Entry(
            web("quality:sets_import", set_id),
            keeper,
            method="POST",
            data=lambda s: {"file": workbook(s)},
            check=judged("revision"),
            **common,
        ),
        "quality:scenario_new": Entry(
            web("quality:scenario_new", set_id), keeper, check=judged("read"), **common
        ),
        "POST quality:scenario_new": Entry(
            web("quality:scenario_new", set_id),
            keeper,
            method="POST",
            data=scenario_form,
            check=judged("revision"),
            **common,
        ),
        "quality:scenario_edit": Entry(
            web("quality:scenario_edit", set_id, scenario_id),
            keeper,
            check=judged("read"),
            **common,
        ),
        "POST quality:scenario_edit": Entry(
            web("quality:scenario_edit", set_id, scenario_id),
            keeper,
            method="POST",
            data=lambda s: {**scenario_form(s), "number": "SK-1"},
            check=judged("revision"),
            **common,
        ),
        "POST quality:scenario_remove": Entry(
            web("quality:scenario_remove", set_id, scenario_id),
            keeper,
            method="POST",
            check=judged("revision"),
            **common,
        ),
        # --- API ----------------------------------------------------------------------------
        "GET /api/scenario-sets": Entry(
            lambda s: "/api/scenario-sets", api_signed_in, check=api_lists_only_own_sets, **common
        ),
        "POST /api/scenario-sets": Entry(
            lambda s: "/api/scenario-sets",
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {
                "application_id": s.bali.applications["sikesda"].pk,
                "name": "SIT SIKESDA",
                "scenarios": [{**scenario_form(s)}],
            },
            check=judged("new_set"),
            **common,
        ),
        "POST /api/scenario-sets/import": Entry(
            lambda s: "/api/scenario-sets/import",
            api_keeper,
            method="POST",
            data=lambda s: {
                "application_id": s.bali.applications["sikesda"].pk,
                "name": "Salinan",
                "file": workbook(s),
            },
            check=judged("new_set"),
            **common,
        ),
        "GET /api/scenario-sets/{set_id}": Entry(api(), api_read, check=judged("read"), **common),
        "PATCH /api/scenario-sets/{set_id}": Entry(
            api(),
            api_keeper,
            method="PATCH",
            data=lambda s: {"app_version": "2.2"},
            check=judged("revision"),
            **common,
        ),
        "POST /api/scenario-sets/{set_id}/scenarios": Entry(
            api("/scenarios"),
            api_keeper,
            method="POST",
            json=True,
            data=scenario_form,
            check=judged("revision"),
            **common,
        ),
        "PATCH /api/scenario-sets/{set_id}/scenarios/{scenario_id}": Entry(
            lambda s: f"/api/scenario-sets/{set_id(s)}/scenarios/{scenario_id(s)}",
            api_keeper,
            method="PATCH",
            data=lambda s: {"expected": "Data tersimpan dan tampil"},
            check=judged("revision"),
            **common,
        ),
        "DELETE /api/scenario-sets/{set_id}/scenarios/{scenario_id}": Entry(
            lambda s: f"/api/scenario-sets/{set_id(s)}/scenarios/{scenario_id(s)}",
            api_keeper,
            method="DELETE",
            check=judged("revision"),
            stubs=(("django.test.client.Client.post", _delete),),
            **common,
        ),
        "GET /api/scenario-sets/{set_id}/revisions": Entry(
            api("/revisions"), api_read, check=judged("read"), **common
        ),
        "GET /api/scenario-sets/{set_id}/revisions/{number}": Entry(
            api("/revisions/1"), api_read, check=judged("read"), **common
        ),
        "POST /api/scenario-sets/{set_id}/import": Entry(
            api("/import"),
            api_keeper,
            method="POST",
            data=lambda s: {"file": workbook(s)},
            check=judged("revision"),
            **common,
        ),
        "GET /api/scenario-sets/{set_id}/export": Entry(
            api("/export"), api_read, check=is_xlsx, **common
        ),
    }
