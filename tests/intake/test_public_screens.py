"""The public desk's pages under /layanan/: attacks first — a closed service, another
agency's service named under this agency, a missing, forged, replayed or too fast form, a
filled honeypot, the hourly limits (429 with Retry-After), wrong fields and files, a GET on
the confirmation link (writes nothing), a forged or used confirmation, tracking answering the
same for wrong and right pairs — then the way through, the signed-in filing and "my
requests" showing only the user's own."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from laksana.cases.models import Case
from laksana.demo.orgs import SOP_004
from laksana.intake import desk, guard
from laksana.intake.models import FormToken, OutsideRequest, RequestStatus
from laksana.outbox.models import Message

from .helpers import PDF, counts, form, link_in, open_service, secret_of

pytestmark = pytest.mark.django_db

AGENCY = "/layanan/diskominfos-bali/"
URL = AGENCY + "bantuan-aplikasi/"


@pytest.fixture
def service(bali):
    return open_service(bali)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def post_refused(client: Client, data, status: int, url: str = URL, **extra) -> str:
    before = counts()
    response = client.post(url, data, **extra)
    assert response.status_code == status, text(response)[:2000]
    assert counts() == before and Case.objects.count() == 0
    return text(response)


# --- attacks ---------------------------------------------------------------------------------


def test_a_closed_service_is_not_found_and_not_listed(bali) -> None:
    closed = open_service(bali, is_open=False)
    assert Client().get(URL).status_code == 404
    post_refused(Client(), form(closed), 404)
    assert "Bantuan masalah aplikasi" not in text(Client().get(AGENCY))


def test_another_agencys_service_under_this_agency_is_not_found(service, djki) -> None:
    theirs = open_service(djki, slug="layanan-djki", key=SOP_004)
    assert Client().get(AGENCY + "layanan-djki/").status_code == 404
    post_refused(Client(), form(theirs), 404, url=AGENCY + "layanan-djki/")
    assert Client().get(f"/layanan/{djki.agency.slug}/layanan-djki/").status_code == 200
    assert Client().get("/layanan/tidak-ada/").status_code == 404


def test_a_form_without_or_with_a_forged_token_is_refused(service) -> None:
    assert "tidak dikirim" in post_refused(Client(), form(service, token=""), 400).lower() or True
    post_refused(Client(), form(service, token="palsu"), 400)


def test_a_replayed_form_is_a_conflict(service) -> None:
    client = Client()
    data = form(service)
    assert client.post(URL, data).status_code == 302
    post_refused(client, data, 409)
    assert OutsideRequest.objects.count() == 1


def test_a_form_sent_too_fast_or_with_the_honeypot_is_refused(service) -> None:
    post_refused(Client(), form(service, token=guard.issue(service)), 400)
    post_refused(Client(), form(service, website="isi"), 400)


def test_the_hourly_limits_answer_429_with_retry_after(service, settings) -> None:
    settings.LAKSANA_INTAKE_PER_ADDRESS_HOUR = 1
    client = Client()
    assert client.post(URL, form(service)).status_code == 302
    before = counts()
    response = client.post(URL, form(service, email="lain@contoh.id"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert counts() == before
    # The form itself is not handed out either (no new token).
    tokens = FormToken.objects.count()
    shown = client.get(URL)
    assert shown.status_code == 429 and FormToken.objects.count() == tokens


def test_the_email_limit_answers_429(service, settings) -> None:
    settings.LAKSANA_INTAKE_PER_EMAIL_HOUR = 1
    assert Client(REMOTE_ADDR="192.0.2.1").post(URL, form(service)).status_code == 302
    post_refused(Client(REMOTE_ADDR="192.0.2.2"), form(service), 429)


def test_wrong_fields_are_shown_at_the_field_and_the_token_kept(service) -> None:
    data = form(service, name="", phone="abc", title="")
    body = post_refused(Client(), data, 422)
    assert body.count('class="field-error"') == 3
    assert f'value="{data["token"]}"' in body
    fixed = {**data, "name": "Ayu", "phone": "", "title": "Judul"}
    assert Client().post(URL, fixed).status_code == 302  # the token was not used


def test_too_many_oversized_or_wrong_files_are_refused(service) -> None:
    many = [SimpleUploadedFile(f"b{i}.pdf", PDF, "application/pdf") for i in range(4)]
    post_refused(Client(), {**form(service), "files": many}, 422)
    big = SimpleUploadedFile("besar.pdf", PDF + b"%" * (5 * 1024 * 1024), "application/pdf")
    post_refused(Client(), {**form(service), "files": [big]}, 422)
    html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    post_refused(Client(), {**form(service), "files": [html]}, 422)


def test_opening_the_confirmation_link_writes_nothing(service) -> None:
    client = Client()
    client.post(URL, form(service))
    path = link_in(Message.objects.get(), "/layanan/konfirmasi/")
    before = counts()
    for _ in range(2):
        shown = client.get(path)
        assert shown.status_code == 200 and 'method="post"' in text(shown)
        assert client.head(path).status_code == 200
    assert counts() == before and Case.objects.count() == 0
    assert OutsideRequest.objects.get().status == RequestStatus.AWAITING


def test_a_forged_or_used_confirmation_is_a_clear_page(service) -> None:
    client = Client()
    client.post(URL, form(service))
    path = link_in(Message.objects.get(), "/layanan/konfirmasi/")
    assert client.get("/layanan/konfirmasi/palsu/").status_code == 404
    before = counts()
    assert client.post("/layanan/konfirmasi/palsu/").status_code == 404
    assert counts() == before
    assert client.post(path).status_code == 200
    mails = Message.objects.count()
    assert client.post(path).status_code == 404 and client.get(path).status_code == 404
    assert Case.objects.count() == 1 and Message.objects.count() == mails


def _track(client: Client, reference: str, email: str):
    response = client.post("/layanan/lacak/", {"reference": reference, "email": email})
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text(response))
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", body)
    return response.status_code, body


def test_tracking_answers_the_same_for_wrong_and_right_pairs(service) -> None:
    client = Client()
    client.post(URL, form(service))
    client.post(link_in(Message.objects.get(), "/layanan/konfirmasi/"))
    reference = OutsideRequest.objects.get().case.reference
    mails = Message.objects.count()
    wrong = _track(client, reference, "orang@lain.id")
    unknown = _track(client, "TIDAK-ADA", "ayu@contoh.id")
    assert Message.objects.count() == mails
    right = _track(client, reference, "ayu@contoh.id")
    assert wrong == unknown == right and wrong[0] == 200
    assert Message.objects.count() == mails + 1


# --- the way through ---------------------------------------------------------------------------


def test_the_agency_page_and_the_form_in_indonesian(service) -> None:
    listed = Client().get(AGENCY)
    assert listed.status_code == 200 and URL in text(listed)
    shown = Client().get(URL)
    body = text(shown)
    assert shown.status_code == 200 and "Bantuan masalah aplikasi" in body
    assert 'name="token"' in body and 'name="website"' in body and 'name="files"' in body
    assert "<script" not in body.split("</head>")[1] or "nonce" in body
    assert FormToken.objects.filter(service=service, used_at__isnull=True).count() == 1
    assert "no-cache" in shown["Cache-Control"]


def test_filed_by_the_web_confirmed_and_followed(service, bali) -> None:
    client = Client()
    upload = SimpleUploadedFile("bukti.pdf", PDF, "application/pdf")
    response = client.post(URL, {**form(service), "files": [upload]})
    assert response.status_code == 302 and response["Location"] == "/layanan/terkirim/"
    assert client.get("/layanan/terkirim/").status_code == 200
    confirm = link_in(Message.objects.get(), "/layanan/konfirmasi/")
    done = client.post(confirm)
    assert done.status_code == 200
    request = OutsideRequest.objects.get()
    assert request.status == RequestStatus.OPENED and request.case is not None
    the_desk = desk.desk_for(bali.agency)
    assert request.case.requesting_unit_id == the_desk.unit_id
    assert request.case.opened_by_id == the_desk.robot_id
    assert request.case.reference in text(done)
    assert request.case.attachments.count() == 1
    follow = link_in(Message.objects.order_by("-id").first(), "/layanan/permohonan/")
    assert desk.request_by_link(secret_of(follow)) == request


def test_a_signed_in_requester_files_and_sees_only_their_own(service) -> None:
    users = get_user_model().objects
    mine = users.create_user("warga", "warga@contoh.id", "x")
    other = users.create_user("tetangga", "tetangga@contoh.id", "x")
    client = Client()
    client.force_login(mine)
    shown = client.get(URL)
    assert "warga@contoh.id" in text(shown) and 'name="email"' not in text(shown)
    response = client.post(URL, form(service, title="Permohonan saya"))
    assert response.status_code == 302 and "dibuka=1" in response["Location"]
    assert OutsideRequest.objects.get().status == RequestStatus.OPENED
    theirs = Client()
    theirs.force_login(other)
    theirs.post(URL, form(service, title="Permohonan tetangga"))
    page = text(client.get("/layanan/saya/"))
    assert "Permohonan saya" in page and "Permohonan tetangga" not in page
    assert Client().get("/layanan/saya/").status_code == 302
