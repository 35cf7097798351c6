"""The screens of a contract and a risk after they are recorded, and the agency's risk
register with its heat map."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from laksana.catalog import records_services as rs
from laksana.catalog.inputs import ContractInput, RiskInput
from laksana.catalog.models import Application, Contract, Risk, RiskStatus, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(bali, djki):
    sikesda, simpeg = bali.applications["sikesda"], bali.applications["simpeg"]
    contract = rs.create_contract(
        None,
        sikesda.pk,
        ContractInput(
            "PT Kesehatan Digital",
            "027/2026",
            value=Decimal("150000000"),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        ),
    )
    risks = [
        rs.create_risk(None, sikesda.pk, RiskInput("Server tunggal", 4, 5)),
        rs.create_risk(None, sikesda.pk, RiskInput("Sertifikat kedaluwarsa", 2, 3)),
        rs.create_risk(None, simpeg.pk, RiskInput("Data ganda", 2, 3, status="mitigating")),
        rs.create_risk(None, simpeg.pk, RiskInput("Selesai", 5, 5, status="closed")),
    ]
    ipas = djki.applications["ipas"]
    foreign_risk = rs.create_risk(None, ipas.pk, RiskInput("DJKI", 5, 5))
    return {"app": sikesda, "contract": contract, "risks": risks, "foreign": foreign_risk}


def snapshot() -> list:
    return [sorted(Contract.objects.values_list()), sorted(Risk.objects.values_list())]


def test_a_keeper_changes_a_contract_from_its_page(client, bali, records):
    client.force_login(bali["kabid"].user)
    app, contract = records["app"], records["contract"]
    detail = client.get(reverse("catalog:detail", args=[app.pk]))
    url = reverse("catalog:contract_edit", args=[app.pk, contract.pk])
    assert url in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["value"] == "150000000"
    form = {
        "vendor": "PT Kesehatan Digital",
        "number": "027/2026",
        "value": "175.000.000",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    done = client.post(url, form)
    assert done.status_code == 302 and done["Location"].endswith("#contract")
    assert Contract.objects.get(pk=contract.pk).value == Decimal("175000000")


def test_a_bad_contract_form_is_shown_again_with_its_field_and_writes_nothing(
    client, bali, records
):
    client.force_login(bali["kabid"].user)
    app, contract = records["app"], records["contract"]
    before = snapshot()
    url = reverse("catalog:contract_edit", args=[app.pk, contract.pk])
    bad = {"vendor": "X", "number": "1", "starts_on": "2026-05-01", "ends_on": "2026-01-01"}
    again = client.post(url, bad)
    assert again.status_code == 422
    assert again.context["form"].errors["ends_on"]
    end_url = reverse("catalog:contract_end", args=[app.pk, contract.pk])
    early = client.post(end_url, {"ends_on": "2025-01-01"})
    assert early.status_code == 422 and early.context["end_form"].errors["ends_on"]
    assert snapshot() == before
    ended = client.post(end_url, {"ends_on": "2026-06-30"})
    assert ended.status_code == 302
    assert Contract.objects.get(pk=contract.pk).ends_on == dt.date(2026, 6, 30)


def test_other_people_and_other_ids_are_refused(client, bali, djki, records):
    app, contract, risk = records["app"], records["contract"], records["risks"][0]
    before = snapshot()
    edit = reverse("catalog:contract_edit", args=[app.pk, contract.pk])
    close = reverse("catalog:risk_close", args=[app.pk, risk.pk])
    client.force_login(bali["dinkes"].user)  # a requesting unit: reads, does not keep
    assert client.get(edit).status_code == 403
    assert client.post(close).status_code == 403
    client.force_login(djki["kasie_app"].user)  # another agency: as if missing
    assert client.get(edit).status_code == 404
    assert client.post(close).status_code == 404
    client.force_login(bali["kabid"].user)
    # A risk of another agency's application under one's own application: not found.
    foreign = records["foreign"]
    assert client.post(reverse("catalog:risk_close", args=[app.pk, foreign.pk])).status_code == 404
    ipas = djki.applications["ipas"]
    assert client.post(reverse("catalog:risk_close", args=[ipas.pk, foreign.pk])).status_code == 404
    simpeg_risk = records["risks"][2]
    assert (
        client.get(reverse("catalog:risk_edit", args=[app.pk, simpeg_risk.pk])).status_code == 404
    )
    assert snapshot() == before


def test_a_retired_applications_forms_send_back_with_the_reason(client, bali, records):
    app, risk = records["app"], records["risks"][0]
    Application.objects.filter(pk=app.pk).update(stage=Stage.RETIRED)
    client.force_login(bali["kabid"].user)
    before = snapshot()
    back = client.post(reverse("catalog:risk_close", args=[app.pk, risk.pk]), follow=True)
    assert "retired" in back.content.decode()
    assert client.get(reverse("catalog:risk_edit", args=[app.pk, risk.pk])).status_code == 302
    assert snapshot() == before


def test_a_keeper_reassesses_and_closes_a_risk(client, bali, records):
    client.force_login(bali["kabid"].user)
    app, risk = records["app"], records["risks"][0]
    url = reverse("catalog:risk_edit", args=[app.pk, risk.pk])
    assert client.get(url).context["form"].initial["likelihood"] == "4"
    bad = client.post(url, {"description": "x", "likelihood": "9", "impact": "3", "status": "open"})
    assert bad.status_code == 422 and bad.context["form"].errors["likelihood"]
    form = {
        "description": "Server tunggal",
        "likelihood": "2",
        "impact": "5",
        "status": "mitigating",
    }
    assert client.post(url, form).status_code == 302
    assert (Risk.objects.get(pk=risk.pk).likelihood, Risk.objects.get(pk=risk.pk).status) == (
        2,
        "mitigating",
    )
    assert client.post(reverse("catalog:risk_close", args=[app.pk, risk.pk])).status_code == 302
    assert Risk.objects.get(pk=risk.pk).status == RiskStatus.CLOSED


def _cell_counts(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="heat__n">(\d+)</text>', html)]


def test_the_register_page_and_its_heat_map(client, bali, records):
    client.force_login(bali["dinkes"].user)
    page = client.get(reverse("catalog:risk_register"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r.description for r in rows] == [
        "Server tunggal",
        "Data ganda",
        "Sertifikat kedaluwarsa",
    ]
    counts = _cell_counts(page.content.decode())
    assert len(counts) == 25 and sum(counts) == len(rows) == page.context["total"]
    assert "DJKI" not in page.content.decode() and "Selesai" not in page.content.decode()
    cell = next(c for c in page.context["cells"] if (c["likelihood"], c["impact"]) == (2, 3))
    assert cell["count"] == 2
    in_cell = client.get(cell["url"].replace("&amp;", "&"))
    assert {r.description for r in in_cell.context["rows"]} == {
        "Data ganda",
        "Sertifikat kedaluwarsa",
    }
    simpeg = bali.applications["simpeg"].pk
    one = client.get(reverse("catalog:risk_register"), {"application": simpeg, "status": "all"})
    assert [r.description for r in one.context["rows"]] == ["Selesai", "Data ganda"]
    assert sum(_cell_counts(one.content.decode())) == 2


def test_bad_register_filters_show_the_whole_register_with_the_problem(client, bali, records):
    client.force_login(bali["kabid"].user)
    page = client.get(reverse("catalog:risk_register"), {"likelihood": "9", "order": "x"})
    assert page.status_code == 200 and len(page.context["rows"]) == 3
    assert "Choose a value from 1 to 5." in page.content.decode()


def test_a_vendor_reads_no_register(client, djki):
    client.force_login(djki["ipasdev"].user)
    assert client.get(reverse("catalog:risk_register")).status_code == 403


def test_the_register_speaks_indonesian(client, settings, bali, records):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    client.force_login(bali["kabid"].user)
    text = client.get(reverse("catalog:risk_register")).content.decode()
    assert "Daftar risiko instansi" in text and "Peta panas" in text
    assert "3 risiko dari aplikasi instansi." in text
