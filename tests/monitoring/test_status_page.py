"""The status page per agency (issue 19, item 5): internal by default (members of the agency;
others 404, signed-out visitors sent to sign in), public when the agency says so and then
without any address, reason or case; 90 daily bars each with its words; incidents with their
case reference, linked only for a reader who may see the case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from laksana.cases import services as case_services
from laksana.demo.orgs import SOP_002
from laksana.monitoring import services
from laksana.monitoring.models import Incident, Monitor, MonitoringSettings, State, StateChange

pytestmark = pytest.mark.django_db

SECRET = "http://10.20.30.40:8443/rahasia-admin-7f3a/health?token=s3cr3t"


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def scene(bali):
    """SIKESDA with a monitor on a secret path, down now (a state change 2 days ago up, and
    one 30 minutes ago down with a reason naming the address), an open incident whose case
    the requesting unit Dinkes opened, and an earlier incident without a case."""
    sikesda = bali.applications["sikesda"]
    monitor = services.add_monitor(
        bali["kadis"], sikesda.pk, services.MonitorInput(name="SIKESDA publik", target=SECRET)
    )
    now = timezone.now()
    Monitor.objects.filter(pk=monitor.pk).update(
        state=State.DOWN,
        state_since=now - dt.timedelta(minutes=30),
        last_checked_at=now,
        last_ok=False,
        last_error="address_refused",
        last_reason="10.20.30.40",
    )
    for at, old, new, error, reason in (
        (now - dt.timedelta(days=2), State.UNKNOWN, State.UP, "", ""),
        (now - dt.timedelta(minutes=30), State.UP, State.DOWN, "address_refused", "10.20.30.40"),
    ):
        StateChange.objects.create(
            monitor=monitor,
            application=sikesda,
            at=at,
            detected_at=at,
            old_state=old,
            new_state=new,
            error=error,
            reason=reason,
        )
    case = case_services.open_case(
        bali["dinkes_staf"],
        bali.versions[SOP_002],
        "SIKESDA tidak bisa diakses",
        application=sikesda,
    )
    Incident.objects.create(
        agency=bali.agency,
        application=sikesda,
        started_at=now - dt.timedelta(minutes=30),
        detected_at=now - dt.timedelta(minutes=28),
        error="address_refused",
        reason="10.20.30.40",
        case=case,
    )
    Incident.objects.create(
        agency=bali.agency,
        application=sikesda,
        started_at=now - dt.timedelta(days=5, hours=1),
        detected_at=now - dt.timedelta(days=5, hours=1),
        ended_at=now - dt.timedelta(days=5),
        error="status",
        reason="500",
    )
    return {"monitor": monitor, "case": case, "app": sikesda}


def url(bali) -> str:
    return reverse("monitoring:status", args=[bali.agency.slug])


def make_public(bali) -> None:
    services.update_settings(
        None,
        bali.agency.pk,
        procedure_key="sop-004-pemulihan-gagal-fungsi-ipas",
        reporting_unit_id=None,
        status_public=True,
        cert_notice_days=30,
    )


def visible_text(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


# --- the attacks -------------------------------------------------------------------------------


def test_internal_by_default_others_get_not_found(client, bali, djki, scene):
    response = client.get(url(bali))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    client.force_login(djki["kasie_app"].user)
    assert client.get(url(bali)).status_code == 404
    vendor = next(p for p in djki.people.values() if p.vendor_id is not None)
    client.force_login(vendor.user)
    assert client.get(reverse("monitoring:status", args=[djki.agency.slug])).status_code == 404
    assert client.get(reverse("monitoring:status", args=["tidak-ada"])).status_code == 404
    assert not MonitoringSettings.objects.filter(agency=bali.agency).exists()  # reading wrote none


def test_an_unknown_agency_looks_like_an_internal_one_to_a_visitor(client):
    response = client.get(reverse("monitoring:status", args=["tidak-ada"]))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_public_page_never_shows_an_address_a_reason_or_a_case(client, bali, djki, scene):
    make_public(bali)
    for reader in (None, djki["kasie_app"]):
        if reader is not None:
            client.force_login(reader.user)
        response = client.get(url(bali))
        assert response.status_code == 200
        html = response.content.decode()
        for secret in ("10.20.30.40", "rahasia-admin", "s3cr3t", "8443", "token="):
            assert secret not in html, secret
        assert scene["case"].reference not in html
        assert "/kasus/" not in visible_text(html)
        assert "SIKESDA publik" not in html  # no monitor
        assert reverse("monitoring:monitor", args=[scene["monitor"].pk]) not in html
        text = visible_text(html)
        assert "Sistem Informasi Kesehatan Daerah" in text
        assert 'class="state state--down"' in text and "Down" in text
        assert "Ongoing" in text and "Resolved" in text


# --- the internal page -------------------------------------------------------------------------


def test_members_read_the_details_and_the_case_link_only_when_they_may(client, bali, scene):
    case = scene["case"]
    client.force_login(bali["dinkes_staf"].user)  # opened the case
    html = visible_text(client.get(url(bali)).content.decode())
    assert SECRET.replace("&", "&amp;") in html or "rahasia-admin-7f3a" in html
    assert "10.20.30.40" in html  # the reason, internally
    assert f'href="{reverse("cases:detail", args=[case.reference])}"' in html
    assert reverse("monitoring:monitor", args=[scene["monitor"].pk]) in html
    client.force_login(bali["bkd"].user)  # another requesting unit: may not see the case
    html = visible_text(client.get(url(bali)).content.decode())
    assert case.reference in html
    assert reverse("cases:detail", args=[case.reference]) not in html
    assert "no recovery case" in html.lower()  # the earlier incident: no procedure, said so


def test_ninety_bars_each_with_its_words_and_the_overall_percentage(client, bali, scene):
    client.force_login(bali["kadis"].user)
    html = visible_text(client.get(url(bali)).content.decode())
    bars = html.split('class="uptime-bars"', 1)[1].split("</svg>", 1)[0]
    rects = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"[^>]*><title>([^<]+)</title></rect>', bars)
    assert len(rects) == 90
    assert all(title for _fill, title in rects)
    assert sum(1 for _f, t in rects if "no data" in t) >= 87  # known only the last 2 days
    today_fill, today_title = rects[-1]
    assert "down" in today_title and today_fill == "#b3261e"
    assert re.search(r"\d+(\.\d+)?% up", html)  # the overall percentage in words


def test_the_overview_is_the_agency_page_with_monitor_links(client, bali, scene):
    client.force_login(bali["kadis"].user)
    response = client.get(reverse("monitoring:overview"))
    assert response.status_code == 200
    html = visible_text(response.content.decode())
    assert reverse("monitoring:monitor", args=[scene["monitor"].pk]) in html
    assert url(bali) in html
    assert "1 application is down." in html
