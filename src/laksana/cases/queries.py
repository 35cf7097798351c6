"""The one visibility gate: every list, page, file and API call asks it what a user may see.

* administrators (superusers) see everything;
* a vendor's employee sees only cases on applications under the vendor's contracts;
* everyone else sees the cases of their own unit (as requester), the cases they opened,
  claimed, completed, sent or received a disposition on, the cases whose active step is of an
  actor bound to them, and everything their subordinates see by those same rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from laksana.cases.holders import bound_actor_filter
from laksana.cases.models import Case, CaseStatus, CaseStep, Disposition, StepStatus
from laksana.org.models import ActorBinding, Person


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
        ids = Case.objects.filter(application__contracts__vendor_id=person.vendor_id)
        return Case.objects.filter(pk__in=ids.values("pk"))
    people = {person.pk} | person.subordinates_tree()
    units = set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    q = (
        Q(requesting_unit_id__in=units)
        | Q(opened_by_id__in=people)
        | Q(steps__claimed_by_id__in=people)
        | Q(steps__completed_by_id__in=people)
        | Q(dispositions__recipient_id__in=people)
        | Q(dispositions__sender_id__in=people)
        | bound_actor_filter(people)
    )
    return Case.objects.filter(pk__in=Case.objects.filter(q).values("pk"))


def visible_case_ids(
    user: AbstractBaseUser | AnonymousUser | None, *, running: bool = False
) -> QuerySet[Any] | None:
    """The ids of the cases ``user`` may see (only the running ones with ``running``), by
    the same rule as :func:`visible_cases`, written as a UNION ALL of index lookups (the
    requesting unit, the opener, steps claimed or completed, dispositions sent or received,
    active steps of bound actors). ``None`` for administrators: everything. Ids may repeat.

    The shape is for large tables: each part reads an index range, so a LIMIT stops early
    and ``case_id IN (...)`` is a hash built once, where :func:`visible_cases` (one OR over
    joins) is evaluated case by case. tests/cases/test_visible_case_ids.py keeps the two in
    agreement."""
    if user is None or not user.is_authenticated:
        return Case.objects.none().values_list("pk", flat=True)
    if getattr(user, "is_superuser", False):
        return None
    person = person_of(user)
    if person is None:
        return Case.objects.none().values_list("pk", flat=True)
    cases = Case.objects.filter(status=CaseStatus.RUNNING) if running else Case.objects.all()
    on_case = {"case__status": CaseStatus.RUNNING} if running else {}
    if person.vendor_id is not None:
        return cases.filter(application__contracts__vendor_id=person.vendor_id).values_list(
            "pk", flat=True
        )
    people = {person.pk} | person.subordinates_tree()
    units = set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    parts: list[QuerySet[Any]] = [
        cases.filter(requesting_unit_id__in=units).values_list("pk", flat=True),
        cases.filter(opened_by_id__in=people).values_list("pk", flat=True),
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
    ]
    bindings = (
        ActorBinding.objects.filter(
            Q(person__in=people) | Q(position__holders__in=people) | Q(unit__members__in=people)
        )
        .values_list("agency_id", "procedure_key", "actor_key")
        .distinct()
    )
    for agency_id, procedure_key, actor_key in bindings:
        parts.append(
            CaseStep.objects.filter(
                status=StepStatus.ACTIVE,
                actor_key=actor_key,
                case__agency_id=agency_id,
                case__version__procedure_key=procedure_key,
            ).values_list("case_id", flat=True)
        )
    first, *rest = (part.order_by() for part in parts)
    return first.union(*rest, all=True)


def visible_filter(user: AbstractBaseUser | AnonymousUser | None) -> Q | None:
    """A filter on cases: those ``user`` may see, by the same rule as :func:`visible_cases`,
    written so that it is checked per case row (EXISTS lookups on the case's own steps and
    dispositions, no join that multiplies rows). ``None`` for administrators: everything.

    It suits a walk of an index in list order that stops after a page, when the user sees a
    good share of what is walked; :func:`visible_case_ids` suits the opposite (few visible
    cases, read whole). tests/cases/test_visible_case_ids.py keeps the three in agreement."""
    from laksana.catalog.models import Contract
    from laksana.procedures.models import ProcedureVersion

    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated:
        return nothing
    if getattr(user, "is_superuser", False):
        return None
    person = person_of(user)
    if person is None:
        return nothing
    if person.vendor_id is not None:
        return Q(
            Exists(
                Contract.objects.filter(
                    application_id=OuterRef("application_id"), vendor_id=person.vendor_id
                )
            )
        )
    people = {person.pk} | person.subordinates_tree()
    units = set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    q = (
        Q(requesting_unit_id__in=units)
        | Q(opened_by_id__in=people)
        | Q(
            Exists(
                CaseStep.objects.filter(case_id=OuterRef("pk")).filter(
                    Q(claimed_by_id__in=people) | Q(completed_by_id__in=people)
                )
            )
        )
        | Q(
            Exists(
                Disposition.objects.filter(case_id=OuterRef("pk")).filter(
                    Q(recipient_id__in=people) | Q(sender_id__in=people)
                )
            )
        )
    )
    bound: dict[tuple[int, str], set[str]] = {}
    for agency_id, procedure_key, actor_key in (
        ActorBinding.objects.filter(
            Q(person__in=people) | Q(position__holders__in=people) | Q(unit__members__in=people)
        )
        .values_list("agency_id", "procedure_key", "actor_key")
        .distinct()
    ):
        bound.setdefault((agency_id, procedure_key), set()).add(actor_key)
    versions: dict[str, list[int]] = {}
    for pk, key in ProcedureVersion.objects.filter(
        procedure_key__in={key for _a, key in bound}
    ).values_list("pk", "procedure_key"):
        versions.setdefault(key, []).append(pk)
    for (agency_id, procedure_key), actors in sorted(bound.items()):
        q |= Q(agency_id=agency_id, version_id__in=versions.get(procedure_key, [])) & Q(
            Exists(
                CaseStep.objects.filter(
                    case_id=OuterRef("pk"), status=StepStatus.ACTIVE, actor_key__in=sorted(actors)
                )
            )
        )
    return q


# The first page of a list: up to this many visible cases are read whole (then the page is
# picked among them); past it, the list is walked in order with the per-row check, over at
# most WALK_SCAN cases of the filtered list before the whole set of visible cases is read.
FEW_VISIBLE = 1000
WALK_SCAN = 3000


def first_visible(
    user: AbstractBaseUser | AnonymousUser | None, cases: QuerySet[Case], size: int
) -> QuerySet[Case]:
    """The first ``size`` cases of ``cases`` (any filters, newest first: ``opened_at``,
    ``id`` descending) that ``user`` may see: a queryset in that order whose first ``size``
    rows are those (it may hold fewer rows than the whole visible list; slice it).

    Which way is fast depends on how many cases the user sees, so the gate is chosen per
    page with bounded reads:

    * administrators: no gate, the list's index is walked and the walk stops after a page;
    * at most :data:`FEW_VISIBLE` visible cases (read with :func:`visible_case_ids`, which
      stops after that many): the list is restricted to them;
    * more: the filtered list is walked in order with :func:`visible_filter` checked per
      row, over at most :data:`WALK_SCAN` cases of it (a cut-off found on the index first).
      The page is complete when the walk fills it or reaches the end of the list;
    * otherwise (the user sees many cases, but few of those the filters keep): the whole set
      of visible cases restricts the list.
    """
    cases = cases.order_by("-opened_at", "-id")
    ids = visible_case_ids(user)
    if ids is None:
        return cases
    few = list(ids[: FEW_VISIBLE + 1])
    if len(few) <= FEW_VISIBLE:
        return cases.filter(pk__in=sorted(set(few)))
    check = visible_filter(user)
    assert check is not None
    walk = cases.filter(check)
    cutoff = list(cases.values_list("opened_at", "id")[WALK_SCAN - 1 : WALK_SCAN])
    if not cutoff:  # the whole filtered list is shorter than the scan: walk it all
        return walk
    ((at, pk),) = cutoff
    found = list(
        walk.filter(
            Q(opened_at__gt=at) | Q(opened_at=at, id__gte=pk), opened_at__gte=at
        ).values_list("pk", flat=True)[:size]
    )
    if len(found) >= size:
        return cases.filter(pk__in=found)
    return cases.filter(pk__in=visible_case_ids(user))


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
        return Case.objects.filter(
            pk=case.pk, application__contracts__vendor_id=person.vendor_id
        ).exists()
    if case.requesting_unit_id == person.unit_id or case.opened_by_id == person.pk:
        return True
    if _holds_active_step(person, case):
        return True
    people = {person.pk} | person.subordinates_tree()
    units = set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    q = (
        Q(requesting_unit_id__in=units)
        | Q(opened_by_id__in=people)
        | Q(steps__claimed_by_id__in=people)
        | Q(steps__completed_by_id__in=people)
        | Q(dispositions__recipient_id__in=people)
        | Q(dispositions__sender_id__in=people)
        | bound_actor_filter(people)
    )
    return Case.objects.filter(q, pk=case.pk).exists()


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
