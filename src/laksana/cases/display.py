"""What the case page shows, built from the rows already read: the steps of the procedure
with their state, the disposition chain as a tree, and the journal as sentences.

Nothing here queries the database; the view reads the rows once and passes them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from laksana.cases.models import (
    Attachment,
    CaseStep,
    Disposition,
    JournalEntry,
    JournalKind,
    StepStatus,
    Urgency,
)
from laksana.engine.spec import ProcedureSpec, Step

# --- the steps of the procedure ------------------------------------------------------------


@dataclass
class StepLine:
    """One step of the procedure on the case page: done, active or not reached."""

    step: Step
    actor_name: str
    state: str  # "done", "active" or "waiting"
    done: CaseStep | None = None  # the latest completion
    active: CaseStep | None = None
    visits: int = 0
    holders: Sequence[str] = ()


def step_lines(
    spec: ProcedureSpec, rows: Sequence[CaseStep], holder_names: Mapping[int, Sequence[str]]
) -> list[StepLine]:
    """Every step of the procedure in order, with what happened to it in this case."""
    by_step: dict[str, list[CaseStep]] = {}
    for row in rows:
        by_step.setdefault(row.step_key, []).append(row)
    lines = []
    for step in spec.steps:
        mine = by_step.get(step.id, [])
        active = next((r for r in mine if r.status == StepStatus.ACTIVE), None)
        done = [r for r in mine if r.status == StepStatus.COMPLETED]
        state = "active" if active else "done" if done else "waiting"
        lines.append(
            StepLine(
                step=step,
                actor_name=spec.actor(step.actor).name,
                state=state,
                done=done[-1] if done else None,
                active=active,
                visits=len(mine),
                holders=holder_names.get(active.pk, ()) if active else (),
            )
        )
    return lines


# --- the disposition chain -----------------------------------------------------------------


@dataclass
class ChainNode:
    """A disposition in the chain, with its depth (0 for one sent directly on the case)."""

    disposition: Disposition
    depth: int
    step: Step | None


def disposition_chain(spec: ProcedureSpec, rows: Sequence[Disposition]) -> list[ChainNode]:
    """The dispositions as a tree flattened in reading order: each followed by its forwards."""
    children: dict[int | None, list[Disposition]] = {}
    ids = {d.pk for d in rows}
    for d in sorted(rows, key=lambda d: (d.created_at, d.pk)):
        parent = d.parent_id if d.parent_id in ids else None
        children.setdefault(parent, []).append(d)
    out: list[ChainNode] = []
    stack = [(d, 0) for d in reversed(children.get(None, []))]
    while stack:
        d, depth = stack.pop()
        step = spec.step(d.step.step_key) if d.step is not None else None
        out.append(ChainNode(disposition=d, depth=min(depth, 6), step=step))
        stack.extend((c, depth + 1) for c in reversed(children.get(d.pk, [])))
    return out


# --- the timeline --------------------------------------------------------------------------


@dataclass
class TimelineItem:
    """One journal entry as a sentence, with its details (instruction, text, files)."""

    entry: JournalEntry
    text: str
    kind: str
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    quote: str = ""
    outcome: str = ""
    files: list[Attachment] = field(default_factory=list)


def _step_label(spec: ProcedureSpec, step_id: object) -> str:
    if isinstance(step_id, str) and spec.has_step(step_id):
        return spec.step(step_id).number
    return "?"


def _local(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return formats.date_format(timezone.localtime(moment), "j M Y H:i")


def _urgency(value: object) -> str:
    try:
        return str(Urgency(str(value)).label)
    except ValueError:
        return str(value)


def timeline(
    spec: ProcedureSpec,
    entries: Sequence[JournalEntry],
    dispositions: Mapping[int, Disposition],
    attachments: Mapping[int, Attachment],
) -> list[TimelineItem]:
    """The journal as sentences in the user's language, oldest first."""
    return [_item(spec, e, dispositions, attachments) for e in entries]


