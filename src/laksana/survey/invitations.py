"""Invitations of the requesters of finished cases to the satisfaction survey (GLPI's
satisfaction surveys are the anchor: a delay after closing, a share of the cases, an expiry).

* When a step completes and its case is finished, :func:`on_completed` (a follower of
  completed steps) invites the case's requester — a person who can sign in and has an
  e-mail address, never a robot account — to the open survey of the case's service, when the
  agency and the survey invite requesters, the requester did not work on the case, and the
  case is among the agency's share of invited cases. The choice by share is deterministic
  (the case's reference hashed with the site's secret), so it can be checked and repeated.
* :func:`send_due` (the periodic pass, :mod:`laksana.survey.tasks`) sends the invitations
  whose delay has passed, by e-mail through the outbox, and expires those past their expiry
  or whose survey no longer takes answers.
* The link carries a secret derived from the site's secret key, the invitation's id and its
  creation time (:func:`secret_of`); only its SHA-256 is kept. :func:`find` and
  :func:`answer` serve the invitation's page: one answer per invitation, refused to anyone
  who worked on the case.

Anonymity: answering records the answer through :func:`laksana.survey.answers.record` (the
date, the channel, the scores, the profile) and marks the invitation answered; nothing
records which answer, or when.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from laksana.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    JournalEntry,
    JournalKind,
)
from laksana.engine.spec import ActorKind
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.survey.models import (
    Invitation,
    InvitationStatus,
    ServiceKind,
    Survey,
    SurveySettings,
    SurveyStatus,
)

FOLLOWER = "survey.invitations"
PERIODIC = "survey"
LINK_PREFIX = "/survei/undangan/"
_SALT = "laksana.survey.invitation"
# Journal events by which a person worked on a step (the step's key is in the event's data).
_STEP_WORK = (
    JournalKind.CLAIMED,
    JournalKind.COMPLETED,
    JournalKind.HELD,
    JournalKind.RESUMED,
    JournalKind.TAKEN_OVER,
)
_DOCUMENT_WORK = (JournalKind.SIGNED, JournalKind.INITIALLED)


# --- who -------------------------------------------------------------------------------------


# Requesters from outside the agency (laksana.intake registers one): their name and e-mail
# address for a case no one who can sign in opened; the invitation is then the opener's (the
# public desk's account) and goes to that address.
_OUTSIDE_CONTACTS: list[Callable[[Case], tuple[str, str] | None]] = []


def register_outside_contact(contact: Callable[[Case], tuple[str, str] | None]) -> None:
    """Let an app name the outside requester of a case: ``contact(case)`` answers
    ``(name, e-mail)`` or None."""
    if contact not in _OUTSIDE_CONTACTS:
        _OUTSIDE_CONTACTS.append(contact)


def outside_contact(case: Case) -> tuple[str, str] | None:
    """The outside requester's name and e-mail address, when an app names one."""
    for contact in _OUTSIDE_CONTACTS:
        found = contact(case)
        if found is not None and found[1].strip():
            return found
    return None


def requester_of(case: Case) -> Person | None:
    """The person who opened the case, when they can sign in (an active account) and have an
    e-mail address; None for robots (the monitoring module's account) and people without
    one."""
    person = Person.objects.select_related("user").filter(pk=case.opened_by_id).first()
    if person is None or person.user is None or not person.user.is_active:
        return None
    if not (person.email or "").strip():
        return None
    return person


def _requester_steps(case: Case) -> set[str]:
    """Keys of the case's steps performed by the requesting unit (the requester's own)."""
    spec = case.version.spec
    return {s.id for s in spec.steps if spec.actor(s.actor).kind == ActorKind.REQUESTING_UNIT}


def workers_of(case: Case) -> set[int]:
    """Ids of the people who worked on the case: who claimed, completed, held or took over a
    step not performed by the requesting unit, sent or received a disposition, or signed or
    initialled one of the case's documents."""
    from laksana.documents.models import Signatory, SignatoryStatus

    own = _requester_steps(case)
    found: set[int] = set()
    for key, claimed, completed in CaseStep.objects.filter(case_id=case.pk).values_list(
        "step_key", "claimed_by_id", "completed_by_id"
    ):
        if key not in own:
            found.update(p for p in (claimed, completed) if p is not None)
    for kind, actor, data in JournalEntry.objects.filter(
        case_id=case.pk, actor__isnull=False, kind__in=(*_STEP_WORK, *_DOCUMENT_WORK)
    ).values_list("kind", "actor_id", "data"):
        data = data if isinstance(data, dict) else {}
        event = data.get("event")
        step = data.get("step") or (event.get("step") if isinstance(event, dict) else None)
        if kind in _DOCUMENT_WORK or (step is not None and step not in own):
            found.add(actor)
    for sender, recipient in Disposition.objects.filter(case_id=case.pk).values_list(
        "sender_id", "recipient_id"
    ):
        found.update((sender, recipient))
    found.update(
        Signatory.objects.filter(
            document__case_id=case.pk, status=SignatoryStatus.DONE
        ).values_list("person_id", flat=True)
    )
    return found


