"""The permission matrix's rows for the monitoring module's API operations (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case): SIKESDA of Bali gets a monitor (with one state change) and a
maintenance window that has not begun, made by the operator first. Members of Bali read them
(the other unit and the requester are requesting units' staff); only the catalogue keeper
(the step holder, the Kepala Dinas) writes; the DJKI vendors get 404, as for a monitor that
does not exist. The monitoring tables are not in the matrix's fingerprint: every cell checks
them itself (a refused or reading cell changed nothing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.test import Client

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _matrix() -> Any:
    return sys.modules["tests.security.test_permission_matrix"]


def _state() -> dict[str, Any]:
    from laksana.monitoring.models import MaintenanceWindow, Monitor

    return {
        "monitors": sorted(
            Monitor.objects.values_list("pk", "name", "target", "fail_after", "active")
        ),
        "windows": sorted(MaintenanceWindow.objects.values_list("pk", "starts_at", "ends_at")),
    }


def prepare(s: Any) -> None:
    from django.utils import timezone

    from laksana.monitoring import services
    from laksana.monitoring.models import State, StateChange

    app = s.bali.applications["sikesda"]
    monitor = services.add_monitor(
        None, app.pk, services.MonitorInput(target="http://10.0.0.5/", name="SIKESDA matriks")
    )
    StateChange.objects.create(
        monitor=monitor,
        application=app,
        at=START,
        detected_at=START,
        old_state=State.UNKNOWN,
        new_state=State.UP,
    )
    start = timezone.now() + dt.timedelta(days=1)
    window = services.add_window(None, app.pk, start, start + dt.timedelta(hours=2), "Patch")
    s.__dict__["mon_monitor"] = monitor
    s.__dict__["mon_window"] = window
    s.__dict__["mon_before"] = _state()


def monitor_id(s: Any) -> int:
    return int(s.__dict__["mon_monitor"].pk)


def window_id(s: Any) -> int:
    return int(s.__dict__["mon_window"].pk)


def app_id(s: Any) -> int:
    return int(s.bali.applications["sikesda"].pk)


def _ok(c: Any) -> bool:
    m = _matrix()
    return bool(m.outcome(c.response, web=not m.is_api(c.route)) == "ok")


def judged(kind: str) -> Callable[[Any], None]:
    """The monitoring tables unchanged unless the cell is an "ok" write of ``kind``
    (``new``: one more monitor or window; ``changed``: the same rows, one changed;
    ``removed``: one fewer)."""

    def check(c: Any) -> None:
        before, after = c.s.__dict__["mon_before"], _state()
        if kind == "read" or not _ok(c):
            assert after == before, f"{c.route} as {c.persona} changed the monitoring tables"
            return
        count = lambda d: len(d["monitors"]) + len(d["windows"])  # noqa: E731
        if kind == "new":
            assert count(after) == count(before) + 1, c.route
        elif kind == "removed":
            assert count(after) == count(before) - 1, c.route
        else:
            assert after != before and count(after) == count(before), c.route

    return check


def lists_only_own(c: Any) -> None:
    if c.persona == "anonymous":
        return
    items = c.json()["items"]
    if c.persona in _matrix().NOT_OF_BALI:
        assert items == []
    else:
        assert "SIKESDA matriks" in [m["name"] for m in items]


def _delete(self: Client, path: str, data: Any = None, **extra: Any) -> Any:
    """The matrix sends any method but GET and PATCH as a POST: this entry's is a DELETE."""
    return Client.delete(self, path, **extra)


def entries() -> dict[str, Any]:
    m = _matrix()
    Entry, row = m.Entry, m.row
    api_signed_in = row("401", "ok", "ok", "ok", "ok")
    api_read = row("401", "ok", "ok", "ok", "404")
    api_keeper = row("401", "403", "403", "ok", "404")
    common: dict[str, Any] = {"static": True, "prepare": prepare}
    delete = {"stubs": (("django.test.client.Client.post", _delete),)}
    period = f"?start={START.isoformat().replace('+', '%2B')}"

    def monitor(tail: str = "") -> Callable[[Any], str]:
        return lambda s: f"/api/monitors/{monitor_id(s)}{tail}"

    def application(tail: str) -> Callable[[Any], str]:
        return lambda s: f"/api/applications/{app_id(s)}{tail}"

    return {
        "GET /api/monitors": Entry(
            lambda s: "/api/monitors", api_signed_in, check=lists_only_own, **common
        ),
        "POST /api/monitors": Entry(
            lambda s: "/api/monitors",
            row("401", "403", "403", "ok", "404"),
            method="POST",
            json=True,
            data=lambda s: {"application_id": app_id(s), "target": "http://10.0.0.7/"},
            check=judged("new"),
            **common,
        ),
        "GET /api/monitors/{monitor_id}": Entry(
            monitor(), api_read, check=judged("read"), **common
        ),
        "PATCH /api/monitors/{monitor_id}": Entry(
            monitor(),
            api_keeper,
            method="PATCH",
            data=lambda s: {"fail_after": 5},
            check=judged("changed"),
            **common,
        ),
        "DELETE /api/monitors/{monitor_id}": Entry(
            monitor(),
            api_keeper,
            method="DELETE",
            check=judged("removed"),
            **delete,
            **common,
        ),
        "GET /api/monitors/{monitor_id}/changes": Entry(
            monitor("/changes"), api_read, check=judged("read"), **common
        ),
        "GET /api/monitors/{monitor_id}/uptime": Entry(
            lambda s: f"/api/monitors/{monitor_id(s)}/uptime{period}",
            api_read,
            check=judged("read"),
            **common,
        ),
        "GET /api/applications/{application_id}/uptime": Entry(
            lambda s: f"/api/applications/{app_id(s)}/uptime{period}",
            api_read,
            check=judged("read"),
            **common,
        ),
        "GET /api/incidents": Entry(
            lambda s: "/api/incidents", api_signed_in, check=judged("read"), **common
        ),
        "GET /api/applications/{application_id}/maintenance-windows": Entry(
            application("/maintenance-windows"), api_read, check=judged("read"), **common
        ),
        "POST /api/applications/{application_id}/maintenance-windows": Entry(
            application("/maintenance-windows"),
            api_keeper,
            method="POST",
            json=True,
            data=lambda s: {
                "starts_at": "2030-01-01T01:00:00+07:00",
                "ends_at": "2030-01-01T03:00:00+07:00",
                "reason": "Pembaruan",
            },
            check=judged("new"),
            **common,
        ),
        "DELETE /api/maintenance-windows/{window_id}": Entry(
            lambda s: f"/api/maintenance-windows/{window_id(s)}",
            api_keeper,
            method="DELETE",
            check=judged("removed"),
            **delete,
            **common,
        ),
    }
