"""Anonymity of the answers: no column of an answer names or points to a person, an
invitation, a case, an address or a moment finer than the day, and no table anywhere points
to an answer (so nothing joins an answer to a person)."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import connection, models

from laksana.cases.models import Case
from laksana.org.models import Person
from laksana.survey.models import Answer, Invitation

ALLOWED_COLUMNS = {
    "id", "survey_id", "submitted_on", "channel", "u1", "u2", "u3", "u4", "u5", "u6", "u7",
    "u8", "u9", "age", "sex", "education", "occupation", "suggestion", "batch_id",
}  # fmt: skip


def test_no_field_of_an_answer_relates_to_a_person_an_invitation_or_a_case():
    for found in Answer._meta.get_fields():
        related = getattr(found, "related_model", None)
        assert related not in (Person, Invitation, Case), found.name
        if related is not None and related is not Answer:
            # The survey and the import batch: neither is about a respondent.
            assert related._meta.label in ("survey.Survey", "survey.ImportBatch"), found.name


def test_no_time_finer_than_the_day_and_no_address():
    for found in Answer._meta.concrete_fields:
        assert not isinstance(found, models.DateTimeField | models.TimeField), found.name
        assert not isinstance(found, models.GenericIPAddressField), found.name
    assert isinstance(Answer._meta.get_field("submitted_on"), models.DateField)
    assert Answer._meta.get_field("submitted_on").get_internal_type() == "DateField"


def test_the_table_has_only_the_known_columns(db):
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, Answer._meta.db_table)
    assert {column.name for column in described} == ALLOWED_COLUMNS


def test_no_model_points_to_an_answer_and_an_invitation_names_no_answer():
    for model in apps.get_models():
        for found in model._meta.concrete_fields:
            assert getattr(found, "related_model", None) is not Answer, (model, found.name)
    names = {f.name for f in Invitation._meta.get_fields()}
    assert not {"answer", "answer_id", "answered_at"} & names
    assert all(
        not isinstance(f, models.DateTimeField) or f.name != "answered_at"
        for f in Invitation._meta.concrete_fields
    )


def test_an_imported_answer_is_dated_by_the_day(bali):
    from laksana.demo.orgs import SOP_002
    from laksana.survey import imports, services

    keeper = bali.people["ketuatim"]
    survey = services.create_survey(
        keeper,
        {
            "title": "SKM",
            "service_kind": "procedure",
            "procedure_key": SOP_002,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    data = b"U1;U2;U3;U4;U5;U6;U7;U8;U9\n4;4;4;4;4;4;4;4;4\n"
    imports.import_answers(keeper, survey.pk, data, "a.csv")
    row = Answer.objects.values().get()
    assert set(row) == ALLOWED_COLUMNS
    assert type(row["submitted_on"]) is dt.date
