"""Drawing one page of a laid-out flowchart as SVG, with the five SOP AP symbols only.

Terminator (a capsule), process (a rectangle), decision (a diamond), arrow (a line ending in an
arrowhead) and off-page connector (a pentagon pointing down). The lanes and rows are ruled
with lines of the same width as the table's, placed exactly where the table's own rules would
be, so the drawing continues the table around it. Every symbol carries a ``sym-*`` class and
``data-*`` attributes naming its node, for tests and for styling.
"""

from __future__ import annotations

from html import escape

from laksana.engine.render.flowgraph import TERMINATOR_SIZE
from laksana.engine.render.geometry import connector_shoulder
from laksana.engine.render.layout import BORDER
from laksana.engine.render.model import Marker, Page, Point, Route, Shape, Symbol

FONT_STACK = "Arial, 'Liberation Sans', Helvetica, 'DejaVu Sans'"
SYMBOL_STROKE = 0.9
EDGE_STROKE = 0.7
ARROW_LENGTH = 4.0
ARROW_HALF_WIDTH = 1.8
LABEL_SIZE = 5.5
CONNECTOR_TEXT = 6.5


def _n(value: float) -> str:
    """A coordinate, short and stable: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def draw_page(page: Page, *, lanes: int, lane_width: float, rules: bool = True) -> str:
    """The SVG elements of one page's flowchart area (no enclosing ``<svg>``).

    With ``rules`` the lane separators and row separators are drawn too (the rightmost lane
    line and the bottom line included; the left edge belongs to the column before).
    """
    parts: list[str] = []
    width = lanes * lane_width
    if rules:
        parts.append(f'<g class="rules" stroke="#000" stroke-width="{_n(BORDER)}">')
        half = BORDER / 2
        for k in range(1, lanes + 1):
            x = k * lane_width - half
            parts.append(f'<line x1="{_n(x)}" y1="0" x2="{_n(x)}" y2="{_n(page.height)}"/>')
        for row in page.rows:
            y = row.bottom - half
            parts.append(f'<line x1="0" y1="{_n(y)}" x2="{_n(width)}" y2="{_n(y)}"/>')
        parts.append("</g>")
    parts.append(f'<g class="edges" fill="none" stroke="#000" stroke-width="{_n(EDGE_STROKE)}">')
    parts.extend(_route(route) for route in page.routes)
    parts.append("</g>")
    parts.append(
        f'<g class="symbols" fill="#fff" stroke="#000" stroke-width="{_n(SYMBOL_STROKE)}">'
    )
    parts.extend(_symbol(symbol) for symbol in page.symbols)
    parts.append("</g>")
    if page.markers:
        parts.append(
            f'<g class="markers" fill="#fff" stroke="#000" stroke-width="{_n(EDGE_STROKE)}" '
            f'font-family="{FONT_STACK}">'
        )
        parts.extend(_marker(marker) for marker in page.markers)
        parts.append("</g>")
    labels = [_label(route) for route in page.routes if route.label and route.label_at]
    if labels:
        parts.append(
            f'<g class="edge-labels" font-family="{FONT_STACK}" font-size="{_n(LABEL_SIZE)}" '
            'fill="#000">'
        )
        parts.extend(labels)
        parts.append("</g>")
    return "".join(parts)


def page_svg(page: Page, *, lanes: int, lane_width: float) -> str:
    """One page's flowchart as an inline ``<svg>`` element sized in points."""
    width = lanes * lane_width
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sop-flowchart" '
        f'data-page="{page.index + 1}" width="{_n(width)}pt" height="{_n(page.height)}pt" '
        f'viewBox="0 0 {_n(width)} {_n(page.height)}" '
        f'style="display:block;width:{_n(width)}pt;height:{_n(page.height)}pt">'
        f"{draw_page(page, lanes=lanes, lane_width=lane_width)}</svg>"
    )


# A marker's outline and its link: dashed (bersama) or dotted (atau), and the word inside.
MARKER_DASH = {"joint": "2.5 1.5", "any_of": "0.8 1.2"}
MARKER_TEXT = 5.0


def _marker(m: Marker) -> str:
    """A joint or any-of step's mark in another actor's lane (:mod:`.markers`)."""
    left, top, right = m.cx - m.width / 2, m.cy - m.height / 2, m.cx + m.width / 2
    dash = MARKER_DASH.get(m.kind, MARKER_DASH["joint"])
    end = left if m.cx > m.link_x else right
    link = (
        f'<line class="marker-link" x1="{_n(m.link_x)}" y1="{_n(m.cy)}" x2="{_n(end)}" '
        f'y2="{_n(m.cy)}" stroke-dasharray="{dash}"/>'
    )
    if m.shape is Shape.DECISION:
        pts = [Point(m.cx, top), Point(right, m.cy), Point(m.cx, top + m.height), Point(left, m.cy)]
        shape = f'<polygon points="{_points(pts)}" stroke-dasharray="{dash}"/>'
    else:
        shape = (
            f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(m.width)}" height="{_n(m.height)}" '
            f'stroke-dasharray="{dash}"/>'
        )
    word = (
        f'<text x="{_n(m.cx)}" y="{_n(m.cy + MARKER_TEXT * 0.35)}" text-anchor="middle" '
        f'font-size="{_n(MARKER_TEXT)}" fill="#000" stroke="none">{escape(m.word)}</text>'
    )
    return (
        f'<g class="sym-marker marker-{escape(m.kind)}" data-node="{escape(m.node)}" '
        f'data-actor="{escape(m.actor)}" data-marker="{escape(m.kind)}">{link}{shape}{word}</g>'
    )


