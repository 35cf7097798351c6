"""The layout of a procedure's SOP AP document: columns, headers, cells and row heights.

The flowchart table has one row per step (in the order of the SOP table), a small row for the
start terminator and one per end terminator, and one swimlane per actor (in spec order). For
the printed document the height of every row is estimated from the texts of its Kegiatan /
Kelengkapan / Output / Keterangan cells (an overestimate, so that the renderer never has to
grow a row), and the rows are cut into A4 landscape pages. Lane headers keep a readable size
and wrap, hyphenated, over more lines; an end too long for a capsule prints the rest of its
label under it.

:func:`sop_layout` computes the document layout; the flowchart's graph, pages and off-page
connectors are placed by :mod:`.flowgraph` (also used with BPMN sizes by :mod:`.bpmn`), its
edges routed by :mod:`.routing`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from laksana.engine import stepactors
from laksana.engine.render.flowgraph import (
    CONNECTOR_SIZE,
    TERMINATOR_SIZE,
    build_graph,
    flow_layout,
)

# Named from here too by callers of the document layout.
from laksana.engine.render.flowgraph import START as START
from laksana.engine.render.flowgraph import connector_label as connector_label
from laksana.engine.render.geometry import Geometry
from laksana.engine.render.markers import with_markers
from laksana.engine.render.model import FlowLayout, Shape
from laksana.engine.render.textmetrics import fit_size, wrap_text
from laksana.engine.sourcerows import continues_row, printed_cell
from laksana.engine.spec import ProcedureSpec, Step

# -- the page and the typography of the document (points) ---------------------------------

PAGE_WIDTH = 841.89  # A4 landscape
PAGE_HEIGHT = 595.28
PAGE_MARGIN = 28.35  # 10 mm on every side
CONTENT_WIDTH = PAGE_WIDTH - 2 * PAGE_MARGIN
CONTENT_HEIGHT = PAGE_HEIGHT - 2 * PAGE_MARGIN
TABLE_WIDTH = 782.0  # the flowchart table, leaving room for its outer border

FONT_SIZE = 7.0  # table text
HEADER_SIZE = 7.0  # table headers (bold)
HEADER_MIN_SIZE = 5.0  # narrow column headers shrink down to this, then hyphenate
ACTOR_SIZE = 6.5  # the actor (Pelaksana) headers, all one size
MIN_ACTOR_SIZE = 6.5  # never smaller: a long name wraps over more lines, hyphenated
CAPTION_SIZE = 8.0  # the title line above each table (bold)
LINE_HEIGHT = 1.25  # as a multiple of the font size; the CSS uses the same
PAD_X = 3.0  # cell padding, left and right
PAD_Y = 2.5  # cell padding, top and bottom
BORDER = 0.75  # table rule width
LIST_INDENT = 10.0  # indentation of numbered lists in a cell
CAPTION_GAP = 4.0  # space between the caption and the table
SLACK = 2.0  # added to every estimated text height
PAGE_SAFETY = 8.0  # height kept free at the bottom of every page

CAPSULE_RATIO = 1.6  # a terminator is at least this many times as wide as tall
SYMBOL_PAD = 9.0  # free space above and below a symbol in its row

NUMBER_WIDTH = 22.0
TIME_WIDTH = 46.0
MIN_LANE = 40.0
MAX_LANE = 72.0
MAX_SINGLE_LANE = 110.0  # one lane: room for a connector beside a symbol
# The narrowest a text column may get: its header fits, and a few words a line.
MIN_TEXT_COLUMNS = {"requirements": 60.0, "output": 56.0, "note": 52.0}


# -- cell contents --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepCells:
    """The texts of one step's row of the SOP table, as printed.

    ``requirements`` and ``output`` are either one text (``*_is_list`` false) or the names of
    the artifacts as a list. ``continues``: the step carries on the source row of the step
    before it (the No is printed once); ``also``: the further source rows the step carries
    out, each printed as a row of its own under the step's row.
    """

    number: str
    activity: str
    question: str  # a decision's question when it differs from the activity
    requirements: tuple[str, ...]
    requirements_is_list: bool
    time: str
    output: tuple[str, ...]
    output_is_list: bool
    note: str
    continues: bool = False
    also: tuple[StepCells, ...] = ()

    def kegiatan(self) -> str:
        """The Kegiatan cell as plain text (activity, then the question on its own line)."""
        return f"{self.activity}\n{self.question}" if self.question else self.activity

    def parts(self) -> tuple[StepCells, ...]:
        """The printed rows of the step: its own, then the further source rows."""
        return (self, *self.also)


def step_cells(spec: ProcedureSpec, step: Step) -> StepCells:
    """What the SOP table prints for ``step``."""
    requirements, req_list = printed_cell(spec, step.requirements_text, step.requires)
    output, out_list = printed_cell(spec, step.output_text, step.produces)
    question = ""
    if step.decision is not None and _norm(step.decision.question) != _norm(step.activity):
        question = step.decision.question
    return StepCells(
        number=step.number,
        activity=step.activity,
        question=question,
        requirements=requirements,
        requirements_is_list=req_list,
        time=step.time.text if step.time is not None else "",
        output=output,
        output_is_list=out_list,
        note=stepactors.note_text(spec, step),
        continues=continues_row(spec.steps, spec.steps.index(step)),
        also=tuple(
            StepCells(
                number=row.number,
                activity=row.activity,
                question="",
                requirements=(row.requirements_text,) if row.requirements_text else (),
                requirements_is_list=False,
                time=row.time,
                output=(row.output_text,) if row.output_text else (),
                output_is_list=False,
                note=row.note,
            )
            for row in step.also_rows
        ),
    )


def _norm(text: str) -> str:
    """Text reduced to its words, to tell whether a question only repeats the activity."""
    return " ".join("".join(c if c.isalnum() else " " for c in text).split()).casefold()


# -- columns --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Columns:
    """Widths (points, including padding and the right rule) of the flowchart table columns."""

    number: float
    activity: float
    lane: float  # every lane has the same width
    lanes: int
    requirements: float
    time: float
    output: float
    note: float

    @property
    def lanes_width(self) -> float:
        return self.lane * self.lanes

    @property
    def total(self) -> float:
        return (
            self.number
            + self.activity
            + self.lanes_width
            + self.requirements
            + self.time
            + self.output
            + self.note
        )

    @property
    def lanes_x(self) -> float:
        """Where the swimlanes start, from the left edge of the table."""
        return self.number + self.activity

    def widths(self) -> tuple[float, ...]:
        """Every column's width, left to right."""
        return (
            self.number,
            self.activity,
            *([self.lane] * self.lanes),
            self.requirements,
            self.time,
            self.output,
            self.note,
        )


