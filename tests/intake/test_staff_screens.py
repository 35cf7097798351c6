"""The staff's screens of the public desk: who gets in (403 for the agency's other staff, 404
for another agency), errors shown at the field with nothing written, and the happy paths."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from laksana.demo.orgs import SOP_002, SOP_004
from laksana.intake.models import OutsideRequest, PublicService, RequestStatus
from laksana.org.models import OrgChange

from .staff_helpers import outside, service

pytestmark = pytest.mark.django_db


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _url(name: str, agency, *args) -> str:
    return reverse(f"org:{name}", args=[agency.slug, *args])


def test_who_gets_in(bali, djki):
    svc = service(bali.agency, SOP_002)
    row = outside(svc)
    urls = [
        _url("public_services", bali.agency),
        _url("public_service", bali.agency, svc.pk),
        _url("outside_requests", bali.agency),
        _url("outside_request", bali.agency, row.pk),
    ]
    for url in urls:
        assert Client().get(url).status_code == 302
        assert _client(bali["dinkes_staf"]).get(url).status_code == 403
        assert _client(djki["admindjki"]).get(url).status_code == 404
        assert _client(bali["adminbali"]).get(url).status_code == 200
        assert _client(bali["kabid"]).get(url).status_code == 200
    theirs = service(djki.agency, SOP_004, "djki")
    admin = _client(bali["adminbali"])
    assert admin.get(_url("public_service", bali.agency, theirs.pk)).status_code == 404
    other_row = outside(theirs)
    assert admin.get(_url("outside_request", bali.agency, other_row.pk)).status_code == 404
    assert (
        admin.post(_url("outside_request", bali.agency, other_row.pk), {"reason": "x"}).status_code
        == 404
    )
    assert OutsideRequest.objects.get(pk=other_row.pk).status == RequestStatus.AWAITING


def test_opening_a_procedure_from_the_screen_and_errors_at_the_field(bali):
    admin = _client(bali["adminbali"])
    url = _url("public_services", bali.agency)
    data = {
        "procedure_key": SOP_002,
        "title": "Pengaduan Masalah Aplikasi",
        "slug": "lacak",
        "intro": "Laporkan.",
        "is_open": "on",
    }
    refused = admin.post(url, data)
    assert refused.status_code == 400
    assert "slug" in refused.context["form"].errors
    assert PublicService.objects.count() == 0 and OrgChange.objects.count() == 0
    made = admin.post(url, {**data, "slug": "pengaduan-aplikasi"})
    assert made.status_code == 302
    svc = PublicService.objects.get()
    assert svc.slug == "pengaduan-aplikasi" and svc.is_open and not svc.accepts_files
    page = admin.get(url)
    assert b"Pengaduan Masalah Aplikasi" in page.content
    changed = admin.post(
        _url("public_service", bali.agency, svc.pk),
        {**data, "slug": "pengaduan-aplikasi", "procedure_key": SOP_004, "title": "Baru"},
    )
    assert changed.status_code == 302
    svc.refresh_from_db()
    assert svc.title == "Baru" and svc.procedure_key == SOP_002
    assert OrgChange.objects.filter(subject="public_service").count() == 2


def test_marking_spam_from_the_screens(bali):
    svc = service(bali.agency, SOP_002)
    one = outside(svc, "Iklan 1")
    two = outside(svc, "Iklan 2", email="x@example.org")
    keep = outside(svc, "Sah", address="9.9.9.9")
    admin = _client(bali["adminbali"])
    listing = admin.get(_url("outside_requests", bali.agency), {"q": "iklan"})
    assert listing.status_code == 200
    assert [r["request"].pk for r in listing.context["rows"]] == [two.pk, one.pk]
    assert listing.context["rows"][0]["same_address"] == 2
    empty = admin.post(_url("outside_request", bali.agency, one.pk), {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["form"].errors
    assert (
        admin.post(_url("outside_request", bali.agency, one.pk), {"reason": "Iklan"}).status_code
        == 302
    )
    one.refresh_from_db()
    assert one.status == RequestStatus.SPAM
    bulk = admin.post(
        _url("outside_requests", bali.agency), {"address": two.address_hash, "reason": "Banjir"}
    )
    assert bulk.status_code == 302
    two.refresh_from_db()
    keep.refresh_from_db()
    assert two.status == RequestStatus.SPAM and keep.status == RequestStatus.AWAITING
    staff = _client(bali["dinkes_staf"])
    assert (
        staff.post(_url("outside_request", bali.agency, keep.pk), {"reason": "x"}).status_code
        == 403
    )
    keep.refresh_from_db()
    assert keep.status == RequestStatus.AWAITING


def test_the_case_page_shows_the_requester_from_outside_and_the_spam_button_to_admins(bali):
    from laksana.intake import desk
    from laksana.org import roles
    from laksana.org.models import RoleKind

    from ..cases.helpers import work

    svc = service(bali.agency, SOP_002)
    row = outside(svc, opened=True)
    robot = desk.desk_for(bali.agency).robot
    case = work(robot, work(robot, row.case))  # the requester's steps 1 and 2: step 3 is the head's
    url = reverse("cases:detail", args=[case.reference])
    kadis = _client(bali["kadis"])
    page = kadis.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Wayan Sudarma" in text and "wayan@example.org" in text and "08123456789" in text
    spam_url = _url("outside_request", bali.agency, row.pk)
    assert spam_url not in text  # no administrator: no spam button
    roles.grant(bali["kadis"], RoleKind.PROCEDURE_ADMIN)
    assert spam_url in kadis.get(url).content.decode()
    # A case from inside has no such panel.
    from laksana.cases import services

    inside = services.open_case(bali["dinkes_staf"], bali.versions[SOP_002], "Dari dalam")
    page = _client(bali["dinkes_staf"]).get(reverse("cases:detail", args=[inside.reference]))
    assert page.status_code == 200 and "pemohon-luar" not in page.content.decode()
