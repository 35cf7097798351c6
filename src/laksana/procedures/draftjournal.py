"""The journal of an agency's procedure drafts: append-only, hash-chained per agency.

Each entry's ``hash`` is the SHA-256 of the agency, its sequence number, kind, draft,
procedure key, who, when, its data (canonical JSON) and the previous entry's hash, so a row
changed afterwards, removed or put in breaks the chain (:func:`verify_journal`). Only
:mod:`laksana.procedures.drafts` appends (inside its write's transaction)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.org.models import Agency, Person
from laksana.procedures.models import ProcedureDraft, ProcedureEvent, ProcedureEventKind


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *,
    agency_id: int,
    seq: int,
    kind: str,
    draft_id: int,
    procedure_key: str,
    by_id: int | None,
    at_iso: str,
    data: Any,
    prev_hash: str,
) -> str:
    parts = [
        str(agency_id),
        str(seq),
        kind,
        str(draft_id),
        procedure_key,
        "" if by_id is None else str(by_id),
        at_iso,
        canonical_json(data),
        prev_hash,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _hash_of(event: ProcedureEvent) -> str:
    return event_hash(
        agency_id=event.agency_id,
        seq=event.seq,
        kind=event.kind,
        draft_id=event.draft_id,
        procedure_key=event.procedure_key,
        by_id=event.by_id,
        at_iso=event.at.isoformat(),
        data=event.data,
        prev_hash=event.prev_hash,
    )


def append(
    draft: ProcedureDraft, kind: ProcedureEventKind, by: Person | None, data: dict[str, Any]
) -> ProcedureEvent:
    """Append one entry for ``draft`` (call inside the write's transaction): the agency's last
    entry is locked so two writers cannot take one number."""
    last = (
        ProcedureEvent.objects.select_for_update()
        .filter(agency_id=draft.agency_id)
        .order_by("-seq")
        .first()
    )
    if last is None:  # the agency's first entry: lock the agency instead
        Agency.objects.select_for_update().filter(pk=draft.agency_id).first()
    seq = 1 if last is None else last.seq + 1
    prev = "" if last is None else last.hash
    at = timezone.now()
    data = json.loads(canonical_json(data))  # stored as it is hashed
    event = ProcedureEvent(
        agency_id=draft.agency_id,
        seq=seq,
        draft=draft,
        procedure_key=draft.procedure_key,
        kind=kind,
        by=by,
        by_name=by.name if by is not None else "",
        at=at,
        data=data,
        prev_hash=prev,
    )
    event.hash = _hash_of(event)
    event.save()
    return event


def entries(agency: Agency | int) -> QuerySet[ProcedureEvent]:
    agency_id = agency if isinstance(agency, int) else agency.pk
    return ProcedureEvent.objects.filter(agency_id=agency_id).order_by("seq")


def verify_journal(agency: Agency | int) -> list[str]:
    """The problems of the agency's journal (an empty list: intact): a number missing or out
    of place, an entry whose hash does not match what it says, a broken link."""
    problems: list[str] = []
    prev = ""
    expected = 1
    for event in entries(agency).iterator():
        if event.seq != expected:
            problems.append(
                _("entry %(seq)s: expected number %(expected)s")
                % {"seq": event.seq, "expected": expected}
            )
        if event.prev_hash != prev:
            problems.append(
                _("entry %(seq)s: does not follow the entry before it") % {"seq": event.seq}
            )
        if _hash_of(event) != event.hash:
            problems.append(_("entry %(seq)s: changed after it was written") % {"seq": event.seq})
        prev = event.hash
        expected = event.seq + 1
    return problems
