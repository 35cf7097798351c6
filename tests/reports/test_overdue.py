"""The overdue steps dashboard: exactly the open steps past their due time, most recently
overdue first, filtered, a keyset page at a time, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from laksana.cases import services
from laksana.cases.models import CaseStep, StepStatus
from laksana.reports import overdue

from ..cases.helpers import active

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def opened(person, version, title, due, **changes):
    """A case whose first step is active and due at ``due``; returns the step."""
    case = services.open_case(person, version, title)
    step = active(case)
    CaseStep.objects.filter(pk=step.pk).update(due_at=due, **changes)
    step.refresh_from_db()
    return step


@pytest.fixture
def board(bali, sop002):
    now = timezone.now()
    staf, bkd = bali["dinkes_staf"], bali["bkd"]
    steps = {
        "late_3d": opened(staf, sop002, "Tiga hari", now - 3 * DAY),
        "late_1h": opened(staf, sop002, "Satu jam", now - HOUR),
        "late_bkd": opened(bkd, sop002, "BKD", now - 2 * DAY),
        "held_after": opened(
            staf, sop002, "Ditahan sesudah", now - 2 * HOUR, on_hold_since=now - HOUR
        ),
        # Not overdue: due later, put on hold before its due time, done, or without a due time.
        "ahead": opened(staf, sop002, "Belum", now + HOUR),
        "held_before": opened(
            staf, sop002, "Ditahan sebelum", now - HOUR, on_hold_since=now - 2 * HOUR
        ),
        "done": opened(
            staf, sop002, "Selesai", now - DAY, status=StepStatus.COMPLETED, completed_at=now
        ),
        "untimed": opened(staf, sop002, "Tanpa batas", None),
    }
    return steps


def references(response):
    return [row.step.case.reference for row in response.context["page"].rows]


def ref(board, *keys):
    return [board[k].case.reference for k in keys]


@pytest.fixture
def admin(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    return client


def test_it_lists_exactly_the_overdue_steps_most_recently_overdue_first(admin, board):
    response = admin.get(reverse("reports:overdue"))
    assert response.status_code == 200
    assert references(response) == ref(board, "late_1h", "held_after", "late_bkd", "late_3d")
    rows = {row.step.case.reference: row for row in response.context["page"].rows}
    held = rows[board["held_after"].case.reference]
    assert held.on_hold
    # Overdue time is working time: at most the working minutes in the span (the hour the
    # board was made overdue by, plus the seconds since it was made, on a busy machine).
    assert 0 <= rows[board["late_1h"].case.reference].overdue_minutes <= 61
    assert held.overdue_minutes <= 60  # counted up to the hold, not to now
    page = response.content.decode()
    assert "Unit Kerja Pemohon" in page  # nobody claimed it: the actor holds it


@pytest.mark.parametrize("case_limit", [2000, 0], ids=["few cases", "many cases"])
def test_it_filters_by_unit_and_procedure(admin, board, bali, djki, monkeypatch, case_limit):
    # A filter with few cases looks their steps up by case, one with many walks the due
    # times: the same rows either way.
    monkeypatch.setattr(overdue, "CASE_LIMIT", case_limit)
    response = admin.get(reverse("reports:overdue"), {"unit": bali.units["dinkes"].pk})
    assert references(response) == ref(board, "late_1h", "held_after", "late_3d")
    response = admin.get(reverse("reports:overdue"), {"unit": bali.units["bkd"].pk})
    assert references(response) == ref(board, "late_bkd")
    response = admin.get(
        reverse("reports:overdue"), {"procedure": "sop-004-pemulihan-gagal-fungsi-ipas"}
    )
    assert references(response) == []
    assert "No step is overdue." in response.content.decode()


@pytest.mark.parametrize("unit", [None, "dinkes"])
def test_it_pages_with_a_keyset_cursor(admin, board, bali, monkeypatch, unit):
    monkeypatch.setattr(overdue, "PAGE_SIZE", 2)
    params = {"unit": bali.units[unit].pk} if unit else {}
    first = admin.get(reverse("reports:overdue"), params)
    assert references(first) == ref(board, "late_1h", "held_after")
    second = admin.get(reverse("reports:overdue") + first.context["next_url"])
    expected = ["late_3d"] if unit else ["late_bkd", "late_3d"]
    assert references(second) == ref(board, *expected)
    assert second.context["next_url"] == ""


def test_the_page_takes_the_same_few_queries_however_many_rows(admin, board, bali, sop002):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin.get(reverse("reports:overdue"))
        return len(queries)

    few = count()
    for index in range(6):
        opened(bali["bkd"], sop002, f"Lagi {index}", timezone.now() - index * DAY - HOUR)
    # The session and user, the filters' agencies, units and procedures (two), the steps
    # (one indexed query), their versions and their calendars.
    assert count() == few <= 10


@pytest.mark.parametrize("case_limit", [2000, 0], ids=["few cases", "many cases"])
def test_staff_see_only_overdue_steps_of_cases_they_may_see(
    client, board, bali, monkeypatch, case_limit
):
    monkeypatch.setattr(overdue, "CASE_LIMIT", case_limit)
    CaseStep.objects.filter(pk=board["late_bkd"].pk).update(claimed_by=bali["dev1"])
    client.force_login(bali["kabid"].user)  # dev1's superior's superior
    response = client.get(reverse("reports:overdue"))
    assert references(response) == ref(board, "late_bkd")
    client.force_login(bali["qa1"].user)
    assert references(client.get(reverse("reports:overdue"))) == []


def test_the_query_walks_the_status_and_due_time_index(board, superuser):
    from django.db import connection, transaction

    from laksana.reports.compliance import report_scope

    qs = overdue.overdue_steps(report_scope(superuser), overdue.OverdueFilters(), timezone.now())
    if connection.vendor == "postgresql":
        # A table of a test's few rows is read whole or sorted as the statistics of earlier
        # tests suggest; with those two plans discouraged the planner shows whether the index
        # can give the rows in the board's order (it sorts anyway when it cannot).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            plan = qs[:26].explain()
        assert "case_step_due_idx" in plan
        return
    plan = qs[:26].explain()
    assert "case_step_due_idx" in plan or "cases_casestep_due_at" in plan
