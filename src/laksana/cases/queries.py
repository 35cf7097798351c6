"""The one visibility gate: every list, page, file and API call asks it what a user may see.

* administrators (superusers) see everything;
* a vendor's employee sees the cases on applications under a contract of the vendor that is
  in its period today, and after that only those the vendor's people worked on
  (:mod:`laksana.cases.vendors`);
* everyone else sees the cases of their own unit (as requester), the cases they opened,
  claimed, completed, sent or received a disposition on, were chosen for (an actor chosen when
  the case opened) or were given a step of by reassignment, the cases whose active step is of
  an actor bound to them (its own, joint or any-of actor), the cases with a completed step
  copied to an actor bound to them (tembusan: they read the case, never act on it), and
  everything their subordinates see by those same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from laksana.cases import store, vendors
from laksana.cases.holders import bound_actor_filter
from laksana.cases.models import (
    Case,
    CaseActor,
    CaseStatus,
    CaseStep,
    Disposition,
    Participation,
    StepStatus,
)
from laksana.cases.sharedsteps import bound_copies, bound_shared
from laksana.org.models import ActorBinding, Person
from laksana.procedures.models import ProcedureVersion


def person_of(user: AbstractBaseUser | AnonymousUser | None) -> Person | None:
    """The Person of a signed-in user, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user_id=user.pk).first()


def visible_cases(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Case]:
    """The cases ``user`` may see."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    if getattr(user, "is_superuser", False):
        return Case.objects.all()
    person = person_of(user)
    if person is None:
        return Case.objects.none()
    if person.vendor_id is not None:
        ids = Case.objects.filter(_vendor_rule(person))
        return Case.objects.filter(pk__in=ids.values("pk"))
    q = _rule(person)
    return Case.objects.filter(pk__in=Case.objects.filter(q).values("pk"))


def _vendor_rule(person: Person) -> Q:
    """The rule for a vendor's employee, today in the agency's time zone."""
    assert person.vendor_id is not None
    return vendors.case_filter(person.vendor_id, vendors.today(person.agency_id))


def _rule(person: Person) -> Q:
    """The rule for a member of an agency (not a vendor) as one filter over joins: what
    they and everyone below them opened, requested (by unit), claimed, completed, sent or
    received, and the cases whose active step is of an actor bound to them."""
    people = {person.pk} | person.subordinates_tree()
    units = set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    return (
        Q(requesting_unit_id__in=units)
        | Q(opened_by_id__in=people)
        | Q(steps__claimed_by_id__in=people)
        | Q(steps__completed_by_id__in=people)
        | Q(dispositions__recipient_id__in=people)
        | Q(dispositions__sender_id__in=people)
        | Q(steps__assigned_to_id__in=people)
        | Q(chosen_actors__person_id__in=people)
        | bound_actor_filter(people)
    )


@dataclass
class Viewer:
    """What the rule needs to know of a member of staff, read once: the person, everyone
    whose cases they see (themself and their subordinates, all levels), those people's
    units and the actors bound to them (agency, procedure, actors)."""

    person: Person
    people: set[int] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    bound: dict[tuple[int, str], set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, person: Person) -> Viewer:
        viewer = cls(person)
        if person.vendor_id is not None:
            return viewer
        # The person and everyone below them, in one recursive query (the same people as
        # Person.subordinates_tree).
        table = Person._meta.db_table
        rows = store.fetch(
            f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE id = %s "
            f"UNION SELECT p.id FROM {table} p JOIN tree t ON p.superior_id = t.id) "
            f"SELECT p.id, p.unit_id FROM {table} p WHERE p.id IN (SELECT id FROM tree)",
            [person.pk],
        )
        viewer.people = {pk for pk, _unit in rows}
        viewer.units = {unit for _pk, unit in rows if unit is not None}
        for agency_id, procedure_key, actor_key in (
            ActorBinding.objects.filter(
                Q(person__in=viewer.people)
                | Q(position__holders__in=viewer.people)
                | Q(unit__members__in=viewer.people)
            )
            .values_list("agency_id", "procedure_key", "actor_key")
            .distinct()
        ):
            viewer.bound.setdefault((agency_id, procedure_key), set()).add(actor_key)
        return viewer


def viewer_of(
    user: AbstractBaseUser | AnonymousUser | None, person: Person | None = None
) -> Viewer | bool:
    """The :class:`Viewer` of a member of staff or a vendor's employee; True for an
    administrator (sees everything), False for anyone who sees nothing. ``person`` is the
    user's Person when the caller has it already."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    if person is None or person.user_id != user.pk:
        person = person_of(user)
    if person is None:
        return False
    return Viewer.of(person)


