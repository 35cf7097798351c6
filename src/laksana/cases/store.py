"""Lean reads and writes for the hot path (completing a step, the journal, authenticating an
API token, the case an API call names and its answer).

The ORM builds and compiles its SQL anew for every query; on the hot path that costs several
times the query itself (about 250 µs against 40 µs on the reference machine, see
docs/performance.md). Here the SQL of each statement is written once per model and database
vendor (and prepared once per connection on PostgreSQL), and rows become model instances after
the ORM's own converters (the same ones a QuerySet applies), as :meth:`Model.from_db` would
build them, so callers get ordinary model objects. Values are written as each field's
``get_db_prep_save`` writes them. Writes happen only inside a service's transaction.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db import transaction as django_transaction
from django.db.models import Field, Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

from laksana.ops import upkeep

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _columns(
    model: type[Model], vendor: str, only: tuple[str, ...] | None = None
) -> tuple[str, list[str], list[tuple[int, Any, list[Any], bool]]]:
    """The select list of a model's concrete fields (those named in ``only``, by name or
    attribute name, and the primary key, if given), their attribute names, and for each field
    with converters: its position, its column expression, the converters a QuerySet would
    apply, and whether they leave a NULL as None."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    fields = [
        f
        for f in model._meta.concrete_fields
        if only is None or f.primary_key or f.name in only or f.attname in only
    ]
    select = ", ".join(f"{quote(table)}.{quote(str(f.column))}" for f in fields)
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(table)
        convs = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]
        if not convs:
            continue
        # A NULL is left as it is where the converters turn it into None anyway (dates,
        # times, JSON, ...): most of a step row's time stamps are NULL.
        keeps_null = all(conv(None, col, connection) is None for conv in convs)
        converters.append((i, col, [_faster(conv) for conv in convs], keeps_null))
    return select, [f.attname for f in fields], converters


def _faster(conv: Any) -> Any:
    """A converter that gives the same values as ``conv`` in less time, or ``conv``.

    SQLite's time stamps: the driver gives them as naive datetimes (Django registers a parser
    for the column type), and Django's converter then asks the settings and the time zone
    machinery whether to make each aware (a step row has four); with the times stored in UTC
    (``USE_TZ``, no database ``TIME_ZONE``) that is UTC put on the value. Anything else goes
    to Django's converter."""
    func = getattr(conv, "__func__", None)
    if (
        connection.vendor == "sqlite"
        and func is not None
        and func is getattr(type(connection.ops), "convert_datetimefield_value", None)
        and settings.USE_TZ
        and connection.timezone == dt.UTC
    ):
        return _sqlite_datetime
    return conv


def _sqlite_datetime(value: Any, expression: Any, db: Any) -> Any:
    if value.__class__ is dt.datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return db.ops.convert_datetimefield_value(value, expression, db)


def _instance(
    model: type[M], row: Sequence[Any], db: Any = None, only: tuple[str, ...] | None = None
) -> M:
    if db is None:
        db = _db()[0]
    _select, names, converters = _columns(model, _VENDOR, only)
    values = list(row)
    for i, col, convs, keeps_null in converters:
        value = values[i]
        if value is None and keeps_null:
            continue
        for conv in convs:
            value = conv(value, col, db)
        values[i] = value
    return _built(model, names, values)


def _built(model: type[M], names: Sequence[str], values: Sequence[Any]) -> M:
    """What ``Model.from_db`` gives for these fields (by attribute name), without
    ``Model.__init__``'s work per field: their values in the instance's ``__dict__`` and the
    state of a row read from the database; a field not named is absent from ``__dict__``,
    which makes Django load it on first use, as a deferred field. Only for models whose
    construction nothing observes (see :func:`_plain_init`); the others go through
    ``from_db``."""
    if not _plain_init(model):
        return model.from_db(DEFAULT_DB_ALIAS, list(names), list(values))
    obj = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    obj.__dict__["_state"] = state
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


