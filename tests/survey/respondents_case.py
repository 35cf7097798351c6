"""An invitation of a Bali SOP 002 case's requester, made directly (the invitation module's
own tests cover how invitations come about); its secret as the e-mail carries it."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from laksana.cases import services as case_services
from laksana.survey import invitations
from laksana.survey.models import Invitation, InvitationStatus, Survey


def invited(org: Any, version: Any, survey: Survey, *, login: str = "dinkes_staf") -> str:
    """A sent invitation of ``login``'s case to ``survey``; its link's secret."""
    now = timezone.now()
    case = case_services.open_case(org[login], version, "Aplikasi SIMPEG tidak bisa dibuka")
    invitation = Invitation.objects.create(
        survey=survey,
        case=case,
        person=org[login],
        token_sha256="0" * 64,
        status=InvitationStatus.SENT,
        created_at=now - dt.timedelta(days=1),
        send_after=now - dt.timedelta(hours=1),
        sent_at=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(days=13),
    )
    secret = invitations.secret_of(invitation)
    invitation.token_sha256 = hashlib.sha256(secret.encode()).hexdigest()
    invitation.save(update_fields=["token_sha256"])
    return secret
