"""The fields of a run's minutes (BA SIT, BA UAT) or report (Laporan Uji Keamanan), made
from the run when it is closed: the fields of the documents module's test-minutes form
(:data:`laksana.documents.kinds.KINDS`, ``ba_sit``), in Indonesian whatever the language of
the person closing it (an official document is Indonesian).

``place``, ``run`` ("UAT 2"), ``retest_of`` ("UAT 1", or empty), ``version``,
``environment`` (the catalogue's environment and the URL tested), ``scenario_set`` (its name
and revision), ``conclusion`` (Diterima, Diterima dengan catatan, Ditolak), ``reasons`` (the
result rule's reasons), ``notes``; the tables ``tests`` (per scenario: ``id``,
``description``, ``steps``, ``input_data``, ``expected``, ``actual``, ``verdict``),
``findings`` (``number``, ``finding``, ``severity``, ``description``, ``owner``,
``follow_up``, ``due``) and ``participants`` (the testers who recorded verdicts, then the
participants given when closing: ``name``, ``position``).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from laksana.documents.drafting import MAX_LONG_TEXT, MAX_TEXT, position_title
from laksana.org.models import Person
from laksana.quality import rule
from laksana.quality.models import FindingStatus, RunItem, RunKind, TestRun

VERDICT_LABELS = {
    "lulus": "Lulus",
    "gagal": "Gagal",
    "diblokir": "Diblokir",
    "tidak_dijalankan": "Tidak dijalankan",
}
RESULT_LABELS = {
    "diterima": "Diterima",
    "diterima_dengan_catatan": "Diterima dengan catatan",
    "ditolak": "Ditolak",
}
SEVERITY_LABELS = {
    "kritis": "Kritis",
    "tinggi": "Tinggi",
    "sedang": "Sedang",
    "rendah": "Rendah",
    "info": "Informasi",
}
FOLLOW_UP_LABELS = {
    FindingStatus.OPEN: "Belum ditindaklanjuti",
    FindingStatus.FIXED: "Diperbaiki, menunggu uji ulang",
    FindingStatus.CLOSED: "Selesai",
    FindingStatus.ACCEPTED: "Risiko diterima",
}
KIND_LABELS = {RunKind.SIT: "SIT", RunKind.UAT: "UAT", RunKind.SECURITY: "Uji Keamanan"}


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _filled(row: dict[str, Any]) -> dict[str, Any]:
    """A row without its empty cells (as the documents module keeps a table's rows)."""
    return {k: v for k, v in row.items() if v != ""}


def _once(people: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each person named once (a tester also given as a participant), in order."""
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for p in people:
        key = " ".join(p["name"].split()).casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(p)
    return out


def environment_text(run: TestRun) -> str:
    """The environment and URL tested, as printed: "Staging (uji.sikesda.go.id) —
    https://uji.sikesda.go.id"."""
    parts: list[str] = []
    env = run.environment
    if env is not None:
        label = {"production": "Produksi", "staging": "Staging"}.get(env.kind, env.kind)
        parts.append(f"{label} ({env.domain})" if env.domain else label)
    if run.url:
        parts.append(run.url)
    return " — ".join(parts) or "-"


def testers(run: TestRun) -> list[Person]:
    """Who recorded verdicts, in the order they first did."""
    seen: dict[int, Person] = {}
    for item in (
        RunItem.objects.filter(run=run, tested_by__isnull=False)
        .select_related("tested_by")
        .order_by("tested_at", "position")
    ):
        assert item.tested_by is not None
        seen.setdefault(item.tested_by.pk, item.tested_by)
    return list(seen.values())


def fields_of(run: TestRun) -> dict[str, Any]:
    """The minutes' fields of a closed run (see the module's text)."""
    with translation.override("id"):
        from laksana.quality.runs import preview

        outcome: rule.Outcome = preview(run)
        reasons = [str(r) for r in outcome.reasons]
    items = RunItem.objects.filter(run=run).order_by("position")
    tests = [
        {
            "id": _cut(i.number),
            "description": _cut(f"{i.title} ({i.requirement})" if i.requirement else i.title),
            "steps": _cut(i.steps, MAX_LONG_TEXT),
            "input_data": _cut(i.input_data, MAX_LONG_TEXT),
            "expected": _cut(i.expected, MAX_LONG_TEXT),
            "actual": _cut(i.actual, MAX_LONG_TEXT),
            "verdict": VERDICT_LABELS.get(i.verdict, i.verdict),
        }
        for i in items
    ]
    findings = [
        {
            "number": f"T-{f.number}",
            "finding": _cut(f.title),
            "severity": SEVERITY_LABELS.get(f.severity, f.severity),
            "description": _cut(f.description, MAX_LONG_TEXT),
            "owner": _cut(f.owner.name) if f.owner is not None else "",
            "follow_up": FOLLOW_UP_LABELS.get(FindingStatus(f.status), f.status),
            **({"due": f.due.isoformat()} if f.due else {}),
        }
        for f in run.findings.select_related("owner").order_by("number")
    ]
    people = [
        {"name": _cut(p.name), "position": _cut(position_title(p) or "Penguji")}
        for p in testers(run)
    ]
    given = [
        {"name": _cut(str(p.get("name", ""))), "position": _cut(str(p.get("position", "")))}
        for p in (run.participants or [])
        if isinstance(p, dict)
    ]
    kind = KIND_LABELS.get(RunKind(run.kind), run.kind)
    retest = run.retest_of
    fields: dict[str, Any] = {
        "place": _cut(run.place),
        "run": f"{kind} {run.number}",
        "retest_of": f"{KIND_LABELS.get(RunKind(retest.kind), retest.kind)} {retest.number}"
        if retest is not None
        else "",
        "version": _cut(run.app_version),
        "environment": _cut(environment_text(run)),
        "scenario_set": _cut(f"{run.scenario_set.name} (revisi {run.set_revision})"),
        "conclusion": RESULT_LABELS[str(run.result or outcome.result)],
        "reasons": [_cut(r) for r in reasons],
        "notes": _cut(run.notes, MAX_LONG_TEXT),
        "tests": [_filled(t) for t in tests],
        "findings": [_filled(f) for f in findings],
        "participants": _once(people + given),
    }
    return {k: v for k, v in fields.items() if v not in ("", [], None)}
