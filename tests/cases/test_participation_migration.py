"""Migration cases/0009: the Participation table, filled for the cases already there."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from laksana.cases import services
from laksana.cases.models import Participation

from .helpers import active, work

BEFORE = [("cases", "0008_partial_step_and_journal_indexes")]
AFTER = [("cases", "0009_participation")]


def latest() -> list[tuple[str, str]]:
    """Every app's newest migration."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_going_forward_fills_the_rows_of_the_cases_already_there_and_back_drops_them(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA lambat")
    case = work(bali["dinkes_staf"], case)
    case = work(bali["dinkes_staf"], case)
    services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses", step_id=active(case).pk)
    services.open_case(bali["dev1"], sop002, "Gangguan")
    written = set(
        Participation.objects.values_list("person_id", "procedure_key", "requesting_unit_id")
    )
    assert len(written) == 4  # the staff member, the head, the Kabid, the developer
    try:
        migrate(BEFORE)
        assert Participation._meta.db_table not in connection.introspection.table_names()
        migrate(AFTER)
        filled = set(
            Participation.objects.values_list("person_id", "procedure_key", "requesting_unit_id")
        )
    finally:
        # Going back to cases/0008 also undid the migrations of other apps that depend on
        # cases/0009 (a version's agency, say): the tests after this one need them all.
        migrate(latest())
    assert filled == written
