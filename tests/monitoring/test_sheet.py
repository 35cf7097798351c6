"""The catalogue workbook's sheet "Pemantauan": imported with the applications in one
transaction (an application of the same file may be named), every problem named by sheet, row
and column with nothing written, re-import changing a monitor instead of adding one, and the
export importing again."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from laksana.catalog import services as catalog_services
from laksana.catalog import spreadsheet
from laksana.catalog.models import Application
from laksana.monitoring import services
from laksana.monitoring.models import Monitor
from laksana.org.models import Agency

pytestmark = pytest.mark.django_db

APPS = ["Nama Aplikasi", "Nama Singkat", "Domain Produksi"]
MONITORS = [
    "aplikasi",
    "LINGKUNGAN",
    "Jenis",
    "Alamat",
    "Interval (detik)",
    "Batas Waktu (Detik)",
    "Gagal Sebelum Insiden",
    "Pulih Setelah",
    "Kode Status",
    "Kata Kunci",
    "Latensi Maks (ms)",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def workbook(tmp_path: Path, apps: list[list], monitors: list[list], name="katalog.xlsx") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Aplikasi"
    sheet.append(APPS)
    for row in apps:
        sheet.append(row)
    other = book.create_sheet("Pemantauan")
    other.append(MONITORS)
    for row in monitors:
        other.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def run_import(path: Path, agency: Agency) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("catalog", "import", str(path), agency=agency.slug, stdout=out, stderr=err)
    except CommandError:
        return err.getvalue()
    return out.getvalue()


def test_monitors_of_new_and_existing_applications(tmp_path, bali):
    path = workbook(
        tmp_path,
        [["Sistem Antrean", "SIANTRE", "antrean.baliprov.go.id"]],
        [
            [
                "siantre",
                "Produksi",
                "http",
                "http://10.0.0.5/health",
                30,
                5,
                2,
                1,
                "200",
                "OK",
                900,
            ],
            ["SIKESDA", None, "TCP", "10.0.0.6:5432", None, None, None, None, None, None, None],
        ],
    )
    output = run_import(path, bali.agency)
    assert "imported" in output, output
    new = Application.objects.get(agency=bali.agency, short_name="SIANTRE")
    web = Monitor.objects.get(application=new)
    assert (web.kind, web.target, web.interval_seconds, web.timeout_seconds) == (
        "http",
        "http://10.0.0.5/health",
        30,
        5,
    )
    assert (web.fail_after, web.recover_after, web.keyword, web.max_latency_ms) == (2, 1, "OK", 900)
    assert web.environment is not None and web.environment.kind == "production"
    tcp = Monitor.objects.get(application=bali.applications["sikesda"])
    assert tcp.kind == "tcp" and tcp.interval_seconds == 60

    again = workbook(
        tmp_path,
        [],
        [["SIANTRE", "produksi", "HTTP", "http://10.0.0.5/health", 120, 5, 4, 1, "", "", ""]],
        name="lagi.xlsx",
    )
    assert "imported" in run_import(again, bali.agency)
    assert Monitor.objects.filter(application=new).count() == 1
    web.refresh_from_db()
    assert web.interval_seconds == 120 and web.fail_after == 4


def test_problems_are_named_by_sheet_row_and_column_and_nothing_is_written(tmp_path, bali, djki):
    path = workbook(
        tmp_path,
        [["Sistem Antrean", "SIANTRE", ""]],
        [
            ["SIANTRE", "Produksi", "HTTP", "http://10.0.0.5/", 60, 10, 3, 2, "", "", ""],
            ["IPAS", "", "HTTP", "http://10.0.0.5/", 60, 10, 3, 2, "", "", ""],
            ["SIKESDA", "", "TCP", "10.0.0.6", 5, 10, 0, 2, "", "", ""],
            ["SIKESDA", "", "HTTP", "http://169.254.169.254/", "", "", "", "", "", "", ""],
            ["SIKESDA", "", "SMTP", "x", "", "", "", "", "", "", ""],
        ],
    )
    errors = run_import(path, bali.agency)
    assert "Pemantauan, row 2, column LINGKUNGAN" in errors  # no production environment
    assert "Pemantauan, row 3, column aplikasi" in errors  # another agency's application
    assert "Pemantauan, row 4, column Alamat" in errors  # tcp without a port
    assert "Pemantauan, row 4, column Interval (detik)" in errors
    assert "Pemantauan, row 4, column Gagal Sebelum Insiden" in errors
    assert "Pemantauan, row 5, column Alamat" in errors  # a metadata address
    assert "Pemantauan, row 6, column Jenis" in errors
    assert not Monitor.objects.exists()
    assert not Application.objects.filter(short_name="SIANTRE").exists()


def test_export_imports_again(tmp_path, bali):
    agency = Agency.objects.create(name="Instansi Uji", short_name="Uji", slug="uji-sheet")
    app = catalog_services.create_application(
        None, agency, catalog_services.ApplicationInput(name="Portal Uji", short_name="PORTAL")
    )
    services.add_monitor(
        None,
        app.pk,
        services.MonitorInput(
            target="http://10.0.0.8/", interval_seconds=300, keyword="Selamat", fail_after=5
        ),
    )
    services.add_monitor(None, app.pk, services.MonitorInput(kind="tls", target="10.0.0.8:8443"))
    fields = ("kind", "target", "interval_seconds", "timeout_seconds", "fail_after", "keyword")
    before = sorted(Monitor.objects.filter(agency=agency).values_list(*fields))
    path = tmp_path / "ekspor.xlsx"
    call_command("catalog", "export", agency=agency.slug, output=str(path), stdout=io.StringIO())
    table = spreadsheet.read_table(path.read_bytes(), path.name)
    assert "Pemantauan" in table.sheets and len(table.sheets["Pemantauan"]) == 3
    Monitor.objects.filter(agency=agency).delete()
    app.delete()
    assert "imported" in run_import(path, agency)
    assert sorted(Monitor.objects.filter(agency=agency).values_list(*fields)) == before
