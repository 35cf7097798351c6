"""The flowchart of a procedure as a graph, placed in rows and lanes and cut into pages.

One row per node (the start, each step, each end) and one lane per actor. An edge whose ends
fall on different pages is cut in two at a pair of off-page connectors carrying the same
letter: for an edge forward it ends in a connector at the bottom of its page and starts again
from one at the top of the target's page, both halves in one lane; for an edge back to an
earlier page the connectors stand beside the source and beside the target, again in one lane
where there is room. Where another choice of those lanes leaves fewer routes crossing, it is
taken. The routing of edges on each page is in :mod:`.routing`; the sizes of the SOP AP
document are in :mod:`.layout`, BPMN's in :mod:`.bpmn`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from laksana.engine.render.geometry import Geometry, PageEdge, PlacedNode, route_crossings
from laksana.engine.render.model import (
    ConnectorPair,
    ConnectorRole,
    FlowLayout,
    Page,
    RowBox,
    RowKind,
    Shape,
)
from laksana.engine.render.routing import route_page
from laksana.engine.spec import ProcedureSpec

TERMINATOR_SIZE = 5.5  # font size of the text in a terminator
CONNECTOR_SIZE = 16.0
CONNECTOR_ROW = 26.0  # height of a row of off-page connectors

# -- the flowchart graph --------------------------------------------------------------------

START = ":start"  # no step or end id can start with a colon (see the loader's id rule)


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node of the flowchart: the start, a step, a decision (its own node when BPMN splits
    the task from its gateway), or an end. ``node`` is the step or end id it comes from."""

    id: str
    shape: Shape
    lane: int
    node: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A flowchart edge; ``label`` is a decision outcome's label."""

    id: str
    source: str
    target: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Graph:
    """Nodes in row order and edges in drawing priority order."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


GATEWAY_SUFFIX = "__decision"


def build_graph(spec: ProcedureSpec, *, split_decisions: bool) -> Graph:
    """The nodes (in row order: start, steps, ends) and edges of the flowchart.

    With ``split_decisions`` a decision step becomes a task followed by a gateway (BPMN);
    otherwise it is one diamond (SOP AP). Each end goes in the lane of the last step leading
    to it; ends are ordered so that the one the last step leads to comes first.
    """
    lane_of = {a.id: i for i, a in enumerate(spec.actors)}
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    first_lane = lane_of[spec.step(spec.start).actor] if spec.has_step(spec.start) else 0
    nodes.append(GraphNode(START, Shape.TERMINATOR, first_lane, START, spec.start_label))
    edges.append(GraphEdge(f"{START}->{spec.start}", START, spec.start))
    row_of: dict[str, int] = {}
    for index, step in enumerate(spec.steps):
        lane = lane_of[step.actor]
        row_of[step.id] = index
        if step.decision is not None and split_decisions:
            gateway = step.id + GATEWAY_SUFFIX
            nodes.append(GraphNode(step.id, Shape.PROCESS, lane, step.id, step.activity))
            nodes.append(GraphNode(gateway, Shape.DECISION, lane, step.id, step.decision.question))
            edges.append(GraphEdge(f"{step.id}->{gateway}", step.id, gateway))
            source = gateway
        else:
            shape = Shape.DECISION if step.decision is not None else Shape.PROCESS
            nodes.append(GraphNode(step.id, shape, lane, step.id, step.activity))
            source = step.id
        if step.decision is not None:
            for outcome in step.decision.outcomes:
                edges.append(
                    GraphEdge(f"{source}->{outcome.target}", source, outcome.target, outcome.label)
                )
        elif step.next is not None:
            edges.append(GraphEdge(f"{source}->{step.next}", source, step.next))

    def last_predecessor(end_id: str) -> int:
        rows = [row_of[s.id] for s in spec.steps if end_id in s.targets()]
        return max(rows, default=-1)

    ends = sorted(enumerate(spec.ends), key=lambda item: (-last_predecessor(item[1].id), item[0]))
    for _index, end in ends:
        row = last_predecessor(end.id)
        lane = lane_of[spec.steps[row].actor] if row >= 0 else 0
        nodes.append(GraphNode(end.id, Shape.TERMINATOR, lane, end.id, end.label))
    # Edge ids must be unique even when two outcomes lead to the same target.
    seen: dict[str, int] = {}
    unique: list[GraphEdge] = []
    for edge in edges:
        count = seen.get(edge.id, 0)
        seen[edge.id] = count + 1
        unique.append(edge if count == 0 else GraphEdge(f"{edge.id}#{count}", *_rest(edge)))
    return Graph(tuple(nodes), tuple(unique))


def _rest(edge: GraphEdge) -> tuple[str, str, str]:
    return edge.source, edge.target, edge.label


# -- pages and connectors -------------------------------------------------------------------


def paginate(heights: Sequence[float], budget: float | None, reserve: float) -> list[list[int]]:
    """Cut rows into pages of at most ``budget`` height, greedily, in order.

    Every page but the first keeps ``reserve`` free at its top, and every page but the last at
    its bottom, for the rows of off-page connectors. A row taller than a page gets a page of
    its own.
    """
    if budget is None:
        return [list(range(len(heights)))]
    pages: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        bottom = reserve if i < len(heights) - 1 else 0.0
        if pages[-1] and used + h + bottom > budget:
            pages.append([])
            used = reserve
        pages[-1].append(i)
        used += h
    return pages


def connector_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the letter of the ``index``-th connector pair."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


@dataclass(slots=True)
class _Pair:
    """A connector pair being collected (see :class:`.model.ConnectorPair`)."""

    label: str
    sources: list[str]
    source_pages: list[int]
    target: str
    target_page: int
    forward: bool
    lane: int = -1  # the lane both halves stand in


def _connector_lanes(pages: Sequence[Page], label: str) -> set[int]:
    return {s.lane for page in pages for s in page.connectors() if s.label == label}


def _lanes_apart(pairs: Sequence[_Pair]) -> bool:
    """Whether no two connectors forward share a lane in one row of connectors."""
    rows = [("out", q.source_pages[0], q.lane) for q in pairs]
    rows += [("in", q.target_page, q.lane) for q in pairs]
    return len(set(rows)) == len(rows)


def _pair_lanes(
    pairs: Sequence[_Pair], by_id: Mapping[str, GraphNode], row: Mapping[str, int], lanes: int
) -> None:
    """Give each pair of connectors forward one lane for both halves: its target's lane when
    free, else the nearest lane free both in the bottom row of the page it leaves and in the
    top row of the page it reaches."""
    taken: dict[tuple[str, int], set[int]] = {}
    # The pair reaching the first row of its page first: its connector stands right above it.
    for pair in sorted(pairs, key=lambda q: row[q.target]):
        if not pair.forward:
            continue
        out_used = taken.setdefault(("out", pair.source_pages[0]), set())
        in_used = taken.setdefault(("in", pair.target_page), set())
        both = out_used | in_used
        lane = _free_lane(by_id[pair.target].lane, both, lanes)
        out_used.add(lane)
        in_used.add(lane)
        pair.lane = lane


def flow_layout(
    graph: Graph,
    *,
    lanes: tuple[str, ...],
    heights: Mapping[str, float],
    sizes: Mapping[Shape, tuple[float, float]],
    geometry: Geometry,
    budget: float | None = None,
    terminator_lines: Mapping[str, tuple[str, ...]] | None = None,
    terminator_captions: Mapping[str, tuple[str, ...]] | None = None,
) -> FlowLayout:
    """Place ``graph`` in rows and lanes, cut it into pages and route every edge.

    ``heights`` gives each node's row height; ``sizes`` each shape's (width, height), where a
    terminator grows to hold its wrapped label (``terminator_lines``).
    """
    terminator_lines = terminator_lines or {}
    terminator_captions = terminator_captions or {}
    lane_w = geometry.lane_width
    order = [n.id for n in graph.nodes]
    by_id = {n.id: n for n in graph.nodes}
    pages_rows = paginate([heights[i] for i in order], budget, CONNECTOR_ROW)
    page_of = {order[i]: p for p, rows in enumerate(pages_rows) for i in rows}
    row_index = {node_id: i for i, node_id in enumerate(order)}

    pairs: list[_Pair] = []
    pair_of: dict[tuple[int, str], _Pair] = {}
    edge_pair: dict[str, _Pair] = {}
    cross = sorted(
        (e for e in graph.edges if page_of[e.source] != page_of[e.target]),
        key=lambda e: (row_index[e.source], row_index[e.target]),
    )
    # One letter per target: for edges forward, per page they leave; for edges back, one
    # letter however many places loop back to that target.
    for edge in cross:
        ps, pt = page_of[edge.source], page_of[edge.target]
        key = (ps, edge.target) if pt > ps else (-1, edge.target)
        pair = pair_of.get(key)
        if pair is None:
            pair = _Pair(connector_label(len(pairs)), [], [], edge.target, pt, pt > ps)
            pairs.append(pair)
            pair_of[key] = pair
        if edge.source not in pair.sources:
            pair.sources.append(edge.source)
            pair.source_pages.append(ps)
        edge_pair[edge.id] = pair

    _pair_lanes(pairs, by_id, row_index, len(lanes))

    def lay_out() -> list[Page]:
        pages: list[Page] = []
        for p, rows in enumerate(pages_rows):
            page = _layout_page(
                p,
                [by_id[order[i]] for i in rows],
                graph,
                page_of,
                pairs,
                edge_pair,
                lanes=len(lanes),
                heights=heights,
                sizes=sizes,
                geometry=geometry,
                terminator_lines=terminator_lines,
                terminator_captions=terminator_captions,
            )
            # An edge back to this page: its connectors on later pages stand in the same lane.
            for symbol in page.connectors():
                pair = next((q for q in pairs if q.label == symbol.label), None)
                if pair is not None and not pair.forward and symbol.role is ConnectorRole.IN:
                    pair.lane = pair.lane if pair.lane >= 0 else symbol.lane
            pages.append(page)
        return pages

    pages = lay_out()
    # Two pairs reaching one page may swap lanes when that leaves fewer routes crossing.
    crossings = sum(route_crossings(page.routes) for page in pages)
    forward = [q for q in pairs if q.forward]
    for a, b in itertools.combinations(forward, 2):
        if not crossings:
            break
        if a.target_page != b.target_page:
            continue
        a.lane, b.lane = b.lane, a.lane
        if not _lanes_apart(forward):
            a.lane, b.lane = b.lane, a.lane
            continue
        tried = lay_out()
        count = sum(route_crossings(page.routes) for page in tried)
        if count < crossings:
            pages, crossings = tried, count
        else:
            a.lane, b.lane = b.lane, a.lane
    if crossings and len(forward) > 1:
        pages = lay_out()
    # An edge back whose connectors found no room in one lane: try the lanes its other
    # halves stand in, then the others nearest them.
    for pair in pairs:
        if pair.forward:
            continue
        found = _connector_lanes(pages, pair.label)
        if len(found) < 2:
            continue
        kept = pair.lane
        others = sorted(
            set(range(len(lanes))) - found, key=lambda k: min(abs(k - f) for f in found)
        )
        for lane in [*sorted(found - {kept}), *others]:
            pair.lane = lane
            tried = lay_out()
            count = sum(route_crossings(page.routes) for page in tried)
            if len(_connector_lanes(tried, pair.label)) == 1 and count <= crossings:
                pages, crossings, kept = tried, count, lane
                break
        if pair.lane != kept:
            pair.lane = kept
            pages = lay_out()
    return FlowLayout(
        lanes=lanes,
        lane_width=lane_w,
        pages=tuple(pages),
        connectors=tuple(
            ConnectorPair(
                label=pair.label,
                sources=tuple(pair.sources),
                source_pages=tuple(pair.source_pages),
                target=pair.target,
                target_page=pair.target_page,
            )
            for pair in pairs
        ),
    )


def _layout_page(
    p: int,
    page_nodes: Sequence[GraphNode],
    graph: Graph,
    page_of: Mapping[str, int],
    pairs: Sequence[_Pair],
    edge_pair: Mapping[str, _Pair],
    *,
    lanes: int,
    heights: Mapping[str, float],
    sizes: Mapping[Shape, tuple[float, float]],
    geometry: Geometry,
    terminator_lines: Mapping[str, tuple[str, ...]],
    terminator_captions: Mapping[str, tuple[str, ...]],
) -> Page:
    lane_w = geometry.lane_width
    conn_w, conn_h = sizes.get(Shape.CONNECTOR, (CONNECTOR_SIZE, CONNECTOR_SIZE))
    incoming = [q for q in pairs if q.forward and q.target_page == p]
    outgoing = [q for q in pairs if q.forward and q.source_pages[0] == p]
    rows: list[RowBox] = []
    placed: list[PlacedNode] = []
    row_of_node: dict[str, int] = {}
    y = 0.0
    if incoming:
        rows.append(RowBox(RowKind.CONNECTORS_IN, "", y, CONNECTOR_ROW))
        y += CONNECTOR_ROW
    for node in page_nodes:
        h = heights[node.id]
        kind = (
            RowKind.START
            if node.id == START
            else RowKind.END
            if node.shape is Shape.TERMINATOR
            else RowKind.STEP
        )
        rows.append(RowBox(kind, node.node, y, h))
        width, height = sizes[node.shape]
        lines: tuple[str, ...] = ()
        caption = terminator_captions.get(node.id, ())
        if node.shape is Shape.TERMINATOR:
            lines = terminator_lines.get(node.id, ())
            height = max(height, len(lines) * TERMINATOR_SIZE * 1.2 + 6)
        row_of_node[node.id] = len(rows) - 1
        placed.append(
            PlacedNode(
                id=node.id,
                shape=node.shape,
                lane=node.lane,
                row=len(rows) - 1,
                cx=(node.lane + 0.5) * lane_w,
                cy=y + (h - len(caption) * TERMINATOR_SIZE * 1.2) / 2,
                width=width,
                height=height,
                node=node.node,
                label=node.label,
                lines=lines,
                caption=caption,
            )
        )
        y += h
    by_id = {n.id: n for n in graph.nodes}
    edges: list[PageEdge] = []
    priority = 0
    # Connectors at the top of the page, each in its target's lane when free.
    if incoming:
        used: set[int] = set()
        first_row = placed[0].id if placed else ""
        ordered = sorted(incoming, key=lambda q: (q.target != first_row, -q.source_pages[0]))
        for pair in ordered:
            lane = pair.lane if pair.lane >= 0 else _free_lane(by_id[pair.target].lane, used, lanes)
            placed.append(
                _connector(
                    f":in:{pair.label}",
                    pair,
                    ConnectorRole.IN,
                    lane,
                    0,
                    (lane + 0.5) * lane_w,
                    4.0 + conn_h / 2,
                    (conn_w, conn_h),
                )
            )
            edges.append(
                PageEdge(f":in:{pair.label}", f":in:{pair.label}", pair.target, "", priority)
            )
            priority += 1
    # Back edges arriving on this page: a connector beside the target.
    for pair in pairs:
        if not pair.forward and pair.target_page == p:
            target = next(n for n in placed if n.id == pair.target)
            placed.append(
                _connector(
                    f":in:{pair.label}",
                    pair,
                    ConnectorRole.IN,
                    target.lane,
                    target.row,
                    -1e6,
                    target.cy,
                    (conn_w, conn_h),
                    beside=pair.target,
                )
            )
            edges.append(
                PageEdge(f":in:{pair.label}", f":in:{pair.label}", pair.target, "", priority)
            )
            priority += 1
    out_row = -1
    if outgoing:
        rows.append(RowBox(RowKind.CONNECTORS_OUT, "", y, CONNECTOR_ROW))
        out_row = len(rows) - 1
        used = set()
        last = next((n for n in reversed(placed) if n.row == out_row - 1), None)
        ordered = sorted(
            outgoing,
            key=lambda q: (last is None or last.id not in q.sources, q.label),
        )
        for pair in ordered:
            if last is not None and last.id in pair.sources:
                prefer = last.lane
            else:
                prefer = by_id[pair.sources[0]].lane
            lane = pair.lane if pair.lane >= 0 else _free_lane(prefer, used, lanes)
            placed.append(
                _connector(
                    f":out:{pair.label}",
                    pair,
                    ConnectorRole.OUT,
                    lane,
                    out_row,
                    (lane + 0.5) * lane_w,
                    y + CONNECTOR_ROW - 2.0 - conn_h / 2,
                    (conn_w, conn_h),
                )
            )
        y += CONNECTOR_ROW
    for edge in graph.edges:
        ps, pt = page_of[edge.source], page_of[edge.target]
        if ps == pt == p:
            edges.append(PageEdge(edge.id, edge.source, edge.target, edge.label, priority))
        elif ps == p:
            pair = edge_pair[edge.id]
            conn = f":out:{pair.label}"
            if not pair.forward:
                conn = f":out:{pair.label}:{edge.source}"
            if not pair.forward and all(n.id != conn for n in placed):
                source = next(n for n in placed if n.id == edge.source)
                placed.append(
                    _connector(
                        conn,
                        pair,
                        ConnectorRole.OUT,
                        source.lane,
                        source.row,
                        -1e6,
                        source.cy,
                        (conn_w, conn_h),
                        beside=edge.source,
                    )
                )
            edges.append(PageEdge(edge.id, edge.source, conn, edge.label, priority))
        priority += 1
    symbols, routes = route_page(rows, placed, edges, lanes, geometry)
    return Page(
        index=p,
        rows=tuple(rows),
        symbols=symbols,
        routes=routes,
        width=lane_w * lanes,
        height=y,
    )


def _connector(
    node_id: str,
    pair: _Pair,
    role: ConnectorRole,
    lane: int,
    row: int,
    cx: float,
    cy: float,
    size: tuple[float, float],
    beside: str = "",
) -> PlacedNode:
    """An off-page connector of ``pair`` (labelled with the pair's letter, pointing at its
    target); one ``beside`` a node keeps the lane of the pair's other half as its wish."""
    return PlacedNode(
        id=node_id,
        shape=Shape.CONNECTOR,
        lane=lane,
        row=row,
        cx=cx,
        cy=cy,
        width=size[0],
        height=size[1],
        node=pair.target,
        label=pair.label,
        lines=(pair.label,),
        role=role,
        beside=beside,
        prefer=pair.lane if beside else -1,
    )


def _free_lane(prefer: int, used: set[int], lanes: int) -> int:
    """The free lane nearest ``prefer`` (right before left); ``prefer`` if all are taken."""
    for distance in range(lanes):
        for lane in (prefer + distance, prefer - distance):
            if 0 <= lane < lanes and lane not in used:
                used.add(lane)
                return lane
    return prefer
