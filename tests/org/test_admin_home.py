"""The agency administrator's home (Pengaturan instansi), the navigation's link to it, and
Django's admin kept for the installation's superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from laksana.org import views_more
from tests.org.admin_helpers import signed_in

pytestmark = pytest.mark.django_db

HOME = "/organisasi/diskominfos-bali/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_only_the_agencys_administrators_open_it(client, bali, djki):
    response = client.get(HOME)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    staff = bali["kadis"]
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    assert signed_in(staff).get(HOME).status_code == 403
    assert signed_in(djki["admindjki"]).get(HOME).status_code == 404
    assert signed_in(djki["ipasdev"]).get(HOME).status_code == 404
    assert signed_in(bali["adminbali"]).get("/organisasi/nowhere/").status_code == 404
    assert signed_in(bali["adminbali"]).post(HOME).status_code == 405


def test_it_links_every_part_that_exists_with_counts(bali, monkeypatch):
    page = signed_in(bali["adminbali"]).get(HOME).content.decode()
    for url in (
        HOME + "vendor/",
        HOME + "disposisi/",
        HOME + "riwayat/",
        HOME + "kalender/",
        "/organisasi/",
    ):
        assert f'href="{url}"' in page, url
    assert "0 vendors" in page
    # A part whose screen has not landed is left out, not an error.
    monkeypatch.setattr(
        views_more, "_PARTS", (*views_more._PARTS, ("org:not_yet", True, "Not yet", "…"))
    )
    response = signed_in(bali["adminbali"]).get(HOME)
    assert response.status_code == 200 and "Not yet" not in response.content.decode()


def test_the_navigation_links_administrators_only(bali):
    link = f'href="{HOME}"'
    assert link in signed_in(bali["adminbali"]).get("/kasus/").content.decode()
    assert link not in signed_in(bali["kadis"]).get("/kasus/").content.decode()


def test_djangos_admin_is_for_the_superuser_only(bali):
    staff = bali["adminbali"]  # an agency administrator, and a Django staff account
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    response = signed_in(staff).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert signed_in(staff).get("/admin/org/person/").status_code == 302
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
