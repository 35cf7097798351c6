"""The work-programme pages (/katalog/proker/) with an application of no owning unit, and
years no programme can have (issue 16, item 13)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from laksana.catalog import services
from laksana.catalog.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def unowned(utn) -> Application:
    """A proposal as a SOP 003 case opens it without choosing a unit, in the 2027 programme."""
    app = services.propose_application(
        utn["utn_ft_staf"], utn.agency, services.ApplicationInput(name="Sistem Informasi Alumni")
    )
    assert app.owner_unit is None
    services.add_to_work_programme(
        None, app.pk, services.ProgrammeInput(year=2027, budget=Decimal("150000000"))
    )
    return app


def test_an_application_without_an_owning_unit_is_listed(client, utn, unowned):
    client.force_login(utn["utn_direktur"].user)
    response = client.get(reverse("catalog:programme", args=[2027]))
    assert response.status_code == 200
    assert "Sistem Informasi Alumni" in response.content.decode()
    assert response.context["count"] == 1


@pytest.mark.parametrize("year", [0, 1, 1999, 2101, 99999])
def test_a_year_no_programme_can_have_is_not_found(client, utn, year):
    client.force_login(utn["utn_direktur"].user)
    response = client.get(f"/katalog/proker/{year}/")
    assert response.status_code == 404


def test_the_first_and_last_years_do_not_link_beyond_the_range(client, utn):
    client.force_login(utn["utn_direktur"].user)
    first = client.get(reverse("catalog:programme", args=[2000])).content.decode()
    last = client.get(reverse("catalog:programme", args=[2100])).content.decode()
    assert "/katalog/proker/1999/" not in first and "/katalog/proker/2001/" in first
    assert "/katalog/proker/2101/" not in last and "/katalog/proker/2099/" in last