# --- which survey, and whether ------------------------------------------------------------


def survey_for(case: Case, day: dt.date) -> Survey | None:
    """The open survey of the case's agency that invites requesters, its period covering
    ``day``, about the case's application or its procedure; the most specific (an
    application's survey before a procedure's), then the latest period."""
    about = Q(service_kind=ServiceKind.PROCEDURE, procedure_key=case.version.procedure_key) & ~Q(
        procedure_key=""
    )
    if case.application_id is not None:
        about |= Q(service_kind=ServiceKind.APPLICATION, application_id=case.application_id)
    found = list(
        Survey.objects.filter(
            about,
            agency_id=case.agency_id,
            status=SurveyStatus.OPEN,
            invite_requesters=True,
            period_start__lte=day,
            period_end__gte=day,
        ).order_by("-period_start", "-id")
    )
    found.sort(key=lambda s: s.service_kind != ServiceKind.APPLICATION)  # stable: keeps periods
    return found[0] if found else None


def settings_for(agency_id: int) -> SurveySettings:
    """The agency's invitation rules (the defaults, unsaved, until it sets them)."""
    return SurveySettings.objects.filter(agency_id=agency_id).first() or SurveySettings(
        agency_id=agency_id
    )


def chosen(reference: str, share: int) -> bool:
    """Whether a case (by its reference) is among ``share`` percent of the cases invited:
    SHA-256 of the site's secret and the reference, modulo 100, below the share."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}{reference}".encode()).digest()
    return int.from_bytes(digest, "big") % 100 < share


def _finished(case: Case) -> bool:
    return case.status == CaseStatus.FINISHED


def on_completed(
    case: Case,
    step_key: str,
    outcome: str,
    artifacts: Mapping[str, Any],
    *,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> None:
    """After a completed step (in its transaction): when the case is finished, invite its
    requester (see the module's text)."""
    if _finished(case):
        invite(case, at=at)


def invite(case: Case, *, at: dt.datetime | None = None) -> Invitation | None:
    """Invite the requester of the finished ``case`` when the rules say so (see the module's
    text); the invitation, or None. At most one invitation per case."""
    at = at or timezone.now()
    rules = settings_for(case.agency_id)
    if not rules.invite_requesters or not chosen(case.reference, rules.invite_share):
        return None
    if Invitation.objects.filter(case_id=case.pk).exists():
        return None
    survey = survey_for(case, timezone.localdate(at))
    if survey is None:
        return None
    person = requester_of(case)
    if person is None and outside_contact(case) is not None:
        # Invited by e-mail through the public desk's account that opened the case.
        person = Person.objects.filter(pk=case.opened_by_id).first()
    if person is None or person.pk in workers_of(case):
        return None
    send_after = at + dt.timedelta(hours=rules.invite_delay_hours)
    invitation = Invitation.objects.create(
        survey=survey,
        case=case,
        person=person,
        # Replaced at once by the hash of the derived secret (the id is needed first).
        token_sha256=secrets.token_hex(32),
        created_at=at,
        send_after=send_after,
        expires_at=send_after + dt.timedelta(days=rules.invite_expiry_days),
    )
    invitation.token_sha256 = _sha256(secret_of(invitation))
    invitation.save(update_fields=["token_sha256"])
    return invitation


# --- the link --------------------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def secret_of(invitation: Invitation) -> str:
    """The secret of the invitation's link, derived from the site's secret key, the
    invitation's id and its creation time (nothing secret is stored)."""
    micros = round(invitation.created_at.timestamp() * 1_000_000)
    return salted_hmac(_SALT, f"{invitation.pk}:{micros}", algorithm="sha256").hexdigest()


def link(secret: str) -> str:
    """The path of the invitation's page."""
    return f"{LINK_PREFIX}{secret}/"


# --- the periodic pass -----------------------------------------------------------------------


def _service(survey: Survey) -> str:
    """What the survey is about, in words (the core services' label once they are there)."""
    from laksana.survey import services

    label = getattr(services, "service_label", None)
    return str(label(survey)) if callable(label) else survey.title


def _email(invitation: Invitation) -> tuple[str, str]:
    from laksana.outbox import services as outbox

    outside = outside_contact(invitation.case)
    context = {
        "name": outside[0] if outside is not None else invitation.person.name,
        "survey": invitation.survey.title,
        "service": _service(invitation.survey),
        "case": invitation.case.reference,
        "case_title": invitation.case.title,
        "link": outbox.absolute(link(secret_of(invitation))),
        "expires": timezone.localtime(invitation.expires_at),
    }
    subject = render_to_string("survey/email/invitation_subject.txt", context).strip()
    body = render_to_string("survey/email/invitation.txt", context)
    return subject, body


def send_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the waiting invitations whose delay has passed (one e-mail each, through the
    outbox, with the absolute link); expire those past their expiry, or whose survey no longer
    takes answers, or whose requester has no e-mail address any more. Returns the counts
    ``{"sent", "expired"}``."""
    from django.db import transaction

    from laksana.outbox import services as outbox

    at = now or timezone.now()
    today = timezone.localdate(at)
    counts = {"sent": 0, "expired": 0}
    with transaction.atomic():
        counts["expired"] += Invitation.objects.filter(
            status__in=(InvitationStatus.WAITING, InvitationStatus.SENT), expires_at__lte=at
        ).update(status=InvitationStatus.EXPIRED)
        due = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(status=InvitationStatus.WAITING, send_after__lte=at)
            .select_related("survey", "person", "case")
            .order_by("send_after", "pk")
        )
        for invitation in due:
            survey = invitation.survey
            outside = outside_contact(invitation.case)
            email = outside[1].strip() if outside is not None else ""
            email = email or (invitation.person.email or "").strip()
            taking = (
                survey.status == SurveyStatus.OPEN
                and survey.period_start <= today <= survey.period_end
            )
            if not taking or not email:
                invitation.status = InvitationStatus.EXPIRED
                invitation.save(update_fields=["status"])
                counts["expired"] += 1
                continue
            subject, body = _email(invitation)
            outbox.queue([email], subject, body, agency_id=survey.agency_id, now=at)
            invitation.status = InvitationStatus.SENT
            invitation.sent_at = at
            invitation.save(update_fields=["status", "sent_at"])
            counts["sent"] += 1
    return counts


# --- answering -------------------------------------------------------------------------------


def _lookup(secret: str, *, lock: bool) -> Invitation:
    text = secret.strip() if isinstance(secret, str) else ""
    found = None
    if text and len(text) <= 128:
        rows = Invitation.objects.select_related("survey", "case")
        if lock:
            rows = rows.select_for_update(of=("self",))
        found = rows.filter(token_sha256=_sha256(text)).first()
    if found is None:
        raise ServiceError("not_found", _("This invitation link is not valid."), field="secret")
    return found


def _check(invitation: Invitation, at: dt.datetime) -> None:
    if invitation.status == InvitationStatus.ANSWERED:
        raise ServiceError(
            "answered", _("This invitation has already been answered. Thank you."), field="secret"
        )
    if invitation.status == InvitationStatus.EXPIRED or invitation.expires_at <= at:
        raise ServiceError("expired", _("This invitation has expired."), field="secret")
    survey = invitation.survey
    day = timezone.localdate(at)
    if not (survey.status == SurveyStatus.OPEN and survey.period_start <= day <= survey.period_end):
        raise ServiceError(
            "expired", _("The survey of this invitation is not taking answers now."), field="secret"
        )


def find(secret: str, *, now: dt.datetime | None = None) -> Invitation:
    """The invitation of a link that can still be answered; ServiceError ``not_found``,
    ``expired`` or ``answered`` otherwise (read only, no lock)."""
    invitation = _lookup(secret, lock=False)
    _check(invitation, now or timezone.now())
    return invitation


def answer(
    secret: str,
    data: Mapping[str, Any],
    *,
    person: Person | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Record the answer of an invitation, once: the invitation locked and checked again, a
    signed-in ``person`` who worked on the case refused, the answer recorded (channel
    invitation) and the invitation marked answered, in one transaction. Nothing links the
    two."""
    from django.db import transaction

    from laksana.survey import answers

    at = now or timezone.now()
    with transaction.atomic():
        invitation = _lookup(secret, lock=True)
        _check(invitation, at)
        if person is not None and person.pk in workers_of(invitation.case):
            raise NotAllowed(_("You worked on this case, so you may not answer its survey."))
        answers.record(invitation.survey, data, channel="invitation", now=at)
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ANSWERED)


# --- registration ----------------------------------------------------------------------------


def _may_concern(case: Case) -> bool:
    """Cheap, from the case alone: only a finished case can bring an invitation."""
    return _finished(case)


def _enqueue() -> object:
    from laksana.survey.tasks import send_invitations

    return send_invitations.enqueue()


def register() -> None:
    """Called from laksana.survey.plugin.register(): the follower of completed steps and the
    periodic pass."""
    from laksana.cases import artifacts
    from laksana.ops import ticker

    artifacts.follow_completions(FOLLOWER, on_completed, applies=_may_concern)
    ticker.register_periodic(PERIODIC, _enqueue)
