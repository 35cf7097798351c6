"""A number in a query string is read only when it is one: characters that ``str.isdigit``
accepts but ``int`` does not (superscripts such as "²") are treated as any other text, never
as a server error."""

from __future__ import annotations

import pytest

from laksana.cases import services

pytestmark = pytest.mark.django_db

ODD = "²"  # a digit to str.isdigit, not a decimal number to int()


def test_lists_reports_and_the_calendar_ignore_a_superscript_number(
    client, bali, sop002, django_user_model
):
    services.open_case(bali["dinkes_staf"], sop002, "Aplikasi lambat sekali")
    client.force_login(django_user_model.objects.create_superuser("admin", "a@b.c", "x"))
    cursor = f"2026-01-01T00:00:00+00:00,{ODD}"
    for url, params in [
        ("/kasus/", {"unit": ODD}),
        ("/kasus/", {"application": ODD}),
        ("/kasus/", {"after": cursor}),
        ("/katalog/", {"unit": ODD}),
        ("/laporan/", {"unit": ODD, "application": ODD, "agency": ODD}),
        ("/laporan/terlambat/", {"unit": ODD, "after": cursor}),
        (f"/organisasi/{bali.agency.slug}/kalender/", {"tahun": ODD}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
    # Ignored as a filter: the whole list, as without it.
    page = client.get("/kasus/", {"unit": ODD}).content.decode()
    assert "Aplikasi lambat sekali" in page
