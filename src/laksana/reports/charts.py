"""Charts of the compliance report as SVG drawn on the server: no JavaScript, no CDN, the
same picture on the screen and in the PDF.

Steps differ by orders of magnitude (15 minutes, 60 days), so the time chart draws each
step's median and 90th percentile as a share of its own standard, with a line at 100%.

The label and value columns are as wide as their longest text (estimated generously from
the characters, :func:`text_width`), and the picture widens with them: no label is cut
("3 hari kerja / ±60 Hari kerja"), whatever the language or the standard's wording.
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
FONT_SIZE = 12
LABEL = 56  # the step number column, at least
RIGHT = 170  # the value column, at least
PLOT = WIDTH - LABEL - RIGHT  # the bars
GAP = 8  # between a column's text and the next column
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


# Widths of DejaVu Sans and Arial glyphs in em, rounded up: narrow, digits and lower case,
# upper case; anything else (wide letters, symbols, other scripts) counts as 1 em.
_NARROW = frozenset(" .,:;'|!()[]/·-ijlrtfI")
_WIDE = frozenset("mwMW%±@—")


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """A generous estimate of the width of ``text`` in pixels at ``size`` (never less than
    DejaVu Sans or Arial draws it)."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.42
        elif ch in _WIDE:
            em += 1.0
        elif ch.isdigit() or ch.islower():
            em += 0.66
        elif ch.isupper():
            em += 0.8
        else:
            em += 1.0
    return em * size


def _column(texts: Sequence[str], least: int) -> int:
    """A column as wide as its widest text and a gap, at least ``least`` pixels."""
    return max([least, *(round(text_width(t)) + GAP + 4 for t in texts)])


def _row_label(step: StepStats) -> str:
    label = f"{_('Step')} {step.number}"
    if step.split:
        label += " · v" + ",".join(str(n) for n in step.versions)
    return label


def _svg(title: str, height: int, body: SafeString, width: int = WIDTH) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{t}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        "<title>{t}</title>{b}</svg>",
        w=width,
        h=height,
        t=title,
        b=body,
    )


def _label(y: int, step: StepStats) -> SafeString:
    return format_html('<text x="0" y="{}" fill="{}">{}</text>', y + 15, INK, _row_label(step))


def _value_text(step: StepStats) -> str:
    if step.standard_minutes is None or step.standard_minutes <= 0:
        return f"{_('no time standard')} · {working_time_text(step.median or 0.0)}"
    return f"{working_time_text(step.median or 0.0)} / {step.standard_text}"


def time_chart(steps: Sequence[StepStats]) -> SafeString:
    """Per step: the median (dark bar) and the 90th percentile (light bar) of the actual
    working time as a share of the standard; the line marks the standard."""
    full = PLOT / CAP  # the width of 100%
    rows = [s for s in steps if s.count]
    label = _column([_row_label(s) for s in rows], LABEL)
    heading = _("median and 90th percentile, as a share of the standard")
    timed = [s for s in rows if s.standard_minutes is not None and s.standard_minutes > 0]
    right = _column([_value_text(s) for s in timed], RIGHT)
    width = max(label + PLOT + right, label + round(text_width(heading)) + GAP)
    height = TOP + ROW * len(rows) + 6
    parts = [
        format_html(
            '<text x="{}" y="14" fill="{}">{}</text>'
            '<text x="{}" y="14" fill="{}" text-anchor="middle">{}</text>',
            label,
            MUTED,
            heading,
            _n(label + full),
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
                    '<text x="{}" y="{}" fill="{}">{}</text>',
                    label,
                    y + 15,
                    MUTED,
                    _value_text(step),
                )
            )
            continue
        colour = GOOD if median <= standard + 1e-6 else BAD
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="10" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                label,
                y + 2,
                _n(min(p90 / standard, CAP) * full),
                LIGHT,
                label,
                y + 6,
                _n(min(median / standard, CAP) * full),
                colour,
                label + PLOT + GAP,
                y + 15,
                INK,
                _value_text(step),
            )
        )
    parts.append(
        format_html(
            '<line x1="{x}" y1="20" x2="{x}" y2="{y}" stroke="{c}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>',
            x=_n(label + full),
            y=height - 4,
            c=LINE,
        )
    )
    return _svg(
        _("Actual working time against the standard"), height, mark_safe("".join(parts)), width
    )


def share_chart(steps: Sequence[StepStats]) -> SafeString:
    """Per step with a standard: the share of its activations done within the standard."""
    rows = [s for s in steps if s.count and s.share_within is not None]
    label = _column([_row_label(s) for s in rows], LABEL)
    heading = _("share of the step activations done within the standard")
    right = _column([_share_text(s) for s in rows], RIGHT)
    width = max(label + PLOT + right, label + round(text_width(heading)) + GAP)
    height = TOP + ROW * len(rows) + 6
    parts = [format_html('<text x="{}" y="14" fill="{}">{}</text>', label, MUTED, heading)]
    for index, step in enumerate(rows):
        y = TOP + index * ROW
        share = step.share_within or 0.0
        colour = GOOD if share >= 0.9 else "#a86a00" if share >= 0.75 else BAD
        parts.append(_label(y, step))
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="#eef1f5"/>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                label,
                y + 2,
                _n(PLOT),
                label,
                y + 2,
                _n(share * PLOT),
                colour,
                label + PLOT + GAP,
                y + 15,
                INK,
                _share_text(step),
            )
        )
    return _svg(_("Share within the standard"), height, mark_safe("".join(parts)), width)


def _share_text(step: StepStats) -> str:
    return f"{share_text(step.share_within)} ({step.within}/{step.count})"


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
