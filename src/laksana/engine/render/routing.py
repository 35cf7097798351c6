"""Orthogonal edge routing for one page of a swimlane flowchart.

The page is a grid: one column (lane) per actor, one row per flowchart node, and the symbols
sit centred in their lane, narrower than it, so that a free margin (the *gutter*) runs along
every lane boundary. Every row holds one node (plus, on connector rows, off-page connectors,
and beside a node the connector of an edge that loops back across pages), so a horizontal
segment at a node's height can only meet that node and its connectors. Routes take one of
these shapes:

* **down** - from the bottom of a node to the top of the node in the next row: straight down,
  or down, across to the target's lane just above the target, and down again. Claimed first,
  in edge order, so the main path always runs straight down the table;
* **straight** - straight down a lane to a later node in the same lane, when nothing is in
  the way;
* **elbow** - out of the bottom and down the source's lane into the target's side, or out of
  a side and across into the target's top;
* **gutter** - out of a side (or the bottom) of the source, across to a lane boundary, along
  the gutter, and into a side (or, across just above it, the top) of the target. Used for
  skips, loops back and whatever else is left. Parallel segments in one gutter get separate
  tracks;
* **beside** - a straight line between a node and the connector standing beside it.

Every route but **down** is chosen among its candidates by a cost: running through a symbol
is prohibitive, then crossings with routes already placed, bends, length, and sides already
taken. Edges sharing a side of a symbol get separate ports, ordered so that edges to higher
nodes leave higher, which avoids needless crossings. Outcome labels are placed last, beside
the start of their edge, clear of symbols and other labels and if possible of lines.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from laksana.engine.render.model import ConnectorRole, Point, Route, RowBox, Shape, Side, Symbol
from laksana.engine.render.textmetrics import text_width, wrap_text


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


class _Kind(StrEnum):
    """The shape of a route (see the module docstring)."""

    DOWN = "down"  # bottom of the source to the top of the target in the next row
    GUTTER = "gutter"  # side, along a gutter, side
    ELBOW_DOWN = "elbow_down"  # bottom of the source, down its lane, into the target's side
    ELBOW_TOP = "elbow_top"  # side of the source, across, down into the target's top
    STRAIGHT = "straight"  # straight down the lane to a later node in the same lane
    BESIDE = "beside"  # a straight line to or from a connector in the same row


@dataclass(slots=True)
class _Plan:
    """A route being planned: its shape, sides, gutter, ports and track."""

    edge: PageEdge
    kind: _Kind
    boundary: int = 0
    exit_side: Side = Side.BOTTOM
    entry_side: Side = Side.TOP
    exit_y: float = 0.0
    entry_y: float = 0.0
    track: float = 0.0
    segments: list[tuple[Point, Point]] = field(default_factory=list)


_EPS = 0.01
# Route costs, in units of "one lane width of line": a crossing is worth a detour of a few
# lanes, a bend a little, running through a symbol is never acceptable.
_HIT = 1000.0
_CROSSING = 30.0  # a route round the whole table is better than a crossing
_OVERLAP = 2.0
_BEND = 0.4
_SAME_EXIT = 8.0  # two outcomes of one decision leaving by the same side
_SHARED_SIDE = 1.0
_NO_LABEL_ROOM = 4.0
_LABEL_ON_LANE_RULE = 20.0  # the cost of a label cut by a lane's rule (a route: 5, a row's: 1)


def route_page(
    rows: Sequence[RowBox],
    nodes: Sequence[PlacedNode],
    edges: Sequence[PageEdge],
    lanes: int,
    geometry: Geometry,
) -> tuple[tuple[Symbol, ...], tuple[Route, ...]]:
    """Route ``edges`` between ``nodes`` on one page; returns the final symbols and routes.

    Connectors with ``beside`` set are positioned here (their lane and height are chosen so
    that their line does not cut through other routes); every other node keeps its place.
    """
    router = _Router(rows, nodes, lanes, geometry)
    return router.run(edges)


class _Router:
    """Routes the edges of one page; holds what is placed so far, to route around it."""

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
        self.label_boxes: list[tuple[float, float, float, float]] = []
        self.bottom_used: set[str] = set()
        self.top_used: set[str] = set()
        self._ports: list[list[tuple[float, int, _Plan, bool]]] = []
        self._width = lanes * geo.lane_width
        self._height = rows[-1].bottom if rows else 0.0

    # -- planning -------------------------------------------------------------------------

    def run(self, edges: Sequence[PageEdge]) -> tuple[tuple[Symbol, ...], tuple[Route, ...]]:
        plans = self._classify(edges)
        for plan in plans:
            if plan.kind is _Kind.DOWN:
                plan.segments = self._down_segments(plan)
                self.placed_segments.extend(plan.segments)
        # Connectors beside a node go next, so that every other route goes round them.
        for plan in plans:
            if plan.kind is _Kind.BESIDE:
                self._place_beside(plan)
        free = sorted(
            (p for p in plans if p.kind is _Kind.GUTTER),
            key=lambda p: (self._span(p.edge), p.edge.priority),
        )
        for plan in free:
            self._choose_route(plan, plans)
            self.placed_segments.extend(plan.segments)
        self._assign_ports(plans)
        self._assign_tracks([p for p in plans if p.kind is _Kind.GUTTER])
        self._untangle(plans)
        routes = self._build_all(plans)
        symbols = tuple(self.nodes[i].freeze() for i in self.order)
        return symbols, routes

    def _span(self, edge: PageEdge) -> float:
        return abs(self.nodes[edge.source].cy - self.nodes[edge.target].cy)

    def _classify(self, edges: Sequence[PageEdge]) -> list[_Plan]:
        kinds: dict[str, _Kind] = {}
        for edge in sorted(edges, key=lambda e: e.priority):
            s, t = self.nodes[edge.source], self.nodes[edge.target]
            if s.beside == t.id or t.beside == s.id:
                kinds[edge.id] = _Kind.BESIDE
            elif (
                not s.beside
                and not t.beside
                and t.row == s.row + 1
                and s.id not in self.bottom_used
                and t.id not in self.top_used
            ):
                kinds[edge.id] = _Kind.DOWN
                self.bottom_used.add(s.id)
                self.top_used.add(t.id)
            else:
                kinds[edge.id] = _Kind.GUTTER
        return [_Plan(edge=e, kind=kinds[e.id]) for e in edges]

    def _boundary_x(self, boundary: int) -> float:
        return boundary * self.geo.lane_width

    def _candidates(self, s: PlacedNode, t: PlacedNode) -> list[_Plan]:
        """Every shape this edge could take, with its sides chosen."""
        plans: list[_Plan] = []
        edge = PageEdge("", s.id, t.id)
        for boundary in range(self.lanes + 1):
            # Out of a side, or (when it is free) down out of the bottom and then across;
            # into a side, or (when it is free) across just above the target and down into it.
            exits = [Side.LEFT if boundary <= s.lane else Side.RIGHT]
            if s.id not in self.bottom_used and not s.beside:
                exits.append(Side.BOTTOM)
            entries = [Side.LEFT if boundary <= t.lane else Side.RIGHT]
            if t.id not in self.top_used and not t.beside:
                entries.append(Side.TOP)
            for exit_side in exits:
                for entry_side in entries:
                    plans.append(
                        _Plan(
                            edge=edge,
                            kind=_Kind.GUTTER,
                            boundary=boundary,
                            exit_side=exit_side,
                            entry_side=entry_side,
                        )
                    )
        downward = t.top > s.bottom
        apart = abs(s.cx - t.cx) * 2 > s.width + t.width
        if (
            downward
            and abs(s.cx - t.cx) < _EPS
            and not s.beside
            and not t.beside
            and s.id not in self.bottom_used
            and t.id not in self.top_used
        ):
            plans.append(_Plan(edge=edge, kind=_Kind.STRAIGHT, exit_side=Side.BOTTOM))
        if downward and apart and not s.beside and not t.beside:
            if s.id not in self.bottom_used:
                plans.append(
                    _Plan(
                        edge=edge,
                        kind=_Kind.ELBOW_DOWN,
                        exit_side=Side.BOTTOM,
                        entry_side=Side.LEFT if s.cx < t.cx else Side.RIGHT,
                    )
                )
            if t.id not in self.top_used:
                plans.append(
                    _Plan(
                        edge=edge,
                        kind=_Kind.ELBOW_TOP,
                        exit_side=Side.RIGHT if t.cx > s.cx else Side.LEFT,
                        entry_side=Side.TOP,
                    )
                )
        return plans

    def _choose_route(self, plan: _Plan, plans: Sequence[_Plan]) -> None:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        best: tuple[float, _Plan] | None = None
        for candidate in self._candidates(s, t):
            candidate.exit_y, candidate.entry_y = s.cy, t.cy
            forced = 0.0
            if candidate.kind is _Kind.GUTTER:
                offsets = self._offsets(candidate.boundary, s, t, candidate)
                if not offsets:  # no track clears both ends: only as a last resort
                    offsets = self._offsets(candidate.boundary, s, t, candidate, strict=False)
                    forced = _HIT
                candidate.track = offsets[0]
            segments = self._segments(candidate, s, t)
            cost = forced + self._cost(segments, (s.id, t.id)) + _BEND * (len(segments) - 1)
            cost += sum(abs(b.x - a.x) + abs(b.y - a.y) for a, b in segments) / (
                self.geo.lane_width * 2
            )
            if plan.edge.label and candidate.exit_side in (Side.LEFT, Side.RIGHT):
                first = segments[0][0].x
                room = self._width - first if candidate.exit_side is Side.RIGHT else first
                if room < text_width(plan.edge.label, self.geo.label_size) + 3.0:
                    cost += _NO_LABEL_ROOM
            for other in plans:
                if other is plan or not other.segments or other.kind is _Kind.DOWN:
                    continue
                if other.edge.source == s.id and other.exit_side is candidate.exit_side:
                    cost += _SAME_EXIT
                if other.edge.target == t.id and other.entry_side is candidate.entry_side:
                    cost += _SHARED_SIDE
                if other.edge.source == t.id and other.exit_side is candidate.entry_side:
                    cost += _SHARED_SIDE
                if other.edge.target == s.id and other.entry_side is candidate.exit_side:
                    cost += _SHARED_SIDE
            if best is None or cost < best[0] - _EPS:
                best = (cost, candidate)
        assert best is not None
        chosen = best[1]
        plan.kind = chosen.kind
        plan.boundary = chosen.boundary
        plan.exit_side = chosen.exit_side
        plan.entry_side = chosen.entry_side
        plan.track = chosen.track
        plan.exit_y, plan.entry_y = s.cy, t.cy
        plan.segments = self._segments(plan, s, t)
        if plan.exit_side is Side.BOTTOM:
            self.bottom_used.add(s.id)
        if plan.entry_side is Side.TOP:
            self.top_used.add(t.id)

    def _segments(self, plan: _Plan, s: PlacedNode, t: PlacedNode) -> list[tuple[Point, Point]]:
        """The segments of a route with its ports (``exit_y``, ``entry_y``) and track set."""
        sy, ty = plan.exit_y, plan.entry_y
        if plan.kind is _Kind.STRAIGHT:
            pts = [Point(s.cx, s.bottom), Point(t.cx, t.top)]
        elif plan.kind is _Kind.ELBOW_DOWN:
            tx = _side_x(t, plan.entry_side, ty)
            pts = [Point(s.cx, s.bottom), Point(s.cx, ty), Point(tx, ty)]
        elif plan.kind is _Kind.ELBOW_TOP:
            sx = _side_x(s, plan.exit_side, sy)
            pts = [Point(sx, sy), Point(t.cx, sy), Point(t.cx, t.top)]
        else:
            x = self._boundary_x(plan.boundary) + plan.track
            y0, y1 = self._vertical_span(plan, s, t)
            if plan.exit_side is Side.BOTTOM:
                pts = [Point(s.cx, s.bottom), Point(s.cx, y0)]
            else:
                pts = [Point(_side_x(s, plan.exit_side, sy), sy)]
            pts += [Point(x, y0), Point(x, y1)]
            if plan.entry_side is Side.TOP:
                pts += [Point(t.cx, y1), Point(t.cx, t.top)]
            else:
                pts += [Point(_side_x(t, plan.entry_side, ty), ty)]
        return [(a, b) for a, b in itertools.pairwise(pts) if a != b]

    def _vertical_span(self, plan: _Plan, s: PlacedNode, t: PlacedNode) -> tuple[float, float]:
        """Where a gutter route's vertical starts and ends (in drawing order)."""
        start = s.bottom + self._drop(s) if plan.exit_side is Side.BOTTOM else plan.exit_y
        end = t.top - self.geo.jog if plan.entry_side is Side.TOP else plan.entry_y
        return start, end

    def _drop(self, node: PlacedNode) -> float:
        """How far below a symbol a route out of its bottom turns across: half the space
        down to the row's rule, at most the usual jog."""
        row = self.rows[node.row]
        return max(1.0, min(self.geo.jog, (row.bottom - node.bottom) / 2))

    def _cost(self, segments: Iterable[tuple[Point, Point]], ends: tuple[str, str]) -> float:
        cost = 0.0
        for a, b in segments:
            for node in self.nodes.values():
                if node.id in ends or (node.beside and node.id not in self.beside_placed):
                    continue
                if _segment_hits_box(a, b, node):
                    cost += _HIT
            for c, d in self.placed_segments:
                if _segments_cross(a, b, c, d):
                    cost += _CROSSING
                elif _segments_overlap(a, b, c, d):
                    cost += _OVERLAP
        return cost

    def _place_beside(self, plan: _Plan) -> None:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        connector, anchor = (t, s) if t.beside == s.id else (s, t)
        candidates = sorted(
            (lane for lane in range(self.lanes) if lane != anchor.lane),
            key=lambda lane: (abs(lane - anchor.lane), lane < anchor.lane),
        )
        # In its own lane only when there is room beside the symbol.
        if self._beside_x(anchor.lane, anchor, connector) is not None:
            candidates.append(anchor.lane)
        # The lane of the other half of its pair first, so that both stand in one column.
        if connector.prefer in candidates:
            candidates.remove(connector.prefer)
            candidates.insert(0, connector.prefer)
        best: tuple[int, int, float] | None = None  # (conflicts, lane, x)
        for lane in candidates:
            cx = self._beside_x(lane, anchor, connector)
            assert cx is not None
            probe = PlacedNode(
                id="probe",
                shape=connector.shape,
                lane=lane,
                row=anchor.row,
                cx=cx,
                cy=anchor.cy,
                width=connector.width + 4,
                # ports may still move the connector up or down by a few points
                height=connector.height + 2 * self.geo.port_spacing + 4,
            )
            side = Side.RIGHT if cx > anchor.cx else Side.LEFT
            path = (Point(_side_x(anchor, side, anchor.cy), anchor.cy), Point(cx, anchor.cy))
            neighbours = [self.nodes[o] for o in self.beside_placed]
            neighbours += [n for n in self.nodes.values() if not n.beside and n.id != anchor.id]
            conflicts = sum(1 for a, b in self.placed_segments if _segment_hits_box(a, b, probe))
            conflicts += sum(
                1
                for other in neighbours
                if _boxes_overlap(other, probe) or _segment_hits_box(*path, other)
            )
            if best is None or conflicts < best[0]:
                best = (conflicts, lane, cx)
            if conflicts == 0:
                break
        if best is None:  # one lane and no room beside the symbol: overlap the margin
            best = (0, anchor.lane, anchor.cx + anchor.width / 2 + connector.width / 2 + 6.0)
        _conflicts, chosen, chosen_x = best
        connector.lane = chosen
        connector.cx = chosen_x
        connector.cy = anchor.cy
        self.beside_placed.append(connector.id)
        toward = Side.RIGHT if connector.cx > anchor.cx else Side.LEFT
        away = Side.LEFT if toward is Side.RIGHT else Side.RIGHT
        if anchor is s:
            plan.exit_side, plan.entry_side = toward, away
        else:
            plan.exit_side, plan.entry_side = away, toward
        a = Point(_side_x(s, plan.exit_side, s.cy), s.cy)
        b = Point(_side_x(t, plan.entry_side, s.cy), s.cy)
        plan.segments = [(a, b)]
        self.placed_segments.extend(plan.segments)

    def _beside_x(self, lane: int, anchor: PlacedNode, connector: PlacedNode) -> float | None:
        """Where a connector beside ``anchor`` stands in ``lane``: the lane's middle, or in
        the anchor's own lane beside the symbol, far enough for an arrowhead (``None`` when
        there is no room for that)."""
        width = self.geo.lane_width
        if lane != anchor.lane:
            return (lane + 0.5) * width
        gap = self.geo.arrow + 2.0
        need = gap + connector.width + 1.0
        right_room = (lane + 1) * width - (anchor.cx + anchor.width / 2)
        left_room = (anchor.cx - anchor.width / 2) - lane * width
        if right_room >= need:
            return anchor.cx + anchor.width / 2 + gap + connector.width / 2
        if left_room >= need:
            return anchor.cx - anchor.width / 2 - gap - connector.width / 2
        return None

    # -- ports and tracks -----------------------------------------------------------------

    def _assign_ports(self, plans: Sequence[_Plan]) -> None:
        attachments: dict[tuple[str, Side], list[tuple[float, int, _Plan, bool]]] = {}
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
            anchor = _side_anchor_y(node)
            count = len(items)
            usable = _side_usable(node)
            spacing = min(self.geo.port_spacing, usable / (count - 1)) if count > 1 else 0.0
            for i, (_other_y, _index, plan, outgoing) in enumerate(items):
                y = anchor + (i - (count - 1) / 2) * spacing
                if outgoing:
                    plan.exit_y = y
                else:
                    plan.entry_y = y
        # A connector beside a node sits at the height of the node's port.
        for plan in plans:
            if plan.kind is not _Kind.BESIDE:
                continue
            s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
            if s.beside == t.id:  # incoming connector beside its target
                y = plan.entry_y
                s.cy = y - _side_anchor_y(s) + s.cy
                plan.exit_y = y
            else:
                y = plan.exit_y
                t.cy = y - _side_anchor_y(t) + t.cy
                plan.entry_y = y

    def _assign_tracks(self, plans: Sequence[_Plan]) -> None:
        by_boundary: dict[int, list[_Plan]] = {}
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
                            _segment_hits_box(Point(x + o, y0), Point(x + o, y1), node)
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
                        abs(o - used) < _EPS and y0 - pad < b1 and b0 < y1 + pad
                        for b0, b1, used in taken
                    )
                ]
                if free:
                    offset = free[0]
                else:  # more parallel edges than tracks: share the least crowded one
                    offset = min(
                        offsets,
                        key=lambda o: sum(
                            1 for b0, b1, used in taken if abs(o - used) < _EPS and y0 < b1
                        ),
                    )
                plan.track = offset
                taken.append((y0, y1, offset))

    def _untangle(self, plans: Sequence[_Plan]) -> None:
        """Reorder the ports on a shared side where another order crosses fewer routes.

        Ports are first ordered by the height of each edge's other end, which is right for
        most edges; an edge that goes round a loop back can need the other order.
        """
        crossings = self._crossing_count(plans)
        for items in self._ports:
            if not crossings:
                return
            group = [(plan, outgoing) for _y, _i, plan, outgoing in items]
            if len(group) > 4 or any(plan.kind is _Kind.BESIDE for plan, _out in group):
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
    def _set_ports(group: Sequence[tuple[_Plan, bool]], ys: Sequence[float]) -> None:
        for (plan, outgoing), y in zip(group, ys, strict=True):
            if outgoing:
                plan.exit_y = y
            else:
                plan.entry_y = y

    def _crossing_count(self, plans: Sequence[_Plan]) -> int:
        segments = [
            (i, a, b)
            for i, plan in enumerate(plans)
            for a, b in itertools.pairwise(self._points(plan))
        ]
        return sum(
            1
            for (i, a, b), (j, c, d) in itertools.combinations(segments, 2)
            if i != j and _segments_cross(a, b, c, d)
        )

    def _track_fits(
        self, boundary: int, offset: float, s: PlacedNode, t: PlacedNode, plan: _Plan
    ) -> bool:
        """Whether a vertical at this offset clears both ends, with room for the arrowhead."""
        x = self._boundary_x(boundary) + offset
        need = self.geo.arrow + 1.0
        if plan.exit_side is Side.BOTTOM:  # the vertical must clear the source
            exit_ok = abs(x - s.cx) >= s.width / 2 + 1.5
        else:
            sx = _side_x(s, plan.exit_side, s.cy)
            exit_ok = x <= sx - 1.5 if plan.exit_side is Side.LEFT else x >= sx + 1.5
        if plan.entry_side is Side.TOP:
            entry_ok = abs(x - t.cx) >= t.width / 2 + 1.5
        else:
            tx = _side_x(t, plan.entry_side, t.cy)
            entry_ok = x <= tx - need if plan.entry_side is Side.LEFT else x >= tx + need
        return exit_ok and entry_ok

    def _offsets(
        self, boundary: int, s: PlacedNode, t: PlacedNode, plan: _Plan, *, strict: bool = True
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

    def _down_segments(self, plan: _Plan) -> list[tuple[Point, Point]]:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        start = Point(s.cx, s.bottom)
        end = Point(t.cx, t.top)
        if abs(s.cx - t.cx) < _EPS:
            return [(start, end)]
        jog = max(t.top - self.geo.jog, s.bottom + 1.0)
        pts = [start, Point(s.cx, jog), Point(t.cx, jog), end]
        return list(itertools.pairwise(pts))

    def _points(self, plan: _Plan) -> list[Point]:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        if plan.kind is _Kind.DOWN:
            segments = self._down_segments(plan)
        elif plan.kind is _Kind.BESIDE:
            a = Point(_side_x(s, plan.exit_side, plan.exit_y), plan.exit_y)
            b = Point(_side_x(t, plan.entry_side, plan.entry_y), plan.entry_y)
            segments = [(a, b)]
        else:
            segments = self._segments(plan, s, t)
        return [segments[0][0]] + [b for _a, b in segments]

    def _build_all(self, plans: Sequence[_Plan]) -> tuple[Route, ...]:
        drawn = [self._points(plan) for plan in plans]
        lines = [(i, a, b) for i, pts in enumerate(drawn) for a, b in itertools.pairwise(pts)]
        # The table's rules too: a label is better read off a rule than across one.
        # A label cut by a lane's rule is the worst: it reads as if in two columns.
        rules = [
            (_LABEL_ON_LANE_RULE, Point(x, 0.0), Point(x, self._height), False)
            for x in (self._boundary_x(k) for k in range(0, self.lanes + 1))
        ]
        rules += [
            (1.0, Point(0.0, row.bottom), Point(self._width, row.bottom), True)
            for row in self.rows[:-1]
        ]
        routes: list[Route] = []
        for index, (plan, points) in enumerate(zip(plans, drawn, strict=True)):
            label_at: Point | None = None
            anchor = "start"
            label_lines: tuple[str, ...] = ()
            if plan.edge.label:
                own_first = (points[0], points[1])
                others = [
                    (5.0, a, b, i == index)
                    for i, a, b in lines
                    if i != index or (a, b) != own_first
                ] + rules
                label_at, anchor, label_lines = self._place_label(plan, points[0], others)
            routes.append(
                Route(
                    id=plan.edge.id,
                    source=plan.edge.source,
                    target=plan.edge.target,
                    points=tuple(points),
                    label=plan.edge.label,
                    label_at=label_at,
                    label_anchor=anchor,
                    label_lines=label_lines,
                )
            )
        return tuple(routes)

    def _place_label(
        self, plan: _Plan, first: Point, lines: Sequence[tuple[float, Point, Point, bool]]
    ) -> tuple[Point, str, tuple[str, ...]]:
        """Where an outcome label goes, and its lines: beside the start of its edge, inside
        the lanes, clear of every symbol and if possible of every line.

        Candidates are tried in order of closeness to the edge; a long label may be wrapped
        to fit between its decision and a neighbouring symbol.
        """
        size = self.geo.label_size
        step = size * 1.2
        label = plan.edge.label
        wraps: list[tuple[str, ...]] = [(label,)]
        for width in (self.geo.lane_width * 0.9, self.geo.lane_width * 0.55):
            wrapped = tuple(wrap_text(label, width, size, hyphenate=True))
            if wrapped and wrapped not in wraps:
                wraps.append(wrapped)
        candidates: list[tuple[float, float, str, tuple[str, ...]]] = []  # x, last baseline
        if plan.exit_side is Side.BOTTOM:
            for wrapped in wraps:
                below = first.y + size + 0.5 + (len(wrapped) - 1) * step
                candidates.append((first.x + 2.0, below, "start", wrapped))
                candidates.append((first.x - 2.0, below, "end", wrapped))
        else:
            outward = 1.0 if plan.exit_side is Side.RIGHT else -1.0
            near = "start" if outward > 0 else "end"
            far = "end" if outward > 0 else "start"
            far_x = self._width - 1.0 if outward > 0 else 1.0
            above = first.y - 1.5
            for wrapped in wraps:
                candidates.append((first.x + outward * 1.5, above, near, wrapped))
            # Above the symbol's shoulder, over its own lane, lifted until clear of it.
            for k in range(0, 12):
                candidates.append((first.x - outward * 0.5, above - k * 1.5, far, wraps[0]))
            for wrapped in wraps:
                below = first.y + size + 0.5 + (len(wrapped) - 1) * step
                candidates.append((first.x + outward * 1.5, below, near, wrapped))
            for wrapped in wraps:
                for k in range(1, 9):
                    candidates.append((first.x + outward * 1.5, above - k * 1.5, near, wrapped))
            # Over or under the symbol's shoulder on the side it leaves, between its middle
            # (where a line may come in) and the lane's rule.
            source = self.nodes[plan.edge.source]
            for wrapped in wraps:
                below = first.y + size + 0.5 + (len(wrapped) - 1) * step
                edge_x = (source.lane + (1 if outward > 0 else 0)) * self.geo.lane_width
                for k in range(0, 16):
                    for x, anchor in ((source.cx + outward * 1.5, near), (edge_x - outward, far)):
                        candidates.append((x, above - k * 1.5, anchor, wrapped))
                        candidates.append((x, below + k * 1.5, anchor, wrapped))
                for k in range(0, 9):
                    candidates.append((far_x, above - k * 1.5, far, wrapped))
        best: tuple[float, Point, str, tuple[str, ...], tuple[float, float, float, float]] | None
        best = None
        for order, (x, last, anchor, wrapped) in enumerate(candidates):
            if plan.exit_side is not Side.BOTTOM and abs(x - first.x) > self.geo.lane_width * 1.5:
                continue  # too far from its edge to be read as its label
            width = max(text_width(line, size) for line in wrapped)
            left = x if anchor == "start" else x - width
            top = last - (len(wrapped) - 1) * step - 0.8 * size
            box = (left, top, left + width, last + 0.25 * size)
            if box[0] < 0.5 or box[2] > self._width - 0.5 or box[1] < 0 or box[3] > self._height:
                continue
            if any(_box_hits_symbol(box, node) for node in self.nodes.values()):
                continue
            if any(_boxes_meet(box, other) for other in self.label_boxes):
                continue
            # Crossing a route is worse than crossing a lane rule; both beat wandering off.
            # Other lines must stay a point clear of the text; its own edge may touch it.
            clear = (box[0] - 1.0, box[1] - 1.0, box[2] + 1.0, box[3] + 1.0)
            score = order * 0.05 + sum(
                w for w, a, b, own in lines if _segment_hits_rect(a, b, box if own else clear)
            )
            if best is None or score < best[0] - _EPS:
                best = (score, Point(x, last - (len(wrapped) - 1) * step), anchor, wrapped, box)
        if best is not None:
            self.label_boxes.append(best[4])
            return best[1], best[2], best[3]
        x, last, anchor, wrapped = candidates[0]
        return Point(x, last - (len(wrapped) - 1) * step), anchor, wrapped


def route_crossings(routes: Sequence[Route]) -> int:
    """How many times two of the routes cross each other."""
    segments = [(i, a, b) for i, r in enumerate(routes) for a, b in itertools.pairwise(r.points)]
    return sum(
        1
        for (i, a, b), (j, c, d) in itertools.combinations(segments, 2)
        if i != j and _segments_cross(a, b, c, d)
    )


def _boxes_meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] + 1.0 and b[0] < a[2] + 1.0 and a[1] < b[3] + 0.5 and b[1] < a[3] + 0.5