@functools.cache
def _plain_init(model: type[Model]) -> bool:
    """Whether an instance of ``model`` may be built from a full row by setting its fields'
    values directly: no pre_init/post_init receivers (Django's own image dimensions, generic
    relations), no ``from_db`` or ``__init__`` of the model's own, and every concrete field
    stored as itself in the instance's ``__dict__`` (no descriptor that converts on set)."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    if model.from_db.__func__ is not Model.from_db.__func__:  # type: ignore[attr-defined]
        return False
    if model.__init__ is not Model.__init__:
        return False
    for f in model._meta.concrete_fields:
        descriptor = model.__dict__.get(f.attname)
        if descriptor is not None and not isinstance(
            descriptor, DeferredAttribute | ForeignKeyDeferredAttribute | FileDescriptor
        ):
            return False
    return True


# One database vendor per process: Laksana runs on one database (SQLite or PostgreSQL).
_VENDOR = connections[DEFAULT_DB_ALIAS].vendor


@functools.cache
def _native(sql: str, vendor: str) -> str:
    """The statement in the driver's own parameter style (SQLite's ``?``)."""
    return sql.replace("%s", "?") if vendor == "sqlite" else sql


def _cursor(db: Any) -> Any:
    """The driver's own cursor on Django's connection, inside the current transaction.

    Django's cursor wrapper adds some 20 µs a statement (its thread check, its query
    rewriting, its hooks); the statements here are fixed. One driver cursor is kept per
    connection: every statement's rows are read before the next one is run."""
    raw = db.connection
    if raw is None:
        db.ensure_connection()
        raw = db.connection
    kept = db.__dict__.get("_laksana_cursor")
    if kept is None or kept[0] is not raw:
        if _VENDOR == "postgresql":
            # Server-side binding, so that the statements can be prepared (see _execute);
            # Django's own cursors bind on the client and never prepare.
            import psycopg

            if raw.prepare_threshold is None and settings.LAKSANA_PREPARED_STATEMENTS:
                # Django leaves automatic preparation off; only the statements run with
                # prepare=True (this module's) are prepared.
                raw.prepare_threshold = 2**31 - 1
            cursor = psycopg.Cursor(raw)
            _native_timestamps(cursor, db)
            kept = (raw, cursor)
        else:
            kept = (raw, raw.cursor())
        db.__dict__["_laksana_cursor"] = kept
    return kept[1]


def _native_timestamps(cursor: Any, db: Any) -> None:
    """PostgreSQL: read ``timestamptz`` values with psycopg's own loader (compiled, with the
    binary package) instead of Django's, a Python subclass of psycopg's pure-Python loader
    that then replaces the time zone: 2.8 µs a value against 0.16 µs, measured. Django keeps
    the session in UTC and wants ``datetime.timezone.utc``; psycopg's loader gives exactly
    that when the session is in UTC, which is checked on a sample value first (otherwise
    Django's loader stays)."""
    from psycopg import postgres
    from psycopg.pq import Format

    oid = postgres.types["timestamptz"].oid
    native = postgres.adapters.get_loader(oid, Format.TEXT)
    if native is None or cursor.connection.info.parameter_status("TimeZone") != "UTC":
        return
    sample = native(oid, cursor).load(b"2026-11-22 17:36:44.326316+00")
    expected = dt.datetime(2026, 11, 22, 17, 36, 44, 326316, tzinfo=db.timezone)
    if sample == expected and sample.tzinfo is db.timezone:
        cursor.adapters.register_loader(oid, native)


# Inside a service's transaction (see :func:`transaction`): the connection it runs on and
# whether Django logs its queries, looked up once instead of for every statement.
_BOUND: contextvars.ContextVar[tuple[Any, bool] | None] = contextvars.ContextVar(
    "laksana_store_bound", default=None
)


def _db() -> tuple[Any, bool]:
    bound = _BOUND.get()
    if bound is not None:
        return bound
    db = connections[DEFAULT_DB_ALIAS]
    return db, db.queries_logged


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """One service action's transaction: on SQLite after the other writers (see
    :func:`one_writer`), then ``transaction.atomic()``; inside it the statements here use
    the transaction's connection directly."""
    with one_writer(), django_transaction.atomic():
        db = connections[DEFAULT_DB_ALIAS]
        token = _BOUND.set((db, db.queries_logged))
        try:
            yield
        finally:
            _BOUND.reset(token)
    upkeep.nudge()


