"""The library of shipped procedures: the YAML files in this package, loaded once.

The shipped SOPs are templates: public documents anyone may read, which an agency adopts as
its own published version (:func:`laksana.procedures.services.adopt`). They are read on first
use and kept for the life of the process.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from laksana.engine.loader import load_procedure
from laksana.engine.spec import ProcedureSpec

PROCEDURES_DIR = Path(__file__).resolve().parent


class LibraryError(Exception):
    """A shipped procedure file is inconsistent with the library (e.g. its id)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One shipped procedure: its checked spec and the file it was loaded from."""

    spec: ProcedureSpec
    path: Path
    checksum: str  # SHA-256 of the file's text, as a published copy of it would have

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def decision_count(self) -> int:
        return sum(1 for step in self.spec.steps if step.is_decision)


@functools.cache
def _entries() -> dict[str, Entry]:
    # A broken shipped file raises ProcedureErrors here: it is a bug of the release, caught
    # by `make check`, and must not be hidden by showing a shorter library.
    entries: dict[str, Entry] = {}
    for path in sorted(PROCEDURES_DIR.glob("*.yaml"), key=lambda p: p.name):
        spec = load_procedure(path)
        if spec.id != path.stem:
            raise LibraryError(f"{path}: the id {spec.id!r} differs from the file name")
        checksum = hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
        entries[spec.id] = Entry(spec=spec, path=path, checksum=checksum)
    return entries


def entries() -> list[Entry]:
    """Every shipped procedure, sorted by file name."""
    return list(_entries().values())


def get(procedure_id: str) -> Entry:
    """The shipped procedure with this id; KeyError when there is none."""
    return _entries()[procedure_id]


def clear_cache() -> None:
    """Forget the loaded files (tests, or a future reload command)."""
    _entries.cache_clear()
