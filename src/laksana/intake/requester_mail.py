"""E-mails to an outside requester at the moments they should know: a step of theirs became
active, a step was put on hold waiting on them (with the reason), the case finished (with
how it ended). Written in Indonesian into the outbox, in the transaction of the action.

The follow link's secret is kept only as its hash, so these e-mails cannot carry the link:
each one names the request's reference, asks the requester to open the link from the first
e-mail, and gives the address where the link can be e-mailed again (``/layanan/lacak/``).

Hooked into the cases' registries from :meth:`laksana.intake.apps.IntakeConfig.ready`
(:func:`laksana.cases.artifacts.follow_completions`, :func:`laksana.cases.holds.follow_holds`);
``cases`` imports nothing of this app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.intake.follow import is_requester_step
from laksana.intake.models import OutsideRequest, PublicDesk, RequestStatus
from laksana.org.models import Person
from laksana.outbox import services as outbox

FOLLOWER = "intake.requester_mail"
LOOKUP_PATH = "/layanan/lacak/"
LANGUAGE = "id"


def is_outside_case(case: Case) -> bool:
    """Whether the case was requested by an agency's public desk (one small query)."""
    return PublicDesk.objects.filter(unit_id=case.requesting_unit_id).exists()


def _request_of(case: Case) -> OutsideRequest | None:
    return OutsideRequest.objects.filter(case_id=case.pk, status=RequestStatus.OPENED).first()


def _send(outside: OutsideRequest, case: Case, subject: str, lead: str, at: dt.datetime) -> None:
    body = "\n\n".join(
        [
            _("Dear %(name)s,") % {"name": outside.name},
            lead,
            _("Request: %(reference)s — %(title)s")
            % {"reference": case.reference, "title": case.title},
            _(
                "Open the link of your request from our first e-mail to see where it stands "
                "and to act on it. Lost it? Ask for it to be sent again at %(url)s"
            )
            % {"url": outbox.absolute(LOOKUP_PATH)},
        ]
    )
    outbox.queue(
        [outside.email],
        f"[Laksana] {case.reference}: {subject}",
        body + "\n",
        agency_id=case.agency_id,
        now=at,
    )


def on_completed(
    case: Case,
    step_key: str,
    outcome: str,
    artifacts: Mapping[str, Any],
    *,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> None:
    """After a step of an outside request's case completed: the case finished, or steps of
    the requester's became active."""
    outside = _request_of(case)
    if outside is None or at is None:
        return
    spec = case.version.spec
    with translation.override(LANGUAGE):
        if case.status == CaseStatus.FINISHED:
            end = spec.end(case.end_key).label if spec.is_end(case.end_key) else ""
            _send(
                outside,
                case,
                _("your request is finished"),
                _("Your request is finished: %(end)s.") % {"end": end or _("finished")},
                at,
            )
            return
        for row in CaseStep.objects.filter(
            case_id=case.pk, status=StepStatus.ACTIVE, activated_at=at
        ):
            if not is_requester_step(case, row):
                continue
            step = spec.step(row.step_key)
            _send(
                outside,
                case,
                _("your action is needed"),
                _("Your request waits for your action: step %(no)s, %(activity)s")
                % {"no": step.number, "activity": outbox.shorten(step.activity, 300)},
                at,
            )


def on_held(case: Case, row: CaseStep, *, by: Person, at: dt.datetime) -> None:
    """A staff step of an outside request's case was put on hold: it waits on the
    requester, who is told why."""
    if is_requester_step(case, row):
        return
    outside = _request_of(case)
    if outside is None:
        return
    step = case.version.spec.step(row.step_key)
    with translation.override(LANGUAGE):
        _send(
            outside,
            case,
            _("more information is needed"),
            _("Step %(no)s of your request waits for more information from you: %(reason)s")
            % {"no": step.number, "reason": row.hold_reason},
            at,
        )


def register() -> None:
    from laksana.cases import artifacts, holds

    artifacts.follow_completions(FOLLOWER, on_completed, applies=is_outside_case)
    holds.follow_holds(FOLLOWER, on_held, applies=is_outside_case)
