"""The lean reads of ``laksana.cases.store`` give the same instances the ORM gives: every
field's value, a row read from the database (saving updates it), related objects and
deferred fields loading on first use."""

from __future__ import annotations

import pytest

from laksana.cases import store
from laksana.cases.models import Case, CaseStep, JournalEntry
from laksana.org.models import Person

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
