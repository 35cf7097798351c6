"""A NUL character typed or sent in a search box is a word separator, never a server error
(PostgreSQL cannot compare text with it)."""

from __future__ import annotations

import pytest

from laksana.cases import services

pytestmark = pytest.mark.django_db


def test_case_and_catalogue_search_with_a_nul_character(client, bali, sop002):
    services.open_case(bali["dinkes_staf"], sop002, "Aplikasi lambat sekali")
    client.force_login(bali["dinkes_staf"].user)
    response = client.get("/kasus/", {"q": "lambat\x00sekali"})
    assert response.status_code == 200
    assert "Aplikasi lambat sekali" in response.content.decode()
    assert client.get("/katalog/", {"q": "pajak\x00"}).status_code == 200
