"""The page as the router sees it: lanes and rows, the gutters along the lane boundaries
with their tracks, and the ports on the sides of the symbols.

A route is planned as a :class:`RoutePlan`: its shape (:class:`RouteKind`), the sides it
leaves and enters by, the lane boundary whose gutter it runs along, and its ports and track.
:class:`PageGrid` holds what is placed on one page and turns a plan into segments; it gives
edges sharing a side of a symbol separate ports (edges to higher nodes leave higher), gives
parallel segments in one gutter separate tracks, and reorders ports where another order
crosses fewer routes. Which shape each edge takes is decided by the router (:mod:`.routing`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from laksana.engine.render.geometry import (
    EPS,
    Geometry,
    PageEdge,
    PlacedNode,
    segment_hits_box,
    segments_cross,
    side_anchor_y,
    side_usable,
    side_x,
)
from laksana.engine.render.model import Point, RowBox, Side


class RouteKind(StrEnum):
    """The shape of a route (see the module docstring)."""

    DOWN = "down"  # bottom of the source to the top of the target in the next row
    GUTTER = "gutter"  # side, along a gutter, side
    ELBOW_DOWN = "elbow_down"  # bottom of the source, down its lane, into the target's side
    ELBOW_TOP = "elbow_top"  # side of the source, across, down into the target's top
    STRAIGHT = "straight"  # straight down the lane to a later node in the same lane
    BESIDE = "beside"  # a straight line to or from a connector in the same row


@dataclass(slots=True)
class RoutePlan:
    """A route being planned: its shape, sides, gutter, ports and track."""

    edge: PageEdge
    kind: RouteKind
    boundary: int = 0
    exit_side: Side = Side.BOTTOM
    entry_side: Side = Side.TOP
    exit_y: float = 0.0
    entry_y: float = 0.0
    track: float = 0.0
    segments: list[tuple[Point, Point]] = field(default_factory=list)


class PageGrid:
    """One page being routed: its rows, lanes and symbols, and what is placed so far."""

    def __init__(
        self, rows: Sequence[RowBox], nodes: Sequence[PlacedNode], lanes: int, geo: Geometry
    ) -> None:
        self.rows = rows
        self.nodes = {n.id: n for n in nodes}
        self.order = [n.id for n in nodes]
        self.lanes = lanes
        self.geo = geo
        self.placed_segments: list[tuple[Point, Point]] = []
        self.beside_placed: list[str] = []
        self.bottom_used: set[str] = set()
        self.top_used: set[str] = set()
        self._ports: list[list[tuple[float, int, RoutePlan, bool]]] = []
        self._width = lanes * geo.lane_width

    def _boundary_x(self, boundary: int) -> float:
        return boundary * self.geo.lane_width

    def _segments(self, plan: RoutePlan, s: PlacedNode, t: PlacedNode) -> list[tuple[Point, Point]]:
        """The segments of a route with its ports (``exit_y``, ``entry_y``) and track set."""
        sy, ty = plan.exit_y, plan.entry_y
        if plan.kind is RouteKind.STRAIGHT:
            pts = [Point(s.cx, s.bottom), Point(t.cx, t.top)]
        elif plan.kind is RouteKind.ELBOW_DOWN:
            tx = side_x(t, plan.entry_side, ty)
            pts = [Point(s.cx, s.bottom), Point(s.cx, ty), Point(tx, ty)]
        elif plan.kind is RouteKind.ELBOW_TOP:
            sx = side_x(s, plan.exit_side, sy)
            pts = [Point(sx, sy), Point(t.cx, sy), Point(t.cx, t.top)]
        else:
            x = self._boundary_x(plan.boundary) + plan.track
            y0, y1 = self._vertical_span(plan, s, t)
            if plan.exit_side is Side.BOTTOM:
                pts = [Point(s.cx, s.bottom), Point(s.cx, y0)]
            else:
                pts = [Point(side_x(s, plan.exit_side, sy), sy)]
            pts += [Point(x, y0), Point(x, y1)]
            if plan.entry_side is Side.TOP:
                pts += [Point(t.cx, y1), Point(t.cx, t.top)]
            else:
                pts += [Point(side_x(t, plan.entry_side, ty), ty)]
        return [(a, b) for a, b in itertools.pairwise(pts) if a != b]

    def _vertical_span(self, plan: RoutePlan, s: PlacedNode, t: PlacedNode) -> tuple[float, float]:
        """Where a gutter route's vertical starts and ends (in drawing order)."""
        start = s.bottom + self._drop(s) if plan.exit_side is Side.BOTTOM else plan.exit_y
        end = t.top - self.geo.jog if plan.entry_side is Side.TOP else plan.entry_y
        return start, end

    def _drop(self, node: PlacedNode) -> float:
        """How far below a symbol a route out of its bottom turns across: half the space
        down to the row's rule, at most the usual jog."""
        row = self.rows[node.row]
        return max(1.0, min(self.geo.jog, (row.bottom - node.bottom) / 2))

    # -- ports and tracks -----------------------------------------------------------------

    def _assign_ports(self, plans: Sequence[RoutePlan]) -> None:
        attachments: dict[tuple[str, Side], list[tuple[float, int, RoutePlan, bool]]] = {}
        for index, plan in enumerate(plans):
            s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
            plan.exit_y, plan.entry_y = s.cy, t.cy
            if plan.exit_side in (Side.LEFT, Side.RIGHT):
                attachments.setdefault((s.id, plan.exit_side), []).append((t.cy, index, plan, True))
            if plan.entry_side in (Side.LEFT, Side.RIGHT):
                attachments.setdefault((t.id, plan.entry_side), []).append(
                    (s.cy, index, plan, False)
                )
        self._ports = [items for items in attachments.values() if len(items) > 1]
        for (node_id, _side), items in attachments.items():
            node = self.nodes[node_id]
            items.sort(key=lambda item: (item[0], item[1]))
            anchor = side_anchor_y(node)
            count = len(items)
            usable = side_usable(node)
            spacing = min(self.geo.port_spacing, usable / (count - 1)) if count > 1 else 0.0
            for i, (_other_y, _index, plan, outgoing) in enumerate(items):
                y = anchor + (i - (count - 1) / 2) * spacing
                if outgoing:
                    plan.exit_y = y
                else:
                    plan.entry_y = y
        # A connector beside a node sits at the height of the node's port.
        for plan in plans:
            if plan.kind is not RouteKind.BESIDE:
                continue
            s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
            if s.beside == t.id:  # incoming connector beside its target
                y = plan.entry_y
                s.cy = y - side_anchor_y(s) + s.cy
                plan.exit_y = y
            else:
                y = plan.exit_y
                t.cy = y - side_anchor_y(t) + t.cy
                plan.entry_y = y

    def _assign_tracks(self, plans: Sequence[RoutePlan]) -> None:
        by_boundary: dict[int, list[RoutePlan]] = {}
        for plan in plans:
            by_boundary.setdefault(plan.boundary, []).append(plan)
        for boundary, items in by_boundary.items():
            taken: list[tuple[float, float, float]] = []  # (y0, y1, offset)
            items.sort(key=lambda p: abs(p.entry_y - p.exit_y))
            for plan in items:
                s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
                y0, y1 = sorted(self._vertical_span(plan, s, t))
                x = self._boundary_x(boundary)
                offsets = (
                    [
                        o
                        for o in self._offsets(boundary, s, t, plan)
                        if not any(
                            segment_hits_box(Point(x + o, y0), Point(x + o, y1), node)
                            for node in self.nodes.values()
                            if node.id not in (s.id, t.id)
                        )
                    ]
                    or self._offsets(boundary, s, t, plan)
                    or [plan.track]
                )
                pad = self.geo.track_spacing
                free = [
                    o
                    for o in offsets
                    if not any(
                        abs(o - used) < EPS and y0 - pad < b1 and b0 < y1 + pad
                        for b0, b1, used in taken
                    )
                ]
                if free:
                    offset = free[0]
                else:  # more parallel edges than tracks: share the least crowded one
                    offset = min(
                        offsets,
                        key=lambda o: sum(
                            1 for b0, b1, used in taken if abs(o - used) < EPS and y0 < b1
                        ),
                    )
                plan.track = offset
                taken.append((y0, y1, offset))

    def _untangle(self, plans: Sequence[RoutePlan]) -> None:
        """Reorder the ports on a shared side where another order crosses fewer routes.

        Ports are first ordered by the height of each edge's other end, which is right for
        most edges; an edge that goes round a loop back can need the other order.
        """
        crossings = self._crossing_count(plans)
        for items in self._ports:
            if not crossings:
                return
            group = [(plan, outgoing) for _y, _i, plan, outgoing in items]
            if len(group) > 4 or any(plan.kind is RouteKind.BESIDE for plan, _out in group):
                continue
            ys = [plan.exit_y if outgoing else plan.entry_y for plan, outgoing in group]
            best = (crossings, tuple(ys))
            for order in itertools.permutations(ys):
                self._set_ports(group, order)
                count = self._crossing_count(plans)
                if count < best[0]:
                    best = (count, order)
            self._set_ports(group, best[1])
            crossings = best[0]

    @staticmethod
    def _set_ports(group: Sequence[tuple[RoutePlan, bool]], ys: Sequence[float]) -> None:
        for (plan, outgoing), y in zip(group, ys, strict=True):
            if outgoing:
                plan.exit_y = y
            else:
                plan.entry_y = y

    def _crossing_count(self, plans: Sequence[RoutePlan]) -> int:
        segments = [
            (i, a, b)
            for i, plan in enumerate(plans)
            for a, b in itertools.pairwise(self._points(plan))
        ]
        return sum(
            1
            for (i, a, b), (j, c, d) in itertools.combinations(segments, 2)
            if i != j and segments_cross(a, b, c, d)
        )

    def _track_fits(
        self, boundary: int, offset: float, s: PlacedNode, t: PlacedNode, plan: RoutePlan
    ) -> bool:
        """Whether a vertical at this offset clears both ends, with room for the arrowhead."""
        x = self._boundary_x(boundary) + offset
        need = self.geo.arrow + 1.0
        if plan.exit_side is Side.BOTTOM:  # the vertical must clear the source
            exit_ok = abs(x - s.cx) >= s.width / 2 + 1.5
        else:
            sx = side_x(s, plan.exit_side, s.cy)
            exit_ok = x <= sx - 1.5 if plan.exit_side is Side.LEFT else x >= sx + 1.5
        if plan.entry_side is Side.TOP:
            entry_ok = abs(x - t.cx) >= t.width / 2 + 1.5
        else:
            tx = side_x(t, plan.entry_side, t.cy)
            entry_ok = x <= tx - need if plan.entry_side is Side.LEFT else x >= tx + need
        return exit_ok and entry_ok

    def _offsets(
        self, boundary: int, s: PlacedNode, t: PlacedNode, plan: RoutePlan, *, strict: bool = True
    ) -> list[float]:
        """Candidate track offsets from the boundary line, best first; with ``strict`` only
        those that clear both ends of the edge."""
        geo = self.geo
        limit = geo.gutter - 1.0
        steps = max(1, math.floor((limit - 3.0) / geo.track_spacing) + 1)
        magnitudes = [3.0 + k * geo.track_spacing for k in range(steps)]
        candidates: list[float] = []
        if boundary < self.lanes:  # the lane right of the boundary has a margin
            candidates += magnitudes
        if boundary > 0:
            candidates += [-m for m in magnitudes]
        if strict:
            candidates = [o for o in candidates if self._track_fits(boundary, o, s, t, plan)]
        right = (s.lane >= boundary) + (t.lane >= boundary)
        if right == 2:  # both ends right of the boundary: innermost = nearest them
            candidates.sort(key=lambda o: (-o, abs(o)))
        elif right == 0:
            candidates.sort(key=lambda o: (o, abs(o)))
        else:
            candidates.sort(key=lambda o: (abs(o), o))
        return candidates

    # -- geometry -------------------------------------------------------------------------

    def _down_segments(self, plan: RoutePlan) -> list[tuple[Point, Point]]:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        start = Point(s.cx, s.bottom)
        end = Point(t.cx, t.top)
        if abs(s.cx - t.cx) < EPS:
            return [(start, end)]
        jog = max(t.top - self.geo.jog, s.bottom + 1.0)
        pts = [start, Point(s.cx, jog), Point(t.cx, jog), end]
        return list(itertools.pairwise(pts))

    def _points(self, plan: RoutePlan) -> list[Point]:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        if plan.kind is RouteKind.DOWN:
            segments = self._down_segments(plan)
        elif plan.kind is RouteKind.BESIDE:
            a = Point(side_x(s, plan.exit_side, plan.exit_y), plan.exit_y)
            b = Point(side_x(t, plan.entry_side, plan.entry_y), plan.entry_y)
            segments = [(a, b)]
        else:
            segments = self._segments(plan, s, t)
        return [segments[0][0]] + [b for _a, b in segments]
