"""An editable Word document (python-docx) from a document's rendered HTML.

A small converter of the subset the document templates use, parsed with the standard
library's HTML parser: paragraphs and headings, bold, italic and underline, line breaks,
tables (with borders for the ``data`` and ``paraf`` tables, merged cells for ``colspan``),
ordered and unordered lists, and images given as data URIs (the logo; the QR code is drawn
again as PNG from its address, ``data-qr``). The verification note goes to the page footer,
the DRAF mark to the top of a draft. Styles and scripts are left out.
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

_VOID = {"br", "img", "hr", "meta", "link", "input", "col"}
_SKIP = {"head", "style", "script", "title"}
_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "table",
    "ol",
    "ul",
    "li",
    "hr",
    "main",
    "section",
    "footer",
    "header",
    "body",
    "html",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
}
_SPACE = re.compile(r"\s+")


@dataclass
class _El:
    tag: str
    attrs: dict[str, str]
    children: list[_El | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _El("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = _El(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in _VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_El(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    upper: bool = False


def _style_of(el: _El, style: _Style) -> _Style:
    bold, italic, underline, size = style.bold, style.italic, style.underline, style.size
    upper = style.upper or el.tag == "h1" or bool(el.classes & {"pemerintah", "instansi"})
    if el.tag in ("b", "strong", "th", "h1", "h2", "h3", "h4") or el.classes & {
        "nama",
        "instansi",
        "unit",
    }:
        bold = True
    if el.tag in ("i", "em"):
        italic = True
    if el.tag in ("u", "h1") or "nama" in el.classes:
        underline = True
    if el.tag == "h1" or "pemerintah" in el.classes:
        size = 12
    if "instansi" in el.classes:
        size = 14
    if el.classes & {"alamat", "paraf"}:
        size = 9
    return _Style(bold, italic, underline, size, upper)


def _walk(el: _El) -> list[_El]:
    out = [el]
    for child in el.children:
        if isinstance(child, _El):
            out.extend(_walk(child))
    return out


def _texts(el: _El) -> list[str]:
    out: list[str] = []
    for child in el.children:
        if isinstance(child, str):
            out.append(child)
        elif child.tag not in _SKIP:
            out.extend(_texts(child))
    return out


def _image(el: _El) -> bytes | None:
    if el.attrs.get("data-qr"):
        import segno

        out = io.BytesIO()
        segno.make(el.attrs["data-qr"], error="m").save(out, kind="png", scale=4, border=1)
        return out.getvalue()
    src = el.attrs.get("src", "")
    match = re.match(r"data:image/(png|jpe?g|gif);base64,(.*)", src, re.S)
    if not match:
        return None
    try:
        return base64.b64decode(match.group(2))
    except ValueError:
        return None


class _Writer:
    def __init__(self) -> None:
        self.doc = new_document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin = section.right_margin = Cm(2)
        section.bottom_margin, section.left_margin = Cm(2.5), Cm(3)
        normal: Any = self.doc.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(11)

    # A container is the document, a table cell or the footer: all have add_paragraph.
    def blocks(self, container: Any, el: _El, style: _Style, align: Any = None) -> None:
        para: Any = None
        first_cell_para = getattr(container, "_laksana_first", None)

        def paragraph() -> Any:
            nonlocal para, first_cell_para
            if para is None:
                if first_cell_para is not None:
                    para, first_cell_para = first_cell_para, None
                    container._laksana_first = None
                else:
                    para = container.add_paragraph()
                if align is not None:
                    para.alignment = align
            return para

        for child in el.children:
            if isinstance(child, str):
                text = _SPACE.sub(" ", child)
                if para is None and not text.strip():
                    continue
                if para is None:
                    text = text.lstrip()
                self.run(paragraph(), text, style)
                continue
            if child.tag in _SKIP:
                continue
            if child.tag == "br":
                paragraph().add_run().add_break()
                continue
            if child.tag not in _BLOCK and child.tag != "img":
                self.inline(paragraph, child, _style_of(child, style))
                continue
            if child.tag == "img":
                data = _image(child)
                if data:
                    width = Cm(2) if child.attrs.get("data-qr") else Cm(2.2)
                    # An image Word cannot take is left out.
                    with contextlib.suppress(Exception):
                        paragraph().add_run().add_picture(io.BytesIO(data), width=width)
                continue
            # A block: the current paragraph ends.
            para = None
            if first_cell_para is not None and child.tag != "table":
                container._laksana_first = first_cell_para
            self.block(container, child, _style_of(child, style), align)
            first_cell_para = getattr(container, "_laksana_first", None)

    def footer(self, el: _El) -> None:
        """The verification note in the page footer: the QR code, then its text."""
        para = self.doc.sections[0].footer.paragraphs[0]
        images = [e for e in _walk(el) if e.tag == "img"]
        data = _image(images[0]) if images else None
        if data:
            with contextlib.suppress(Exception):
                para.add_run().add_picture(io.BytesIO(data), width=Cm(1.6))
                para.add_run(" ")
        text = _SPACE.sub(" ", "".join(_texts(el))).strip()
        self.run(para, text, _Style(size=8))

    def inline(self, paragraph: Any, el: _El, style: _Style) -> None:
        for child in el.children:
            if isinstance(child, str):
                self.run(paragraph(), _SPACE.sub(" ", child), style)
            elif child.tag == "br":
                paragraph().add_run().add_break()
            elif child.tag not in _SKIP:
                self.inline(paragraph, child, _style_of(child, style))

    def run(self, para: Any, text: str, style: _Style) -> None:
        if not text:
            return
        run = para.add_run(text.upper() if style.upper else text)
        run.bold = style.bold or None
        run.italic = style.italic or None
        run.underline = style.underline or None
        if style.size:
            run.font.size = Pt(style.size)

    def block(self, container: Any, el: _El, style: _Style, align: Any) -> None:
        classes = el.classes
        if "draf-tanda" in classes:
            para = self.doc.paragraphs[0] if self.doc.paragraphs else self.doc.add_paragraph()
            run = para.add_run("DRAF")
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0, 0)
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            return
        if "verifikasi" in classes and container is self.doc:
            self.footer(el)
            return
        if el.tag == "br":
            return
        if el.tag == "hr":
            return
        if el.tag == "table":
            self.table(container, el, style)
            return
        if el.tag in ("ol", "ul"):
            number = 0
            for item in el.children:
                if isinstance(item, _El) and item.tag == "li":
                    number += 1
                    para = container.add_paragraph()
                    para.paragraph_format.left_indent = Cm(0.75)
                    para.paragraph_format.first_line_indent = Cm(-0.5)
                    self.run(para, f"{number}. " if el.tag == "ol" else "\u2022 ", style)
                    holder = _Holder(container, para)
                    self.blocks(holder, item, style, align)
            return
        if el.tag in ("h1", "h2", "h3", "h4") or classes & {"judul", "tengah", "kop"}:
            align = WD_ALIGN_PARAGRAPH.CENTER
        if "kanan" in classes:
            before = len(getattr(container, "paragraphs", []))
            self.blocks(container, el, style, align)
            for para in getattr(container, "paragraphs", [])[before:]:
                para.paragraph_format.left_indent = Cm(8.5)
            return
        self.blocks(container, el, style, align)

    def table(self, container: Any, el: _El, style: _Style) -> None:
        rows: list[list[_El]] = []

        def collect(node: _El) -> None:
            for child in node.children:
                if isinstance(child, _El):
                    if child.tag == "tr":
                        rows.append(
                            [
                                c
                                for c in child.children
                                if isinstance(c, _El) and c.tag in ("td", "th")
                            ]
                        )
                    elif child.tag in ("tbody", "thead", "tfoot"):
                        collect(child)

        collect(el)
        if not rows:
            return

        def span(cell: _El) -> int:
            try:
                return max(1, int(cell.attrs.get("colspan", "1")))
            except ValueError:
                return 1

        width = max(sum(span(c) for c in row) for row in rows) or 1
        table = container.add_table(rows=len(rows), cols=width)
        if el.classes & {"data", "paraf"}:
            table.style = self.doc.styles["Table Grid"]
        centred = bool(el.classes & {"ttd", "kop"})
        for r, row in enumerate(rows):
            c = 0
            for cell_el in row:
                if c >= width:
                    break
                n = min(span(cell_el), width - c)
                cell = table.cell(r, c)
                if n > 1:
                    cell = cell.merge(table.cell(r, c + n - 1))
                cell._laksana_first = cell.paragraphs[0]
                self.blocks(
                    cell,
                    cell_el,
                    _style_of(cell_el, style),
                    WD_ALIGN_PARAGRAPH.CENTER if centred or cell_el.tag == "th" else None,
                )
                c += n
        # A paragraph after a table, so two tables never merge into one in Word.
        if container is self.doc:
            self.doc.add_paragraph()


class _Holder:
    """A container whose first paragraph is given (a list item's, after its number)."""

    def __init__(self, container: Any, first: Any) -> None:
        self._container = container
        self._laksana_first = first

    def add_paragraph(self) -> Any:
        return self._container.add_paragraph()

    def add_table(self, rows: int, cols: int) -> Any:
        return self._container.add_table(rows=rows, cols=cols)

    @property
    def paragraphs(self) -> Any:
        return self._container.paragraphs


def convert(html: str) -> bytes:
    """The HTML (a rendered document) as DOCX bytes."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    writer = _Writer()
    writer.blocks(writer.doc, tree.root, _Style())
    out = io.BytesIO()
    writer.doc.save(out)
    return out.getvalue()