def _execute(sql: str, params: Sequence[Any]) -> Any:
    """Run a statement written with %s parameters; the cursor to read its rows from.

    On PostgreSQL the statement is prepared on the connection (the statements here are few
    and fixed): planning the lock and the holders' query cost several times their execution
    on every action, measured on the reference machine (docs/performance.md). When Django
    logs queries (debug mode, or a test counting them), the statement goes through Django's
    own cursor so it is logged and counted like any other."""
    db, logged = _db()
    if logged:
        cursor = db.cursor()
        cursor.execute(sql, params)
        return cursor
    cursor = _cursor(db)
    if _VENDOR == "postgresql":
        cursor.execute(sql, params, prepare=True)
    else:
        cursor.execute(_native(sql, _VENDOR), params)
    return cursor


@functools.cache
def _select_sql(
    model: type[Model],
    where: str,
    extra: str,
    joins: str,
    for_update: bool,
    vendor: str,
    only: tuple[str, ...] | None = None,
) -> str:
    select = _columns(model, vendor, only)[0]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"SELECT {select}{', ' + extra if extra else ''} FROM {table} {joins} WHERE {where}"
    if for_update and connection.features.has_select_for_update:
        # The row is locked to change its columns, never its key: on PostgreSQL "FOR NO KEY
        # UPDATE", which excludes every other action on the row as "FOR UPDATE" does, but not
        # the check of a reference to it that another transaction makes (its "FOR KEY SHARE").
        # With "FOR UPDATE", the SLA sweep (holding a step's row, then writing a notice that
        # refers to the case) and an action on that case (holding the case, then changing the
        # step) waited for each other until PostgreSQL aborted one as a deadlock
        # (tests/cases/test_concurrency.py).
        mode = "NO KEY UPDATE" if connection.features.has_select_for_no_key_update else "UPDATE"
        sql += f" FOR {mode} OF {table}" if joins else f" FOR {mode}"
    return sql


def load_with(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    extra: str = "",
    joins: str = "",
    for_update: bool = False,
) -> tuple[M, tuple[Any, ...]] | None:
    """Like :func:`load`, with more columns (``extra``, from ``joins``) returned beside the
    instance. ``where`` and ``extra`` name the model's table by its table name."""
    sql = _select_sql(model, where, extra, joins, for_update, _VENDOR)
    names = _columns(model, _VENDOR)[1]
    row = _execute(sql, params).fetchone()
    if row is None:
        return None
    return _instance(model, row[: len(names)]), tuple(row[len(names) :])


@functools.cache
def _joined_sql(
    model: type[Model], where: str, joined: tuple[tuple[type[Model], str, str], ...], vendor: str
) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    select = [_columns(model, vendor)[0]]
    joins = []
    for other, alias, on in joined:
        select.append(
            ", ".join(f"{alias}.{quote(str(f.column))}" for f in other._meta.concrete_fields)
        )
        joins.append(f"JOIN {quote(other._meta.db_table)} {alias} ON {on}")
    return f"SELECT {', '.join(select)} FROM {table} {' '.join(joins)} WHERE {where}"


def load_joined(
    model: type[Model],
    where: str,
    params: Sequence[Any],
    joined: Sequence[tuple[type[Model], str, str]],
) -> list[Model] | None:
    """The one row of ``model`` matching ``where`` and, for each ``(other model, alias, join
    condition)``, the row of the other model joined to it: their instances, in that order,
    from one statement; None when there is no such row."""
    sql = _joined_sql(model, where, tuple(joined), _VENDOR)
    row = _execute(sql, params).fetchone()
    if row is None:
        return None
    db = _db()[0]
    found = []
    start = 0
    for m in (model, *(other for other, _alias, _on in joined)):
        width = len(_columns(m, _VENDOR)[1])
        found.append(_instance(m, row[start : start + width], db))
        start += width
    return found


def load_all(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    extra: str = "",
    joins: str = "",
    order: str = "",
    only: tuple[str, ...] | None = None,
) -> list[tuple[M, tuple[Any, ...]]]:
    """Every row of ``model`` matching ``where`` (in ``order``), as :func:`load_with` gives
    one; with ``only``, just those fields (and the primary key) are read, the others load on
    first use (as with ``QuerySet.only``)."""
    sql = _select_sql(model, where, extra, joins, False, _VENDOR, only)
    if order:
        sql += f" ORDER BY {order}"
    names = _columns(model, _VENDOR, only)[1]
    cursor = _execute(sql, params)
    db = _db()[0]
    width = len(names)
    return [
        (_instance(model, row[:width], db, only), tuple(row[width:])) for row in cursor.fetchall()
    ]


