"""The compliance report's numbers: count, median, 90th percentile and share within the
standard, per procedure and step, over a set of steps with known working times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from laksana.reports.compliance import (
    Filters,
    compliance,
    percentile,
    report_scope,
    working_time_text,
)

pytestmark = pytest.mark.django_db

JUNE = Filters(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30), zone="Asia/Makassar")


def by_number(report):
    [procedure] = report.procedures
    return procedure, {s.number: s for s in procedure.steps}


def test_it_computes_count_median_p90_and_share_within_per_step(steps, superuser):
    report = compliance(report_scope(superuser), JUNE)
    procedure, rows = by_number(report)
    assert procedure.title == "Penanganan Masalah Aplikasi"
    assert list(rows) == ["2", "3"]  # in the order of the procedure
    s2 = rows["2"]
    # Dinkes: 30, 60, 90, 120, 180; BKD: 150 less 30 on hold = 120.
    assert s2.actual == pytest.approx([30, 60, 90, 120, 120, 180])
    assert s2.count == 6
    assert s2.median == pytest.approx(105)
    assert s2.p90 == pytest.approx(150)  # 120 + 0.5 x (180 - 120)
    assert s2.standard.text == "±1-2 Jam"
    assert s2.standard_minutes == pytest.approx(120)
    assert (s2.within, s2.share_within) == (5, pytest.approx(5 / 6))
    s3 = rows["3"]
    assert (s3.count, s3.median, s3.p90, s3.within) == (1, pytest.approx(45), pytest.approx(45), 1)
    assert procedure.count == 7
    assert procedure.share_within == pytest.approx(6 / 7)


def test_the_slowest_cases_are_those_furthest_over_their_standard(steps, superuser):
    procedure, rows = by_number(compliance(report_scope(superuser), JUNE))
    slowest = procedure.slowest
    assert slowest[0].case_reference == steps.cases["dinkes180"].reference
    assert slowest[0].ratio == pytest.approx(1.5)
    # Per step, the three longest, the earliest first among equals.
    assert [a.case_reference for a in rows["2"].slowest] == [
        steps.cases["dinkes180"].reference,
        steps.cases["dinkes120"].reference,
        steps.cases["bkd"].reference,
    ]
    assert [a.actual for a in rows["2"].slowest] == pytest.approx([180, 120, 120])


def test_the_stored_due_time_decides_within_as_on_the_case_page(steps, superuser):
    # A step keeps the due time it got when it started (an earlier calendar, say): these three
    # were due an hour after they started, so the 90-minute one is over although the
    # standard allows 120 today.
    from laksana.cases.models import CaseStep

    from .conftest import CALENDAR, MONDAY

    for key in ("dinkes30", "dinkes60", "dinkes90"):
        CaseStep.objects.filter(case=steps.cases[key], step_key="s2").update(
            due_at=CALENDAR.add_working_minutes(MONDAY, 60)
        )
    _procedure, rows = by_number(compliance(report_scope(superuser), JUNE))
    assert rows["2"].within == 4  # 30, 60, 120 and BKD's; not 90 (due at 60) nor 180
    assert sorted(rows["2"].allowed) == pytest.approx([60, 60, 60, 120, 120, 120])


def test_the_period_is_the_completion_date(steps, superuser):
    scope = report_scope(superuser)
    july = Filters(start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 31), zone="Asia/Makassar")
    _procedure, rows = by_number(compliance(scope, july))
    assert rows["2"].actual == pytest.approx([600])
    assert rows["2"].within == 0
    both = Filters(start=dt.date(2026, 6, 1), end=dt.date(2026, 7, 31), zone="Asia/Makassar")
    _procedure, rows = by_number(compliance(scope, both))
    assert rows["2"].count == 7
    nothing = Filters(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert compliance(scope, nothing).procedures == []


def test_it_filters_by_requesting_unit_and_application(steps, superuser, bali):
    scope = report_scope(superuser)
    dinkes = Filters(**{**JUNE.__dict__, "unit_id": bali.units["dinkes"].pk})
    _procedure, rows = by_number(compliance(scope, dinkes))
    assert rows["2"].actual == pytest.approx([30, 60, 90, 120, 180])
    simpeg = Filters(**{**JUNE.__dict__, "application_id": bali.applications["simpeg"].pk})
    _procedure, rows = by_number(compliance(scope, simpeg))
    assert list(rows) == ["2"]
    assert rows["2"].actual == pytest.approx([120])
    other = Filters(**{**JUNE.__dict__, "procedure_key": "sop-004-pemulihan-gagal-fungsi-ipas"})
    assert compliance(scope, other).procedures == []


def test_staff_see_only_the_cases_the_visibility_gate_lets_them_see(steps, bali):
    # The Ketua Tim completed every step: he and his superiors see all of them ...
    for login in ("ketuatim", "kabid", "kadis"):
        scope = report_scope(bali[login].user)
        _procedure, rows = by_number(compliance(scope, JUNE))
        assert rows["2"].count == 6, login
    # ... a developer of the team, who did none of them, sees none.
    assert compliance(report_scope(bali["qa1"].user), JUNE).procedures == []


def test_percentiles_interpolate_between_the_closest_ranks():
    assert percentile([10.0], 0.9) == 10
    assert percentile([10.0, 20.0], 0.5) == 15
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9) == pytest.approx(4.6)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "—"),
        (0.4, "less than a minute"),
        (45, "45 min"),
        (120, "2 h"),
        (135, "2 h 15 min"),
        (450, "1 working day"),
        (3 * 450 + 120, "3 working days 2 h"),
    ],
)
def test_durations_read_as_working_time(minutes, text):
    with translation.override("en"):
        assert working_time_text(minutes) == text
