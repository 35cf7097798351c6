"""Time standards (Waktu) as real SOPs write them.

The Waktu column of an SOP table is free text: "15 menit", "1jam", "±3 Hari",
"±1-2 Jam", "±60 Hari (sesuai lingkup aplikasi)", "3x24 jam", "1 Hari kerja". This module
turns such text into a :class:`TimeStandard` and explains precisely what it cannot read.
The semantics are documented in ``docs/time-standards.md``:

* minutes and hours (menit, jam) are working minutes and hours;
* days (hari, hari kerja) are working days; a week (minggu, pekan) is five working days;
* "±" marks an approximate standard; the amount is still the standard;
* a range "1-2" keeps both bounds, and the upper bound is the standard;
* "N x 24 jam" is the idiom for N days and means N working days;
* text in parentheses is a remark, kept but not interpreted;
* a number without a unit is an error unless the author states the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from laksana.engine.messages import Msg


class TimeUnit(StrEnum):
    """The unit of a time standard, always in working time."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


# Accepted spellings, lower case. Weeks are read as five working days.
_UNITS: dict[str, tuple[TimeUnit, int]] = {
    "menit": (TimeUnit.MINUTE, 1),
    "mnt": (TimeUnit.MINUTE, 1),
    "minute": (TimeUnit.MINUTE, 1),
    "minutes": (TimeUnit.MINUTE, 1),
    "jam": (TimeUnit.HOUR, 1),
    "hour": (TimeUnit.HOUR, 1),
    "hours": (TimeUnit.HOUR, 1),
    "hari": (TimeUnit.DAY, 1),
    "hari kerja": (TimeUnit.DAY, 1),
    "day": (TimeUnit.DAY, 1),
    "days": (TimeUnit.DAY, 1),
    "working day": (TimeUnit.DAY, 1),
    "working days": (TimeUnit.DAY, 1),
    "minggu": (TimeUnit.DAY, 5),
    "pekan": (TimeUnit.DAY, 5),
    "week": (TimeUnit.DAY, 5),
    "weeks": (TimeUnit.DAY, 5),
}

UNIT_NAMES = ("menit", "jam", "hari", "hari kerja", "minggu")

_NUMBER = r"\d+(?:[.,]\d+)?"
_PATTERN = re.compile(
    rf"""
    ^\s*
    (?P<approx>±|\+/-|\+-|kurang\s+lebih|kurang\s+lebih\s+|maks(?:imal)?\.?|paling\s+lama)?\s*
    (?P<low>{_NUMBER})
    (?:\s*(?:-|–|—|s\.?d\.?|sampai)\s*(?P<high>{_NUMBER}))?
    (?:\s*[x×]\s*24\s*(?P<x24>jam|hours?))?
    \s*(?P<unit>[^\d\s()][^()]*?)?
    \s*(?:\((?P<remark>[^)]*)\))?
    \s*$
    """,
    re.IGNORECASE | re.VERBOSE,
)


class TimeTextError(ValueError):
    """The text is not a time standard; the message says what is allowed."""


@dataclass(frozen=True, slots=True)
class TimeStandard:
    """A parsed time standard. ``amount`` is the binding upper bound, in ``unit``."""

    text: str
    amount: float
    unit: TimeUnit
    lower: float | None = None  # the lower bound of a range, kept for the record
    approximate: bool = False
    remark: str = ""

    @property
    def minutes(self) -> int:
        """The standard in working minutes; only for minute and hour standards."""
        if self.unit is TimeUnit.MINUTE:
            return round(self.amount)
        if self.unit is TimeUnit.HOUR:
            return round(self.amount * 60)
        raise ValueError("a day standard is counted in working days, not minutes")

    @property
    def days(self) -> int:
        """The standard in working days; only for day standards."""
        if self.unit is not TimeUnit.DAY:
            raise ValueError("a minute or hour standard is counted in working minutes")
        return round(self.amount)

    def describe(self) -> str:
        """A plain English reading, for documentation and the CLI."""
        amount = _fmt(self.amount)
        names = {
            TimeUnit.MINUTE: "working minute",
            TimeUnit.HOUR: "working hour",
            TimeUnit.DAY: "working day",
        }
        plural = "" if amount == "1" else "s"
        out = f"{amount} {names[self.unit]}{plural}"
        if self.lower is not None:
            out = f"{_fmt(self.lower)} to {out}"
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "amount": self.amount,
            "unit": self.unit.value,
            "lower": self.lower,
            "approximate": self.approximate,
            "remark": self.remark,
        }


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_time(text: str, unit: str | None = None) -> TimeStandard:
    """Read a Waktu cell. ``unit`` is the author's statement of the unit for unit-less text.

    Raises :class:`TimeTextError` with a message naming what was wrong and what is allowed.
    """
    original = text
    match = _PATTERN.match(text)
    if not match:
        raise TimeTextError(
            Msg(
                "cannot read time %(time)s: write a number and a unit, such as '15 menit', "
                "'1 jam', '±3 Hari', '±1-2 Jam' or '3x24 jam'",
                time=repr(original),
            )
        )
    low = _number(match["low"])
    high = _number(match["high"]) if match["high"] else None
    approximate = bool(match["approx"]) and match["approx"].strip().lower() not in (
        "maks",
        "maks.",
        "maksimal",
        "paling lama",
    )
    remark = (match["remark"] or "").strip()
    unit_text = (match["unit"] or "").strip().lower()
    unit_text = re.sub(r"\s+", " ", unit_text)

    factor = 1
    if match["x24"]:
        if unit_text:
            raise TimeTextError(
                Msg(
                    "cannot read time %(time)s: after 'x24 jam' nothing but a remark in "
                    "parentheses may follow",
                    time=repr(original),
                )
            )
        resolved = TimeUnit.DAY
    elif unit_text:
        if unit_text not in _UNITS:
            raise TimeTextError(
                Msg(
                    "unknown time unit %(unit)s in %(time)s; allowed units: %(units)s",
                    unit=repr(match["unit"].strip()),
                    time=repr(original),
                    units=", ".join(UNIT_NAMES),
                )
            )
        resolved, factor = _UNITS[unit_text]
        if unit is not None and _UNITS.get(unit.strip().lower(), (None, 0))[0] != resolved:
            raise TimeTextError(
                Msg(
                    "time %(time)s already has the unit %(unit)s, which contradicts the "
                    "stated unit %(stated)s",
                    time=repr(original),
                    unit=repr(match["unit"].strip()),
                    stated=repr(unit),
                )
            )
    elif unit is not None:
        key = unit.strip().lower()
        if key not in _UNITS:
            raise TimeTextError(
                Msg(
                    "unknown time unit %(unit)s; allowed units: %(units)s",
                    unit=repr(unit),
                    units=", ".join(UNIT_NAMES),
                )
            )
        resolved, factor = _UNITS[key]
    else:
        raise TimeTextError(
            Msg(
                "time %(time)s has no unit; write it with one (menit, jam, hari) or state "
                "the unit: time: {text: '%(text)s', unit: jam}",
                time=repr(original),
                text=original.strip(),
            )
        )

    amount = (high if high is not None else low) * factor
    lower = low * factor if high is not None else None
    if amount <= 0:
        raise TimeTextError(Msg("time %(time)s must be more than zero", time=repr(original)))
    if lower is not None and lower > amount:
        raise TimeTextError(
            Msg(
                "time range %(time)s runs backwards: the lower bound is larger than the upper",
                time=repr(original),
            )
        )
    return TimeStandard(
        text=original.strip(),
        amount=amount,
        unit=resolved,
        lower=lower,
        approximate=approximate,
        remark=remark,
    )
