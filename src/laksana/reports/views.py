"""Report screens: compliance with the time standards (with XLSX and PDF downloads) and the
overdue steps. For staff of an agency and superusers; the figures come only from cases the
user may see (the visibility gate), and from their own agency unless they are superusers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from laksana.catalog.models import Application
from laksana.org.models import Agency, Unit
from laksana.procedures.services import latest_versions
from laksana.reports import charts, exports
from laksana.reports.compliance import Filters, Report, Scope, compliance, report_scope
from laksana.reports.overdue import OverdueFilters, overdue_page
from laksana.web.middleware import current_person
from laksana.web.params import record_id

DEFAULT_DAYS = 90
# The dates a report period may start and end on: a period outside them has no cases, and
# its ends could not be moved by a day or put in a time zone (year 1, year 9999).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class FilterForm:
    """The report's filters as read from the query string, with the choices offered."""

    filters: Filters
    params: dict[str, str]
    agencies: list[Agency]
    units: list[Unit]
    applications: list[Application]
    procedures: list[tuple[str, str]]
    errors: dict[str, str] = field(default_factory=dict)

    def description(self) -> str:
        """The filters in a sentence, for the downloads."""
        f = self.filters
        parts = [
            _("Steps completed from %(start)s to %(end)s")
            % {
                "start": formats.date_format(f.start, "j F Y"),
                "end": formats.date_format(f.end, "j F Y"),
            }
        ]
        named = (
            (_("agency"), f.agency_id, {a.pk: a.name for a in self.agencies}),
            (_("requesting unit"), f.unit_id, {u.pk: u.name for u in self.units}),
            (_("application"), f.application_id, {a.pk: str(a) for a in self.applications}),
        )
        for label, value, names in named:
            if value is not None:
                parts.append(f"{label}: {names.get(value, value)}")
        if f.procedure_key:
            titles = dict(self.procedures)
            parts.append(f"{_('procedure')}: {titles.get(f.procedure_key, f.procedure_key)}")
        return " · ".join(parts)


def _choice(params: Mapping[str, str], name: str, allowed: set[int]) -> int | None:
    value = params.get(name, "")
    if value.isdecimal() and int(value) in allowed:
        return int(value)
    return None


def _date_range_message() -> str:
    return _("Choose a date from %(first)s to %(last)s.") % {
        "first": FIRST_DATE.isoformat(),
        "last": LAST_DATE.isoformat(),
    }


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _zone(scope: Scope, agency_id: int | None, agencies: list[Agency]) -> str:
    if agency_id is not None:
        return next(a.time_zone for a in agencies if a.pk == agency_id)
    if scope.person is not None:
        return scope.person.agency.time_zone
    return str(settings.TIME_ZONE)


def _procedures(agency_ids: list[int]) -> list[tuple[str, str]]:
    """(key, title) of the procedures the agencies have published, by key."""
    titles: dict[str, str] = {}
    for agency_id in agency_ids:
        for v in latest_versions(agency_id, "title"):
            titles.setdefault(v.procedure_key, v.title)
    return sorted(titles.items())


def read_filters(request: HttpRequest, scope: Scope) -> FilterForm:
    """The filters of the request, checked against the choices the user has."""
    keys = ("from", "to", "agency", "unit", "application", "procedure")
    params = {k: request.GET.get(k, "").strip() for k in keys}
    agencies = list(scope.agencies())
    agency_id = _choice(params, "agency", {a.pk for a in agencies}) if scope.is_superuser else None
    within = [agency_id] if agency_id is not None else [a.pk for a in agencies]
    units = list(Unit.objects.filter(agency_id__in=within).order_by("name"))
    applications = list(Application.objects.filter(agency_id__in=within).order_by("name"))
    procedures = _procedures(within)
    zone = _zone(scope, agency_id, agencies)
    today = timezone.localdate(timezone=ZoneInfo(zone))
    errors: dict[str, str] = {}
    end = _date(params["to"]) if params["to"] else today
    if end is None:
        errors["to"] = _("Write the date as YYYY-MM-DD.")
        end = today
    elif not FIRST_DATE <= end <= LAST_DATE:
        errors["to"] = _date_range_message()
        end = today
    start = _date(params["from"]) if params["from"] else end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start is None:
        errors["from"] = _("Write the date as YYYY-MM-DD.")
        start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    elif not FIRST_DATE <= start <= LAST_DATE:
        errors["from"] = _date_range_message()
        start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        errors["from"] = _("The period must start before it ends.")
        start, end = end, start
    procedure = params["procedure"] if params["procedure"] in dict(procedures) else ""
    filters = Filters(
        start=start,
        end=end,
        zone=zone,
        agency_id=agency_id,
        unit_id=_choice(params, "unit", {u.pk for u in units}),
        application_id=_choice(params, "application", {a.pk for a in applications}),
        procedure_key=procedure,
    )
    params["from"], params["to"] = start.isoformat(), end.isoformat()
    return FilterForm(filters, params, agencies, units, applications, procedures, errors)


