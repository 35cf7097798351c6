"""The monitoring screens (issue 19, item 1's screens and item 5): another agency's ids are
404, requesting units and vendors do not write, refusals stand next to their fields, CSRF
stays on; the monitor's page, the maintenance windows, the settings and the panel on the
application's record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from laksana.monitoring import services
from laksana.monitoring.models import (
    CheckResult,
    MaintenanceWindow,
    Monitor,
    MonitoringSettings,
    State,
    StateChange,
)
from laksana.org import roles
from laksana.org.models import RoleKind

pytestmark = pytest.mark.django_db

TARGET = "http://127.0.0.1:9/kesehatan"


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sikesda(bali):
    return bali.applications["sikesda"]


@pytest.fixture
def monitor(bali, sikesda) -> Monitor:
    return services.add_monitor(
        bali["kadis"], sikesda.pk, services.MonitorInput(name="SIKESDA web", target=TARGET)
    )


@pytest.fixture
def window(bali, sikesda) -> MaintenanceWindow:
    now = timezone.now()
    return services.add_window(
        bali["kadis"],
        sikesda.pk,
        now + dt.timedelta(days=1),
        now + dt.timedelta(days=1, hours=2),
        "Pembaruan server",
    )


def as_(client, person):
    client.force_login(person.user)
    return client


def state() -> tuple:
    return (
        sorted(Monitor.objects.values_list("pk", "name", "target", "interval_seconds", "active")),
        sorted(MaintenanceWindow.objects.values_list("pk", "starts_at", "ends_at", "reason")),
        sorted(
            MonitoringSettings.objects.values_list("agency_id", "status_public", "cert_notice_days")
        ),
    )


def monitor_form(**extra: str) -> dict[str, str]:
    return {
        "name": "SIKESDA API",
        "kind": "http",
        "target": "http://127.0.0.1:9/api/health",
        "environment": "",
        "method": "GET",
        "expected_statuses": "200-299",
        "keyword": "ok",
        "max_latency_ms": "2000",
        "follow_redirects": "on",
        "headers": "Accept: application/json\nX-Token: rahasia",
        "tls_min_days": "14",
        "dns_expected": "",
        "interval_seconds": "120",
        "timeout_seconds": "5",
        "fail_after": "3",
        "recover_after": "2",
        "counts_for_application": "on",
        "active": "on",
        **extra,
    }


def field_errors(html: str, name: str) -> list[str]:
    """The error messages shown in the form field holding the input called ``name``."""
    blocks = re.findall(r'<div class="form-field form-field--error">(.*?)</div>', html, flags=re.S)
    for block in blocks:
        if f'name="{name}"' in block:
            return re.findall(r'<p class="field-error">(.*?)</p>', block, flags=re.S)
    return []


# --- the attacks -------------------------------------------------------------------------------


def test_another_agency_gets_not_found_on_every_route(client, djki, bali, sikesda, monitor, window):
    as_(client, djki["kasie_app"])
    before = state()
    gets = [
        reverse("monitoring:monitor", args=[monitor.pk]),
        reverse("monitoring:monitor_edit", args=[monitor.pk]),
        reverse("monitoring:monitor_remove", args=[monitor.pk]),
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        reverse("monitoring:windows", args=[sikesda.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("monitoring:monitor_edit", args=[monitor.pk]), monitor_form()),
        (reverse("monitoring:monitor_remove", args=[monitor.pk]), {}),
        (reverse("monitoring:monitor_new", args=[sikesda.pk]), monitor_form()),
        (
            reverse("monitoring:windows", args=[sikesda.pk]),
            {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00", "reason": "x"},
        ),
        (reverse("monitoring:window_remove", args=[window.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert state() == before


def test_missing_ids_answer_the_same(client, bali):
    as_(client, bali["kadis"])
    for url in (
        reverse("monitoring:monitor", args=[99999]),
        reverse("monitoring:monitor_new", args=[99999]),
        reverse("monitoring:windows", args=[99999]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("monitoring:window_remove", args=[99999])).status_code == 404


def test_a_requesting_unit_member_reads_but_never_writes(client, bali, sikesda, monitor, window):
    as_(client, bali["dinkes_staf"])
    before = state()
    assert client.get(reverse("monitoring:monitor", args=[monitor.pk])).status_code == 200
    page = client.get(reverse("monitoring:windows", args=[sikesda.pk]))
    assert page.status_code == 200 and b"Pembaruan server" in page.content
    assert b'name="reason"' not in page.content  # no form to add one
    for url in (
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        reverse("monitoring:monitor_edit", args=[monitor.pk]),
        reverse("monitoring:monitor_remove", args=[monitor.pk]),
        reverse("monitoring:settings"),
    ):
        assert client.get(url).status_code == 403, url
    for url, data in (
        (reverse("monitoring:monitor_new", args=[sikesda.pk]), monitor_form()),
        (reverse("monitoring:monitor_edit", args=[monitor.pk]), monitor_form()),
        (reverse("monitoring:monitor_remove", args=[monitor.pk]), {}),
        (
            reverse("monitoring:windows", args=[sikesda.pk]),
            {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00", "reason": "x"},
        ),
        (reverse("monitoring:window_remove", args=[window.pk]), {}),
        (
            reverse("monitoring:settings"),
            {"procedure_key": "x", "status_public": "on", "cert_notice_days": "5"},
        ),
    ):
        assert client.post(url, data).status_code == 403, url
    assert state() == before


def test_a_vendor_sees_and_writes_nothing_of_its_own_agency(client, djki):
    ipas = djki.applications["ipas"]
    made = services.add_monitor(
        None, ipas.pk, services.MonitorInput(target="http://127.0.0.1:9/ipas")
    )
    vendor = next(p for p in djki.people.values() if p.vendor_id is not None)
    as_(client, vendor)
    before = state()
    assert client.get(reverse("monitoring:overview")).status_code == 403
    assert client.get(reverse("monitoring:monitor", args=[made.pk])).status_code == 404
    assert client.get(reverse("monitoring:monitor_new", args=[ipas.pk])).status_code == 404
    assert (
        client.post(reverse("monitoring:monitor_new", args=[ipas.pk]), monitor_form()).status_code
        == 404
    )
    assert client.post(reverse("monitoring:monitor_remove", args=[made.pk])).status_code == 404
    assert client.get(reverse("monitoring:status", args=[djki.agency.slug])).status_code == 404
    assert state() == before


def test_csrf_stays_on(bali, sikesda, monitor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bali["kadis"].user)
    before = state()
    for url, data in (
        (reverse("monitoring:monitor_new", args=[sikesda.pk]), monitor_form()),
        (reverse("monitoring:monitor_remove", args=[monitor.pk]), {}),
        (
            reverse("monitoring:windows", args=[sikesda.pk]),
            {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00", "reason": "x"},
        ),
    ):
        assert client.post(url, data).status_code == 403, url
    assert state() == before


def test_signed_out_visitors_are_sent_to_sign_in(client, sikesda, monitor):
    for url in (
        reverse("monitoring:overview"),
        reverse("monitoring:monitor", args=[monitor.pk]),
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        reverse("monitoring:settings"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"], url


# --- monitors ----------------------------------------------------------------------------------


def test_a_keeper_adds_a_monitor_with_every_field(client, bali, sikesda):
    as_(client, bali["kadis"])
    page = client.get(reverse("monitoring:monitor_new", args=[sikesda.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for legend in (
        "Address and kind",
        "HTTP options",
        "TLS certificate",
        "DNS",
        "Timing and thresholds",
    ):
        assert f"<legend>{legend}</legend>" in html
    response = client.post(reverse("monitoring:monitor_new", args=[sikesda.pk]), monitor_form())
    made = Monitor.objects.get(name="SIKESDA API")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:monitor", args=[made.pk])
    assert made.application_id == sikesda.pk and made.agency_id == bali.agency.pk
    assert made.headers == {"Accept": "application/json", "X-Token": "rahasia"}
    assert (made.interval_seconds, made.timeout_seconds, made.tls_min_days) == (120, 5, 14)
    assert (made.expected_statuses, made.keyword, made.max_latency_ms) == ("200-299", "ok", 2000)
    assert made.follow_redirects and made.counts_for_application and made.active
    assert not made.keyword_absent


def test_refusals_stand_next_to_their_fields(client, bali, sikesda):
    as_(client, bali["kadis"])
    response = client.post(
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        monitor_form(interval_seconds="5", fail_after="50", target="ftp://x", headers="Host: a"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "interval_seconds"), html
    assert field_errors(html, "fail_after")
    assert field_errors(html, "target")
    assert field_errors(html, "headers")
    assert Monitor.objects.count() == 0


def test_a_header_line_without_a_colon_is_refused_by_line(client, bali, sikesda):
    as_(client, bali["kadis"])
    response = client.post(
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        monitor_form(headers="Accept: text/html\nrusak"),
    )
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "headers") == ["Line 2 is not “Name: value”."]


def test_an_environment_of_another_application_is_refused_on_its_field(client, bali, sikesda):
    from laksana.catalog.models import Environment

    simpeg = bali.applications["simpeg"]
    other = Environment.objects.create(
        application=simpeg, kind="production", updated_at=timezone.now()
    )
    as_(client, bali["kadis"])
    response = client.post(
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        monitor_form(environment=str(other.pk)),
    )
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "environment")
    assert Monitor.objects.count() == 0


def test_a_keeper_changes_and_removes_a_monitor(client, bali, sikesda, monitor):
    as_(client, bali["kadis"])
    page = client.get(reverse("monitoring:monitor_edit", args=[monitor.pk]))
    assert page.status_code == 200 and TARGET in page.content.decode()
    response = client.post(
        reverse("monitoring:monitor_edit", args=[monitor.pk]),
        monitor_form(name="SIKESDA web", target=TARGET, interval_seconds="300"),
    )
    assert response.status_code == 302
    monitor.refresh_from_db()
    assert monitor.interval_seconds == 300
    confirm = client.get(reverse("monitoring:monitor_remove", args=[monitor.pk]))
    assert confirm.status_code == 200 and b'method="post"' in confirm.content
    assert Monitor.objects.filter(pk=monitor.pk).exists()  # asking removes nothing
    response = client.post(reverse("monitoring:monitor_remove", args=[monitor.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:detail", args=[sikesda.pk])
    assert not Monitor.objects.filter(pk=monitor.pk).exists()


def test_the_monitor_page_shows_state_checks_changes_certificate_and_charts(client, bali, monitor):
    now = timezone.now()
    Monitor.objects.filter(pk=monitor.pk).update(
        state=State.DOWN,
        state_since=now - dt.timedelta(minutes=30),
        last_checked_at=now,
        last_ok=False,
        last_error="status",
        last_reason="503",
        cert_expires_at=now + dt.timedelta(days=3),
    )
    CheckResult.objects.bulk_create(
        [
            CheckResult(
                monitor=monitor, at=now - dt.timedelta(minutes=m), ok=m > 30, latency_ms=40 + m
            )
            for m in range(1, 120, 10)
        ]
        + [
            CheckResult(
                monitor=monitor, at=now, ok=False, error="status", reason="503", status_code=503
            )
        ]
    )
    StateChange.objects.create(
        monitor=monitor,
        application=monitor.application,
        at=now - dt.timedelta(days=2),
        detected_at=now - dt.timedelta(days=2),
        old_state=State.UNKNOWN,
        new_state=State.UP,
    )
    StateChange.objects.create(
        monitor=monitor,
        application=monitor.application,
        at=now - dt.timedelta(minutes=30),
        detected_at=now - dt.timedelta(minutes=28),
        old_state=State.UP,
        new_state=State.DOWN,
        error="status",
        reason="503",
        status_code=503,
    )
    as_(client, bali["dinkes_staf"])
    response = client.get(reverse("monitoring:monitor", args=[monitor.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="state state--down"' in html and "Down" in html
    assert "HTTP 503" in html  # the reason, through probes.describe
    assert 'class="latency-chart"' in html and "<polyline" in html
    assert html.count("<rect") >= 90  # the 90 daily bars (and the failed checks' marks)
    assert 'class="uptime-bars"' in html
    assert "Per day" in html and "Per month" in html
    expiry = timezone.localtime(now + dt.timedelta(days=3)).strftime("%-d")
    assert "Certificate expires" in html and expiry in html
    assert "Edit" not in re.sub(r"<title>.*?</title>", "", html).split("</h1>")[1].split("Now")[0]
    assert "<script" not in html.split("<main")[1]  # no inline script in the page's body
    assert ' style="' not in html


def test_maintenance_windows_in_the_agency_time_zone(client, bali, sikesda):
    as_(client, bali["kadis"])
    start = (timezone.now() + dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    day = start.date().isoformat()
    response = client.post(
        reverse("monitoring:windows", args=[sikesda.pk]),
        {"starts_at": f"{day}T22:00", "ends_at": f"{day}T23:30", "reason": "Migrasi basis data"},
    )
    assert response.status_code == 302
    made = MaintenanceWindow.objects.get()
    # Bali is WITA (UTC+8): 22:00 there is 14:00 UTC.
    assert made.starts_at.astimezone(dt.UTC).hour == 14
    assert made.ends_at - made.starts_at == dt.timedelta(minutes=90)
    page = client.get(reverse("monitoring:windows", args=[sikesda.pk])).content.decode()
    assert "Migrasi basis data" in page and "22:00" in page
    response = client.post(reverse("monitoring:window_remove", args=[made.pk]))
    assert response.status_code == 302 and not MaintenanceWindow.objects.exists()


def test_a_window_under_way_is_ended_not_removed(client, bali, sikesda):
    now = timezone.now()
    made = services.add_window(
        bali["kadis"], sikesda.pk, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1), "Uji"
    )
    as_(client, bali["kadis"])
    client.post(reverse("monitoring:window_remove", args=[made.pk]))
    made.refresh_from_db()
    assert made.ends_at <= timezone.now() and made.starts_at == now - dt.timedelta(hours=1)


def test_a_bad_window_is_refused_on_its_field(client, bali, sikesda):
    as_(client, bali["kadis"])
    response = client.post(
        reverse("monitoring:windows", args=[sikesda.pk]),
        {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T09:00", "reason": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "ends_at") and field_errors(html, "reason")
    assert not MaintenanceWindow.objects.exists()


def test_settings_are_for_the_agency_administrators(client, bali):
    as_(client, bali["kadis"])
    assert client.get(reverse("monitoring:settings")).status_code == 403
    roles.grant(bali["kadis"], RoleKind.AGENCY_ADMIN)
    page = client.get(reverse("monitoring:settings"))
    assert page.status_code == 200
    response = client.post(
        reverse("monitoring:settings"),
        {
            "procedure_key": "sop-002-penanganan-masalah-aplikasi",
            "reporting_unit": str(bali.units["tim_ai"].pk),
            "status_public": "on",
            "cert_notice_days": "21",
        },
    )
    assert response.status_code == 302
    found = MonitoringSettings.objects.get(agency=bali.agency)
    assert found.status_public and found.cert_notice_days == 21
    assert found.reporting_unit_id == bali.units["tim_ai"].pk
    bad = client.post(
        reverse("monitoring:settings"),
        {"procedure_key": "sop-002-penanganan-masalah-aplikasi", "cert_notice_days": "0"},
    )
    assert bad.status_code == 422 and field_errors(bad.content.decode(), "cert_notice_days")


# --- the application's record --------------------------------------------------------------


def test_the_record_shows_the_monitoring_panel(client, bali, sikesda, monitor):
    Monitor.objects.filter(pk=monitor.pk).update(
        state=State.UP, last_checked_at=timezone.now(), last_latency_ms=87
    )
    as_(client, bali["kadis"])
    html = client.get(reverse("catalog:detail", args=[sikesda.pk])).content.decode()
    panel = html.split('id="pemantauan"')[1].split("</section>")[0]
    assert reverse("monitoring:monitor", args=[monitor.pk]) in panel
    assert "Up" in panel and "87 ms" in panel and "Uptime 30 days" in panel
    assert reverse("monitoring:monitor_new", args=[sikesda.pk]) in panel
    assert reverse("monitoring:windows", args=[sikesda.pk]) in panel
    as_(client, bali["dinkes_staf"])
    html = client.get(reverse("catalog:detail", args=[sikesda.pk])).content.decode()
    panel = html.split('id="pemantauan"')[1].split("</section>")[0]
    assert reverse("monitoring:monitor", args=[monitor.pk]) in panel
    assert reverse("monitoring:monitor_new", args=[sikesda.pk]) not in panel


def test_no_panel_without_monitors_for_a_reader(client, bali, sikesda):
    as_(client, bali["dinkes_staf"])
    html = client.get(reverse("catalog:detail", args=[sikesda.pk])).content.decode()
    assert 'id="pemantauan"' not in html
    as_(client, bali["kadis"])
    html = client.get(reverse("catalog:detail", args=[sikesda.pk])).content.decode()
    assert reverse("monitoring:monitor_new", args=[sikesda.pk]) in html


def test_the_screens_speak_indonesian(client, settings, bali, sikesda, monitor):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    as_(client, bali["kadis"])
    with translation.override("id"):
        html = client.get(reverse("monitoring:monitor_new", args=[sikesda.pk])).content.decode()
        assert "Alamat dan jenis" in html and "Waktu dan ambang" in html
        html = client.get(reverse("monitoring:monitor", args=[monitor.pk])).content.decode()
        assert "Perubahan status" in html
        html = client.get(reverse("monitoring:overview")).content.decode()
        assert "Pemantauan" in html
