"""Who took part in cases of which procedure, for which requesting unit (the
:class:`~laksana.cases.models.Participation` rows): written by the services with every action
that makes a person part of a case, read by the visibility gate to rule out what a filtered
list cannot contain.

The rows are a summary of facts kept elsewhere (the case's opener, its steps' claimants,
completers and the people they were reassigned to, its dispositions' senders and recipients,
the people chosen for its actors): :func:`fill` writes the rows those facts
imply (the migration that made the table, the bulk generator of the benchmark) and
:func:`missing` lists the implied rows that are not there (tests; a gate that read a summary
missing a row would hide a case from someone who may see it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from laksana.cases import store
from laksana.cases.models import Case, CaseActor, Participation

TABLE = Participation._meta.db_table


@functools.cache
def _insert_sql(count: int) -> str:
    rows = ", ".join(["(%s, %s, %s)"] * count)
    return (
        f"INSERT INTO {TABLE} (person_id, procedure_key, requesting_unit_id) VALUES {rows} "
        "ON CONFLICT DO NOTHING"
    )


def record(case: Case, people: Iterable[int | None]) -> None:
    """Note that these people (ids; None is skipped) take part in ``case``, in the current
    transaction (deferred with the action's other writes inside :func:`store.deferred`).
    A row that is already there is left as it is."""
    key = case.version.procedure_key
    unit = case.requesting_unit_id
    rows = sorted({pk for pk in people if pk is not None})
    if not rows:
        return
    store.write(_insert_sql(len(rows)), [v for pk in rows for v in (pk, key, unit)])


# Every (person, case's version, case's requesting unit) the visibility rule counts as taking
# part, and from those the rows: the one DISTINCT is over the few rows of the summary, not over
# every (person, case) pair.
_FACTS = """
        SELECT opened_by_id AS person_id, version_id, requesting_unit_id FROM cases_case
        UNION ALL
        SELECT s.claimed_by_id, c.version_id, c.requesting_unit_id
        FROM cases_casestep s JOIN cases_case c ON c.id = s.case_id
        WHERE s.claimed_by_id IS NOT NULL
        UNION ALL
        SELECT s.completed_by_id, c.version_id, c.requesting_unit_id
        FROM cases_casestep s JOIN cases_case c ON c.id = s.case_id
        WHERE s.completed_by_id IS NOT NULL
        UNION ALL
        SELECT d.sender_id, c.version_id, c.requesting_unit_id
        FROM cases_disposition d JOIN cases_case c ON c.id = d.case_id
        UNION ALL
        SELECT d.recipient_id, c.version_id, c.requesting_unit_id
        FROM cases_disposition d JOIN cases_case c ON c.id = d.case_id
"""

# The facts of chosen actors and reassigned steps (their table and column came later: the
# migration that made the summary fills it from a database without them).
_CHOSEN_AND_ASSIGNED = """
        UNION ALL
        SELECT s.assigned_to_id, c.version_id, c.requesting_unit_id
        FROM cases_casestep s JOIN cases_case c ON c.id = s.case_id
        WHERE s.assigned_to_id IS NOT NULL
        UNION ALL
        SELECT a.person_id, c.version_id, c.requesting_unit_id
        FROM cases_caseactor a JOIN cases_case c ON c.id = a.case_id
"""


def _implied(connection: Any) -> str:
    facts = _FACTS
    if CaseActor._meta.db_table in connection.introspection.table_names():
        facts += _CHOSEN_AND_ASSIGNED
    return (
        "SELECT DISTINCT f.person_id, v.procedure_key, f.requesting_unit_id "
        f"FROM ({facts}) f JOIN procedures_procedureversion v ON v.id = f.version_id"
    )


def fill(connection: Any) -> None:
    """Write every row the cases' facts imply and that is not there yet (on ``connection``,
    in its current transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (person_id, procedure_key, requesting_unit_id) "
            f"SELECT * FROM ({_implied(connection)}) implied WHERE TRUE ON CONFLICT DO NOTHING"
        )


def missing(connection: Any) -> list[tuple[int, str, int]]:
    """The rows the cases' facts imply that are not there: (person id, procedure key,
    requesting unit id), sorted; empty when the summary is complete."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.person_id, i.procedure_key, i.requesting_unit_id "
            f"FROM ({_implied(connection)}) i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} p WHERE p.person_id = i.person_id "
            "AND p.procedure_key = i.procedure_key "
            "AND p.requesting_unit_id = i.requesting_unit_id) "
            "ORDER BY 1, 2, 3"
        )
        return [tuple(row) for row in cursor.fetchall()]
