"""Importing an inventory spreadsheet: column mapping, every problem by row and column, a dry
run that writes nothing, an all-or-nothing commit, XLSX and CSV, and the command line."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from laksana.catalog import services, spreadsheet
from laksana.catalog.models import (
    Application,
    Contract,
    Environment,
    Stage,
    StageChange,
    Vendor,
)
from laksana.catalog.spreadsheet import Code

from .helpers import csv_bytes, table

pytestmark = pytest.mark.django_db

HEADER = [
    "Nama Aplikasi",
    "Singkatan",
    "OPD Pemilik",
    "OPD Pengguna",
    "Alamat Website",
    "Status",
    "Platform",
    "Tahun",
    "Tanggal Kontrak",
    "No. Kontrak/SPK",
    "Penyedia",
    "Nilai Kontrak (Rp)",
    "Kategori",
]
GOOD = [
    "Aplikasi Satu",
    "AS",
    "Bappeda",
    "Bappeda; BPKAD",
    "https://satu.baliprov.go.id",
    "Aktif",
    "Web, Mobile",
    "2020",
    "15/03/2023",
    "SPK/001/2023",
    "PT Satu Nusa",
    "Rp 1.250.000",
    "Aplikasi Umum",
]


def row(**changes: str) -> list[str]:
    values = dict(zip(HEADER, GOOD, strict=True))
    values.update(changes)
    return [values[h] for h in HEADER]


def snapshot() -> tuple[int, ...]:
    return (
        Application.objects.count(),
        Vendor.objects.count(),
        StageChange.objects.count(),
        Contract.objects.count(),
        Environment.objects.count(),
    )


def run(agency, rows, *, dry_run=False, mapping=None):
    t = rows if isinstance(rows, spreadsheet.Table) else table([HEADER, *rows])
    return services.import_applications(
        None,
        agency,
        t,
        mapping if mapping is not None else spreadsheet.guess_mapping(t.headers),
        dry_run=dry_run,
    )


# --- the sample inventory -----------------------------------------------------------------


def test_it_guesses_every_column_of_the_sample_inventory(sample_table):
    mapping = spreadsheet.guess_mapping(sample_table.headers)
    assert sample_table.header_row == 4, "the title rows above the table are skipped"
    assert len(sample_table.rows) == 30
    unmapped = [h for h, k in zip(sample_table.headers, mapping, strict=True) if not k]
    assert unmapped == ["No"]
    assert len(set(filter(None, mapping))) == len(mapping) - 1


def test_a_dry_run_of_the_sample_finds_no_problem_and_writes_nothing(province, sample_table):
    before = snapshot()
    report = run(province.agency, sample_table, dry_run=True)
    assert report.problems == []
    assert len(report.rows) == 30 and report.created == []
    assert "PT Sinar Data Dewata" in report.new_vendors
    assert snapshot() == before


def test_the_commit_enters_every_row_with_its_environments_and_contract(province, sample_table):
    report = run(province.agency, sample_table)
    assert report.ok and len(report.created) == 30
    apps = Application.objects.filter(agency=province.agency)
    assert apps.count() == 32  # with SIMPEG and SIKESDA of the demo agency
    lovebali = apps.get(short_name="Love Bali")
    assert lovebali.stage == Stage.IN_PRODUCTION
    assert lovebali.platforms == ["web", "mobile"]
    assert lovebali.urls == ["https://lovebali.baliprov.go.id"]
    assert lovebali.owner_unit.short_name == "Dispar"
    assert {u.short_name for u in lovebali.user_units.all()} == {"Dispar", "Bapenda"}
    assert lovebali.developer_vendor.name == "PT Cipta Solusi Bali"
    assert {e.kind for e in lovebali.environments.all()} == {"production", "staging"}
    contract = lovebali.contracts.get()
    assert contract.value == Decimal("2450000000")
    assert contract.signed_on == dt.date(2023, 11, 20)
    assert contract.support_kind == "warranty" and contract.support_ends_on == dt.date(2025, 2, 9)
    assert apps.get(short_name="TNDE").stage == Stage.RETIRED
    assert apps.get(short_name="SIMDA Keuangan").stage == Stage.RETIRED
    assert apps.get(short_name="SIPSKU").stage == Stage.PROPOSED
    internal = apps.get(short_name="Bali Prov-CSIRT")
    assert internal.developer_kind == "internal" and internal.developer_unit.short_name == (
        "Bidang Persandian"
    )
    # Each application's first stage change says where it came from.
    first = StageChange.objects.get(application=lovebali)
    assert first.old_stage == "" and first.new_stage == Stage.IN_PRODUCTION
    assert "row" in first.reason


def test_importing_the_same_file_again_finds_every_row_a_duplicate(province, sample_table):
    run(province.agency, sample_table)
    before = snapshot()
    report = run(province.agency, sample_table)
    duplicates = {p.row for p in report.problems if p.code is Code.DUPLICATE_IN_CATALOGUE}
    assert duplicates == {number for number, _cells in sample_table.rows}
    assert snapshot() == before


# --- every problem, by row and column ------------------------------------------------------


def test_it_lists_every_problem_by_row_and_column_and_writes_nothing(province):
    before = snapshot()
    rows = [
        row(),  # 2: fine
        row(**{"Nama Aplikasi": "", "Singkatan": "X1"}),  # 3
        row(**{"Nama Aplikasi": "Aplikasi Dua", "Singkatan": "", "OPD Pemilik": "Dinas Antah"}),
        row(**{"Singkatan": "AS2"}),  # 5: the name of row 2 again
        row(**{"Nama Aplikasi": "Sistem Informasi Kepegawaian", "Singkatan": ""}),  # 6
        row(
            **{
                "Nama Aplikasi": "Aplikasi Tujuh",
                "Singkatan": "",
                "Tanggal Kontrak": "31/02/2023",
                "Alamat Website": "htp//rusak",
            }
        ),
        row(
            **{
                "Nama Aplikasi": "Aplikasi Delapan",
                "Singkatan": "",
                "Status": "Setengah jadi",
                "Platform": "Web, Kulkas",
            }
        ),
        row(
            **{
                "Nama Aplikasi": "Aplikasi Sembilan",
                "Singkatan": "",
                "OPD Pengguna": "Bappeda; Dinas Tidak Ada",
                "Tahun": "20x5",
                "Nilai Kontrak (Rp)": "banyak",
            }
        ),
    ]
    report = run(province.agency, rows)
    found = sorted((p.row, p.column, p.code) for p in report.problems)
    assert found == [
        (3, "Nama Aplikasi", Code.MISSING),
        (4, "OPD Pemilik", Code.UNKNOWN_UNIT),
        (5, "Nama Aplikasi", Code.DUPLICATE_IN_FILE),
        (6, "Nama Aplikasi", Code.DUPLICATE_IN_CATALOGUE),
        (7, "Alamat Website", Code.BAD_URL),
        (7, "Tanggal Kontrak", Code.BAD_DATE),
        (8, "Platform", Code.BAD_CHOICE),
        (8, "Status", Code.BAD_CHOICE),
        (9, "Nilai Kontrak (Rp)", Code.BAD_MONEY),
        (9, "OPD Pengguna", Code.UNKNOWN_UNIT),
        (9, "Tahun", Code.BAD_YEAR),
    ]
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert "Dinas Antah" in messages[(4, "OPD Pemilik")]
    assert "row 2" in messages[(5, "Nama Aplikasi")]
    assert "31/02/2023" in messages[(7, "Tanggal Kontrak")]
    # A bad choice names the allowed values.
    assert "Setengah jadi" in messages[(8, "Status")]
    assert "Beroperasi" in messages[(8, "Status")] and "Dihentikan" in messages[(8, "Status")]
    assert "Kulkas" in messages[(8, "Platform")] and "Desktop" in messages[(8, "Platform")]
    assert str(report.problems[0]).startswith("row ")
    assert snapshot() == before, "nothing is written when there is a problem"


def test_an_unknown_unit_suggests_close_names(province):
    report = run(province.agency, [row(**{"OPD Pemilik": "Badan Perencanaan Pembangunan Daerah"})])
    (problem,) = report.problems
    assert problem.code is Code.UNKNOWN_UNIT
    assert "Badan Perencanaan Pembangunan Daerah Provinsi Bali" in problem.message


def test_a_contract_without_a_number_or_vendor_is_a_problem(province):
    report = run(province.agency, [row(**{"No. Kontrak/SPK": "", "Penyedia": ""})])
    codes = sorted((p.column, p.code) for p in report.problems)
    assert codes == [("No. Kontrak/SPK", Code.MISSING), ("Penyedia", Code.MISSING)]


def test_without_a_name_column_nothing_is_read(province):
    t = table([["Singkatan", "OPD Pemilik"], ["AS", "Bappeda"]])
    report = run(province.agency, t)
    (problem,) = report.problems
    assert (problem.code, problem.field, problem.row) == (Code.UNMAPPED, "name", 1)


def test_a_field_read_from_two_columns_is_a_problem(province):
    t = table([["Nama", "Nama Aplikasi"], ["A", "B"]])
    report = run(province.agency, t, mapping=["name", "name"])
    (problem,) = report.problems
    assert (problem.code, problem.column) == (Code.MAPPED_TWICE, "Nama Aplikasi")


def test_the_mapping_can_be_corrected(province):
    t = table([["Judul", "Kode"], ["Aplikasi Pendataan Subak", "SUBAK"]])
    assert spreadsheet.guess_mapping(t.headers) == ["", ""]
    report = run(province.agency, t, mapping=["name", "short_name"])
    assert report.ok
    (app,) = report.created
    assert (app.name, app.short_name) == ("Aplikasi Pendataan Subak", "SUBAK")
    assert app.stage == Stage.IN_PRODUCTION  # an inventory lists running applications


def test_values_are_read_in_many_spellings(province):
    t = table(
        [
            [
                "Application name",
                "Stage",
                "Platform",
                "Year built",
                "Contract value",
                "Contract",
                "Contract start",
                "Vendor",
            ],
            [
                "Aplikasi A",
                "in production",
                "web/android",
                "2019.0",
                "1,250,000.50",
                "K-1",
                "2 Januari 2024",
                "PT Dewata",
            ],
            [
                "Aplikasi B",
                "Tidak aktif",
                "Desktop dan API",
                "2018",
                "750000",
                "K-2",
                "2024-01-05",
                "PT Dewata",
            ],
        ]
    )
    report = run(province.agency, t)
    assert report.ok, report.problems
    a, b = report.created
    assert a.platforms == ["web", "mobile"] and a.year_built == 2019
    assert a.contracts.get().value == Decimal("1250000.50")
    assert a.contracts.get().starts_on == dt.date(2024, 1, 2)
    assert a.developer_vendor.name == "PT Dewata"
    assert b.stage == Stage.RETIRED and b.platforms == ["desktop", "api"]


def test_a_bare_domain_is_read_as_an_https_address(province):
    report = run(province.agency, [row(**{"Alamat Website": "satu.baliprov.go.id"})])
    assert report.created[0].urls == ["https://satu.baliprov.go.id"]


# --- file formats ----------------------------------------------------------------------------


def test_it_reads_an_xlsx_workbook_with_a_title_row_and_date_cells(province):
    book = Workbook()
    sheet = book.active
    sheet.title = "Aplikasi"
    sheet.append(["Daftar aplikasi 2025"])
    sheet.append(
        [
            "Nama Aplikasi",
            "OPD Pemilik",
            "Tanggal Kontrak",
            "No Kontrak",
            "Penyedia",
            "Nilai Kontrak",
        ]
    )
    sheet.append(
        ["Aplikasi XLSX", "Bapenda", dt.datetime(2024, 5, 6), "K/9", "PT Sembilan", 1500000]
    )
    out = io.BytesIO()
    book.save(out)
    t = spreadsheet.read_table(out.getvalue(), "inventaris.xlsx")
    assert (t.header_row, t.sheet) == (2, "Aplikasi")
    report = run(province.agency, t)
    assert report.ok, report.problems
    contract = report.created[0].contracts.get()
    assert contract.signed_on == dt.date(2024, 5, 6) and contract.value == Decimal(1500000)


def test_it_reads_semicolon_csv_in_windows_encoding(province):
    content = "Nama Aplikasi;OPD Pemilik;Deskripsi\nAplikasi Émas;BPKAD;Keuangan; aset\n".encode(
        "cp1252"
    )
    t = spreadsheet.read_table(content, "x.csv")
    assert t.headers == ["Nama Aplikasi", "OPD Pemilik", "Deskripsi"]
    assert t.rows[0][1][0] == "Aplikasi Émas"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (b"PK\x03\x04not really a workbook", "XLSX"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(content, message):
    with pytest.raises(spreadsheet.TableError, match=message):
        spreadsheet.read_table(content, "x")


def test_only_keepers_import(province, sample_table):
    with pytest.raises(services.NotAllowed):
        services.import_applications(
            province["bkd"],
            province.agency,
            sample_table,
            spreadsheet.guess_mapping(sample_table.headers),
        )
    report = services.import_applications(
        province["kabid"],
        province.agency,
        sample_table,
        spreadsheet.guess_mapping(sample_table.headers),
    )
    assert report.ok and StageChange.objects.filter(by=province["kabid"]).count() == 30


# --- the command line ------------------------------------------------------------------------


def test_the_command_imports_a_file_and_exports_it_again(province, tmp_path):
    from laksana.catalog import samples

    out = io.StringIO()
    call_command(
        "catalog",
        "import",
        str(samples.inventory_path()),
        "--agency",
        "diskominfos-bali",
        "--dry-run",
        stdout=out,
    )
    assert "30 application(s), no problems" in out.getvalue()
    assert not Application.objects.filter(short_name="Love Bali").exists()
    call_command(
        "catalog",
        "import",
        str(samples.inventory_path()),
        "--agency",
        "diskominfos-bali",
        stdout=out,
    )
    assert Application.objects.filter(short_name="Love Bali").exists()
    target = tmp_path / "katalog.xlsx"
    call_command("catalog", "export", "--agency", "diskominfos-bali", "-o", str(target), stdout=out)
    assert "32 application(s)" in out.getvalue()
    assert target.read_bytes().startswith(b"PK")


def test_the_command_lists_the_problems_and_fails(province, tmp_path):
    bad = tmp_path / "rusak.csv"
    bad.write_bytes(csv_bytes([HEADER, row(**{"OPD Pemilik": "Dinas Antah"})]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("catalog", "import", str(bad), "--agency", "diskominfos-bali", stderr=err)
    assert "rusak.csv: row 2, column OPD Pemilik: Unknown unit Dinas Antah." in err.getvalue()
    with pytest.raises(CommandError, match="No agency"):
        call_command("catalog", "import", str(bad), "--agency", "tidak-ada")
