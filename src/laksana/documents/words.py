"""Numbers, dates and amounts written out in Indonesian, as official documents print them.

Numbers in words (*terbilang*) come from num2words (``lang="id"``) one group of three digits
at a time; the scale words are put together here, because num2words writes 1.001.000 as
"satu juta satu ribu" where Indonesian says "satu juta seribu" (a thousands group of exactly
one is "seribu").
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words  # type: ignore[import-untyped]

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
# Scale words by groups of three digits, lowest first (the thousands handled apart).
_SCALES = ("", "ribu", "juta", "miliar", "triliun", "kuadriliun")


def _group(n: int) -> str:
    """0 < n < 1000 in words (num2words is right for these: seratus, sebelas, ...)."""
    text = num2words(n, lang="id")
    assert isinstance(text, str)
    return text


def terbilang(n: int) -> str:
    """The whole number ``n`` in Indonesian words: 2026 → "dua ribu dua puluh enam"."""
    if n < 0:
        return "minus " + terbilang(-n)
    if n == 0:
        return "nol"
    groups: list[int] = []
    while n:
        n, rest = divmod(n, 1000)
        groups.append(rest)
    if len(groups) > len(_SCALES):
        raise ValueError("number too large to write in words")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if not value:
            continue
        scale = _SCALES[index]
        if index == 1 and value == 1:
            words.append("seribu")
        elif scale:
            words.append(f"{_group(value)} {scale}")
        else:
            words.append(_group(value))
    return " ".join(words)


def day_name(d: dt.date) -> str:
    """The Indonesian name of the day of the week: "Senin"."""
    return DAYS[d.weekday()]


def month_name(m: int) -> str:
    """The Indonesian name of month ``m`` (1-12): "Desember"."""
    return MONTHS[m - 1]


def long_date(d: dt.date) -> str:
    """The date as letters print it: "7 Desember 2026"."""
    return f"{d.day} {month_name(d.month)} {d.year}"


def date_sentence(d: dt.date) -> str:
    """The opening of minutes: "Pada hari ini Senin tanggal tujuh bulan Desember tahun dua
    ribu dua puluh enam"."""
    return (
        f"Pada hari ini {day_name(d)} tanggal {terbilang(d.day)} bulan {month_name(d.month)}"
        f" tahun {terbilang(d.year)}"
    )


def _cents(amount: Decimal | int) -> tuple[int, int]:
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = int(value)
    return whole, int((abs(value) - abs(Decimal(whole))) * 100)


def rupiah(amount: Decimal | int) -> str:
    """An amount as printed: "Rp150.000.000,00" (dots between thousands, comma for sen)."""
    whole, sen = _cents(amount)
    grouped = f"{abs(whole):,}".replace(",", ".")
    sign = "-" if Decimal(amount) < 0 else ""
    return f"{sign}Rp{grouped},{sen:02d}"


def rupiah_words(amount: Decimal | int) -> str:
    """An amount in words: "seratus lima puluh juta rupiah" (and "... sen" when there are
    any)."""
    whole, sen = _cents(amount)
    text = f"{terbilang(whole)} rupiah"
    if sen:
        text += f" {terbilang(sen)} sen"
    return text
