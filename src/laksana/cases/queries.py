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
from django.db.models import Q, QuerySet

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


def can_view(user: AbstractBaseUser | AnonymousUser | None, case: Case) -> bool:
    """Whether ``user`` may see ``case`` (the same rule as :func:`visible_cases`)."""
    return visible_cases(user).filter(pk=case.pk).exists()