def text_width_of(column: float) -> float:
    """The width available to text in a column of the given width."""
    return column - 2 * PAD_X - BORDER


def compute_columns(spec: ProcedureSpec, cells: Mapping[str, StepCells]) -> Columns:
    """Share the table width: fixed No and Waktu, lanes as wide as reasonable, text the rest.

    The text columns get shares weighted by how much text they hold, within bounds, so a
    procedure with long requirement lists gets a wider Kelengkapan column.
    """
    lanes = len(spec.actors)
    rest = TABLE_WIDTH - NUMBER_WIDTH - TIME_WIDTH
    widest = MAX_LANE if lanes > 1 else MAX_SINGLE_LANE
    lane = max(MIN_LANE, min(widest, 0.42 * rest / max(lanes, 1)))
    text = rest - lane * lanes

    def amount(get: Callable[[StepCells], str]) -> float:
        return float(sum(len(get(part)) for c in cells.values() for part in c.parts()))

    totals = {
        "activity": amount(lambda c: c.kegiatan()),
        "requirements": amount(lambda c: " ".join(c.requirements)),
        "output": amount(lambda c: " ".join(c.output)),
        "note": amount(lambda c: c.note),
    }
    base = {"activity": 0.40, "requirements": 0.25, "output": 0.21, "note": 0.14}
    low = {"activity": 0.30, "requirements": 0.15, "output": 0.13, "note": 0.08}
    high = {"activity": 0.48, "requirements": 0.36, "output": 0.30, "note": 0.20}
    grand = sum(totals.values()) or 1.0
    shares = {k: max(low[k], min(high[k], 0.5 * base[k] + 0.5 * totals[k] / grand)) for k in base}
    norm = sum(shares.values())
    widths = {k: round(text * v / norm, 2) for k, v in shares.items()}
    for key, minimum in MIN_TEXT_COLUMNS.items():
        widths[key] = max(widths[key], minimum)
    widths["activity"] = round(text - widths["requirements"] - widths["output"] - widths["note"], 2)
    return Columns(
        number=NUMBER_WIDTH,
        activity=widths["activity"],
        lane=round(lane, 2),
        lanes=lanes,
        requirements=widths["requirements"],
        time=TIME_WIDTH,
        output=widths["output"],
        note=widths["note"],
    )


