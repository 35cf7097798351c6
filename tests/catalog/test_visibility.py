"""The one visibility gate: another agency's people see neither the application nor its cases;
a vendor sees only the applications, contracts and documents its contracts cover; the cases on
an application's page are those the viewer may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from laksana.accounts.services import issue_token
from laksana.cases import services as case_services
from laksana.catalog import services
from laksana.catalog.models import Application

from ..cases.helpers import pdf

pytestmark = pytest.mark.django_db


def signed_in(client: Client, person) -> Client:
    client.force_login(person.user)
    return client


def api_get(client: Client, person, path: str):
    _token, secret = issue_token(person, "tests")
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def sikesda_case(bali, sop002):
    return case_services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA lambat saat rekap",
        application=bali.applications["sikesda"],
    )


def test_another_agencys_person_sees_neither_the_application_nor_its_cases(
    client, bali, djki, sikesda_case
):
    app = bali.applications["sikesda"]
    c = signed_in(client, djki["direktur"])
    assert c.get(reverse("catalog:detail", args=[app.pk])).status_code == 404
    listing = c.get(reverse("catalog:list")).content.decode()
    assert "SIKESDA" not in listing and "IPAS" in listing
    assert api_get(client, djki["direktur"], f"/api/applications/{app.pk}").status_code == 404
    items = api_get(client, djki["direktur"], "/api/applications").json()["items"]
    assert [i["short_name"] for i in items] == ["IPAS"]
    export = c.get(reverse("catalog:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "SIKESDA" not in export and "IPAS" in export


def test_the_page_lists_only_the_cases_the_viewer_may_see(client, bali, sikesda_case):
    app = bali.applications["sikesda"]
    # The requester sees the case on the application's page; BKD staff see the application
    # (their agency's catalogue) but not the Dinkes case.
    page = signed_in(client, bali["dinkes_staf"]).get(reverse("catalog:detail", args=[app.pk]))
    assert sikesda_case.reference in page.content.decode()
    page = signed_in(client, bali["bkd"]).get(reverse("catalog:detail", args=[app.pk]))
    assert page.status_code == 200
    assert sikesda_case.reference not in page.content.decode()
    record = api_get(client, bali["bkd"], f"/api/applications/{app.pk}").json()
    assert record["cases"] == [] and record["name"] == app.name


def test_a_vendor_sees_only_what_its_contracts_cover(client, djki):
    ipas = djki.applications["ipas"]
    own = ipas.contracts.get()
    other = services.add_contract(
        None,
        ipas.pk,
        services.ContractInput(
            vendor_name="PT Lain Sekali",
            number="KTR-LAIN/2026/9",
            starts_on=dt.date(2026, 1, 1),
        ),
    )
    mine = services.add_document(None, ipas.pk, pdf("kontrak-ipas.pdf"), contract_id=own.pk)
    theirs = services.add_document(None, ipas.pk, pdf("kontrak-lain.pdf"), contract_id=other.pk)
    general = services.add_document(None, ipas.pk, pdf("manual.pdf"), kind="manual")
    hidden = services.create_application(
        None, djki.agency, services.ApplicationInput(name="Sistem Kepegawaian DJKI")
    )
    vendor = djki["ipasdev"]
    c = signed_in(client, vendor)
    page = c.get(reverse("catalog:detail", args=[ipas.pk])).content.decode()
    assert own.number in page and other.number not in page
    assert "kontrak-ipas.pdf" in page and "manual.pdf" in page
    assert "kontrak-lain.pdf" not in page
    assert c.get(reverse("catalog:detail", args=[hidden.pk])).status_code == 404
    assert c.get(reverse("catalog:document", args=[ipas.pk, theirs.pk])).status_code == 404
    assert c.get(reverse("catalog:document", args=[ipas.pk, mine.pk])).status_code == 200
    assert c.get(reverse("catalog:document", args=[ipas.pk, general.pk])).status_code == 200
    record = api_get(client, vendor, f"/api/applications/{ipas.pk}").json()
    assert [k["number"] for k in record["contracts"]] == [own.number]
    assert {d["title"] for d in record["documents"]} == {"kontrak-ipas.pdf", "manual.pdf"}
    theirs_url = f"/api/applications/{ipas.pk}/documents/{theirs.pk}"
    assert api_get(client, vendor, theirs_url).status_code == 404
    export = c.get(reverse("catalog:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "IPAS" in export and "Sistem Kepegawaian DJKI" not in export
    assert "KTR-LAIN" not in export
    # The agency's own staff see both contracts; the vendor's list has only IPAS.
    staff = signed_in(Client(), djki["kasie_app"])
    assert other.number in staff.get(reverse("catalog:detail", args=[ipas.pk])).content.decode()
    items = api_get(client, vendor, "/api/applications").json()["items"]
    assert [i["id"] for i in items] == [ipas.pk]
    # Work programmes are the agency's internal planning.
    assert c.get(reverse("catalog:programme", args=[2027])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, bali):
    app = bali.applications["simpeg"]
    for url in (
        reverse("catalog:list"),
        reverse("catalog:detail", args=[app.pk]),
        reverse("catalog:export"),
        reverse("catalog:programme", args=[2027]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get("/api/applications").status_code == 401


def test_an_administrator_sees_every_agency(client, bali, djki, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    listing = client.get(reverse("catalog:list")).content.decode()
    assert "SIKESDA" in listing and "IPAS" in listing
    assert Application.objects.count() == 3
