"""What a monitor is made of (:class:`MonitorInput`) and the checks of it that the services
make before anything is written (:func:`check_input`): every problem at once, by field."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from django.utils.translation import gettext as _

from laksana.catalog.inputs import InvalidInput, Problems, clean_text
from laksana.catalog.models import Application, Environment
from laksana.monitoring.models import Kind, Monitor

__all__ = ["InvalidInput", "MonitorInput", "check_input", "default_name"]

INTERVAL_MIN = 10
INTERVAL_MAX = 86_400
TIMEOUT_MIN = 1
TIMEOUT_MAX = 60
COUNT_MIN = 1
COUNT_MAX = 20
MAX_HEADERS = 20
HEADER_VALUE_MAX = 500
MAX_LATENCY_MS = 600_000
TLS_DAYS_MAX = 365
CERT_NOTICE_DAYS_MAX = 365
WINDOW_MAX = dt.timedelta(days=7)
# A check only reads: a monitor never sends a request that could change the application.
METHODS = ("GET", "HEAD")
# Accept-Encoding too: the keyword is looked for in the body as the server sends it.
FORBIDDEN_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "accept-encoding"}
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass
class MonitorInput:
    """A monitor's editable fields (the running state is the checks')."""

    name: str = ""
    kind: str = "http"
    target: str = ""
    environment_id: int | None = None
    method: str = "GET"
    expected_statuses: str = "200-399"
    keyword: str = ""
    keyword_absent: bool = False
    max_latency_ms: int | None = None
    follow_redirects: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    tls_min_days: int = 7
    dns_expected: str = ""
    interval_seconds: int = 60
    timeout_seconds: int = 10
    fail_after: int = 3
    recover_after: int = 2
    counts_for_application: bool = True
    active: bool = True

    @classmethod
    def of(cls, monitor: Monitor) -> MonitorInput:
        """The input a monitor was written from (to change a few fields of it)."""
        values = {name: getattr(monitor, name) for name in MONITOR_FIELDS}
        values["headers"] = dict(monitor.headers or {})
        return cls(environment_id=monitor.environment_id, **values)


# The fields a monitor is written from (all of MonitorInput but the environment's id).
MONITOR_FIELDS = tuple(f.name for f in fields(MonitorInput) if f.name != "environment_id")


# --- checking a monitor's input --------------------------------------------------------------


def int_between(p: Problems, name: str, value: object, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        p.add(name, _("Give a whole number."))
        return None
    if not low <= value <= high:
        p.add(
            name,
            _("Give a number from %(low)s to %(high)s.") % {"low": f"{low:,}", "high": f"{high:,}"},
        )
        return None
    return value


def _check_headers(p: Problems, headers: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        p.add("headers", _("Give the headers as names and values."))
        return {}
    if len(headers) > MAX_HEADERS:
        p.add("headers", _("At most %(count)s headers.") % {"count": MAX_HEADERS})
    out: dict[str, str] = {}
    for name, value in headers.items():
        name = str(name)
        value = str(value) if value is not None else ""
        if not _TOKEN.fullmatch(name):
            p.add("headers", _("%(name)r is not a header name.") % {"name": name[:60]})
        elif name.lower() in FORBIDDEN_HEADERS:
            p.add("headers", _("The header %(name)s cannot be set.") % {"name": name})
        elif _CONTROL.search(value):
            p.add(
                "headers",
                _("The value of %(name)s holds a line break or a control character.")
                % {"name": name},
            )
        elif len(value) > HEADER_VALUE_MAX:
            p.add(
                "headers",
                _("The value of %(name)s is too long (at most %(count)s characters).")
                % {"name": name, "count": HEADER_VALUE_MAX},
            )
        else:
            out[name] = value.strip()
    return out


def _check_target(p: Problems, kind: str, text: str) -> str:
    """The target as stored (an HTTP URL normalised), or "" with a problem."""
    from laksana.monitoring import netguard, targets

    if not text:
        p.add("target", _("Give the address to check."))
        return ""
    if len(text) > 2000:
        p.add("target", _("The address is too long (at most 2,000 characters)."))
        return ""
    try:
        target = targets.parse_target(kind, text)
    except targets.TargetError as exc:
        p.add("target", str(exc))
        return ""
    try:
        ipaddress.ip_address(target.host)
    except ValueError:
        pass  # a name: checked against the networks when it is resolved, at every check
    else:
        why = netguard.refusal(target.host)
        if why:
            p.add("target", why)
            return ""
    return target.url if kind == Kind.HTTP and target.url else text


def check_input(
    application: Application, data: MonitorInput, environments: Mapping[int, Environment]
) -> MonitorInput:
    """The input cleaned, or :class:`InvalidInput` with every problem by field.
    ``environments`` are the application's, by id. Writes nothing."""
    from laksana.monitoring import targets

    p = Problems()
    kind = data.kind or Kind.HTTP
    if kind not in Kind.values:
        p.add("kind", _("Choose one of: %(items)s") % {"items": ", ".join(Kind.values)})
    clean = replace(
        data,
        kind=kind,
        name=clean_text(data.name),
        target=clean_text(data.target),
        method=(data.method or "GET").strip().upper(),
        expected_statuses=clean_text(data.expected_statuses) or "200-399",
        keyword=(data.keyword or "").strip(),
        dns_expected=clean_text(data.dns_expected),
    )
    if len(clean.name) > 200:
        p.add("name", _("The name is too long (at most 200 characters)."))
    if kind in Kind.values:
        clean.target = _check_target(p, kind, clean.target)
    if clean.environment_id is not None and clean.environment_id not in environments:
        p.add("environment", _("Choose an environment of this application."))
    if clean.method not in METHODS:
        p.add("method", _("Choose one of: %(items)s") % {"items": ", ".join(METHODS)})
    try:
        targets.parse_statuses(clean.expected_statuses)
    except ValueError as exc:
        p.add("expected_statuses", str(exc))
    if len(clean.expected_statuses) > 200:
        p.add("expected_statuses", _("At most 200 characters."))
    if len(clean.keyword) > 200:
        p.add("keyword", _("The keyword is too long (at most 200 characters)."))
    elif _CONTROL.search(clean.keyword):
        p.add("keyword", _("The keyword holds a line break or a control character."))
    if clean.max_latency_ms is not None:
        int_between(p, "max_latency_ms", clean.max_latency_ms, 1, MAX_LATENCY_MS)
    clean.headers = _check_headers(p, clean.headers)
    int_between(p, "tls_min_days", clean.tls_min_days, 0, TLS_DAYS_MAX)
    if clean.dns_expected:
        try:
            clean.dns_expected = str(ipaddress.ip_address(clean.dns_expected))
        except ValueError:
            p.add(
                "dns_expected",
                _("%(value)s is not an IP address.") % {"value": clean.dns_expected[:100]},
            )
    interval = int_between(
        p, "interval_seconds", clean.interval_seconds, INTERVAL_MIN, INTERVAL_MAX
    )
    timeout = int_between(p, "timeout_seconds", clean.timeout_seconds, TIMEOUT_MIN, TIMEOUT_MAX)
    if interval is not None and timeout is not None and timeout >= interval:
        p.add(
            "timeout_seconds",
            _("The timeout must be shorter than the interval (%(interval)s seconds).")
            % {"interval": interval},
        )
    int_between(p, "fail_after", clean.fail_after, COUNT_MIN, COUNT_MAX)
    int_between(p, "recover_after", clean.recover_after, COUNT_MIN, COUNT_MAX)
    p.raise_any()
    if not clean.name:
        clean.name = default_name(application, environments.get(clean.environment_id or 0))
    return clean


def default_name(application: Application, environment: Environment | None) -> str:
    """A monitor's name when none is given: the application's, with the environment's."""
    base = application.short_name or application.name
    if environment is None:
        return base[:200]
    return f"{base} ({environment.get_kind_display()})"[:200]
