"""The permission matrix's rows for the monitoring module's web routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up as the API's rows are
(:func:`tests.security.matrix_monitoring_api.prepare`: SIKESDA of Bali with a monitor and a
maintenance window not yet begun). Members of Bali read (the other unit and the requester are
requesting units' staff); only the catalogue keeper (the step holder, the Kepala Dinas)
writes, and nobody of the personas is an agency administrator, so the settings are refused
to all; the DJKI vendor gets 404 for Bali's monitor, application and window, as for ones that
do not exist, and 403 on the overview (a vendor reads no monitoring). Bali's status page is
internal: a signed-out visitor is sent to sign in, the vendor gets 404. Every cell checks the
monitoring tables itself (a refused or reading cell changed nothing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from tests.security import matrix_monitoring_api as api


def _settings_state() -> list[Any]:
    from laksana.monitoring.models import MonitoringSettings

    return sorted(
        MonitoringSettings.objects.values_list(
            "agency_id", "procedure_key", "status_public", "cert_notice_days"
        )
    )


def prepare(s: Any) -> None:
    api.prepare(s)
    s.__dict__["mon_settings"] = _settings_state()


def judged(kind: str) -> Callable[[Any], None]:
    inner = api.judged(kind)

    def check(c: Any) -> None:
        inner(c)
        assert _settings_state() == c.s.__dict__["mon_settings"], c.route

    return check


def monitor_form(s: Any) -> dict[str, Any]:
    return {
        "name": "SIKESDA web",
        "kind": "http",
        "target": "http://10.0.0.8/",
        "method": "GET",
        "expected_statuses": "200-399",
        "follow_redirects": "on",
        "tls_min_days": "7",
        "interval_seconds": "60",
        "timeout_seconds": "10",
        "fail_after": "4",
        "recover_after": "2",
        "counts_for_application": "on",
        "active": "on",
    }


def window_form(s: Any) -> dict[str, Any]:
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    return {"starts_at": f"{day}T21:00", "ends_at": f"{day}T23:00", "reason": "Pembaruan"}


def settings_form(s: Any) -> dict[str, Any]:
    return {
        "procedure_key": "sop-002-penanganan-masalah-aplikasi",
        "status_public": "on",
        "cert_notice_days": "10",
    }


def entries() -> dict[str, Any]:
    m = sys.modules["tests.security.test_permission_matrix"]
    Entry, row = m.Entry, m.row
    read = row("login", "ok", "ok", "ok", "404")
    keeper = row("login", "403", "403", "ok", "404")
    nobody = row("login", "403", "403", "403", "403")
    common: dict[str, Any] = {"static": True, "prepare": prepare}

    def web(name: str, *args: Callable[[Any], Any]) -> Callable[[Any], str]:
        return lambda s: reverse(name, args=[f(s) for f in args])

    monitor, window, app = api.monitor_id, api.window_id, api.app_id
    return {
        "monitoring:overview": Entry(
            web("monitoring:overview"),
            row("login", "ok", "ok", "ok", "403"),
            check=judged("read"),
            **common,
        ),
        "monitoring:status": Entry(
            lambda s: reverse("monitoring:status", args=[s.bali.agency.slug]),
            read,
            check=judged("read"),
            **common,
        ),
        "monitoring:monitor": Entry(
            web("monitoring:monitor", monitor), read, check=judged("read"), **common
        ),
        "monitoring:monitor_new": Entry(
            web("monitoring:monitor_new", app), keeper, check=judged("read"), **common
        ),
        "POST monitoring:monitor_new": Entry(
            web("monitoring:monitor_new", app),
            keeper,
            method="POST",
            data=monitor_form,
            check=judged("new"),
            **common,
        ),
        "monitoring:monitor_edit": Entry(
            web("monitoring:monitor_edit", monitor), keeper, check=judged("read"), **common
        ),
        "POST monitoring:monitor_edit": Entry(
            web("monitoring:monitor_edit", monitor),
            keeper,
            method="POST",
            data=monitor_form,
            check=judged("changed"),
            **common,
        ),
        "monitoring:monitor_remove": Entry(
            web("monitoring:monitor_remove", monitor), keeper, check=judged("read"), **common
        ),
        "POST monitoring:monitor_remove": Entry(
            web("monitoring:monitor_remove", monitor),
            keeper,
            method="POST",
            check=judged("removed"),
            **common,
        ),
        "monitoring:windows": Entry(
            web("monitoring:windows", app), read, check=judged("read"), **common
        ),
        "POST monitoring:windows": Entry(
            web("monitoring:windows", app),
            keeper,
            method="POST",
            data=window_form,
            check=judged("new"),
            **common,
        ),
        "POST monitoring:window_remove": Entry(
            web("monitoring:window_remove", window),
            keeper,
            method="POST",
            check=judged("removed"),
            **common,
        ),
        "monitoring:settings": Entry(
            web("monitoring:settings"), nobody, check=judged("read"), **common
        ),
        "POST monitoring:settings": Entry(
            web("monitoring:settings"),
            nobody,
            method="POST",
            data=settings_form,
            check=judged("read"),
            **common,
        ),
    }