# -- the document layout --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeaderCell:
    """A header cell's text, its font size (shrunk to fit narrow lanes) and wrapped lines."""

    text: str
    size: float
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SopLayout:
    """Everything the document renderers need: columns, headers, cells and the flowchart."""

    spec: ProcedureSpec
    columns: Columns
    flow: FlowLayout
    cells: Mapping[str, StepCells]
    caption: tuple[str, ...]  # the title lines printed above each page's table
    caption_height: float
    header_heights: tuple[float, float]
    headers: Mapping[str, HeaderCell]  # by column key: number, activity, lanes, mutu, ...
    actor_headers: tuple[HeaderCell, ...]


def _lines_height(lines: int, size: float) -> float:
    return lines * size * LINE_HEIGHT


def cell_height(texts: Sequence[str], width: float, *, is_list: bool = False) -> float:
    """The estimated height (with padding and rule) of a cell holding ``texts``.

    Enough for the renderer's own line breaking (a long word cut anywhere) and for the
    standalone SVG's (a long word hyphenated at a syllable), whichever takes more lines.
    """
    if not texts:
        return 0.0
    inner = text_width_of(width) - (LIST_INDENT if is_list else 0.0)
    lines = sum(
        max(
            1,
            len(wrap_text(t, inner, FONT_SIZE)),
            len(wrap_text(t, inner, FONT_SIZE, hyphenate=True)),
        )
        for t in texts
    )
    return _lines_height(lines, FONT_SIZE) + 2 * PAD_Y + BORDER + SLACK


def part_heights(c: StepCells, columns: Columns) -> tuple[float, ...]:
    """The heights the texts of a step's printed rows need (its own, then ``also``)."""
    return tuple(
        max(
            cell_height([p.number], columns.number),
            cell_height([p.activity, p.question] if p.question else [p.activity], columns.activity),
            cell_height(p.requirements, columns.requirements, is_list=p.requirements_is_list),
            cell_height([p.time] if p.time else [], columns.time),
            cell_height(p.output, columns.output, is_list=p.output_is_list),
            cell_height([p.note] if p.note else [], columns.note),
        )
        for p in c.parts()
    )


def split_row(c: StepCells, columns: Columns, height: float) -> tuple[float, ...]:
    """The heights of a step's printed rows in a table row ``height`` tall: the further
    source rows take what their texts need, the step's own row (beside its symbol) the rest."""
    rest = [round(h, 2) for h in part_heights(c, columns)[1:]]
    return (round(height - sum(rest), 2), *rest)


def _header(text: str, width: float, size: float | None = None) -> HeaderCell:
    """A header cell; without ``size`` the font shrinks (to a floor) until every word fits."""
    inner = text_width_of(width)
    if size is None:
        size = fit_size(text, inner, HEADER_SIZE, minimum=HEADER_MIN_SIZE, bold=True)
    return HeaderCell(text, size, tuple(wrap_text(text, inner, size, bold=True, hyphenate=True)))


def _header_height(cells: Sequence[HeaderCell]) -> float:
    tallest = max(_lines_height(len(c.lines), c.size) for c in cells)
    return round(tallest + 2 * PAD_Y + BORDER + SLACK, 2)


def sop_geometry(lane: float) -> tuple[Geometry, Mapping[Shape, tuple[float, float]]]:
    """Routing geometry and symbol sizes (width, height) for lanes ``lane`` points wide."""
    gutter = max(7.5, round(lane * 0.18, 2))
    inner = lane - 2 * gutter
    sizes = {
        Shape.PROCESS: (min(inner, 64.0), 18.0),
        Shape.DECISION: (min(inner, 44.0), 26.0),
        # Wide enough for "Selesai" even in a narrow lane, where it may reach into the gutters.
        Shape.TERMINATOR: (min(max(inner, min(lane - 4.0, 36.0)), 64.0), 14.0),
        Shape.CONNECTOR: (min(inner, CONNECTOR_SIZE), CONNECTOR_SIZE),
    }
    return Geometry(lane_width=lane, gutter=gutter), MappingProxyType(sizes)


