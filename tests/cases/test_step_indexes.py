"""The partial indexes of steps and journal entries (migration cases/0008) and of overdue
cases (cases/0017): the queries that read them still find them on both databases, and an
action writes only what it changes.

The plans are asked with sequential scans discouraged on PostgreSQL (the test tables are
tiny, where a scan is always cheapest): an index whose condition the query does not imply
cannot be chosen then, and the plan shows a scan of the table."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from laksana.cases import inbox, queries, services
from laksana.cases.models import Case, CaseStatus, CaseStep, JournalEntry, StepStatus
from laksana.reports import overdue
from laksana.reports.compliance import report_scope

from .helpers import SOP_004_PEOPLE, active, work

pytestmark = pytest.mark.django_db


def advance(djki, case: Case) -> Case:
    """Complete the active step of a SOP 004 case along its main path."""
    row = active(case)
    outcome = "Ya" if case.version.spec.step(row.step_key).decision else None
    return work(djki[SOP_004_PEOPLE[row.actor_key]], case, outcome)


@contextlib.contextmanager
def no_scans() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan")


def plan(qs) -> str:
    with no_scans():
        return qs.explain()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")


@pytest.fixture
def running(djki, sop004):
    """A SOP 004 case three steps in, its third step claimed."""
    case = services.open_case(
        djki["merek_staf"], sop004, "IPAS lambat", application=djki.applications["ipas"]
    )
    for _ in range(2):
        case = advance(djki, case)
    row = active(case)
    services.claim_step(djki[SOP_004_PEOPLE[row.actor_key]], row.pk)
    return case


def test_the_inbox_reads_the_index_of_claimed_active_steps(djki, running):
    person = djki[SOP_004_PEOPLE[active(running).actor_key]]
    assert [r.pk for r in inbox.claimed_steps(person)] == [active(running).pk]
    found = plan(inbox._steps().filter(status=StepStatus.ACTIVE, claimed_by=person))
    # One of the indexes of active or of claimed steps (which, the planner judges by the
    # sizes it knows), never a scan of every step.
    assert any(
        f"{index} " in found or f"{index}\n" in found
        for index in ("case_step_inbox_idx", "case_step_claimed_by_idx", "case_step_actor_idx")
    ), found
    assert "SCAN cases_casestep" not in found and "Seq Scan on cases_casestep" not in found


def test_the_visibility_gate_reads_the_indexes_of_people_and_of_active_actors(djki, running):
    viewer = queries.Viewer.of(djki["direktur"])
    claimed, completed, *_dispositions, bound = queries._worked_on(viewer, {})
    assert "case_step_claimed_by_idx" in plan(claimed)
    assert "case_step_completed_by_idx" in plan(completed)
    # The part of bound actors joins the case and its procedure, and which table the planner
    # starts from depends on the sizes it knows; the steps' own conditions alone show that the
    # index of active steps answers them (a partial index the query did not imply could not
    # be used, and the plan would scan the table).
    ((_agency, _procedure), actors), *_ = sorted(viewer.bound.items())
    active_of = CaseStep.objects.filter(status=StepStatus.ACTIVE, actor_key__in=sorted(actors))
    assert "case_step_actor_idx" in plan(active_of.values_list("case_id", flat=True))
    # And they find the rows: he completed the second step; his subordinate holds the third.
    assert running.pk in set(completed) and running.pk in set(bound)
    assert set(queries.visible_cases(djki["direktur"].user)) == {running}


def test_the_overdue_list_and_a_persons_journal_read_their_indexes(djki, running, superuser):
    from django.utils import timezone

    steps = overdue.overdue_steps(report_scope(superuser), overdue.OverdueFilters(), timezone.now())
    # The other partial indexes of active steps cost about the same on tiny tables, and which
    # one the planner takes depends on the statistics earlier tests left: that the list's
    # conditions imply the due-time index's is this test's, so the plan is asked with those
    # put aside (dropped in a savepoint that is rolled back).
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX case_step_actor_idx, case_step_inbox_idx")
        found = plan(steps[:26])
        transaction.set_rollback(True)
    assert "case_step_due_idx" in found, found
    with connection.cursor() as cursor:  # the savepoint put them back
        kept = connection.introspection.get_constraints(cursor, CaseStep._meta.db_table)
    assert {"case_step_actor_idx", "case_step_inbox_idx", "case_step_due_idx"} <= set(kept)
    assert "journal_actor_idx" in plan(JournalEntry.objects.filter(actor=djki["direktur"]))
    assert JournalEntry.objects.filter(actor=djki["direktur"]).count() == 1


def test_a_completion_writes_the_case_status_only_when_the_case_ends(djki, sop004):
    case = services.open_case(
        djki["merek_staf"], sop004, "IPAS mati", application=djki.applications["ipas"]
    )
    updates: list[list[str]] = []
    for _ in range(30):
        if case.status == CaseStatus.FINISHED:
            break
        with CaptureQueriesContext(connection) as captured:
            case = advance(djki, case)
        # (On PostgreSQL an action's writes are sent together: one string when logged.)
        statements = [sql for q in captured.captured_queries for sql in q["sql"].split(";\n")]
        updates.append([sql for sql in statements if sql.startswith('UPDATE "cases_case"')])
    assert case.status == CaseStatus.FINISHED
    *middle, last = updates
    # (A step whose output is a disposition has the disposition's own update before it.)
    assert middle and all(u and '"status" = ' not in sql for u in middle for sql in u), middle
    assert '"status" = ' in last[-1] and '"finished_at" = ' in last[-1], last
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.end_key, stored.finished_at) == (
        CaseStatus.FINISHED,
        case.end_key,
        case.finished_at,
    )
    assert not CaseStep.objects.filter(case=case, status=StepStatus.ACTIVE).exists()


def test_the_overdue_case_filter_reads_the_index_of_running_cases_with_a_due_time(djki, sop004):
    # Migration cases/0017: the case list's overdue filter (running cases past their own due
    # time) reads only the running cases that have a due time, never every case.
    from django.utils import timezone

    now = timezone.now()
    made = [
        services.open_case(
            djki["merek_staf"], sop004, f"IPAS {i}", application=djki.applications["ipas"]
        )
        for i in range(3)
    ]
    Case.objects.filter(pk=made[0].pk).update(due_at=now - dt.timedelta(hours=1))
    Case.objects.filter(pk=made[1].pk).update(due_at=now + dt.timedelta(hours=1))
    overdue_cases = Case.objects.filter(status=CaseStatus.RUNNING, due_at__lt=now)
    assert list(overdue_cases.values_list("pk", flat=True)) == [made[0].pk]
    # The tables are tiny: on PostgreSQL, without statistics, the planner costs the index of
    # statuses the same and takes it. Which index is cheaper is the planner's business; that
    # the filter implies the partial index's condition is this test's: the plan is asked with
    # the indexes of statuses put aside (dropped in a savepoint that is rolled back).
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "DROP INDEX case_status_opened_idx, case_agency_status_idx, "
                    "case_unit_status_idx"
                )
        found = plan(overdue_cases.values_list("pk", flat=True))
        transaction.set_rollback(True)
    assert "case_overdue_idx" in found, found
    with connection.cursor() as cursor:  # the savepoint put them back
        kept = connection.introspection.get_constraints(cursor, Case._meta.db_table)
    assert {"case_status_opened_idx", "case_overdue_idx"} <= set(kept)
