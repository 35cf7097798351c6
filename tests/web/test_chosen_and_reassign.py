"""The screens of chosen actors and reassignment: the open-case form's person select per
chosen actor (its refusal shown at the field), and the case page's Alihkan form for a superior
of the step's holder only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laksana.cases.models import Case, CaseActor, CaseStep, JournalKind
from tests.cases.chosen_procedure import publish_for

pytestmark = pytest.mark.django_db


def test_the_open_form_chooses_the_system_owner_and_shows_a_refusal_at_its_field(
    client, bali, djki
):
    version = publish_for(bali)
    field = f"chosen-{version.pk}-pemilik"
    client.force_login(bali["dinkes_staf"].user)
    page = client.get(reverse("cases:open"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="{field}"' in html and "Pemilik Sistem" in html
    assert bali["dev1"].name in html
    stranger = next(p for p in djki.people.values() if p.user_id is not None)
    assert stranger.name not in html  # only the agency's own staff are offered
    form = {"version": str(version.pk), "title": "Gangguan SIKESDA"}
    refused = client.post(reverse("cases:open"), form)
    assert refused.status_code == 422
    assert f'id="err-{field}"' in refused.content.decode()
    assert not Case.objects.filter(version=version).exists()
    foreign = client.post(reverse("cases:open"), {**form, field: str(stranger.pk)})
    assert foreign.status_code == 422
    assert not Case.objects.filter(version=version).exists()
    opened = client.post(reverse("cases:open"), {**form, field: str(bali["dev1"].pk)})
    assert opened.status_code == 302
    case = Case.objects.get(version=version)
    assert CaseActor.objects.get(case=case).person_id == bali["dev1"].pk


def test_only_a_superior_sees_and_uses_the_reassign_form(client, bali):
    from laksana.cases import services

    version = publish_for(bali)
    case = services.open_case(
        bali["dinkes_staf"], version, "Gangguan", chosen={"pemilik": bali["dev1"]}
    )
    row = case.steps.get()
    url = reverse("cases:reassign", args=[case.reference, row.pk])
    client.force_login(bali["qa1"].user)  # a peer of the holder: may not
    refused = client.post(url, {"to": bali["qa1"].pk, "reason": "Saya ambil"})
    assert refused.status_code in (302, 404)
    assert CaseStep.objects.get(pk=row.pk).assigned_to_id is None
    client.force_login(bali["ketuatim"].user)  # the holder's superior
    page = client.get(reverse("cases:detail", args=[case.reference]))
    assert url in page.content.decode()
    done = client.post(url, {"to": bali["qa1"].pk, "reason": "Dev1 dinas luar"})
    assert done.status_code == 302
    assert CaseStep.objects.get(pk=row.pk).assigned_to_id == bali["qa1"].pk
    assert case.journal.filter(kind=JournalKind.REASSIGNED).count() == 1
    client.force_login(bali["dev1"].user)  # the former holder: no form, no work
    page = client.get(reverse("cases:detail", args=[case.reference]))
    assert url not in page.content.decode()
