"""The bulk generator writes what the services would have written, and the measurements run.

No timing is asserted here: the figures belong to ``laksana bench``.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter as Tally

import pytest
from django.conf import settings

from laksana.benchmarks import scale
from laksana.cases import journal
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Counter,
    Disposition,
    JournalEntry,
    StepStatus,
)
from laksana.engine import interpreter as engine
from laksana.worktime.services import calendar_for

CASES = 300


@pytest.fixture
def generated(db):
    lines: list[str] = []
    stats = scale.generate(CASES, log=lines.append)
    return stats, lines


def test_counts_match_the_stats(generated):
    stats, lines = generated
    assert stats["cases"] == Case.objects.count() == CASES
    assert stats["steps"] == CaseStep.objects.count()
    assert stats["journal"] == JournalEntry.objects.count()
    assert stats["attachments"] == Attachment.objects.count()
    assert stats["dispositions"] == Disposition.objects.count()
    assert stats["seconds"] > 0 and stats["rows_per_second"] > 0
    assert lines  # progress was reported
    # Some cases of every procedure, some open and some finished.
    procedures = set(Case.objects.values_list("version__procedure_key", flat=True))
    assert len(procedures) == len(scale.PLANS)
    running = Case.objects.filter(status=CaseStatus.RUNNING).count()
    assert 0 < running < CASES


def test_every_journal_verifies_and_replays_to_the_state(generated):
    for case in Case.objects.order_by("pk"):
        assert journal.verify_case(case) is None, case.reference
        events = [
            engine.event_from_dict(data["event"])
            for data in case.journal.order_by("seq").values_list("data", flat=True)
            if "event" in data
        ]
        assert engine.replay(events).to_dict() == case.state, case.reference


def test_open_cases_have_their_active_steps_and_finished_none(generated):
    active = Tally(
        CaseStep.objects.filter(status=StepStatus.ACTIVE).values_list("case_id", "step_key")
    )
    for case in Case.objects.all():
        mine = sorted(
            key for (case_id, key), n in active.items() for _ in range(n) if case_id == case.pk
        )
        if case.status == CaseStatus.RUNNING:
            assert mine == sorted(case.state["active"]), case.reference
            assert case.finished_at is None and case.end_key == ""
        else:
            assert mine == [] and case.state["active"] == []
            assert case.end_key == case.state["end"] and case.finished_at is not None


def test_due_times_follow_the_agency_calendar(generated):
    rows = CaseStep.objects.select_related("case__agency", "case__version").order_by("pk")
    checked = 0
    for row in rows[:400]:
        step = row.case.version.spec.step(row.step_key)
        if step.time is None:
            assert row.due_at is None
            continue
        expected = calendar_for(row.case.agency).due(row.activated_at, step.time)
        assert row.due_at == expected, (row.case.reference, row.step_key)
        checked += 1
    assert checked > 0


def test_references_follow_the_counters(generated):
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    numbers: dict[tuple[int, int], list[int]] = {}
    for case in Case.objects.select_related("agency").order_by("opened_at", "pk"):
        match = re.fullmatch(rf"{case.agency.slug}-(\d{{4}})-(\d{{6}})", case.reference)
        assert match, case.reference
        year = int(match.group(1))
        assert year == case.opened_at.astimezone(local).year
        numbers.setdefault((case.agency_id, year), []).append(int(match.group(2)))
        # The search text is built as the services build it.
        assert case.search_text.startswith(case.reference)
    counters = {(c.agency_id, c.year): c.value for c in Counter.objects.all()}
    assert set(counters) == set(numbers)
    for key, found in numbers.items():
        # Numbered in order of opening, from 1, without gaps.
        assert found == list(range(1, len(found) + 1))
        assert counters[key] == len(found)


def test_measure_returns_every_figure(generated):
    figures = scale.measure(rounds=3, log=lambda _m: None)
    names = [f.name for f in figures]
    for prefix in (
        "case list query, first page, administrator",
        "case list page, first page, administrator",
        "case list query, first page, Kepala Dinas",
        "case list page, first page, staff of a requesting unit",
        "case list query, first page, Kepala Dinas (visibility gate), no filter",
        "case list query, first page, staff of a requesting unit (visibility gate), no filter",
        "case list query, first page, Kepala Dinas (visibility gate), another agency's",
        "case search, first page, common word",
        "case search, first page, rare word",
        "overdue dashboard, first page, administrator",
        "overdue dashboard, first page, Kepala Dinas",
        "application record page (administrator)",
        "application record page (Kepala Dinas",
        "journal verification",
    ):
        assert any(n.startswith(prefix) for n in names), prefix
    for f in figures:
        assert f.part == "scale" and f.value > 0, f.name
        if f.unit == "ms":
            assert f.extra["p50"] > 0 and f.extra["p95"] >= f.extra["p50"]
            assert f.extra["rounds"] == 3
            assert f.extra["cpu_p50"] >= 0
        if " query, " in f.name or f.name.startswith(("case search", "overdue", "application")):
            assert f.extra["queries"] >= 1, f.name  # the statements of one call, counted
    verification = next(f for f in figures if f.name.startswith("journal verification"))
    assert verification.extra["broken"] == 0
