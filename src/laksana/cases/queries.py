"""The one visibility gate: every list, page, file and API call asks it what a user may see.

* administrators (superusers) see everything;
* a vendor's employee sees only cases on applications under the vendor's contracts;
* everyone else sees the cases of their own unit (as requester), the cases they opened,
  claimed, completed, sent or received a disposition on, the cases whose active step is of an
  actor bound to them, and everything their subordinates see by those same rules.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from laksana.cases.holders import bound_actor_filter
from laksana.cases.models import Case
from laksana.org.models import Person


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


def can_view(user: AbstractBaseUser | AnonymousUser | None, case: Case) -> bool:
    """Whether ``user`` may see ``case`` (the same rule as :func:`visible_cases`)."""
    return visible_cases(user).filter(pk=case.pk).exists()
