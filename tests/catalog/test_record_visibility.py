"""An application's page, its API record and the work programme show the cases linked to
the application's record (stage changes, work programme, risks, data deletions) only to
those who may open them: to anyone else no reference, step or staff name of such a case
(issue 16, item 13). The gate is :func:`laksana.cases.queries.visible_cases`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laksana.accounts.services import issue_token
from laksana.cases import services as case_services
from laksana.cases.queries import can_view
from laksana.catalog import services
from laksana.catalog.models import StageChange, WorkProgrammeEntry
from laksana.demo.orgs import SOP_003

from .helpers import step
from .test_lifecycle import NEEDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(utn, versions):
    """A FT proposal approved by the Direktur (a stage change driven by the case, with his
    name and the step) and put into the 2031 work programme by the Koordinator."""
    app = services.propose_application(
        utn["utn_ft_staf"],
        utn.agency,
        services.ApplicationInput(name="Sistem Informasi Alumni", owner_unit=utn.units["ft"]),
    )
    case = case_services.open_case(
        utn["utn_ft_staf"], versions[SOP_003], "Usulan rahasia alumni", application=app
    )
    case = step(utn["utn_ft_staf"], case, values={"usulan_aplikasi": NEEDS})
    case = step(utn["utn_direktur"], case, "Ya")
    case = step(
        utn["utn_koord_app"],
        case,
        values={"proker": {"year": 2031, "budget": "150000000", "funding_source": "PNBP"}},
    )
    assert StageChange.objects.filter(application=app, case=case).exists()
    assert WorkProgrammeEntry.objects.filter(application=app, case=case).exists()
    return app, case


def secrets(utn, case) -> list[str]:
    """What a stranger to the case must not read: its reference, the step's activity that
    the stage change's reason quotes, the names of the staff who worked it."""
    activity = case.version.spec.step("s2a").activity
    return [case.reference, activity[:40], utn["utn_direktur"].name, utn["utn_koord_app"].name]


def test_the_application_page_hides_cases_the_viewer_cannot_open(client, utn, approved):
    app, case = approved
    outsider = utn["utn_feb_staf"]
    assert not can_view(outsider.user, case)
    client.force_login(outsider.user)
    page = client.get(reverse("catalog:detail", args=[app.pk])).content.decode()
    assert "Sistem Informasi Alumni" in page  # the application itself is in the catalogue
    leaked = [s for s in secrets(utn, case) if s in page]
    assert leaked == []


def test_those_who_may_open_the_case_still_see_it(client, utn, approved):
    app, case = approved
    insider = utn["utn_direktur"]
    assert can_view(insider.user, case)
    client.force_login(insider.user)
    page = client.get(reverse("catalog:detail", args=[app.pk])).content.decode()
    assert case.reference in page and utn["utn_direktur"].name in page


def test_the_api_record_hides_them_too(client, utn, approved):
    app, case = approved
    _token, secret = issue_token(utn["utn_feb_staf"], "tests")
    response = client.get(f"/api/applications/{app.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.content.decode()
    assert [s for s in secrets(utn, case) if s in body] == []
    [change] = [c for c in response.json()["stage_changes"] if c["new_stage"] == "approved"]
    assert (change["case"], change["step"], change["by"]) == (None, "", "")


def test_the_work_programme_hides_them_too(client, utn, approved):
    _app, case = approved
    client.force_login(utn["utn_feb_staf"].user)
    page = client.get(reverse("catalog:programme", args=[2031])).content.decode()
    assert "Sistem Informasi Alumni" in page
    assert case.reference not in page
