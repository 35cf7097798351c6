"""The rows of the SOP document's flowchart table as printed in its HTML, for tests."""

from __future__ import annotations

from html.parser import HTMLParser


class _Rows(HTMLParser):
    """The flowchart table's body rows: (class, data-node, the texts of the cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str, list[str]]] = []
        self._cell: list[str] | None = None
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self._svg += 1
        elif tag == "tr" and (a.get("class") or "").startswith("row-"):
            self.rows.append((a.get("class") or "", a.get("data-node") or "", []))
        elif tag == "td" and self.rows and "lanes" not in (a.get("class") or ""):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        elif tag == "td" and self._cell is not None:
            self.rows[-1][2].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._svg:
            self._cell.append(data.replace("\xad", ""))


def table_rows(html: str) -> list[tuple[str, str, list[str]]]:
    parser = _Rows()
    parser.feed(html)
    return [r for r in parser.rows if r[0] in ("row-step", "row-also")]


def source_rows(html: str) -> list[tuple[str, str, str]]:
    """(No, Kelengkapan, Output) of each source row the document prints: a row whose No is
    not printed (a step carrying on the row above) or repeats the row above's (on a new page)
    is part of that row; the texts of its parts are joined."""
    out: list[tuple[str, str, str]] = []
    for _, _, cells in table_rows(html):
        number, requirements, output = cells[0], cells[2], cells[4]
        if out and number in ("", out[-1][0]):
            no, req, outp = out[-1]
            out[-1] = (
                no,
                " ".join(filter(None, (req, requirements))),
                " ".join(filter(None, (outp, output))),
            )
        else:
            out.append((number, requirements, output))
    return out
