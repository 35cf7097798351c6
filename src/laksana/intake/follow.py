"""What an outside requester does through the follow link (the secret in the address is the
only right they have): their own steps, and replies to a step on hold waiting on them.

Every action names the request the link found (:func:`laksana.intake.desk.request_by_link`)
and a step id; the step must be a step of THAT request's case, active, and of the kind the
action is for — a requester's step (actor of kind ``requesting_unit``, held by the desk's
system account only) to complete it, a staff step on hold to reply to it. Anything else is
refused before anything is written. The case services then act as the desk's account, so
the journal records the desk and the case's rules (the engine, the upload checks) are the
same as for staff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import jointsteps
from laksana.cases import services as case_services
from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.cases.services import FileInput, NotAllowed, ServiceError
from laksana.cases.uploads import UploadRejected, check_upload
from laksana.engine.spec import ActorKind
from laksana.intake.desk import desk_for
from laksana.intake.models import OutsideRequest
from laksana.org.models import Person

REPLY_MAX_CHARS = 2000
REPLY_MAX_FILES = 3
MAX_ID = 2**63 - 1  # the largest id a row can have


def is_requester_step(case: Case, row: CaseStep) -> bool:
    """Whether the step is the requester's own (its actor is the requesting unit)."""
    spec = case.version.spec
    return spec.actor(spec.step(row.step_key).actor).kind == ActorKind.REQUESTING_UNIT


def _row_of(outside: OutsideRequest, step_id: int) -> tuple[Case, CaseStep]:
    """The step ``step_id`` of the link's case, or refused as not found (another case's step
    is the same as a missing one)."""
    case = outside.case
    row = (
        CaseStep.objects.filter(pk=step_id, case_id=case.pk).first()
        if case is not None and 0 < step_id <= MAX_ID
        else None
    )
    if case is None or row is None:
        raise ServiceError("not_found", _("Your request has no such step."))
    return case, row


def requester_step(outside: OutsideRequest, step_id: int) -> tuple[Case, CaseStep]:
    """The link's case and its active requester's step ``step_id``, or refused."""
    case, row = _row_of(outside, step_id)
    if case.status != CaseStatus.RUNNING or row.status != StepStatus.ACTIVE:
        raise NotAllowed(_("This step is not waiting for you any more."))
    if not is_requester_step(case, row):
        raise NotAllowed(_("This step is done by the agency's staff, not by you."))
    return case, row


def complete(
    outside: OutsideRequest,
    step_id: int,
    *,
    values: Mapping[str, Any] | None = None,
    files: Sequence[FileInput] = (),
    outcome: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Complete the requester's step ``step_id`` of the link's case with what they entered,
    as the desk's account; the case service judges the values (nothing written when it
    refuses)."""
    with transaction.atomic():
        _case, row = requester_step(outside, step_id)
        robot = desk_for(outside.agency).robot
        return case_services.complete_step(
            robot, row.pk, values=values, files=files, outcome=outcome, note=note, now=now
        )


def waiting_holds(case: Case) -> list[CaseStep]:
    """The staff steps of the case on hold (waiting on the requester), oldest first."""
    if case.status != CaseStatus.RUNNING:
        return []
    rows = CaseStep.objects.filter(
        case_id=case.pk, status=StepStatus.ACTIVE, on_hold_since__isnull=False
    ).order_by("on_hold_since", "pk")
    return [r for r in rows if not is_requester_step(case, r)]


def _holders(case: Case, row: CaseStep) -> list[Person]:
    """Who works the step: its claimant, the person it was reassigned to, or its holders."""
    if row.claimed_by_id is not None:
        return list(Person.objects.filter(pk=row.claimed_by_id))
    if row.assigned_to_id is not None:
        return list(Person.objects.filter(pk=row.assigned_to_id))
    return jointsteps.step_holders(case, row)


def reply(
    outside: OutsideRequest,
    step_id: int,
    text: str,
    files: Sequence[UploadedFile[bytes]] = (),
    *,
    now: dt.datetime | None = None,
) -> None:
    """The requester's answer to a staff step on hold waiting on them: a comment on the
    case by the desk's account with the requester's name, their files added to the case,
    and a notice to whoever works the step. The step stays on hold: its staff resume it."""
    at = now or timezone.now()
    text = text.strip()
    if not text:
        raise ServiceError("required", _("Write your answer."), field="text")
    if len(text) > REPLY_MAX_CHARS:
        raise ServiceError(
            "too_long",
            _("Your answer is too long: at most %(n)s characters.") % {"n": REPLY_MAX_CHARS},
            field="text",
        )
    if len(files) > REPLY_MAX_FILES:
        raise ServiceError(
            "too_many",
            _("Send at most %(n)s files.") % {"n": REPLY_MAX_FILES},
            field="files",
        )
    # Every file is checked before anything is written (a refused file keeps none of them).
    for upload in files:
        try:
            check_upload(upload)
        except UploadRejected as exc:
            raise ServiceError("upload_rejected", str(exc), field="files") from exc
        upload.seek(0)
    with transaction.atomic():
        case, row = _row_of(outside, step_id)
        if (
            case.status != CaseStatus.RUNNING
            or row.status != StepStatus.ACTIVE
            or row.on_hold_since is None
            or is_requester_step(case, row)
        ):
            raise NotAllowed(_("This step is not waiting for an answer from you."))
        robot = desk_for(outside.agency).robot
        step = case.version.spec.step(row.step_key)
        comment = _("Answer of the requester %(name)s on step %(no)s: %(text)s") % {
            "name": outside.name,
            "no": step.number,
            "text": text,
        }
        case_services.add_comment(robot, case.pk, comment, now=at)
        for upload in files:
            case_services.add_attachment(robot, case.pk, upload, now=at)
        message = _("The requester answered on step %(no)s (on hold): %(text)s") % {
            "no": step.number,
            "text": text,
        }
        case_services.notify(_holders(case, row), case, message, at)