def partial(model: type[M], names: Sequence[str], values: Sequence[Any]) -> M:
    """An instance with only some fields read (the others load on first use, as with
    ``QuerySet.only``): for the names shown beside a row."""
    return _built(model, names, values)


def load(
    model: type[M], where: str, params: Sequence[Any], *, for_update: bool = False
) -> M | None:
    """The one row of ``model`` matching ``where`` (SQL with %s parameters), as an instance;
    ``for_update`` locks it where the database has row locks (SQLite's write transaction
    already excludes other writers)."""
    found = load_with(model, where, params, for_update=for_update)
    return None if found is None else found[0]


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of a plain query (ids, small values)."""
    return list(_execute(sql, params).fetchall())


@functools.cache
def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field


_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
)


def _preparer(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of ``field`` is written: None where the value is written as it is (ids,
    numbers, text: what ``get_db_prep_save`` returns unchanged for them), else the field's
    own preparation (dates and times, JSON, ...)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, _PLAIN) and not getattr(target, "choices_converter", None):
        return None
    if isinstance(field, models.DateTimeField):
        return _datetime_preparer()
    if isinstance(field, models.JSONField):
        return _json_preparer(field)

    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return prepare


@functools.cache
def _datetime_preparer() -> Callable[[Any], Any]:
    """How a date and time is written (``DateTimeField.get_db_prep_save`` for an aware
    datetime), remembered: an action writes the same instant several times."""
    return functools.lru_cache(maxsize=64)(connection.ops.adapt_datetimefield_value)


class Json(str):
    """A JSON value already written as text (exactly as ``json.dumps`` with the field's
    encoder writes it), stored as it is instead of being serialized again."""


def _json_preparer(field: models.JSONField[Any]) -> Callable[[Any], Any]:
    encoder = field.encoder
    if _VENDOR == "postgresql":
        from psycopg.types.json import Jsonb

        def as_is(text: str) -> str:
            return text

        def prepare_pg(value: Any) -> Any:
            if isinstance(value, Json):
                return Jsonb(value, dumps=as_is)
            return field.get_db_prep_save(value, connection)

        return prepare_pg

    def prepare(value: Any) -> Any:
        # What JSONField.get_db_prep_save gives here, without its layers.
        if isinstance(value, Json):
            return str(value)
        return json.dumps(value, cls=encoder)

    return prepare


@functools.cache
def _statement(
    kind: str, model: type[Model], names: tuple[str, ...], vendor: str
) -> tuple[str, list[Callable[[Any], Any] | None]]:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [_field(model, n) for n in names]
    columns = [quote(str(f.column)) for f in fields]
    if kind == "insert":
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    else:
        sets = ", ".join(f"{c} = %s" for c in columns)
        pk = model._meta.pk
        assert pk is not None
        sql = f"UPDATE {table} SET {sets} WHERE {quote(str(pk.column))} = %s"
    return sql, [_preparer(f) for f in fields]


def _prepared(preparers: list[Callable[[Any], Any] | None], row: Sequence[Any]) -> list[Any]:
    return [v if p is None or v is None else p(v) for p, v in zip(preparers, row, strict=True)]


def prep(model: type[Model], name: str, value: Any) -> Any:
    """``value`` as the field ``name`` of ``model`` is written to the database."""
    preparer = _preparer(_field(model, name))
    return value if preparer is None or value is None else preparer(value)


# Writes made inside ``deferred()``: sent together when it ends (one round trip on
# PostgreSQL), or dropped with it when it fails.
_PENDING: contextvars.ContextVar[list[tuple[str, list[Any]]] | None] = contextvars.ContextVar(
    "laksana_store_pending", default=None
)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Collect the writes of :func:`update`, :func:`insert` and :func:`write` made inside
    and send them when the block ends: on PostgreSQL as one statement (:func:`_one_statement`)
    or, where that cannot be, in one pipeline (one round trip either way; as one string of
    statements when Django logs queries, its cursor binding on the client), on SQLite one
    after another (no round trips to save). Reads inside the block do not see
    these writes: use it for the tail of an action, after its last read of the rows it
    writes."""
    outer = _PENDING.get()
    if outer is not None:
        yield  # already collecting: the outer block sends them
        return
    pending: list[tuple[str, list[Any]]] = []
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    _flush(pending)


