"""Surveys and settings through the services: who keeps and reads them, another agency's ids
answered ``not_found``, a vendor's staff refused, bad input refused by field with nothing
written, and a survey's life."""

from __future__ import annotations

import datetime as dt

import pytest

from laksana.demo.orgs import SOP_002
from laksana.errors import NotAllowed, ServiceError
from laksana.survey import services
from laksana.survey.elements import KEYS, default_elements
from laksana.survey.models import Answer, Channel, ServiceKind, Survey, SurveySettings, SurveyStatus

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _data(**fields):
    data = {
        "title": "SKM Layanan Helpdesk 2026",
        "service_kind": ServiceKind.PROCEDURE,
        "procedure_key": SOP_002,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "population": "500",
    }
    data.update(fields)
    return data


@pytest.fixture
def keeper(bali):
    return bali.people["ketuatim"]


@pytest.fixture
def survey(bali, keeper):
    return services.create_survey(keeper, _data(), now=AT)


def test_a_keeper_creates_a_draft_survey_asking_the_agencys_questionnaire(bali, keeper):
    made = services.create_survey(keeper, _data(), now=AT)
    assert made.status == SurveyStatus.DRAFT
    assert made.agency_id == bali.agency.pk
    assert [e["key"] for e in made.elements] == list(KEYS)
    assert made.population == 500
    assert len(made.public_code) >= 20
    assert made.created_by == keeper
    title = bali.versions[SOP_002].title
    assert services.service_label(made) in (f"Procedure: {title}", f"Prosedur: {title}")


def test_every_problem_is_named_by_field_and_nothing_is_written(keeper):
    with pytest.raises(ServiceError) as refused:
        services.create_survey(
            keeper,
            _data(title="", procedure_key="sop-999", period_start="2026-13-01", population="-3"),
            now=AT,
        )
    fields = {item.split(":")[0] for item in refused.value.items}
    assert fields == {"title", "procedure_key", "period_start", "population"}
    assert refused.value.code == "invalid"
    assert not Survey.objects.exists()


def test_the_period_ends_after_it_starts(keeper):
    with pytest.raises(ServiceError) as refused:
        services.create_survey(keeper, _data(period_end="2025-12-31"), now=AT)
    assert refused.value.field == "period_end"


def test_another_agencys_application_and_unit_are_refused_by_field(keeper, djki):
    app = next(iter(djki.applications.values()))
    unit = next(iter(djki.units.values()))
    with pytest.raises(ServiceError) as refused:
        services.create_survey(
            keeper, _data(service_kind=ServiceKind.APPLICATION, application=app.pk), now=AT
        )
    assert refused.value.field == "application"
    with pytest.raises(ServiceError) as refused:
        services.create_survey(
            keeper,
            _data(service_kind=ServiceKind.UNIT_SERVICE, unit=unit.pk, service_name="Loket"),
            now=AT,
        )
    assert refused.value.field == "unit"


def test_an_application_and_a_unit_service_survey(bali, keeper):
    app = bali.applications["simpeg"]
    made = services.create_survey(
        keeper, _data(service_kind=ServiceKind.APPLICATION, application=str(app.pk)), now=AT
    )
    assert services.service_label(made) == app.name
    unit = bali.units["bkd"]
    made = services.create_survey(
        keeper,
        _data(service_kind=ServiceKind.UNIT_SERVICE, unit=unit.pk, service_name="Loket layanan"),
        now=AT,
    )
    assert services.service_label(made) == f"{unit.name}: Loket layanan"


def test_another_agencys_survey_is_not_found_for_every_action(survey, djki):
    stranger = djki.people["ipasdev"]
    outsider = next(p for p in djki.people.values() if p.vendor_id is None)
    for person in (outsider, stranger):
        for action in (
            lambda p: services.get_survey(p, survey.pk),
            lambda p: services.change_survey(p, survey.pk, {"title": "x"}),
            lambda p: services.open_survey(p, survey.pk),
            lambda p: services.close_survey(p, survey.pk),
            lambda p: services.set_follow_up(p, survey.pk, []),
            lambda p: services.delete_survey(p, survey.pk),
        ):
            with pytest.raises(ServiceError) as refused:
                action(person)
            assert refused.value.code == "not_found"
    with pytest.raises(ServiceError) as refused:
        services.get_survey(None, 999_999)
    assert refused.value.code == "not_found"
    with pytest.raises(ServiceError):
        services.get_survey(None, "abc")


def test_a_requesting_units_member_reads_but_does_not_keep(bali, survey):
    member = bali.people["dinkes_staf"]
    assert services.get_survey(member, survey.pk) == survey
    assert list(services.visible_surveys(member)) == [survey]
    with pytest.raises(NotAllowed):
        services.open_survey(member, survey.pk)
    with pytest.raises(NotAllowed):
        services.create_survey(member, _data(), now=AT)
    with pytest.raises(NotAllowed):
        services.update_settings(member, bali.agency.pk, {"invite_share": 50})


def test_a_vendors_staff_neither_keeps_nor_reads(djki):
    vendor_staff = next(p for p in djki.people.values() if p.vendor_id is not None)
    assert not services.may_keep(vendor_staff, djki.agency.pk)
    with pytest.raises(NotAllowed):
        services.create_survey(vendor_staff, _data(), now=AT)
    assert not services.visible_surveys(vendor_staff).exists()


