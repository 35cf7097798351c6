"""Sheets of domain modules in the catalogue's workbook (the monitoring module's
"Pemantauan"), without the catalogue importing them, like :mod:`laksana.catalog.panels`.

A module registers, in its ``AppConfig.ready()``, a :class:`SheetReader` under the sheet's
name. The import reads the named sheet of an XLSX workbook (headers matched without regard
to case) beside the applications and checks it with the applications of the agency and of the
same file (:meth:`SheetReader.check`, which writes nothing); without any problem in any sheet
the applications are written and then every sheet's rows (:attr:`Pending.commit`), all in the
import's one transaction. The export adds each sheet after the applications.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from laksana.catalog.models import Application
    from laksana.catalog.spreadsheet import ParsedRow, Problem
    from laksana.org.models import Agency, Person


@dataclass
class SheetImport:
    """What a sheet's check knows: who imports, into which agency, and the applications
    the same file enters (read, not yet written)."""

    actor: Person | None
    agency: Agency
    new_applications: Sequence[ParsedRow]


@dataclass
class Pending:
    """A checked sheet: its problems, and what writes its rows once the applications are
    written (called only when no sheet has a problem)."""

    problems: list[Problem] = field(default_factory=list)
    commit: Callable[[], int] = lambda: 0


class SheetReader(Protocol):
    def check(self, grid: list[list[Any]], context: SheetImport) -> Pending: ...

    def export(
        self, person: Person | None, applications: Sequence[Application]
    ) -> tuple[list[str], list[list[Any]]]: ...


_SHEETS: dict[str, SheetReader] = {}


def register_sheet(name: str, reader: SheetReader) -> None:
    """Register (or replace, by ``name``) a module's sheet of the catalogue's workbook."""
    _SHEETS[name] = reader


def names() -> list[str]:
    """The registered sheets' names, in the order of registration."""
    return list(_SHEETS)


def check_all(grids: dict[str, list[list[Any]]], context: SheetImport) -> list[Pending]:
    """Every registered sheet the workbook holds, checked."""
    return [reader.check(grids[name], context) for name, reader in _SHEETS.items() if name in grids]


def exported(
    person: Person | None, applications: Sequence[Application]
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Each registered sheet as (name, headers, rows) for these applications."""
    out = []
    for name, reader in _SHEETS.items():
        headers, rows = reader.export(person, applications)
        out.append((name, headers, rows))
    return out