def _attrs(symbol: Symbol) -> str:
    out = f'class="sym sym-{symbol.shape.value}" data-symbol="{escape(symbol.id)}"'
    if symbol.node:
        out += f' data-node="{escape(symbol.node)}"'
    if symbol.shape is Shape.CONNECTOR:
        role = symbol.role.value if symbol.role is not None else ""
        out += f' data-connector="{escape(symbol.label)}" data-role="{role}"'
    return out


def _symbol(symbol: Symbol) -> str:
    left, top = symbol.left, symbol.top
    w, h = symbol.width, symbol.height
    cx, cy = symbol.cx, symbol.cy
    if symbol.shape is Shape.PROCESS:
        shape = f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(w)}" height="{_n(h)}"/>'
        return f"<g {_attrs(symbol)}>{shape}</g>"
    if symbol.shape is Shape.DECISION:
        pts = [Point(cx, top), Point(symbol.right, cy), Point(cx, symbol.bottom), Point(left, cy)]
        return f'<g {_attrs(symbol)}><polygon points="{_points(pts)}"/></g>'
    if symbol.shape is Shape.TERMINATOR:
        radius = min(w, h) / 2
        shape = (
            f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(w)}" height="{_n(h)}" '
            f'rx="{_n(radius)}" ry="{_n(radius)}"/>'
        )
        caption = _caption(symbol, TERMINATOR_SIZE)
        return f"<g {_attrs(symbol)}>{shape}{_centred_text(symbol, TERMINATOR_SIZE)}{caption}</g>"
    shoulder = top + h * connector_shoulder()
    pts = [
        Point(left, top),
        Point(symbol.right, top),
        Point(symbol.right, shoulder),
        Point(cx, symbol.bottom),
        Point(left, shoulder),
    ]
    size = CONNECTOR_TEXT if len(symbol.label) < 2 else CONNECTOR_TEXT * 0.8
    text = (
        f'<text x="{_n(cx)}" y="{_n(top + h * 0.42 + size * 0.36)}" text-anchor="middle" '
        f'font-family="{FONT_STACK}" font-size="{_n(size)}" font-weight="bold" fill="#000" '
        f'stroke="none">{escape(symbol.label)}</text>'
    )
    return f'<g {_attrs(symbol)}><polygon points="{_points(pts)}"/>{text}</g>'


def _centred_text(symbol: Symbol, size: float) -> str:
    lines = symbol.lines or ((symbol.label,) if symbol.label else ())
    if not lines:
        return ""
    step = size * 1.2
    first = symbol.cy - step * (len(lines) - 1) / 2 + size * 0.36
    spans = "".join(
        f'<tspan x="{_n(symbol.cx)}" y="{_n(first + i * step)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text text-anchor="middle" font-family="{FONT_STACK}" font-size="{_n(size)}" '
        f'fill="#000" stroke="none">{spans}</text>'
    )


def _caption(symbol: Symbol, size: float) -> str:
    """The rest of a long terminator label, centred under the capsule."""
    if not symbol.caption:
        return ""
    step = size * 1.2
    spans = "".join(
        f'<tspan x="{_n(symbol.cx)}" y="{_n(symbol.bottom + size + i * step)}">{escape(line)}'
        "</tspan>"
        for i, line in enumerate(symbol.caption)
    )
    return (
        f'<text class="terminator-caption" text-anchor="middle" font-family="{FONT_STACK}" '
        f'font-size="{_n(size)}" fill="#000" stroke="none">{spans}</text>'
    )


def _points(points: list[Point] | tuple[Point, ...]) -> str:
    return " ".join(f"{_n(p.x)},{_n(p.y)}" for p in points)


def _route(route: Route) -> str:
    pts = route.points
    if len(pts) < 2:
        return ""
    end, before = pts[-1], pts[-2]
    dx, dy = end.x - before.x, end.y - before.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    # The line stops at the arrowhead's base so its end does not blunt the tip.
    base = Point(end.x - ux * ARROW_LENGTH, end.y - uy * ARROW_LENGTH)
    line = [*pts[:-1], base]
    left = Point(base.x - uy * ARROW_HALF_WIDTH, base.y + ux * ARROW_HALF_WIDTH)
    right = Point(base.x + uy * ARROW_HALF_WIDTH, base.y - ux * ARROW_HALF_WIDTH)
    return (
        f'<g class="edge" data-edge="{escape(route.id)}">'
        f'<polyline points="{_points(line)}"/>'
        f'<polygon class="arrowhead" points="{_points([end, left, right])}" fill="#000" '
        'stroke="none"/></g>'
    )


def _label(route: Route) -> str:
    assert route.label_at is not None
    at = route.label_at
    lines = route.label_lines or (route.label,)
    spans = "".join(
        f'<tspan x="{_n(at.x)}" y="{_n(at.y + i * LABEL_SIZE * 1.2)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text class="edge-label" text-anchor="{route.label_anchor}" '
        f'data-label="{escape(route.label)}">{spans}</text>'
    )