def test_the_operator_names_the_agency_and_is_recorded_as_the_survey_account(bali):
    with pytest.raises(ServiceError) as refused:
        services.create_survey(None, _data(), now=AT)
    assert refused.value.field == "agency"
    made = services.create_survey(None, _data(agency=bali.agency.pk), now=AT)
    assert made.created_by.name == services.ROBOT_NAME
    again = services.create_survey(None, _data(agency=bali.agency.pk), now=AT)
    assert again.created_by == made.created_by


def test_open_change_close_and_what_may_change_once_open(keeper, survey):
    services.change_survey(keeper, survey.pk, {"period_start": "2026-02-01", "title": "Baru"})
    services.open_survey(keeper, survey.pk, now=AT)
    with pytest.raises(ServiceError) as refused:
        services.open_survey(keeper, survey.pk, now=AT)
    assert refused.value.field == "status"
    with pytest.raises(ServiceError) as refused:
        services.change_survey(keeper, survey.pk, {"period_end": "2026-06-30", "title": "Lagi"})
    assert refused.value.field == "period_end"
    changed = services.change_survey(
        keeper, survey.pk, {"title": "SKM 2026", "public_enabled": True, "population": ""}
    )
    assert (changed.title, changed.public_enabled, changed.population) == ("SKM 2026", True, None)
    closed = services.close_survey(keeper, survey.pk, now=AT)
    assert closed.status == SurveyStatus.CLOSED and closed.closed_at == AT
    with pytest.raises(ServiceError):
        services.close_survey(keeper, survey.pk, now=AT)
    with pytest.raises(ServiceError):
        services.delete_survey(keeper, survey.pk)


def test_a_draft_with_answers_is_not_deleted_one_without_is(keeper, survey):
    other = services.create_survey(keeper, _data(), now=AT)
    Answer.objects.create(
        survey=survey, submitted_on=dt.date(2026, 3, 2), channel=Channel.IMPORT,
        **{f"u{i}": 3 for i in range(1, 10)},
    )  # fmt: skip
    with pytest.raises(ServiceError):
        services.delete_survey(keeper, survey.pk)
    services.delete_survey(keeper, other.pk)
    assert not Survey.objects.filter(pk=other.pk).exists()


def test_follow_up_rows_are_checked_by_row_and_part(keeper, survey):
    rows = [
        {"unsur": "waktu", "action": "Tambah petugas loket", "due": "2026-06-30",
         "responsible": "Ketua Tim"},
    ]  # fmt: skip
    assert services.set_follow_up(keeper, survey.pk, rows).follow_up == rows
    with pytest.raises(ServiceError) as refused:
        services.set_follow_up(
            keeper, survey.pk, [rows[0], {"unsur": "u10", "action": "", "due": "besok"}]
        )
    assert {i.split(":")[0] for i in refused.value.items} == {
        "follow_up.2.unsur",
        "follow_up.2.action",
        "follow_up.2.due",
    }
    assert Survey.objects.get(pk=survey.pk).follow_up == rows
    with pytest.raises(ServiceError):
        services.set_follow_up(keeper, survey.pk, rows * 21)


def test_settings_default_to_the_regulation_and_change_by_field(bali, keeper):
    found = services.settings_of(bali.agency.pk)
    assert found.elements == default_elements()
    elements = default_elements()
    elements[7], elements[8] = elements[8], elements[7]
    elements[0]["name"] = "Persyaratan Pelayanan"
    changed = services.update_settings(
        keeper,
        bali.agency.pk,
        {"elements": elements, "invite_share": "40", "invite_requesters": False},
    )
    assert [e["key"] for e in changed.elements][7:] == ["sarana", "pengaduan"]
    assert (changed.invite_share, changed.invite_requesters) == (40, False)
    made = services.create_survey(keeper, _data(), now=AT)
    assert made.elements[0]["name"] == "Persyaratan Pelayanan"


def test_bad_settings_are_refused_by_field_and_nothing_changes(bali, keeper):
    elements = default_elements()
    elements[1]["key"] = "persyaratan"
    elements[2]["labels"] = ["a", "b", "c"]
    elements[3]["question"] = " "
    with pytest.raises(ServiceError) as refused:
        services.update_settings(
            keeper,
            bali.agency.pk,
            {
                "elements": elements,
                "invite_delay_hours": 721,
                "invite_share": 101,
                "invite_expiry_days": 0,
                "public_per_hour": "many",
            },
        )
    assert {i.split(":")[0] for i in refused.value.items} == {
        "elements.2.key",
        "elements.3.labels",
        "elements.4.question",
        "invite_delay_hours",
        "invite_share",
        "invite_expiry_days",
        "public_per_hour",
    }
    with pytest.raises(ServiceError) as refused:
        services.update_settings(keeper, bali.agency.pk, {"elements": elements[:8]})
    assert refused.value.field == "elements"
    assert services.settings_of(bali.agency.pk).elements == default_elements()
    assert SurveySettings.objects.count() == 1
