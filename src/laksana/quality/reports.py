"""The testing module's reports, per application: how its versions passed their tests, the
findings still open (by severity and by age), how long findings took to be fixed, and its
runs by kind and result. Figures for the screen (with SVG charts drawn on the server), the
XLSX export and the API.

The figures (docs/testing.md, "Reports"):

* **pass rate** of a version: over its closed and signed runs, the scenarios passed divided
  by the scenarios executed (every verdict except *Tidak dijalankan*: a blocked scenario was
  attempted and did not pass); open runs do not count;
* **open findings**: status *Terbuka* or *Diperbaiki* (fixed, not yet retested), by
  severity, and by age in whole days since they were recorded: 0-7, 8-30, 31-90, over 90;
* **time to fix**: over the findings fixed or closed (an accepted risk is not a fix), the
  median and mean days from when a finding was recorded to when it was marked fixed (or
  closed by a passed retest, when it was never marked fixed);
* **runs** by kind, and by result (open runs as "in progress").

Who reads them is who reads the agency's other reports
(:func:`laksana.reports.compliance.may_read_reports`: the agency's own staff, not requesting
units or vendors; superusers every agency). They cover the applications of the reader's
agency; an application of another agency is answered as not found. The figures are counts
of the whole agency's runs and findings: no case, scenario or finding text is shown.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from laksana import tabular
from laksana.catalog.models import Application
from laksana.org.models import Person
from laksana.quality.models import (
    Finding,
    FindingStatus,
    RunItem,
    RunKind,
    RunResult,
    RunStatus,
    Severity,
    TestRun,
    Verdict,
)
from laksana.reports import charts
from laksana.reports.compliance import may_read_reports

User = AbstractBaseUser | AnonymousUser

FINISHED = (RunStatus.CLOSED, RunStatus.SIGNED)
EXECUTED = (Verdict.PASSED, Verdict.FAILED, Verdict.BLOCKED)
OPEN = (FindingStatus.OPEN, FindingStatus.FIXED)
# (key, first day, last day) of the age of open findings; None: no end.
AGES: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    (">90", 91, None),
)
IN_PROGRESS = "berjalan"  # the "result" of a run still open


@dataclass(frozen=True)
class VersionRate:
    """The pass rate of one version of the application, over its finished runs."""

    version: str
    runs: int
    passed: int
    executed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.executed if self.executed else None


@dataclass(frozen=True)
class FixTime:
    """Days from a finding recorded to its fix, over ``count`` fixed findings."""

    count: int
    median_days: float | None
    mean_days: float | None


@dataclass(frozen=True)
class KindRuns:
    """The runs of one kind: how many, and how many of each result (``IN_PROGRESS`` for
    open runs)."""

    kind: str
    label: str
    total: int
    results: dict[str, int]


@dataclass(frozen=True)
class ApplicationReport:
    """The figures of one application."""

    application: Application
    versions: tuple[VersionRate, ...]
    open_by_severity: dict[str, int]  # every Severity, in order, counted
    open_by_age: dict[str, int]  # every key of AGES, in order
    fix_time: FixTime
    runs: tuple[KindRuns, ...]  # every RunKind, in order

    @property
    def open_findings(self) -> int:
        return sum(self.open_by_severity.values())

    @property
    def latest(self) -> VersionRate | None:
        """The newest version with a finished run."""
        return self.versions[-1] if self.versions else None

    @property
    def run_count(self) -> int:
        return sum(k.total for k in self.runs)


# --- who reads them ------------------------------------------------------------------------


def may_read(user: User, person: Person | None) -> bool:
    """Whether the user may read the testing reports: as the agency's other reports."""
    return may_read_reports(user, person)


def applications_of(user: User, person: Person | None) -> QuerySet[Application]:
    """The applications whose reports the user may read (none unless :func:`may_read`)."""
    if not may_read(user, person):
        return Application.objects.none()
    if getattr(user, "is_superuser", False) and person is None:
        return Application.objects.select_related("agency").order_by("agency__name", "name")
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(agency_id=person.agency_id).order_by("name", "pk")