def _query(form: FilterForm) -> str:
    return urlencode({k: v for k, v in form.params.items() if v})


def _scope(request: HttpRequest) -> Scope:
    return report_scope(request.user, current_person(request), known=True)


def _report(request: HttpRequest) -> tuple[Scope, FilterForm, Report]:
    scope = _scope(request)
    form = read_filters(request, scope)
    return scope, form, compliance(scope, form.filters)


@login_required
@require_safe
def compliance_view(request: HttpRequest) -> HttpResponse:
    """Compliance with the time standards per procedure and step, with charts."""
    scope, form, report = _report(request)
    return render(
        request,
        "reports/compliance.html",
        {
            "scope": scope,
            "form": form,
            "report": report,
            "blocks": exports.chart_blocks(report),
            "legend": charts.legend(),
            "query": _query(form),
        },
        status=422 if form.errors else 200,
    )


def _filename(form: FilterForm, suffix: str) -> str:
    f = form.filters
    return f"kepatuhan-{f.start.isoformat()}-{f.end.isoformat()}.{suffix}"


@login_required
@require_safe
def compliance_xlsx(request: HttpRequest) -> HttpResponse:
    """The compliance report as an XLSX workbook."""
    _scope, form, report = _report(request)
    response = HttpResponse(exports.xlsx(report, form.description()), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(form, "xlsx")}"'
    return response


@login_required
@require_safe
def compliance_pdf(request: HttpRequest) -> HttpResponse:
    """The compliance report as an A4 PDF."""
    _scope, form, report = _report(request)
    data = exports.pdf(
        report,
        {"form": form, "description": form.description(), "made_at": timezone.now()},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(form, "pdf")}"'
    return response


def _cursor(value: str) -> tuple[dt.datetime, int] | None:
    """The keyset cursor ``<due_at ISO>,<id>``; None when absent or unreadable."""
    moment, _sep, ident = value.rpartition(",")
    pk = record_id(ident)
    if not moment or pk is None:
        return None
    try:
        at = dt.datetime.fromisoformat(moment)
    except ValueError:
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    return at, pk


@login_required
@require_safe
def overdue_view(request: HttpRequest) -> HttpResponse:
    """The open steps past their due time, most recently overdue first, a page at a time."""
    scope = _scope(request)
    params = {k: request.GET.get(k, "").strip() for k in ("unit", "procedure")}
    agency_ids = [a.pk for a in scope.agencies()]
    units = list(Unit.objects.filter(agency_id__in=agency_ids).order_by("name"))
    procedures = _procedures(agency_ids)
    after = _cursor(request.GET.get("after", ""))
    filters = OverdueFilters(
        unit_id=_choice(params, "unit", {u.pk for u in units}),
        procedure_key=params["procedure"] if params["procedure"] in dict(procedures) else "",
        after=after,
    )
    page = overdue_page(scope, filters)
    query = {k: v for k, v in params.items() if v}
    next_url = ""
    if page.next_cursor is not None:
        at, pk = page.next_cursor
        next_url = "?" + urlencode({**query, "after": f"{at.astimezone(dt.UTC).isoformat()},{pk}"})
    context: dict[str, Any] = {
        "page": page,
        "params": params,
        "units": units,
        "procedures": procedures,
        "next_url": next_url,
        "first_url": "?" + urlencode(query),
        "paged": after is not None,
        "now": timezone.now(),
    }
    return render(request, "reports/overdue.html", context)