def _flush(statements: list[tuple[str, list[Any]]]) -> None:
    """Send collected statements (see :func:`deferred`)."""
    if not statements:
        return
    if _VENDOR == "postgresql" and len(statements) > 1:
        db, logged = _db()
        if logged:  # Django's cursor binds on the client: one string of statements
            sql = ";\n".join(s for s, _p in statements)
            db.cursor().execute(sql, [p for _s, ps in statements for p in ps])
            return
        cursor = _cursor(db)
        merged = _one_statement(tuple(sql for sql, _params in statements))
        if merged is not None:
            cursor.execute(merged, [p for _sql, ps in statements for p in ps], prepare=True)
            return
        # A pipeline: every statement sent, then the results read, in one round trip.
        with db.connection.pipeline():
            for sql, params in statements:
                cursor.execute(sql, params, prepare=True)
        return
    for sql, params in statements:
        _execute(sql, params)


@functools.cache
def _one_statement(texts: tuple[str, ...]) -> str | None:
    """PostgreSQL: the statements as one, the first ones as data-modifying ``WITH`` parts of
    the last. The driver's work is then that of one statement instead of one per statement
    (about 20 µs each, measured), and the server's too. The parts run on one snapshot and
    cannot see each other's changes, which :func:`deferred` already requires; a row changed by
    two of them would be changed once, so two changes (``UPDATE``, ``DELETE``) of one table
    are sent as separate statements instead (None)."""
    changed: set[str] = set()
    for sql in texts:
        words = sql.split(None, 3)
        verb = words[0].upper()
        if verb in ("UPDATE", "DELETE"):
            table = (words[1] if verb == "UPDATE" else words[2]).strip('"').lower()
            if table in changed:
                return None
            changed.add(table)
        elif verb != "INSERT":
            return None
    *parts, last = texts
    return "WITH " + ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts)) + " " + last


def write(sql: str, params: Sequence[Any]) -> None:
    """A statement that changes rows and whose count is not needed: deferred inside
    :func:`deferred`, run now otherwise."""
    pending = _PENDING.get()
    if pending is not None:
        pending.append((sql, list(params)))
    else:
        _execute(sql, params)


def update(model: type[Model], pk: int, values: dict[str, Any]) -> None:
    """``UPDATE`` of the named fields of one row, prepared as ``save()`` prepares them."""
    sql, preparers = _statement("update", model, tuple(values), _VENDOR)
    write(sql, [*_prepared(preparers, list(values.values())), pk])


@functools.cache
def _rows_sql(sql: str, width: int, count: int) -> str:
    marks = "(" + ", ".join(["%s"] * width) + ")"
    head = sql[: sql.rindex("VALUES")]
    return head + "VALUES " + ", ".join([marks] * count)


def insert(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``INSERT`` rows in one statement (no ids returned: the hot path needs none)."""
    sql, preparers = _statement("insert", model, tuple(names), _VENDOR)
    prepared = [_prepared(preparers, row) for row in rows]
    if not prepared:
        return
    if len(prepared) > 1:
        sql = _rows_sql(sql, len(names), len(prepared))
    write(sql, [value for row in prepared for value in row])


@contextlib.contextmanager
def one_writer() -> Iterator[None]:
    """Around a service's transaction: on SQLite, wait for the other writers of the
    database (:func:`laksana.ops.upkeep.writers_lock`); elsewhere (PostgreSQL's row locks
    queue fairly) or inside an outer transaction (which already holds SQLite's lock),
    nothing."""
    db = connections[DEFAULT_DB_ALIAS]
    name = str(db.settings_dict["NAME"])
    if db.vendor != "sqlite" or db.in_atomic_block or name.startswith((":memory:", "file:")):
        yield
        return
    with upkeep.writers_lock(name):
        yield