def sop_layout(spec: ProcedureSpec, *, paged: bool = True) -> SopLayout:
    """Lay out the flowchart table of ``spec`` for the SOP AP document.

    With ``paged`` the rows are cut into A4 landscape pages (the identity block has a page of
    its own before them); without, everything is one tall page (for the standalone SVG).
    """
    cells = MappingProxyType({s.id: step_cells(spec, s) for s in spec.steps})
    spec = stepactors.drawn(spec)  # an actor named only in copies has no lane
    columns = compute_columns(spec, cells)
    geometry, sizes = sop_geometry(columns.lane)

    caption = _caption(spec)
    caption_height = round(_lines_height(len(caption), CAPTION_SIZE) + CAPTION_GAP, 2)
    headers = {
        "number": _header("NO", columns.number),
        "activity": _header("KEGIATAN", columns.activity),
        "lanes": _header("PELAKSANA", columns.lanes_width, HEADER_SIZE),
        "mutu": _header(
            "MUTU BAKU", columns.requirements + columns.time + columns.output, HEADER_SIZE
        ),
        "note": _header("KETERANGAN", columns.note),
        "requirements": _header("KELENGKAPAN", columns.requirements),
        "time": _header("WAKTU", columns.time),
        "output": _header("OUTPUT", columns.output),
    }
    lane_inner = text_width_of(columns.lane)
    actor_size = min(
        (
            fit_size(a.name, lane_inner, ACTOR_SIZE, minimum=MIN_ACTOR_SIZE, bold=True)
            for a in spec.actors
        ),
        default=ACTOR_SIZE,
    )
    actor_headers = tuple(_header(a.name, columns.lane, actor_size) for a in spec.actors)
    first = _header_height([headers["lanes"], headers["mutu"]])
    second = _header_height(
        [*actor_headers, headers["requirements"], headers["time"], headers["output"]]
    )
    # No, Kegiatan and Keterangan span both header rows; make sure they fit there.
    spanning = _header_height([headers["number"], headers["activity"], headers["note"]])
    second = max(second, round(spanning - first, 2))

    graph = build_graph(spec, split_decisions=False)
    heights: dict[str, float] = {}
    labels: dict[str, tuple[str, ...]] = {}
    captions: dict[str, tuple[str, ...]] = {}
    term_w = sizes[Shape.TERMINATOR][0]
    for node in graph.nodes:
        if node.shape is Shape.TERMINATOR:
            lines, under = terminator_text(node.label, term_w, columns.lane)
            labels[node.id], captions[node.id] = lines, under
            symbol_h = max(sizes[Shape.TERMINATOR][1], len(lines) * TERMINATOR_SIZE * 1.2 + 6)
            caption_h = len(under) * TERMINATOR_SIZE * 1.2
            heights[node.id] = round(symbol_h + caption_h + 2 * 7.0, 2)
            continue
        text = sum(part_heights(cells[node.node], columns))
        symbol = sizes[node.shape][1] + 2 * SYMBOL_PAD
        heights[node.id] = round(max(text, symbol), 2)

    budget: float | None = None
    if paged:
        budget = CONTENT_HEIGHT - caption_height - first - second - BORDER - PAGE_SAFETY
    flow = flow_layout(
        graph,
        lanes=tuple(a.id for a in spec.actors),
        heights=heights,
        sizes=sizes,
        geometry=geometry,
        budget=budget,
        terminator_lines=labels,
        terminator_captions=captions,
    )
    return SopLayout(
        spec=spec,
        columns=columns,
        flow=with_markers(flow, spec),
        cells=cells,
        caption=caption,
        caption_height=caption_height,
        header_heights=(first, second),
        headers=MappingProxyType(headers),
        actor_headers=actor_headers,
    )


def terminator_text(
    label: str, width: float, lane: float
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The lines inside a terminator ``width`` wide, and those printed under it.

    A terminator stays a capsule, clearly wider than tall, so as not to be taken for a
    connector: a label too long for that keeps its first lines inside and the rest goes
    under the capsule, wrapped to the lane.
    """
    lines = tuple(wrap_text(label, width - 6.0, TERMINATOR_SIZE)) or ("",)
    most = max(1, math.floor((width / CAPSULE_RATIO - 6.0) / (TERMINATOR_SIZE * 1.2)))
    if len(lines) <= most:
        return lines, ()
    words = label.split()
    inside = " ".join(lines[:most]).split()
    rest = " ".join(words[len(inside) :])
    return lines[:most], tuple(wrap_text(rest, lane - 4.0, TERMINATOR_SIZE, hyphenate=True))


def _caption(spec: ProcedureSpec) -> tuple[str, ...]:
    lines = wrap_text(
        f"STANDAR OPERASIONAL PROSEDUR (SOP) {spec.identity.title.upper()}",
        TABLE_WIDTH,
        CAPTION_SIZE,
        bold=True,
    )
    if spec.identity.unit:
        lines += wrap_text(spec.identity.unit.upper(), TABLE_WIDTH, CAPTION_SIZE, bold=True)
    return tuple(lines)
