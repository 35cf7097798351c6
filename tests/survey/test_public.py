"""The respondents' pages: the public form /survei/isi/<code>/ (a token in each form, the
answer recorded once, every refusal a clear page and nothing written, the "already answered"
notice, closed surveys a 404), the invitation form /survei/undangan/<secret>/, the thank-you
page, and the staff's QR poster (readers only, another agency's survey a 404)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from laksana.survey import guard, invitations
from laksana.survey.models import Answer, Channel, Invitation, InvitationStatus, PublicToken

from .respondents import full_answer, open_survey
from .respondents_case import invited

pytestmark = pytest.mark.django_db

URL = "/survei/isi/kode-publik-uji/"


@pytest.fixture
def survey(bali):
    today = timezone.localdate()
    return open_survey(
        bali,
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
    )


def aged_token(survey, seconds: int = 30) -> str:
    """A form's token issued ``seconds`` ago (the minimum fill time passed, no waiting)."""
    return guard.issue(survey, now=timezone.now() - dt.timedelta(seconds=seconds))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_it_shows_the_nine_questions_in_indonesian_with_a_token(survey) -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "Kirim jawaban saya" in body
    assert body.count('type="radio" name="u') == 36
    assert "Sangat sopan dan ramah" in body and "Dikelola dengan baik" in body
    assert 'name="website"' in body and 'name="token"' in body
    assert PublicToken.objects.filter(survey=survey, used=False).count() == 1
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


def test_it_records_an_answer_and_marks_the_device(survey) -> None:
    client = Client()
    response = client.post(URL, {**full_answer(2), "token": aged_token(survey)})
    assert response.status_code == 302 and response["Location"] == "/survei/terima-kasih/"
    answer = Answer.objects.get(survey=survey)
    assert answer.channel == Channel.PUBLIC and answer.u9 == 2 and answer.education == "d4_s1"
    cookie = response.cookies[guard.COOKIE]
    assert cookie.value == "1" and cookie["path"] == URL and cookie["httponly"]
    thanks = client.get("/survei/terima-kasih/")
    assert thanks.status_code == 200 and "Terima kasih" in text(thanks)
    again = client.get(URL)
    assert again.status_code == 200
    assert "Perangkat ini sudah pernah mengisi survei ini" in text(again)


def test_a_replayed_form_is_refused_clearly_and_counted_once(survey) -> None:
    client = Client()
    data = {**full_answer(), "token": aged_token(survey)}
    client.post(URL, data)
    response = client.post(URL, data)
    assert response.status_code == 409
    assert "sudah pernah dikirim" in text(response)
    assert Answer.objects.count() == 1


@pytest.mark.parametrize(
    ("token", "status", "words"),
    [("", 400, "tidak dikirim dari halaman survei"), ("palsu", 400, "tidak berlaku")],
)
def test_a_missing_or_forged_token_is_refused(survey, token, status, words) -> None:
    response = Client().post(URL, {**full_answer(), "token": token})
    assert response.status_code == status
    assert words in text(response) and "Buka survei lagi" in text(response)
    assert not Answer.objects.exists()


def test_a_filled_honeypot_is_refused(survey) -> None:
    data = {**full_answer(), "token": aged_token(survey), "website": "spam"}
    response = Client().post(URL, data)
    assert response.status_code == 400
    assert "Jawaban Anda tidak dicatat" in text(response)
    assert not Answer.objects.exists()


def test_a_form_sent_too_fast_is_shown_again_with_its_answers(survey) -> None:
    token = guard.issue(survey)
    response = Client().post(URL, {**full_answer(3), "token": token})
    assert response.status_code == 400
    body = text(response)
    assert "terlalu cepat" in body
    assert f'value="{token}"' in body
    assert 'name="u1" value="3" checked' in body
    assert not Answer.objects.exists()


def test_an_incomplete_answer_is_shown_again_by_question(survey) -> None:
    data = {**full_answer(4), "token": aged_token(survey), "age": "7"}
    data.pop("u5")
    response = Client().post(URL, data)
    assert response.status_code == 422
    body = text(response)
    assert "skor 1 sampai 4 wajib diisi" in body or "u5-error" in body
    assert 'id="u5-error"' in body and "skm-question--problem" in body
    assert 'name="u1" value="4" checked' in body and "Antrean lebih cepat" in body
    assert not Answer.objects.exists()
    assert not PublicToken.objects.get(survey=survey).used


def test_the_hourly_limit_answers_429(bali, survey) -> None:
    from laksana.survey.models import SurveySettings

    SurveySettings.objects.create(agency=bali.agency, public_per_hour=1)
    client = Client()
    client.post(URL, {**full_answer(), "token": aged_token(survey)})
    response = client.post(URL, {**full_answer(), "token": aged_token(survey)})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "1 jawaban" in text(response)
    assert client.get(URL).status_code == 429
    assert Answer.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": "closed"},
        {"status": "draft"},
        {"public_enabled": False},
        {"period_end": dt.date(2020, 1, 1), "period_start": dt.date(2020, 1, 1)},
    ],
)
def test_a_survey_not_taking_answers_is_a_404_page(bali, change) -> None:
    today = timezone.localdate()
    values = {"period_start": today - dt.timedelta(days=1), "period_end": today, **change}
    survey = open_survey(bali, **values)
    client = Client()
    response = client.get(URL)
    assert response.status_code == 404
    assert "Survei ini tidak menerima jawaban" in text(response)
    response = client.post(URL, {**full_answer(), "token": "x"})
    assert response.status_code == 404
    assert not Answer.objects.exists() and not PublicToken.objects.filter(survey=survey).exists()


