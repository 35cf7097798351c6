"""Turn an SOP AP Word document into a draft procedure (``laksana/procedure@1`` YAML).

The identity table (Nomor SOP, dates, Disahkan oleh, Nama SOP, Dasar Hukum, Kualifikasi
Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Peringatan, Pencatatan dan Pendataan) gives the
identity; the flowchart table (No, Kegiatan, one column per Pelaksana, Mutu Baku:
Kelengkapan/Persyaratan, Waktu, Output, Keterangan) gives the actors, artifacts and steps.
The actor of a row is the Pelaksana column holding its symbol (:mod:`.docx_read`); a diamond,
or an activity ending with "?", makes the row a decision with outcomes Ya and Tidak.

What the import cannot decide is kept as :class:`ToConfirm` items, each naming the source
table, row and column, for the author to confirm before the draft is saved. The draft is
written so that it loads; what stays unsure is in those items (and as comments at the top of
the YAML), never silently guessed away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from laksana.engine.loader import FORMAT
from laksana.engine.messages import Msg
from laksana.engine.timetext import TimeTextError, parse_time
from laksana.procedures.docx_confirm import Draft, ImportRefused, ToConfirm
from laksana.procedures.docx_read import (
    Cell,
    Shape,
    Table,
    body_paragraphs,
    open_document,
    source_rows,
    tables,
)

# --- text helpers ---------------------------------------------------------------------------

_ITEM = re.compile(r"(?:^|\s)(?:\d{1,2}[.)]|[a-z][.)]|[-•·▪])\s+")


def norm(text: str) -> str:
    return " ".join(text.lower().replace("/", " / ").split())


def slug(text: str, limit: int = 40) -> str:
    """An id from a name: lower case words joined by '_', cut at a word within ``limit``."""
    full = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    out = full[:limit]
    if len(full) > limit and full[limit] != "_" and "_" in out:
        out = out.rsplit("_", 1)[0]
    return out.strip("_") or "x"


def unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    taken.add(name)
    return name


def items(paragraphs: list[str]) -> list[str]:
    """The items of a list cell: one per paragraph, or split at "1." / "-" within one."""
    out: list[str] = []
    for p in paragraphs:
        parts = [x.strip(" ;,:") for x in _ITEM.split(" " + p)]
        out.extend(x for x in parts if x and x not in (":", "-"))
    return out


# --- the flowchart table --------------------------------------------------------------------

_ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no", ("no", "no.", "nomor")),
    ("activity", ("kegiatan", "uraian kegiatan", "aktivitas")),
    ("requires", ("kelengkapan", "persyaratan", "persyaratan / kelengkapan")),
    ("time", ("waktu",)),
    ("produces", ("output", "out put", "keluaran")),
    ("note", ("keterangan", "ket", "ket.")),
)
_GROUPS = ("pelaksana", "mutu baku")
_REQUESTERS = ("pemohon", "pengusul", "pelapor", "pengguna layanan", "pemohon layanan")
_TIDAK_TARGET = re.compile(
    r"\b(ya|tidak)\b[^0-9?]{0,60}?\b(?:no\.?|nomor|langkah|kegiatan|tahap|ke)\s*(\d+[a-z]?)\b",
    re.IGNORECASE,
)


def _role(text: str) -> str | None:
    t = norm(text).rstrip(":")
    for role, words in _ROLE_WORDS:
        if t in words or (role == "requires" and t.startswith(("kelengkapan", "persyaratan"))):
            return role
    return None


@dataclass
class Layout:
    """Where the flowchart table's columns are, and where its steps start."""

    roles: dict[str, int]  # role -> grid column
    actors: list[tuple[int, str]]  # (grid column, Pelaksana header)
    first_row: int


def find_flowchart(doc_tables: list[Table]) -> tuple[int, Table, Layout] | None:
    for t_no, table in enumerate(doc_tables, 1):
        layout = _layout(table)
        if layout is not None:
            return t_no, table, layout
    return None


def _layout(table: Table) -> Layout | None:
    head = None
    for r, row in enumerate(table.rows[:6]):
        if any(_role(c.text) == "activity" for c in row if not c.continued):
            head = r
            break
    if head is None:
        return None
    roles: dict[str, int] = {}
    names: dict[int, str] = {}
    r = head
    while r < len(table.rows):
        row = table.rows[r]
        no_cell = table.cell(r, roles.get("no", 0))
        numbered = no_cell is not None and re.match(r"^\d", no_cell.text)
        if r > head and numbered and not _is_numbering_row(row):
            break
        for cell in row:
            if cell.continued or not cell.text:
                continue
            role = _role(cell.text)
            if role is not None and cell.span == 1:
                roles.setdefault(role, cell.col)
            elif role is None and norm(cell.text) not in _GROUPS and cell.span == 1:
                names[cell.col] = cell.text
        r += 1
    if "activity" not in roles:
        return None
    mutu = [roles[k] for k in ("requires", "time", "produces") if k in roles]
    end = min(mutu) if mutu else roles.get("note", table.columns)
    actors = [(c, names[c]) for c in sorted(names) if roles["activity"] < c < end]
    if not actors:
        return None
    return Layout(roles, actors, r)


