"""Charts of the compliance report as SVG drawn on the server: no JavaScript, no CDN, the
same picture on the screen and in the PDF.

Steps differ by orders of magnitude (15 minutes, 60 days), so the time chart draws each
step's median and 90th percentile as a share of its own standard, with a line at 100%.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from laksana.reports.compliance import StepStats, share_text, working_time_text

WIDTH = 640
ROW = 26
TOP = 30
LABEL = 56  # the step number column
RIGHT = 170  # the value column
CAP = 2.0  # bars stop at 200% of the standard
GOOD = "#2e7d32"
BAD = "#b3261e"
LIGHT = "#c9d3df"
INK = "#1b2430"
MUTED = "#55606e"
LINE = "#123f6e"


def _n(value: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    return f"{value:.1f}"


def _svg(title: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{t}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        "<title>{t}</title>{b}</svg>",
        w=WIDTH,
        h=height,
        t=title,
        b=body,
    )


def _label(y: int, step: StepStats) -> SafeString:
    return format_html(
        '<text x="0" y="{}" fill="{}">{} {}</text>', y + 15, INK, _("Step"), step.number
    )


def time_chart(steps: Sequence[StepStats]) -> SafeString:
    """Per step: the median (dark bar) and the 90th percentile (light bar) of the actual
    working time as a share of the standard; the line marks the standard."""
    plot = WIDTH - LABEL - RIGHT
    full = plot / CAP  # the width of 100%
    rows = [s for s in steps if s.count]
    height = TOP + ROW * len(rows) + 6
    parts = [
        format_html(
            '<text x="{}" y="14" fill="{}">{}</text>'
            '<text x="{}" y="14" fill="{}" text-anchor="middle">{}</text>',
            LABEL,
            MUTED,
            _("median and 90th percentile, as a share of the standard"),
            _n(LABEL + full),
            LINE,
            "100%",
        )
    ]
    for index, step in enumerate(rows):
        y = TOP + index * ROW
        parts.append(_label(y, step))
        standard = step.standard_minutes
        median = step.median or 0.0
        p90 = step.p90 or 0.0
        if standard is None or standard <= 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}">{} · {}</text>',
                    LABEL,
                    y + 15,
                    MUTED,
                    _("no time standard"),
                    working_time_text(median),
                )
            )
            continue
        colour = GOOD if median <= standard + 1e-6 else BAD
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="10" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{} / {}</text>',
                LABEL,
                y + 2,
                _n(min(p90 / standard, CAP) * full),
                LIGHT,
                LABEL,
                y + 6,
                _n(min(median / standard, CAP) * full),
                colour,
                WIDTH - RIGHT + 8,
                y + 15,
                INK,
                working_time_text(median),
                step.standard_text,
            )
        )
    parts.append(
        format_html(
            '<line x1="{x}" y1="20" x2="{x}" y2="{y}" stroke="{c}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>',
            x=_n(LABEL + full),
            y=height - 4,
            c=LINE,
        )
    )
    return _svg(_("Actual working time against the standard"), height, mark_safe("".join(parts)))


def share_chart(steps: Sequence[StepStats]) -> SafeString:
    """Per step with a standard: the share of its activations done within the standard."""
    plot = WIDTH - LABEL - RIGHT
    rows = [s for s in steps if s.count and s.share_within is not None]
    height = TOP + ROW * len(rows) + 6
    parts = [
        format_html(
            '<text x="{}" y="14" fill="{}">{}</text>',
            LABEL,
            MUTED,
            _("share of the step activations done within the standard"),
        )
    ]
    for index, step in enumerate(rows):
        y = TOP + index * ROW
        share = step.share_within or 0.0
        colour = GOOD if share >= 0.9 else "#a86a00" if share >= 0.75 else BAD
        parts.append(_label(y, step))
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="#eef1f5"/>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{} ({}/{})</text>',
                LABEL,
                y + 2,
                _n(plot),
                LABEL,
                y + 2,
                _n(share * plot),
                colour,
                WIDTH - RIGHT + 8,
                y + 15,
                INK,
                share_text(share),
                step.within,
                step.count,
            )
        )
    return _svg(_("Share within the standard"), height, mark_safe("".join(parts)))


def legend() -> SafeString:
    """What the colours mean, as a small inline list."""
    items = [
        (GOOD, _("within the standard")),
        (BAD, _("over the standard")),
        (LIGHT, _("90th percentile")),
    ]
    return format_html_join(
        " ",
        '<span class="chart-key"><svg width="12" height="12" aria-hidden="true">'
        '<rect width="12" height="12" fill="{}"/></svg> {}</span>',
        items,
    )
