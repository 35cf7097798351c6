"""The maintenance screens on a 375 px phone (issue 20): the dashboard, a plan's page, an
occurrence's page and the plan's activity rows are no wider than the screen; the executor
who records an activity with a bad value (a day still to come) sees the refusal at that
field, and nothing is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from laksana.catalog.models import Contract, Vendor
from laksana.maintenance.models import Executor, Occurrence, OccurrenceStatus
from tests.browser.test_narrow_screens import MEASURE, PHONE
from tests.maintenance import factories


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_maintenance_on_a_375_px_phone(sign_in, bali):
    sikesda = bali.applications["sikesda"]
    today = timezone.localdate()
    plan = factories.plan(
        sikesda,
        budget_year=today.year,
        starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year, 12, 31),
        title="Rencana pemeliharaan Sistem Informasi Kesehatan Daerah tahun berjalan",
    )
    activity = factories.activity(
        plan,
        executor=Executor.INTERNAL,
        title="Pencadangan basis data dan uji pemulihan pada server cadangan pusat data",
    )
    factories.criterion(plan)
    late = Occurrence.objects.create(
        activity=activity,
        plan=plan,
        cycle_number=1,
        scheduled_on=today - dt.timedelta(days=2),
        due_on=today - dt.timedelta(days=2),
        status=OccurrenceStatus.OPEN,
    )
    Contract.objects.create(
        application=sikesda,
        vendor=Vendor.objects.create(agency=bali.agency, name="PT Kesehatan Digital Nusantara"),
        number="KTR/SIKESDA/2026/PEMELIHARAAN-001",
        ends_on=today + dt.timedelta(days=30),
    )
    session = sign_in("kadis")
    page = session.page
    page.set_viewport_size(PHONE)
    wide = {}
    for url in (
        reverse("maintenance:dashboard"),
        reverse("maintenance:plans"),
        reverse("maintenance:plan", args=[plan.pk]),
        reverse("maintenance:occurrence", args=[late.pk]),
        reverse("maintenance:activities", args=[plan.pk]),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        m = page.evaluate(MEASURE)
        if m["page"] > m["width"] or m["body"] > m["width"]:
            wide[url] = m
    assert wide == {}, wide

    page.goto(reverse("maintenance:occurrence", args=[late.pk]))
    page.fill("textarea[name=done-report]", "Cadangan dibuat dan dipulihkan")
    page.fill("input[name=done-done_on]", (today + dt.timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Catat sebagai selesai").click()
    page.wait_for_load_state("networkidle")
    field = page.locator(".form-field--error:has(input[name=done-done_on]) .field-error")
    assert field.count() == 1 and field.first.is_visible()
    assert field.first.inner_text().strip()
    late.refresh_from_db()
    assert late.status == OccurrenceStatus.OPEN
