"""Answers read from CSV and XLSX: headers as agencies write them, profile words mapped to
the choices, bad cells named by row and column, the 14-unsur sheet refused with why."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from laksana.errors import ServiceError
from laksana.survey import spreadsheet

HEADER = "No;U1;U2;U3;U4;U5;U6;U7;U8;U9;Umur;Jenis Kelamin;Pendidikan;Pekerjaan;Saran"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_of(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_of(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_semicolon_csv_with_profile_words():
    data = csv_of(
        HEADER,
        "1;4;4;3;4;3;4;4;3;3;35;L;S1;PNS;Loket lebih cepat",
        "2;3;3;3;4;3;3;3;3;3;;Perempuan;SMA;Mahasiswa;",
        ";;;;;;;;;;;;;;",
        "3;2;3;3;4;3;3;3;3;2;61;p;D3;Wiraswasta;",
    )
    rows = spreadsheet.read(data, "skm.csv")
    assert len(rows) == 3
    assert rows[0] == {
        **{f"u{i}": s for i, s in enumerate((4, 4, 3, 4, 3, 4, 4, 3, 3), start=1)},
        "age": 35, "sex": "L", "education": "d4_s1", "occupation": "pns",
        "suggestion": "Loket lebih cepat",
    }  # fmt: skip
    assert (rows[1]["sex"], rows[1]["education"], rows[1]["occupation"]) == ("P", "sma", "pelajar")
    assert "age" not in rows[1]
    assert (rows[2]["sex"], rows[2]["education"], rows[2]["occupation"]) == (
        "P", "d1_d3", "wirausaha"
    )  # fmt: skip


def test_a_comma_csv_with_a_bom_and_headers_spelt_otherwise():
    data = "\ufeffu 1,U2,u3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4,4\n".encode()
    assert spreadsheet.read(data, "a.csv") == [
        {
            **{f"u{i}": 4 for i in range(1, 10)},
            "sex": "",
            "education": "",
            "occupation": "",
            "suggestion": "",
        }
    ]


def test_an_xlsx_with_a_title_row_above_the_header():
    data = xlsx_of(
        [
            ("Rekap SKM 2025",),
            ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "Usia", "JK"),
            (4, 3, 3, 4, 3, 3, 3, 3, 3.0, 40, "L"),
            (None,) * 11,
            (3, 3, 3, 3, 3, 3, 3, 3, 3, None, None),
        ]
    )
    rows = spreadsheet.read(data, "rekap.xlsx")
    assert [r["u1"] for r in rows] == [4, 3]
    assert rows[0]["u9"] == 3 and rows[0]["age"] == 40 and rows[0]["sex"] == "L"


def test_bad_cells_are_named_by_row_and_column_and_nothing_is_read():
    data = csv_of(
        HEADER,
        "1;4;4;3;4;3;4;4;3;3;35;L;S1;PNS;",
        "2;4;4;5;4;3;4;4;3;3;35;L;S1;PNS;",
        "3;4;4;3;4;3;4;4;3;;200;X;S1;PNS;",
    )
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(data, "skm.csv")
    assert refused.value.code == "invalid_file"
    items = refused.value.items
    assert items[0].startswith("row 3, column U3: 5 is not a score")
    assert any(i.startswith("row 4, column U9: ") for i in items)
    assert any(i.startswith("row 4, column Umur: ") for i in items)
    assert any(i.startswith("row 4, column Jenis Kelamin: X is not one of") for i in items)
    assert len(items) == 4
    assert "row 3, column U3" in refused.value.message


def test_the_xlsx_row_number_is_the_spreadsheets():
    data = xlsx_of(
        [("Judul",), ("",), [f"U{i}" for i in range(1, 10)], (4,) * 9, (4, "a") + (4,) * 7]
    )
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(data, "x.xlsx")
    assert refused.value.items[0].startswith("row 5, column U2: a is not a score")


def test_the_14_unsur_kepmenpan_sheet_is_refused_with_why():
    header = ";".join(f"U{i}" for i in range(1, 15))
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(csv_of(header, ";".join(["3"] * 14)), "lama.csv")
    assert refused.value.code == "old_format"
    message = refused.value.message
    assert "25/2004" in message and "0,071" in message and "14/2017" in message
    assert "nothing was read" in message
    # Without a header: fourteen scores a row.
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(csv_of(";".join(["3"] * 14), ";".join(["4"] * 14)), "lama.csv")
    assert refused.value.code == "old_format"
    # Headed "Unsur 1" … "Unsur 14" in an XLSX.
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(xlsx_of([[f"Unsur {i}" for i in range(1, 15)], [3] * 14]), "l.xlsx")
    assert refused.value.code == "old_format"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (csv_of("U1;U2;U3;U4;U5;U6;U7;U8"), "U9"),
        (csv_of("Nama;Alamat", "Budi;Denpasar"), "header"),
        (csv_of("U1;U2;U3;U4;U5;U6;U7;U8;U9", ";;;;;;;;"), "no rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04 not a workbook", "XLSX"),
        ("U1;U2\n\xe9".encode("latin-1"), "UTF-8"),
    ],
)
def test_unreadable_files_say_what_is_wrong(data, words):
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(data, "f.csv")
    assert refused.value.code == "invalid_file"
    assert words in refused.value.message


def test_more_than_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    lines = ["U1;U2;U3;U4;U5;U6;U7;U8;U9"] + ["4;4;4;4;4;4;4;4;4"] * 4
    with pytest.raises(ServiceError) as refused:
        spreadsheet.read(csv_of(*lines), "f.csv")
    assert "more than 3 rows" in refused.value.message
    assert len(spreadsheet.read(csv_of(*lines[:4]), "f.csv")) == 3


def test_the_problems_read_in_indonesian():
    data = csv_of("U1;U2;U3;U4;U5;U6;U7;U8;U9", "4;4;5;4;4;4;4;4;4")
    with translation.override("id"), pytest.raises(ServiceError) as refused:
        spreadsheet.read(data, "skm.csv")
    assert refused.value.items == ("baris 2, kolom U3: 5 bukan nilai: isikan 1, 2, 3, atau 4",)
    header = ";".join(f"U{i}" for i in range(1, 15))
    with translation.override("id"), pytest.raises(ServiceError) as refused:
        spreadsheet.read(csv_of(header, ";".join(["3"] * 14)), "lama.csv")
    assert "Kepmenpan No. 25/2004" in refused.value.message
    assert "tidak ada yang dibaca" in refused.value.message