def _is_header_row(row: list[Cell]) -> bool:
    roles = [_role(c.text) for c in row if not c.continued and c.text]
    return "activity" in roles or sum(1 for r in roles if r is not None) >= 2


def _is_numbering_row(row: list[Cell]) -> bool:
    """A row of column numbers under the header ("1 2 3 4 ..."), not a step."""
    texts = [c.text for c in row if c.text]
    return len(texts) >= 4 and all(re.fullmatch(r"\(?\d{1,2}\)?", t) for t in texts)


@dataclass
class Row:
    source: int  # the table row (1-based) where the step starts
    no: str
    activity: list[str]
    cells: dict[str, list[str]]
    symbols: dict[int, list[Shape]]  # actor column -> symbols
    spans: dict[int, int] = field(default_factory=dict)  # a symbol cell over several columns


def read_rows(table: Table, layout: Layout) -> list[Row]:
    rows: list[Row] = []

    def texts(r: int, role: str) -> list[str]:
        if role not in layout.roles:
            return []
        cell = table.cell(r, layout.roles[role])
        if cell is None or cell.continued:
            return []
        return [p for p in cell.paragraphs if p]

    for r in range(layout.first_row, len(table.rows)):
        row = table.rows[r]
        if _is_numbering_row(row) or _is_header_row(row):
            continue  # a repeated header (a new page) or the column numbers
        no = " ".join(texts(r, "no")).strip().rstrip(".")
        symbols: dict[int, list[Shape]] = {}
        spans: dict[int, int] = {}
        for col, _name in layout.actors:
            cell = table.cell(r, col)
            if cell is not None and not cell.continued and cell.symbols and cell.col == col:
                symbols[col] = list(cell.symbols)
                actor_cols = sum(1 for c, _ in layout.actors if cell.covers(c))
                if actor_cols > 1:
                    spans[col] = actor_cols
        cells = {k: texts(r, k) for k in ("requires", "time", "produces", "note")}
        activity = texts(r, "activity")
        if not no and rows and not symbols:
            # A row broken across pages, or a merged No: more text of the step above.
            last = rows[-1]
            last.activity.extend(activity)
            for k, v in cells.items():
                last.cells[k].extend(v)
            continue
        if not no and not activity and not symbols:
            continue
        rows.append(Row(r + 1, no, activity, cells, symbols, spans))
    return rows


# --- the draft ------------------------------------------------------------------------------


def import_docx(path: str | Path) -> Draft:
    """Read an SOP AP Word document into a :class:`Draft`; raise :class:`ImportRefused` when
    the file is not a .docx or has no flowchart table."""
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise ImportRefused(
            Msg("%(name)s: not a Word .docx file (the suffix is not .docx)", name=str(path))
        )
    try:
        with path.open("rb") as stream:
            return import_stream(stream, str(path))
    except OSError as exc:
        raise ImportRefused(
            Msg("%(name)s: cannot be read: %(reason)s", name=str(path), reason=exc.strerror or "")
        ) from None


def import_stream(stream: BinaryIO, name: str) -> Draft:
    """Read an SOP AP Word document from an open binary file named ``name`` (its package is
    checked first: see :func:`~laksana.procedures.docx_read.open_document`)."""
    document = open_document(stream, name)
    doc_tables = list(tables(document))
    found = find_flowchart(doc_tables)
    if found is None:
        raise ImportRefused(
            Msg(
                "%(name)s: no flowchart table found (a table with the columns No, Kegiatan, "
                "one column per Pelaksana, and Mutu Baku)",
                name=name,
            )
        )
    from laksana.procedures.docx_identity import read_identity

    t_no, table, layout = found
    draft = Draft({})
    identity = read_identity(doc_tables[: t_no - 1] or [], body_paragraphs(document), draft)
    build_steps(draft, table, layout, t_no)
    stem = Path(name.replace("\\", "/")).stem
    proc_id = "sop-" + re.sub(r"_+", "-", slug(identity.get("title", stem), 60))
    draft.data = {
        "format": FORMAT,
        "id": proc_id,
        "identity": identity,
        **draft.data,
    }
    draft.table_no = t_no
    draft.source_table = source_rows(table, {col for col, _name in layout.actors})
    return draft


def _actor_kind(name: str) -> str:
    low = name.lower()
    return "requesting_unit" if any(w in low for w in _REQUESTERS) else "position"


