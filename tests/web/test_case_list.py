"""The case list: visibility, filters, search, keyset pages and the number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from laksana.cases import services
from laksana.cases.models import Case, CaseStatus

from ..cases.helpers import work

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(
    r'<td data-label="[^"]*" class="nowrap case-table__ref"><a href="/kasus/([^/]+)/"'
)


def references(response) -> list[str]:
    return REFERENCE.findall(response.content.decode())


def next_url(response) -> str:
    return response.context["next_url"]


@pytest.fixture
def admin_client(client, django_user_model) -> Client:
    """An administrator sees every case: the filters are what narrows the list."""
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(user)
    return client


@pytest.fixture
def several(bali, sop002) -> dict[str, Case]:
    """Cases of two units, on two applications, one of them finished."""
    start = timezone.now() - dt.timedelta(days=3)
    out = {
        "sikesda": services.open_case(
            bali["dinkes_staf"],
            sop002,
            "SIKESDA gagal menyimpan data pasien",
            application=bali.applications["sikesda"],
            now=start,
        ),
        "login": services.open_case(
            bali["dinkes_staf"], sop002, "Login lambat", now=start + dt.timedelta(hours=1)
        ),
        "simpeg": services.open_case(
            bali["bkd"],
            sop002,
            "Data pensiun tidak muncul",
            "Menu pensiun kosong sejak Senin",
            application=bali.applications["simpeg"],
            now=start + dt.timedelta(hours=2),
        ),
    }
    case = out["login"]
    for who in (
        "dinkes_staf",
        "dinkes_staf",
        "kadis",
        "kabid",
        "ketuatim",
        "dev1",
        "qa1",
        "dev1",
        "dinkes_staf",
        "kadis",
        "kadis",
    ):
        case = work(bali[who], case)
    assert case.status == CaseStatus.FINISHED
    out["login"] = case
    return out


def test_a_requester_sees_the_cases_of_their_unit_only(client, bali, several):
    client.force_login(bali["dinkes_staf"].user)
    response = client.get("/kasus/")
    assert response.status_code == 200
    assert references(response) == [several["login"].reference, several["sikesda"].reference]
    client.force_login(bali["bkd"].user)
    assert references(client.get("/kasus/")) == [several["simpeg"].reference]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=finished", ["login"]),
        ("status=running", ["simpeg", "sikesda"]),
        ("procedure=sop-002-penanganan-masalah-aplikasi", ["simpeg", "login", "sikesda"]),
        ("procedure=sop-004-pemulihan-gagal-fungsi-ipas", []),
        ("unit={bkd}", ["simpeg"]),
        ("unit={dinkes}&status=running", ["sikesda"]),
        ("application={sikesda}", ["sikesda"]),
        ("q=pensiun", ["simpeg"]),
        ("q=PASIEN simpan", []),
        ("q=gagal pasien", ["sikesda"]),
        ("q=sikesda", ["sikesda"]),  # the application's name
        ("q=dinkes", ["login", "sikesda"]),  # the requesting unit (its short name)
        ("q=senin", ["simpeg"]),  # the description
        ("q={ref}", ["sikesda"]),
    ],
)
def test_filters_and_search_find_the_right_cases(admin_client, bali, several, query, expected):
    query = query.format(
        bkd=bali.units["bkd"].pk,
        dinkes=bali.units["dinkes"].pk,
        sikesda=bali.applications["sikesda"].pk,
        ref=several["sikesda"].reference,
    )
    response = admin_client.get(f"/kasus/?{query}")
    assert response.status_code == 200
    assert references(response) == [several[k].reference for k in expected]


def test_each_row_shows_its_current_step_or_that_it_is_finished(admin_client, bali, several):
    sikesda = work(bali["dinkes_staf"], several["sikesda"])  # step 1 done: step 2 is current
    spec = sikesda.version.spec
    (row,) = sikesda.steps.filter(status="active")
    step = spec.step(row.step_key)
    page = admin_client.get("/kasus/").content.decode()
    rows = {
        ref: html
        for ref, html in re.findall(r'href="/kasus/([^/]+)/">[^<]*</a></td>(.*?)</tr>', page, re.S)
    }
    assert (
        f'<span class="step-chip">{step.number}</span> {step.activity[:59]}'
        in rows[sikesda.reference]
    )
    assert "SIKESDA" in rows[sikesda.reference]  # the application
    assert "Dinkes" in rows[sikesda.reference] or "Dinas Kesehatan" in rows[sikesda.reference]
    assert "pill--case-finished" in rows[several["login"].reference]
    assert "step-chip" not in rows[several["login"].reference]
    simpeg = several["simpeg"]
    first = spec.step(simpeg.steps.get(status="active").step_key)
    chips = re.compile(r'<span class="step-chip">([^<]*)</span>')
    # Only the current step: not the steps done before it.
    assert chips.findall(rows[sikesda.reference]) == [step.number]
    assert chips.findall(rows[simpeg.reference]) == [first.number]


def test_the_per_unit_view_names_the_unit(admin_client, bali, several):
    response = admin_client.get(f"/kasus/?unit={bali.units['bkd'].pk}")
    assert "Badan Kepegawaian Daerah Provinsi Bali" in response.content.decode()
    assert response.context["unit"] == bali.units["bkd"]


def test_keyset_pages_follow_each_other_without_repeats(admin_client, bali, sop002):
    # Thirty cases, ten of them opened in the same instant: the id breaks the tie.
    base = timezone.now() - dt.timedelta(days=1)
    for i in range(30):
        services.open_case(
            bali["dinkes_staf"],
            sop002,
            f"Permintaan {i}",
            now=base + dt.timedelta(minutes=max(i, 20)),
        )
    newest_first = list(
        Case.objects.order_by("-opened_at", "-id").values_list("reference", flat=True)
    )
    first = admin_client.get("/kasus/")
    assert references(first) == newest_first[:25]
    assert "after=" in next_url(first)
    second = admin_client.get("/kasus/" + next_url(first))
    assert references(second) == newest_first[25:]
    assert next_url(second) == ""
    # The same page as htmx appends: rows only, with the new "more" button out of band.
    rows = admin_client.get(
        "/kasus/" + next_url(first), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-rows"
    )
    body = rows.content.decode()
    assert "<html" not in body and "<tr>" in body and 'hx-swap-oob="true"' in body
    assert references(rows) == newest_first[25:]
    # The filters are kept in the next page's link.
    filtered = admin_client.get("/kasus/?status=running&q=permintaan")
    assert "status=running" in next_url(filtered) and "q=permintaan" in next_url(filtered)
    # A cursor that cannot be read shows the first page.
    assert references(admin_client.get("/kasus/?after=rubbish")) == newest_first[:25]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["dinkes_staf", "admin"])
def test_the_list_costs_the_same_queries_for_3_or_25_cases(
    client, bali, sop002, who, django_user_model
):
    if who == "admin":
        client.force_login(django_user_model.objects.create_superuser("admin", "a@b.c", "x"))
    else:
        client.force_login(bali[who].user)
    for i in range(3):
        services.open_case(bali["dinkes_staf"], sop002, f"Kasus {i}")
    # A version's spec is read once per process (kept_version), by whichever page first shows
    # one of its cases: counted from the second page on.
    client.get("/kasus/")
    few = count_queries(client, "/kasus/")
    for i in range(22):
        services.open_case(bali["dinkes_staf"], sop002, f"Kasus lagi {i}")
    many = count_queries(client, "/kasus/?q=kasus")
    assert many == few, "the case list runs a query per row"
    assert many <= 20


def test_the_list_page_stays_within_its_query_budget(
    client, bali, sop002, django_assert_max_num_queries
):
    for i in range(25):
        services.open_case(bali["dinkes_staf"], sop002, f"Kasus {i}")
    client.force_login(bali["dinkes_staf"].user)
    with django_assert_max_num_queries(20):
        response = client.get("/kasus/")
    assert len(references(response)) == 25
