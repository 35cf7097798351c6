"""Dispositions: a case, or one of its active steps, forwarded to subordinates with an
instruction; read by the recipient, withdrawn by the sender while it is unread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from laksana.cases import authority, journal, participation
from laksana.cases.limits import check_length
from laksana.cases.models import (
    OPEN_DISPOSITION,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    DispositionStatus,
    JournalKind,
    StepStatus,
    Urgency,
)
from laksana.cases.servicebase import (
    NotAllowed,
    ServiceError,
    _atomic,
    _lock,
    _notify_on_commit,
    _now,
    _vendor_may_act_or_refuse,
)
from laksana.org.models import Person


@_atomic
def dispose(
    person: Person,
    case_id: int,
    recipients: Sequence[Person],
    instruction: str,
    *,
    step_id: int | None = None,
    urgency: str = Urgency.BIASA,
    deadline: dt.datetime | None = None,
    note: str = "",
    parent_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Disposition]:
    """Forward a case, or one of its active steps, to subordinates with an instruction.

    A disposition never grants more than its sender holds: a step only by someone who may work
    it (:mod:`laksana.cases.authority`), a forward only about what its parent was about (the
    web and the API let only those who see the case send one about all of it). Recipients
    must be the sender's subordinates (directly or further down)."""
    at = _now(now)
    case = _lock(case_id)
    _vendor_may_act_or_refuse(person, case)
    instruction = instruction.strip()
    if not instruction:
        raise ServiceError("required", _("Choose or write an instruction."), field="instruction")
    check_length("instruction", instruction, "instruction")
    check_length("disposition_note", note.strip(), "note")
    if urgency not in Urgency.values:
        raise ServiceError(
            "invalid",
            _("Urgency must be one of: %(items)s")
            % {"items": ", ".join(str(u.label) for u in Urgency)},
            field="urgency",
        )
    if not recipients:
        raise ServiceError("required", _("Choose at least one recipient."), field="recipients")
    if deadline is not None and deadline <= at:
        raise ServiceError("invalid", _("The deadline must be in the future."), field="deadline")
    if case.status == CaseStatus.FINISHED:
        raise ServiceError("case_finished", _("The case is already finished."))
    parent = None
    if parent_id is not None:
        parent = Disposition.objects.filter(pk=parent_id, case=case).first()
        if (
            parent is None
            or parent.recipient_id != person.pk
            or parent.status not in OPEN_DISPOSITION
        ):
            raise NotAllowed(
                _("You can only forward a disposition you received and have not finished.")
            )
    row = _disposition_step(person, case, step_id, parent)
    below = person.subordinates_tree()
    for r in recipients:
        if r.pk not in below:
            raise ServiceError(
                "invalid",
                _("%(name)s is not one of your subordinates.") % {"name": r.name},
                field="recipients",
            )
    participation.record(case, [person.pk, *(r.pk for r in recipients)])
    created = []
    for r in recipients:
        d = Disposition.objects.create(
            case=case,
            step=row,
            parent=parent,
            sender=person,
            recipient=r,
            instruction=instruction[:300],
            urgency=urgency,
            deadline=deadline,
            note=note.strip(),
            created_at=at,
        )
        created.append(d)
        journal.append(
            case,
            JournalKind.DISPOSITIONED,
            person,
            at,
            {
                "disposition": d.pk,
                "to": r.pk,
                "to_name": r.name,
                "instruction": d.instruction,
                "urgency": urgency,
                "deadline": deadline.isoformat() if deadline else None,
                "note": d.note,
                "step": row.step_key if row else None,
                "parent": parent.pk if parent else None,
            },
        )
        _notify_on_commit(
            [r],
            case,
            _("Disposition from %(name)s: %(instruction)s")
            % {"name": person.name, "instruction": d.instruction},
            at,
        )
    if parent is not None:
        parent.status = DispositionStatus.FORWARDED
        parent.closed_at = at
        if parent.read_at is None:
            parent.read_at = at
        parent.save(update_fields=["status", "closed_at", "read_at"])
    case.save(update_fields=["journal_seq", "journal_hash"])
    return created


def _disposition_step(
    person: Person, case: Case, step_id: int | None, parent: Disposition | None
) -> CaseStep | None:
    """The step a disposition is about, checked: a forward keeps its parent's step (a parent
    about the whole case reaches no step), and only someone who may work a step can
    disposition it (:mod:`laksana.cases.authority`). None: the whole case."""
    if parent is not None:
        if step_id is not None and step_id != parent.step_id:
            raise ServiceError(
                "invalid",
                _(
                    "A forwarded disposition stays about what it was about: it cannot name "
                    "another step."
                ),
                field="step",
            )
        row = parent.step
    elif step_id is not None:
        row = CaseStep.objects.filter(pk=step_id, case=case).first()
        if row is None:
            raise ServiceError("not_active", _("This step is not active now."), field="step")
    else:
        return None
    if row is None:
        return None
    if row.status != StepStatus.ACTIVE:
        raise ServiceError("not_active", _("This step is not active now."), field="step")
    row.case = case
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(
            decision.explain(_("Only someone who may work this step can disposition it."))
        )
    return row


@_atomic
def mark_read(person: Person, disposition_id: int, *, now: dt.datetime | None = None) -> None:
    """The recipient has opened the disposition (unread -> read)."""
    at = _now(now)
    d = Disposition.objects.filter(pk=disposition_id).first()
    if d is None or d.recipient_id != person.pk:
        raise NotAllowed(_("This disposition is not addressed to you."))
    case = _lock(d.case_id)
    updated = Disposition.objects.filter(pk=d.pk, status=DispositionStatus.UNREAD).update(
        status=DispositionStatus.READ, read_at=at
    )
    if updated:
        journal.append(case, JournalKind.READ, person, at, {"disposition": d.pk})
        case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def withdraw(person: Person, disposition_id: int, *, now: dt.datetime | None = None) -> None:
    """The sender takes a disposition back, which is only possible while it is unread."""
    at = _now(now)
    d = Disposition.objects.filter(pk=disposition_id).first()
    if d is None or d.sender_id != person.pk:
        raise NotAllowed(_("Only the sender can withdraw a disposition."))
    case = _lock(d.case_id)
    updated = Disposition.objects.filter(pk=d.pk, status=DispositionStatus.UNREAD).update(
        status=DispositionStatus.WITHDRAWN, closed_at=at
    )
    if not updated:
        raise ServiceError(
            "already_read", _("The disposition has been read; it can no longer be withdrawn.")
        )
    journal.append(case, JournalKind.WITHDRAWN, person, at, {"disposition": d.pk})
    if d.parent_id is not None:
        # The forwarded disposition is the sender's again.
        Disposition.objects.filter(pk=d.parent_id, status=DispositionStatus.FORWARDED).exclude(
            children__status__in=OPEN_DISPOSITION
        ).update(status=DispositionStatus.READ, closed_at=None)
    case.save(update_fields=["journal_seq", "journal_hash"])