def test_an_unknown_code_is_a_404(survey) -> None:
    assert Client().get("/survei/isi/tidak-ada/").status_code == 404


def test_it_never_answers_500_to_odd_input(survey) -> None:
    client = Client()
    for data in (
        {"u1": "x" * 5000, "token": aged_token(survey)},
        {**full_answer(), "token": "a" * 5000},
        {**full_answer(), "sex": "Z", "education": "phd", "token": aged_token(survey)},
    ):
        assert client.post(URL, data).status_code in (400, 422)
    assert not Answer.objects.exists()


# --- invitations ------------------------------------------------------------------------------


def test_an_invited_requester_answers_once(bali, sop002, survey) -> None:
    secret = invited(bali, sop002, survey)
    url = invitations.link(secret)
    client = Client()
    response = client.get(url)
    assert response.status_code == 200
    body = text(response)
    assert body.count('type="radio" name="u') == 36
    assert 'name="token"' not in body and 'name="website"' not in body
    response = client.post(url, full_answer(3))
    assert response.status_code == 302 and response["Location"] == "/survei/terima-kasih/"
    answer = Answer.objects.get()
    assert answer.channel == Channel.INVITATION and answer.u4 == 3
    assert Invitation.objects.get().status == InvitationStatus.ANSWERED
    again = client.get(url)
    assert again.status_code == 409 and "sudah dijawab" in text(again)
    assert client.post(url, full_answer(1)).status_code == 409
    assert Answer.objects.count() == 1


def test_an_incomplete_invitation_answer_is_shown_again(bali, sop002, survey) -> None:
    secret = invited(bali, sop002, survey)
    data = full_answer(2)
    data.pop("u9")
    response = Client().post(invitations.link(secret), data)
    assert response.status_code == 422 and 'id="u9-error"' in text(response)
    assert not Answer.objects.exists()
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_an_expired_or_unknown_invitation_is_refused(bali, sop002, survey) -> None:
    secret = invited(bali, sop002, survey)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client = Client()
    response = client.get(invitations.link(secret))
    assert response.status_code == 410 and "sudah kedaluwarsa" in text(response)
    assert client.post(invitations.link(secret), full_answer()).status_code == 410
    response = client.get(invitations.link("b" * 64))
    assert response.status_code == 404 and "tidak berlaku" in text(response)
    assert not Answer.objects.exists()


def test_someone_who_worked_on_the_case_is_refused(bali, sop002, survey, monkeypatch) -> None:
    secret = invited(bali, sop002, survey)
    worker = bali["kadis"]
    monkeypatch.setattr(invitations, "workers_of", lambda case: {worker.pk})
    client = Client()
    client.force_login(worker.user)
    response = client.get(invitations.link(secret))
    assert response.status_code == 403 and "Anda ikut menangani" in text(response)
    assert client.post(invitations.link(secret), full_answer()).status_code == 403
    assert not Answer.objects.exists()
    assert Invitation.objects.get().status == InvitationStatus.SENT


# --- the QR poster ----------------------------------------------------------------------------


def test_a_reader_prints_the_qr_poster(bali, survey, settings) -> None:
    settings.LAKSANA_SITE_URL = "https://layanan.baliprov.go.id"
    client = Client()
    client.force_login(bali["kadis"].user)
    response = client.get(f"/survei/{survey.pk}/qr/")
    assert response.status_code == 200
    body = text(response)
    assert "https://layanan.baliprov.go.id/survei/isi/kode-publik-uji/" in body
    assert 'src="data:image/svg+xml' in body and survey.title in body and "Helpdesk" in body
    assert "@page" not in body  # the print layout is in the static stylesheet (CSP)
    svg = client.get(f"/survei/{survey.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<svg")


def test_the_poster_warns_when_the_link_is_off(bali, survey) -> None:
    survey.public_enabled = False
    survey.save()
    client = Client()
    client.force_login(bali["kadis"].user)
    assert "tidak menerima jawaban" in text(client.get(f"/survei/{survey.pk}/qr/"))


def test_the_poster_is_for_readers_only(bali, djki, survey) -> None:
    anonymous = Client().get(f"/survei/{survey.pk}/qr/")
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]
    outsider = Client()
    stranger = next(p for p in djki.people.values() if p.user_id and not p.vendor_id)
    outsider.force_login(stranger.user)
    assert outsider.get(f"/survei/{survey.pk}/qr/").status_code == 404
    assert outsider.get(f"/survei/{survey.pk}/qr.svg").status_code == 404
    member = Client()
    member.force_login(bali["dinkes_staf"].user)
    assert member.get("/survei/99999/qr/").status_code == 404
