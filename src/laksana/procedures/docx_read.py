"""Read the tables of a Word (.docx) document as a grid of cells, each with its text and the
flowchart symbols drawn or typed in it.

A table is read from its XML, not through python-docx's row.cells: a cell merged across
columns (``w:gridSpan``) is one :class:`Cell` covering several grid columns, and a cell that
continues a vertical merge (``w:vMerge`` without ``restart``) is marked ``continued`` with no
content, so merged cells are read once. A cell's text leaves out the text inside shapes (text
boxes), which belongs to the shape, and the fallback copies of ``mc:AlternateContent``.

A symbol is a drawing anchored in the cell (DrawingML ``w:drawing`` holding a ``wps:wsp``
shape, or VML ``w:pict`` holding ``v:shape``, ``v:rect``, ``v:oval`` or ``v:roundrect``), or a
mark typed as the cell's whole text (see :data:`MARKS`). Lines and connectors are not symbols.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, BinaryIO

from docx.document import Document
from lxml import etree

from laksana.engine.messages import Msg

# A Word document's package: at most this many members, and this many bytes once unpacked
# (as its directory declares them; the zip reader never unpacks more than declared). A
# document over either is refused before anything is unpacked (a "zip bomb").
MAX_MEMBERS = 1000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
W = "{" + NS["w"] + "}"
A = "{" + NS["a"] + "}"
WPS = "{" + NS["wps"] + "}"
V = "{" + NS["v"] + "}"

# Marks typed in a Pelaksana cell to say "this actor does the row".
MARKS = frozenset({"✓", "✔", "√", "v", "V", "x", "X", "☑", "✗", "✘"})


class Shape(StrEnum):
    """What a flowchart symbol is."""

    PROCESS = "process"
    DECISION = "decision"
    TERMINATOR = "terminator"
    CONNECTOR = "connector"
    MARK = "mark"


_DECISION_PRST = {"flowchartdecision", "diamond"}
_TERMINATOR_PRST = {"flowchartterminator", "ellipse", "flowchartalternateprocess", "roundrect"}
_CONNECTOR_PRST = {"flowchartconnector", "flowchartoffpageconnector"}
_LINE_PRST = {
    "line",
    "straightconnector1",
    "bentconnector2",
    "bentconnector3",
    "curvedconnector3",
    "rightarrow",
    "leftarrow",
    "downarrow",
    "uparrow",
}
# VML shape types (the o:spt numbers of #_x0000_tNNN).
_VML_DECISION = {"_x0000_t110", "_x0000_t4"}
_VML_TERMINATOR = {"_x0000_t116", "_x0000_t176"}
_VML_CONNECTOR = {"_x0000_t120", "_x0000_t177"}
_VML_LINES = {"_x0000_t32", "_x0000_t33", "_x0000_t34", "_x0000_t38"}


@dataclass
class Cell:
    """One cell of a table row: its grid columns ``col`` .. ``col + span - 1``."""

    col: int
    span: int
    paragraphs: list[str]
    symbols: list[Shape] = field(default_factory=list)
    continued: bool = False  # continues a vertical merge: read in the cell above

    @property
    def text(self) -> str:
        return " ".join(p for p in self.paragraphs if p).strip()

    def covers(self, col: int) -> bool:
        return self.col <= col < self.col + self.span


@dataclass
class Table:
    """A table as rows of cells; ``columns`` is the number of grid columns."""

    rows: list[list[Cell]]
    columns: int

    def cell(self, row: int, col: int) -> Cell | None:
        for cell in self.rows[row]:
            if cell.covers(col):
                return cell
        return None


def _attr(el: Any, name: str) -> str | None:
    value = el.get(W + name)
    return None if value is None else str(value)


def paragraph_text(p: Any) -> str:
    """A paragraph's text without the text of shapes drawn in it."""
    parts: list[str] = []
    for node in p.iter(W + "t", W + "tab", W + "br"):
        if _inside(node, ("txbxContent", "Fallback")):
            continue
        if node.tag == W + "t":
            parts.append(node.text or "")
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _inside(node: Any, local_names: tuple[str, ...]) -> bool:
    parent = node.getparent()
    while parent is not None:
        tag = parent.tag
        if isinstance(tag, str) and tag.rsplit("}", 1)[-1] in local_names:
            return True
        parent = parent.getparent()
    return False


def _drawingml_shape(wsp: Any) -> Shape | None:
    geoms = [g.get("prst") or "" for g in wsp.iter(A + "prstGeom")]
    prst = geoms[0].lower() if geoms else ""
    if prst in _LINE_PRST or ("connector" in prst and prst not in _CONNECTOR_PRST):
        return None
    if prst in _DECISION_PRST:
        return Shape.DECISION
    if prst in _TERMINATOR_PRST:
        return Shape.TERMINATOR
    if prst in _CONNECTOR_PRST:
        return Shape.CONNECTOR
    if wsp.find(WPS + "cNvCnPr") is not None:  # a connector shape
        return None
    return Shape.PROCESS


def _vml_shape(el: Any) -> Shape | None:
    local = el.tag.rsplit("}", 1)[-1]
    if local in ("line", "polyline", "arc", "curve", "shapetype", "group"):
        return None
    if local == "oval":
        return Shape.TERMINATOR
    if local == "roundrect":
        return Shape.TERMINATOR
    if local == "rect":
        return Shape.PROCESS
    kind = (el.get("type") or "").lstrip("#").lower()
    if "diamond" in kind or kind in _VML_DECISION:
        return Shape.DECISION
    if kind in _VML_TERMINATOR:
        return Shape.TERMINATOR
    if kind in _VML_CONNECTOR:
        return Shape.CONNECTOR
    if kind in _VML_LINES or (el.get("path") and not kind):
        return None
    return Shape.PROCESS


