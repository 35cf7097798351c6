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
nodes leave higher, which avoids needless crossings. Outcome labels are placed last, by
:mod:`.labels`; the page's parts and the tests of how they meet are in :mod:`.geometry`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import replace

from laksana.engine.render.geometry import (
    EPS,
    Geometry,
    PageEdge,
    PlacedNode,
    boxes_overlap,
    segment_hits_box,
    segments_cross,
    segments_overlap,
    side_x,
)
from laksana.engine.render.grid import PageGrid, RouteKind, RoutePlan
from laksana.engine.render.labels import LabelPlacer
from laksana.engine.render.model import Point, Route, RowBox, Side, Symbol
from laksana.engine.render.textmetrics import text_width

# Route costs, in units of "one lane width of line": a crossing is worth a detour of a few
# lanes, a bend a little, running through a symbol is never acceptable.
_HIT = 1000.0
_CROSSING = 30.0  # a route round the whole table is better than a crossing
_OVERLAP = 2.0
_BEND = 0.4
_SAME_EXIT = 8.0  # two outcomes of one decision leaving by the same side
_SHARED_SIDE = 1.0
_NO_LABEL_ROOM = 4.0

# A saved state of the router: routes with a copy of each, the placed segments, used sides.
_Saved = tuple[list[tuple[RoutePlan, RoutePlan]], list[tuple[Point, Point]], set[str], set[str]]


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


