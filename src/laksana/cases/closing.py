"""Closing a running case before its procedure ends (a request found to be spam, a case
opened by mistake): its administrators stop it.

The case's active steps are cancelled (their open dispositions end with them), the case is
finished with the end ``closed``, and one journal entry (``closed``) carries the reason, who
closed it and the steps cancelled, so the journal's replay (:mod:`laksana.cases.coverage`)
gives the same rows. ``cases`` knows nothing of why a case is closed: the module that asks
(the public desk's spam review) gives the reason.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from laksana.cases import journal, store
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
)
from laksana.cases.servicebase import NotAllowed, ServiceError, _atomic, _lock, _now
from laksana.engine import interpreter as engine
from laksana.org import roles
from laksana.org.models import Person

CLOSED_END = "closed"
"""The end of a case closed by its administrators (no procedure's own end)."""


def may_close(person: Person | None, agency_id: int) -> bool:
    """Whether ``person`` may close the agency's cases: its agency administrators and
    procedure administrators, and the installation's superuser."""
    return roles.may_keep_procedures(person, agency_id)


@_atomic
def close_case(
    person: Person, case_id: int, reason: str, *, now: dt.datetime | None = None
) -> Case:
    """Close a running case of ``person``'s agency: cancel its active steps, finish it with
    the end ``closed`` and journal why. Refused for a finished case, without a reason, and
    for anyone but the agency's administrators (another agency's case is not found)."""
    at = _now(now)
    reason = (reason or "").strip()
    try:
        case = _lock(case_id)
    except Case.DoesNotExist:
        raise ServiceError("not_found", _("No such case.")) from None
    if case.agency_id != person.agency_id and not roles.is_superuser(person):
        raise ServiceError("not_found", _("No such case."))
    if not may_close(person, case.agency_id):
        raise NotAllowed(_("Only the agency's administrators may close a case."))
    if case.status != CaseStatus.RUNNING:
        raise ServiceError("finished", _("The case is already finished."))
    if not reason:
        raise ServiceError("required", _("Give the reason for closing the case."), field="reason")
    check_length("close_reason", reason, "reason")
    steps = list(CaseStep.objects.filter(case_id=case.pk, status=StepStatus.ACTIVE).order_by("pk"))
    state = dict(case.state)
    seq = int(state.get("seq") or 0) + 1
    event = engine.CaseEnded(seq=seq, end=CLOSED_END).to_dict()
    cancelled = [{"step": s.step_key, "visit": s.visit} for s in steps]
    ids = [s.pk for s in steps]
    CaseStep.objects.filter(pk__in=ids).update(status=StepStatus.CANCELLED)
    Disposition.objects.filter(step_id__in=ids, status__in=OPEN_DISPOSITION).update(
        status=DispositionStatus.DONE, closed_at=at
    )
    state.update(status=CaseStatus.FINISHED.value, active=[], end=CLOSED_END, seq=seq)
    case.state = state
    case.status = CaseStatus.FINISHED
    case.end_key = CLOSED_END
    case.finished_at = at
    journal.append(
        case,
        JournalKind.CLOSED,
        person,
        at,
        {"event": event, "reason": reason, "cancelled": cancelled},
    )
    store.update(
        Case,
        case.pk,
        {
            "state": case.state,
            "status": case.status,
            "end_key": case.end_key,
            "finished_at": at,
            "journal_seq": case.journal_seq,
            "journal_hash": case.journal_hash,
        },
    )
    return case
