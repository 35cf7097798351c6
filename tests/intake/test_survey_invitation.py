"""The satisfaction survey reaches an outside requester: when their case finishes, the
invitation goes to the e-mail address of their request (through the public desk's account
that opened the case), and the follow page shows the survey's link once it was sent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from laksana.intake.models import RequestStatus
from laksana.survey import invitations
from laksana.survey.models import InvitationStatus
from tests.cases.helpers import work
from tests.intake.follow_helpers import outside_case, url
from tests.survey.test_invitations import invitation_of, mails, make_survey, rules

pytestmark = pytest.mark.django_db

EMAIL = "wayan@contoh.id"


def _finish(bali, request):
    robot = request.agency.public_desk.robot
    case = request.case
    for who in ("desk", "desk", "kadis", "kabid", "ketuatim", "dev1", "dev1", "dev1"):
        case = work(robot if who == "desk" else bali[who], case)
    for who in ("desk", "kadis", "kadis"):
        case = work(robot if who == "desk" else bali[who], case)
    case.refresh_from_db()
    assert case.finished_at is not None
    return case


def test_the_outside_requester_is_invited_by_the_address_of_their_request(bali, client):
    make_survey(bali)
    rules(bali, invite_delay_hours=0, invite_share=100)
    secret, request = outside_case(bali.agency, name="Wayan Sari", email=EMAIL)
    # Before the end: no survey link on the page.
    assert "/survei/undangan/" not in client.get(url(secret)).content.decode()
    case = _finish(bali, request)
    invitation = invitation_of(case)
    assert invitation is not None and invitation.status == InvitationStatus.WAITING
    assert invitation.person_id == request.agency.public_desk.robot_id
    assert invitations.send_due(now=timezone.now()) == {"sent": 1, "expired": 0}
    (message,) = mails()
    assert message.to == EMAIL and "Wayan Sari" in message.body
    link = invitations.link(invitations.secret_of(invitation))
    assert link in message.body
    # The follow page now offers the survey.
    assert link in client.get(url(secret)).content.decode()


def test_a_request_marked_as_spam_is_not_invited(bali):
    make_survey(bali)
    rules(bali, invite_delay_hours=0, invite_share=100)
    _secret, request = outside_case(bali.agency, email=EMAIL)
    request.status = RequestStatus.SPAM
    request.save(update_fields=["status"])
    case = _finish(bali, request)
    assert invitation_of(case) is None
