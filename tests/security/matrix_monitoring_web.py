"""The permission matrix's rows for the monitoring module's web routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Every entry is static (no case) and set up as the API's rows are
(:func:`tests.security.matrix_monitoring_api.prepare`: SIKESDA of Bali with a monitor and a
maintenance window not yet begun). Members of Bali read (the other unit and the requester are
requesting units' staff); only the catalogue keeper (the step holder, the Kepala Dinas)
writes; the settings are the agency administrators' (Bali's administrator changes Bali's;
DJKI's administrator opens its own agency's and is refused SOP 002, which DJKI does not
offer), refused to the other personas; the DJKI vendor gets 404 for Bali's monitor,
application and window, as for ones that do not exist, and 403 on the overview (a vendor
reads no monitoring). Bali's status page is internal: a signed-out visitor is sent to sign
in, the vendor gets 404. Every cell checks the monitoring tables itself (a refused or reading
cell changed nothing).
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
    from laksana.monitoring.services import settings_for

    api.prepare(s)
    # Each agency's settings row exists (opening the settings makes it, with the defaults).
    for org in (s.bali, s.djki):
        settings_for(org.agency.pk)
    s.__dict__["mon_settings"] = _settings_state()


def judged(kind: str) -> Callable[[Any], None]:
    inner = api.judged(kind)

    def check(c: Any) -> None:
        inner(c)
        assert _settings_state() == c.s.__dict__["mon_settings"], c.route

    return check


def settings_saved(c: Any) -> None:
    """An "ok" cell changed its administrator's own agency's monitoring settings and nothing
    else; any other cell changed nothing."""
    if not api._ok(c):
        judged("read")(c)
        return
    api.judged("read")(c)
    before, after = c.s.__dict__["mon_settings"], _settings_state()
    changed = set(after) - set(before)
    assert changed == {(c.person.agency_id, "sop-002-penanganan-masalah-aplikasi", True, 10)}


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
    # The agency's administrators keep its monitoring settings (each its own agency's).
    settings = row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="ok")
    settings_post = row("login", "403", "403", "403", "403", agency_admin="ok", other_admin="422")
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
            web("monitoring:settings"), settings, check=judged("read"), **common
        ),
        "POST monitoring:settings": Entry(
            web("monitoring:settings"),
            settings_post,
            method="POST",
            data=settings_form,
            check=settings_saved,
            **common,
        ),
    }
