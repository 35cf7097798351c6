"""The monitoring API's inputs and answers (:mod:`laksana.monitoring.api`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from laksana.api.types import Id
from laksana.monitoring import inputs

KindValue = Literal["http", "tcp", "tls", "dns"]
MethodValue = Literal["GET", "HEAD"]
StateValue = Literal["unknown", "up", "down"]
MAX_PAGE = 100


class MonitorChangeIn(Schema):
    """The fields of a monitor to change; the others stay as they are. A new kind or address
    makes its state unknown until it is checked again (its history stays)."""

    name: str | None = Field(None, max_length=200)
    kind: KindValue | None = None
    target: str | None = Field(
        None, max_length=2000, description="a URL (http), host:port (tcp, tls) or a name (dns)"
    )
    environment_id: Id | None = None
    method: MethodValue | None = None
    expected_statuses: str | None = Field(
        None, max_length=200, description='status codes counted as up, "200-299,301"'
    )
    keyword: str | None = Field(None, max_length=200)
    keyword_absent: bool | None = None
    max_latency_ms: int | None = Field(None, ge=1, le=inputs.MAX_LATENCY_MS)
    follow_redirects: bool | None = None
    headers: dict[str, str] | None = Field(None, max_length=inputs.MAX_HEADERS)
    tls_min_days: int | None = Field(None, ge=0, le=inputs.TLS_DAYS_MAX)
    dns_expected: str | None = Field(None, max_length=100)
    interval_seconds: int | None = Field(None, ge=inputs.INTERVAL_MIN, le=inputs.INTERVAL_MAX)
    timeout_seconds: int | None = Field(None, ge=inputs.TIMEOUT_MIN, le=inputs.TIMEOUT_MAX)
    fail_after: int | None = Field(None, ge=inputs.COUNT_MIN, le=inputs.COUNT_MAX)
    recover_after: int | None = Field(None, ge=inputs.COUNT_MIN, le=inputs.COUNT_MAX)
    counts_for_application: bool | None = None
    active: bool | None = None


class MonitorIn(Schema):
    """A new monitor of an application of the caller's agency."""

    application_id: Id
    name: str = Field("", max_length=200, description="default: the application's name")
    kind: KindValue = "http"
    target: str = Field(
        min_length=1,
        max_length=2000,
        description="a URL (http), host:port (tcp, tls) or a name (dns)",
    )
    environment_id: Id | None = None
    method: MethodValue = "GET"
    expected_statuses: str = Field("200-399", max_length=200)
    keyword: str = Field("", max_length=200)
    keyword_absent: bool = False
    max_latency_ms: int | None = Field(None, ge=1, le=inputs.MAX_LATENCY_MS)
    follow_redirects: bool = True
    headers: dict[str, str] = Field(default_factory=dict, max_length=inputs.MAX_HEADERS)
    tls_min_days: int = Field(7, ge=0, le=inputs.TLS_DAYS_MAX)
    dns_expected: str = Field("", max_length=100)
    interval_seconds: int = Field(60, ge=inputs.INTERVAL_MIN, le=inputs.INTERVAL_MAX)
    timeout_seconds: int = Field(10, ge=inputs.TIMEOUT_MIN, le=inputs.TIMEOUT_MAX)
    fail_after: int = Field(3, ge=inputs.COUNT_MIN, le=inputs.COUNT_MAX)
    recover_after: int = Field(2, ge=inputs.COUNT_MIN, le=inputs.COUNT_MAX)
    counts_for_application: bool = True
    active: bool = True


class MonitorFilters(Schema):
    application: Id | None = Field(None, description="only the monitors of this application")
    after: str = Field("", max_length=40, description="the 'next' of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class MonitorOut(Schema):
    id: int
    application_id: int
    application: str
    environment_id: int | None
    environment: str | None = Field(description="production, staging, ...")
    name: str
    kind: KindValue
    target: str
    method: str
    expected_statuses: str
    keyword: str
    keyword_absent: bool
    max_latency_ms: int | None
    follow_redirects: bool
    headers: dict[str, str]
    tls_min_days: int
    dns_expected: str
    interval_seconds: int
    timeout_seconds: int
    fail_after: int
    recover_after: int
    counts_for_application: bool
    active: bool
    state: StateValue
    state_since: dt.datetime | None
    last_checked_at: dt.datetime | None
    last_ok: bool | None
    last_latency_ms: int | None
    last_reason: str = Field(description="why the last check failed, in the caller's language")
    next_due_at: dt.datetime | None
    cert_expires_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(description="the monitor's page")


class MonitorPage(Schema):
    """One page of monitors by id; pass ``next`` as ``after`` for the following page."""

    items: list[MonitorOut]
    next: str | None


class PageFilters(Schema):
    after: str = Field("", max_length=200, description="the 'next' of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class ChangeOut(Schema):
    """A change of a monitor's state: when it began (the first check of the streak), when it
    was counted, and why."""

    id: int
    at: dt.datetime
    detected_at: dt.datetime
    old_state: StateValue
    new_state: StateValue
    error: str
    reason: str = Field(description="in the caller's language")
    status_code: int | None
    latency_ms: int | None
    cert_expires_at: dt.datetime | None


class ChangePage(Schema):
    """One page of state changes, newest first."""

    items: list[ChangeOut]
    next: str | None


class PeriodFilters(Schema):
    start: dt.datetime | None = Field(None, description="default: 30 days before the end")
    end: dt.datetime | None = Field(None, description="default: now")


class FiguresOut(Schema):
    """Uptime over a period, from the state changes (times after now are not counted)."""

    start: dt.datetime
    end: dt.datetime
    known_seconds: int = Field(description="time with a known state, maintenance excluded")
    down_seconds: int = Field(description="down, outside maintenance windows")
    maintenance_seconds: int
    uptime_percent: Decimal | None = Field(description="none when no state was known")
    downtime_minutes: Decimal


class IncidentFilters(PageFilters):
    application: Id | None = Field(None, description="only the incidents of this application")
    open: bool | None = Field(None, description="only open (true) or ended (false) incidents")


class IncidentOut(Schema):
    id: int
    application_id: int
    application: str
    started_at: dt.datetime
    detected_at: dt.datetime
    ended_at: dt.datetime | None
    error: str
    reason: str
    in_maintenance: bool
    case: str | None = Field(
        description="the recovery case's reference, when the caller may see it"
    )
    case_url: str | None


class IncidentPage(Schema):
    """One page of incidents, newest first."""

    items: list[IncidentOut]
    next: str | None


class WindowIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime = Field(description="after the start, at most 7 days later")
    reason: str = Field(min_length=1, max_length=300)


class WindowOut(Schema):
    id: int
    application_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    created_by: str | None
    created_at: dt.datetime
