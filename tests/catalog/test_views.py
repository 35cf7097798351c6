"""The catalogue screens: the list (search, filters, counts, keyset pages, queries), the
application page and its keeper forms, entering and proposing, import, export, and the work
programme per year."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from laksana.catalog import samples, services, spreadsheet
from laksana.catalog.models import Application, Stage, StageChange

from .helpers import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(province, sample_table):
    services.import_applications(
        None, province.agency, sample_table, spreadsheet.guess_mapping(sample_table.headers)
    )
    return province


@pytest.fixture
def keeper(client, inventory) -> Client:
    client.force_login(inventory["kabid"].user)
    return client


def names(response) -> list[str]:
    return [a.name for a in response.context["applications"]]


def test_the_list_filters_and_counts(keeper, inventory):
    response = keeper.get(reverse("catalog:list"))
    assert response.status_code == 200
    counts = {value: n for value, _label, n in response.context["stage_counts"]}
    assert counts[Stage.RETIRED] == 3 and counts[Stage.PROPOSED] == 1
    assert sum(counts.values()) == 32 == response.context["total"]
    units = {c.name: c.count for c in response.context["unit_counts"]}
    assert units["Diskominfos"] == 5 and units["Bappeda"] == 3
    retired = keeper.get(reverse("catalog:list"), {"stage": "retired"})
    assert sorted(names(retired)) == [
        "Sistem Informasi Manajemen Daerah Keuangan",
        "Sistem Perencanaan Pembangunan Daerah Elektronik",
        "Tata Naskah Dinas Elektronik",
    ]
    bappeda = next(u for u in response.context["units"] if u.short_name == "Bappeda")
    by_unit = keeper.get(reverse("catalog:list"), {"unit": bappeda.pk, "platform": "web"})
    assert set(names(by_unit)) == {
        "Sistem Informasi Pemerintahan Daerah",
        "Dasbor Ekonomi Kerthi Bali",
        "Sistem Perencanaan Pembangunan Daerah Elektronik",
    }
    mobile = keeper.get(reverse("catalog:list"), {"platform": "mobile", "scope": "general"})
    assert set(names(mobile)) == {
        "Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional",
        "Sistem Informasi Kearsipan Dinamis Terintegrasi",
    }
    found = keeper.get(reverse("catalog:list"), {"q": "lovebali"})
    assert names(found) == ["Sistem Pungutan Wisatawan Asing"]


def test_the_list_is_paged_by_keyset_in_a_constant_number_of_queries(keeper, inventory):
    seen: list[str] = []
    counts: list[int] = []
    url = reverse("catalog:list")
    params: dict[str, str] = {}
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = keeper.get(
                url, params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalog-rows"
            )
        counts.append(len(queries))
        seen += names(response)
        if not response.context["next_url"]:
            break
        params = dict(p.split("=", 1) for p in response.context["next_url"][1:].split("&"))
        from urllib.parse import unquote

        params = {k: unquote(v) for k, v in params.items()}
    assert len(set(counts)) == 1 and counts[0] <= 8, counts  # the same on every page
    assert len(seen) == 32 == len(set(seen))
    assert seen == sorted(seen)
    with CaptureQueriesContext(connection) as queries:
        keeper.get(url)
    assert len(queries) <= 16


def test_the_application_page_is_its_lifecycle_record(keeper, inventory):
    app = Application.objects.get(short_name="SIKESDA")
    services.add_risk(None, app.pk, services.RiskInput("Server tunggal", 3, 4, "Replikasi", "IAI"))
    services.add_contract(
        None,
        app.pk,
        services.ContractInput(
            vendor_name="PT Medika", number="SPK/9/2025", signed_on=dt.date(2025, 3, 1)
        ),
    )
    response = keeper.get(reverse("catalog:detail", args=[app.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("SPK/9/2025", "PT Medika", "Server tunggal", "3×4=12"):
        assert text in page
    kinds = [e.kind for e in response.context["record"].timeline]
    assert {"risk", "contract"} <= set(kinds)


def test_a_keeper_changes_the_stage_on_the_page(keeper, inventory):
    app = Application.objects.get(short_name="PPDB Bali")
    url = reverse("catalog:stage", args=[app.pk])
    refused = keeper.post(url, {"stage": "in_production", "reason": ""})
    assert refused.status_code == 422 and refused.context["open_form"] == "stage"
    done = keeper.post(url, {"stage": "in_production", "reason": "Pemeliharaan selesai"})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.stage == Stage.IN_PRODUCTION
    assert StageChange.objects.filter(application=app).latest("pk").reason == (
        "Pemeliharaan selesai"
    )


def test_others_cannot_use_the_keeper_forms(client, inventory):
    app = Application.objects.get(short_name="PPDB Bali")
    client.force_login(inventory["bkd"].user)
    page = client.get(reverse("catalog:detail", args=[app.pk]))
    assert page.status_code == 200 and not page.context["can_keep"]
    response = client.post(
        reverse("catalog:stage", args=[app.pk]), {"stage": "in_production", "reason": "x"}
    )
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).stage == Stage.UNDER_MAINTENANCE


def test_the_keeper_forms_write_through_the_services(keeper, inventory):
    app = Application.objects.get(short_name="SIDAKU")
    base = reverse("catalog:detail", args=[app.pk])
    posts = {
        "environment": {"kind": "staging", "server": "VM-DEV-09", "domain": "uji.sidaku.id"},
        "contract": {
            "vendor": "CV Baru",
            "number": "SPK/77",
            "value": "Rp 12.500.000",
            "starts_on": "2026-01-02",
        },
        "risk": {"description": "Data ganda", "likelihood": "2", "impact": "3", "status": "open"},
        "programme_add": {"year": "2027", "budget": "75.000.000", "funding_source": "APBD"},
        "document_upload": {
            "kind": "manual",
            "title": "Manual pengguna",
            "file": SimpleUploadedFile("m.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    }
    for name, data in posts.items():
        response = keeper.post(reverse(f"catalog:{name}", args=[app.pk]), data)
        assert response.status_code == 302, (name, response.content[:500])
        assert response["Location"].startswith(base)
    app.refresh_from_db()
    assert app.environments.get(kind="staging").server == "VM-DEV-09"
    assert app.contracts.get(number="SPK/77").value == Decimal("12500000")
    assert app.risks.get().score == 6
    assert app.work_programme_entries.get().budget == Decimal("75000000")
    assert app.documents.get().title == "Manual pengguna"
    bad = keeper.post(
        reverse("catalog:environment", args=[app.pk]), {"kind": "staging", "domain": "bukan domain"}
    )
    assert bad.status_code == 422
    assert "not a domain name" in bad.content.decode()


def test_decommissioning_on_the_page_retires_and_locks_the_record(keeper, inventory):
    app = Application.objects.get(short_name="Web DPRD")
    response = keeper.post(
        reverse("catalog:decommission", args=[app.pk]),
        {
            "reason": "Digabung ke portal Baliprov",
            "executed_by": "I Made Suardana",
            "executed_on": "2026-01-15",
            "witness": "Ni Luh Putu Ariani",
            "data_1": "Basis data berita DPRD",
            "location_1": "VM-WEB-02",
            "method_1": "shred",
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.stage == Stage.RETIRED and app.data_deletions.count() == 1
    page = keeper.get(reverse("catalog:detail", args=[app.pk]))
    assert not page.context["can_keep"] and "retired" in page.content.decode()
    refused = keeper.post(
        reverse("catalog:risk", args=[app.pk]),
        {"description": "x", "likelihood": "1", "impact": "1", "status": "open"},
    )
    assert refused.status_code == 302 and not app.risks.exists()
    assert keeper.get(reverse("catalog:edit", args=[app.pk])).status_code == 302


def test_entering_editing_and_proposing(client, inventory):
    client.force_login(inventory["kabid"].user)
    bappeda = inventory.agency.units.get(short_name="Bappeda")
    response = client.post(
        reverse("catalog:create"),
        {
            "name": "Sistem Informasi Subak",
            "short_name": "SISUBAK",
            "platforms": ["web", "mobile"],
            "urls": "https://subak.baliprov.go.id",
            "owner_unit": bappeda.pk,
            "developer_vendor": "PT Subak Digital",
            "stage": "in_development",
        },
    )
    assert response.status_code == 302
    app = Application.objects.get(short_name="SISUBAK")
    assert app.stage == Stage.IN_DEVELOPMENT and app.developer_vendor.name == "PT Subak Digital"
    duplicate = client.post(
        reverse("catalog:create"), {"name": "sistem informasi subak", "stage": "in_production"}
    )
    assert duplicate.status_code == 422 and "already in the catalogue" in duplicate.content.decode()
    edit = client.post(
        reverse("catalog:edit", args=[app.pk]),
        {"name": "Sistem Informasi Subak Bali", "short_name": "SISUBAK", "year_built": "2026"},
    )
    assert edit.status_code == 302
    app.refresh_from_db()
    assert (app.name, app.year_built, app.owner_unit) == ("Sistem Informasi Subak Bali", 2026, None)
    requester = Client()
    requester.cookies["django_language"] = "en"
    requester.force_login(inventory["bkd"].user)
    form = requester.get(reverse("catalog:create"))
    assert "stage" not in form.context["form"].fields
    requester.post(reverse("catalog:create"), {"name": "Aplikasi Cuti Pegawai"})
    assert Application.objects.get(name="Aplikasi Cuti Pegawai").stage == Stage.PROPOSED
    assert requester.get(reverse("catalog:edit", args=[app.pk])).status_code == 403


def test_the_import_screen_maps_checks_and_commits(client, province):
    client.force_login(province["kabid"].user)
    url = reverse("catalog:import")
    upload = SimpleUploadedFile(samples.INVENTORY_NAME, samples.inventory_bytes())
    mapped = client.post(url, {"action": "upload", "file": upload})
    assert mapped.status_code == 200
    rows = mapped.context["mapping_rows"]
    mapping = {f"col-{i}": key for i, _header, key, _samples in rows}
    assert mapping["col-1"] == "name"
    checked = client.post(url, {"action": "check", **mapping})
    assert checked.status_code == 200 and checked.context["report"].ok
    assert not Application.objects.filter(short_name="Love Bali").exists()
    committed = client.post(url, {"action": "commit", **mapping})
    assert committed.status_code == 302
    assert Application.objects.filter(agency=province.agency).count() == 32


def test_the_import_screen_lists_the_problems_and_writes_nothing(client, province):
    client.force_login(province["kabid"].user)
    url = reverse("catalog:import")
    content = csv_bytes(
        [
            ["Nama Aplikasi", "OPD Pemilik", "Tanggal Kontrak", "No Kontrak", "Penyedia"],
            ["Aplikasi A", "Dinas Antah", "", "", ""],
            ["", "BKD", "2024-13-45", "K1", "PT A"],
        ]
    )
    client.post(url, {"action": "upload", "file": SimpleUploadedFile("x.csv", content)})
    mapping = {
        "col-0": "name",
        "col-1": "owner_unit",
        "col-2": "contract_date",
        "col-3": "contract_number",
        "col-4": "contract_vendor",
    }
    checked = client.post(url, {"action": "commit", **mapping})
    assert checked.status_code == 422
    page = checked.content.decode()
    found = [(p.row, p.column) for p in checked.context["report"].problems]
    assert found == [(2, "OPD Pemilik"), (3, "Tanggal Kontrak"), (3, "Nama Aplikasi")]
    assert "Dinas Antah" in page and "2024-13-45" in page
    assert Application.objects.filter(agency=province.agency).count() == 2


def test_only_keepers_import(client, province):
    client.force_login(province["dinkes_staf"].user)
    assert client.get(reverse("catalog:import")).status_code == 403


def test_the_export_is_a_workbook_of_the_filtered_list(keeper, inventory):
    response = keeper.get(reverse("catalog:export"), {"format": "xlsx", "stage": "retired"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Aplikasi"]
    assert [c.value for c in sheet[1]][:2] == ["Nama Aplikasi", "Nama Singkat"]
    assert sheet.max_row == 4  # the header and three retired applications
    assert "Petunjuk" in book.sheetnames
    csv_response = keeper.get(reverse("catalog:export"), {"format": "csv"})
    assert csv_response.content.startswith("\ufeffNama Aplikasi".encode())
    assert keeper.get(reverse("catalog:export"), {"format": "pdf"}).status_code == 404


def test_the_work_programme_of_a_year_with_its_totals(keeper, inventory):
    for short, budget, source in (
        ("SIDA Bali", "150000000", "APBD"),
        ("SIPSKU", "85000000", "APBD"),
        ("DEKB", None, "DAK"),
    ):
        app = Application.objects.get(short_name=short)
        services.add_to_work_programme(
            None,
            app.pk,
            services.ProgrammeInput(
                year=2027, budget=Decimal(budget) if budget else None, funding_source=source
            ),
        )
    response = keeper.get(reverse("catalog:programme", args=[2027]))
    assert response.status_code == 200
    assert response.context["count"] == 3 and response.context["without_budget"] == 1
    assert response.context["total"] == Decimal("235000000")
    assert dict(response.context["by_source"]) == {"APBD": Decimal("235000000")}
    assert "Rp 235.000.000" in response.content.decode()
    assert keeper.get(reverse("catalog:programme_index")).status_code == 302
