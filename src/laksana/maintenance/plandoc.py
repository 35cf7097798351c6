"""The fields of a plan's approval document (kind ``rencana_pemeliharaan`` of
:data:`laksana.documents.kinds.KINDS`), made from the plan when it is submitted, in
Indonesian whatever the language of the person submitting it (an official document is
Indonesian).

``application``, ``contract`` (number and vendor), ``budget_year``, ``period``, ``cycle``,
``objective``, ``scope``, ``total_budget``; the tables ``activities`` (``activity``, ``kind``,
``schedule``, ``executor``, ``documentation``, ``budget``) and ``criteria`` (``criterion``,
``indicator``, ``target``, ``period``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from laksana.documents.drafting import MAX_LONG_TEXT, MAX_TEXT
from laksana.maintenance.models import Activity, Criterion, CriterionKind, Plan

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
KIND_LABELS = {
    "preventive": "Preventif",
    "corrective": "Korektif",
    "adaptive": "Adaptif",
    "perfective": "Perfektif",
    "security_update": "Pembaruan keamanan",
    "backup_restore_test": "Uji backup dan restore",
}
EXECUTOR_LABELS = {"vendor": "Vendor", "internal": "Tim internal"}
CYCLE_LABELS = {"month": "Bulanan", "quarter": "Triwulanan"}
PERIOD_LABELS = {
    "month": "Per bulan",
    "quarter": "Per triwulan",
    "cycle": "Per siklus",
    "plan": "Selama masa rencana",
}
INDICATOR_LABELS = {
    "availability": "Ketersediaan (monitoring)",
    "cases_on_time": "Kasus permasalahan selesai sesuai standar waktu",
    "activities_on_time": "Kegiatan terjadwal tepat waktu",
    "open_findings": "Temuan pengujian terbuka",
    "restore_test": "Uji restore dilaksanakan",
    "judged": "Penilaian evaluator",
}
SEVERITY_LABELS = {
    "kritis": "Kritis",
    "tinggi": "Tinggi",
    "sedang": "Sedang",
    "rendah": "Rendah",
    "info": "Informasi",
}


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def date_text(day: dt.date) -> str:
    """1 Januari 2027."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def rupiah(amount: Decimal | int | None) -> str:
    """Rp 1.250.000 (empty for none)."""
    if amount is None:
        return ""
    return "Rp " + f"{int(amount):,}".replace(",", ".")


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def schedule_text(activity: Activity) -> str:
    """Setiap bulan, hari kerja ke-3 / Setiap triwulan, hari kerja ke-1 / 15 Maret 2027, ..."""
    if activity.schedule == "monthly":
        return f"Setiap bulan, hari kerja ke-{activity.working_day}"
    if activity.schedule == "quarterly":
        return f"Setiap triwulan, hari kerja ke-{activity.working_day}"
    days = [date_text(dt.date.fromisoformat(d)) for d in activity.dates]
    return _cut(", ".join(days))


def target_text(criterion: Criterion) -> str:
    """≥ 99,5% / ≤ 0 temuan Tinggi atau lebih berat / Dilaksanakan / Dinilai evaluator."""
    if criterion.kind == CriterionKind.OPEN_FINDINGS and criterion.target is not None:
        severity = SEVERITY_LABELS.get(criterion.severity, criterion.severity)
        return f"≤ {_number(criterion.target)} temuan {severity} atau lebih berat"
    if criterion.target is not None:
        return f"≥ {_number(criterion.target)}%"
    if criterion.kind == CriterionKind.RESTORE_TEST:
        return "Dilaksanakan"
    return "Dinilai evaluator"


def fields_of(plan: Plan) -> dict[str, Any]:
    """The approval document's fields of a plan (see the module's text)."""
    contract = plan.contract
    activities = list(plan.activities.order_by("order", "pk"))
    total = sum((a.budget for a in activities if a.budget is not None), Decimal(0))
    fields: dict[str, Any] = {
        "application": _cut(plan.application.name),
        "contract": _cut(f"{contract.number} ({contract.vendor.name})")
        if contract is not None
        else "",
        "budget_year": str(plan.budget_year) if plan.budget_year else "",
        "period": f"{date_text(plan.starts_on)} s.d. {date_text(plan.ends_on)}",
        "cycle": CYCLE_LABELS.get(plan.cycle_length, plan.cycle_length),
        "objective": _cut(plan.objective, MAX_LONG_TEXT),
        "scope": _cut(plan.scope, MAX_LONG_TEXT),
        "total_budget": rupiah(total) if any(a.budget is not None for a in activities) else "",
        "activities": [
            {
                k: v
                for k, v in {
                    "activity": _cut(a.title),
                    "kind": KIND_LABELS.get(a.kind, a.kind),
                    "schedule": schedule_text(a),
                    "executor": EXECUTOR_LABELS.get(a.executor, a.executor),
                    "documentation": _cut(a.documentation),
                    "budget": rupiah(a.budget),
                }.items()
                if v
            }
            for a in activities
        ],
        "criteria": [
            {
                "criterion": _cut(c.label),
                "indicator": INDICATOR_LABELS.get(c.kind, c.kind),
                "target": target_text(c),
                "period": PERIOD_LABELS.get(c.period, c.period),
            }
            for c in plan.criteria.order_by("order", "pk")
        ],
    }
    return {k: v for k, v in fields.items() if v not in ("", [], None)}