def application_in_scope(user: User, person: Person | None, application_id: int) -> bool:
    """Whether the application is of the user's agency (or any, for a superuser without a
    person): answered before :func:`may_read`, so another agency's is "not found"."""
    if getattr(user, "is_superuser", False) and person is None:
        return Application.objects.filter(pk=application_id).exists()
    if person is None or person.vendor_id is not None:
        return False
    return Application.objects.filter(pk=application_id, agency_id=person.agency_id).exists()


# --- the figures ----------------------------------------------------------------------------


_PARTS = re.compile(r"(\d+)")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Versions in their natural order: "2.9" before "2.10", "" first."""
    return tuple(
        (0, int(p)) if p.isdecimal() else (1, p.lower()) for p in _PARTS.split(version) if p
    )


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def _age_key(days: int) -> str:
    for key, first, last in AGES:
        if days >= first and (last is None or days <= last):
            return key
    return AGES[0][0]  # recorded "in the future" (a clock moved back): the newest


def reports_for(
    applications: Iterable[Application], *, at: dt.datetime | None = None
) -> list[ApplicationReport]:
    """The figures of each application, in the order given; a fixed number of queries
    whatever the number of applications."""
    apps = list(applications)
    now = at or timezone.now()
    ids = [a.pk for a in apps]
    rates: dict[int, list[VersionRate]] = defaultdict(list)
    items = (
        RunItem.objects.filter(run__application_id__in=ids, run__status__in=FINISHED)
        .values("run__application_id", "run__app_version")
        .annotate(
            passed=Count("pk", filter=Q(verdict=Verdict.PASSED)),
            executed=Count("pk", filter=Q(verdict__in=EXECUTED)),
            runs=Count("run_id", distinct=True),
        )
        .order_by()
    )
    for item in items:
        rates[item["run__application_id"]].append(
            VersionRate(item["run__app_version"], item["runs"], item["passed"], item["executed"])
        )
    severity: dict[int, Counter[str]] = defaultdict(Counter)
    ages: dict[int, Counter[str]] = defaultdict(Counter)
    fixes: dict[int, list[float]] = defaultdict(list)
    rows = Finding.objects.filter(run__application_id__in=ids).values_list(
        "run__application_id", "severity", "status", "created_at", "fixed_at", "closed_at"
    )
    for app_id, level, status, created, fixed, closed in rows:
        if status in OPEN:
            severity[app_id][level] += 1
            ages[app_id][_age_key(int(_days(created, now) // 1))] += 1
        end = fixed or closed
        if status != FindingStatus.ACCEPTED and end is not None:
            fixes[app_id].append(max(_days(created, end), 0.0))
    runs: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    counted = (
        TestRun.objects.filter(application_id__in=ids)
        .values("application_id", "kind", "status", "result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counted:
        result = IN_PROGRESS if row["status"] == RunStatus.OPEN else row["result"] or IN_PROGRESS
        runs[row["application_id"]][row["kind"]][result] += row["n"]
    reports = []
    for app in apps:
        days = fixes.get(app.pk, [])
        kinds = runs.get(app.pk, {})
        reports.append(
            ApplicationReport(
                application=app,
                versions=tuple(sorted(rates.get(app.pk, []), key=lambda v: version_key(v.version))),
                open_by_severity={s.value: severity[app.pk][s.value] for s in Severity},
                open_by_age={key: ages[app.pk][key] for key, _f, _l in AGES},
                fix_time=FixTime(
                    len(days),
                    round(statistics.median(days), 1) if days else None,
                    round(statistics.fmean(days), 1) if days else None,
                ),
                runs=tuple(
                    KindRuns(
                        kind.value,
                        str(kind.label),
                        sum(kinds.get(kind.value, Counter()).values()),
                        {
                            r: kinds.get(kind.value, Counter())[r]
                            for r in (*RunResult.values, IN_PROGRESS)
                        },
                    )
                    for kind in RunKind
                ),
            )
        )
    return reports


def report_of(application: Application, *, at: dt.datetime | None = None) -> ApplicationReport:
    """The figures of one application."""
    return reports_for([application], at=at)[0]


# --- labels shared by the screen, the workbook and the API -----------------------------------


def result_label(result: str) -> str:
    """The label of a run result, or of "in progress"."""
    if result == IN_PROGRESS:
        return _("In progress")
    return str(RunResult(result).label)


def age_label(key: str) -> str:
    """An age bracket of open findings, in words."""
    if key.startswith(">"):
        return _("over %(days)s days") % {"days": key[1:]}
    return _("%(range)s days") % {"range": key}


def as_data(report: ApplicationReport) -> dict[str, Any]:
    """The figures as plain data (the API's answer)."""
    app = report.application
    return {
        "application_id": app.pk,
        "application": app.name,
        "versions": [
            {
                "version": v.version,
                "runs": v.runs,
                "passed": v.passed,
                "executed": v.executed,
                "pass_rate": None if v.rate is None else round(v.rate, 4),
            }
            for v in report.versions
        ],
        "open_findings": report.open_findings,
        "open_by_severity": dict(report.open_by_severity),
        "open_by_age": dict(report.open_by_age),
        "fix_time": {
            "fixed": report.fix_time.count,
            "median_days": report.fix_time.median_days,
            "mean_days": report.fix_time.mean_days,
        },
        "runs": [
            {"kind": k.kind, "total": k.total, "results": dict(k.results)} for k in report.runs
        ],
    }


def severities() -> Sequence[tuple[str, str]]:
    """(value, label) of every severity, in order."""
    return [(s.value, str(s.label)) for s in Severity]


# --- charts (SVG drawn on the server, as the compliance report's) ----------------------------

SEVERITY_COLOURS = {
    Severity.CRITICAL: "#7f1d1d",
    Severity.HIGH: charts.BAD,
    Severity.MEDIUM: "#a86a00",
    Severity.LOW: "#4a6fa5",
    Severity.INFO: charts.LIGHT,
}
AGE_COLOURS = ("#9cb3cf", "#6f8fb8", "#a86a00", charts.BAD)
_PLOT = 300
_ROW = charts.ROW
_TOP = charts.TOP


def bar_chart(
    title: str, heading: str, rows: Sequence[tuple[str, float, str, str]], *, scale: float
) -> SafeString:
    """Horizontal bars: per row (label, value, the value as text, colour), the bar as long
    as ``value / scale`` of the plot, the text after it. An empty chart says so."""
    if not rows:
        rows = [(_("none yet"), 0.0, "", charts.LIGHT)]
    label = max([60, *(round(charts.text_width(r[0])) + charts.GAP + 4 for r in rows)])
    right = max([60, *(round(charts.text_width(r[2])) + charts.GAP + 4 for r in rows)])
    width = max(label + _PLOT + right, label + round(charts.text_width(heading)) + charts.GAP)
    height = _TOP + _ROW * len(rows) + 6
    parts = [format_html('<text x="{}" y="14" fill="{}">{}</text>', label, charts.MUTED, heading)]
    for index, (name, value, text, colour) in enumerate(rows):
        y = _TOP + index * _ROW
        share = min(max(value / scale, 0.0), 1.0) if scale > 0 else 0.0
        parts.append(
            format_html(
                '<text x="0" y="{}" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="#eef1f5"/>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                y + 15,
                charts.INK,
                name,
                label,
                y + 2,
                _PLOT,
                label,
                y + 2,
                f"{share * _PLOT:.1f}",
                colour,
                label + _PLOT + charts.GAP,
                y + 15,
                charts.INK,
                text,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{t}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        "<title>{t}</title>{b}</svg>",
        w=width,
        h=height,
        t=title,
        b=mark_safe("".join(parts)),  # each part made by format_html
    )


def percent(rate: float | None) -> str:
    """A share as "87%" ("-" when there is none)."""
    return "-" if rate is None else f"{rate * 100:.0f}%"


def pass_rate_chart(report: ApplicationReport) -> SafeString:
    """The pass rate of each version, oldest first."""
    rows = [
        (
            v.version or _("(no version)"),
            v.rate or 0.0,
            f"{percent(v.rate)} ({v.passed}/{v.executed})",
            charts.GOOD
            if (v.rate or 0.0) >= 0.9
            else "#a86a00"
            if (v.rate or 0) >= 0.75
            else charts.BAD,
        )
        for v in report.versions
    ]
    return bar_chart(
        _("Pass rate per version"), _("scenarios passed of those executed"), rows, scale=1.0
    )


def severity_chart(report: ApplicationReport) -> SafeString:
    """The open findings by severity."""
    top = max(report.open_by_severity.values(), default=0)
    rows = [
        (str(Severity(s).label), float(n), str(n), SEVERITY_COLOURS[Severity(s)])
        for s, n in report.open_by_severity.items()
    ]
    return bar_chart(
        _("Open findings by severity"), _("open findings"), rows, scale=float(max(top, 1))
    )


def age_chart(report: ApplicationReport) -> SafeString:
    """The open findings by age."""
    top = max(report.open_by_age.values(), default=0)
    rows = [
        (age_label(key), float(n), str(n), colour)
        for (key, n), colour in zip(report.open_by_age.items(), AGE_COLOURS, strict=True)
    ]
    return bar_chart(
        _("Open findings by age"), _("days since recorded"), rows, scale=float(max(top, 1))
    )


# --- the workbook ----------------------------------------------------------------------------


def xlsx(reports: Sequence[ApplicationReport], description: str) -> bytes:
    """The figures as a workbook: a summary row per application, then a sheet each of pass
    rates per version, open findings and runs. Numbers are numbers; every text goes through
    :mod:`laksana.tabular` (no formula)."""
    book = tabular.new_workbook()
    bold = Font(bold=True)
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    summary.append([_("Testing report")])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([description])
    summary.append([])
    summary.append(
        [
            _("Application"),
            _("Latest version tested"),
            _("Pass rate"),
            _("Runs"),
            _("Open findings"),
            _("Findings fixed"),
            _("Median days to fix"),
            _("Mean days to fix"),
        ]
    )
    for cell in summary[summary.max_row]:
        cell.font = bold
    for r in reports:
        latest = r.latest
        summary.append(
            [
                r.application.name,
                latest.version if latest else None,
                latest.rate if latest else None,
                r.run_count,
                r.open_findings,
                r.fix_time.count,
                r.fix_time.median_days,
                r.fix_time.mean_days,
            ]
        )
        summary.cell(summary.max_row, 3).number_format = "0%"
    versions = book.create_sheet(_("Pass rate")[:31])
    versions.append(
        [_("Application"), _("Version"), _("Runs"), _("Passed"), _("Executed"), _("Pass rate")]
    )
    for r in reports:
        for v in r.versions:
            versions.append([r.application.name, v.version, v.runs, v.passed, v.executed, v.rate])
            versions.cell(versions.max_row, 6).number_format = "0%"
    found = book.create_sheet(_("Open findings")[:31])
    found.append(
        [_("Application")]
        + [label for _v, label in severities()]
        + [age_label(key) for key, _f, _l in AGES]
    )
    for r in reports:
        found.append([r.application.name, *r.open_by_severity.values(), *r.open_by_age.values()])
    run_sheet = book.create_sheet(_("Runs")[:31])
    results = (*RunResult.values, IN_PROGRESS)
    run_sheet.append([_("Application"), _("Kind"), _("Total")] + [result_label(x) for x in results])
    for r in reports:
        for k in r.runs:
            run_sheet.append(
                [r.application.name, k.label, k.total, *(k.results[x] for x in results)]
            )
    for sheet in (versions, found, run_sheet):
        for cell in sheet[1]:
            cell.font = bold
    for sheet in book.worksheets:
        sheet.column_dimensions[get_column_letter(1)].width = 40
        for column in range(2, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 16
    return tabular.workbook_bytes(book)
