"""``can_view`` and ``visible_case`` (one case at a time, with fast paths) say exactly what
``visible_cases`` (the visibility gate over all cases) says, for everyone of the demo
agencies and every case of a scenario that exercises each part of the rule."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from laksana.cases.models import Case
from laksana.cases.queries import can_view, person_of, visible_case, visible_cases

from .test_visible_case_ids import cases  # noqa: F401  (the shared scenario fixture)

pytestmark = pytest.mark.django_db


def test_one_case_at_a_time_agrees_with_the_gate(cases, bali, djki, django_user_model):  # noqa: F811
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    users = [AnonymousUser(), admin] + [p.user for org in (bali, djki) for p in org.people.values()]
    every = list(Case.objects.all())
    assert len(every) >= 4
    yes = no = 0
    for user in users:
        expected = set(visible_cases(user).values_list("pk", flat=True))
        person = person_of(user)
        for case in every:
            answer = can_view(user, case)
            assert answer == (case.pk in expected), (user, case.reference)
            assert can_view(user, case, person) == answer, (user, case.reference)
            found = visible_case(user, case.reference, person)
            assert (found is not None) == answer
            if found is not None:
                assert found.pk == case.pk
            yes += answer
            no += not answer
    # The scenario must test both answers a good many times.
    assert yes >= 12 and no >= 40, (yes, no)


def test_a_missing_reference_is_not_found(bali, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    assert visible_case(admin, "tidak-ada-2026-000001") is None


@pytest.mark.parametrize("login", ["adminbali", "admindjki"])
def test_an_agency_administrator_opens_no_case_it_has_no_part_in(cases, bali, djki, login):  # noqa: F811
    org = bali if login == "adminbali" else djki
    admin = org[login]
    every = list(Case.objects.all())
    assert any(case.agency_id == admin.agency_id for case in every)
    for case in every:
        assert not can_view(admin.user, case), case.reference
        assert visible_case(admin.user, case.reference, admin) is None, case.reference
