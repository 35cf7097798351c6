"""What the case page shows, built from the rows already read: the steps of the procedure
with their state and clocks, the disposition chain as a tree, and the journal as sentences.

Nothing here queries the database; the view reads the rows once and passes them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from laksana.cases import artifacts as case_artifacts
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStep,
    Disposition,
    JournalEntry,
    JournalKind,
    StepStatus,
    Urgency,
)
from laksana.engine.sourcerows import step_label
from laksana.engine.spec import ProcedureSpec, Step
from laksana.engine.worktime import Calendar
from laksana.worktime.display import (
    DuePhrase,
    Span,
    due_phrase,
    duration_text,
    minutes_span,
    span,
)

# --- step clocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepClock:
    """A step's time against its standard, in words.

    ``state``: ``due`` or ``overdue`` (running), ``held`` (on hold), ``within`` or ``over``
    (finished against its standard), ``done`` (finished, no standard).
    """

    state: str
    text: str
    standard: str = ""


def actual_minutes(calendar: Calendar, row: CaseStep) -> float | None:
    """The working minutes a finished step took: from its activation to its completion,
    less the working time it spent on hold. None while it is not finished."""
    if row.completed_at is None:
        return None
    taken = calendar.working_minutes_between(row.activated_at, row.completed_at)
    return max(0.0, taken - row.held_minutes)


def _within(calendar: Calendar, row: CaseStep, step: Step) -> bool:
    assert row.completed_at is not None and step.time is not None
    due = row.due_at
    if due is None:
        # A step activated before due times were stored: its due time as it would have been.
        due = calendar.due(row.activated_at, step.time)
        if row.held_minutes > 0:
            due = calendar.add_working_minutes(due, row.held_minutes)
    return row.completed_at <= due


def step_clock(calendar: Calendar, row: CaseStep, step: Step, now: dt.datetime) -> StepClock | None:
    """How an active step stands against its due time, or what a finished one took against
    its standard. None for an active step without a time standard."""
    standard = step.time.text if step.time else ""
    if row.completed_at is not None:
        actual = actual_minutes(calendar, row) or 0.0
        taken = duration_text(minutes_span(calendar, row.activated_at, actual))
        if step.time is None:
            return StepClock("done", taken)
        if _within(calendar, row, step):
            # Translators: e.g. "2 jam 10 menit (standar ±1-2 Jam) — dalam standar".
            text = _("%(actual)s (standard %(standard)s) — within the standard")
            state = "within"
        else:
            text = _("%(actual)s (standard %(standard)s) — over the standard")
            state = "over"
        return StepClock(state, text % {"actual": taken, "standard": standard}, standard)
    if row.on_hold_since is not None:
        if row.due_at is None:
            return StepClock("held", _("On hold: the clock is stopped."), standard)
        if row.on_hold_since < row.due_at:
            left = duration_text(span(calendar, row.on_hold_since, row.due_at))
            text = _("On hold with %(duration)s of working time left.") % {"duration": left}
        else:
            late = duration_text(span(calendar, row.due_at, row.on_hold_since))
            text = _("On hold, overdue by %(duration)s.") % {"duration": late}
        return StepClock("held", text, standard)
    if row.due_at is None:
        return None
    phrase: DuePhrase = due_phrase(calendar, row.due_at, now)
    return StepClock(phrase.state, phrase.text, standard)


def case_clock(calendar: Calendar, case: Case, now: dt.datetime) -> StepClock | None:
    """How the case stands against its own due time (its procedure's overall service
    time): due or overdue while it runs, within or over once finished; None when the
    procedure states no service time. Holds of steps do not move the case's due time."""
    if case.due_at is None:
        return None
    time = case.version.spec.identity.service_time
    standard = time.text if time is not None else ""
    if case.finished_at is not None:
        if case.finished_at <= case.due_at:
            text = _("Finished within the service time (%(standard)s).")
            return StepClock("within", text % {"standard": standard}, standard)
        late = duration_text(span(calendar, case.due_at, case.finished_at))
        text = _("Finished %(duration)s after the service time (%(standard)s).")
        return StepClock("over", text % {"duration": late, "standard": standard}, standard)
    phrase = due_phrase(calendar, case.due_at, now)
    return StepClock(phrase.state, phrase.text, standard)


