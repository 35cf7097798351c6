"""The tail of an action sent together (``store.deferred``): on PostgreSQL as one statement
whose first parts are data-modifying ``WITH`` parts, unless two of them change one table."""

from __future__ import annotations

import pytest
from django.db import connection

from laksana.cases import participation, services, store
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, CaseStatus, Notification, StepStatus

from .helpers import SOP_004_PEOPLE, active, work

pytestmark = pytest.mark.django_db


def test_statements_of_different_tables_become_one() -> None:
    merged = store._one_statement(
        (
            'UPDATE "cases_casestep" SET "status" = %s WHERE "id" = %s',
            "INSERT INTO cases_participation (person_id) VALUES (%s) ON CONFLICT DO NOTHING",
            "UPDATE cases_disposition SET status = %s WHERE step_id = %s",
            'INSERT INTO "cases_journalentry" ("case_id") VALUES (%s), (%s)',
            'UPDATE "cases_case" SET "state" = %s WHERE "id" = %s',
        )
    )
    assert merged == (
        'WITH w0 AS (UPDATE "cases_casestep" SET "status" = %s WHERE "id" = %s), '
        "w1 AS (INSERT INTO cases_participation (person_id) VALUES (%s) ON CONFLICT DO NOTHING), "
        "w2 AS (UPDATE cases_disposition SET status = %s WHERE step_id = %s), "
        'w3 AS (INSERT INTO "cases_journalentry" ("case_id") VALUES (%s), (%s)) '
        'UPDATE "cases_case" SET "state" = %s WHERE "id" = %s'
    )


@pytest.mark.parametrize(
    "texts",
    [
        ('UPDATE "cases_case" SET "title" = %s WHERE "id" = %s', "UPDATE cases_case SET x = 1"),
        ("DELETE FROM cases_notification WHERE id = %s", 'DELETE FROM "cases_notification"'),
        ("SELECT 1", "INSERT INTO t VALUES (1)"),
    ],
)
def test_two_changes_of_one_table_or_a_read_are_not_merged(texts) -> None:
    assert store._one_statement(texts) is None


def _statements_sent(monkeypatch) -> list[str]:
    sent: list[str] = []
    original = store._flush

    def spy(statements):
        sent.append(store._one_statement(tuple(s for s, _p in statements)) or "separate")
        original(statements)

    monkeypatch.setattr(store, "_flush", spy)
    return sent


def test_the_same_row_changed_twice_keeps_both_changes(djki, sop004) -> None:
    """Why two changes of one table are not merged: PostgreSQL would apply one of them."""
    case = services.open_case(djki[SOP_004_PEOPLE["pengguna"]], sop004, "Gangguan")
    with store.transaction(), store.deferred():
        store.update(Case, case.pk, {"title": "Judul baru"})
        store.update(Case, case.pk, {"description": "Uraian baru"})
    case.refresh_from_db()
    assert (case.title, case.description) == ("Judul baru", "Uraian baru")


def test_completions_send_their_tail_as_one_statement(djki, sop004, monkeypatch) -> None:
    sent = _statements_sent(monkeypatch)
    case = services.open_case(djki[SOP_004_PEOPLE["pengguna"]], sop004, "Gangguan IPAS")
    for _ in range(3):
        row = active(case)
        person = djki[SOP_004_PEOPLE[row.actor_key]]
        case = work(person, case)
    assert len(sent) == 3 and "separate" not in sent
    assert all(s.startswith("WITH ") for s in sent)
    case.refresh_from_db()
    assert case.status == CaseStatus.RUNNING
    assert case.steps.filter(status=StepStatus.COMPLETED).count() == 3
    assert case.steps.filter(status=StepStatus.ACTIVE).count() == 1
    assert verify_case(case) is None  # the journal entries of every completion
    # Every part ran: the next holders' notifications, the people's participation.
    assert Notification.objects.filter(case=case).count() >= 3
    assert participation.missing(connection) == []