def cell_symbols(tc: Any) -> list[Shape]:
    """The flowchart symbols drawn in a cell (``w:tc``), in document order."""
    out: list[Shape] = []
    for node in tc.iter(W + "drawing", W + "pict"):
        if _inside(node, ("Fallback", "txbxContent")):
            continue
        if node.tag == W + "drawing":
            for wsp in node.iter(WPS + "wsp"):
                shape = _drawingml_shape(wsp)
                if shape is not None:
                    out.append(shape)
        else:
            for el in node.iter(V + "*"):
                parent = el.getparent().tag
                if parent != W + "pict" and not str(parent).endswith("}group"):
                    continue  # a part of a shape (fill, stroke, text box), not a shape
                shape = _vml_shape(el)
                if shape is not None:
                    out.append(shape)
    return out


def read_table(tbl: Any) -> Table:
    """A ``w:tbl`` element as a :class:`Table`."""
    rows: list[list[Cell]] = []
    columns = 0
    for tr in tbl.iterchildren(W + "tr"):
        col = 0
        before = tr.find(f"{W}trPr/{W}gridBefore")
        if before is not None:
            col = int(_attr(before, "val") or 0)
        row: list[Cell] = []
        for tc in tr.iterchildren(W + "tc"):
            span = 1
            tcpr = tc.find(W + "tcPr")
            continued = False
            if tcpr is not None:
                grid = tcpr.find(W + "gridSpan")
                if grid is not None:
                    span = max(1, int(_attr(grid, "val") or 1))
                vmerge = tcpr.find(W + "vMerge")
                if vmerge is not None and (_attr(vmerge, "val") or "continue") == "continue":
                    continued = True
            if continued:
                cell = Cell(col, span, [], continued=True)
            else:
                paragraphs = [paragraph_text(p) for p in tc.iterchildren(W + "p")]
                symbols = cell_symbols(tc)
                if paragraphs and " ".join(paragraphs).strip() in MARKS:
                    symbols.append(Shape.MARK)
                cell = Cell(col, span, paragraphs, symbols)
            row.append(cell)
            col += span
        columns = max(columns, col)
        rows.append(row)
    return Table(rows, columns)


def tables(document: Document) -> Iterator[Table]:
    """Every table of the document body, in order (tables inside cells are not read)."""
    body = document.element.body
    for tbl in body.iterchildren(W + "tbl"):
        yield read_table(tbl)


def body_paragraphs(document: Document) -> list[str]:
    """The texts of the paragraphs of the body outside tables."""
    return [
        t for t in (paragraph_text(p) for p in document.element.body.iterchildren(W + "p")) if t
    ]


def open_document(stream: BinaryIO, name: str) -> Document:
    """The Word document in ``stream``, once its package is checked: a zip archive of at most
    :data:`MAX_MEMBERS` members and :data:`MAX_UNPACKED_BYTES` unpacked, holding a Word main
    document. Raises :class:`~laksana.procedures.docx_import.ImportRefused` with the reason."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from laksana.procedures.docx_confirm import ImportRefused

    try:
        with zipfile.ZipFile(stream) as package:
            members = package.infolist()
            if len(members) > MAX_MEMBERS:
                raise ImportRefused(
                    Msg(
                        "%(name)s: the document's package has %(count)s parts, more than a "
                        "Word document has (at most %(limit)s); it is not imported",
                        name=name,
                        count=len(members),
                        limit=MAX_MEMBERS,
                    )
                )
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImportRefused(
                    Msg(
                        "%(name)s: the document unpacks to %(size)s MB, more than %(limit)s MB; "
                        "it is not imported",
                        name=name,
                        size=unpacked // (1024 * 1024),
                        limit=MAX_UNPACKED_BYTES // (1024 * 1024),
                    )
                )
            if "word/document.xml" not in package.namelist():
                raise ImportRefused(
                    Msg("%(name)s: not a Word .docx file (it has no Word document)", name=name)
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ImportRefused(
            Msg("%(name)s: not a Word .docx file (%(reason)s)", name=name, reason=str(exc))
        ) from None
    stream.seek(0)
    try:
        return docx.Document(stream)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise ImportRefused(
            Msg("%(name)s: not a Word .docx file (%(reason)s)", name=name, reason=str(exc))
        ) from None
    except (etree.LxmlError, SyntaxError) as exc:  # a part whose XML does not parse
        raise ImportRefused(
            Msg("%(name)s: the Word document is damaged (%(reason)s)", name=name, reason=str(exc))
        ) from None


def source_rows(table: Table, actor_cols: set[int]) -> list[dict[str, Any]]:
    """The table as plain data for a screen: one dict per row, ``row`` (1-based) and
    ``cells``, each ``{"text", "span", "symbol"}`` where ``symbol`` is the symbol drawn in a
    Pelaksana column (``process``, ``decision``, ``terminator``, ``connector``, ``mark``) or
    "", and a cell continuing a vertical merge has ``continued``."""
    out: list[dict[str, Any]] = []
    for r, row in enumerate(table.rows):
        cells: list[dict[str, Any]] = []
        for cell in row:
            symbol = ""
            if cell.symbols and any(cell.covers(c) for c in actor_cols):
                symbol = str(cell.symbols[0])
            cells.append(
                {
                    "text": "" if symbol == Shape.MARK else cell.text[:2000],
                    "span": cell.span,
                    "symbol": symbol,
                    "continued": cell.continued,
                }
            )
        out.append({"row": r + 1, "cells": cells})
    return out
