"""The case journal: append-only, hash-chained per case, and its verification.

Each entry's hash is SHA-256 over a canonical JSON of (case reference, seq, kind, actor id,
actor name, time, data, previous hash). Appending happens only inside a service's transaction,
with the case row locked, so the chain's head on the case row is always the last entry.

The chain has no secret: whoever can write to the database can recompute it. The daily seals
(:mod:`laksana.cases.seals`, keyed) and the comparison of the case's rows with its entries
(:mod:`laksana.cases.coverage`) close that gap; ``laksana journal verify`` runs all of them
(:mod:`laksana.cases.integrity`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from laksana.cases import store
from laksana.cases.models import Case, JournalEntry, JournalKind
from laksana.org.models import Person


def entry_hash(
    reference: str,
    seq: int,
    kind: str,
    actor_id: int | None,
    actor_name: str,
    at: dt.datetime,
    data: Any,
    prev_hash: str,
) -> str:
    """The hash of one journal entry (the function verification recomputes)."""
    payload = json.dumps(
        {
            "case": reference,
            "seq": seq,
            "kind": kind,
            "actor": actor_id,
            "actor_name": actor_name,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "data": data,
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_COLUMNS = ("case", "seq", "kind", "actor", "actor_name", "at", "data", "prev_hash", "hash")


def append(
    case: Case,
    kind: JournalKind,
    actor: Person | None,
    at: dt.datetime,
    data: dict[str, Any],
    *,
    batch: list[tuple[Any, ...]] | None = None,
) -> None:
    """Append an entry to the case's chain. The caller holds the case row lock and saves the
    case afterwards (its journal head changes here). With ``batch``, the entry is added to
    that list instead, for :func:`write` to insert with the action's other entries."""
    # Round-trip through JSON so the stored data is exactly what was hashed; the text is
    # stored as it is (it is what the field would write for the data read back).
    text = json.dumps(data, cls=DjangoJSONEncoder)
    data = json.loads(text)
    seq = case.journal_seq + 1
    name = actor.name if actor else ""
    actor_id = actor.pk if actor else None
    digest = entry_hash(case.reference, seq, kind, actor_id, name, at, data, case.journal_hash)
    row = (case.pk, seq, str(kind), actor_id, name, at, store.Json(text), case.journal_hash, digest)
    if batch is None:
        write([row])
    else:
        batch.append(row)
    case.journal_seq = seq
    case.journal_hash = digest


def write(rows: list[tuple[Any, ...]]) -> None:
    """Insert entries made by :func:`append` with a batch (one prepared statement)."""
    store.insert(JournalEntry, _COLUMNS, rows)


@dataclass(frozen=True)
class Break:
    """The first broken entry of a case's chain, and why it is broken."""

    case_reference: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"case {self.case_reference}, entry {self.seq}: {self.reason}"


def verify_case(case: Case) -> Break | None:
    """Check one case's chain from the first entry; the first break, or None."""
    prev = ""
    expected = 1
    for e in case.journal.order_by("seq").iterator(chunk_size=2000):
        if e.seq != expected:
            return Break(
                case.reference, expected, f"entry {expected} is missing (next found is {e.seq})"
            )
        if e.prev_hash != prev:
            return Break(case.reference, e.seq, "does not link to the entry before it")
        digest = entry_hash(
            case.reference, e.seq, e.kind, e.actor_id, e.actor_name, e.at, e.data, e.prev_hash
        )
        if digest != e.hash:
            return Break(case.reference, e.seq, "its content was changed after it was written")
        prev = e.hash
        expected += 1
    if case.journal_seq != expected - 1:
        return Break(
            case.reference,
            expected,
            f"the case records {case.journal_seq} entries but {expected - 1} are present",
        )
    if case.journal_hash != prev:
        return Break(case.reference, expected - 1, "the last entry is not the case's recorded head")
    return None


def verify_all() -> Iterator[tuple[Case, Break | None]]:
    """Every case with the result of checking its chain."""
    for case in Case.objects.order_by("id").iterator(chunk_size=500):
        yield case, verify_case(case)
