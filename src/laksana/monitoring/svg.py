"""The monitoring charts as SVG drawn on the server (as :mod:`laksana.reports.charts`): no
JavaScript, no inline style, the same picture on every screen.

* :func:`latency_chart`: a monitor's checks of the last hours, the latency of each as a
  line, failed checks as red marks on the time axis;
* :func:`uptime_bars`: one bar per day (90 by default), its colour by the day's uptime and a
  ``<title>`` with the day, its uptime and downtime (read by screen readers and shown on
  hover), and the words of the colours under it.

Both scale to the width of their box (``viewBox``; CSS sets ``width: 100%``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from laksana.monitoring.uptime import Figures

GOOD = "#2e7d32"
WARN = "#a86a00"
BAD = "#b3261e"
NONE = "#c9d3df"
MAINTENANCE = "#5b6f8a"
INK = "#1b2430"
MUTED = "#55606e"
LINE = "#123f6e"
GRID = "#e3e8ee"


@dataclass(frozen=True)
class Point:
    """One check on the latency chart."""

    at: dt.datetime
    latency_ms: int | None
    ok: bool


def _n(value: float) -> str:
    return f"{value:.1f}"


def _svg(
    title: str, width: int, height: int, body: SafeString, css: str, aspect: str = "xMidYMid"
) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{c}" viewBox="0 0 {w} {h}" '
        'preserveAspectRatio="{a}" role="img" aria-label="{t}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">'
        "<title>{t}</title>{b}</svg>",
        c=css,
        a=aspect,
        w=width,
        h=height,
        t=title,
        b=body,
    )


def percent_text(value: Decimal | None) -> str:
    """An uptime percentage as people read it: 99.95%, 100%; "—" when nothing is known."""
    if value is None:
        return "—"
    shown = value.quantize(Decimal("0.01"))
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal("1"))
    return f"{formats.number_format(shown)}%"


def minutes_text(value: Decimal) -> str:
    """Downtime minutes, to one decimal when not whole."""
    shown = value.quantize(Decimal("0.1"))
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal("1"))
    return _("%(minutes)s min") % {"minutes": formats.number_format(shown)}


def day_colour(figures: Figures) -> str:
    """The colour of a day's bar: green all up, amber above 99%, red below; grey unknown."""
    percent = figures.uptime_percent
    if percent is None:
        return MAINTENANCE if figures.maintenance_seconds else NONE
    if percent >= 100:
        return GOOD
    return WARN if percent >= 99 else BAD


def day_text(day: dt.date, figures: Figures) -> str:
    """The words of a day's bar: its date, uptime and downtime."""
    date = formats.date_format(day, "j M Y")
    percent = figures.uptime_percent
    if percent is None:
        if figures.maintenance_seconds:
            return _("%(date)s: maintenance") % {"date": date}
        return _("%(date)s: no data") % {"date": date}
    text = _("%(date)s: %(uptime)s up") % {"date": date, "uptime": percent_text(percent)}
    if figures.down_seconds:
        text += " · " + _("down %(minutes)s") % {"minutes": minutes_text(figures.downtime_minutes)}
    if figures.maintenance_seconds:
        text += " · " + _("maintenance")
    return text


BAR = 6
BAR_GAP = 2
BAR_HEIGHT = 34


def uptime_bars(days: Sequence[tuple[dt.date, Figures]], *, title: str = "") -> SafeString:
    """One bar per day, oldest first, each with its colour and its words (``<title>``)."""
    width = max(1, len(days) * (BAR + BAR_GAP) - BAR_GAP)
    bars = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="{}" rx="1" fill="{}"><title>{}</title></rect>',
        (
            (index * (BAR + BAR_GAP), BAR, BAR_HEIGHT, day_colour(f), day_text(d, f))
            for index, (d, f) in enumerate(days)
        ),
    )
    heading = title or _("Uptime per day, the last %(days)s days") % {"days": len(days)}
    return _svg(heading, width, BAR_HEIGHT, bars, "uptime-bars", aspect="none")


WIDTH = 480
HEIGHT = 180
LEFT = 48
RIGHT = 8
TOP = 12
BOTTOM = 26


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^n at least ``value`` (the latency axis' top)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def latency_chart(points: Sequence[Point], start: dt.datetime, end: dt.datetime) -> SafeString:
    """The latency of each check between ``start`` and ``end`` as a line (a failed check
    breaks it and is marked red on the time axis), with the axis' top and the hours."""
    span = max((end - start).total_seconds(), 1.0)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    known = [p.latency_ms for p in points if p.ok and p.latency_ms is not None]
    top = _nice_ceiling(max(known, default=100) * 1.1)

    def x(at: dt.datetime) -> float:
        return LEFT + (at - start).total_seconds() / span * plot_w

    def y(ms: int) -> float:
        return TOP + plot_h - min(ms / top, 1.0) * plot_h

    parts: list[SafeString] = [
        format_html(
            '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{g}"/>'
            '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{m}"/>'
            '<text x="{tx}" y="{ty}" fill="{m}" text-anchor="end">{top}</text>'
            '<text x="{tx}" y="{b}" fill="{m}" text-anchor="end">0</text>',
            l=LEFT,
            r=WIDTH - RIGHT,
            y=TOP,
            b=TOP + plot_h,
            g=GRID,
            m=MUTED,
            tx=LEFT - 4,
            ty=TOP + 4,
            top=_("%(ms)s ms") % {"ms": top},
        )
    ]
    # The hours: a tick every 6 hours of a day-long chart (every quarter otherwise).
    for quarter in range(5):
        at = start + (end - start) * quarter / 4
        local = formats.time_format(timezone.localtime(at), "H:i")
        anchor = "start" if quarter == 0 else "end" if quarter == 4 else "middle"
        parts.append(
            format_html(
                '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{g}"/>'
                '<text x="{x}" y="{ty}" fill="{m}" text-anchor="{a}">{h}</text>',
                x=_n(x(at)),
                t=TOP,
                b=TOP + plot_h,
                g=GRID,
                m=MUTED,
                ty=HEIGHT - 8,
                a=anchor,
                h=local,
            )
        )
    runs: list[list[str]] = [[]]
    for p in points:
        if p.at < start or p.at > end:
            continue
        if p.ok and p.latency_ms is not None:
            runs[-1].append(f"{_n(x(p.at))},{_n(y(p.latency_ms))}")
        else:
            if runs[-1]:
                runs.append([])
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="3" height="8" fill="{}"/>',
                    _n(x(p.at) - 1.5),
                    TOP + plot_h - 8,
                    BAD,
                )
            )
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            parts.append(format_html('<circle cx="{}" cy="{}" r="2" fill="{}"/>', cx, cy, LINE))
        elif run:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>',
                    " ".join(run),
                    LINE,
                )
            )
    title = _("Latency of each check; red marks: failed checks")
    return _svg(title, WIDTH, HEIGHT, mark_safe("".join(parts)), "latency-chart")