def _item(
    spec: ProcedureSpec,
    e: JournalEntry,
    dispositions: Mapping[int, Disposition],
    attachments: Mapping[int, Attachment],
) -> TimelineItem:
    data: dict[str, Any] = e.data or {}
    event: dict[str, Any] = data.get("event") or {}
    who = e.actor_name or _("Laksana")
    item = TimelineItem(entry=e, text="", kind=e.kind)
    kind = e.kind
    if kind == JournalKind.OPENED:
        item.text = _("%(who)s opened the case.") % {"who": who}
    elif kind == JournalKind.STEP_ACTIVATED:
        step_id = str(event.get("step"))
        activity = spec.step(step_id).activity if spec.has_step(step_id) else ""
        visit = int(event.get("visit") or 1)
        if visit > 1:
            item.text = _("Step %(no)s began again (round %(visit)s): %(activity)s") % {
                "no": _step_label(spec, step_id),
                "visit": visit,
                "activity": activity,
            }
        else:
            item.text = _("Step %(no)s began: %(activity)s") % {
                "no": _step_label(spec, step_id),
                "activity": activity,
            }
    elif kind == JournalKind.CLAIMED:
        item.text = _("%(who)s took step %(no)s.") % {
            "who": who,
            "no": _step_label(spec, data.get("step")),
        }
    elif kind == JournalKind.DISPOSITIONED:
        values = {"who": who, "to": data.get("to_name", "?")}
        if data.get("parent"):
            item.text = _("%(who)s forwarded the disposition to %(to)s.") % values
        elif data.get("step"):
            item.text = _("%(who)s dispositioned step %(no)s to %(to)s.") % {
                **values,
                "no": _step_label(spec, data.get("step")),
            }
        else:
            item.text = _("%(who)s dispositioned the case to %(to)s.") % values
        item.details.append((_("Instruction"), str(data.get("instruction", ""))))
        item.details.append((_("Urgency"), _urgency(data.get("urgency", ""))))
        if data.get("deadline"):
            item.details.append((_("Deadline"), _local(data.get("deadline"))))
        item.quote = str(data.get("note") or "")
    elif kind == JournalKind.READ:
        item.text = _("%(who)s read the disposition.") % {"who": who}
        d = dispositions.get(int(data.get("disposition") or 0))
        if d is not None:
            item.details.append((_("Instruction"), d.instruction))
    elif kind == JournalKind.WITHDRAWN:
        d = dispositions.get(int(data.get("disposition") or 0))
        item.text = _("%(who)s withdrew the disposition to %(to)s.") % {
            "who": who,
            "to": d.recipient.name if d is not None else "?",
        }
    elif kind == JournalKind.COMPLETED:
        item.text = _("%(who)s completed step %(no)s.") % {
            "who": who,
            "no": _step_label(spec, event.get("step")),
        }
        item.outcome = str(event.get("outcome") or "")
        supplied = [
            spec.artifact(k).name
            for k in (event.get("artifacts") or {})
            if k in {a.id for a in spec.artifacts}
        ]
        if supplied:
            item.details.append((_("Supplied"), "; ".join(supplied)))
    elif kind == JournalKind.COMMENT:
        item.text = _("%(who)s commented.") % {"who": who}
        item.quote = str(data.get("text", ""))
    elif kind == JournalKind.REMARK:
        item.text = _("Journal remark by %(who)s.") % {"who": who}
        item.quote = str(data.get("text", ""))
    elif kind == JournalKind.FILE_ADDED:
        artifact = data.get("artifact")
        if artifact and artifact in {a.id for a in spec.artifacts}:
            item.text = _("%(who)s added the file %(name)s for %(artifact)s.") % {
                "who": who,
                "name": data.get("name", ""),
                "artifact": spec.artifact(artifact).name,
            }
        else:
            item.text = _("%(who)s added the file %(name)s.") % {
                "who": who,
                "name": data.get("name", ""),
            }
        a = attachments.get(int(data.get("attachment") or 0))
        if a is not None:
            item.files.append(a)
    elif kind == JournalKind.CLOSED:
        end = str(event.get("end", ""))
        label = spec.end(end).label if spec.is_end(end) else end
        item.text = _("The case was closed: %(end)s.") % {"end": label}
    else:
        item.text = f"{who}: {e.get_kind_display()}"
    return item
