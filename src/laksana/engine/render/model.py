"""The geometry of a laid-out flowchart: symbols, routed edges, rows and pages.

These are plain values produced by :mod:`.layout` and :mod:`.routing` and consumed by the
drawing modules (:mod:`.svgdraw`, :mod:`.html`, :mod:`.svg`, :mod:`.bpmn`). Coordinates are in
points for the SOP document (x across the swimlanes, y down the rows of one page, both from the
top-left corner of the page's flowchart area); BPMN uses the same model with its own sizes.
The agency's :class:`Logo`, printed in the document's identity block, is one too.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Shape(StrEnum):
    """The five symbols allowed in an SOP AP flowchart (the arrow is a :class:`Route`)."""

    TERMINATOR = "terminator"  # start or end, a capsule
    PROCESS = "process"  # an activity, a rectangle
    DECISION = "decision"  # a diamond
    CONNECTOR = "connector"  # an off-page connector, a pentagon pointing down


class Side(StrEnum):
    """A side of a symbol where an edge leaves or arrives."""

    TOP = "top"
    BOTTOM = "bottom"
    LEFT = "left"
    RIGHT = "right"


class ConnectorRole(StrEnum):
    """Whether an off-page connector ends an edge on its page or starts it."""

    OUT = "out"  # the edge leaves this page here
    IN = "in"  # the edge continues here from another page


class RowKind(StrEnum):
    """What one row of the flowchart table holds."""

    START = "start"
    STEP = "step"
    END = "end"
    CONNECTORS_IN = "connectors_in"  # top of a page: connectors of edges from earlier pages
    CONNECTORS_OUT = "connectors_out"  # bottom of a page: connectors of edges to later pages


@dataclass(frozen=True, slots=True)
class Point:
    """A point of a drawing."""

    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Symbol:
    """One placed symbol. ``node`` is the flowchart node it draws (step id, end id, ``start``)
    or, for a connector, the node the connector stands for on the other page."""

    id: str
    shape: Shape
    cx: float
    cy: float
    width: float
    height: float
    node: str = ""
    label: str = ""  # text inside: a terminator's label or a connector's letter
    lines: tuple[str, ...] = ()  # ``label`` wrapped to the symbol's width
    role: ConnectorRole | None = None
    lane: int = 0
    caption: tuple[str, ...] = ()  # the rest of a terminator's long label, printed under it

    @property
    def left(self) -> float:
        return self.cx - self.width / 2

    @property
    def right(self) -> float:
        return self.cx + self.width / 2

    @property
    def top(self) -> float:
        return self.cy - self.height / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.height / 2


@dataclass(frozen=True, slots=True)
class Route:
    """One drawn edge: an orthogonal polyline ending in an arrowhead at its last point.

    ``label`` is the outcome label of a decision edge (Ya / Tidak), drawn in ``label_lines``
    from ``label_at`` with the given text anchor (``start``, ``middle`` or ``end``).
    """

    id: str
    source: str  # symbol id
    target: str  # symbol id
    points: tuple[Point, ...]
    label: str = ""
    label_at: Point | None = None  # the baseline of the label's first line
    label_anchor: str = "start"
    label_lines: tuple[str, ...] = ()  # the label wrapped, when it is long


@dataclass(frozen=True, slots=True)
class RowBox:
    """One row of a page: its kind, the step or end it shows, and where it is."""

    kind: RowKind
    node: str  # step id, end id, the start (``layout.START``), or "" for a connector row
    top: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True, slots=True)
class Marker:
    """A step's mark in the lane of another actor of it (``kind`` ``joint``: done together;
    ``any_of``: any one of them may do it): the step's shape, smaller, outlined dashed or dotted,
    joined by a dashed line from ``link_x`` on the step's symbol."""

    node: str  # the step id
    actor: str
    kind: str
    shape: Shape
    cx: float
    cy: float
    width: float
    height: float
    link_x: float
    word: str = ""  # printed inside: "bersama" or "atau"


@dataclass(frozen=True, slots=True)
class Page:
    """The rows, symbols and routes of one page of the flowchart."""

    index: int
    rows: tuple[RowBox, ...]
    symbols: tuple[Symbol, ...]
    routes: tuple[Route, ...]
    width: float
    height: float
    markers: tuple[Marker, ...] = ()  # joint and any-of steps' marks in other lanes

    def connectors(self) -> tuple[Symbol, ...]:
        """The off-page connectors drawn on this page."""
        return tuple(s for s in self.symbols if s.shape is Shape.CONNECTOR)


@dataclass(frozen=True, slots=True)
class ConnectorPair:
    """Edges continued across pages: the connector ``label`` ends them where they start and
    begins them again beside or above their target.

    Edges forward share a letter per page they leave (one outgoing connector at the bottom of
    that page); edges back to an earlier page share a letter per target (an outgoing connector
    beside each source). ``source_pages`` runs parallel to ``sources``.
    """

    label: str
    sources: tuple[str, ...]  # flowchart nodes whose edges end in an outgoing connector
    source_pages: tuple[int, ...]
    target: str  # the flowchart node the incoming connector leads to
    target_page: int

    @property
    def forward(self) -> bool:
        return all(page < self.target_page for page in self.source_pages)


@dataclass(frozen=True, slots=True)
class FlowLayout:
    """A whole laid-out flowchart: swimlanes (actor ids, in order) and pages."""

    lanes: tuple[str, ...]
    lane_width: float
    pages: tuple[Page, ...]
    connectors: tuple[ConnectorPair, ...]

    @property
    def width(self) -> float:
        return self.lane_width * len(self.lanes)


MAX_LOGO_BYTES = 512 * 1024  # a letterhead logo larger than this is not printed
_LOGO_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True, slots=True)
class Logo:
    """An agency's logo, printed in the identity block's logo cell. It is embedded in the
    document as data (a ``data:`` URI), so rendering it fetches nothing."""

    mime: str
    data: bytes

    @classmethod
    def of(cls, data: bytes) -> Logo | None:
        """The logo in ``data``: a PNG or JPEG image of at most :data:`MAX_LOGO_BYTES`
        (anything else gives ``None``: no logo is printed)."""
        if len(data) > MAX_LOGO_BYTES:
            return None
        for magic, mime in _LOGO_MAGIC:
            if data.startswith(magic):
                return cls(mime, data)
        return None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"
