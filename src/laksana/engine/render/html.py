"""The official SOP AP document (PermenPANRB No. 35/2012) as HTML, ready for print.

The document has the identity block on its own first page, then the flowchart table, one
table per A4 landscape page: No | Kegiatan | one column per Pelaksana | Mutu Baku
(Kelengkapan, Waktu, Output) | Keterangan, with the header rows repeated on every page. The
flowchart of a page is one SVG spanning the Pelaksana columns and all the page's rows; the
rows have the explicit heights the layout estimated (never less than their text needs), so the
drawing and the text stay in line. All text is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from laksana.engine.render.layout import (
    BORDER,
    CAPTION_GAP,
    CAPTION_SIZE,
    FONT_SIZE,
    LINE_HEIGHT,
    LIST_INDENT,
    PAD_X,
    PAD_Y,
    PAGE_MARGIN,
    HeaderCell,
    SopLayout,
    StepCells,
    sop_layout,
    split_row,
    text_width_of,
)
from laksana.engine.render.model import Logo, RowBox, RowKind
from laksana.engine.render.svgdraw import FONT_STACK, page_svg
from laksana.engine.render.textmetrics import soft_hyphens
from laksana.engine.spec import Identity, ProcedureSpec

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def indonesian_date(date: dt.date | None) -> str:
    """A date as Indonesian documents print it: ``09 Januari 2023``; ``-`` when unknown."""
    if date is None:
        return "-"
    return f"{date.day:02d} {MONTHS[date.month - 1]} {date.year}"


def format_nip(nip: str) -> str:
    """An 18-digit NIP grouped as printed (``19680531 199703 1 002``); otherwise as given."""
    digits = "".join(nip.split())
    if len(digits) == 18 and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return nip


def _pt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "pt"


def _css(layout: SopLayout, *, standalone: bool) -> str:
    scope = ".sop-document"
    rules = [
        f"{scope}{{font-family:{FONT_STACK};font-size:{_pt(FONT_SIZE)};"
        f"line-height:{LINE_HEIGHT};color:#000;background:#fff}}",
        f"{scope} *{{box-sizing:content-box}}",
        f"{scope} table{{border-collapse:separate;border-spacing:0;table-layout:fixed}}",
        f"{scope} td,{scope} th{{overflow-wrap:break-word;white-space:pre-line}}",
        f"{scope} ol{{margin:0;padding-left:{_pt(LIST_INDENT)}}}",
        f"{scope} li{{margin:0;padding:0}}",
        # identity block
        f"{scope} .sop-identity{{font-size:8.5pt;line-height:1.3}}",
        f"{scope} .sop-id,{scope} .sop-grid{{width:100%;box-sizing:border-box}}",
        f"{scope} .sop-id{{border-top:{_pt(BORDER)} solid #000;"
        f"border-left:{_pt(BORDER)} solid #000}}",
        f"{scope} .sop-id td,{scope} .sop-id th{{border-right:{_pt(BORDER)} solid #000;"
        f"border-bottom:{_pt(BORDER)} solid #000;padding:3pt 5pt;vertical-align:top;"
        "text-align:left}",
        f"{scope} .sop-id .org{{width:42%;text-align:center;vertical-align:middle;"
        "font-weight:bold;text-transform:uppercase}",
        f"{scope} .sop-id .org .logo{{height:46pt}}",
        f"{scope} .sop-id .org .logo img{{max-height:46pt;max-width:100%}}",
        f"{scope} .sop-id .org .agency{{font-size:10pt}}",
        f"{scope} .sop-id th{{width:17%;font-weight:bold;text-transform:uppercase;"
        "white-space:normal}",
        f"{scope} .sop-id .title{{font-weight:bold;text-transform:uppercase;font-size:10pt}}",
        f"{scope} .sop-id .sign{{text-align:center}}",
        f"{scope} .sop-id .sign .space{{height:30pt}}",
        f"{scope} .sop-id .sign .name{{font-weight:bold;text-decoration:underline}}",
        f"{scope} .sop-grid{{border-left:{_pt(BORDER)} solid #000}}",
        f"{scope} .sop-grid td,{scope} .sop-grid th{{"
        f"border-right:{_pt(BORDER)} solid #000;border-bottom:{_pt(BORDER)} solid #000;"
        "padding:3pt 5pt;vertical-align:top;text-align:left}",
        f"{scope} .sop-grid th{{font-weight:bold;text-transform:uppercase;"
        "border-bottom:0;padding-bottom:0}",
        f"{scope} .sop-grid td{{min-height:24pt}}",
        f"{scope} .sop-service{{width:100%;box-sizing:border-box;"
        f"border-left:{_pt(BORDER)} solid #000}}",
        f"{scope} .sop-service td,{scope} .sop-service th{{"
        f"border-right:{_pt(BORDER)} solid #000;border-bottom:{_pt(BORDER)} solid #000;"
        "padding:3pt 5pt;vertical-align:top;text-align:left}",
        f"{scope} .sop-service th{{width:25%;font-weight:bold;text-transform:uppercase;"
        "white-space:normal}",
        # flowchart pages
        f"{scope} .sop-page{{break-before:page;page-break-before:always}}",
        f"{scope} .sop-caption{{font-weight:bold;font-size:{_pt(CAPTION_SIZE)};"
        f"line-height:{LINE_HEIGHT};text-align:center;margin:0 0 {_pt(CAPTION_GAP)} 0}}",
        f"{scope} .sop-flow{{border-top:{_pt(BORDER)} solid #000;"
        f"border-left:{_pt(BORDER)} solid #000}}",
        f"{scope} .sop-flow td,{scope} .sop-flow th{{border-right:{_pt(BORDER)} solid #000;"
        f"border-bottom:{_pt(BORDER)} solid #000;padding:{_pt(PAD_Y)} {_pt(PAD_X)};"
        "vertical-align:top;text-align:left;overflow:hidden}",
        f"{scope} .sop-flow th{{font-weight:bold;text-align:center;vertical-align:middle}}",
        f"{scope} .sop-flow td.lanes{{padding:0;border-right:0;border-bottom:0;"
        "vertical-align:top;overflow:visible}",
        f"{scope} .sop-flow td.c{{text-align:center}}",
        # the No of a source row carried out by several steps stands once
        f"{scope} .sop-flow td.open{{border-bottom-color:transparent}}",
        f"{scope} .sop-flow .question{{font-style:italic}}",
        f"{scope} .sop-flow svg{{display:block}}",
    ]
    if standalone:
        rules.insert(
            0,
            f"@page{{size:A4 landscape;margin:{_pt(PAGE_MARGIN)};"
            "@bottom-right{content:'Halaman ' counter(page) ' dari ' counter(pages);"
            f"font-family:{FONT_STACK};font-size:6.5pt}}}}",
        )
        rules.insert(1, "html,body{margin:0;padding:0}")
    else:
        rules.append(f"{scope}{{overflow-x:auto}}")
    return "\n".join(rules)


def render_html(spec: ProcedureSpec, *, standalone: bool = True, logo: Logo | None = None) -> str:
    """The SOP AP document of ``spec``.

    ``standalone`` gives a whole HTML document with print CSS (A4 landscape); otherwise a
    fragment, a ``<div class="sop-document">`` with its own scoped ``<style>``, to embed in a
    web page. ``logo`` (the agency's) is printed in the identity block's logo cell, embedded
    as data; without it the cell stays empty.
    """
    layout = sop_layout(spec)
    body = [f'<div class="sop-document" data-procedure="{escape(spec.id)}">']
    if not standalone:
        body.append(f"<style>{_css(layout, standalone=False)}</style>")
    body.append(_identity(spec.identity, logo))
    for page in layout.flow.pages:
        body.append(_flow_page(layout, page.index))
    body.append("</div>")
    content = "\n".join(body)
    if not standalone:
        return content
    title = escape(f"SOP {spec.identity.number} {spec.identity.title}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>\n{_css(layout, standalone=True)}\n</style>\n"
        f"</head>\n<body>\n{content}\n</body>\n</html>\n"
    )


# -- identity block -------------------------------------------------------------------------


def _identity(identity: Identity, logo: Logo | None) -> str:
    image = f'<img src="{logo.data_uri()}" alt="Logo">' if logo is not None else ""
    org = [f'<div class="logo">{image}</div>']
    if identity.government:
        org.append(f'<div class="government">{escape(identity.government)}</div>')
    org.append(f'<div class="agency">{escape(identity.agency)}</div>')
    if identity.unit:
        org.append(f'<div class="unit">{escape(identity.unit)}</div>')

    revised = indonesian_date(identity.revised)
    if identity.revision:
        revised = f"{revised} (Revisi ke-{identity.revision})"
    effective = identity.effective_text or indonesian_date(identity.effective)

    official = identity.approved_by
    if official is not None:
        sign = [f"<div>{escape(official.title)}</div>", '<div class="space"></div>']
        if official.name:
            sign.append(f'<div class="name">{escape(official.name)}</div>')
        if official.nip:
            sign.append(f"<div>NIP. {escape(format_nip(official.nip))}</div>")
        approved = f'<td class="sign">{"".join(sign)}</td>'
    else:
        approved = "<td>-</td>"

    rows = [
        ("Nomor SOP", f"<td>{escape(identity.number)}</td>"),
        ("Tgl. Pembuatan", f"<td>{escape(indonesian_date(identity.made))}</td>"),
        ("Tgl. Revisi", f"<td>{escape(revised)}</td>"),
        ("Tgl. Efektif", f"<td>{escape(effective)}</td>"),
        ("Disahkan oleh", approved),
        ("Nama SOP", f'<td class="title">{escape(identity.title)}</td>'),
    ]
    head = ['<table class="sop-id">']
    for i, (label, cell) in enumerate(rows):
        org_cell = f'<td class="org" rowspan="{len(rows)}">{"".join(org)}</td>' if i == 0 else ""
        head.append(f"<tr>{org_cell}<th>{escape(label)}</th>{cell}</tr>")
    head.append("</table>")

    grid = [
        '<table class="sop-grid"><colgroup><col style="width:50%"><col style="width:50%">'
        "</colgroup>"
    ]
    pairs = (
        ("Dasar Hukum", identity.legal_basis, "Kualifikasi Pelaksana", identity.qualifications),
        ("Keterkaitan", identity.related, "Peralatan/Perlengkapan", identity.equipment),
        ("Peringatan", identity.warnings, "Pencatatan dan Pendataan", identity.records),
    )
    for left, left_items, right, right_items in pairs:
        grid.append(f"<tr><th>{escape(left)}:</th><th>{escape(right)}:</th></tr>")
        grid.append(f"<tr><td>{_list(left_items)}</td><td>{_list(right_items)}</td></tr>")
    grid.append("</table>")
    return (
        f'<section class="sop-identity">{"".join(head)}{"".join(grid)}'
        f"{_service_level(identity)}</section>"
    )


def _service_level(identity: Identity) -> str:
    """The service-level block (standar pelayanan) under the identity grid: one row per item
    the procedure gives, in the order SOP AP documents print them; nothing when none."""
    time = identity.service_time
    items: list[tuple[str, str]] = [
        ("Tujuan", escape(identity.purpose) if identity.purpose else ""),
        ("Ruang Lingkup", escape(identity.scope) if identity.scope else ""),
        ("Pengertian", _list(identity.definitions) if identity.definitions else ""),
        (
            "Persyaratan Pelayanan",
            _list(identity.service_requirements) if identity.service_requirements else "",
        ),
        ("Waktu Penyelesaian", escape(time.text) if time is not None else ""),
        ("Biaya/Tarif", escape(identity.cost) if identity.cost else ""),
        ("Produk Pelayanan", escape(identity.product) if identity.product else ""),
        (
            "Indikator Keberhasilan",
            _list(identity.success_indicators) if identity.success_indicators else "",
        ),
    ]
    rows = [f"<tr><th>{escape(label)}</th><td>{cell}</td></tr>" for label, cell in items if cell]
    if not rows:
        return ""
    return f'<table class="sop-service">{"".join(rows)}</table>'


def _list(items: Sequence[str]) -> str:
    if not items:
        return "-"
    if len(items) == 1:
        return escape(items[0])
    return "<ol>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ol>"


# -- flowchart pages ------------------------------------------------------------------------


def _height_style(row_height: float) -> str:
    """The content height that makes a cell (padding and bottom rule included) ``row_height``."""
    return f' style="height:{_pt(row_height - 2 * PAD_Y - BORDER)}"'


def _th(cell: HeaderCell, attrs: str, height: float | None) -> str:
    style = f"font-size:{_pt(cell.size)}"
    if height is not None:
        style += f";height:{_pt(height - 2 * PAD_Y - BORDER)}"
    # The lines were measured and broken by the layout; print them as they are.
    text = "<br>".join(escape(line) for line in cell.lines)
    return f'<th{attrs} style="{style}">{text}</th>'


def _flow_page(layout: SopLayout, index: int) -> str:
    flow = layout.flow
    page = flow.pages[index]
    columns = layout.columns
    headers = layout.headers
    first, second = layout.header_heights
    lanes = columns.lanes

    out = [f'<section class="sop-page" data-page="{index + 1}">']
    caption = "<br>".join(escape(line) for line in layout.caption)
    out.append(f'<div class="sop-caption">{caption}</div>')
    out.append(f'<table class="sop-flow" style="width:{_pt(columns.total)}">')
    out.append(
        "<colgroup>"
        + "".join(f'<col style="width:{_pt(w)}">' for w in columns.widths())
        + "</colgroup>"
    )
    out.append(
        "<tr>"
        + _th(headers["number"], ' rowspan="2"', None)
        + _th(headers["activity"], ' rowspan="2"', None)
        + _th(headers["lanes"], f' colspan="{lanes}"', first)
        + _th(headers["mutu"], ' colspan="3"', first)
        + _th(headers["note"], ' rowspan="2"', None)
        + "</tr>"
    )
    out.append(
        "<tr>"
        + "".join(_th(cell, ' class="actor"', second) for cell in layout.actor_headers)
        + _th(headers["requirements"], "", second)
        + _th(headers["time"], "", second)
        + _th(headers["output"], "", second)
        + "</tr>"
    )
    svg = page_svg(page, lanes=lanes, lane_width=columns.lane)
    printed = [_printed_rows(layout, page.rows, i) for i in range(len(page.rows))]
    count = sum(len(p) for p in printed)
    first_tr = True
    for row, trs in zip(page.rows, printed, strict=True):
        for k, (cells, height, open_below) in enumerate(trs):
            lane_cell = (
                f'<td class="lanes" colspan="{lanes}" rowspan="{count}">{svg}</td>'
                if first_tr
                else ""
            )
            first_tr = False
            kind = row.kind.value if k == 0 else "also"
            out.append(
                f'<tr class="row-{kind}"'
                + (f' data-node="{escape(row.node)}"' if row.node else "")
                + ">"
                + _td(cells[0], height, "c open" if open_below else "c")
                + _td(cells[1], height)
                + lane_cell
                + _td(cells[2], height)
                + _td(cells[3], height, "c")
                + _td(cells[4], height)
                + _td(cells[5], height)
                + "</tr>"
            )
    out.append("</table></section>")
    return "".join(out)


_Cells = tuple[str, str, str, str, str, str]


def _printed_rows(
    layout: SopLayout, rows: Sequence[RowBox], index: int
) -> list[tuple[_Cells, float, bool]]:
    """The table rows printed for ``rows[index]``: (cells, height, No cell open below).

    A step's own row, then one per further source row it carries out. The No of a step that
    carries on the source row of the step printed just above it is not printed again, and the
    rule between the two No cells is left out: the source's row number stands once.
    """
    row = rows[index]
    if row.kind is not RowKind.STEP:
        return [(("", "", "", "", "", ""), row.height, False)]
    c: StepCells = layout.cells[row.node]
    above = rows[index - 1] if index > 0 else None
    joined = c.continues and above is not None and above.kind is RowKind.STEP
    below = rows[index + 1] if index + 1 < len(rows) else None
    open_below = (
        below is not None
        and below.kind is RowKind.STEP
        and layout.cells[below.node].continues
        and not c.also
    )
    parts = c.parts()
    heights = split_row(c, layout.columns, row.height)
    out = []
    for k, (part, height) in enumerate(zip(parts, heights, strict=True)):
        cells = _row_cells(layout, part)
        if k == 0 and joined:
            cells = ("", *cells[1:])
        out.append((cells, height, open_below and k == len(parts) - 1))
    return out


def _td(content: str, height: float, cls: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    return f"<td{attrs}{_height_style(height)}>{content}</td>"


def _row_cells(layout: SopLayout, c: StepCells) -> _Cells:
    """No, Kegiatan, Kelengkapan, Waktu, Output, Keterangan of a printed row, as HTML."""
    columns = layout.columns
    wide = text_width_of(columns.activity)
    activity = f"<div>{_words(c.activity, wide)}</div>"
    if c.question:
        activity += f'<div class="question">{_words(c.question, wide)}</div>'
    return (
        escape(c.number),
        activity,
        _items(c.requirements, c.requirements_is_list, columns.requirements),
        escape(c.time),
        _items(c.output, c.output_is_list, columns.output),
        _words(c.note, text_width_of(columns.note)),
    )


def _words(text: str, width: float) -> str:
    """``text`` escaped, a word too long for its cell marked where it may be hyphenated."""
    return escape(soft_hyphens(text, width, FONT_SIZE))


def _items(items: Sequence[str], is_list: bool, column: float) -> str:
    if not items:
        return ""
    width = text_width_of(column)
    if not is_list:
        return _words(items[0], width)
    width -= LIST_INDENT
    return "<ol>" + "".join(f"<li>{_words(item, width)}</li>" for item in items) + "</ol>"
