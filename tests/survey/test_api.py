"""The survey API: another agency's surveys and made-up ids answer 404 with nothing written, a
vendor's staff sees nothing and changes nothing, requesting units read and may not write,
bad bodies are refused by field (nothing written), a spreadsheet import with a bad row names
its row and column (nothing written); keepers draft, change, open, close and delete surveys,
set the follow-up plan and the questionnaire; the index answers exact figures; answers are
listed without anything that points to a person or a time finer than the day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from laksana.accounts.services import issue_token
from laksana.catalog.models import Vendor
from laksana.org.models import Person, Unit, UnitKind
from laksana.survey import services
from laksana.survey.elements import KEYS
from laksana.survey.models import Answer, ImportBatch, Survey, SurveySettings, SurveyStatus

pytestmark = pytest.mark.django_db

D = dt.date
SOP_002 = "sop-002-penanganan-masalah-aplikasi"


class Api:
    def __init__(self, client: Client, person: Any = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if person is not None:
            _token, secret = issue_token(person, "tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api{path}", params or {}, **self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method.lower())
        return call(
            f"/api{path}",
            json.dumps({} if body is None else body),
            content_type="application/json",
            **self.headers,
        )

    def form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api{path}", data, **self.headers)


@pytest.fixture
def as_(client):
    return lambda person=None: Api(client, person)


def _vendor_person(bali: Any) -> Person:
    """A vendor's staff member in Bali's own agency."""
    vendor = Vendor.objects.create(agency=bali.agency, name="PT Vendor SIKESDA")
    unit = Unit.objects.create(agency=bali.agency, name=vendor.name, kind=UnitKind.VENDOR)
    user = get_user_model().objects.create(username="vendor_sikesda")
    return Person.objects.create(
        user=user, agency=bali.agency, name="Vendor", unit=unit, vendor=vendor, email=""
    )


def _survey(bali: Any, **extra: Any) -> Survey:
    data = {
        "title": "SKM SIKESDA 2026",
        "service_kind": "application",
        "application": bali.applications["sikesda"].pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "population": 120,
        **extra,
    }
    return services.create_survey(bali["kadis"], data)


def _answer(survey: Survey, scores: list[int], **profile: Any) -> Answer:
    values = {f"u{i}": s for i, s in enumerate(scores, start=1)}
    return Answer.objects.create(
        survey=survey, submitted_on=D(2026, 3, 2), channel="public", **values, **profile
    )


def _state() -> list[Any]:
    return [
        sorted(Survey.objects.values_list("pk", "title", "status", "follow_up", "population")),
        Answer.objects.count(),
        ImportBatch.objects.count(),
        sorted(SurveySettings.objects.values_list("pk", "elements", "invite_share")),
    ]


def _csv(*rows: str) -> SimpleUploadedFile:
    text = "U1,U2,U3,U4,U5,U6,U7,U8,U9\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("skm.csv", text.encode(), content_type="text/csv")


# Attacks first ---------------------------------------------------------------------------------


def test_another_agencys_survey_is_not_found_and_nothing_is_written(as_, bali, djki):
    survey = _survey(bali)
    _answer(survey, [4] * 9)
    before = _state()
    other = as_(djki["direktur"])
    base = f"/surveys/{survey.pk}"
    for path in (base, f"{base}/index", f"{base}/answers", f"{base}/imports"):
        response = other.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    for method, path, body in (
        ("PATCH", base, {"title": "Diambil alih"}),
        ("DELETE", base, None),
        ("POST", f"{base}/open", None),
        ("POST", f"{base}/close", None),
        ("PUT", f"{base}/follow-up", {"rows": []}),
    ):
        response = other.send(method, path, body)
        assert response.status_code == 404, (method, path)
    response = other.form(f"{base}/imports", {"file": _csv("4,4,4,4,4,4,4,4,4")})
    assert response.status_code == 404
    assert other.get("/surveys").json()["items"] == []
    assert _state() == before


def test_made_up_ids_are_not_found(as_, bali):
    api = as_(bali["kadis"])
    for path in ("/surveys/999999", "/surveys/999999/index", "/surveys/999999/answers"):
        assert api.get(path).status_code == 404
    assert api.send("POST", "/surveys/999999/open").status_code == 404
    # Beyond what a key can hold: invalid input, never handed to the database.
    response = api.get(f"/surveys/{2**63}")
    assert response.status_code == 422
    assert response.json()["field"] == "survey_id"


def test_a_vendors_token_sees_nothing_and_changes_nothing(as_, bali):
    survey = _survey(bali)
    api = as_(_vendor_person(bali))
    before = _state()
    assert api.get("/surveys").json()["items"] == []
    assert api.get(f"/surveys/{survey.pk}").status_code == 404
    assert api.send("POST", f"/surveys/{survey.pk}/open").status_code == 404
    response = api.send(
        "POST",
        "/surveys",
        {
            "title": "Survei vendor",
            "service_kind": "application",
            "application": bali.applications["sikesda"].pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 403
    assert api.get("/survey-settings").status_code == 403
    assert api.send("PUT", "/survey-settings", {"invite_share": 5}).status_code == 403
    assert _state() == before


def test_requesting_units_read_and_may_not_write(as_, bali):
    survey = _survey(bali)
    api = as_(bali["dinkes_staf"])
    before = _state()
    assert api.get(f"/surveys/{survey.pk}").status_code == 200
    assert api.get(f"/surveys/{survey.pk}/index").status_code == 200
    assert api.get("/survey-settings").status_code == 200
    assert api.send("PATCH", f"/surveys/{survey.pk}", {"title": "X"}).status_code == 403
    assert api.send("POST", f"/surveys/{survey.pk}/open").status_code == 403
    assert api.send("DELETE", f"/surveys/{survey.pk}").status_code == 403
    assert api.send("PUT", "/survey-settings", {"invite_share": 5}).status_code == 403
    response = api.form(f"/surveys/{survey.pk}/imports", {"file": _csv("4,4,4,4,4,4,4,4,4")})
    assert response.status_code == 403
    assert _state() == before


def test_without_a_token_the_api_answers_401(as_, bali):
    survey = _survey(bali)
    assert as_().get(f"/surveys/{survey.pk}").status_code == 401
    assert as_().get("/survey-settings").status_code == 401


def test_bad_bodies_are_refused_by_field_and_write_nothing(as_, bali, djki):
    api = as_(bali["kadis"])
    survey = _survey(bali)
    before = _state()
    good = {
        "title": "SKM",
        "service_kind": "application",
        "application": bali.applications["sikesda"].pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "title": ""}, "title"),
        ({**good, "service_kind": "warung"}, "service_kind"),
        ({**good, "period_start": "2026-02-30"}, "period_start"),
        ({**good, "population": 0}, "population"),
        ({**good, "period_end": "2025-12-31"}, "period_end"),
        # Another agency's application is no application of this agency.
        ({**good, "application": djki.applications["ipas"].pk}, "application"),
        ({**good, "application": 999999}, "application"),
        ({**good, "service_kind": "procedure", "procedure_key": "sop-xyz"}, "procedure_key"),
        ({**good, "service_kind": "unit_service", "unit": 999999}, "unit"),
    ]
    for body, field in cases:
        response = api.send("POST", "/surveys", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["code"] == "invalid"
        assert response.json()["field"] == field, (body, response.json())
    response = api.send(
        "PUT",
        f"/surveys/{survey.pk}/follow-up",
        {
            "rows": [
                {"unsur": "waktu", "action": "Percepat", "due": "2026-06-30"},
                {"unsur": "u99", "action": "Perbaiki", "due": "2026-06-30"},
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "rows.1.unsur"
    response = api.send(
        "PUT",
        f"/surveys/{survey.pk}/follow-up",
        {"rows": [{"unsur": "waktu", "due": "2026-06-30"}]},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "rows.0.action"
    response = api.send("PUT", "/survey-settings", {"invite_share": 101})
    assert response.status_code == 422
    assert response.json()["field"] == "invite_share"
    elements = services.settings_of(bali.agency.pk).elements
    twice = [dict(e) for e in elements]
    twice[1]["key"] = twice[0]["key"]
    response = api.send("PUT", "/survey-settings", {"elements": twice})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert Survey.objects.count() == 1
    after = _state()
    # Reading the settings for the check above wrote the defaults once; nothing else changed.
    assert after[:3] == before[:3]


def test_an_import_with_a_bad_row_names_row_and_column_and_writes_nothing(as_, bali):
    survey = _survey(bali)
    api = as_(bali["kadis"])
    response = api.form(
        f"/surveys/{survey.pk}/imports",
        {"file": _csv("4,4,4,4,4,4,4,4,4", "3,3,5,3,3,3,3,3,3", "4,4,4,4,4,4,4,4,4")},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_file"
    assert any("3" in item and "U3" in item for item in body["items"]), body
    assert Answer.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_an_old_fourteen_unsur_sheet_is_refused(as_, bali):
    survey = _survey(bali)
    header = ",".join(f"U{i}" for i in range(1, 15))
    sheet = SimpleUploadedFile("lama.csv", f"{header}\n{','.join(['3'] * 14)}\n".encode())
    response = as_(bali["kadis"]).form(f"/surveys/{survey.pk}/imports", {"file": sheet})
    assert response.status_code == 422
    assert response.json()["code"] == "old_format"
    assert Answer.objects.count() == 0


def test_an_import_date_must_be_a_date(as_, bali):
    survey = _survey(bali)
    response = as_(bali["kadis"]).form(
        f"/surveys/{survey.pk}/imports",
        {"file": _csv("4,4,4,4,4,4,4,4,4"), "submitted_on": "kemarin"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "submitted_on"
    assert Answer.objects.count() == 0


def test_a_survey_that_is_not_a_draft_keeps_its_period(as_, bali):
    survey = _survey(bali)
    api = as_(bali["kadis"])
    assert api.send("POST", f"/surveys/{survey.pk}/open").status_code == 200
    response = api.send("PATCH", f"/surveys/{survey.pk}", {"period_end": "2027-01-31"})
    assert response.status_code == 422
    assert response.json()["field"] == "period_end"
    assert Survey.objects.get().period_end == D(2026, 12, 31)
    # An open survey is not deleted.
    assert api.send("DELETE", f"/surveys/{survey.pk}").status_code == 422
    assert Survey.objects.count() == 1


# What keepers do -------------------------------------------------------------------------------


def test_a_keeper_drafts_changes_opens_and_closes_a_survey(as_, bali):
    api = as_(bali["kadis"])
    response = api.send(
        "POST",
        "/surveys",
        {
            "title": "SKM Penanganan Masalah 2026",
            "service_kind": "procedure",
            "procedure_key": SOP_002,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "public_enabled": True,
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "draft"
    assert made["service"] == services.service_label(Survey.objects.get())
    assert tuple(e["key"] for e in made["elements"]) == KEYS
    assert all(len(e["labels"]) == 4 for e in made["elements"])
    assert made["public_link"] == f"/survei/isi/{Survey.objects.get().public_code}/"
    assert made["answers"] == 0
    pk = made["id"]
    changed = api.send("PATCH", f"/surveys/{pk}", {"title": "SKM Semester I", "population": 400})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "SKM Semester I"
    assert changed.json()["population"] == 400
    cleared = api.send("PATCH", f"/surveys/{pk}", {"population": None})
    assert cleared.json()["population"] is None
    assert api.send("POST", f"/surveys/{pk}/open").json()["status"] == "open"
    closed = api.send("POST", f"/surveys/{pk}/close").json()
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    # Closing a closed survey is refused by the service, naming the status.
    again = api.send("POST", f"/surveys/{pk}/close")
    assert again.status_code == 422
    assert again.json()["field"] == "status"


def test_a_draft_without_answers_is_deleted(as_, bali):
    survey = _survey(bali)
    response = as_(bali["kadis"]).send("DELETE", f"/surveys/{survey.pk}")
    assert response.status_code == 204
    assert not Survey.objects.exists()


def test_the_list_pages_and_filters(as_, bali):
    first = _survey(bali, title="Satu")
    second = _survey(bali, title="Dua")
    Survey.objects.filter(pk=second.pk).update(status=SurveyStatus.OPEN)
    api = as_(bali["dinkes_staf"])
    page = api.get("/surveys", {"limit": 1}).json()
    assert [s["id"] for s in page["items"]] == [second.pk]
    rest = api.get("/surveys", {"limit": 1, "after": page["next"]}).json()
    assert [s["id"] for s in rest["items"]] == [first.pk]
    assert rest["next"] is None
    assert [s["id"] for s in api.get("/surveys", {"status": "open"}).json()["items"]] == [second.pk]
    bad = api.get("/surveys", {"after": "bukan-kursor"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "after"


def test_the_follow_up_plan_is_replaced(as_, bali):
    survey = _survey(bali)
    api = as_(bali["kadis"])
    rows = [
        {"unsur": "kompetensi", "action": "Pelatihan", "due": "2026-09-30", "responsible": "TI"},
        {"unsur": "prosedur", "action": "Sederhanakan formulir", "due": "2026-08-31"},
    ]
    response = api.send("PUT", f"/surveys/{survey.pk}/follow-up", {"rows": rows})
    assert response.status_code == 200, response.content
    got = response.json()["follow_up"]
    assert [(r["unsur"], r["due"]) for r in got] == [
        ("kompetensi", "2026-09-30"),
        ("prosedur", "2026-08-31"),
    ]
    assert (
        api.send("PUT", f"/surveys/{survey.pk}/follow-up", {"rows": []}).json()["follow_up"] == []
    )


def test_the_settings_are_read_and_changed_by_the_keeper(as_, bali):
    api = as_(bali["kadis"])
    read = api.get("/survey-settings")
    assert read.status_code == 200
    assert len(read.json()["elements"]) == 9
    assert not SurveySettings.objects.exists()  # a read writes nothing
    elements = read.json()["elements"]
    elements[0], elements[1] = elements[1], elements[0]
    elements[0]["question"] = "Bagaimana kemudahan prosedur pelayanan di unit ini?"
    response = api.send("PUT", "/survey-settings", {"elements": elements, "invite_share": 30})
    assert response.status_code == 200, response.content
    assert response.json()["invite_share"] == 30
    assert response.json()["elements"][0]["question"].startswith("Bagaimana kemudahan")
    assert response.json()["invite_delay_hours"] == 24  # left out: as it was


# The index and the answers ---------------------------------------------------------------------


def test_the_index_is_exact_with_the_0111_figure_beside_it(as_, bali):
    survey = _survey(bali)
    _answer(survey, [4] * 9)
    _answer(survey, [3] * 9)
    data = as_(bali["dinkes_staf"]).get(f"/surveys/{survey.pk}/index").json()
    assert data["respondents"] == 2
    # NRR 3.5 for every unsur; IKM = 9 x 3.5 / 9 = 3.5; converted 87.5 (B, below 88.31).
    assert data["ikm"] == "3.5000"
    assert data["converted"] == "87.5000"
    assert data["converted_shown"] == "87.50"
    assert data["grade"] == {"letter": "B", "label": "Baik"}
    # With 0,111: 9 x 3.5 x 0.111 = 3.4965, x 25 = 87.4125.
    assert data["ikm_0111"] == "3.4965"
    assert data["converted_0111"] == "87.4125"
    assert [e["nrr"] for e in data["elements"]] == ["3.5000"] * 9
    assert data["sample"] == {"population": 120, "minimum": 92, "respondents": 2, "enough": False}


def test_the_index_rounds_only_for_display(as_, bali):
    survey = _survey(bali)
    for scores in ([4] * 9, [4] * 9, [3] + [4] * 8):
        _answer(survey, scores)
    data = as_(bali["kadis"]).get(f"/surveys/{survey.pk}/index").json()
    first = data["elements"][0]
    assert first["nrr"] == "3.6667"  # 11/3
    assert first["converted"] == "91.6667"  # 11/3 x 25
    assert first["nrr_shown"] == "3.67"
    assert data["weakest"][0] == first["key"]
    # IKM = (11/3 + 8 x 4) / 9 = 107/27 = 3.96296...; converted 2675/27 = 99.0740...
    assert data["ikm"] == "3.9630"
    assert data["converted"] == "99.0741"
    assert data["grade"]["letter"] == "A"


def test_the_index_without_answers_and_a_bad_range(as_, bali):
    survey = _survey(bali)
    api = as_(bali["kadis"])
    data = api.get(f"/surveys/{survey.pk}/index").json()
    assert data["respondents"] == 0
    assert data["ikm"] is None
    assert data["ikm_shown"] == "-"
    assert data["grade"] is None
    bad = api.get(f"/surveys/{survey.pk}/index", {"start": "2026-05-01", "end": "2026-04-01"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "end"


def test_answers_are_listed_without_ids_or_times(as_, bali):
    survey = _survey(bali)
    _answer(survey, [4] * 9, age=34, sex="P", suggestion="Antrian lebih cepat")
    _answer(survey, [2] * 9)
    _answer(survey, [3] * 9)
    api = as_(bali["dinkes_staf"])
    page = api.get(f"/surveys/{survey.pk}/answers", {"limit": 2}).json()
    assert page["total"] == 3
    assert page["next"] == 2
    first = page["items"][0]
    assert set(first) == {
        "submitted_on",
        "channel",
        "scores",
        "age",
        "sex",
        "education",
        "occupation",
        "suggestion",
    }
    # Ordered by what they say, not by when they came (the 2s before the 3s before the 4s).
    assert [i["scores"][0] for i in page["items"]] == [2, 3]
    last = api.get(f"/surveys/{survey.pk}/answers", {"page": 2, "limit": 2}).json()
    assert last["next"] is None
    assert last["items"][0]["suggestion"] == "Antrian lebih cepat"


def test_an_import_writes_every_row_and_is_listed(as_, bali):
    survey = _survey(bali)
    api = as_(bali["kadis"])
    response = api.form(
        f"/surveys/{survey.pk}/imports",
        {"file": _csv("4,4,4,4,4,4,4,4,4", "3,3,3,3,3,3,3,3,3"), "submitted_on": "2026-03-31"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["rows"] == 2
    assert response.json()["by"] == bali["kadis"].name
    assert set(Answer.objects.values_list("submitted_on", "channel")) == {
        (D(2026, 3, 31), "import")
    }
    listed = api.get(f"/surveys/{survey.pk}/imports").json()
    assert [(i["file_name"], i["rows"]) for i in listed] == [("skm.csv", 2)]
    assert api.get(f"/surveys/{survey.pk}/index").json()["ikm"] == "3.5000"


# The fuzzing's ids -----------------------------------------------------------------------------


def survey_ids(bali: Any) -> dict[str, int]:
    """The id of a SIKESDA survey with an answer: the path parameter of the survey API's
    operations for the API's fuzzing (tests/security/test_api_fuzz.py, whose caller is the
    Kepala Dinas)."""
    survey = _survey(bali)
    _answer(survey, [4, 3, 4, 3, 4, 3, 4, 3, 4])
    return {"survey_id": survey.pk}


def test_the_fuzz_ids_name_real_objects(as_, bali):
    ids = survey_ids(bali)
    api = as_(bali["kadis"])
    assert api.get(f"/surveys/{ids['survey_id']}/index").json()["respondents"] == 1