@dataclass(frozen=True)
class _Where:
    """A place in the flowchart table: ``where("Waktu")`` names a column of a row."""

    table: int
    row: int
    no: str

    def __call__(self, column: str) -> dict[str, Any]:
        return {"table": self.table, "row": self.row, "no": self.no, "column": column}


def build_steps(draft: Draft, table: Table, layout: Layout, t_no: int) -> None:
    rows = read_rows(table, layout)
    names = dict(layout.actors)
    actor_ids: dict[int, str] = {}
    taken: set[str] = set()
    for col, name in layout.actors:
        actor_ids[col] = unique(slug(name, 30), taken)
    step_ids: list[str] = []
    taken_steps = {"selesai"}
    for i, row in enumerate(rows, 1):
        step_ids.append(unique(f"s{slug(row.no or str(i), 10)}", taken_steps))
    by_no = {row.no.lower(): sid for row, sid in zip(rows, step_ids, strict=True) if row.no}

    artifacts: dict[str, dict[str, Any]] = {}
    art_by_name: dict[str, str] = {}  # normalised name -> the latest artifact of that name
    produced: set[str] = set()
    art_taken: set[str] = set()

    def artifact(name: str, new: bool = False) -> str:
        key = norm(name).rstrip(".")
        if key in art_by_name and not new:
            return art_by_name[key]
        art_id = unique(slug(name), art_taken)
        artifacts[art_id] = {"name": name.rstrip("."), "type": "file"}
        art_by_name[key] = art_id
        return art_id

    used_actors: set[str] = set()
    steps: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        sid = step_ids[i]
        where = _Where(t_no, row.source, row.no)
        activity = " ".join(row.activity).strip()
        step: dict[str, Any] = {"id": sid}
        if row.no:
            step["no"] = row.no
        else:
            draft.to_confirm.append(
                ToConfirm(Msg("no number; numbered by position"), **where("No"))
            )
        if not activity:
            draft.to_confirm.append(ToConfirm(Msg("no activity text"), **where("Kegiatan")))
            activity = "(kegiatan)"
        step["activity"] = activity
        step["actor"] = _choose_actor(draft, row, names, actor_ids, steps, where, i)
        used_actors.add(step["actor"])
        decision = any(Shape.DECISION in s for s in row.symbols.values())
        decision = decision or activity.rstrip().endswith("?")

        req_text = " ".join(row.cells["requires"]).strip()
        if req_text and req_text != "-":
            ids: list[str] = []
            for name in items(row.cells["requires"]):
                art_id = artifact(name)
                if art_id not in ids:
                    ids.append(art_id)
            step["requires"] = ids
            step["requirements_text"] = req_text
        time_text = " ".join(row.cells["time"]).strip()
        if time_text and time_text != "-":
            step["time"] = time_text
            try:
                parse_time(time_text)
            except TimeTextError as exc:
                message = exc.args[0] if isinstance(exc.args[0], Msg) else Msg(str(exc))
                draft.to_confirm.append(
                    ToConfirm(message, **where("Waktu"), fix=_time_fix(time_text), step=i)
                )
        out_text = " ".join(row.cells["produces"]).strip()
        if out_text and out_text != "-":
            ids = []
            for name in items(row.cells["produces"]):
                key = norm(name).rstrip(".")
                again = key in art_by_name and (
                    art_by_name[key] in produced or art_by_name[key] in step.get("requires", [])
                )
                art_id = artifact(name, new=again)
                if again:
                    draft.to_confirm.append(
                        ToConfirm(
                            Msg(
                                "'%(name)s' has the name of an earlier document; read as a "
                                "new one (%(id)s)",
                                name=name,
                                id=art_id,
                            ),
                            **where("Output"),
                        )
                    )
                if art_id not in ids:
                    ids.append(art_id)
                produced.add(art_id)
            step["produces"] = ids
            step["output_text"] = out_text
        note = " ".join(row.cells["note"]).strip()
        if note and note != "-":
            step["note"] = note
        if decision:
            step["decision"] = _decision(draft, activity, note, i, step_ids, by_no, where)
        steps.append(step)

    actors: dict[str, dict[str, str]] = {}
    for col, name in layout.actors:
        aid = actor_ids[col]
        if aid in used_actors:
            actors[aid] = {"name": name, "kind": _actor_kind(name)}
        else:
            draft.to_confirm.append(
                ToConfirm(
                    Msg("no row has a symbol in this Pelaksana column; the actor is left out"),
                    table=t_no,
                    column=name,
                )
            )
    draft.data = {"actors": actors}
    draft.columns = [
        {"id": actor_ids[col], "name": name, "kind": _actor_kind(name)}
        for col, name in layout.actors
    ]
    if artifacts:
        draft.data["artifacts"] = artifacts
    draft.data["start"] = {"label": "Mulai", "to": step_ids[0]} if step_ids else "s1"
    draft.data["steps"] = steps
    draft.data["ends"] = [{"id": "selesai", "label": "Selesai"}]
    if not steps:
        draft.to_confirm.append(ToConfirm(Msg("no steps found"), table=t_no))


