"""Test records of the monitoring module, made directly (no rules checked): a monitor of an
application, a check outcome, a maintenance window. Times are given by the tests (a frozen
clock)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from laksana.catalog.models import Application
from laksana.monitoring.models import MaintenanceWindow, Monitor
from laksana.monitoring.probes import Outcome

# A fixed moment the tests count from (a Monday, 10:00 in Jakarta).
T0 = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def monitor(application: Application, **fields: Any) -> Monitor:
    """A monitor of the application (an HTTP check of https://<short name>.example/ by
    default; any field can be given)."""
    now = fields.pop("now", None) or timezone.now()
    slug = (application.short_name or "app").lower().replace(" ", "-")
    values: dict[str, Any] = {
        "agency_id": application.agency_id,
        "application": application,
        "name": f"{application.short_name or application.name} web",
        "kind": "http",
        "target": f"https://{slug}.example/",
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return Monitor.objects.create(**values)


def outcome(
    monitor: Monitor | int,
    at: dt.datetime,
    ok: bool,
    *,
    error: str = "",
    detail: str = "",
    status_code: int | None = None,
    latency_ms: int | None = None,
    cert_expires_at: dt.datetime | None = None,
) -> Outcome:
    """A check outcome; a failure without an error is an HTTP 500."""
    if not ok and not error:
        error, detail, status_code = "status", detail or "500", status_code or 500
    if ok and status_code is None:
        status_code = 200
    return Outcome(
        monitor_id=monitor if isinstance(monitor, int) else monitor.pk,
        at=at,
        ok=ok,
        latency_ms=latency_ms if latency_ms is not None else (35 if ok else 12),
        status_code=status_code,
        error=error,
        detail=detail,
        cert_expires_at=cert_expires_at,
    )


def window(
    application: Application, starts_at: dt.datetime, ends_at: dt.datetime, reason: str = "Upgrade"
) -> MaintenanceWindow:
    return MaintenanceWindow.objects.create(
        agency_id=application.agency_id,
        application=application,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_at=starts_at,
    )
