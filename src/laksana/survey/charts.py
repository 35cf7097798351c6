"""The survey's charts as SVG markup drawn on the server (as :mod:`laksana.monitoring.svg`): no
JavaScript, no inline style, every text escaped, the same picture on a screen, in a slide and
in the PDF report.

* :func:`bars`: horizontal bars, one per item (e.g. the NRR of each unsur on a scale to 4, or
  the converted value on a scale to 100), the item's name above its bar and its value at the
  bar's end;
* :func:`pie`: the shares of a few counts (e.g. the respondents by sex or by education), with
  a legend giving each count and its percentage.

Both scale to the width of their box (``viewBox``; CSS sets ``width: 100%``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

INK = "#1b2430"
MUTED = "#55606e"
BAR = "#123f6e"
TRACK = "#e3e8ee"
# Distinct colours for the slices of a pie (readable on white, apart for the common kinds of
# colour blindness as far as eight slices go).
SLICES = (
    "#123f6e",
    "#e69f00",
    "#2e7d32",
    "#b3261e",
    "#56b4e9",
    "#8e5ea2",
    "#a86a00",
    "#5b6f8a",
)
EMPTY = "#c9d3df"

_ROW = 40  # height of one bar's row: its name (16) and the bar (18) and a gap
_BAR_H = 16
_PIE_R = 80


def _n(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float, places: int = 2) -> str:
    """``value`` to ``places`` decimals (half up), in the reader's language."""
    exponent = Decimal(1).scaleb(-places)
    return str(
        formats.number_format(
            Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP), places
        )
    )


def _svg(width: int, height: int, body: SafeString, css: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{c}" width="100%" viewBox="0 0 {w} {h}" '
        'role="img" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">{b}</svg>',
        c=css,
        w=width,
        h=height,
        b=body,
    )


def bars(items: Sequence[tuple[str, float]], *, maximum: float, width: int = 560) -> str:
    """Horizontal bars of ``items`` ((name, value), in their order) on a scale from 0 to
    ``maximum``; each bar carries a ``<title>`` with its name and value. Values beyond the
    scale are drawn at its ends."""
    scale = maximum if maximum > 0 else 1.0
    value_w = 56  # room for the value after the longest bar
    track_w = max(width - value_w, 40)
    rows = []
    for i, (name, value) in enumerate(items):
        top = i * _ROW
        share = min(max(float(value), 0.0) / scale, 1.0)
        bar_w = track_w * share
        shown = _number(float(value))
        rows.append(
            format_html(
                '<g><title>{name}: {shown}</title><text x="0" y="{ty}" fill="{ink}">{name}</text>'
                '<rect x="0" y="{by}" width="{tw}" height="{bh}" fill="{track}"/>'
                '<rect x="0" y="{by}" width="{bw}" height="{bh}" fill="{bar}"/>'
                '<text x="{vx}" y="{vy}" fill="{ink}" font-weight="bold">{shown}</text></g>',
                name=name,
                shown=shown,
                ty=_n(top + 13),
                by=_n(top + 18),
                tw=_n(track_w),
                bw=_n(bar_w),
                bh=_BAR_H,
                vx=_n(bar_w + 6),
                vy=_n(top + 31),
                ink=INK,
                track=TRACK,
                bar=BAR,
            )
        )
    height = max(len(items) * _ROW, _ROW)
    return _svg(width, height, mark_safe("".join(rows)), "chart chart--bars")


def _slice(cx: float, cy: float, start: float, end: float, colour: str) -> SafeString:
    """One slice from angle ``start`` to ``end`` (fractions of the turn, clockwise from the
    top)."""
    if end - start >= 1.0:
        return format_html(
            '<circle cx="{x}" cy="{y}" r="{r}" fill="{c}"/>', x=_n(cx), y=_n(cy), r=_PIE_R, c=colour
        )

    def point(turn: float) -> tuple[str, str]:
        angle = 2 * math.pi * turn - math.pi / 2
        return _n(cx + _PIE_R * math.cos(angle)), _n(cy + _PIE_R * math.sin(angle))

    x1, y1 = point(start)
    x2, y2 = point(end)
    large = 1 if end - start > 0.5 else 0
    return format_html(
        '<path d="M {cx} {cy} L {x1} {y1} A {r} {r} 0 {large} 1 {x2} {y2} Z" fill="{c}" '
        'stroke="#ffffff" stroke-width="1"/>',
        cx=_n(cx),
        cy=_n(cy),
        x1=x1,
        y1=y1,
        x2=x2,
        y2=y2,
        r=_PIE_R,
        large=large,
        c=colour,
    )


def pie(items: Sequence[tuple[str, int]]) -> str:
    """A pie of ``items`` ((name, count), in their order) with a legend of each name, its
    count and its percentage; items with no count are in the legend only. No count at all:
    a grey disc."""
    total = sum(max(int(c), 0) for _, c in items)
    cx = cy = _PIE_R + 4
    legend_x = 2 * _PIE_R + 24
    width = legend_x + 300
    height = max(2 * _PIE_R + 8, len(items) * 22 + 8)
    parts: list[SafeString] = []
    if total == 0:
        parts.append(
            format_html(
                '<circle cx="{x}" cy="{y}" r="{r}" fill="{c}"/>', x=cx, y=cy, r=_PIE_R, c=EMPTY
            )
        )
    turn = 0.0
    legend = []
    for i, (name, count) in enumerate(items):
        count = max(int(count), 0)
        colour = SLICES[i % len(SLICES)]
        share = count / total if total else 0.0
        if count:
            parts.append(
                format_html(
                    "<g><title>{name}: {count}</title>{s}</g>",
                    name=name,
                    count=count,
                    s=_slice(cx, cy, turn, turn + share, colour),
                )
            )
        turn += share
        legend.append((legend_x, i * 22 + 4, colour, name, count, _number(share * 100, 1)))
    body = mark_safe(
        "".join(parts)
        + format_html_join(
            "",
            '<rect x="{}" y="{}" width="14" height="14" fill="{}"/>'
            '<text x="{}" y="{}" fill="' + INK + '">{} — {} ({}%)</text>',
            (
                (x, y, colour, x + 20, y + 12, name, count, pct)
                for x, y, colour, name, count, pct in legend
            ),
        )
    )
    return _svg(width, height, body, "chart chart--pie")
