"""The evaluation screens: the list, a new evaluation (refusals next to their fields, 422),
the one page with its sections, concluding (422 on bad input), refreshing and deleting a
draft; a requesting unit's staff reads but does not write (403), a vendor's staff is refused
(403), another agency's evaluation is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from laksana.catalog.models import Vendor
from laksana.evaluation import services
from laksana.evaluation.models import Evaluation

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-12-31"}


def draft(skm: Any) -> Evaluation:
    return services.create_evaluation(
        skm["skm_ti1"], {"application": skm.applications["retribusi"].pk, **PERIOD}
    )


def test_a_keeper_makes_and_concludes_an_evaluation(client, skm) -> None:
    client.force_login(skm["skm_ti1"].user)
    page = client.get(reverse("evaluation:list"))
    assert page.status_code == 200 and "New evaluation" in page.content.decode()
    app = skm.applications["retribusi"]
    form = client.get(reverse("evaluation:new"), {"aplikasi": app.pk})
    assert form.status_code == 200 and app.name in form.content.decode()
    sent = client.post(reverse("evaluation:new"), {"application": app.pk, **PERIOD})
    made = Evaluation.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("evaluation:detail", args=[made.pk])
    page = client.get(sent.url)
    body = page.content.decode()
    assert page.status_code == 200
    for title in ("Satisfaction index (IKM)", "Availability", "Maintenance criteria"):
        assert title in body
    assert "Conclude the evaluation" in body
    bad = client.post(sent.url, {"conclusion": "drop", "reasoning": ""})
    assert bad.status_code == 422
    made.refresh_from_db()
    assert made.status == "draft"
    done = client.post(sent.url, {"conclusion": "retire", "reasoning": "Tidak lagi dipakai."})
    assert done.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.conclusion) == ("concluded", "retire")
    body = client.get(sent.url).content.decode()
    assert "Tidak lagi dipakai." in body and "Conclude the evaluation" not in body


def test_bad_input_is_shown_next_to_its_field(client, skm) -> None:
    client.force_login(skm["skm_ti1"].user)
    app = skm.applications["retribusi"]
    sent = client.post(
        reverse("evaluation:new"),
        {"application": app.pk, "period_start": "2026-12-31", "period_end": "2026-01-01"},
    )
    assert sent.status_code == 422
    assert "The period ends before it starts." in sent.content.decode()
    sent = client.post(reverse("evaluation:new"), {"application": "999999", **PERIOD})
    assert sent.status_code == 422
    sent = client.post(reverse("evaluation:new"), {"application": app.pk, **PERIOD, "case": "x"})
    assert sent.status_code == 422 and "No such case." in sent.content.decode()
    assert not Evaluation.objects.exists()


def test_refresh_and_delete_a_draft(client, skm) -> None:
    made = draft(skm)
    client.force_login(skm["skm_ti1"].user)
    done = client.post(reverse("evaluation:refresh", args=[made.pk]))
    assert done.status_code == 302
    made.refresh_from_db()
    assert made.figures["sections"]
    done = client.post(reverse("evaluation:delete", args=[made.pk]))
    assert done.status_code == 302 and done.url == reverse("evaluation:list")
    assert not Evaluation.objects.exists()


def test_a_reader_does_not_write(client, skm) -> None:
    made = draft(skm)
    client.force_login(skm["skm_bpkad_staf"].user)
    assert client.get(reverse("evaluation:detail", args=[made.pk])).status_code == 200
    assert client.get(reverse("evaluation:new")).status_code == 403
    sent = client.post(
        reverse("evaluation:detail", args=[made.pk]), {"conclusion": "keep", "reasoning": "x"}
    )
    assert sent.status_code == 403
    assert client.post(reverse("evaluation:delete", args=[made.pk])).status_code == 403
    made.refresh_from_db()
    assert made.status == "draft"


def test_a_vendor_and_another_agency_are_refused(client, skm, bali) -> None:
    made = draft(skm)
    dev = skm["skm_dev2"]
    dev.vendor = Vendor.objects.create(agency=skm.agency, name="PT Penyedia")
    dev.save(update_fields=["vendor"])
    client.force_login(dev.user)
    assert client.get(reverse("evaluation:list")).status_code == 403
    assert client.get(reverse("evaluation:new")).status_code == 403
    assert client.get(reverse("evaluation:detail", args=[made.pk])).status_code == 404
    client.force_login(bali["kadis"].user)
    assert client.get(reverse("evaluation:detail", args=[made.pk])).status_code == 404
    assert client.post(reverse("evaluation:refresh", args=[made.pk])).status_code == 404
    assert client.get(reverse("evaluation:detail", args=[987654])).status_code == 404
    assert (
        "Sistem Informasi Retribusi" not in client.get(reverse("evaluation:list")).content.decode()
    )
    made.refresh_from_db()
    assert made.figures == {}


def test_the_screens_speak_indonesian(client, skm, settings) -> None:
    made = draft(skm)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    client.force_login(skm["skm_ti1"].user)
    body = client.get(reverse("evaluation:detail", args=[made.pk])).content.decode()
    for words in ("Simpulkan evaluasi", "Indeks kepuasan (IKM)", "Ketersediaan", "Dihentikan"):
        assert words in body, words
    sent = client.post(reverse("evaluation:detail", args=[made.pk]), {"conclusion": "keep"})
    assert sent.status_code == 422
    body = client.get(reverse("evaluation:list")).content.decode()
    assert "Evaluasi aplikasi" in body and "Evaluasi baru" in body


def test_the_applications_record_shows_its_evaluations(client, skm) -> None:
    made = draft(skm)
    app = skm.applications["retribusi"]
    client.force_login(skm["skm_ti1"].user)
    body = client.get(reverse("catalog:detail", args=[app.pk])).content.decode()
    assert reverse("evaluation:detail", args=[made.pk]) in body
    assert f"{reverse('evaluation:new')}?aplikasi={app.pk}" in body
    # A requesting unit's staff sees it without the link to a new one.
    client.force_login(skm["skm_bpkad_staf"].user)
    body = client.get(reverse("catalog:detail", args=[app.pk])).content.decode()
    assert reverse("evaluation:detail", args=[made.pk]) in body
    assert reverse("evaluation:new") not in body
