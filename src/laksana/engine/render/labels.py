"""Where the outcome labels of a routed page go.

A label (Ya, Tidak, or an outcome's name) stands beside the start of its edge, inside the
lanes, clear of every symbol and of the labels placed before it, and if possible of every
line: crossing a route is worse than crossing a row's rule, and a lane's rule is the worst,
since a label cut by it reads as if in two columns. A long label may be wrapped (hyphenated)
to fit between its decision and a neighbouring symbol.
"""

from __future__ import annotations

from collections.abc import Sequence

from laksana.engine.render.geometry import (
    EPS,
    Geometry,
    PlacedNode,
    box_hits_symbol,
    boxes_meet,
    segment_hits_rect,
)
from laksana.engine.render.model import Point, RowBox, Side
from laksana.engine.render.textmetrics import text_width, wrap_text

LABEL_ON_LANE_RULE = 20.0  # the cost of a label cut by a lane's rule (a route: 5, a row's: 1)


class LabelPlacer:
    """Places the labels of one page's routes, each clear of the ones placed before."""

    def __init__(
        self, rows: Sequence[RowBox], nodes: Sequence[PlacedNode], lanes: int, geo: Geometry
    ) -> None:
        self.nodes = nodes
        self.geo = geo
        self.width = lanes * geo.lane_width
        self.height = rows[-1].bottom if rows else 0.0
        self.boxes: list[tuple[float, float, float, float]] = []
        # The table's rules too: a label is better read off a rule than across one.
        # A label cut by a lane's rule is the worst: it reads as if in two columns.
        self.rules = [
            (LABEL_ON_LANE_RULE, Point(x, 0.0), Point(x, self.height), False)
            for x in (k * geo.lane_width for k in range(0, lanes + 1))
        ]
        self.rules += [
            (1.0, Point(0.0, row.bottom), Point(self.width, row.bottom), True) for row in rows[:-1]
        ]

    def place(
        self,
        label: str,
        exit_side: Side,
        source: PlacedNode,
        first: Point,
        lines: Sequence[tuple[float, Point, Point, bool]],
    ) -> tuple[Point, str, tuple[str, ...]]:
        """Where an outcome label goes, and its lines: beside the start of its edge, inside
        the lanes, clear of every symbol and if possible of every line (``lines`` are the other
        routes' segments, weighted, each flagged when it is the label's own edge, plus
        :attr:`rules`); ``first`` is where its edge leaves ``source`` by ``exit_side``.

        Candidates are tried in order of closeness to the edge; a long label may be wrapped
        to fit between its decision and a neighbouring symbol.
        """
        size = self.geo.label_size
        step = size * 1.2
        wraps: list[tuple[str, ...]] = [(label,)]
        for width in (self.geo.lane_width * 0.9, self.geo.lane_width * 0.55):
            wrapped = tuple(wrap_text(label, width, size, hyphenate=True))
            if wrapped and wrapped not in wraps:
                wraps.append(wrapped)
        candidates: list[tuple[float, float, str, tuple[str, ...]]] = []  # x, last baseline
        if exit_side is Side.BOTTOM:
            for wrapped in wraps:
                below = first.y + size + 0.5 + (len(wrapped) - 1) * step
                candidates.append((first.x + 2.0, below, "start", wrapped))
                candidates.append((first.x - 2.0, below, "end", wrapped))
        else:
            outward = 1.0 if exit_side is Side.RIGHT else -1.0
            near = "start" if outward > 0 else "end"
            far = "end" if outward > 0 else "start"
            far_x = self.width - 1.0 if outward > 0 else 1.0
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
            if exit_side is not Side.BOTTOM and abs(x - first.x) > self.geo.lane_width * 1.5:
                continue  # too far from its edge to be read as its label
            width = max(text_width(line, size) for line in wrapped)
            left = x if anchor == "start" else x - width
            top = last - (len(wrapped) - 1) * step - 0.8 * size
            box = (left, top, left + width, last + 0.25 * size)
            if box[0] < 0.5 or box[2] > self.width - 0.5 or box[1] < 0 or box[3] > self.height:
                continue
            if any(box_hits_symbol(box, node) for node in self.nodes):
                continue
            if any(boxes_meet(box, other) for other in self.boxes):
                continue
            # Crossing a route is worse than crossing a lane rule; both beat wandering off.
            # Other lines must stay a point clear of the text; its own edge may touch it.
            clear = (box[0] - 1.0, box[1] - 1.0, box[2] + 1.0, box[3] + 1.0)
            score = order * 0.05 + sum(
                w for w, a, b, own in lines if segment_hits_rect(a, b, box if own else clear)
            )
            if best is None or score < best[0] - EPS:
                best = (score, Point(x, last - (len(wrapped) - 1) * step), anchor, wrapped, box)
        if best is not None:
            self.boxes.append(best[4])
            return best[1], best[2], best[3]
        x, last, anchor, wrapped = candidates[0]
        return Point(x, last - (len(wrapped) - 1) * step), anchor, wrapped
