"""What the journal says the rows of a case are, compared with the rows.

A case page shows the case's status, its step rows, its dispositions and its attachments (with
their checksums). Every change the services make to them is written with a journal entry that
carries what changed, so replaying a case's entries gives the rows the case must have;
:func:`check_case` compares them with the database and names every difference, and checks each
attachment's file against its SHA-256.

Replayed from the entries:

- case: ``status``, ``end_key``, ``finished_at`` (``closed``, which also cancels the steps
  it names: a case closed by its administrators), and the engine state's status,
  active steps, completion counts and end (its artifact values are not compared);
- step rows, by (step, visit): ``actor_key``, ``activated_at``, ``due_at`` (``step_activated``,
  moved by ``resumed``), ``claimed_by``/``claimed_at`` (``claimed``), ``on_hold_since``,
  ``hold_reason``, ``held_minutes`` (``held``, ``resumed``), ``status``, ``completed_by``,
  ``completed_at``, ``outcome`` (``completed``), the claim also by ``released`` and
  ``taken_over``, ``assigned_to`` (``reassigned``, which also releases the claim);
- dispositions: sender, recipient, step, parent, instruction, urgency, deadline, note, sent
  time (``dispositioned``), status, read and closed times (``read``, ``withdrawn``, forwarding,
  the step's completion);
- attachments: step, artifact, name, uploader, time, SHA-256 and size (``file_added``).

Kinds this module does not know are tolerated: an entry of another kind that names a step and
carries ``claimed_by`` (a claim released or taken over) sets the step's claim; one that names a
step or a disposition without saying what it changed leaves that row's claim, or its status and
times, unchecked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.db.models.fields.files import FieldFile

from laksana.cases.models import (
    OPEN_DISPOSITION,
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    DispositionStatus,
    JournalEntry,
    JournalKind,
    StepStatus,
)

_CLAIM = ("claimed_by_id", "claimed_at")
_DISPOSITION_STATE = ("status", "read_at", "closed_at")
# A claim given up, and a claim taken over by the claimant's superior (the entry's actor).
_RELEASED, _TAKEN_OVER = "released", "taken_over"
_KNOWN = {*JournalKind.values, _RELEASED, _TAKEN_OVER}


def _time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


class _Replay:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.spec = case.version.spec
        self.status = CaseStatus.RUNNING.value
        self.end_key = ""
        self.finished_at: dt.datetime | None = None
        self.steps: dict[tuple[str, int], dict[str, Any]] = {}
        self.active: dict[str, tuple[str, int]] = {}  # step key -> its active (key, visit)
        self.completions: dict[str, int] = {}
        self.latest: dict[str, tuple[str, int]] = {}
        self.dispositions: dict[int, dict[str, Any]] = {}
        self.attachments: dict[int, dict[str, Any]] = {}
        self.unchecked: dict[tuple[str, Any], set[str]] = {}

    def _step(self, key: Any, visit: Any = None) -> tuple[str, int] | None:
        if visit is not None:
            found = (str(key), int(visit))
            return found if found in self.steps else None
        return self.active.get(str(key)) or self.latest.get(str(key))

    def apply(self, e: JournalEntry) -> None:
        data: dict[str, Any] = e.data if isinstance(e.data, dict) else {}
        found = data.get("event")
        event: dict[str, Any] = found if isinstance(found, dict) else {}
        kind = e.kind
        ref: tuple[str, int] | None
        if kind == JournalKind.STEP_ACTIVATED:
            ref = (str(event["step"]), int(event["visit"]))
            row: dict[str, Any] = {
                "status": StepStatus.ACTIVE.value,
                "actor_key": self.spec.step(ref[0]).actor,
                "activated_at": e.at,
                "claimed_by_id": None,
                "claimed_at": None,
                "assigned_to_id": None,
                "completed_by_id": None,
                "completed_at": None,
                "outcome": "",
                "on_hold_since": None,
                "hold_reason": "",
                "held_minutes": 0.0,
            }
            if "due_at" in data:
                row["due_at"] = _time(data["due_at"])
            self.steps[ref] = row
            self.active[ref[0]] = self.latest[ref[0]] = ref
        elif kind == JournalKind.COMPLETED:
            key = str(event.get("step"))
            self.completions[key] = self.completions.get(key, 0) + 1
            ref = self.active.pop(key, None)
            if ref is not None:
                self.steps[ref].update(
                    status=StepStatus.COMPLETED.value,
                    completed_by_id=e.actor_id,
                    completed_at=e.at,
                    outcome=event.get("outcome") or "",
                )
                for d in self.dispositions.values():
                    if d["step"] == ref and d["status"] in OPEN_DISPOSITION:
                        d.update(status=DispositionStatus.DONE.value, closed_at=e.at)
        elif kind == JournalKind.REASSIGNED:
            ref = self._step(data.get("step"), data.get("visit"))
            if ref is not None:
                self.steps[ref].update(
                    assigned_to_id=data.get("to"), claimed_by_id=None, claimed_at=None
                )
        elif kind == JournalKind.CLOSED:
            # A case closed by its administrators (laksana.cases.closing): its active steps
            # were cancelled, their open dispositions ended with them.
            for item in data.get("cancelled") or []:
                ref = self.active.pop(str(item["step"]), None)
                if ref is None:
                    continue
                self.steps[ref]["status"] = StepStatus.CANCELLED.value
                for d in self.dispositions.values():
                    if d["step"] == ref and d["status"] in OPEN_DISPOSITION:
                        d.update(status=DispositionStatus.DONE.value, closed_at=e.at)
            self.status = CaseStatus.FINISHED.value
            self.end_key = str(event.get("end") or "")
            self.finished_at = e.at
        elif kind in (JournalKind.CLAIMED, JournalKind.HELD, JournalKind.RESUMED) or kind in (
            _RELEASED,
            _TAKEN_OVER,
        ):
            ref = self._step(data.get("step"), data.get("visit"))
            if ref is None:
                return
            row = self.steps[ref]
            if kind in (JournalKind.CLAIMED, _TAKEN_OVER):
                row.update(claimed_by_id=e.actor_id, claimed_at=e.at)
            elif kind == _RELEASED:
                row.update(claimed_by_id=None, claimed_at=None)
            elif kind == JournalKind.HELD:
                row.update(on_hold_since=e.at, hold_reason=str(data.get("reason") or ""))
            else:
                row["held_minutes"] += float(data.get("held_minutes") or 0)
                row.update(on_hold_since=None, hold_reason="")
                if "due_after" in data:
                    row["due_at"] = _time(data["due_after"])
        elif kind == JournalKind.DISPOSITIONED:
            parent = data.get("parent")
            self.dispositions[int(data["disposition"])] = {
                "sender_id": e.actor_id,
                "recipient_id": data.get("to"),
                "instruction": data.get("instruction"),
                "urgency": data.get("urgency"),
                "deadline": _time(data.get("deadline")),
                "note": data.get("note", ""),
                "step": self._step(data["step"]) if data.get("step") else None,
                "parent_id": parent,
                "status": DispositionStatus.UNREAD.value,
                "created_at": e.at,
                "read_at": None,
                "closed_at": None,
            }
            if parent is not None and int(parent) in self.dispositions:
                p = self.dispositions[int(parent)]
                p.update(status=DispositionStatus.FORWARDED.value, closed_at=e.at)
                p["read_at"] = p["read_at"] or e.at
        elif kind in (JournalKind.READ, JournalKind.WITHDRAWN):
            sent = self.dispositions.get(int(data.get("disposition") or 0))
            if sent is None:
                return
            if kind == JournalKind.READ:
                sent.update(status=DispositionStatus.READ.value, read_at=e.at)
                return
            sent.update(status=DispositionStatus.WITHDRAWN.value, closed_at=e.at)
            parent = self.dispositions.get(int(sent["parent_id"] or 0))
            if parent is not None and parent["status"] == DispositionStatus.FORWARDED:
                children_open = any(
                    c["parent_id"] == sent["parent_id"] and c["status"] in OPEN_DISPOSITION
                    for c in self.dispositions.values()
                )
                if not children_open:
                    parent.update(status=DispositionStatus.READ.value, closed_at=None)
        elif kind == JournalKind.FILE_ADDED:
            expected: dict[str, Any] = {
                "step": self._step(data["step"]) if data.get("step") else None,
                "artifact_key": data.get("artifact", ""),
                "original_name": data.get("name"),
                "uploaded_by_id": e.actor_id,
                "uploaded_at": e.at,
            }
            for name in ("sha256", "size"):
                if name in data:
                    expected[name] = data[name]
            self.attachments[int(data["attachment"])] = expected
        elif kind not in _KNOWN:
            self._unknown(data)

    def _unknown(self, data: dict[str, Any]) -> None:
        if data.get("step"):
            ref = self._step(data["step"], data.get("visit"))
            if ref is not None and "claimed_by" in data:
                self.steps[ref].update(
                    claimed_by_id=data["claimed_by"], claimed_at=_time(data.get("claimed_at"))
                )
                self.unchecked.setdefault(("step", ref), set()).add("claimed_at")
            elif ref is not None:
                self.unchecked.setdefault(("step", ref), set()).update(_CLAIM)
        if data.get("disposition"):
            key = ("disposition", int(data["disposition"]))
            self.unchecked.setdefault(key, set()).update(_DISPOSITION_STATE)


def _differences(
    what: str, want: dict[str, Any], have: dict[str, Any], skip: set[str]
) -> list[str]:
    found = []
    for name, value in want.items():
        if name in skip:
            continue
        got = have.get(name)
        same = (
            abs(float(got or 0) - float(value or 0)) < 1e-6
            if name == "held_minutes"
            else got == value
        )
        if not same:
            found.append(f"{what}: {name} is {got!r}, the journal says {value!r}")
    return found


def check_case(case: Case, *, files: bool = True) -> list[str]:
    """Every difference between the case's rows and its journal, and every attachment whose
    file is missing or no longer has its recorded SHA-256."""
    replay = _Replay(case)
    ref = case.reference
    problems: list[str] = []
    for entry in case.journal.order_by("seq").iterator(chunk_size=2000):
        try:
            replay.apply(entry)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(
                f"case {ref}, entry {entry.seq}: its data is not what the services write "
                f"({entry.kind}: {type(exc).__name__} {exc})"
            )
    problems += _differences(
        f"case {ref}",
        {"status": replay.status, "end_key": replay.end_key, "finished_at": replay.finished_at},
        {"status": case.status, "end_key": case.end_key, "finished_at": case.finished_at},
        set(),
    )
    # The engine's snapshot: what decides the next steps (its artifacts are the completions').
    state = case.state if isinstance(case.state, dict) else {}
    problems += _differences(
        f"case {ref}: engine state",
        {
            "status": replay.status,
            "active": sorted(replay.active),
            "completions": replay.completions,
            "end": replay.end_key or None,
        },
        {
            "status": state.get("status"),
            "active": sorted(state.get("active") or []),
            "completions": dict(state.get("completions") or {}),
            "end": state.get("end"),
        },
        set(),
    )
    rows = {(r.step_key, r.visit): r for r in CaseStep.objects.filter(case=case)}
    by_id = {r.pk: key for key, r in rows.items()}

    def fields(row: Any, want: dict[str, Any]) -> dict[str, Any]:
        have = {n: getattr(row, n) for n in want if n != "step"}
        if "step" in want:  # a row's step is named by the step's (key, visit)
            have["step"] = by_id.get(row.step_id) if row.step_id else None
        return have

    kinds: list[tuple[str, Callable[[Any], str], dict[Any, Any], dict[Any, Any]]] = [
        ("step", lambda k: f"step {k[0]} (visit {k[1]})", replay.steps, rows),
        (
            "disposition",
            lambda pk: f"disposition {pk}",
            replay.dispositions,
            {d.pk: d for d in Disposition.objects.filter(case=case)},
        ),
        (
            "attachment",
            lambda pk: f"attachment {pk}",
            replay.attachments,
            {a.pk: a for a in Attachment.objects.filter(case=case)},
        ),
    ]
    for kind, name, wanted, found in kinds:
        found = dict(found)
        for key, want in wanted.items():
            what = f"case {ref}: {name(key)}"
            row = found.pop(key, None)
            if row is None:
                problems.append(f"{what}: the row is missing")
                continue
            unchecked = replay.unchecked.get((kind, key), set())
            problems += _differences(what, want, fields(row, want), unchecked)
            if kind == "attachment" and files:
                problems += _check_file(what, row.file, row.sha256)
        problems += [f"case {ref}: {name(key)} is not in the journal" for key in found]
    return problems


def _check_file(what: str, file: FieldFile, sha256: str) -> list[str]:
    h = hashlib.sha256()
    try:
        with file.storage.open(str(file.name), "rb") as f:
            while chunk := f.read(1024 * 1024):
                h.update(chunk)
    except FileNotFoundError:
        return [f"{what}: the file {file.name} is missing"]
    if h.hexdigest() != sha256:
        return [f"{what}: the file's SHA-256 is {h.hexdigest()}, its row records {sha256}"]
    return []
