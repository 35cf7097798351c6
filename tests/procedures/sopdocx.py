"""Build SOP AP Word documents with python-docx for the import tests.

A document has the agency's heading, the identity table (label | value rows, and the list
fields as labels with their values in the row below) and the flowchart table: a two-row header
(No, Kegiatan, Pelaksana merged over one column per actor, Mutu Baku merged over Kelengkapan,
Waktu and Output, Keterangan; No, Kegiatan and Keterangan merged down) and one row per step,
whose symbol is a DrawingML or VML shape anchored in the actor's cell, or a typed mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import qn

_WPS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)
_VML = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)


def drawingml(prst: str = "flowChartProcess", text: str = "") -> str:
    """A DrawingML shape anchored in the paragraph (a ``w:drawing`` with a ``wps:wsp``)."""
    box = (
        f"<wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
        "</wps:txbx>"
        if text
        else ""
    )
    return (
        f"<w:drawing {_WPS}><wp:anchor distT='0' distB='0' distL='0' distR='0' "
        "simplePos='0' relativeHeight='1' behindDoc='0' locked='0' layoutInCell='1' "
        "allowOverlap='1'><wp:simplePos x='0' y='0'/>"
        "<wp:positionH relativeFrom='column'><wp:posOffset>0</wp:posOffset></wp:positionH>"
        "<wp:positionV relativeFrom='paragraph'><wp:posOffset>0</wp:posOffset></wp:positionV>"
        "<wp:extent cx='457200' cy='228600'/><wp:wrapNone/><wp:docPr id='1' name='Shape'/>"
        "<a:graphic><a:graphicData "
        "uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>"
        "<wps:wsp><wps:cNvSpPr/><wps:spPr><a:xfrm><a:off x='0' y='0'/>"
        "<a:ext cx='457200' cy='228600'/></a:xfrm>"
        f"<a:prstGeom prst='{prst}'><a:avLst/></a:prstGeom></wps:spPr>{box}<wps:bodyPr/>"
        "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
    )


def vml(kind: str = "rect") -> str:
    """A VML shape in a ``w:pict``: ``rect``, ``oval``, ``line``, or ``diamond`` (a
    ``v:shape`` of type ``#_x0000_t110``, the flowchart decision)."""
    if kind == "diamond":
        shape = (
            "<v:shapetype id='_x0000_t110' coordsize='21600,21600' o:spt='110' "
            "path='m10800,l,10800,10800,21600,21600,10800xe'/>"
            "<v:shape id='d1' type='#_x0000_t110' style='width:36pt;height:18pt'/>"
        )
    else:
        shape = f"<v:{kind} id='s1' style='width:36pt;height:18pt'/>"
    return f"<w:pict {_VML}>{shape}</w:pict>"


@dataclass
class Row:
    no: str
    activity: str
    actor: int | None  # index into the actors; None: no symbol
    symbol: str = "dml"  # dml, dml-diamond, vml, vml-diamond, or a mark such as "✓"
    requires: str = ""
    time: str = ""
    output: str = ""
    note: str = ""
    # More symbols of the row: (actor index, symbol), e.g. a start terminator "dml-terminator"
    # or an arrow "dml-line" beside the process.
    extra: tuple[tuple[int, str], ...] = ()
    span: int = 1  # the symbol's cell merged over this many Pelaksana columns
    # The rest of the activity after a page break: the header is repeated, then a row with no
    # No holds this text.
    continued: str = ""


IDENTITY = {
    "NOMOR SOP": "800/123/DISKOMINFO/2024",
    "TGL. PEMBUATAN": "02 Januari 2024",
    "TGL. REVISI": "-",
    "TGL. EFEKTIF": "15 Januari 2024",
    "NAMA SOP": "Pembuatan Akun Email Dinas",
}
LISTS = {
    ("DASAR HUKUM", "KUALIFIKASI PELAKSANA"): (
        ["1. Undang-Undang Nomor 11 Tahun 2008", "2. Peraturan Presiden Nomor 95 Tahun 2018"],
        ["1. Memahami administrasi email", "2. Memahami keamanan informasi"],
    ),
    ("KETERKAITAN", "PERALATAN/PERLENGKAPAN"): (
        ["SOP Pengelolaan Domain"],
        ["1. Komputer 2. Jaringan Internet"],
    ),
    ("PERINGATAN", "PENCATATAN DAN PENDATAAN"): (
        ["Akun tidak dibuat bila data pemohon tidak lengkap."],
        ["Dicatat dalam buku register akun."],
    ),
}


def _set_cell(cell, lines: list[str]) -> None:
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def _vmerge(cell, restart: bool) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    el = parse_xml(
        '<w:vMerge xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        + (' w:val="restart"/>' if restart else "/>")
    )
    tcpr.append(el)


def build(
    path: Path,
    actors: list[str],
    rows: list[Row],
    *,
    identity: bool = True,
    heading: bool = True,
) -> Path:
    """Write an SOP AP document to ``path``."""
    document = docx.Document()
    if heading:
        document.add_paragraph("PEMERINTAH KABUPATEN CONTOH")
        document.add_paragraph("DINAS KOMUNIKASI DAN INFORMATIKA")
        document.add_paragraph("BIDANG APLIKASI INFORMATIKA")
    if identity:
        t = document.add_table(rows=0, cols=2)
        for label, value in IDENTITY.items():
            cells = t.add_row().cells
            _set_cell(cells[0], [label])
            _set_cell(cells[1], [value])
        cells = t.add_row().cells
        _set_cell(cells[0], ["DISAHKAN OLEH"])
        _set_cell(cells[1], ["Kepala Dinas,", "", "I GEDE CONTOH", "NIP. 19700101 199503 1 001"])
        for (left, right), (lv, rv) in LISTS.items():
            cells = t.add_row().cells
            _set_cell(cells[0], [f"{left} :"])
            _set_cell(cells[1], [f"{right} :"])
            cells = t.add_row().cells
            _set_cell(cells[0], lv)
            _set_cell(cells[1], rv)
        document.add_paragraph("")
    flowchart(document, actors, rows)
    document.save(str(path))
    return path


_DML = {
    "": "rect",
    "diamond": "flowChartDecision",
    "terminator": "flowChartTerminator",
    "line": "straightConnector1",
}


def _put_symbol(cell, symbol: str) -> None:
    kind, _, variant = symbol.partition("-")
    if kind == "dml":
        xml = drawingml(_DML[variant], text="" if variant == "line" else "Proses")
    elif kind == "vml":
        xml = vml(variant or "rect")
    else:
        _set_cell(cell, [symbol])
        return
    cell.paragraphs[0].add_run()._r.append(parse_xml(xml))


def _repeat_header(t, actors: list[str]) -> None:
    """The two header rows again, as Word prints them at the top of a new page."""
    n = len(actors)
    top, sub = t.add_row().cells, t.add_row().cells
    _set_cell(top[0], ["No"])
    _set_cell(top[1], ["Kegiatan"])
    _set_cell(top[2], ["Pelaksana"])
    _set_cell(top[2 + n], ["Mutu Baku"])
    _set_cell(top[5 + n], ["Keterangan"])
    for i, name in enumerate(actors):
        _set_cell(sub[2 + i], [name])
    for i, name in enumerate(("Kelengkapan", "Waktu", "Output")):
        _set_cell(sub[2 + n + i], [name])


def flowchart(document, actors: list[str], rows: list[Row]) -> None:
    """Add the flowchart table to ``document``."""
    n = len(actors)
    cols = 2 + n + 3 + 1
    t = document.add_table(rows=2, cols=cols)
    top, sub = t.rows[0].cells, t.rows[1].cells
    _set_cell(top[0], ["No"])
    _set_cell(top[1], ["Kegiatan"])
    pelaksana = top[2].merge(top[1 + n])
    _set_cell(pelaksana, ["Pelaksana"])
    mutu = top[2 + n].merge(top[4 + n])
    _set_cell(mutu, ["Mutu Baku"])
    _set_cell(top[cols - 1], ["Keterangan"])
    for i, name in enumerate(actors):
        _set_cell(sub[2 + i], [name])
    _set_cell(sub[2 + n], ["Kelengkapan"])
    _set_cell(sub[3 + n], ["Waktu"])
    _set_cell(sub[4 + n], ["Output"])
    for col in (0, 1, cols - 1):
        _vmerge(top[col], True)
        _vmerge(sub[col], False)
    for row in rows:
        cells = t.add_row().cells
        _set_cell(cells[0], [row.no])
        _set_cell(cells[1], [row.activity])
        symbols = ([(row.actor, row.symbol)] if row.actor is not None else []) + list(row.extra)
        for actor, symbol in symbols:
            target = cells[2 + actor]
            if actor == row.actor and row.span > 1:
                target = target.merge(cells[1 + actor + row.span])
            _put_symbol(target, symbol)
        _set_cell(cells[2 + n], [row.requires])
        _set_cell(cells[3 + n], [row.time])
        _set_cell(cells[4 + n], [row.output])
        _set_cell(cells[cols - 1], [row.note])
        if row.continued:
            _repeat_header(t, actors)
            more = t.add_row().cells
            _set_cell(more[1], [row.continued])


def has_tag(path: Path, tag: str) -> bool:
    """Whether the saved document's XML holds an element ``tag`` (e.g. "w:pict")."""
    document = docx.Document(str(path))
    return bool(document.element.body.findall(".//" + qn(tag)))