class _Router(PageGrid):
    """Routes the edges of one page; holds what is placed so far, to route around it."""

    # -- planning -------------------------------------------------------------------------

    def run(self, edges: Sequence[PageEdge]) -> tuple[tuple[Symbol, ...], tuple[Route, ...]]:
        plans = self._classify(edges)
        for plan in plans:
            if plan.kind is RouteKind.DOWN:
                plan.segments = self._down_segments(plan)
                self.placed_segments.extend(plan.segments)
        # Connectors beside a node go next, so that every other route goes round them.
        for plan in plans:
            if plan.kind is RouteKind.BESIDE:
                self._place_beside(plan)
        free = sorted(
            (p for p in plans if p.kind is RouteKind.GUTTER),
            key=lambda p: (self._span(p.edge), p.edge.priority),
        )
        for plan in free:
            self._choose_route(plan, plans)
            self.placed_segments.extend(plan.segments)
        self._reroute_crossed(free, plans)
        self._assign_ports(plans)
        self._assign_tracks([p for p in plans if p.kind is RouteKind.GUTTER])
        self._untangle(plans)
        routes = self._build_all(plans)
        symbols = tuple(self.nodes[i].freeze() for i in self.order)
        return symbols, routes

    def _reroute_crossed(self, free: Sequence[RoutePlan], plans: Sequence[RoutePlan]) -> None:
        """Route again, two at a time, the routes that still cross another.

        Routes are chosen one at a time, shortest first, so a route chosen early can take the
        only way round of one chosen later (SOP 004 in one page: the ends at the foot of the
        last lane). Each crossed route is taken up together with each route beside it, the
        two are chosen again in both orders, and the result is kept when fewer segments
        cross or overlap in all (two routes sharing a track now may cross once tracks are
        assigned).
        """
        crossings = self._planned_crossings(plans)
        for plan in free:
            if not crossings:
                return
            if not self._crosses_any(plan, plans):
                continue
            lo, hi = self._y_range(plan)
            for other in free:
                if other is plan or not crossings:
                    continue
                olo, ohi = self._y_range(other)
                if ohi < lo or olo > hi:
                    continue
                for order in ((plan, other), (other, plan)):
                    saved = self._save(order)
                    for taken in order:
                        self._take_up(taken)
                    for taken in order:
                        self._choose_route(taken, plans)
                        self.placed_segments.extend(taken.segments)
                    count = self._planned_crossings(plans)
                    if count < crossings:
                        crossings = count
                    else:
                        self._restore(saved)

    def _y_range(self, plan: RoutePlan) -> tuple[float, float]:
        ys = [y for a, b in plan.segments for y in (a.y, b.y)]
        return min(ys), max(ys)

    def _crosses_any(self, plan: RoutePlan, plans: Sequence[RoutePlan]) -> bool:
        return any(
            segments_cross(a, b, c, d)
            for other in plans
            if other is not plan
            for a, b in plan.segments
            for c, d in other.segments
        )

    @staticmethod
    def _planned_crossings(plans: Sequence[RoutePlan]) -> int:
        segments = [(i, a, b) for i, plan in enumerate(plans) for a, b in plan.segments]
        return sum(
            1
            for (i, a, b), (j, c, d) in itertools.combinations(segments, 2)
            if i != j and (segments_cross(a, b, c, d) or segments_overlap(a, b, c, d))
        )

    def _take_up(self, plan: RoutePlan) -> None:
        """Remove a chosen route, freeing the sides of its ends it claimed."""
        for segment in plan.segments:
            self.placed_segments.remove(segment)
        plan.segments = []
        if plan.exit_side is Side.BOTTOM:
            self.bottom_used.discard(plan.edge.source)
        if plan.entry_side is Side.TOP:
            self.top_used.discard(plan.edge.target)

    def _save(self, plans: Sequence[RoutePlan]) -> _Saved:
        return (
            [(plan, replace(plan, segments=list(plan.segments))) for plan in plans],
            list(self.placed_segments),
            set(self.bottom_used),
            set(self.top_used),
        )

    def _restore(self, saved: _Saved) -> None:
        kept, placed, bottom, top = saved
        for plan, copy in kept:
            for name in ("kind", "boundary", "exit_side", "entry_side", "exit_y", "entry_y"):
                setattr(plan, name, getattr(copy, name))
            plan.track, plan.segments = copy.track, copy.segments
        self.placed_segments, self.bottom_used, self.top_used = placed, bottom, top

    def _span(self, edge: PageEdge) -> float:
        return abs(self.nodes[edge.source].cy - self.nodes[edge.target].cy)

    def _classify(self, edges: Sequence[PageEdge]) -> list[RoutePlan]:
        kinds: dict[str, RouteKind] = {}
        for edge in sorted(edges, key=lambda e: e.priority):
            s, t = self.nodes[edge.source], self.nodes[edge.target]
            if s.beside == t.id or t.beside == s.id:
                kinds[edge.id] = RouteKind.BESIDE
            elif (
                not s.beside
                and not t.beside
                and t.row == s.row + 1
                and s.id not in self.bottom_used
                and t.id not in self.top_used
            ):
                kinds[edge.id] = RouteKind.DOWN
                self.bottom_used.add(s.id)
                self.top_used.add(t.id)
            else:
                kinds[edge.id] = RouteKind.GUTTER
        return [RoutePlan(edge=e, kind=kinds[e.id]) for e in edges]

    def _candidates(self, s: PlacedNode, t: PlacedNode) -> list[RoutePlan]:
        """Every shape this edge could take, with its sides chosen."""
        plans: list[RoutePlan] = []
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
                        RoutePlan(
                            edge=edge,
                            kind=RouteKind.GUTTER,
                            boundary=boundary,
                            exit_side=exit_side,
                            entry_side=entry_side,
                        )
                    )
        downward = t.top > s.bottom
        apart = abs(s.cx - t.cx) * 2 > s.width + t.width
        if (
            downward
            and abs(s.cx - t.cx) < EPS
            and not s.beside
            and not t.beside
            and s.id not in self.bottom_used
            and t.id not in self.top_used
        ):
            plans.append(RoutePlan(edge=edge, kind=RouteKind.STRAIGHT, exit_side=Side.BOTTOM))
        if downward and apart and not s.beside and not t.beside:
            if s.id not in self.bottom_used:
                plans.append(
                    RoutePlan(
                        edge=edge,
                        kind=RouteKind.ELBOW_DOWN,
                        exit_side=Side.BOTTOM,
                        entry_side=Side.LEFT if s.cx < t.cx else Side.RIGHT,
                    )
                )
            if t.id not in self.top_used:
                plans.append(
                    RoutePlan(
                        edge=edge,
                        kind=RouteKind.ELBOW_TOP,
                        exit_side=Side.RIGHT if t.cx > s.cx else Side.LEFT,
                        entry_side=Side.TOP,
                    )
                )
        return plans

    def _choose_route(self, plan: RoutePlan, plans: Sequence[RoutePlan]) -> None:
        s, t = self.nodes[plan.edge.source], self.nodes[plan.edge.target]
        best: tuple[float, RoutePlan] | None = None
        for candidate in self._candidates(s, t):
            candidate.exit_y, candidate.entry_y = s.cy, t.cy
            forced = 0.0
            if candidate.kind is RouteKind.GUTTER:
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
                if other is plan or not other.segments or other.kind is RouteKind.DOWN:
                    continue
                if other.edge.source == s.id and other.exit_side is candidate.exit_side:
                    cost += _SAME_EXIT
                if other.edge.target == t.id and other.entry_side is candidate.entry_side:
                    cost += _SHARED_SIDE
                if other.edge.source == t.id and other.exit_side is candidate.entry_side:
                    cost += _SHARED_SIDE
                if other.edge.target == s.id and other.entry_side is candidate.exit_side:
                    cost += _SHARED_SIDE
            if best is None or cost < best[0] - EPS:
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

    def _cost(self, segments: Iterable[tuple[Point, Point]], ends: tuple[str, str]) -> float:
        cost = 0.0
        for a, b in segments:
            for node in self.nodes.values():
                if node.id in ends or (node.beside and node.id not in self.beside_placed):
                    continue
                if segment_hits_box(a, b, node):
                    cost += _HIT
            for c, d in self.placed_segments:
                if segments_cross(a, b, c, d):
                    cost += _CROSSING
                elif segments_overlap(a, b, c, d):
                    cost += _OVERLAP
        return cost

    def _place_beside(self, plan: RoutePlan) -> None:
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
            path = (Point(side_x(anchor, side, anchor.cy), anchor.cy), Point(cx, anchor.cy))
            neighbours = [self.nodes[o] for o in self.beside_placed]
            neighbours += [n for n in self.nodes.values() if not n.beside and n.id != anchor.id]
            conflicts = sum(1 for a, b in self.placed_segments if segment_hits_box(a, b, probe))
            conflicts += sum(
                1
                for other in neighbours
                if boxes_overlap(other, probe) or segment_hits_box(*path, other)
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
        a = Point(side_x(s, plan.exit_side, s.cy), s.cy)
        b = Point(side_x(t, plan.entry_side, s.cy), s.cy)
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

    def _build_all(self, plans: Sequence[RoutePlan]) -> tuple[Route, ...]:
        drawn = [self._points(plan) for plan in plans]
        lines = [(i, a, b) for i, pts in enumerate(drawn) for a, b in itertools.pairwise(pts)]
        placer = LabelPlacer(self.rows, list(self.nodes.values()), self.lanes, self.geo)
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
                ] + placer.rules
                label_at, anchor, label_lines = placer.place(
                    plan.edge.label,
                    plan.exit_side,
                    self.nodes[plan.edge.source],
                    points[0],
                    others,
                )
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