@dataclass(frozen=True)
class ListScope:
    """What a list's filters say of every case they keep: its procedure, its requesting unit
    (None: any). :func:`first_visible` uses it to leave out the parts of the rule that cannot
    match such a case."""

    procedure_key: str | None = None
    requesting_unit_id: int | None = None


def _in_scope(viewer: Viewer, scope: ListScope) -> Viewer | None:
    """The viewer with only the parts of the rule that can match a case in ``scope``, or None
    when no part can, judged on the participation rows (one short statement, no case read):

    * what the viewer's people opened, claimed, completed, sent or received: only if one of
      them took part in a case of that procedure and requesting unit;
    * the cases of the viewer's units: only if one of those units (the scope's, when it names
      one) requested a case of that procedure (every case's opener has a row);
    * the active steps of the viewer's bound actors of (agency, procedure): only for that
      procedure, and only if a case of it was requested by the scope's unit.

    Rows are never removed and written with every action that makes someone part of a case,
    so a part left out cannot match: the gate's answer is unchanged."""
    key, unit = scope.procedure_key, scope.requesting_unit_id
    if key is None and unit is None:
        return viewer
    table = Participation._meta.db_table

    def among(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """A row of these people or units, in scope."""
        where, params = _in(column, values)
        if key is not None:
            where, params = f"{where} AND procedure_key = %s", [*params, key]
        if unit is not None:
            where, params = f"{where} AND requesting_unit_id = %s", [*params, unit]
        return f"EXISTS (SELECT 1 FROM {table} WHERE {where})", params

    checks: list[tuple[str, list[Any]]] = []
    if viewer.people:
        checks.append(among("person_id", sorted(viewer.people)))
    units = sorted(viewer.units if unit is None else viewer.units & {unit})
    if units:
        checks.append(among("requesting_unit_id", units))
    bound = {
        (agency, procedure): actors
        for (agency, procedure), actors in viewer.bound.items()
        if key is None or procedure == key
    }
    procedures = sorted({procedure for _agency, procedure in bound}) if unit is not None else []
    for procedure in procedures:
        checks.append(
            (
                f"EXISTS (SELECT 1 FROM {table} WHERE procedure_key = %s "
                "AND requesting_unit_id = %s)",
                [procedure, unit],
            )
        )
    if not checks:
        return None
    row = store.fetch(
        "SELECT " + ", ".join(sql for sql, _params in checks),
        [value for _sql, params in checks for value in params],
    )[0]
    answers = iter([bool(value) for value in row])  # in the order of the checks
    people: set[int] = set()
    if bool(viewer.people) and next(answers):
        people = viewer.people
    kept_units: set[int] = set()
    if bool(units) and next(answers):
        kept_units = set(units)
    if procedures:
        requested = {procedure for procedure in procedures if next(answers)}
        bound = {k: actors for k, actors in bound.items() if k[1] in requested}
    if not (people or kept_units or bound):
        return None
    return Viewer(viewer.person, people, kept_units, bound)


def visible_case_ids(
    user: AbstractBaseUser | AnonymousUser | None,
    *,
    running: bool = False,
    viewer: Viewer | bool | None = None,
    within: QuerySet[Case] | None = None,
) -> QuerySet[Any] | None:
    """The ids of the cases ``user`` may see (only the running ones with ``running``), by
    the same rule as :func:`visible_cases`, written as a UNION ALL of index lookups (the
    requesting unit, the opener, steps claimed or completed, dispositions sent or received,
    active steps of bound actors). ``None`` for administrators: everything. Ids may repeat.
    ``viewer`` is the user's :func:`viewer_of` when the caller has it already; ``within``
    restricts every part to those cases (a list's filters), so that each part can use the
    indexes of the filters too.

    The shape is for large tables: each part reads an index range, so a LIMIT stops early
    and ``case_id IN (...)`` is a hash built once, where :func:`visible_cases` (one OR over
    joins) is evaluated case by case. tests/cases/test_visible_case_ids.py keeps the two in
    agreement."""
    if viewer is None:
        viewer = viewer_of(user)
    if viewer is True:
        return None
    if viewer is False:
        return Case.objects.none().values_list("pk", flat=True)
    assert isinstance(viewer, Viewer)
    person = viewer.person
    cases = Case.objects.filter(status=CaseStatus.RUNNING) if running else Case.objects.all()
    on_case: dict[str, Any] = {"case__status": CaseStatus.RUNNING} if running else {}
    if within is not None:
        cases = within.filter(pk__in=cases.values("pk")) if running else within
        on_case["case__in"] = cases.order_by().values("pk")
    if person.vendor_id is not None:
        return cases.filter(_vendor_rule(person)).values_list("pk", flat=True)
    parts: list[QuerySet[Any]] = []
    if viewer.units:
        parts.append(cases.filter(requesting_unit_id__in=viewer.units).values_list("pk", flat=True))
    if viewer.people:
        parts.append(cases.filter(opened_by_id__in=viewer.people).values_list("pk", flat=True))
    parts.extend(_worked_on(viewer, on_case))
    if not parts:
        return Case.objects.none().values_list("pk", flat=True)
    first, *rest = (part.order_by() for part in parts)
    return first.union(*rest, all=True)


def _worked_on(viewer: Viewer, on_case: dict[str, Any]) -> list[QuerySet[Any]]:
    """The parts of the rule that are not on the case row itself, as case ids: steps claimed
    or completed, dispositions sent or received, active steps of bound actors."""
    people = viewer.people
    parts: list[QuerySet[Any]] = []
    if people:
        parts += [
            CaseStep.objects.filter(claimed_by_id__in=people, **on_case).values_list(
                "case_id", flat=True
            ),
            CaseStep.objects.filter(completed_by_id__in=people, **on_case).values_list(
                "case_id", flat=True
            ),
            Disposition.objects.filter(recipient_id__in=people, **on_case).values_list(
                "case_id", flat=True
            ),
            Disposition.objects.filter(sender_id__in=people, **on_case).values_list(
                "case_id", flat=True
            ),
            CaseStep.objects.filter(assigned_to_id__in=people, **on_case).values_list(
                "case_id", flat=True
            ),
            CaseActor.objects.filter(person_id__in=people, **on_case).values_list(
                "case_id", flat=True
            ),
        ]
    for (agency_id, procedure_key), actors in sorted(viewer.bound.items()):
        parts.append(
            CaseStep.objects.filter(
                status=StepStatus.ACTIVE,
                actor_key__in=sorted(actors),
                case__agency_id=agency_id,
                case__version__procedure_key=procedure_key,
                **on_case,
            ).values_list("case_id", flat=True)
        )
    for status, found in (
        (StepStatus.ACTIVE, bound_shared(viewer.bound)),  # joint, any-of steps
        (StepStatus.COMPLETED, bound_copies(viewer.bound)),  # copied steps (tembusan)
    ):
        for agency_id, version_id, keys in found:
            parts.append(
                CaseStep.objects.filter(
                    status=status,
                    step_key__in=keys,
                    case__agency_id=agency_id,
                    case__version_id=version_id,
                    **on_case,
                ).values_list("case_id", flat=True)
            )
    return [part.order_by() for part in parts]


def _versions_of(keys: set[str]) -> dict[int, str]:
    """{version id: procedure key} of the published versions of these procedures."""
    if not keys:
        return {}
    return dict(
        ProcedureVersion.objects.filter(procedure_key__in=keys)
        .order_by()
        .values_list("pk", "procedure_key")
    )


def visible_filter(
    user: AbstractBaseUser | AnonymousUser | None, viewer: Viewer | bool | None = None
) -> Q | None:
    """A filter on cases: those ``user`` may see, by the same rule as :func:`visible_cases`,
    written so that it is checked per case row (EXISTS lookups on the case's own steps and
    dispositions, no join that multiplies rows). ``None`` for administrators: everything.

    It suits a walk of an index in some order that stops after a page, when the user sees a
    good share of what is walked. tests/cases/test_visible_case_ids.py keeps it in agreement
    with the gate."""
    if viewer is None:
        viewer = viewer_of(user)
    if viewer is True:
        return None
    if viewer is False:
        return Q(pk__in=[])
    assert isinstance(viewer, Viewer)
    if viewer.person.vendor_id is not None:
        return vendors.case_row_filter(
            viewer.person.vendor_id, vendors.today(viewer.person.agency_id)
        )
    people = viewer.people
    q = (
        Q(requesting_unit_id__in=viewer.units)
        | Q(opened_by_id__in=people)
        | Q(
            Exists(
                CaseStep.objects.filter(case_id=OuterRef("pk")).filter(
                    Q(claimed_by_id__in=people)
                    | Q(completed_by_id__in=people)
                    | Q(assigned_to_id__in=people)
                )
            )
        )
        | Q(Exists(CaseActor.objects.filter(case_id=OuterRef("pk"), person_id__in=people)))
        | Q(
            Exists(
                Disposition.objects.filter(case_id=OuterRef("pk")).filter(
                    Q(recipient_id__in=people) | Q(sender_id__in=people)
                )
            )
        )
    )
    versions: dict[str, list[int]] = {}
    for pk, key in _versions_of({key for _a, key in viewer.bound}).items():
        versions.setdefault(key, []).append(pk)
    for (agency_id, procedure_key), actors in sorted(viewer.bound.items()):
        q |= Q(agency_id=agency_id, version_id__in=sorted(versions.get(procedure_key, []))) & Q(
            Exists(
                CaseStep.objects.filter(
                    case_id=OuterRef("pk"), status=StepStatus.ACTIVE, actor_key__in=sorted(actors)
                )
            )
        )
    for status, found in (
        (StepStatus.ACTIVE, bound_shared(viewer.bound)),  # joint, any-of steps
        (StepStatus.COMPLETED, bound_copies(viewer.bound)),  # copied steps (tembusan)
    ):
        for agency_id, version_id, keys in found:
            q |= Q(agency_id=agency_id, version_id=version_id) & Q(
                Exists(
                    CaseStep.objects.filter(
                        case_id=OuterRef("pk"), status=status, step_key__in=keys
                    )
                )
            )
    return q


# A row of a walked list, as the database checks it: the case's own columns the rule reads.
_ROW_FIELDS = (
    "id",
    "opened_at",
    "requesting_unit_id",
    "opened_by_id",
    "agency_id",
    "version_id",
    "application_id",
)


def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _row_check(viewer: Viewer, alias: str) -> tuple[str, list[Any]]:
    """The rule of :func:`visible_cases` as SQL on one case row named ``alias`` (a derived
    table with the columns of :data:`_ROW_FIELDS`): the case's own columns, then lookups of its
    own steps and dispositions by case id (the case index); for a vendor's employee, the
    application's contracts and the case's journal (:func:`vendors.case_row_sql`).

    On PostgreSQL each lookup is fenced (``OFFSET 0``) so that the planner checks it per row,
    as a walk that stops after a page wants, and never hashes all of the viewer's steps or
    dispositions first (what it chooses for a long list when it does not see the LIMIT)."""
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    if viewer.person.vendor_id is not None:
        on = vendors.today(viewer.person.agency_id)
        return vendors.case_row_sql(alias, viewer.person.vendor_id, on, fence)
    people = sorted(viewer.people)
    steps, dispositions = CaseStep._meta.db_table, Disposition._meta.db_table
    parts: list[str] = []
    params: list[Any] = []

    def add(sql: str, values: list[Any]) -> None:
        parts.append(sql)
        params.extend(values)

    if viewer.units:
        add(*_in(f"{alias}.requesting_unit_id", sorted(viewer.units)))
    if people:
        add(*_in(f"{alias}.opened_by_id", people))
    # Its steps claimed, completed or reassigned to, its dispositions received or sent, the
    # actors chosen for it, by or for these people.
    for table, a, columns in (
        (steps, "s", ("claimed_by_id", "completed_by_id", "assigned_to_id")),
        (dispositions, "d", ("recipient_id", "sender_id")),
        (CaseActor._meta.db_table, "ca", ("person_id",)),
    ):
        if not people:
            break
        checks = [_in(f"{a}.{column}", people) for column in columns]
        add(
            f"EXISTS (SELECT 1 FROM {table} {a} WHERE {a}.case_id = {alias}.id AND ("
            + " OR ".join(sql for sql, _values in checks)
            + f"){fence})",
            [value for _sql, values in checks for value in values],
        )
    versions = ProcedureVersion._meta.db_table
    for (agency_id, procedure_key), actors in sorted(viewer.bound.items()):
        actor_in, actor_params = _in("s.actor_key", sorted(actors))
        add(
            f"({alias}.agency_id = %s AND {alias}.version_id IN (SELECT v.id FROM {versions} v "
            f"WHERE v.procedure_key = %s) AND EXISTS (SELECT 1 FROM {steps} s "
            f"WHERE s.case_id = {alias}.id AND s.status = %s AND {actor_in}{fence}))",
            [agency_id, procedure_key, StepStatus.ACTIVE.value, *actor_params],
        )
    for status, found in (
        (StepStatus.ACTIVE, bound_shared(viewer.bound)),  # joint, any-of steps
        (StepStatus.COMPLETED, bound_copies(viewer.bound)),  # copied steps (tembusan)
    ):
        for agency_id, version_id, keys in found:
            key_in, key_params = _in("s.step_key", keys)
            add(
                f"({alias}.agency_id = %s AND {alias}.version_id = %s AND EXISTS (SELECT 1 FROM "
                f"{steps} s WHERE s.case_id = {alias}.id AND s.status = %s AND {key_in}{fence}))",
                [agency_id, version_id, status.value, *key_params],
            )
    return "(" + (" OR ".join(parts) or "1 = 0") + ")", params


def _walk(viewer: Viewer, cases: QuerySet[Case], size: int, scan: int | None) -> list[int]:
    """The ids of the first ``size`` cases of ``cases`` (in the list's order) that the viewer
    may see, among the first ``scan`` of the list (all of it with None): the list's index
    walked with the rule checked per row until the page is full.

    PostgreSQL: one statement, the first ``scan`` rows as a derived table, checked in their
    order. SQLite would check all of those rows and then sort them, so there the walk is
    bounded by the list's row at that position, read first (no round trip on SQLite): by the
    row at SQLITE_FIRST first, which is cheaper to find and is enough when the user sees a good
    share of the list, then by the one at ``scan``."""
    cases = cases.order_by("-opened_at", "-id")
    if scan is None or connection.vendor == "postgresql":
        return _walk_rows(viewer, cases, size, scan)
    found: list[int] = []
    for bound in sorted({min(SQLITE_FIRST, scan), scan}):
        if bound <= 0:
            return []
        last = list(cases.values_list("opened_at", "id")[bound - 1 : bound])
        if not last:  # the list is shorter: walk all of it
            return _walk_rows(viewer, cases, size, None)
        at, pk = last[0]
        head = cases.filter(Q(opened_at__gt=at) | Q(opened_at=at, id__gte=pk), opened_at__gte=at)
        found = _walk_rows(viewer, head, size, None)
        if len(found) >= size:
            break
    return found


SQLITE_FIRST = 300


def _walk_rows(viewer: Viewer, cases: QuerySet[Case], size: int, scan: int | None) -> list[int]:
    """:func:`_walk` as one statement: the first ``scan`` rows of the list (all with None)."""
    # The whole list as a plain subquery (no order of its own), which the database folds into
    # the statement and walks on the list's index for the outer ORDER BY ... LIMIT; the head of
    # the list as an ordered, limited one, which it walks in that order.
    head = cases.values(*_ROW_FIELDS)
    head = head.order_by() if scan is None else head[:scan]
    try:
        inner, params = head.query.sql_with_params()
    except EmptyResultSet:  # a filter that keeps nothing (no version of an unknown procedure)
        return []
    check, check_params = _row_check(viewer, "c")
    sql = (
        f"SELECT c.id FROM ({inner}) c WHERE {check} ORDER BY c.opened_at DESC, c.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *check_params, size])
        return [row[0] for row in cursor.fetchall()]


# The first page of a list is found by walking the filtered list in its order with the rule
# checked per row by the database (:func:`_walk`): first over at most WALK_SCAN rows. If that
# does not fill the page, the user's visible cases are counted up to WITHIN_VISIBLE: at most
# FEW_VISIBLE of them are read whole and the list restricted to them; at most WITHIN_VISIBLE,
# the visible cases among the filtered ones are read whole (cheap: the user has few rows); more,
# the walk goes on over the whole list (the user sees so many cases that reading them would
# cost more than checking the filtered list row by row).
FEW_VISIBLE = 1000
WITHIN_VISIBLE = 20000
WALK_SCAN = 4000


def first_visible(
    user: AbstractBaseUser | AnonymousUser | None,
    cases: QuerySet[Case],
    size: int,
    person: Person | None = None,
    scope: ListScope | None = None,
) -> QuerySet[Case]:
    """The first ``size`` cases of ``cases`` (any filters, newest first: ``opened_at``,
    ``id`` descending) that ``user`` may see: a queryset in that order whose first ``size``
    rows are those (it may hold fewer rows than the whole visible list; slice it).
    ``scope`` says what the filters of ``cases`` keep (a procedure, a requesting unit): the
    parts of the rule that cannot match those cases are left out first (:func:`_in_scope`),
    and when none can, nothing is read.

    Which way is fast depends on how many of the listed cases the user sees, so the gate is
    chosen per page:

    * administrators: no gate, the list's index is walked and the walk stops after a page;
    * others: one statement walks the list's index over at most :data:`WALK_SCAN` rows with
      the rule checked per row (:func:`_row_check`: the case's own columns, then its own
      steps and dispositions by case id) and stops when the page is full: a few hundred rows
      at most when the user sees a good share of the list, whatever the agency of the rows;
    * when those rows do not fill the page (and the list is longer): the user's visible cases
      are read with :func:`visible_case_ids` up to :data:`WITHIN_VISIBLE`; at most
      :data:`FEW_VISIBLE` of them, the list is restricted to those ids; at most
      :data:`WITHIN_VISIBLE`, the visible cases among the filtered ones are read whole
      (:func:`visible_case_ids` ``within`` them); more than that, the walk goes on over the
      whole list.

    ``person`` is the user's Person when the caller has it already.
    """
    cases = cases.order_by("-opened_at", "-id")
    viewer = viewer_of(user, person)
    if viewer is True:
        return cases
    if viewer is False:
        return cases.none()
    assert isinstance(viewer, Viewer)
    if scope is not None and viewer.person.vendor_id is None:
        narrowed = _in_scope(viewer, scope)
        if narrowed is None:
            return cases.none()
        viewer = narrowed
    found = _walk(viewer, cases, size, WALK_SCAN)
    if len(found) >= size or not cases.values_list("pk", flat=True)[WALK_SCAN : WALK_SCAN + 1]:
        return cases.filter(pk__in=found)
    ids = visible_case_ids(user, viewer=viewer)
    assert ids is not None
    seen = list(ids[: WITHIN_VISIBLE + 1])
    if len(seen) <= FEW_VISIBLE:
        return cases.filter(pk__in=sorted(set(seen)))
    if len(seen) <= WITHIN_VISIBLE:
        within = visible_case_ids(user, viewer=viewer, within=cases.order_by())
        assert within is not None
        return cases.filter(pk__in=within)
    return cases.filter(pk__in=_walk(viewer, cases, size, None))


def can_view(
    user: AbstractBaseUser | AnonymousUser | None, case: Case, person: Person | None = None
) -> bool:
    """Whether ``user`` may see ``case`` (the same rule as :func:`visible_cases`).

    One case is judged on its own rows: first the parts of the rule that need no query or
    one lean one (the requester's unit, the opener, an active step of an actor bound to the
    person), which is how nearly every look at a case is answered; then the whole rule,
    restricted to this case so the database reads only its steps and dispositions.
    ``person`` is the user's Person when the caller has it already."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    if person is None:
        person = person_of(user)
    if person is None:
        return False
    if person.vendor_id is not None:
        return Case.objects.filter(_vendor_rule(person), pk=case.pk).exists()
    if case.requesting_unit_id == person.unit_id or case.opened_by_id == person.pk:
        return True
    if _holds_active_step(person, case):
        return True
    return Case.objects.filter(_rule(person), pk=case.pk).exists()


def _holds_active_step(person: Person, case: Case) -> bool:
    """Whether an active step of the case is of an actor bound to the person themself (by
    person, position or unit): one indexed query."""
    from laksana.cases import store
    from laksana.cases.holders import _positions_table

    table, person_col, position_col = _positions_table()
    return bool(
        store.fetch(
            "SELECT 1 FROM cases_casestep s "
            "JOIN cases_case c ON c.id = s.case_id "
            "JOIN procedures_procedureversion v ON v.id = c.version_id "
            "JOIN org_actorbinding b ON b.agency_id = c.agency_id "
            "AND b.procedure_key = v.procedure_key AND b.actor_key = s.actor_key "
            "WHERE s.case_id = %s AND s.status = 'active' AND (b.person_id = %s "
            "OR b.unit_id = %s OR b.position_id IN "
            f"(SELECT pp.{position_col} FROM {table} pp WHERE pp.{person_col} = %s)) "
            "LIMIT 1",
            [case.pk, person.pk, person.unit_id, person.pk],
        )
    )


def visible_case(
    user: AbstractBaseUser | AnonymousUser | None,
    reference: str,
    person: Person | None = None,
) -> Case | None:
    """The case with this reference if ``user`` may see it, with its version, requesting
    unit, application and opener; None otherwise (whether or not it exists)."""
    from laksana.cases import store
    from laksana.catalog.models import Application
    from laksana.org.models import Unit
    from laksana.procedures.models import kept_version

    # One lean statement (laksana.cases.store): this is read on every API call on a case.
    found = store.load_with(
        Case,
        "cases_case.reference = %s",
        [reference],
        extra="v.checksum, v.number, v.procedure_key, u.name, u.short_name, o.name, ap.name",
        joins="JOIN procedures_procedureversion v ON v.id = cases_case.version_id "
        "JOIN org_unit u ON u.id = cases_case.requesting_unit_id "
        "JOIN org_person o ON o.id = cases_case.opened_by_id "
        "LEFT JOIN catalog_application ap ON ap.id = cases_case.application_id",
    )
    if found is None:
        return None
    case, (checksum, number, key, unit_name, unit_short, opener, app_name) = found
    case.version = kept_version(case.version_id, checksum, number, key)
    case.requesting_unit = store.partial(
        Unit, ["id", "name", "short_name"], [case.requesting_unit_id, unit_name, unit_short]
    )
    case.opened_by = store.partial(Person, ["id", "name"], [case.opened_by_id, opener])
    if case.application_id is not None:
        case.application = store.partial(
            Application, ["id", "name"], [case.application_id, app_name]
        )
    if not can_view(user, case, person):
        return None
    return case


def of_procedure(cases: QuerySet[Case], procedure_key: str) -> QuerySet[Case]:
    """``cases`` of the procedure with this key (any of its versions), written so the list's
    walk checks it cheaply: on PostgreSQL the version ids as values (one short read), not a
    subquery (a join, which PostgreSQL checks after everything else on the row, the
    visibility gate's lookups included); SQLite checks the subquery first anyway, and given
    values it would read the version index and sort instead of walking the list's order."""
    if "\x00" in procedure_key:  # no key holds one, and PostgreSQL text cannot
        return cases.none()
    versions = ProcedureVersion.objects.filter(procedure_key=procedure_key).order_by()
    if connection.vendor == "postgresql":
        return cases.filter(version_id__in=sorted(versions.values_list("pk", flat=True)))
    return cases.filter(version_id__in=versions.values("pk"))
