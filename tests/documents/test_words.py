"""Numbers, dates and amounts in Indonesian words, against hand-written examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from laksana.documents import words

HAND_WRITTEN = {
    0: "nol",
    1: "satu",
    7: "tujuh",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    19: "sembilan belas",
    20: "dua puluh",
    21: "dua puluh satu",
    100: "seratus",
    101: "seratus satu",
    110: "seratus sepuluh",
    111: "seratus sebelas",
    200: "dua ratus",
    1000: "seribu",
    1001: "seribu satu",
    1011: "seribu sebelas",
    1100: "seribu seratus",
    2026: "dua ribu dua puluh enam",
    11000: "sebelas ribu",
    21000: "dua puluh satu ribu",
    100000: "seratus ribu",
    101000: "seratus satu ribu",
    1000000: "satu juta",
    1001000: "satu juta seribu",
    1500000: "satu juta lima ratus ribu",
    150000000: "seratus lima puluh juta",
    1000000000: "satu miliar",
    1234567890: (
        "satu miliar dua ratus tiga puluh empat juta lima ratus enam puluh tujuh ribu"
        " delapan ratus sembilan puluh"
    ),
    2000001000: "dua miliar seribu",
}


@pytest.mark.parametrize(("number", "text"), sorted(HAND_WRITTEN.items()))
def test_terbilang(number: int, text: str) -> None:
    assert words.terbilang(number) == text


def test_negative_number() -> None:
    assert words.terbilang(-5) == "minus lima"


def test_days_and_months() -> None:
    assert words.day_name(dt.date(2026, 12, 7)) == "Senin"
    assert words.day_name(dt.date(2026, 12, 11)) == "Jumat"
    assert words.day_name(dt.date(2026, 12, 13)) == "Minggu"
    assert words.month_name(1) == "Januari"
    assert words.month_name(12) == "Desember"


def test_long_date() -> None:
    assert words.long_date(dt.date(2026, 12, 7)) == "7 Desember 2026"
    assert words.long_date(dt.date(2027, 2, 1)) == "1 Februari 2027"


def test_date_sentence() -> None:
    assert words.date_sentence(dt.date(2026, 12, 7)) == (
        "Pada hari ini Senin tanggal tujuh bulan Desember tahun dua ribu dua puluh enam"
    )
    assert words.date_sentence(dt.date(2027, 3, 31)) == (
        "Pada hari ini Rabu tanggal tiga puluh satu bulan Maret tahun dua ribu dua puluh tujuh"
    )


def test_rupiah() -> None:
    assert words.rupiah(Decimal("150000000")) == "Rp150.000.000,00"
    assert words.rupiah(1500000) == "Rp1.500.000,00"
    assert words.rupiah(Decimal("1234567890.50")) == "Rp1.234.567.890,50"
    assert words.rupiah(0) == "Rp0,00"
    assert words.rupiah(999) == "Rp999,00"


def test_rupiah_words() -> None:
    assert words.rupiah_words(Decimal("150000000.00")) == "seratus lima puluh juta rupiah"
    assert words.rupiah_words(1000) == "seribu rupiah"
    assert words.rupiah_words(Decimal("1500000.25")) == (
        "satu juta lima ratus ribu rupiah dua puluh lima sen"
    )
