"""The parts of a page the router works with, and how they meet.

The sizes that drive routing (:class:`Geometry`), the symbols being placed (:class:`PlacedNode`)
and the edges between them (:class:`PageEdge`); where a line meets a symbol's outline, and
whether segments, boxes and symbols cross or overlap. Used by :mod:`.routing` (the router)
and :mod:`.labels` (where the outcome labels go).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from laksana.engine.render.model import ConnectorRole, Point, Route, Shape, Side, Symbol

EPS = 0.01


@dataclass(frozen=True, slots=True)
class Geometry:
    """Sizes that drive routing. All lengths in the unit of the drawing (points for SOP)."""

    lane_width: float
    gutter: float  # free margin between a lane boundary and any symbol in the lane
    track_spacing: float = 2.25  # distance between parallel vertical segments in a gutter
    port_spacing: float = 5.0  # distance between edges sharing one side of a symbol
    arrow: float = 4.0  # length of an arrowhead
    label_size: float = 5.5  # font size of edge labels
    jog: float = 5.0  # distance above a target where a down route turns across


@dataclass(slots=True)
class PlacedNode:
    """A symbol being placed on a page; ``beside`` names the node a connector stands beside."""

    id: str
    shape: Shape
    lane: int
    row: int
    cx: float
    cy: float
    width: float
    height: float
    node: str = ""
    label: str = ""
    lines: tuple[str, ...] = ()
    role: ConnectorRole | None = None
    beside: str = ""
    prefer: int = -1  # a connector beside a node: the lane of its pair's other half
    caption: tuple[str, ...] = ()  # the rest of a long terminator label, under it

    @property
    def top(self) -> float:
        return self.cy - self.height / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.height / 2

    def freeze(self) -> Symbol:
        return Symbol(
            id=self.id,
            shape=self.shape,
            cx=self.cx,
            cy=self.cy,
            width=self.width,
            height=self.height,
            node=self.node,
            label=self.label,
            lines=self.lines,
            role=self.role,
            lane=self.lane,
            caption=self.caption,
        )


@dataclass(frozen=True, slots=True)
class PageEdge:
    """An edge to draw on one page, between two placed nodes. Lower ``priority`` routes first
    and is first to claim the straight ``down`` shape."""

    id: str
    source: str
    target: str
    label: str = ""
    priority: int = 0


def route_crossings(routes: Sequence[Route]) -> int:
    """How many times two of the routes cross each other."""
    segments = [(i, a, b) for i, r in enumerate(routes) for a, b in itertools.pairwise(r.points)]
    return sum(
        1
        for (i, a, b), (j, c, d) in itertools.combinations(segments, 2)
        if i != j and segments_cross(a, b, c, d)
    )


def boxes_meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] + 1.0 and b[0] < a[2] + 1.0 and a[1] < b[3] + 0.5 and b[1] < a[3] + 0.5


def segment_hits_rect(a: Point, b: Point, box: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = box
    x0, x1 = sorted((a.x, b.x))
    y0, y1 = sorted((a.y, b.y))
    return x0 < right and x1 > left and y0 < bottom and y1 > top


def box_hits_symbol(box: tuple[float, float, float, float], node: PlacedNode) -> bool:
    """Whether a rectangle (left, top, right, bottom) overlaps a symbol's outline."""
    left, top, right, bottom = box
    half_w, half_h = node.width / 2, node.height / 2
    dx = max(left - node.cx, 0.0, node.cx - right)
    dy = max(top - node.cy, 0.0, node.cy - bottom)
    if node.shape is Shape.DECISION:
        return dx / half_w + dy / half_h < 1.0
    return dx < half_w and dy < half_h


def side_anchor_y(node: PlacedNode) -> float:
    """Where on its side an edge meets a symbol when it is the only one there."""
    if node.shape is Shape.CONNECTOR:
        return node.top + node.height * connector_shoulder() / 2
    return node.cy


def connector_shoulder() -> float:
    """The height of a connector's vertical sides, as a share of its height."""
    return 0.6


def side_usable(node: PlacedNode) -> float:
    """How much of a side several edges may share."""
    if node.shape is Shape.DECISION:
        return node.height * 0.4
    if node.shape is Shape.CONNECTOR:
        return node.height * connector_shoulder() * 0.7
    if node.shape is Shape.TERMINATOR:
        return node.height * 0.5
    return node.height * 0.7


def side_x(node: PlacedNode, side: Side, y: float) -> float:
    """The x where a horizontal line at ``y`` meets ``side`` of the symbol's outline."""
    half_w, half_h = node.width / 2, node.height / 2
    sign = 1.0 if side is Side.RIGHT else -1.0
    dy = abs(y - node.cy)
    if node.shape is Shape.DECISION:
        reach = half_w * max(0.0, 1.0 - dy / half_h)
    elif node.shape is Shape.TERMINATOR:
        radius = min(half_w, half_h)
        reach = half_w - radius + math.sqrt(max(0.0, radius * radius - dy * dy))
    else:
        reach = half_w
    return node.cx + sign * reach


def segment_hits_box(a: Point, b: Point, node: PlacedNode) -> bool:
    """Whether the axis-parallel segment a-b passes through the inside of the node's box."""
    left, right = node.cx - node.width / 2 + EPS, node.cx + node.width / 2 - EPS
    top, bottom = node.cy - node.height / 2 + EPS, node.cy + node.height / 2 - EPS
    x0, x1 = sorted((a.x, b.x))
    y0, y1 = sorted((a.y, b.y))
    return x0 < right and x1 > left and y0 < bottom and y1 > top


def boxes_overlap(a: PlacedNode, b: PlacedNode) -> bool:
    return abs(a.cx - b.cx) * 2 < a.width + b.width and abs(a.cy - b.cy) * 2 < a.height + b.height


def segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether a horizontal and a vertical segment cross at an interior point."""
    ab_h = abs(a.y - b.y) < EPS
    cd_h = abs(c.y - d.y) < EPS
    if ab_h == cd_h:
        return False
    h0, h1, v0, v1 = (a, b, c, d) if ab_h else (c, d, a, b)
    hx0, hx1 = sorted((h0.x, h1.x))
    vy0, vy1 = sorted((v0.y, v1.y))
    return hx0 + EPS < v0.x < hx1 - EPS and vy0 + EPS < h0.y < vy1 - EPS


def segments_overlap(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether two collinear axis-parallel segments share a stretch."""
    if abs(a.y - b.y) < EPS and abs(c.y - d.y) < EPS and abs(a.y - c.y) < EPS:
        x0, x1 = sorted((a.x, b.x))
        y0, y1 = sorted((c.x, d.x))
        return min(x1, y1) - max(x0, y0) > 1.0
    if abs(a.x - b.x) < EPS and abs(c.x - d.x) < EPS and abs(a.x - c.x) < EPS:
        x0, x1 = sorted((a.y, b.y))
        y0, y1 = sorted((c.y, d.y))
        return min(x1, y1) - max(x0, y0) > 1.0
    return False
