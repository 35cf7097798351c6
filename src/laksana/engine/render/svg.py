"""The flowchart table of a procedure as one standalone SVG document.

The whole table (No, Kegiatan, the swimlanes with the flowchart, Kelengkapan, Waktu, Output,
Keterangan) on one tall page, under the title caption, with the texts wrapped into lines by
the same measure the layout uses, so nothing spills out of its cell. Useful where a picture is
wanted rather than a printable document: a web page, a slide, a wiki.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from laksana.engine.render.layout import (
    BORDER,
    CAPTION_SIZE,
    FONT_SIZE,
    LINE_HEIGHT,
    LIST_INDENT,
    PAD_X,
    PAD_Y,
    HeaderCell,
    SopLayout,
    sop_layout,
    split_row,
    text_width_of,
)
from laksana.engine.render.model import RowBox, RowKind
from laksana.engine.render.svgdraw import FONT_STACK, draw_page
from laksana.engine.render.textmetrics import wrap_text
from laksana.engine.spec import ProcedureSpec


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _is_step(row: RowBox) -> bool:
    return row.kind is RowKind.STEP


def render_svg(spec: ProcedureSpec) -> str:
    """A standalone SVG document of the whole flowchart table of ``spec`` (one tall page)."""
    layout = sop_layout(spec, paged=False)
    return _Drawing(layout).render()


class _Drawing:
    """Collects the SVG elements of the table, its texts and the flowchart."""

    def __init__(self, layout: SopLayout) -> None:
        self.layout = layout
        self.parts: list[str] = []
        widths = layout.columns.widths()
        self.edges = [BORDER]
        for w in widths:
            self.edges.append(self.edges[-1] + w)

    def render(self) -> str:
        layout = self.layout
        columns = layout.columns
        page = layout.flow.pages[0]
        first, second = layout.header_heights
        width = self.edges[-1]
        table_top = layout.caption_height
        body_top = table_top + BORDER + first + second
        height = body_top + page.height

        for i, line in enumerate(layout.caption):
            y = (i + 1) * CAPTION_SIZE * LINE_HEIGHT - CAPTION_SIZE * 0.3
            self._text(width / 2, y, line, CAPTION_SIZE, anchor="middle", bold=True)

        self._rules(table_top, body_top, height)
        lanes = columns.lanes
        lane_first, lane_last = 2, 2 + lanes  # column indexes of the lanes
        header_top = table_top + BORDER
        self._header(layout.headers["number"], 0, 1, header_top, first + second)
        self._header(layout.headers["activity"], 1, 2, header_top, first + second)
        self._header(layout.headers["lanes"], lane_first, lane_last, header_top, first)
        self._header(layout.headers["mutu"], lane_last, lane_last + 3, header_top, first)
        self._header(
            layout.headers["note"], lane_last + 3, lane_last + 4, header_top, first + second
        )
        for k, cell in enumerate(layout.actor_headers):
            self._header(cell, lane_first + k, lane_first + k + 1, header_top + first, second)
        for k, key in enumerate(("requirements", "time", "output")):
            column = lane_last + k
            self._header(layout.headers[key], column, column + 1, header_top + first, second)

        for index, row in enumerate(page.rows):
            if row.kind is not RowKind.STEP:
                continue
            step_cells = layout.cells[row.node]
            top = body_top + row.top
            joined = index > 0 and step_cells.continues and _is_step(page.rows[index - 1])
            heights = split_row(step_cells, columns, row.height)
            for k, (cells, height) in enumerate(zip(step_cells.parts(), heights, strict=True)):
                if not (k == 0 and joined):  # a source row's No stands once
                    self._cell([cells.number], 0, top, centre=True)
                kegiatan = [cells.activity] + ([cells.question] if cells.question else [])
                self._cell(kegiatan, 1, top, italic_from=1 if cells.question else None)
                self._cell(cells.requirements, lane_last, top, numbered=cells.requirements_is_list)
                self._cell([cells.time] if cells.time else [], lane_last + 1, top, centre=True)
                self._cell(cells.output, lane_last + 2, top, numbered=cells.output_is_list)
                self._cell([cells.note] if cells.note else [], lane_last + 3, top)
                top += height

        flowchart = draw_page(page, lanes=lanes, lane_width=columns.lane)
        self.parts.append(
            f'<g class="flowchart" transform="translate({_n(self.edges[lane_first])},'
            f'{_n(body_top)})">{flowchart}</g>'
        )
        title = escape(f"SOP {layout.spec.identity.number} {layout.spec.identity.title}")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}pt" '
            f'height="{_n(height)}pt" viewBox="0 0 {_n(width)} {_n(height)}">\n'
            f"<title>{title}</title>\n"
            f'<rect width="{_n(width)}" height="{_n(height)}" fill="#fff"/>\n'
            f'<g font-family="{FONT_STACK}" fill="#000">{"".join(self.parts)}</g>\n'
            "</svg>\n"
        )

    def _rules(self, table_top: float, body_top: float, bottom: float) -> None:
        layout = self.layout
        lanes = layout.columns.lanes
        lane_first, lane_last = 2, 2 + lanes
        half = BORDER / 2
        first = layout.header_heights[0]
        lines: list[tuple[float, float, float, float]] = []
        x_left, x_right = half, self.edges[-1] - half
        lines.append((x_left, table_top + half, x_right, table_top + half))
        lines.append((x_left, table_top, x_left, bottom))
        row_two = table_top + BORDER + first  # top of the second header row
        for k in range(1, len(self.edges)):
            x = self.edges[k] - half
            if lane_first < k < lane_last:  # between two lanes: the flowchart rules the body
                lines.append((x, row_two, x, body_top))
            elif k == lane_last:
                lines.append((x, table_top, x, body_top))
            elif lane_last < k < lane_last + 3:  # between the Mutu Baku columns
                lines.append((x, row_two, x, bottom))
            else:
                lines.append((x, table_top, x, bottom))
        y_mid = table_top + BORDER + first - half
        lines.append((self.edges[lane_first], y_mid, self.edges[lane_last + 3] - half, y_mid))
        lines.append((x_left, body_top - half, x_right, body_top - half))
        page = layout.flow.pages[0]
        for index, row in enumerate(page.rows):
            y = body_top + row.bottom - half
            below = page.rows[index + 1] if index + 1 < len(page.rows) else None
            # The No column is not ruled between the steps of one source row.
            joined = (
                below is not None
                and _is_step(row)
                and _is_step(below)
                and layout.cells[below.node].continues
            )
            lines.append((self.edges[1] if joined else x_left, y, self.edges[lane_first], y))
            lines.append((self.edges[lane_last], y, x_right, y))
            if _is_step(row):  # the further source rows a step carries out
                top = body_top + row.top
                for height in split_row(layout.cells[row.node], layout.columns, row.height)[:-1]:
                    top += height
                    lines.append((x_left, top - half, self.edges[lane_first], top - half))
                    lines.append((self.edges[lane_last], top - half, x_right, top - half))
        self.parts.append(f'<g stroke="#000" stroke-width="{_n(BORDER)}">')
        self.parts.extend(
            f'<line x1="{_n(a)}" y1="{_n(b)}" x2="{_n(c)}" y2="{_n(d)}"/>' for a, b, c, d in lines
        )
        self.parts.append("</g>")

    def _header(self, cell: HeaderCell, start: int, stop: int, top: float, height: float) -> None:
        centre = (self.edges[start] + self.edges[stop] - BORDER) / 2
        step = cell.size * LINE_HEIGHT
        lines = cell.lines
        block = step * len(lines)
        first = top + (height - BORDER - block) / 2 + step - cell.size * 0.3
        for i, line in enumerate(lines):
            self._text(centre, first + i * step, line, cell.size, anchor="middle", bold=True)

    def _cell(
        self,
        texts: Sequence[str],
        column: int,
        top: float,
        *,
        centre: bool = False,
        numbered: bool = False,
        italic_from: int | None = None,
    ) -> None:
        left = self.edges[column] + PAD_X
        width = self.edges[column + 1] - self.edges[column]
        inner = text_width_of(width) - (LIST_INDENT if numbered else 0.0)
        step = FONT_SIZE * LINE_HEIGHT
        y = top + PAD_Y + step - FONT_SIZE * 0.3
        for index, text in enumerate(texts):
            italic = italic_from is not None and index >= italic_from
            for j, line in enumerate(wrap_text(text, inner, FONT_SIZE, hyphenate=True)):
                if numbered and j == 0:
                    self._text(left, y, f"{index + 1}.", FONT_SIZE)
                x = left + (LIST_INDENT if numbered else 0.0)
                if centre:
                    self._text(left + text_width_of(width) / 2, y, line, FONT_SIZE, anchor="middle")
                else:
                    self._text(x, y, line, FONT_SIZE, italic=italic)
                y += step

    def _text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        anchor: str = "start",
        bold: bool = False,
        italic: bool = False,
    ) -> None:
        style = ""
        if bold:
            style += ' font-weight="bold"'
        if italic:
            style += ' font-style="italic"'
        if anchor != "start":
            style += f' text-anchor="{anchor}"'
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{style}>{escape(text)}</text>'
        )
