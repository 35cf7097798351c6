"""The maintenance management report's outputs: the workbook (XLSX) and the fields of its
document (kind laporan_manajemen_pemeliharaan), and the words the screen shares with them.
The figures are :class:`laksana.maintenance.report.ReportData`'s."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from laksana import tabular
from laksana.maintenance.models import Executor
from laksana.maintenance.report import ReportData

# --- words shared by the screen, the workbook and the document ------------------------------


def percent_text(value: Decimal | None) -> str:
    """A percentage as "99,50%" style text with a point ("-" when there is none)."""
    return "-" if value is None else f"{value:.2f}%"


def rupiah(value: Decimal | None) -> str:
    """An amount as "Rp 1.250.000" ("-" when there is none)."""
    if value is None:
        return "-"
    return "Rp " + f"{int(value):,}".replace(",", ".")


def minutes_text(seconds: int) -> str:
    return f"{Decimal(seconds) / Decimal(60):.1f}"


def item_value(item: dict[str, Any]) -> str:
    """A criterion's figure against its target, as the evaluation holds them (exact, as
    text), shown rounded to two decimals in the active language."""
    value, target = item.get("value"), item.get("target")
    if value in (None, "") and target in (None, ""):
        return ""
    return f"{_number(value)} / {_number(target)}"


def _number(raw: object) -> str:
    if raw in (None, ""):
        return "-"
    try:
        number = Decimal(str(raw))
    except ArithmeticError:
        return str(raw)
    if number == number.to_integral_value():
        return number_format(number.quantize(Decimal(1)), 0)
    return number_format(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2)


def achieved_text(item: dict[str, Any]) -> str:
    achieved = item.get("achieved")
    return _("Met") if achieved is True else _("Not met") if achieved is False else _("Not judged")


# --- the workbook ---------------------------------------------------------------------------


def _sheet(book: Any, title: str, header: list[str]) -> Any:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def workbook(r: ReportData) -> bytes:
    """The report as a workbook: a summary, then a sheet each of activities, criteria per
    cycle, months (incidents and downtime) and recommendations. Numbers are numbers; every
    text goes through :mod:`laksana.tabular` (no formula)."""
    book = tabular.new_workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    summary.append([_("Maintenance management report")])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([r.plan.title])
    summary.append([r.plan.application.name, r.start, r.end])
    summary.append([])
    rows: list[tuple[str, Any]] = [
        (_("Activities due"), r.due),
        (_("Done on time"), r.on_time),
        (_("Done late"), r.late),
        (_("Overdue, not recorded"), r.overdue),
        (_("Not done"), r.not_done),
        (_("Not yet due"), r.pending),
        (_("Criteria met"), r.criteria_met),
        (_("Criteria evaluated"), r.criteria_total),
        (_("Incidents"), r.incidents),
        (_("Downtime (minutes)"), float(Decimal(r.down_seconds) / Decimal(60))),
        (_("Uptime (%)"), None if r.uptime_percent is None else float(r.uptime_percent)),
        (_("Problem cases opened"), r.cases.opened),
        (_("Problem cases finished"), r.cases.finished),
        (_("Finished on time"), r.cases.on_time),
        (_("Still running at the end"), r.cases.running_at_end),
        (_("Budget (Rp)"), int(r.budget)),
        (_("Contract value (Rp)"), None if r.contract_value is None else int(r.contract_value)),
        (_("Cost recorded (Rp)"), int(r.cost)),
    ]
    if r.vendor is not None:
        rows += [
            (_("Vendor"), r.vendor.name),
            (_("Vendor activities on time"), r.vendor.on_time),
            (_("Vendor activities due"), r.vendor.due),
            (_("Vendor criteria met"), r.vendor.criteria_met),
            (_("Vendor criteria evaluated"), r.vendor.criteria_total),
        ]
    for label, value in rows:
        summary.append([label, value])
    acts = _sheet(
        book,
        _("Activities"),
        [
            _("Activity"),
            _("Kind"),
            _("Executor"),
            _("Due"),
            _("On time"),
            _("Late"),
            _("Overdue"),
            _("Not done"),
            _("Not yet due"),
            _("Budget (Rp)"),
            _("Cost recorded (Rp)"),
        ],
    )
    for a in r.activities:
        acts.append(
            [
                a.title,
                a.kind_label,
                a.executor_label,
                a.due,
                a.on_time,
                a.late,
                a.overdue,
                a.not_done,
                a.pending,
                None if a.budget is None else int(a.budget),
                int(a.cost),
            ]
        )
    crit = _sheet(
        book,
        _("Criteria"),
        [
            _("Cycle"),
            _("Starts"),
            _("Ends"),
            _("Criterion"),
            _("Figure / target"),
            _("Result"),
            _("Evaluated"),
        ],
    )
    for c in r.cycles:
        for item in c.items:
            crit.append(
                [
                    c.number,
                    c.starts_on,
                    c.ends_on,
                    str(item.get("label", "")),
                    item_value(item),
                    achieved_text(item),
                    _("yes") if c.evaluated else _("provisional"),
                ]
            )
    months = _sheet(
        book,
        _("Months"),
        [
            _("Month"),
            _("Incidents"),
            _("Downtime (minutes)"),
            _("Uptime (%)"),
            _("Maintenance windows (minutes)"),
        ],
    )
    for m in r.months:
        months.append(
            [
                m.month,
                m.incidents,
                float(m.downtime_minutes),
                None if m.uptime_percent is None else float(m.uptime_percent),
                float(Decimal(m.maintenance_seconds) / Decimal(60)),
            ]
        )
    recs = _sheet(book, _("Recommendations"), [_("Cycle"), _("Criterion"), _("Recommendation")])
    for rec in r.recommendations:
        recs.append([rec.cycle, rec.criterion, rec.text])
    for sheet in book.worksheets:
        sheet.column_dimensions[get_column_letter(1)].width = 40
        for column in range(2, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 16
    return tabular.workbook_bytes(book)


# --- the document's fields (kind laporan_manajemen_pemeliharaan) ----------------------------


def _day(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


MAX_ROWS = 200  # rows of a document's table (the documents module's limit)
MAX_TEXT = 500
MAX_LONG_TEXT = 10_000


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _criteria_rows(r: ReportData) -> list[dict[str, Any]]:
    """One row per cycle and criterion; when that is more than a table holds, one row per
    criterion (met in how many of the cycles)."""
    rows = [
        {
            "cycle": str(c.number) + ("" if c.evaluated else "*"),
            "criterion": _cut(str(item.get("label", "")) or "-"),
            "figure": _cut(item_value(item)),
            "result": achieved_text(item),
        }
        for c in r.cycles
        for item in c.items
    ]
    if len(rows) <= MAX_ROWS:
        return rows
    grouped: dict[str, dict[str, Any]] = {}
    for c in r.cycles:
        for item in c.items:
            key = str(item.get("criterion") or item.get("label", ""))
            row = grouped.setdefault(key, {"label": str(item.get("label", "")), "met": 0, "n": 0})
            row["n"] += 1
            row["met"] += 1 if item.get("achieved") is True else 0
    return [
        {
            "cycle": f"{r.cycles[0].number}–{r.cycles[-1].number}",
            "criterion": _cut(row["label"] or "-"),
            "figure": "",
            "result": _("met in %(met)s of %(total)s cycles")
            % {"met": row["met"], "total": row["n"]},
        }
        for row in list(grouped.values())[:MAX_ROWS]
    ]


def _summary(r: ReportData) -> str:
    lines = [
        _(
            "%(due)s scheduled activities fell due: %(on_time)s done on time, %(late)s done "
            "late, %(overdue)s not recorded after their due day, %(not_done)s not done, "
            "%(pending)s not yet due. Acceptance criteria met %(met)s of %(total)s times."
        )
        % {
            "due": r.due,
            "on_time": r.on_time,
            "late": r.late,
            "overdue": r.overdue,
            "not_done": r.not_done,
            "pending": r.pending,
            "met": r.criteria_met,
            "total": r.criteria_total,
        },
        _("Availability: uptime %(uptime)s, %(minutes)s minutes down, %(incidents)s incident(s).")
        % {
            "uptime": percent_text(r.uptime_percent),
            "minutes": minutes_text(r.down_seconds),
            "incidents": r.incidents,
        },
        _(
            "Problem cases: %(opened)s opened, %(finished)s finished (%(on_time)s within their "
            "time standard, %(share)s), %(running)s still running at the end of the period."
        )
        % {
            "opened": r.cases.opened,
            "finished": r.cases.finished,
            "on_time": r.cases.on_time,
            "share": percent_text(r.cases.on_time_share),
            "running": r.cases.running_at_end,
        },
    ]
    return "\n".join(lines)


def fields_of(r: ReportData) -> dict[str, Any]:
    """The fields of the management report's document (kind
    laporan_manajemen_pemeliharaan), in Indonesian, every figure from ``r``."""
    with translation.override("id"):
        plan = r.plan
        fields: dict[str, Any] = {
            "plan": _cut(plan.title),
            "application": _cut(plan.application.name),
            "period": f"{_day(r.start)} s.d. {_day(r.end)}",
            "objective": _cut(plan.objective, MAX_LONG_TEXT),
            "summary": _summary(r),
            "costs": _(
                "Budget of the activities %(budget)s; cost recorded %(cost)s (vendor "
                "%(vendor)s, internal team %(internal)s); contract value %(value)s."
            )
            % {
                "budget": rupiah(r.budget),
                "cost": rupiah(r.cost),
                "vendor": rupiah(r.cost_by_executor.get(Executor.VENDOR, Decimal(0))),
                "internal": rupiah(r.cost_by_executor.get(Executor.INTERNAL, Decimal(0))),
                "value": rupiah(r.contract_value),
            },
            "vendor": ""
            if r.vendor is None
            else _(
                "%(name)s: %(on_time)s of %(due)s activities done on time (%(share)s); "
                "acceptance criteria met %(met)s of %(total)s times in the cycles it carried "
                "out (%(criteria_share)s)."
            )
            % {
                "name": r.vendor.name,
                "on_time": r.vendor.on_time,
                "due": r.vendor.due,
                "share": percent_text(r.vendor.on_time_share),
                "met": r.vendor.criteria_met,
                "total": r.vendor.criteria_total,
                "criteria_share": percent_text(r.vendor.criteria_share),
            },
            "recommendations": [
                _cut(
                    (f"{_('Cycle')} {x.cycle} · " if x.cycle is not None else "")
                    + (f"{x.criterion}: " if x.criterion else "")
                    + " ".join(x.text.split())
                )
                for x in r.recommendations
            ][:MAX_ROWS],
            "activities": [
                {
                    "activity": _cut(a.title),
                    "executor": a.executor_label,
                    "due": str(a.due),
                    "on_time": str(a.on_time),
                    "late": str(a.late + a.overdue),
                    "not_done": str(a.not_done),
                    "budget": rupiah(a.budget),
                    "cost": rupiah(a.cost),
                }
                for a in r.activities
            ][:MAX_ROWS],
            "criteria": _criteria_rows(r),
            "downtime": [
                {
                    "month": formats.date_format(m.month, "F Y"),
                    "incidents": str(m.incidents),
                    "minutes": minutes_text(m.down_seconds),
                    "uptime": percent_text(m.uptime_percent),
                }
                for m in r.months
            ][:MAX_ROWS],
        }
    return {k: v for k, v in fields.items() if v not in ("", [], None)}
