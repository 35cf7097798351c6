"""Time standards as the seed SOPs write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from laksana.engine.timetext import TimeTextError, TimeUnit, parse_time


@pytest.mark.parametrize(
    ("text", "amount", "unit", "lower", "approximate", "remark"),
    [
        ("15 menit", 15, TimeUnit.MINUTE, None, False, ""),
        ("1 jam", 1, TimeUnit.HOUR, None, False, ""),
        ("1jam", 1, TimeUnit.HOUR, None, False, ""),
        ("±3 Hari", 3, TimeUnit.DAY, None, True, ""),
        ("±1-2 Jam", 2, TimeUnit.HOUR, 1, True, ""),
        (
            "±60 Hari (sesuai lingkup aplikasi)",
            60,
            TimeUnit.DAY,
            None,
            True,
            "sesuai lingkup aplikasi",
        ),
        ("3x24 jam", 3, TimeUnit.DAY, None, False, ""),
        ("1 Hari kerja", 1, TimeUnit.DAY, None, False, ""),
        ("2 minggu", 10, TimeUnit.DAY, None, False, ""),
        ("±7 Hari", 7, TimeUnit.DAY, None, True, ""),
    ],
)
def test_it_reads_the_seed_forms(text, amount, unit, lower, approximate, remark):
    t = parse_time(text)
    assert (t.amount, t.unit, t.lower, t.approximate, t.remark) == (
        amount,
        unit,
        lower,
        approximate,
        remark,
    )
    assert t.text == text


def test_it_converts_to_working_minutes_and_days():
    assert parse_time("±1-2 Jam").minutes == 120
    assert parse_time("15 menit").minutes == 15
    assert parse_time("±60 Hari (sesuai lingkup aplikasi)").days == 60
    with pytest.raises(ValueError, match="working days"):
        _ = parse_time("±3 Hari").minutes
    with pytest.raises(ValueError, match="working minutes"):
        _ = parse_time("1 jam").days


def test_it_refuses_a_number_without_a_unit():
    with pytest.raises(TimeTextError, match="has no unit"):
        parse_time("±1")


def test_it_takes_the_unit_the_author_states():
    t = parse_time("±1", unit="jam")
    assert (t.amount, t.unit, t.text) == (1, TimeUnit.HOUR, "±1")


def test_it_refuses_a_stated_unit_that_contradicts_the_text():
    with pytest.raises(TimeTextError, match="contradicts"):
        parse_time("2 Hari", unit="jam")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 bulan", "unknown time unit 'bulan'.*allowed units: menit, jam, hari"),
        ("segera", "cannot read time"),
        ("", "cannot read time"),
        ("2-1 jam", "runs backwards"),
        ("0 jam", "more than zero"),
    ],
)
def test_it_explains_what_it_cannot_read(text, message):
    with pytest.raises(TimeTextError, match=message):
        parse_time(text)


@given(st.text(max_size=40))
def test_any_text_is_read_or_refused_with_a_time_text_error(text):
    try:
        t = parse_time(text)
    except TimeTextError:
        return
    assert t.amount > 0
