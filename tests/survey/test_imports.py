"""Importing a spreadsheet into a survey: all rows or none, dated within the period, by its
keepers only, another agency's survey not found."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import translation

from laksana.demo.orgs import SOP_002
from laksana.errors import NotAllowed, ServiceError
from laksana.survey import imports, index, services
from laksana.survey.models import Answer, Channel, ImportBatch, ServiceKind

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
GOOD = (
    b"U1;U2;U3;U4;U5;U6;U7;U8;U9;JK\n"
    b"4;4;4;4;4;4;4;4;4;L\n"
    b"3;4;3;4;3;4;3;4;3;P\n"
    b"3;3;3;4;3;3;4;3;3;\n"
    b"4;3;2;4;3;4;4;3;2;L\n"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def keeper(bali):
    return bali.people["ketuatim"]


@pytest.fixture
def survey(keeper):
    return services.create_survey(
        keeper,
        {
            "title": "SKM 2025",
            "service_kind": ServiceKind.PROCEDURE,
            "procedure_key": SOP_002,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        now=AT,
    )


def test_every_row_is_imported_dated_the_periods_end(keeper, survey):
    batch = imports.import_answers(keeper, survey.pk, GOOD, "skm-2025.csv", now=AT)
    assert (batch.rows, batch.file_name, batch.by, batch.at) == (4, "skm-2025.csv", keeper, AT)
    answers = Answer.objects.filter(survey=survey)
    assert answers.count() == 4
    assert set(answers.values_list("submitted_on", "channel", "batch")) == {
        (dt.date(2025, 12, 31), Channel.IMPORT, batch.pk)
    }
    result = index.of_survey(survey)
    assert result is not None and result.converted == Fraction(3125, 36)


def test_a_date_within_the_period_and_one_outside_refused(keeper, survey):
    imports.import_answers(keeper, survey.pk, GOOD, "a.csv", submitted_on=dt.date(2025, 6, 30))
    assert set(Answer.objects.values_list("submitted_on", flat=True)) == {dt.date(2025, 6, 30)}
    with pytest.raises(ServiceError) as refused:
        imports.import_answers(keeper, survey.pk, GOOD, "a.csv", submitted_on=dt.date(2026, 1, 1))
    assert refused.value.field == "submitted_on"
    assert Answer.objects.count() == 4


def test_one_bad_row_imports_nothing(keeper, survey):
    bad = GOOD + b"4;4;4;4;0;4;4;4;4;L\n"
    with pytest.raises(ServiceError) as refused:
        imports.import_answers(keeper, survey.pk, bad, "a.csv")
    assert refused.value.items == ("row 6, column U5: 0 is not a score: give 1, 2, 3 or 4",)
    assert not Answer.objects.exists() and not ImportBatch.objects.exists()


def test_a_failure_while_writing_leaves_nothing(keeper, survey, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Answer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        imports.import_answers(keeper, survey.pk, GOOD, "a.csv")
    assert not ImportBatch.objects.exists()


def test_the_old_format_is_refused(keeper, survey):
    old = (";".join(f"U{i}" for i in range(1, 15)) + "\n" + ";".join("3" * 14) + "\n").encode()
    with pytest.raises(ServiceError) as refused:
        imports.import_answers(keeper, survey.pk, old, "lama.csv")
    assert refused.value.code == "old_format"
    assert not Answer.objects.exists()


def test_another_agency_not_found_readers_and_vendors_refused(bali, djki, survey):
    outsider = next(p for p in djki.people.values() if p.vendor_id is None)
    for person in (outsider, djki.people["ipasdev"]):
        with pytest.raises(ServiceError) as refused:
            imports.import_answers(person, survey.pk, GOOD, "a.csv")
        assert refused.value.code == "not_found"
    with pytest.raises(NotAllowed):
        imports.import_answers(bali.people["dinkes_staf"], survey.pk, GOOD, "a.csv")
    with pytest.raises(ServiceError) as refused:
        imports.import_answers(None, 999_999, GOOD, "a.csv")
    assert refused.value.code == "not_found"
    assert not Answer.objects.exists()


def test_the_operator_imports_as_the_survey_account(survey):
    batch = imports.import_answers(None, str(survey.pk), GOOD, "a.csv")
    assert batch.by.name == services.ROBOT_NAME and batch.by.user_id is None
