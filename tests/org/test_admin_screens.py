"""The administrator's screens for units, positions, people and roles: who reaches them
(anonymous: sign in; a member of the agency who does not administer it: 403; another agency's
administrator or object: 404), refusals shown at the field (422) with nothing written, and the
writes going through the services."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from laksana.org.models import OrgChange, Person, Position, RoleKind, Unit
from tests.org.admin_state import nothing_written

pytestmark = pytest.mark.django_db


def signed_in(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def urls(org) -> list[str]:
    slug = org.agency.slug
    pos = Position.objects.filter(agency=org.agency).first()
    staff = next(p for p in org.people.values() if p.vendor_id is None)
    return [
        reverse("org:admin_units", args=[slug]),
        reverse("org:admin_unit", args=[slug, next(iter(org.units.values())).pk]),
        reverse("org:admin_positions", args=[slug]),
        reverse("org:admin_position", args=[slug, pos.pk]),
        reverse("org:admin_people", args=[slug]),
        reverse("org:admin_person", args=[slug, staff.pk]),
        reverse("org:admin_roles", args=[slug]),
    ]


def test_who_reaches_the_screens(bali, djki):
    anonymous = Client()
    kadis, other = signed_in(bali["kadis"]), signed_in(djki["admindjki"])
    admin = signed_in(bali["adminbali"])
    for url in urls(bali):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{resolve_url(settings.LOGIN_URL)}?next="), url
        with nothing_written():
            assert kadis.get(url).status_code == 403, url
            assert kadis.post(url, {"name": "X"}).status_code == 403, url
            assert other.get(url).status_code == 404, url
            assert other.post(url, {"name": "X"}).status_code == 404, url
        assert admin.get(url).status_code == 200, url
    # Another agency's records under one's own agency are not found.
    for url in urls(djki)[1::2]:
        own = url.replace(f"/{djki.agency.slug}/", f"/{bali.agency.slug}/")
        assert admin.get(own).status_code == 404, own
    vendor_staff = reverse("org:admin_person", args=[djki.agency.slug, djki["ipasdev"].pk])
    assert other.get(vendor_staff).status_code == 404


def test_the_unit_tree_is_indented_and_a_unit_is_added_and_removed(bali, djki):
    admin = signed_in(bali["adminbali"])
    url = reverse("org:admin_units", args=[bali.agency.slug])
    page = admin.get(url).content.decode()
    assert "— — Tim SPBE" in page and "— Bidang Infrastruktur" in page
    with nothing_written():
        response = admin.post(url, {"name": "X", "kind": "team", "parent": djki.units["tiki"].pk})
        assert response.status_code == 422
        response = admin.post(url, {"name": "X", "kind": "public"})
        assert response.status_code == 422
    response = admin.post(url, {"name": "Seksi Data", "kind": "section", "parent": ""})
    assert response.status_code == 302
    unit = Unit.objects.get(agency=bali.agency, name="Seksi Data")
    assert OrgChange.objects.filter(subject="unit", object_id=str(unit.pk)).count() == 1
    edit = reverse("org:admin_unit", args=[bali.agency.slug, unit.pk])
    response = admin.post(
        edit,
        {"action": "save", "name": "Seksi Data", "kind": "section", "parent": bali.units["iai"].pk},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.parent == bali.units["iai"]
    with nothing_written():
        response = admin.post(
            reverse("org:admin_unit", args=[bali.agency.slug, bali.units["iai"].pk]),
            {"action": "save", "name": "Bidang IAI", "kind": "division", "parent": unit.pk},
        )
        assert response.status_code == 422  # below itself
        response = admin.post(
            reverse("org:admin_unit", args=[bali.agency.slug, bali.units["iai"].pk]),
            {"action": "remove"},
        )
        assert response.status_code == 422 and "Bidang IAI" in response.content.decode()
    assert admin.post(edit, {"action": "remove"}).status_code == 302
    assert not Unit.objects.filter(pk=unit.pk).exists()


def listed(response) -> str:
    page = response.content.decode()
    return page[page.index('id="people-list"') :].split("</table>")[0]


def test_people_are_searched_added_and_refused_at_the_field(bali, djki):
    admin = signed_in(bali["adminbali"])
    url = reverse("org:admin_people", args=[bali.agency.slug])
    page = listed(admin.get(url, {"q": bali["kadis"].nip[:8]}))
    assert bali["kadis"].name in page and bali["bkd"].name not in page
    page = listed(admin.get(url, {"unit": bali.units["bkd"].pk}))
    assert bali["bkd"].name in page and bali["kadis"].name not in page
    form = {"name": "Ni Made Sari", "unit": bali.units["iai"].pk, "username": "sari"}
    with nothing_written():
        response = admin.post(url, {**form, "password": "Bunga-Jepun-2026", "password_again": "x"})
        assert response.status_code == 422
        response = admin.post(url, {**form, "nip": djki["direktur"].nip})
        assert response.status_code == 422 and 'id="id_nip"' in response.content.decode()
        response = admin.post(url, {**form, "superior": djki["direktur"].pk})
        assert response.status_code == 422
    response = admin.post(
        url, {**form, "password": "Bunga-Jepun-2026", "password_again": "Bunga-Jepun-2026"}
    )
    assert response.status_code == 302
    sari = Person.objects.get(agency=bali.agency, name="Ni Made Sari")
    assert sari.user.username == "sari" and sari.user.check_password("Bunga-Jepun-2026")
    edit = reverse("org:admin_person", args=[bali.agency.slug, sari.pk])
    response = admin.post(
        edit,
        {
            "action": "save",
            "name": "Ni Made Sari",
            "unit": bali.units["bkd"].pk,
            "superior": bali["kabkd"].pk,
        },
    )
    assert response.status_code == 302
    sari.refresh_from_db()
    assert sari.unit == bali.units["bkd"] and sari.superior == bali["kabkd"]
    assert admin.post(edit, {"action": "remove"}).status_code == 302
    assert not Person.objects.filter(pk=sari.pk).exists()


def test_roles_are_given_and_the_last_administrator_keeps_theirs(bali, djki):
    admin = signed_in(bali["adminbali"])
    url = reverse("org:admin_roles", args=[bali.agency.slug])
    me = bali["adminbali"]
    with nothing_written():
        response = admin.post(url, {"action": "revoke", "person": me.pk, "kind": "agency_admin"})
        assert response.status_code == 422
        response = admin.post(
            url, {"action": "grant", "person": djki["direktur"].pk, "kind": "agency_admin"}
        )
        assert response.status_code == 422
    response = admin.post(
        url, {"action": "grant", "person": bali["kadis"].pk, "kind": "catalogue_keeper"}
    )
    assert response.status_code == 302
    assert bali["kadis"].roles.filter(kind=RoleKind.CATALOGUE_KEEPER).exists()
    assert bali["kadis"].name in admin.get(url).content.decode()
