"""Read the identity table of an SOP AP Word document: Nomor SOP, Tanggal
Pembuatan/Revisi/Efektif, Disahkan oleh (title, name, NIP), Nama SOP and the list fields
(Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Peringatan,
Pencatatan dan Pendataan), and the government, agency and unit printed above or beside it.

A label's value is the rest of its cell, else the next cell of its row, else the cell below
(the list fields are often labels in one row and their values in the next).
"""

from __future__ import annotations

import re
from typing import Any

from laksana.engine.messages import Msg
from laksana.procedures.docx_confirm import Draft, ToConfirm
from laksana.procedures.docx_import import items, norm
from laksana.procedures.docx_read import Cell, Table

_MONTHS = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11,
    "desember": 12,
}  # fmt: skip
_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")


def parse_date(text: str) -> str | None:
    m = _DATE.search(text)
    if not m or m[2].lower() not in _MONTHS:
        return None
    return f"{int(m[3]):04d}-{_MONTHS[m[2].lower()]:02d}-{int(m[1]):02d}"


# --- identity -------------------------------------------------------------------------------

_LABELS: dict[str, tuple[str, ...]] = {
    "number": ("nomor sop", "no. sop", "no sop"),
    "made": ("tanggal pembuatan", "tgl. pembuatan", "tgl pembuatan"),
    "revised": ("tanggal revisi", "tgl. revisi", "tgl revisi"),
    "effective": ("tanggal efektif", "tgl. efektif", "tgl efektif"),
    "approved_by": ("disahkan oleh",),
    "title": ("nama sop",),
    "legal_basis": ("dasar hukum",),
    "qualifications": ("kualifikasi pelaksana",),
    "related": ("keterkaitan",),
    "equipment": ("peralatan / perlengkapan", "peralatan", "perlengkapan"),
    "warnings": ("peringatan",),
    "records": ("pencatatan dan pendataan", "pencatatan"),
}
_NAMES = {
    "number": "Nomor SOP",
    "title": "Nama SOP",
    "made": "Tanggal Pembuatan",
    "revised": "Tanggal Revisi",
    "effective": "Tanggal Efektif",
}
_LISTS = ("legal_basis", "qualifications", "related", "equipment", "warnings", "records")


def _label_of(text: str) -> tuple[str, str] | None:
    """(key, rest of the text) when ``text`` starts with an identity label."""
    t = norm(text)
    for key, labels in _LABELS.items():
        for label in labels:
            if t.startswith(label):
                rest = t[len(label) :].lstrip(" :")
                return key, rest
    return None


def _value_cells(table: Table, r: int, cell: Cell) -> list[str] | None:
    """The paragraphs of the value of the label in ``cell``: after the label in the same
    cell, else the next cell of the row, else the cell below."""
    first, *more = [p for p in cell.paragraphs if p] or [""]
    head = _label_of(first)
    rest = first.split(":", 1)[1].strip() if head and head[1] and ":" in first else ""
    if rest or more:
        return ([rest] if rest else []) + more
    row = table.rows[r]
    after = [c for c in row if c.col > cell.col and not c.continued]
    for c in after:
        if c.text in (":", ""):
            continue
        if _label_of(c.text):
            break
        lines = [p for p in c.paragraphs if p]
        lines[0] = lines[0].lstrip(": ").strip() if lines[0].lstrip().startswith(":") else lines[0]
        return [p for p in lines if p]
    if r + 1 < len(table.rows):
        below = table.cell(r + 1, cell.col)
        if below is not None and not below.continued and not _label_of(below.text):
            return [p for p in below.paragraphs if p]
    return None


def _approved(paragraphs: list[str]) -> dict[str, str]:
    lines = [p.strip() for p in paragraphs if p.strip()]
    out: dict[str, str] = {}
    nip_at = None
    for i, line in enumerate(lines):
        m = re.search(r"NIP\.?\s*:?\s*([\d ]{18,})", line, re.IGNORECASE)
        if m:
            out["nip"] = " ".join(m[1].split())
            nip_at = i
            before = line[: m.start()].strip()
            if before:
                lines[i] = before
                nip_at = i + 1
            break
    named = lines[:nip_at] if nip_at is not None else lines
    if named:
        out["title"] = named[0].rstrip(", ")
    if len(named) > 1:
        out["name"] = named[-1].rstrip(", ")
    return out


def read_identity(doc_tables: list[Table], paragraphs: list[str], out: Draft) -> dict[str, Any]:
    identity: dict[str, Any] = {}
    found: dict[str, list[str]] = {}
    header_texts: list[str] = []
    for t_no, table in enumerate(doc_tables, 1):
        for r, row in enumerate(table.rows):
            for cell in row:
                if cell.continued or not cell.text:
                    continue
                head = _label_of(cell.paragraphs[0] if cell.paragraphs[0] else cell.text)
                if head is None:
                    if t_no == 1 and norm(cell.text).startswith("pemerintah"):
                        header_texts.extend(p for p in cell.paragraphs if p)  # the logo block
                    continue
                key = head[0]
                if key in found:
                    continue
                value = _value_cells(table, r, cell)
                if value is not None:
                    found[key] = value
    for line in header_texts + paragraphs[:6]:
        low = line.lower()
        if low.startswith("pemerintah") and "government" not in identity:
            identity["government"] = line
        elif re.match(r"(dinas|badan|kantor|sekretariat|inspektorat)\b", low) and (
            "agency" not in identity
        ):
            identity["agency"] = line
        elif re.match(r"(bidang|sub ?bagian|seksi|bagian|upt)\b", low) and "unit" not in identity:
            identity["unit"] = line
    text = {k: " ".join(v).strip() for k, v in found.items()}
    for key in ("number", "title"):
        if text.get(key) and text[key] != "-":
            identity[key] = text[key]
        else:
            out.to_confirm.append(ToConfirm(Msg("no %(label)s found", label=_NAMES[key])))
    if "agency" not in identity:
        out.to_confirm.append(
            ToConfirm(Msg("no agency (Dinas/Badan ...) found above or beside the table"))
        )
    for key in ("made", "revised", "effective"):
        raw = text.get(key, "").strip()
        if not raw or raw == "-":
            continue
        date = parse_date(raw)
        if key == "effective" and re.search(r"\s[-–]\s|s\.?d\.?|sampai", raw):
            identity["effective_text"] = raw
            m = re.match(r"(\d{1,2})\s+([A-Za-z]+)", raw)  # the period's first day
            year = re.findall(r"\d{4}", raw)
            if m and year and m[2].lower() in _MONTHS:
                date = f"{int(year[-1]):04d}-{_MONTHS[m[2].lower()]:02d}-{int(m[1]):02d}"
        if date:
            identity[key] = date
        else:
            label = _NAMES[key]
            out.to_confirm.append(
                ToConfirm(
                    Msg("%(label)s '%(text)s' is not a date; left out", label=label, text=raw)
                )
            )
    if "approved_by" in found:
        approved = _approved(found["approved_by"])
        if "title" in approved:
            identity["approved_by"] = approved
        if "nip" not in approved:
            out.to_confirm.append(ToConfirm(Msg("Disahkan oleh: no NIP found")))
    for key in _LISTS:
        if key in found:
            values = items(found[key])
            if values:
                identity[key] = values
    order = ("number", "title", "agency", "government", "unit", "made", "revised", "effective")
    return {k: identity[k] for k in (*order, *identity) if k in identity}
