"""The maintenance management report's screens, under /pemeliharaan/:

* ``rencana/<plan>/laporan/`` (maintenance:report): the report of one plan over a period
  (``dari``/``sampai``, dates inside the plan's period; the plan's whole period by default),
  with SVG charts drawn on the server (criteria met per cycle, downtime per month);
* ``rencana/<plan>/laporan.xlsx`` (maintenance:report_xlsx): the same as a workbook.

Who reads it: the staff of the plan's agency (not vendors' people), the staff of the vendor
of the plan's contract, and superusers. Another agency's plan, or one the reader may not
read, is a 404, as one that does not exist. A period outside the plan's, or an end before
its start, is refused at its field (400) and nothing is computed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from laksana.maintenance import plans, report, report_output
from laksana.maintenance.models import Plan
from laksana.org.models import Person
from laksana.quality.reports import bar_chart
from laksana.reports import charts
from laksana.web.middleware import current_person
from laksana.web.params import MAX_ID

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_read(user: Any, person: Person | None, plan: Plan) -> bool:
    """As :func:`laksana.maintenance.plans.may_read` (the agency's members, the staff of the
    contract's vendor), and superusers; a signed-in user without a person reads none."""
    if getattr(user, "is_superuser", False):
        return True
    return person is not None and plans.may_read(person, plan)


def _plan(request: HttpRequest, pk: int) -> Plan:
    """The plan if the reader may read it; 404 otherwise, whatever the id."""
    if pk > MAX_ID:
        raise Http404
    plan = (
        Plan.objects.select_related("agency", "application", "contract__vendor")
        .filter(pk=pk)
        .first()
    )
    if plan is None or not may_read(request.user, current_person(request), plan):
        raise Http404
    return plan


class PeriodForm(forms.Form):
    """The report's period: days inside the plan's."""

    dari = forms.DateField(label=gettext_lazy("From"), required=False)
    sampai = forms.DateField(label=gettext_lazy("Until"), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        for name in ("dari", "sampai"):
            self.fields[name].widget = forms.DateInput(
                attrs={
                    "type": "date",
                    "min": plan.starts_on.isoformat(),
                    "max": plan.ends_on.isoformat(),
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan = self.plan
        start = data.get("dari") or plan.starts_on
        end = data.get("sampai") or plan.ends_on
        for name, day in (("dari", start), ("sampai", end)):
            if name in self.errors:
                continue
            if not plan.starts_on <= day <= plan.ends_on:
                self.add_error(
                    name,
                    _("Choose a day within the plan's period, %(start)s to %(end)s.")
                    % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
                )
        if not self.errors and end < start:
            self.add_error("sampai", _("The end of the period is before its start."))
        data["dari"], data["sampai"] = start, end
        return data


def _period(request: HttpRequest, plan: Plan) -> tuple[PeriodForm, tuple[dt.date, dt.date] | None]:
    form = PeriodForm(request.GET or None, plan=plan)
    if not request.GET:
        return form, (plan.starts_on, plan.ends_on)
    if form.is_valid():
        return form, (form.cleaned_data["dari"], form.cleaned_data["sampai"])
    return form, None


def _quarters(plan: Plan) -> list[tuple[str, dt.date, dt.date]]:
    """Quick choices: each quarter of the plan (cut at its ends)."""
    out = []
    day = dt.date(plan.starts_on.year, (plan.starts_on.month - 1) // 3 * 3 + 1, 1)
    while day <= plan.ends_on:
        month = day.month + 3
        following = dt.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        first = max(day, plan.starts_on)
        last = min(following - dt.timedelta(days=1), plan.ends_on)
        out.append((f"Q{(day.month - 1) // 3 + 1} {day.year}", first, last))
        day = following
    return out


def criteria_chart(data: report.ReportData) -> SafeString:
    """The share of criteria met in each cycle (provisional ones marked)."""
    rows = []
    for c in data.cycles:
        share = c.share
        label = _("Cycle %(number)s") % {"number": c.number}
        if not c.evaluated:
            label += "*"
        rows.append(
            (
                label,
                float(share or 0) / 100,
                f"{c.met}/{c.total}",
                charts.LIGHT
                if share is None
                else charts.GOOD
                if share >= Decimal(100)
                else charts.BAD,
            )
        )
    return bar_chart(
        _("Criteria met per cycle"), _("criteria met of those evaluated"), rows, scale=1.0
    )


def downtime_chart(data: report.ReportData) -> SafeString:
    """The minutes down in each month."""
    top = max((m.down_seconds for m in data.months), default=0)
    rows = [
        (
            m.month.strftime("%m/%Y"),
            float(m.down_seconds),
            _("%(minutes)s min") % {"minutes": report_output.minutes_text(m.down_seconds)},
            charts.BAD if m.down_seconds else charts.LIGHT,
        )
        for m in data.months
    ]
    return bar_chart(_("Downtime per month"), _("minutes down"), rows, scale=float(max(top, 1)))


@login_required
@require_safe
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of one plan over the chosen period, with charts."""
    plan = _plan(request, pk)
    form, period = _period(request, plan)
    context: dict[str, Any] = {
        "plan": plan,
        "form": form,
        "quarters": _quarters(plan),
    }
    if period is None:
        return render(request, "maintenance/report.html", context, status=400)
    data = report.data(plan, *period)
    context.update(
        {
            "r": data,
            "query": f"dari={period[0].isoformat()}&sampai={period[1].isoformat()}",
            "charts": [
                (_("Criteria met per cycle"), criteria_chart(data)),
                (_("Downtime per month"), downtime_chart(data)),
            ],
            "months": [
                (
                    m,
                    report_output.minutes_text(m.down_seconds),
                    report_output.percent_text(m.uptime_percent),
                )
                for m in data.months
            ],
            "uptime": report_output.percent_text(data.uptime_percent),
            "downtime": report_output.minutes_text(data.down_seconds),
            "on_time_share": report_output.percent_text(data.on_time_share),
            "cases_share": report_output.percent_text(data.cases.on_time_share),
            "money": {
                "budget": report_output.rupiah(data.budget),
                "contract": report_output.rupiah(data.contract_value),
                "cost": report_output.rupiah(data.cost),
                "by": [
                    (label, report_output.rupiah(data.cost_by_executor.get(value, Decimal(0))))
                    for value, label in _executors()
                ],
            },
            "activities": [
                (a, report_output.rupiah(a.budget), report_output.rupiah(a.cost))
                for a in data.activities
            ],
            "criteria": [
                (
                    c,
                    [
                        (i, report_output.item_value(i), report_output.achieved_text(i))
                        for i in c.items
                    ],
                )
                for c in data.cycles
            ],
            "vendor_shares": None
            if data.vendor is None
            else (
                report_output.percent_text(data.vendor.on_time_share),
                report_output.percent_text(data.vendor.criteria_share),
            ),
        }
    )
    return render(request, "maintenance/report.html", context)


def _executors() -> list[tuple[str, str]]:
    from laksana.maintenance.models import Executor

    return [(e.value, str(e.label)) for e in Executor]


@login_required
@require_safe
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of the chosen period as a workbook."""
    plan = _plan(request, pk)
    form, period = _period(request, plan)
    if period is None:
        context = {"plan": plan, "form": form, "quarters": _quarters(plan)}
        return render(request, "maintenance/report.html", context, status=400)
    response = HttpResponse(report.xlsx(plan, *period), content_type=XLSX)
    name = f"laporan-pemeliharaan-{plan.pk}-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("rencana/<int:pk>/laporan/", report_view, name="report"),
    path("rencana/<int:pk>/laporan.xlsx", report_xlsx, name="report_xlsx"),
]
