"""Numbers of official documents, as offices number them.

Per agency, document kind and year, a sequence that has no gaps: the number is taken in the
transaction of the last signature (:func:`laksana.documents.services.sign`), so a refused or
failed finalisation gives nothing out. The agency sets how the number reads with a pattern
(:class:`~laksana.documents.models.NumberingPattern`), for example
``{seq:03d}/BAST/{unit_code}/{year}``; without one, the kind's default
(``{seq:03d}/<CODE>/{agency_code}/{year}``).

Placeholders: ``{seq}`` (required; a format spec such as ``{seq:03d}`` is allowed), ``{code}``
(the kind's number code), ``{year}``, ``{month}`` (two digits), ``{month_roman}`` (I..XII),
``{agency_code}`` (the agency's short name) and ``{unit_code}`` (the short name of the
author's unit).

Two documents finalised at the same moment never share a number: the counter row is created
race-safely (``get_or_create``: on PostgreSQL the second insert waits for the first and then
finds its row; SQLite's writers are serialised by the immediate transaction), then moved on
with one ``UPDATE ... SET last = last + 1`` (a row lock on PostgreSQL) and read back in the
same transaction. The unique constraint on (agency, kind, year, seq) of documents is the last
guard.
"""

from __future__ import annotations

import datetime as dt
import string

from django.db.models import F
from django.utils.translation import gettext as _

from laksana.documents.kinds import DocumentKind, kind_of
from laksana.documents.models import NumberCounter, NumberingPattern
from laksana.org.models import Agency, Unit

PLACEHOLDERS = ("seq", "code", "year", "month", "month_roman", "agency_code", "unit_code")
MAX_PATTERN = 120  # NumberingPattern.pattern's length

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def check_pattern(pattern: str) -> list[str]:
    """The problems of a numbering pattern (empty: it can be used)."""
    problems: list[str] = []
    if not pattern.strip():
        return [_("Write a numbering pattern, for example {seq:03d}/BAST/{unit_code}/{year}.")]
    if len(pattern) > MAX_PATTERN:
        problems.append(
            _("A numbering pattern has at most %(count)s characters.") % {"count": MAX_PATTERN}
        )
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return [
            *problems,
            _("The pattern cannot be read (%(error)s); write placeholders as {seq}.")
            % {"error": str(exc)},
        ]
    seen_seq = False
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            problems.append(
                _("Unknown placeholder {%(name)s}; the placeholders are: %(known)s.")
                % {"name": name, "known": ", ".join("{" + p + "}" for p in PLACEHOLDERS)}
            )
            continue
        if conversion:
            problems.append(
                _("{%(name)s} takes no conversion (!%(c)s).") % {"name": name, "c": conversion}
            )
            continue
        if name == "seq":
            seen_seq = True
        sample: object = {"seq": 1, "year": 2026}.get(name, "X")
        try:
            format(sample, spec or "")
        except (ValueError, TypeError):
            problems.append(
                _("{%(name)s:%(spec)s}: the format %(spec)s does not fit this placeholder.")
                % {"name": name, "spec": spec}
            )
    if not seen_seq:
        problems.append(_("The pattern must hold the sequence number {seq}."))
    return problems


def pattern_for(agency: Agency | int, kind: DocumentKind) -> str:
    """The agency's pattern for the kind, else the kind's default."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    found = (
        NumberingPattern.objects.filter(agency_id=agency_id, kind=kind.code)
        .values_list("pattern", flat=True)
        .first()
    )
    return found or kind.default_pattern


def format_number(
    pattern: str,
    *,
    seq: int,
    kind: DocumentKind,
    agency: Agency,
    unit: Unit | None,
    on: dt.date,
) -> str:
    """The number ``pattern`` gives to sequence ``seq`` of the kind on the day ``on``."""
    values = {
        "seq": seq,
        "code": kind.number_code,
        "year": on.year,
        "month": f"{on.month:02d}",
        "month_roman": _ROMAN[on.month - 1],
        "agency_code": agency.short_name or agency.slug.upper(),
        "unit_code": (unit.short_name or unit.name) if unit is not None else "",
    }
    try:
        return pattern.format(**values)
    except (KeyError, ValueError, IndexError, AttributeError):
        # A pattern saved before its check existed: the kind's default rather than no number.
        return kind.default_pattern.format(**values)


def take_seq(agency: Agency | int, kind: str, year: int) -> int:
    """The next sequence number of the kind in the year, taken (call inside the finalising
    transaction: a rollback gives it back)."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    NumberCounter.objects.get_or_create(agency_id=agency_id, kind=kind, year=year)
    counter = NumberCounter.objects.filter(agency_id=agency_id, kind=kind, year=year)
    counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return int(last)


def next_number(
    agency: Agency,
    kind: DocumentKind | str,
    year: int,
    *,
    unit: Unit | None = None,
    on: dt.date | None = None,
) -> tuple[int, str]:
    """Take the next number of ``kind`` in ``year`` for ``agency``: (sequence, text). ``unit``
    is the author's unit (``{unit_code}``), ``on`` the document's date (``{month}``)."""
    found = kind_of(kind) if isinstance(kind, str) else kind
    if found is None:
        raise ValueError(f"unknown document kind {kind!r}")
    seq = take_seq(agency, found.code, year)
    day = on if on is not None and on.year == year else dt.date(year, 1, 1)
    text = format_number(
        pattern_for(agency, found), seq=seq, kind=found, agency=agency, unit=unit, on=day
    )
    return seq, text
