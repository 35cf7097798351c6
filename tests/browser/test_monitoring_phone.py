"""The monitoring screens on a 375 px phone (issue 19, item 5): the status page, a monitor's
page with its charts, the monitor form and the maintenance windows are no wider than the
screen; a keeper who submits the add-monitor form with a bad value sees the refusal at that
field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from laksana.monitoring import services
from laksana.monitoring.models import CheckResult, Monitor, State, StateChange
from tests.browser.test_narrow_screens import MEASURE, PHONE

LONG = (
    "https://sistem-informasi-kesehatan-daerah.baliprov.go.id/api/v2/status/kesehatan-layanan?x=1"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_monitoring_on_a_375_px_phone(sign_in, bali):
    sikesda = bali.applications["sikesda"]
    monitor = services.add_monitor(
        bali["kadis"],
        sikesda.pk,
        services.MonitorInput(name="SIKESDA web", target="http://127.0.0.1:9/"),
    )
    now = timezone.now()
    # A long address, set as it is stored (the form would resolve the name).
    Monitor.objects.filter(pk=monitor.pk).update(
        target=LONG,
        state=State.DOWN,
        last_checked_at=now,
        last_error="status",
        last_reason="503",
        cert_expires_at=now + dt.timedelta(days=40),
    )
    CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor, at=now - dt.timedelta(minutes=m), ok=m % 7 != 0, latency_ms=50 + m % 30
        )
        for m in range(0, 1440, 15)
    )
    for at, old, new in (
        (now - dt.timedelta(days=20), State.UNKNOWN, State.UP),
        (now - dt.timedelta(hours=1), State.UP, State.DOWN),
    ):
        StateChange.objects.create(
            monitor=monitor,
            application=sikesda,
            at=at,
            detected_at=at,
            old_state=old,
            new_state=new,
            error="status" if new == State.DOWN else "",
            reason="503",
        )
    session = sign_in("kadis")
    page = session.page
    page.set_viewport_size(PHONE)
    wide = {}
    for url in (
        reverse("monitoring:status", args=[bali.agency.slug]),
        reverse("monitoring:overview"),
        reverse("monitoring:monitor", args=[monitor.pk]),
        reverse("monitoring:monitor_new", args=[sikesda.pk]),
        reverse("monitoring:windows", args=[sikesda.pk]),
        reverse("catalog:detail", args=[sikesda.pk]),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        m = page.evaluate(MEASURE)
        if m["page"] > m["width"] or m["body"] > m["width"]:
            wide[url] = m
    assert wide == {}, wide

    page.goto(reverse("monitoring:monitor_new", args=[sikesda.pk]))
    page.fill("input[name=target]", "http://127.0.0.1:9/sehat")
    page.fill("input[name=interval_seconds]", "5")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state("networkidle")
    field = page.locator(".form-field--error:has(input[name=interval_seconds]) .field-error")
    assert field.count() == 1 and field.first.is_visible()
    assert field.first.inner_text().strip()
    assert Monitor.objects.count() == 1
