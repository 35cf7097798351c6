"""The error pages in production (DEBUG off): 403, 404 and 500 in Indonesian on an Indonesian
screen, English when English is chosen (issue 16, item 13)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from .test_translations import ENGLISH_PHRASES, text_of

pytestmark = pytest.mark.django_db


def _refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a defect")


urlpatterns = [
    path("ditolak/", _refused),
    path("rusak/", _broken),
    path("", include("laksana.config.urls")),
]


def english_on(response) -> list[str]:
    text = text_of(response)
    return [p for p in ENGLISH_PHRASES if p in text]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def staff(client: Client, bali) -> Client:
    client.force_login(bali["dinkes_staf"].user)
    return client


@pytest.mark.parametrize(
    ("url", "status", "indonesian"),
    [
        ("/tidak-ada/", 404, "Halaman tidak ditemukan"),
        ("/kasus/bali-1999-000000/", 404, "Halaman tidak ditemukan"),
        ("/katalog/proker/0/", 404, "Halaman tidak ditemukan"),
        ("/ditolak/", 403, "Akses ditolak"),
        ("/rusak/", 500, "Kesalahan server"),
    ],
)
def test_error_pages_are_indonesian(production, staff, url, status, indonesian):
    staff.raise_request_exception = False
    response = staff.get(url)
    assert response.status_code == status
    assert '<html lang="id">' in response.content.decode()
    assert indonesian in text_of(response)
    assert english_on(response) == []
    for english in ("Not Found", "Forbidden", "Server Error", "requested resource"):
        assert english not in response.content.decode()


@pytest.mark.parametrize(
    ("url", "english"),
    [
        ("/tidak-ada/", "Page not found"),
        ("/ditolak/", "Access denied"),
        ("/rusak/", "Server error"),
    ],
)
def test_they_switch_to_english_when_chosen(production, staff, url, english):
    staff.raise_request_exception = False
    staff.cookies["django_language"] = "en"
    response = staff.get(url)
    assert english in text_of(response)


def test_an_anonymous_visitor_gets_the_indonesian_404_too(production, client):
    response = client.get("/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in text_of(response)


def test_a_refusal_names_its_reason_in_indonesian(production, client, djki):
    client.force_login(djki["ipasdev"].user)  # a vendor: no work programmes
    response = client.get("/katalog/proker/")
    assert response.status_code == 403
    text = text_of(response)
    assert "Akses ditolak" in text
    assert "Program kerja merupakan perencanaan internal instansi." in text
    assert english_on(response) == []
