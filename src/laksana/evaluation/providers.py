"""The built-in sections of an application's evaluation (:mod:`laksana.evaluation.sections`),
each read from the module that keeps the figures:

* ``ikm``: the satisfaction index (IKM) of the application's surveys in the period
  (:func:`laksana.survey.index.of_survey`, answers submitted in the period);
* ``cases``: the application's cases opened in the period other than its lifecycle cases
  (problems, requests: SOP 002, 004 and others), how many finished, and the share of their
  steps completed within the SOP times (:func:`laksana.reports.compliance.compliance`);
* ``availability``: the up time of its monitors (:func:`laksana.monitoring.uptime`);
* ``findings``: the test findings of its runs still open (:mod:`laksana.quality`), now;
* ``maintenance``: the evaluated maintenance cycles of its plans that overlap the period,
  with the criteria met (:mod:`laksana.maintenance`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from decimal import Decimal
from typing import Any, cast

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laksana.catalog.models import Application
from laksana.documents.plugin import _url
from laksana.evaluation.sections import NONE, OK, WARN, Section, register_section

# The application's own lifecycle (proposal, management, maintenance): not its problems.
LIFECYCLE = frozenset(
    {
        "sop-000-pemeliharaan-aplikasi",
        "sop-001-pengelolaan-aplikasi",
        "sop-003-pembuatan-aplikasi-dan-website",
    }
)
# Below these the section asks for a look.
SOP_TIMES_WARN = 0.8  # share of timed steps done within the standard
AVAILABILITY_WARN = Decimal("99")  # percent up


def _percent(value: float | Decimal) -> str:
    return formats.number_format(Decimal(str(value)).quantize(Decimal("0.01")), 2) + " %"


def _zone(application: Application) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(application.agency.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Jakarta")


def _bounds(application: Application, start: dt.date, end: dt.date) -> tuple[dt.datetime, ...]:
    tz = _zone(application)
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    )


# --- satisfaction index -----------------------------------------------------------------------


def ikm(application: Application, start: dt.date, end: dt.date) -> Section:
    title = _("Satisfaction index (IKM)")
    link = _url("survey:list")
    try:
        from laksana.survey import index
    except ImportError:  # the survey's index is not installed
        return Section(title, [(_("Surveys"), _("not available"))], NONE, link)
    from laksana.survey.models import Survey

    surveys = Survey.objects.filter(
        application_id=application.pk, period_start__lte=end, period_end__gte=start
    ).exclude(status="draft")
    rows: list[tuple[str, str]] = []
    status = NONE
    for survey in surveys.order_by("period_start", "pk"):
        result = index.of_survey(
            survey, start=max(start, survey.period_start), end=min(end, survey.period_end)
        )
        if result is None:
            rows.append((survey.title, _("no answers in the period")))
            continue
        value = formats.number_format(Decimal(index.shown(result.converted)), 2)
        rows.append(
            (
                survey.title,
                ngettext(
                    "IKM %(value)s, grade %(letter)s (%(label)s), %(count)s respondent",
                    "IKM %(value)s, grade %(letter)s (%(label)s), %(count)s respondents",
                    result.respondents,
                )
                % {
                    "value": value,
                    "letter": result.grade.letter,
                    "label": result.grade.label,
                    "count": result.respondents,
                },
            )
        )
        status = WARN if status == WARN or result.grade.letter in ("C", "D") else OK
    if not rows:
        rows.append((_("Surveys"), _("no survey of this application in the period")))
    return Section(title, rows, status, link)


# --- cases and the SOP times ------------------------------------------------------------------


class _Everything:
    """The evaluation reads the agency's cases whoever looks (the page is the agency's)."""

    is_superuser = True
    is_authenticated = True


def cases(application: Application, start: dt.date, end: dt.date) -> Section:
    from laksana.cases.models import Case, CaseStatus
    from laksana.reports import compliance as sla

    title = _("Problem cases and the SOP times")
    since, until = _bounds(application, start, end)
    found = (
        Case.objects.filter(application_id=application.pk, opened_at__gte=since)
        .filter(opened_at__lt=until)
        .exclude(version__procedure_key__in=LIFECYCLE)
    )
    opened: Counter[str] = Counter()
    finished: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for key, name, state in found.values_list(
        "version__procedure_key", "version__title", "status"
    ).order_by("version__procedure_key"):
        opened[key] += 1
        finished[key] += state == CaseStatus.FINISHED
        titles.setdefault(key, name)
    link = _url("reports:compliance")
    if not opened:
        return Section(title, [(_("Cases"), _("no case in the period"))], NONE, link)
    scope = sla.Scope(cast(Any, _Everything()), None, frozenset({application.agency_id}))
    report = sla.compliance(
        scope,
        sla.Filters(
            start=start,
            end=end,
            zone=str(_zone(application)),
            agency_id=application.agency_id,
            application_id=application.pk,
        ),
    )
    shares = {p.procedure_key: p.share_within for p in report.procedures}
    rows: list[tuple[str, str]] = []
    status = OK
    for key in sorted(opened):
        share = shares.get(key)
        text = _("%(opened)s opened, %(finished)s finished") % {
            "opened": opened[key],
            "finished": finished[key],
        }
        if share is not None:
            text += "; " + _("%(share)s of the timed steps within the SOP time") % {
                "share": _percent(share * 100)
            }
            if share < SOP_TIMES_WARN:
                status = WARN
        rows.append((titles[key], text))
    return Section(title, rows, status, link)


# --- availability -----------------------------------------------------------------------------


def availability(application: Application, start: dt.date, end: dt.date) -> Section:
    from laksana.monitoring import uptime

    title = _("Availability")
    since, until = _bounds(application, start, end)
    figures = uptime.application_figures(application.pk, since, until)
    link = _url("monitoring:overview")
    percent = figures.uptime_percent
    if percent is None:
        return Section(title, [(_("Up time"), _("not monitored in the period"))], NONE, link)
    minutes = figures.downtime_minutes.quantize(Decimal("1"))
    rows = [
        (_("Up time"), _percent(percent)),
        (_("Down time"), _("%(minutes)s minutes") % {"minutes": minutes}),
    ]
    return Section(title, rows, WARN if percent < AVAILABILITY_WARN else OK, link)


# --- open test findings -----------------------------------------------------------------------


def findings(application: Application, start: dt.date, end: dt.date) -> Section:
    from laksana.quality.models import Finding, FindingStatus, Severity, TestRun

    title = _("Open test findings")
    link = _url("quality:runs")
    if not TestRun.objects.filter(application_id=application.pk).exists():
        return Section(title, [(_("Tests"), _("no test run of this application"))], NONE, link)
    counts = Counter(
        Finding.objects.filter(
            run__application_id=application.pk,
            status__in=(FindingStatus.OPEN, FindingStatus.FIXED),
        ).values_list("severity", flat=True)
    )
    if not counts:
        return Section(title, [(_("Open findings"), "0")], OK, link)
    rows = [(str(label), str(counts[value])) for value, label in Severity.choices if counts[value]]
    return Section(title, rows, WARN, link)


# --- maintenance criteria ---------------------------------------------------------------------


def maintenance(application: Application, start: dt.date, end: dt.date) -> Section:
    from laksana.maintenance.models import Cycle

    title = _("Maintenance criteria")
    cycles = (
        Cycle.objects.filter(
            plan__application_id=application.pk,
            evaluated_at__isnull=False,
            starts_on__lte=end,
            ends_on__gte=start,
        )
        .select_related("plan")
        .order_by("starts_on", "pk")
    )
    rows: list[tuple[str, str]] = []
    status = NONE
    for cycle in cycles[:24]:
        items = [i for i in (cycle.evaluation or []) if isinstance(i, dict)]
        met = sum(1 for i in items if i.get("achieved") is True)
        rows.append(
            (
                _("%(plan)s, cycle %(number)s")
                % {"plan": cycle.plan.title, "number": cycle.number},
                _("%(met)s of %(total)s criteria met") % {"met": met, "total": len(items)},
            )
        )
        status = WARN if status == WARN or met < len(items) else OK
    link = _url("maintenance:plans")
    if not rows:
        rows.append((_("Cycles"), _("no evaluated maintenance cycle in the period")))
    return Section(title, rows, status, link)


def register() -> None:
    register_section("ikm", lambda: _("Satisfaction index (IKM)"), ikm, 10)
    register_section("cases", lambda: _("Problem cases and the SOP times"), cases, 20)
    register_section("availability", lambda: _("Availability"), availability, 30)
    register_section("findings", lambda: _("Open test findings"), findings, 40)
    register_section("maintenance", lambda: _("Maintenance criteria"), maintenance, 50)
