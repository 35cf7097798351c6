"""What the follow link's page shows of a case: only what the procedure shows a requester.

The reference, the title, the service, whether the case runs or how it ended, when it
opened and its own due time, and a line per step of the procedure (its number, its
activity, done / active / waiting for you / not reached yet, its dates). Never a member of
staff's name, a comment, a remark, a disposition, a staff member's file or the journal: the
requester's own files (those the desk's account added for them) and the reasons of holds
waiting on them are the only things of the case's work shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from laksana.cases.models import Attachment, Case, CaseStatus, CaseStep, StepStatus
from laksana.intake.desk import desk_for
from laksana.intake.follow import is_requester_step, waiting_holds
from laksana.intake.models import OutsideRequest


class LineState:
    DONE = "done"
    ACTIVE = "active"
    YOURS = "yours"  # a requester's step waiting for them, or a step on hold waiting on them
    WAITING = "waiting"  # not reached (yet)


@dataclass
class StepLine:
    number: str
    activity: str
    state: str
    label: str
    activated_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    hold_reason: str = ""


@dataclass
class FollowPage:
    outside: OutsideRequest
    case: Case
    service: str
    running: bool
    end_label: str
    lines: list[StepLine]
    mine: list[CaseStep]  # active requester's steps (their forms)
    holds: list[CaseStep]  # staff steps on hold waiting on the requester
    files: list[Attachment] = field(default_factory=list)
    survey_link: str = ""


def _label(state: str) -> str:
    return {
        LineState.DONE: _("Done"),
        LineState.ACTIVE: _("In progress"),
        LineState.YOURS: _("Waiting for you"),
        LineState.WAITING: _("Not reached yet"),
    }[state]


def _lines(case: Case, rows: list[CaseStep]) -> list[StepLine]:
    latest: dict[str, CaseStep] = {}
    for each in rows:  # by visit: the latest round of each step
        if each.step_key not in latest or each.visit >= latest[each.step_key].visit:
            latest[each.step_key] = each
    lines = []
    for step in case.version.spec.steps:
        row = latest.get(step.id)
        if row is None:
            state = LineState.WAITING
        elif row.status == StepStatus.COMPLETED:
            state = LineState.DONE
        elif row.status == StepStatus.ACTIVE and case.status == CaseStatus.RUNNING:
            yours = row.on_hold_since is not None or is_requester_step(case, row)
            state = LineState.YOURS if yours else LineState.ACTIVE
        else:
            state = LineState.WAITING
        lines.append(
            StepLine(
                number=step.number,
                activity=step.activity,
                state=state,
                label=_label(state),
                activated_at=row.activated_at if row is not None else None,
                completed_at=row.completed_at if row is not None else None,
                hold_reason=(
                    row.hold_reason
                    if row is not None and state == LineState.YOURS and row.on_hold_since
                    else ""
                ),
            )
        )
    return lines


def _survey_link(case: Case) -> str:
    """The survey invitation of the finished case, when one was sent and is not answered."""
    if case.status != CaseStatus.FINISHED:
        return ""
    from laksana.survey import invitations
    from laksana.survey.models import Invitation, InvitationStatus

    found = Invitation.objects.filter(case_id=case.pk, status=InvitationStatus.SENT).first()
    return invitations.link(invitations.secret_of(found)) if found is not None else ""


def page(outside: OutsideRequest) -> FollowPage:
    case = outside.case
    assert case is not None  # request_by_link finds opened requests only
    spec = case.version.spec
    rows = list(case.steps.order_by("activated_at", "pk"))
    running = case.status == CaseStatus.RUNNING
    robot = desk_for(outside.agency).robot
    return FollowPage(
        outside=outside,
        case=case,
        service=outside.service.title,
        running=running,
        end_label=(
            spec.end(case.end_key).label if not running and spec.is_end(case.end_key) else ""
        ),
        lines=_lines(case, rows),
        mine=[
            r
            for r in rows
            if running
            and r.status == StepStatus.ACTIVE
            and r.on_hold_since is None
            and is_requester_step(case, r)
        ],
        holds=waiting_holds(case),
        files=list(case.attachments.filter(uploaded_by=robot).order_by("uploaded_at", "pk")),
        survey_link=_survey_link(case),
    )
