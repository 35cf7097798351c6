"""What a Word import made: the draft as plain data, and the items the import could not
decide (:class:`ToConfirm`), each with its place in the source and the correction a screen may
offer; and the refusal of a file the import cannot read (:class:`ImportRefused`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from laksana.engine.messages import Msg, as_data


class ImportRefused(Exception):
    """The file is not an SOP AP Word document the import can read (the reason, an English
    :class:`~laksana.engine.messages.Msg`, is ``args[0]``)."""

    @property
    def message(self) -> Msg:
        reason = self.args[0] if self.args else ""
        return reason if isinstance(reason, Msg) else Msg(str(reason).replace("%", "%%"))


@dataclass(frozen=True)
class ToConfirm:
    """One thing the import could not decide: where in the source, and what was chosen.

    ``text`` is an English :class:`~laksana.engine.messages.Msg` (the command prints it, a
    screen shows it translated). The place is kept as parts, so a screen can point at it:
    ``table`` (the flowchart table's number in the document; 0 for the identity table),
    ``row`` (1-based in that table; 0 for the whole table or a column), the row's ``no`` and
    the ``column``. ``fix`` says which correction a screen may offer (``actor``: choose the
    row's actor; ``time_unit``: choose the unit of a time written without one;
    ``decision_target``: choose where 'Tidak' leads), on step ``step`` (its index in the
    steps)."""

    text: Msg
    table: int = 0
    row: int = 0
    no: str = ""
    column: str = ""
    fix: str = ""
    step: int | None = None

    @property
    def where(self) -> Msg:
        if not self.table:
            return Msg("identity table")
        if self.row and self.no:
            return Msg(
                "flowchart table %(table)s, row %(row)s (No %(no)s), column '%(column)s'",
                table=self.table,
                row=self.row,
                no=self.no,
                column=self.column,
            )
        if self.row:
            return Msg(
                "flowchart table %(table)s, row %(row)s, column '%(column)s'",
                table=self.table,
                row=self.row,
                column=self.column,
            )
        if self.column:
            return Msg(
                "flowchart table %(table)s, column '%(column)s'",
                table=self.table,
                column=self.column,
            )
        return Msg("flowchart table %(table)s", table=self.table)

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"

    def as_data(self) -> dict[str, Any]:
        """The item as JSON data: the English ``where`` and ``text``, the message to translate
        (``message``, see :func:`~laksana.engine.messages.as_data`) and the place's parts."""
        return {
            "where": str(self.where),
            "text": str(self.text),
            "message": as_data(self.text),
            "where_message": as_data(self.where),
            "table": self.table,
            "row": self.row,
            "no": self.no,
            "column": self.column,
            "fix": self.fix,
            "step": self.step,
        }


@dataclass
class Draft:
    """The draft procedure as plain data, and what the author must confirm."""

    data: dict[str, Any]
    to_confirm: list[ToConfirm] = field(default_factory=list)
    # Every Pelaksana column as an actor: {"id", "name", "kind"} (the draft's actors are
    # those a row uses).
    columns: list[dict[str, str]] = field(default_factory=list)
    table_no: int = 0  # the flowchart table's number in the document
    # The flowchart table as read: see :func:`~laksana.procedures.docx_read.source_rows`.
    source_table: list[dict[str, Any]] = field(default_factory=list)

    def yaml(self) -> str:
        head = ["# Draft imported from Word by `laksana procedure import-docx`."]
        if self.to_confirm:
            head.append("# To confirm before the draft is saved:")
            head.extend(f"#  - {item}" for item in self.to_confirm)
        body = yaml.safe_dump(
            self.data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
        )
        return "\n".join(head) + "\n" + body
