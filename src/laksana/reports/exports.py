"""The compliance report as an XLSX workbook (openpyxl) and as an A4 PDF (WeasyPrint, from
an HTML template with the same SVG charts as the screen)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from weasyprint import HTML

from laksana import tabular
from laksana.reports import charts
from laksana.reports.compliance import Report


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def xlsx(report: Report, description: str) -> bytes:
    """The report as a workbook: a sheet per step statistics, a sheet of the slowest cases.
    Durations are numbers of working minutes, shares are percentages, so they can be
    computed with."""
    book = tabular.new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Compliance")[:31]
    bold = Font(bold=True)
    sheet.append([_("Compliance with the time standards")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([description])
    sheet.append([])
    headers = [
        _("Procedure"),
        _("Step"),
        _("Activity"),
        _("Time standard"),
        _("Standard (working minutes)"),
        _("Completed"),
        _("Median (working minutes)"),
        _("90th percentile (working minutes)"),
        _("Within the standard"),
        _("Share within the standard"),
    ]
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for procedure in report.procedures:
        for step in procedure.steps:
            sheet.append(
                [
                    procedure.title,
                    step.number,
                    step.activity,
                    f"{step.standard_text} ({step.version_text})"
                    if step.version_text
                    else step.standard_text,
                    _minutes(step.standard_minutes),
                    step.count,
                    _minutes(step.median),
                    _minutes(step.p90),
                    step.within if step.standard else None,
                    step.share_within,
                ]
            )
            sheet.cell(sheet.max_row, 10).number_format = "0%"
    sheet.freeze_panes = f"A{header_row + 1}"
    for column, width in enumerate((40, 8, 60, 16, 14, 12, 14, 14, 12, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width

    slow = book.create_sheet(_("Slowest cases")[:31])
    slow.append(
        [
            _("Procedure"),
            _("Reference"),
            _("Case title"),
            _("Step"),
            _("Actual (working minutes)"),
            _("Standard (working minutes)"),
            _("Share of the standard"),
        ]
    )
    for cell in slow[1]:
        cell.font = bold
    for procedure in report.procedures:
        for activation in procedure.slowest:
            slow.append(
                [
                    procedure.title,
                    activation.case_reference,
                    activation.case_title,
                    activation.step_number,
                    _minutes(activation.actual),
                    _minutes(activation.allowed),
                    activation.ratio,
                ]
            )
            slow.cell(slow.max_row, 7).number_format = "0%"
    for column, width in enumerate((40, 24, 50, 8, 14, 14, 12), start=1):
        slow.column_dimensions[get_column_letter(column)].width = width
    return tabular.workbook_bytes(book)  # titles that look like formulas stay text


def pdf(report: Report, context: dict[str, Any]) -> bytes:
    """The report as an A4 PDF: the same tables and charts as the screen, text kept as text."""
    html = render_to_string(
        "reports/compliance_pdf.html",
        {**context, "report": report, "blocks": chart_blocks(report), "legend": charts.legend()},
    )
    data = HTML(string=html).write_pdf()
    assert isinstance(data, bytes)
    return data


def chart_blocks(report: Report) -> list[dict[str, Any]]:
    """Each procedure with its two charts, for the templates."""
    return [
        {
            "procedure": p,
            "time_chart": charts.time_chart(p.steps),
            "share_chart": charts.share_chart(p.steps),
        }
        for p in report.procedures
    ]
