"""The catalogue's artifact types on the step's page (issue 16 item 13): the needs analysis,
development plan, budget plan, risk register, work programme entry, deployment and data
deletion minutes are offered as forms, and a completion from the web writes the same
catalogue records as the API's structured values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laksana.cases import services as case_services
from laksana.cases.models import Case, StepStatus
from laksana.catalog import services
from laksana.catalog.models import Application, DataDeletion, Risk, WorkProgrammeEntry
from laksana.demo.orgs import SOP_001, SOP_003
from laksana.org.models import Person

from ..cases.helpers import active, pdf
from .helpers import step
from .test_lifecycle import NEEDS, PLAN

pytestmark = pytest.mark.django_db


def form_of(client: Client, person: Person, case: Case) -> str:
    client.force_login(person.user)
    response = client.get(reverse("cases:detail", args=[case.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index(f'id="step-{active(case).pk}"')
    return html[start : html.index("</form>", html.index("step-form", start))]


def complete_on_web(
    client: Client, person: Person, case: Case, post: dict[str, Any], **files: Any
) -> Case:
    client.force_login(person.user)
    row = active(case)
    response = client.post(
        reverse("cases:complete", args=[case.reference, row.pk]), {**post, **files}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    row.refresh_from_db()
    assert row.status == StepStatus.COMPLETED
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def proposal(utn, versions) -> tuple[Application, Case]:
    app = services.propose_application(
        utn["utn_ft_staf"],
        utn.agency,
        services.ApplicationInput(name="Sistem Informasi Alumni", owner_unit=utn.units["ft"]),
    )
    case = case_services.open_case(
        utn["utn_ft_staf"], versions[SOP_003], "Usulan sistem informasi alumni", application=app
    )
    return app, case


def test_sop_003_from_the_web_writes_the_programme_and_the_environment(client, utn, proposal):
    app, case = proposal
    html = form_of(client, utn["utn_ft_staf"], case)
    for name in ("summary", "users", "requirements", "survey_summary"):
        assert f'name="art-usulan_aplikasi-{name}"' in html
    assert 'name="art-usulan_aplikasi" ' in html or 'name="art-usulan_aplikasi"' in html
    case = complete_on_web(
        client,
        utn["utn_ft_staf"],
        case,
        {
            "art-usulan_aplikasi-summary": NEEDS["summary"],
            "art-usulan_aplikasi-users": NEEDS["users"],
            "art-usulan_aplikasi-requirements": "\n".join(NEEDS["requirements"]) + "\n\n",
        },
    )
    assert case.state["artifacts"]["usulan_aplikasi"] == {
        "summary": NEEDS["summary"],
        "users": NEEDS["users"],
        "requirements": NEEDS["requirements"],
    }
    case = step(utn["utn_direktur"], case, "Ya")
    html = form_of(client, utn["utn_koord_app"], case)
    for name in ("year", "activity", "budget", "funding_source", "notes"):
        assert f'name="art-proker-{name}"' in html
    case = complete_on_web(
        client,
        utn["utn_koord_app"],
        case,
        {
            "art-proker-year": "2031",
            "art-proker-budget": "Rp 150.000.000",
            "art-proker-funding_source": "PNBP",
        },
    )
    entry = WorkProgrammeEntry.objects.get(application=app)
    assert (entry.programme.year, entry.budget, entry.funding_source, entry.case) == (
        2031,
        Decimal("150000000"),
        "PNBP",
        case,
    )
    html = form_of(client, utn["utn_direktur"], case)
    for name in ("cost", "duration_days", "start", "end", "developer", "funding_source"):
        assert f'name="art-rencana_pembangunan-{name}"' in html
    assert 'name="art-rencana_pembangunan-cost_items-0-amount"' in html
    assert 'name="art-rencana_pembangunan-resources-3-count"' in html
    case = complete_on_web(
        client,
        utn["utn_direktur"],
        case,
        {
            "art-rencana_pembangunan-cost": "150.000.000",
            "art-rencana_pembangunan-cost_items-0-item": "Pembangunan",
            "art-rencana_pembangunan-cost_items-0-amount": "120.000.000",
            "art-rencana_pembangunan-cost_items-2-item": "Pelatihan",
            "art-rencana_pembangunan-cost_items-2-amount": "30000000",
            "art-rencana_pembangunan-duration_days": "90",
            "art-rencana_pembangunan-resources-0-role": "Pengembang",
            "art-rencana_pembangunan-resources-0-count": "2",
        },
    )
    assert case.state["artifacts"]["rencana_pembangunan"] == {
        **PLAN,
        "cost_items": PLAN["cost_items"],
    }
    html = form_of(client, utn["utn_koord_app"], case)
    for name in ("total", "fiscal_year", "items-0-item", "items-7-amount", "items-0-unit_price"):
        assert f'name="art-rab-{name}"' in html
    # A refused plan comes back with what was entered, and the type's own message.
    client.force_login(utn["utn_koord_app"].user)
    refused = client.post(
        reverse("cases:complete", args=[case.reference, active(case).pk]),
        {
            "art-rab-items-0-item": "Pembangunan",
            "art-rab-items-0-amount": "150000000",
            "art-rab-total": "99",
        },
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "must be the sum of the items (150000000)" in text
    assert 'value="Pembangunan"' in text
    case = complete_on_web(
        client,
        utn["utn_koord_app"],
        case,
        {
            "art-rab-items-0-item": "Pembangunan",
            "art-rab-items-0-quantity": "1",
            "art-rab-items-0-unit": "paket",
            "art-rab-items-0-unit_price": "150000000",
            "art-rab-items-0-amount": "150000000",
            "art-rab-total": "150000000",
            "art-rab-fiscal_year": "2031",
        },
    )
    case = step(utn["utn_kadiv_app"], case)
    case = step(utn["utn_dev1"], case)
    html = form_of(client, utn["utn_dev1"], case)
    for name in ("environment", "server", "domain", "database", "hosting", "url", "version"):
        assert f'name="art-instalasi-{name}"' in html
    case = complete_on_web(
        client,
        utn["utn_dev1"],
        case,
        {
            "art-instalasi-server": "VM-APP-11",
            "art-instalasi-domain": "alumni.utn.ac.id",
            "art-instalasi-database": "PostgreSQL 16",
            "art-instalasi-url": "https://alumni.utn.ac.id",
        },
    )
    env = Application.objects.get(pk=app.pk).environments.get(kind="production")
    assert (env.server, env.domain, env.database) == (
        "VM-APP-11",
        "alumni.utn.ac.id",
        "PostgreSQL 16",
    )


def test_the_signed_document_is_the_alternative_to_the_fields(client, utn, proposal):
    _app, case = proposal
    case = step(utn["utn_ft_staf"], case, values={"usulan_aplikasi": NEEDS})
    case = step(utn["utn_direktur"], case, "Ya")
    case = step(utn["utn_koord_app"], case, values={"proker": {"year": 2031}})
    # Both at once is refused (which one would count?), then the scan alone is taken.
    client.force_login(utn["utn_direktur"].user)
    both = client.post(
        reverse("cases:complete", args=[case.reference, active(case).pk]),
        {"art-rencana_pembangunan-cost": "1000", "art-rencana_pembangunan": pdf("rencana.pdf")},
    )
    assert both.status_code == 422
    assert "either uploaded files or a value, not both" in both.content.decode()
    case = complete_on_web(
        client, utn["utn_direktur"], case, {}, **{"art-rencana_pembangunan": pdf("rencana.pdf")}
    )
    value = case.state["artifacts"]["rencana_pembangunan"]
    assert [f["name"] for f in value["files"]] == ["rencana.pdf"]


def test_sop_001_from_the_web_writes_risks_and_deletions(client, skm, versions):
    app = skm.applications["retribusi"]
    case = case_services.open_case(
        skm["skm_bpkad_staf"], versions[SOP_001], "Pengelolaan e-Retribusi", application=app
    )
    case = step(skm["skm_bpkad_staf"], case, values={"analisis_kebutuhan": NEEDS})
    case = step(skm["skm_ti1"], case)
    case = step(skm["skm_ketua_ti"], case, values={"rencana_pengembangan": PLAN})
    html = form_of(client, skm["skm_ketua_ti"], case)
    for column in ("risk", "likelihood", "impact", "mitigation", "owner", "status"):
        assert f'name="art-analisis_risiko-risks-0-{column}"' in html
    case = complete_on_web(
        client,
        skm["skm_ketua_ti"],
        case,
        {
            "art-analisis_risiko-risks-0-risk": "Transaksi gagal karena sinyal lemah",
            "art-analisis_risiko-risks-0-likelihood": "4",
            "art-analisis_risiko-risks-0-impact": "5",
            "art-analisis_risiko-risks-0-mitigation": "Mode luring",
            "art-analisis_risiko-risks-0-owner": "Kepala BPKAD",
            "art-analisis_risiko-risks-1-risk": "Petugas belum terbiasa",
            "art-analisis_risiko-risks-1-likelihood": "2",
            "art-analisis_risiko-risks-1-impact": "2",
            "art-analisis_risiko-risks-1-mitigation": "Pelatihan",
            "art-analisis_risiko-risks-1-owner": "Tim TI",
            "art-analisis_risiko-risks-1-status": "mitigating",
        },
    )
    levels = sorted(
        (r.score, r.level.value, r.status) for r in Risk.objects.filter(application=app)
    )
    assert levels == [(4, "low", "mitigating"), (20, "very_high", "open")]
    case = step(skm["skm_dev1"], case)
    case = step(skm["skm_dev2"], case)
    deployment = {"server": "VM-APP-02", "domain": "eretribusi.sukamajukab.go.id"}
    case = step(skm["skm_ti1"], case, values={"instalasi": deployment})
    case = step(skm["skm_ti1"], case, "Tidak")
    for person in ("skm_ti1", "skm_ti1", "skm_ti1", "skm_dev1", "skm_ti1", "skm_ti1"):
        case = step(skm[person], case)
    case = step(skm["skm_ti1"], case, "Tidak")
    case = step(skm["skm_kadis"], case, "Aplikasi diputus")
    html = form_of(client, skm["skm_ti1"], case)
    for name in ("number", "date", "executed_by", "witness", "items-0-data", "items-3-method"):
        assert f'name="art-ba_penghapusan_data-{name}"' in html
    case = complete_on_web(
        client,
        skm["skm_ti1"],
        case,
        {
            "art-ba_penghapusan_data-number": "BA/001/2026",
            "art-ba_penghapusan_data-date": "2026-03-02",
            "art-ba_penghapusan_data-executed_by": "Dian Permata",
            "art-ba_penghapusan_data-witness": "Arif Budiman",
            "art-ba_penghapusan_data-items-0-data": "Basis data transaksi",
            "art-ba_penghapusan_data-items-0-location": "VM-APP-02",
            "art-ba_penghapusan_data-items-0-method": "DROP dan shred",
        },
    )
    (deleted,) = DataDeletion.objects.filter(application=app)
    assert (deleted.data, deleted.witness, deleted.executed_on, deleted.minutes_number) == (
        "Basis data transaksi",
        "Arif Budiman",
        dt.date(2026, 3, 2),
        "BA/001/2026",
    )
    assert deleted.case == case
