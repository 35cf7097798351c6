"""The scenario set screens on a 375 px phone (issue 18, item 5): no page wider than the
screen, and a keeper adds a scenario there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laksana.quality import scenarios
from tests.browser.test_narrow_screens import MEASURE, PHONE
from tests.quality.test_scenarios import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_keeper_adds_a_scenario_on_a_375_px_phone(sign_in, bali):
    made = scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="UAT SIKESDA",
        app_version="2.1",
        scenarios=[login(1), login(2)],
    )
    session = sign_in("kadis")
    page = session.page
    page.set_viewport_size(PHONE)
    wide = {}
    for url in (
        reverse("quality:sets"),
        reverse("quality:set", args=[made.pk]),
        reverse("quality:sets_revisions", args=[made.pk]),
        reverse("quality:sets_import", args=[made.pk]),
        reverse("quality:sets_new"),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        m = page.evaluate(MEASURE)
        if m["page"] > m["width"] or m["body"] > m["width"]:
            wide[url] = m
    assert wide == {}, wide
    page.goto(reverse("quality:set", args=[made.pk]))
    page.get_by_role("link", name="Tambah skenario").click()
    page.fill("input[name=number]", "SK-03")
    page.fill("input[name=title]", "Keluar dari aplikasi")
    page.fill("textarea[name=steps]", "Tekan Keluar")
    page.fill("textarea[name=expected]", "Halaman masuk tampil")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state("networkidle")
    assert "Keluar dari aplikasi" in page.content()
    made.refresh_from_db()
    assert made.revision == 2 and made.scenarios.count() == 3
