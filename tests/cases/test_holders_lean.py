"""``holds`` and ``holder_contacts`` (the services' lean statements) give exactly what
``holders`` (the queryset every screen uses) gives, for every actor of every case of the
scenario and every demo person."""

from __future__ import annotations

import pytest

from laksana.cases.holders import holder_contacts, holders, holds
from laksana.cases.models import Case

from .test_visible_case_ids import cases  # noqa: F401  (the shared scenario fixture)

pytestmark = pytest.mark.django_db


def test_the_lean_forms_agree_with_holders(cases, bali, djki):  # noqa: F811
    people = [p for org in (bali, djki) for p in org.people.values()]
    checked = held = 0
    for case in Case.objects.select_related("version"):
        for actor in case.version.spec.actors:
            key = actor.id
            expected = list(holders(case, key).order_by("pk").values_list("pk", "email"))
            assert holder_contacts(case, key) == expected, (case.reference, key)
            ids = {pk for pk, _email in expected}
            for person in people:
                assert holds(person, case, key) == (person.pk in ids), (case.reference, key)
                checked += 1
                held += person.pk in ids
    # Every kind of binding (person, position, unit) and the requesting unit are exercised.
    assert checked > 400 and held > 20, (checked, held)