def _choose_actor(
    draft: Draft,
    row: Row,
    names: dict[int, str],
    actor_ids: dict[int, str],
    steps: list[dict[str, Any]],
    where: _Where,
    index: int,
) -> str:
    """The actor of a row: the column of its process or decision symbol (a mark typed, a
    start or end symbol, a connector, in that order of preference); of several columns, the
    one the activity names first."""
    for kinds in (
        (Shape.PROCESS, Shape.DECISION),
        (Shape.MARK,),
        (Shape.TERMINATOR,),
        (Shape.CONNECTOR,),
    ):
        cols = [c for c, shapes in row.symbols.items() if any(s in kinds for s in shapes)]
        if cols:
            chosen = min(cols, key=lambda c: _named_at(names[c], row))
            if chosen in row.spans:
                draft.to_confirm.append(
                    ToConfirm(
                        Msg(
                            "the symbol's cell is merged over %(n)s Pelaksana columns; actor "
                            "'%(actor)s' (the first) chosen",
                            n=row.spans[chosen],
                            actor=names[chosen],
                        ),
                        **where("Pelaksana"),
                        fix="actor",
                        step=index,
                    )
                )
            if len(cols) > 1:
                listed = ", ".join(names[c] for c in sorted(cols, key=lambda c: c != chosen))
                draft.to_confirm.append(
                    ToConfirm(
                        Msg(
                            "symbols in several columns (%(columns)s); actor '%(actor)s' chosen",
                            columns=listed,
                            actor=names[chosen],
                        ),
                        **where("Pelaksana"),
                        fix="actor",
                        step=index,
                    )
                )
            return actor_ids[chosen]
    # No symbol: the actor the activity names, else the actor of the row above.
    activity = norm(" ".join(row.activity))
    for col, name in names.items():
        if norm(name) and norm(name) in activity:
            draft.to_confirm.append(
                ToConfirm(
                    Msg(
                        "no symbol in any Pelaksana column; actor '%(actor)s' read from the "
                        "activity",
                        actor=name,
                    ),
                    **where("Pelaksana"),
                    fix="actor",
                    step=index,
                )
            )
            return actor_ids[col]
    first = next(iter(names))
    above: str = steps[-1]["actor"] if steps else actor_ids[first]
    label = next((n for c, n in names.items() if actor_ids[c] == above), above)
    draft.to_confirm.append(
        ToConfirm(
            Msg(
                "no symbol in any Pelaksana column; actor '%(actor)s' (of the row above) assumed",
                actor=label,
            ),
            **where("Pelaksana"),
            fix="actor",
            step=index,
        )
    )
    return above


def _time_fix(text: str) -> str:
    """``time_unit`` when the time reads once its unit is stated (a number without a unit)."""
    try:
        parse_time(text, unit="jam")
    except TimeTextError:
        return ""
    return "time_unit"


def _named_at(name: str, row: Row) -> int:
    """Where the activity names the actor (first: the subject), or after its end."""
    activity = norm(" ".join(row.activity))
    at = activity.find(norm(name)) if norm(name) else -1
    return at if at >= 0 else len(activity) + 1


def _decision(
    draft: Draft,
    activity: str,
    note: str,
    i: int,
    step_ids: list[str],
    by_no: dict[str, str],
    where: _Where,
) -> dict[str, Any]:
    """Outcomes Ya and Tidak: targets the text names ("jika tidak, kembali ke kegiatan 3"),
    else the next row for Ya and, for Tidak, the end, listed to confirm."""
    following = step_ids[i + 1] if i + 1 < len(step_ids) else "selesai"
    targets: dict[str, str] = {}
    for m in _TIDAK_TARGET.finditer(f"{activity} {note}"):
        label = m[1].capitalize()
        target = by_no.get(m[2].lower())
        if target and label not in targets:
            targets[label] = target
    if "Ya" not in targets:
        targets["Ya"] = following
    if "Tidak" not in targets:
        targets["Tidak"] = "selesai"
        draft.to_confirm.append(
            ToConfirm(
                Msg(
                    "decision: the text does not say where 'Tidak' leads; it ends the "
                    "procedure in the draft"
                ),
                **where("Kegiatan"),
                fix="decision_target",
                step=i,
            )
        )
    return {"outcomes": [{"label": k, "to": targets[k]} for k in ("Ya", "Tidak")]}
