"""Import of an OWASP ZAP scan report into a security run: one finding per alert.

Both of ZAP's report formats are read, and give the same findings:

* "Traditional JSON" (``{"site": [{"alerts": [...]}]}``), and
* "Traditional XML" (``<OWASPZAPReport><site><alerts><alertitem>...``), parsed with
  defusedxml: a document type declaration or an entity (the "billion laughs") is refused
  before anything is expanded.

Each alert (a ZAP rule that fired, with its instances) becomes one finding of source
:attr:`~laksana.quality.models.FindingSource.ZAP`: its rule is the alert's ``alertRef`` (or
its ``pluginid`` when the report has none), its title the alert's name, its severity from
ZAP's ``riskcode`` (:data:`SEVERITY_OF_RISK`: 3 High -> Tinggi, 2 Medium -> Sedang,
1 Low -> Rendah, 0 Informational -> Info; ZAP has no "critical"), its description the
alert's description, solution and references with the HTML removed, its CWE, and its
location the URIs of its instances (at most :data:`MAX_LOCATIONS`). An alert reported on
several sites is one finding.

Importing again (a new scan of the same run) updates the findings of the same rules rather
than adding new ones; findings of rules the new report no longer has are left as they are
(their retest says whether they were fixed). The import goes only into an open run the
person may test (:func:`laksana.quality.runs.locked_run`), and is all or nothing: a bad file
(too big, not a ZAP report, an alert without a rule or with an unknown risk) changes nothing
and is answered with a :class:`~laksana.errors.ServiceError` naming what is wrong. The
findings are written by :mod:`laksana.quality.findings` (its checks and its journal), then
marked with their scanner fields.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml import ElementTree as SafeTree
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.org.models import Person
from laksana.quality import findings, runs
from laksana.quality.models import Finding, FindingSource, Severity

MAX_BYTES = 20 * 1024 * 1024  # a ZAP report of a large site is a few megabytes
MAX_ALERTS = 500  # ZAP has about 200 rules; more alerts than this is not one scan
MAX_LOCATIONS = 20  # URIs kept per finding
MAX_TEXT = 20_000  # characters of a finding's description

SEVERITY_OF_RISK: dict[int, Severity] = {
    3: Severity.HIGH,
    2: Severity.MEDIUM,
    1: Severity.LOW,
    0: Severity.INFO,
}
_FIELD = "file"


@dataclass(frozen=True)
class Alert:
    """One alert of the report, as a finding will hold it."""

    rule: str
    title: str
    severity: Severity
    description: str
    cwe: str
    locations: tuple[str, ...]
    instances: int


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the report's format, and the findings it added and updated."""

    run_id: int
    format: str  # "json" or "xml"
    created: tuple[Finding, ...]
    updated: tuple[Finding, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.created + self.updated


# --- reading a report ---------------------------------------------------------------------


def _bad(message: str, items: Sequence[str] = ()) -> ServiceError:
    return ServiceError("bad_report", message, field=_FIELD, items=items)


def _not_a_report() -> ServiceError:
    return _bad(_("The file is not an OWASP ZAP report (JSON or XML)."))


def _text(value: Any) -> str:
    """HTML of a ZAP field as plain text: paragraphs as lines, entities decoded."""
    if value is None:
        return ""
    text = str(value)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>", "\n", text)
    text = html.unescape(strip_tags(text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _describe(desc: str, solution: str, reference: str, other: str) -> str:
    parts = [desc]
    if other:
        parts.append(f"{_('Other information')}:\n{other}")
    if solution:
        parts.append(f"{_('Solution')}:\n{solution}")
    if reference:
        parts.append(f"{_('References')}:\n{reference}")
    text = "\n\n".join(p for p in parts if p)
    return text[:MAX_TEXT]


def _alert(raw: Mapping[str, Any], position: int) -> Alert:
    """An alert from its fields (the same names in both formats)."""
    where = _("Alert %(number)s") % {"number": position}
    rule = _text(raw.get("alertRef") or raw.get("pluginid"))
    if not rule or len(rule) > 60:
        raise _bad(_("An alert has no rule (pluginid)."), [where])
    risk = str(raw.get("riskcode", "")).strip()
    if not risk.isdecimal() or int(risk) not in SEVERITY_OF_RISK:
        raise _bad(_("An alert has an unknown risk code (riskcode 0-3)."), [f"{where}: {rule}"])
    title = _text(raw.get("name") or raw.get("alert")) or rule
    cwe = _text(raw.get("cweid"))
    uris: list[str] = []
    instances = raw.get("instances") or []
    if not instances and raw.get("uri"):
        instances = [raw]  # reports of ZAP before 2.8: one place, on the alert itself
    if not isinstance(instances, list):
        raise _not_a_report()
    for instance in instances:
        if not isinstance(instance, Mapping):
            raise _not_a_report()
        uri = _text(instance.get("uri"))
        method = _text(instance.get("method"))
        param = _text(instance.get("param"))
        line = " ".join(p for p in (method, uri) if p)
        if param:
            line += f" ({param})"
        if line and line not in uris:
            uris.append(line[:500])
    return Alert(
        rule=rule,
        title=title[:300],
        severity=SEVERITY_OF_RISK[int(risk)],
        description=_describe(
            _text(raw.get("desc")),
            _text(raw.get("solution")),
            _text(raw.get("reference")),
            _text(raw.get("otherinfo")),
        ),
        cwe="" if cwe in ("", "-1", "0") else f"CWE-{cwe}"[:20],
        locations=tuple(uris),
        instances=len(instances),
    )


def _json_alerts(data: bytes) -> list[Mapping[str, Any]]:
    try:
        report = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _not_a_report() from exc
    sites = report.get("site") if isinstance(report, dict) else None
    if isinstance(sites, dict):
        sites = [sites]
    if not isinstance(sites, list):
        raise _not_a_report()
    alerts: list[Mapping[str, Any]] = []
    for site in sites:
        found = site.get("alerts", []) if isinstance(site, dict) else None
        if not isinstance(found, list) or not all(isinstance(a, dict) for a in found):
            raise _not_a_report()
        alerts.extend(found)
    return alerts


def _element_fields(item: Element) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for child in item:
        if child.tag == "instances":
            fields["instances"] = [
                {field.tag: field.text or "" for field in instance}
                for instance in child
                if instance.tag == "instance"
            ]
        else:
            fields[child.tag] = child.text or ""
    return fields


def _xml_alerts(data: bytes) -> list[Mapping[str, Any]]:
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise _bad(
            _(
                "The XML file declares a document type or entities, which a ZAP report never "
                "does; it was not read."
            )
        ) from exc
    except (ParseError, ValueError) as exc:
        raise _not_a_report() from exc
    if root.tag != "OWASPZAPReport":
        raise _not_a_report()
    return [
        _element_fields(item)
        for site in root.iter("site")
        for alerts in site.iter("alerts")
        for item in alerts
        if item.tag == "alertitem"
    ]


def check_size(size: int) -> None:
    """Refuse a report of more than :data:`MAX_BYTES` (before reading it)."""
    if size > MAX_BYTES:
        raise ServiceError(
            "too_big",
            _("The report is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)},
            field=_FIELD,
        )


def parse(data: bytes) -> tuple[str, list[Alert]]:
    """The report's format ("json" or "xml") and its alerts, an alert reported on several
    sites merged into one (its highest risk, all its locations). ServiceError for a file
    that is not a ZAP report, is too big or has a bad alert. No database."""
    check_size(len(data))
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{":
        kind, raw = "json", _json_alerts(data)
    elif head == b"<":
        kind, raw = "xml", _xml_alerts(data)
    else:
        raise _not_a_report()
    if len(raw) > MAX_ALERTS:
        raise _bad(_("The report has more than %(count)s alerts.") % {"count": MAX_ALERTS})
    merged: dict[str, Alert] = {}
    order = list(SEVERITY_OF_RISK.values())
    for position, fields in enumerate(raw, start=1):
        alert = _alert(fields, position)
        seen = merged.get(alert.rule)
        if seen is not None:
            worse = min((seen, alert), key=lambda a: order.index(a.severity))
            locations = tuple(dict.fromkeys(seen.locations + alert.locations))
            alert = Alert(
                rule=alert.rule,
                title=worse.title,
                severity=worse.severity,
                description=worse.description,
                cwe=worse.cwe or seen.cwe,
                locations=locations,
                instances=seen.instances + alert.instances,
            )
        merged[alert.rule] = alert
    return kind, list(merged.values())


def _location(alert: Alert) -> str:
    """The alert's places, one a line, the first :data:`MAX_LOCATIONS` and a count of the
    rest."""
    shown = list(alert.locations[:MAX_LOCATIONS])
    hidden = len(alert.locations) - MAX_LOCATIONS
    if hidden > 0:
        shown.append(_("... and %(count)s more") % {"count": hidden})
    return "\n".join(shown)


# --- importing ---------------------------------------------------------------------------


def import_report(
    person: Person, run_id: int, data: bytes, *, at: dt.datetime | None = None
) -> ImportResult:
    """Turn the alerts of a ZAP report (JSON or XML) into findings of the run: new rules are
    added as findings, rules already imported into the run update their finding. Only into
    an open run the person may test; all or nothing."""
    now = at or timezone.now()
    with transaction.atomic():
        run = runs.locked_run(person, run_id)
        kind, alerts = parse(data)
        existing = {f.rule: f for f in Finding.objects.filter(run=run, source=FindingSource.ZAP)}
        created: list[Finding] = []
        updated: list[Finding] = []
        for alert in alerts:
            finding = existing.get(alert.rule)
            if finding is None:
                finding = findings.add_finding(
                    person,
                    run.pk,
                    severity=alert.severity,
                    title=alert.title,
                    description=alert.description,
                    at=now,
                )
                created.append(finding)
            else:
                finding = findings.update_finding(
                    person,
                    finding.pk,
                    severity=alert.severity,
                    title=alert.title,
                    description=alert.description,
                    at=now,
                )
                updated.append(finding)
            Finding.objects.filter(pk=finding.pk).update(
                source=FindingSource.ZAP,
                rule=alert.rule,
                cwe=alert.cwe,
                location=_location(alert),
            )
            finding.refresh_from_db()
    return ImportResult(run.pk, kind, tuple(created), tuple(updated))
