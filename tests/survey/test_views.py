"""The survey's staff screens: another agency's survey is 404 on every screen, requesting
units read but do not keep, a vendor's staff sees nothing of the agency's surveys, refusals
stand next to their fields and write nothing; the results page (per-unsur table, IKM exact
beside the 0,111 figure labelled as such, the grade, the Krejcie–Morgan warning, profile,
suggestions, charts), the follow-up plan, the import, the settings, the panel on the
application's record, the navigation link; the charts' SVG."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from laksana.survey import charts
from laksana.survey.elements import KEYS, default_elements
from laksana.survey.models import (
    Answer,
    Channel,
    ServiceKind,
    Survey,
    SurveySettings,
    SurveyStatus,
)

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(dt.datetime(2026, 3, 2, 12, 0))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _panel():
    """The surveys' panel on the application's page (plugin.register() adds it too)."""
    from laksana.survey import app_panel

    app_panel.register()


def make_survey(org: Any, **changes: Any) -> Survey:
    values: dict[str, Any] = {
        "agency": org.agency,
        "title": "SKM Layanan Helpdesk 2026",
        "service_kind": ServiceKind.UNIT_SERVICE,
        "unit": org.agency.units.order_by("pk").first(),
        "service_name": "Helpdesk",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "elements": default_elements(),
        "status": SurveyStatus.OPEN,
        "public_code": f"kode-{org.agency.slug}-{Survey.objects.count()}",
        "public_enabled": True,
        "created_by": next(iter(org.people.values())),
        "created_at": NOON,
        "population": 500,
    }
    values.update(changes)
    return Survey.objects.create(**values)


def answer(survey: Survey, score: int, **profile: Any) -> Answer:
    return Answer.objects.create(
        survey=survey,
        submitted_on=dt.date(2026, 3, 2),
        channel=Channel.PUBLIC,
        **{f"u{i}": score for i in range(1, 10)},
        **profile,
    )


@pytest.fixture
def survey(bali) -> Survey:
    return make_survey(bali)


@pytest.fixture
def answered(survey) -> Survey:
    """Three answers: all 4, all 3, all 3 → NRR 10/3 each, IKM 10/3, converted 83.33 (B);
    with the weight 0,111: 3.33 and 83.25."""
    answer(survey, 4, sex="P", age=34, education="d4_s1", suggestion="Antrean <b>lebih</b> cepat")
    answer(survey, 3, sex="L", age=61)
    answer(survey, 3)
    return survey


def as_(client: Client, person) -> Client:
    client.force_login(person.user)
    return client


def state() -> tuple:
    return (
        sorted(
            Survey.objects.values_list(
                "pk", "title", "status", "population", "public_enabled", "follow_up"
            )
        ),
        Answer.objects.count(),
        sorted(SurveySettings.objects.values_list("pk", "elements", "invite_share")),
    )


def survey_form(**extra: str) -> dict[str, str]:
    data = {
        "title": "SKM Helpdesk 2027",
        "service_kind": "procedure",
        "procedure_key": "sop-002-penanganan-masalah-aplikasi",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "population": "300",
        "method": "Kuesioner daring",
        "public_enabled": "on",
        "invite_requesters": "on",
    }
    data.update(extra)
    return data


def follow_rows(*rows: dict[str, str]) -> dict[str, str]:
    data = {
        "row-TOTAL_FORMS": str(len(rows)),
        "row-INITIAL_FORMS": "0",
        "row-MIN_NUM_FORMS": "0",
        "row-MAX_NUM_FORMS": "20",
    }
    for i, row in enumerate(rows):
        data.update({f"row-{i}-{k}": v for k, v in row.items()})
    return data


ROUTES_WITH_PK = ("detail", "edit", "results", "follow_up", "import")
POSTS_WITH_PK = ("edit", "open", "close", "delete", "follow_up", "import")


# --- attacks -----------------------------------------------------------------------------------


def test_another_agencys_survey_is_404_on_every_screen(client, djki, bali):
    """DJKI's survey asked for by Bali's keeper: 404 everywhere, as for one that does not
    exist, and nothing changes."""
    theirs = make_survey(djki, title="SKM IPAS", status=SurveyStatus.DRAFT)
    before = state()
    as_(client, bali["kadis"])
    for name in ROUTES_WITH_PK:
        assert client.get(reverse(f"survey:{name}", args=[theirs.pk])).status_code == 404, name
        assert client.get(reverse(f"survey:{name}", args=[999_999])).status_code == 404, name
    for name in POSTS_WITH_PK:
        assert client.post(reverse(f"survey:{name}", args=[theirs.pk])).status_code == 404, name
    assert "SKM IPAS" not in client.get(reverse("survey:list")).content.decode()
    assert state() == before


def test_a_requesting_units_member_reads_but_does_not_keep(client, bali, answered):
    before = state()
    as_(client, bali["dinkes_staf"])
    page = client.get(reverse("survey:detail", args=[answered.pk]))
    assert page.status_code == 200
    assert reverse("survey:edit", args=[answered.pk]) not in page.content.decode()
    assert client.get(reverse("survey:results", args=[answered.pk])).status_code == 200
    assert client.get(reverse("survey:list")).status_code == 200
    for name in ("edit", "follow_up", "import"):
        assert client.get(reverse(f"survey:{name}", args=[answered.pk])).status_code == 403
    for name in POSTS_WITH_PK:
        assert client.post(reverse(f"survey:{name}", args=[answered.pk])).status_code == 403
    assert client.get(reverse("survey:new")).status_code == 403
    assert client.post(reverse("survey:new"), survey_form()).status_code == 403
    assert client.get(reverse("survey:settings")).status_code == 403
    assert state() == before


def test_a_vendors_staff_sees_no_survey_of_the_agency(client, djki):
    ipas_survey = make_survey(djki, title="SKM IPAS")
    before = state()
    as_(client, djki["ipasdev"])
    listed = client.get(reverse("survey:list"))
    assert listed.status_code == 200 and "SKM IPAS" not in listed.content.decode()
    assert client.get(reverse("survey:detail", args=[ipas_survey.pk])).status_code == 404
    assert client.get(reverse("survey:results", args=[ipas_survey.pk])).status_code == 404
    assert client.get(reverse("survey:new")).status_code == 403
    assert client.get(reverse("survey:settings")).status_code == 403
    nav = client.get(reverse("cases:inbox")).content.decode()
    assert reverse("survey:list") not in nav
    assert state() == before


def test_sign_in_is_required(client, survey):
    for url in (reverse("survey:list"), reverse("survey:detail", args=[survey.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "?next=" in response["Location"]


# --- a survey's life ---------------------------------------------------------------------------


def test_a_keeper_makes_edits_opens_and_closes_a_survey(client, bali):
    as_(client, bali["kadis"])
    assert client.get(reverse("survey:new")).status_code == 200
    response = client.post(reverse("survey:new"), survey_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Survey.objects.get(title="SKM Helpdesk 2027")
    assert made.status == SurveyStatus.DRAFT and made.agency_id == bali.agency.pk
    assert [e["key"] for e in made.elements] == list(KEYS)
    changed = client.post(
        reverse("survey:edit", args=[made.pk]), survey_form(title="SKM Helpdesk 2027 (ubah)")
    )
    assert changed.status_code == 302
    assert client.post(reverse("survey:open", args=[made.pk])).status_code == 302
    made.refresh_from_db()
    assert made.status == SurveyStatus.OPEN and made.title == "SKM Helpdesk 2027 (ubah)"
    page = client.get(reverse("survey:detail", args=[made.pk])).content.decode()
    assert reverse("survey:close", args=[made.pk]) in page
    assert reverse("survey:delete", args=[made.pk]) not in page
    assert client.post(reverse("survey:close", args=[made.pk])).status_code == 302
    made.refresh_from_db()
    assert made.status == SurveyStatus.CLOSED


def test_bad_input_is_shown_by_field_and_writes_nothing(client, bali, djki):
    before = state()
    as_(client, bali["kadis"])
    response = client.post(
        reverse("survey:new"), survey_form(period_start="2027-12-31", period_end="2027-01-01")
    )
    assert response.status_code == 422
    other_app = djki.applications["ipas"]
    response = client.post(
        reverse("survey:new"),
        survey_form(service_kind="application", application=str(other_app.pk)),
    )
    assert response.status_code == 422  # another agency's application is not a choice
    assert state() == before


def test_a_draft_without_answers_is_deleted_one_with_answers_is_not(client, bali):
    draft = make_survey(bali, status=SurveyStatus.DRAFT, title="Draf SKM")
    kept = make_survey(bali, status=SurveyStatus.DRAFT, title="Draf berisi")
    answer(kept, 4)
    as_(client, bali["kadis"])
    assert client.post(reverse("survey:delete", args=[kept.pk])).status_code == 302
    assert Survey.objects.filter(pk=kept.pk).exists()
    response = client.post(reverse("survey:delete", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("survey:list")
    assert not Survey.objects.filter(pk=draft.pk).exists()


# --- results -----------------------------------------------------------------------------------


def test_results_show_the_exact_index_beside_the_0111_figure_and_the_sample_warning(
    client, bali, answered
):
    as_(client, bali["dinkes_staf"])
    response = client.get(reverse("survey:results", args=[answered.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "83.33" in html and "3.33" in html  # exact: 10/3 and 250/3
    assert "83.25" in html  # with the weight 0,111: 30 × 0.111 × 25
    assert "with the weight rounded to 0,111 (as many reports)" in html
    assert "Baik" in html and ">B<" in html
    assert "Below the minimum sample" in html and "217" in html  # population 500
    assert "U9 Sarana dan Prasarana" in html
    assert "Antrean &lt;b&gt;lebih&lt;/b&gt; cepat" in html and "<b>lebih" not in html
    assert html.count("<svg") >= 2 and "<script" not in html.split("<main", 1)[-1]


def test_results_in_indonesian_label_the_rounded_weight(client, settings, bali, answered):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    as_(client, bali["kadis"])
    with translation.override("id"):
        html = client.get(reverse("survey:results", args=[answered.pk])).content.decode()
    assert "dengan bobot dibulatkan 0,111 (seperti banyak laporan)" in html
    assert "83,33" in html and "83,25" in html


def test_results_without_answers_and_enough_respondents(client, bali):
    empty = make_survey(bali, population=None)
    as_(client, bali["kadis"])
    html = client.get(reverse("survey:results", args=[empty.pk])).content.decode()
    assert "No answers yet." in html and "Below the minimum sample" not in html
    small = make_survey(bali, population=3)
    for score in (4, 4, 2):
        answer(small, score)
    html = client.get(reverse("survey:results", args=[small.pk])).content.decode()
    assert "Below the minimum sample" not in html


def test_the_list_shows_the_index_and_grade(client, bali, answered):
    as_(client, bali["kadis"])
    html = client.get(reverse("survey:list")).content.decode()
    assert answered.title in html and "83.33" in html and "Baik" in html


# --- follow-up, import, settings ---------------------------------------------------------------


def test_the_follow_up_plan_is_saved_and_a_bad_row_writes_nothing(client, bali, answered):
    as_(client, bali["kadis"])
    url = reverse("survey:follow_up", args=[answered.pk])
    assert client.get(url).status_code == 200
    row = {"unsur": "waktu", "action": "Tambah petugas loket", "due": "2026-09-30"}
    response = client.post(url, follow_rows({**row, "responsible": "Kabid Layanan"}))
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.follow_up[0]["unsur"] == "waktu"
    assert answered.follow_up[0]["action"] == "Tambah petugas loket"
    before = state()
    bad = client.post(url, follow_rows({"unsur": "antrean", "action": "x", "due": "2026-09-30"}))
    assert bad.status_code == 422
    bad = client.post(url, follow_rows({"unsur": "waktu", "action": "", "due": "2026-09-30"}))
    assert bad.status_code == 422
    assert state() == before


def test_an_import_with_a_bad_score_lists_row_and_column_and_writes_nothing(client, bali, survey):
    as_(client, bali["kadis"])
    url = reverse("survey:import", args=[survey.pk])
    assert client.get(url).status_code == 200
    header = ",".join(f"U{i}" for i in range(1, 10))
    bad = f"{header}\n" + "4,4,4,4,4,4,4,4,4\n" + "4,4,7,4,4,4,4,4,4\n"
    before = state()
    response = client.post(
        url, {"file": SimpleUploadedFile("skm.csv", bad.encode(), content_type="text/csv")}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "3" in html and "U3" in html
    wrong = client.post(url, {"file": SimpleUploadedFile("skm.pdf", b"%PDF-1.4")})
    assert wrong.status_code == 422 and "Only CSV and XLSX" in wrong.content.decode()
    assert state() == before
    good = f"{header}\n" + "4,4,4,4,4,4,4,4,4\n" + "3,3,3,3,3,3,3,3,3\n"
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("skm.csv", good.encode(), content_type="text/csv"),
            "submitted_on": "2026-06-30",
        },
    )
    assert response.status_code == 302
    assert Answer.objects.filter(survey=survey, channel=Channel.IMPORT).count() == 2


def _settings_post(elements: list[dict[str, Any]], **rules: str) -> dict[str, str]:
    data = {
        "unsur-TOTAL_FORMS": "9",
        "unsur-INITIAL_FORMS": "9",
        "unsur-MIN_NUM_FORMS": "9",
        "unsur-MAX_NUM_FORMS": "9",
        "invite_requesters": "on",
        "invite_delay_hours": "24",
        "invite_share": "50",
        "invite_expiry_days": "14",
        "public_per_hour": "5",
    }
    for i, e in enumerate(elements):
        data.update(
            {
                f"unsur-{i}-key": e["key"],
                f"unsur-{i}-position": str(e.get("position", i + 1)),
                f"unsur-{i}-name": e["name"],
                f"unsur-{i}-question": e["question"],
            }
        )
        data.update({f"unsur-{i}-label{n}": e["labels"][n - 1] for n in range(1, 5)})
    data.update(rules)
    return data


def test_settings_reorder_the_questionnaire_and_refuse_bad_values(client, bali):
    as_(client, bali["kadis"])
    url = reverse("survey:settings")
    page = client.get(url)
    assert page.status_code == 200 and "Sarana dan Prasarana" in page.content.decode()
    elements = default_elements()
    elements[7]["position"], elements[8]["position"] = 9, 8  # pengaduan after sarana
    response = client.post(url, _settings_post(elements))
    assert response.status_code == 302
    found = SurveySettings.objects.get(agency=bali.agency)
    assert [e["key"] for e in found.elements][-2:] == ["sarana", "pengaduan"]
    assert found.invite_share == 50
    before = state()
    assert client.post(url, _settings_post(elements, invite_share="150")).status_code == 422
    elements[0]["name"] = ""
    assert client.post(url, _settings_post(elements)).status_code == 422
    assert state() == before


# --- panel, navigation -------------------------------------------------------------------------


def test_the_application_panel_and_the_navigation_link(client, bali):
    app = bali.applications["sikesda"]
    make_survey(
        bali, title="SKM SIKESDA 2026", service_kind=ServiceKind.APPLICATION, application=app
    )
    as_(client, bali["dinkes_staf"])
    page = client.get(reverse("catalog:detail", args=[app.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "SKM SIKESDA 2026" in html and reverse("survey:list") in html


# --- charts ------------------------------------------------------------------------------------


def test_charts_escape_their_text_and_carry_no_script():
    bars = charts.bars([("<script>alert(1)</script>", 3.5), ("Biaya", 5.0)], maximum=4)
    assert "<script>" not in bars and "&lt;script&gt;" in bars
    assert bars.startswith("<svg") and bars.count("<rect") == 4
    pie = charts.pie([("L", 3), ("P & lain", 1), ("-", 0)])
    assert "P &amp; lain" in pie and pie.count("<path") == 2
    assert "75" in pie and "25" in pie
    assert "<circle" in charts.pie([("L", 2)])  # one slice: the whole disc
    assert "<circle" in charts.pie([])  # nothing counted: a grey disc


def test_an_open_survey_changes_only_what_may_change_and_shows_its_links(client, bali, survey):
    as_(client, bali["kadis"])
    url = reverse("survey:edit", args=[survey.pk])
    form = client.get(url).content.decode()
    assert 'name="period_start"' in form and "disabled" in form
    response = client.post(
        url, survey_form(title="SKM Helpdesk 2026 (ubah)", period_start="2026-02-01")
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "SKM Helpdesk 2026 (ubah)" and survey.population == 300
    assert survey.period_start == dt.date(2026, 1, 1)  # not changeable once open
    page = client.get(reverse("survey:detail", args=[survey.pk])).content.decode()
    assert reverse("survey:public", args=[survey.public_code]) in page
    assert reverse("survey:qr", args=[survey.pk]) in page


def test_the_survey_page_lists_its_official_reports_and_offers_to_draft_one(client) -> None:
    """The survey's page names the laporan_skm documents made from it (by their number and
    status) and, for a keeper of a survey of an application, the button that drafts one."""
    import datetime as dt

    from laksana.demo.orgs import build_generic
    from laksana.documents.models import Document
    from laksana.survey import services

    skm = build_generic()
    keeper = skm["skm_ti1"]
    survey = services.create_survey(
        keeper,
        {
            "title": "SKM Retribusi",
            "service_kind": "application",
            "application": skm.applications["retribusi"].pk,
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 6, 30),
        },
    )
    client.force_login(keeper.user)
    page = client.get(f"/survei/{survey.pk}/").content.decode()
    assert "No official report yet." in page
    assert f'action="/survei/{survey.pk}/laporan/buat/"' in page
    assert not Document.objects.filter(source=f"survey:{survey.pk}").exists()
