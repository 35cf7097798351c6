"""The follow link's page: one case per secret, only what a requester is shown."""

from __future__ import annotations

import logging

import pytest

from laksana.cases import services
from laksana.intake.models import RequestStatus
from tests.intake.follow_helpers import active, outside_case, url

pytestmark = pytest.mark.django_db


# --- attacks ----------------------------------------------------------------------------------


def test_a_made_up_or_wrong_link_is_not_found(client, bali):
    secret, _request = outside_case(bali.agency)
    for wrong in ("x" * 43, secret[:-1] + ("A" if secret[-1] != "A" else "B"), "a" * 120):
        response = client.get(url(wrong))
        assert response.status_code == 404
        assert b"Aplikasi SIMPEG" not in response.content
        assert response["Cache-Control"] == "no-store"


def test_a_spam_closed_or_unconfirmed_request_is_not_found(client, bali):
    secret, request = outside_case(bali.agency)
    request.status = RequestStatus.SPAM
    request.save(update_fields=["status"])
    assert client.get(url(secret)).status_code == 404
    request.status = RequestStatus.AWAITING
    request.save(update_fields=["status"])
    assert client.get(url(secret)).status_code == 404


def test_a_link_shows_its_own_case_only(client, bali):
    secret_a, a = outside_case(bali.agency, title="Permohonan pertama")
    _secret_b, b = outside_case(bali.agency, title="Permohonan kedua", email="b@contoh.id")
    page_a = client.get(url(secret_a)).content.decode()
    assert a.case.reference in page_a and "Permohonan pertama" in page_a
    assert b.case.reference not in page_a and "Permohonan kedua" not in page_a


def test_the_page_leaks_no_staff_name_comment_disposition_or_staff_file(client, bali):
    from tests.cases.helpers import pdf, work

    secret, request = outside_case(bali.agency)
    case = request.case
    # The requester's two steps, then staff work with names, comments and files.
    robot = request.agency.public_desk.robot
    case = work(robot, work(robot, case))
    services.add_comment(bali["kadis"], case.pk, "Catatan internal: prioritas rendah")
    services.add_attachment(bali["kadis"], case.pk, pdf("memo-internal.pdf"))
    services.add_remark(bali["kadis"], case.pk, "Jurnal harian rahasia")
    case = work(bali["kadis"], case)  # a disposition to the Kabid
    services.claim_step(bali["kabid"], active(case).pk)
    body = client.get(url(secret)).content.decode()
    for person in ("kadis", "kabid", "ketuatim", "dev1"):
        assert bali[person].name not in body
    for hidden in ("Catatan internal", "memo-internal.pdf", "Jurnal harian", "Proses lebih lanjut"):
        assert hidden not in body
    # The requester's own files are listed.
    assert "surat_permohonan.pdf" in body


# --- the way through --------------------------------------------------------------------------


def test_the_page_shows_reference_service_status_dates_and_steps(client, bali, caplog):
    secret, request = outside_case(bali.agency)
    case = request.case
    with caplog.at_level(logging.DEBUG):
        response = client.get(url(secret))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    body = response.content.decode()
    assert case.reference in body
    assert "Penanganan Masalah Aplikasi" in body
    spec = case.version.spec
    for step in spec.steps:
        assert step.activity.split()[0] in body
    # Step 1 is the requester's: its form is shown.
    assert f"/langkah/{active(case).pk}/" in body
    assert secret not in caplog.text


def test_a_missing_link_is_not_logged_with_its_secret(client, bali, caplog):
    with caplog.at_level(logging.DEBUG):
        assert client.get(url("rahasia-yang-dikarang-" + "z" * 20)).status_code == 404
    assert "rahasia-yang-dikarang" not in caplog.text


def test_the_link_is_rate_limited_as_a_public_route(client, bali, caplog, monkeypatch):
    from django.test import override_settings

    from laksana.web import ratelimit

    # One minute of the clock: the counts are per minute.
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_800_000_030.0)
    secret, _request = outside_case(bali.agency)
    with override_settings(LAKSANA_PUBLIC_RATE_LIMIT=2), caplog.at_level(logging.DEBUG):
        answers = [client.get(url(secret)).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    # The refusal is logged with the address, not with the link's secret.
    refused = [r for r in caplog.records if getattr(r, "event", "") == "rate_limited"]
    assert refused and refused[0].path == "/layanan/permohonan/…/"
    assert secret not in caplog.text