def is_overdue(case: Case, now: dt.datetime) -> bool:
    """A running case past its own due time."""
    return case.finished_at is None and case.due_at is not None and case.due_at < now


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
    clock: StepClock | None = None  # the active step's due time, or the last completion's time


def provided(
    case: Case,
    step: Step,
    attachments: Sequence[Attachment],
    dispositions: Sequence[Disposition],
) -> list[tuple[str, list[Attachment]]]:
    """The requirements of ``step`` the case really holds, with their files: the "✓" marks of
    the step's form. A value that names no attachment of the case or no disposition sent on
    it is not shown as provided (:func:`laksana.cases.artifacts.held`)."""
    spec = case.version.spec
    held = case_artifacts.held(case, step.requires, attachments, dispositions)
    return [(spec.artifact(key).name, files) for key, files in held.items()]


def step_lines(
    spec: ProcedureSpec,
    rows: Sequence[CaseStep],
    holder_names: Mapping[int, Sequence[str]],
    calendar: Calendar | None = None,
    now: dt.datetime | None = None,
) -> list[StepLine]:
    """Every step of the procedure in order, with what happened to it in this case (and,
    given the agency's calendar, its time against its standard)."""
    by_step: dict[str, list[CaseStep]] = {}
    for row in rows:
        by_step.setdefault(row.step_key, []).append(row)
    lines = []
    for step in spec.steps:
        mine = by_step.get(step.id, [])
        active = next((r for r in mine if r.status == StepStatus.ACTIVE), None)
        done = [r for r in mine if r.status == StepStatus.COMPLETED]
        state = "active" if active else "done" if done else "waiting"
        shown = active or (done[-1] if done else None)
        clock = None
        if calendar is not None and shown is not None:
            clock = step_clock(calendar, shown, step, now or timezone.now())
        lines.append(
            StepLine(
                step=step,
                actor_name=spec.actor(step.actor).name,
                state=state,
                done=done[-1] if done else None,
                active=active,
                visits=len(mine),
                holders=holder_names.get(active.pk, ()) if active else (),
                clock=clock,
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
        return step_label(spec, spec.step(step_id))
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


# A test run's results (the testing module writes the code).
_RESULTS: dict[str, Any] = {
    "diterima": _lazy("Accepted"),
    "diterima_dengan_catatan": _lazy("Accepted with notes"),
    "ditolak": _lazy("Rejected"),
}

# The events of an official document of the case (written by the documents module).
_DOCUMENT_EVENTS: dict[str, Any] = {
    JournalKind.DOCUMENT_DRAFTED: _lazy("%(who)s drafted %(title)s (%(number)s)."),
    JournalKind.DOCUMENT_SUBMITTED: _lazy("%(who)s sent %(title)s for initials and signatures."),
    JournalKind.INITIALLED: _lazy("%(who)s initialled %(title)s."),
    JournalKind.SIGNED: _lazy("%(who)s signed %(title)s."),
    JournalKind.DOCUMENT_RETURNED: _lazy("%(who)s returned %(title)s to its author."),
    JournalKind.DOCUMENT_FINAL: _lazy("%(title)s is final: number %(number)s."),
    # The events of a test run (written by the testing module).
    JournalKind.TEST_RUN_STARTED: _lazy("%(who)s started %(title)s."),
    JournalKind.TEST_RUN_CLOSED: _lazy("%(who)s closed %(title)s: %(result)s."),
    JournalKind.TEST_RUN_REOPENED: _lazy("%(who)s reopened %(title)s."),
    JournalKind.FINDING_RECORDED: _lazy("%(who)s recorded finding %(title)s."),
}


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
    elif kind == JournalKind.HELD:
        item.text = _("%(who)s put step %(no)s on hold.") % {
            "who": who,
            "no": _step_label(spec, data.get("step")),
        }
        item.details.append((_("Reason"), str(data.get("reason", ""))))
    elif kind == JournalKind.RESUMED:
        item.text = _("%(who)s resumed step %(no)s.") % {
            "who": who,
            "no": _step_label(spec, data.get("step")),
        }
        held = float(data.get("held_minutes") or 0)
        if held >= 1:
            whole = int(held)
            item.details.append(
                (_("Working time on hold"), duration_text(Span(0, whole // 60, whole % 60)))
            )
        if data.get("due_after"):
            item.details.append((_("New due time"), _local(data.get("due_after"))))
    elif kind == JournalKind.RELEASED:
        item.text = _("%(who)s released step %(no)s: it is offered to its holders again.") % {
            "who": who,
            "no": _step_label(spec, data.get("step")),
        }
    elif kind == JournalKind.TAKEN_OVER:
        item.text = _("%(who)s took step %(no)s over from %(from)s.") % {
            "who": who,
            "no": _step_label(spec, data.get("step")),
            "from": data.get("from_name", "?"),
        }
    elif kind in (JournalKind.JOINT_CONFIRMED, JournalKind.COPY_SENT):
        actors = [str(a) for a in data.get("actors") or []]
        names = ", ".join(spec.actor(a).name if spec.has_actor(a) else a for a in actors)
        values = {"who": who, "no": _step_label(spec, data.get("step")), "actors": names}
        if kind == JournalKind.JOINT_CONFIRMED:
            item.text = _("%(who)s confirmed the part of %(actors)s in step %(no)s.") % values
        else:
            item.text = _("A copy of step %(no)s was sent to %(actors)s (tembusan).") % values
    elif kind == JournalKind.CLOSED:
        end = str(event.get("end", ""))
        label = spec.end(end).label if spec.is_end(end) else end
        if data.get("reason"):  # closed by its administrators (laksana.cases.closing)
            item.text = _("%(who)s closed the case: %(reason)s") % {
                "who": who,
                "reason": str(data["reason"]),
            }
        else:
            item.text = _("The case was closed: %(end)s.") % {"end": label}
    elif kind in _DOCUMENT_EVENTS:
        item.text = str(_DOCUMENT_EVENTS[kind]) % {
            "who": who,
            "title": data.get("title") or _("a document"),
            "number": data.get("number") or "",
            "result": str(_RESULTS.get(data.get("result") or "", data.get("result") or "")),
        }
        if data.get("note"):
            item.details.append((_("Note"), str(data["note"])))
        if data.get("sha256"):
            item.details.append((_("SHA-256 of the PDF"), str(data["sha256"])))
    elif kind == JournalKind.RECOVERED:
        # Written by the monitoring module: the application is up again by itself.
        item.text = _("Recovered by itself at %(at)s (monitoring).") % {
            "at": _local(data.get("at"))
        }
        if data.get("downtime_minutes") is not None:
            item.details.append((_("Downtime (minutes)"), str(data["downtime_minutes"])))
        if data.get("reason"):
            item.details.append((_("Reason"), str(data["reason"])))
    elif kind == JournalKind.ACTIVITY_RECORDED:
        # Written by the maintenance module.
        item.text = _("%(who)s recorded the maintenance activity %(title)s (due %(due)s).") % {
            "who": who,
            "title": data.get("title", ""),
            "due": data.get("due_on", ""),
        }
        if data.get("done") is False:
            item.text = _("%(who)s recorded the maintenance activity %(title)s as not done.") % {
                "who": who,
                "title": data.get("title", ""),
            }
        item.quote = str(data.get("report") or data.get("reason") or "")
    elif kind == JournalKind.CYCLE_EVALUATED:
        item.text = _(
            "%(who)s evaluated maintenance cycle %(number)s: %(met)s of %(total)s criteria met."
        ) % {
            "who": who,
            "number": data.get("cycle", "?"),
            "met": data.get("met", "?"),
            "total": data.get("total", "?"),
        }
    elif kind == JournalKind.CRITERION_OVERRIDDEN:
        item.text = _("%(who)s overrode the criterion %(label)s: %(computed)s → %(achieved)s.") % {
            "who": who,
            "label": data.get("label", ""),
            "computed": _("met") if data.get("computed") else _("not met"),
            "achieved": _("met") if data.get("achieved") else _("not met"),
        }
        item.quote = str(data.get("reason") or "")
    elif kind == JournalKind.DOWN_AGAIN:
        item.text = _("Down again at %(at)s (monitoring).") % {"at": _local(data.get("at"))}
        if data.get("reason"):
            item.details.append((_("Reason"), str(data["reason"])))
    else:
        item.text = f"{who}: {e.get_kind_display()}"
    return item