def _segment_hits_rect(a: Point, b: Point, box: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = box
    x0, x1 = sorted((a.x, b.x))
    y0, y1 = sorted((a.y, b.y))
    return x0 < right and x1 > left and y0 < bottom and y1 > top


def _box_hits_symbol(box: tuple[float, float, float, float], node: PlacedNode) -> bool:
    """Whether a rectangle (left, top, right, bottom) overlaps a symbol's outline."""
    left, top, right, bottom = box
    half_w, half_h = node.width / 2, node.height / 2
    dx = max(left - node.cx, 0.0, node.cx - right)
    dy = max(top - node.cy, 0.0, node.cy - bottom)
    if node.shape is Shape.DECISION:
        return dx / half_w + dy / half_h < 1.0
    return dx < half_w and dy < half_h


def _side_anchor_y(node: PlacedNode) -> float:
    """Where on its side an edge meets a symbol when it is the only one there."""
    if node.shape is Shape.CONNECTOR:
        return node.top + node.height * connector_shoulder() / 2
    return node.cy


def connector_shoulder() -> float:
    """The height of a connector's vertical sides, as a share of its height."""
    return 0.6


def _side_usable(node: PlacedNode) -> float:
    """How much of a side several edges may share."""
    if node.shape is Shape.DECISION:
        return node.height * 0.4
    if node.shape is Shape.CONNECTOR:
        return node.height * connector_shoulder() * 0.7
    if node.shape is Shape.TERMINATOR:
        return node.height * 0.5
    return node.height * 0.7


def _side_x(node: PlacedNode, side: Side, y: float) -> float:
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


def _segment_hits_box(a: Point, b: Point, node: PlacedNode) -> bool:
    """Whether the axis-parallel segment a-b passes through the inside of the node's box."""
    left, right = node.cx - node.width / 2 + _EPS, node.cx + node.width / 2 - _EPS
    top, bottom = node.cy - node.height / 2 + _EPS, node.cy + node.height / 2 - _EPS
    x0, x1 = sorted((a.x, b.x))
    y0, y1 = sorted((a.y, b.y))
    return x0 < right and x1 > left and y0 < bottom and y1 > top


def _boxes_overlap(a: PlacedNode, b: PlacedNode) -> bool:
    return abs(a.cx - b.cx) * 2 < a.width + b.width and abs(a.cy - b.cy) * 2 < a.height + b.height


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether a horizontal and a vertical segment cross at an interior point."""
    ab_h = abs(a.y - b.y) < _EPS
    cd_h = abs(c.y - d.y) < _EPS
    if ab_h == cd_h:
        return False
    h0, h1, v0, v1 = (a, b, c, d) if ab_h else (c, d, a, b)
    hx0, hx1 = sorted((h0.x, h1.x))
    vy0, vy1 = sorted((v0.y, v1.y))
    return hx0 + _EPS < v0.x < hx1 - _EPS and vy0 + _EPS < h0.y < vy1 - _EPS


def _segments_overlap(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether two collinear axis-parallel segments share a stretch."""
    if abs(a.y - b.y) < _EPS and abs(c.y - d.y) < _EPS and abs(a.y - c.y) < _EPS:
        x0, x1 = sorted((a.x, b.x))
        y0, y1 = sorted((c.x, d.x))
        return min(x1, y1) - max(x0, y0) > 1.0
    if abs(a.x - b.x) < _EPS and abs(c.x - d.x) < _EPS and abs(a.x - c.x) < _EPS:
        x0, x1 = sorted((a.y, b.y))
        y0, y1 = sorted((c.y, d.y))
        return min(x1, y1) - max(x0, y0) > 1.0
    return False
