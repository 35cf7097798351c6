"""The lean reads of ``laksana.cases.store`` give the same instances the ORM gives: every
field's value, a row read from the database (saving updates it), related objects and
deferred fields loading on first use."""

from __future__ import annotations

import datetime as dt

import pytest

from laksana.cases import store
from laksana.cases.models import Case, CaseStep, JournalEntry
from laksana.org.models import Person
from tests.reliability.support import on_postgres

from .test_visible_case_ids import cases  # noqa: F401  (the shared scenario fixture)

pytestmark = pytest.mark.django_db


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.mark.parametrize("model", [Case, CaseStep, JournalEntry, Person])
def test_lean_rows_equal_the_orm_rows(cases, model):  # noqa: F811
    orm = {o.pk: o for o in model.objects.all()}
    assert len(orm) >= 4
    lean = {o.pk: o for o, _extra in store.load_all(model, "1 = 1", [])}
    assert lean.keys() == orm.keys()
    for pk, obj in lean.items():
        assert type(obj) is model
        assert not obj._state.adding and obj._state.db == "default"
        assert _fields(obj) == _fields(orm[pk]), (model.__name__, pk)
        # NULL columns come back as None, filled ones with their Python types.
        for f in model._meta.concrete_fields:
            value = getattr(obj, f.attname)
            if value is not None:
                assert type(value) is type(getattr(orm[pk], f.attname)), f.attname


def test_a_lean_row_saves_and_follows_its_relations(cases):  # noqa: F811
    step = CaseStep.objects.order_by("pk").first()
    row = store.load(CaseStep, "id = %s", [step.pk])
    assert row.case == step.case and row.case.reference == step.case.reference
    row.outcome = "changed"
    row.save(update_fields=["outcome"])
    assert CaseStep.objects.get(pk=step.pk).outcome == "changed"
    assert row.dispositions.count() == step.dispositions.count()


def test_a_partial_instance_loads_the_rest_on_first_use(cases, django_assert_num_queries):  # noqa: F811
    person = Person.objects.exclude(email="").order_by("pk").first()
    part = store.partial(Person, ["id", "name"], [person.pk, person.name])
    with django_assert_num_queries(0):
        assert part.name == person.name
    assert part.get_deferred_fields() >= {"email", "agency_id"}
    with django_assert_num_queries(1):
        assert part.email == person.email


def test_rows_read_with_only_some_fields_equal_the_orms_and_load_the_rest_on_use(
    cases,  # noqa: F811
    django_assert_num_queries,
):
    from laksana.cases.api import _STEP_OUT_FIELDS, _step_out

    orm = {o.pk: o for o in CaseStep.objects.all()}
    rows = store.load_all(CaseStep, "1 = 1", [], only=_STEP_OUT_FIELDS)
    assert {row.pk for row, _extra in rows} == orm.keys()
    for row, _extra in rows:
        assert row.get_deferred_fields() == {"case_id", "due_at", "on_hold_since", "hold_reason",
                                             "held_minutes", "near_due_notified_at",
                                             "overdue_notified_at", "escalated_at"}  # fmt: skip
        expected = _fields(orm[row.pk])
        for name in ("id", "step_key", "status", "claimed_by_id", "completed_by_id",
                     "activated_at", "completed_at"):  # fmt: skip
            assert getattr(row, name) == expected[name], name
    # An API answer reads nothing more for a step than what was read with it...
    row, _extra = rows[0]
    case = orm[row.pk].case
    assert case.version.spec  # the case's procedure, as the API has it
    with django_assert_num_queries(0):
        answer = _step_out(case, row, (None, None))
    assert answer.id == row.pk and answer.activated_at == orm[row.pk].activated_at
    # ...and a field that was not read loads on first use.
    with django_assert_num_queries(1):
        assert row.due_at == orm[row.pk].due_at


def _prepared_statements() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(not on_postgres(), reason="prepared statements are a PostgreSQL matter")
def test_on_postgresql_the_hot_path_statements_are_prepared_unless_turned_off(
    cases,  # noqa: F811
    settings,
):
    from django.db import connection

    sql = "SELECT id FROM cases_casestep WHERE case_id = %s AND status = 'active'"
    case = Case.objects.order_by("pk").first()
    store.fetch(sql, [case.pk])
    assert any("FROM cases_casestep WHERE case_id = $1" in s for s in _prepared_statements())
    # Turned off (behind a pooler that drops prepared statements): a new connection's
    # statements are sent unprepared.
    settings.LAKSANA_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    raw = connection.connection
    kept_threshold = raw.prepare_threshold
    connection.__dict__.pop("_laksana_cursor", None)
    raw._prepared.clear()
    raw.prepare_threshold = None  # as Django leaves a new connection
    try:
        store.fetch(sql, [case.pk])
        store.fetch(sql, [case.pk])
        assert _prepared_statements() == set()
    finally:
        connection.__dict__.pop("_laksana_cursor", None)
        raw.prepare_threshold = kept_threshold


@pytest.mark.parametrize(
    "value",
    [
        # What the driver gives for a datetime column (Django registers its parser)...
        dt.datetime(2026, 11, 22, 3, 4, 5, 123456),
        dt.datetime(2026, 11, 22, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        # ...and text, which goes to Django's converter as it is.
        "2026-11-22 03:04:05.123456",
        "2026-11-22 03:04:05",
        "2026-11-22T03:04:05.5",
        "2026-11-22 03:04:05+07:00",
        "2026-11-22 03:04:05,25",  # Django's parser takes a comma
        "2026-02-29 03:04:05",  # neither takes it: Django's own error
    ],
)
@pytest.mark.skipif(on_postgres(), reason="SQLite's time stamps (PostgreSQL's need no converter)")
def test_sqlite_time_stamps_are_read_as_django_reads_them(value):
    from django.db import connection

    field = CaseStep._meta.get_field("activated_at")
    col = field.get_col(CaseStep._meta.db_table)
    try:
        expected = connection.ops.convert_datetimefield_value(value, col, connection)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc)):
            store._sqlite_datetime(value, col, connection)
        return
    got = store._sqlite_datetime(value, col, connection)
    assert (got, type(got), got.utcoffset() if got else None) == (
        expected,
        type(expected),
        expected.utcoffset() if expected else None,
    )
    # And it is the one the store reads steps with.
    used = [c for _i, _col, convs, _null in store._columns(CaseStep, "sqlite")[2] for c in convs]
    assert store._sqlite_datetime in used
