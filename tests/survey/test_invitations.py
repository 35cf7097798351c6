"""Invitations of the requesters of finished cases, with a frozen clock (every service is given
``now``/``at``): the delay, the share of cases, the expiry, one answer per invitation, the
people who worked on the case kept out, robots and people without e-mail never invited, the
survey chosen (none, the application's before the procedure's, never another agency's), and
the answer recorded with nothing that links it to the invitation."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.test import override_settings
from django.utils import timezone

from laksana.cases import artifacts as case_artifacts
from laksana.cases import services
from laksana.cases.models import Case, CaseStatus
from laksana.demo.orgs import SOP_002
from laksana.errors import NotAllowed, ServiceError
from laksana.ops import ticker
from laksana.outbox.models import Message
from laksana.survey import invitations
from laksana.survey.models import (
    Answer,
    Channel,
    Invitation,
    InvitationStatus,
    ServiceKind,
    Survey,
    SurveySettings,
    SurveyStatus,
)
from tests.cases.helpers import active, work

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday morning
HOUR = dt.timedelta(hours=1)
SCORES = {f"u{i}": (i % 4) + 1 for i in range(1, 10)}


def make_survey(org, *, kind=ServiceKind.PROCEDURE, application=None, **extra) -> Survey:
    values = {
        "agency": org.agency,
        "title": "SKM Penanganan Masalah Aplikasi 2026",
        "service_kind": kind,
        "procedure_key": SOP_002 if kind == ServiceKind.PROCEDURE else "",
        "application": application,
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "status": SurveyStatus.OPEN,
        "public_code": secrets.token_urlsafe(16),
        "created_by": next(iter(org.people.values())),
        "created_at": T0 - dt.timedelta(days=60),
    }
    values.update(extra)
    return Survey.objects.create(**values)


def rules(org, **values) -> SurveySettings:
    found, _created = SurveySettings.objects.update_or_create(agency=org.agency, defaults=values)
    return found


def finish(bali, sop002, *, opener="dinkes_staf", at=T0) -> Case:
    """A real SOP 002 case of SIKESDA run to its end (the last step completed at ``at``): the
    requester's unit does its own steps, the IT team the rest."""
    now = at - 20 * HOUR
    case = services.open_case(
        bali[opener],
        sop002,
        "SIKESDA error saat simpan data",
        application=bali.applications["sikesda"],
        now=now,
    )
    case = work(bali[opener], case, now=now)
    case = work(bali[opener], case, now=now)
    services.dispose(
        bali["kadis"], case.pk, [bali["kabid"]], "Proses", step_id=active(case).pk, now=now
    )
    case = work(bali["kadis"], case, now=now)
    services.dispose(
        bali["kabid"], case.pk, [bali["ketuatim"]], "Proses", step_id=active(case).pk, now=now
    )
    case = work(bali["kabid"], case, now=now)
    for who in ("ketuatim", "dev1", "qa1", "dev1", opener, "kadis"):
        now += HOUR
        case = work(bali[who], case, now=now)
    case = work(bali["kadis"], case, now=at)
    assert case.status == CaseStatus.FINISHED
    return case


def mails():
    """The invitations' e-mails in the outbox (the case's notices are there too)."""
    return Message.objects.filter(body__contains="/survei/undangan/")


def invitation_of(case) -> Invitation | None:
    return Invitation.objects.filter(case_id=case.pk).first()


@pytest.fixture
def survey(bali):
    return make_survey(bali)


@pytest.fixture
def finished(bali, sop002, survey):
    """One finished case whose requester (dinkes_staf) was invited by the follower."""
    return finish(bali, sop002)


# --- the invitation is made when the case finishes ---------------------------------------


def test_the_requester_of_a_finished_case_is_invited_after_the_delay_until_the_expiry(
    bali, sop002, survey
):
    rules(bali, invite_delay_hours=48, invite_expiry_days=7)
    case = finish(bali, sop002)
    invitation = invitation_of(case)
    assert invitation is not None
    assert invitation.person_id == bali["dinkes_staf"].pk and invitation.survey_id == survey.pk
    assert invitation.status == InvitationStatus.WAITING
    assert invitation.send_after == T0 + 48 * HOUR
    assert invitation.expires_at == T0 + 48 * HOUR + dt.timedelta(days=7)
    # Not before the delay has passed.
    assert invitations.send_due(now=T0 + 47 * HOUR) == {"sent": 0, "expired": 0}
    assert not mails().exists()
    assert invitations.send_due(now=T0 + 48 * HOUR) == {"sent": 1, "expired": 0}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.sent_at == T0 + 48 * HOUR
    (message,) = mails()
    assert message.to == bali["dinkes_staf"].email and message.agency_id == bali.agency.pk
    secret = invitations.secret_of(invitation)
    assert f"/survei/undangan/{secret}/" in message.body and message.body.count("http") == 1
    assert case.reference in message.body
    # Sent once.
    assert invitations.send_due(now=T0 + 49 * HOUR) == {"sent": 0, "expired": 0}
    assert mails().count() == 1


def test_no_invitation_before_the_case_is_finished(bali, sop002, survey):
    case = services.open_case(bali["dinkes_staf"], sop002, "Lambat", now=T0)
    work(bali["dinkes_staf"], case, now=T0)
    assert not Invitation.objects.exists()


def test_the_secret_is_derived_and_only_its_hash_is_kept(finished):
    invitation = invitation_of(finished)
    secret = invitations.secret_of(invitation)
    assert len(secret) == 64 and secret not in invitation.token_sha256
    assert invitations.find(secret, now=T0 + HOUR).pk == invitation.pk
    assert invitations.link(secret) == f"/survei/undangan/{secret}/"
    # The same secret from the stored row (nothing random kept aside).
    assert invitations.secret_of(Invitation.objects.get(pk=invitation.pk)) == secret


def test_an_invitation_past_its_expiry_expires_sent_or_not(bali, sop002, survey):
    rules(bali, invite_delay_hours=0, invite_expiry_days=3)
    first = invitation_of(finish(bali, sop002))
    invitations.send_due(now=T0)
    second = invitation_of(finish(bali, sop002, at=T0 + 2 * HOUR))
    secret = invitations.secret_of(first)
    just_before = first.expires_at - dt.timedelta(seconds=1)
    assert invitations.find(secret, now=just_before).pk == first.pk
    with pytest.raises(ServiceError) as late:
        invitations.find(secret, now=first.expires_at)
    assert late.value.code == "expired"
    assert invitations.send_due(now=second.expires_at) == {"sent": 0, "expired": 2}
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.EXPIRED}
    with pytest.raises(ServiceError) as gone:
        invitations.answer(secret, SCORES, now=T0 + HOUR)
    assert gone.value.code == "expired" and not Answer.objects.exists()


def test_a_waiting_invitation_of_a_survey_no_longer_taking_answers_expires(finished, survey):
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    assert invitations.send_due(now=T0 + 30 * HOUR) == {"sent": 0, "expired": 1}
    assert not mails().exists()


# --- one answer each, recorded anonymously ----------------------------------------------------


def test_one_answer_per_invitation(finished, survey):
    invitation = invitation_of(finished)
    secret = invitations.secret_of(invitation)
    at = T0 + 30 * HOUR
    invitations.answer(secret, {**SCORES, "sex": "P", "age": 34}, now=at)
    (answer,) = Answer.objects.all()
    assert answer.survey_id == survey.pk and answer.channel == Channel.INVITATION
    assert [getattr(answer, f"u{i}") for i in range(1, 10)] == list(SCORES.values())
    assert answer.submitted_on == timezone.localdate(at)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ANSWERED
    for attempt in (
        lambda: invitations.answer(secret, SCORES, now=at),
        lambda: invitations.find(secret, now=at),
    ):
        with pytest.raises(ServiceError) as again:
            attempt()
        assert again.value.code == "answered"
    assert Answer.objects.count() == 1


def test_a_bad_answer_writes_nothing_and_leaves_the_invitation_open(finished):
    invitation = invitation_of(finished)
    secret = invitations.secret_of(invitation)
    with pytest.raises(ServiceError) as bad:
        invitations.answer(secret, {**SCORES, "u3": 7}, now=T0 + HOUR)
    assert bad.value.field == "u3" and not Answer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WAITING


@pytest.mark.parametrize("secret", ["", "x" * 64, "x" * 5000, "../../etc"])
def test_an_unknown_link_is_not_found(finished, secret):
    with pytest.raises(ServiceError) as missing:
        invitations.find(secret, now=T0)
    assert missing.value.code == "not_found"
    with pytest.raises(ServiceError) as refused:
        invitations.answer(secret, SCORES, now=T0)
    assert refused.value.code == "not_found" and not Answer.objects.exists()


def test_nothing_links_the_answer_to_the_invitation(finished):
    invitation = invitation_of(finished)
    before = {f.attname: getattr(invitation, f.attname) for f in Invitation._meta.concrete_fields}
    invitations.answer(invitations.secret_of(invitation), SCORES, now=T0 + 30 * HOUR)
    answer = Answer.objects.get()
    # The answer: the survey, a day, the channel, the scores and the profile; nothing else.
    names = {f.attname for f in Answer._meta.concrete_fields}
    assert names == {
        "id",
        "survey_id",
        "submitted_on",
        "channel",
        *(f"u{i}" for i in range(1, 10)),
        "age",
        "sex",
        "education",
        "occupation",
        "suggestion",
        "batch_id",
    }
    assert answer.batch_id is None and isinstance(answer.submitted_on, dt.date)
    assert not isinstance(answer.submitted_on, dt.datetime)
    # The invitation: only its status changed (no time, no answer).
    invitation.refresh_from_db()
    after = {f.attname: getattr(invitation, f.attname) for f in Invitation._meta.concrete_fields}
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"status"} and after["status"] == InvitationStatus.ANSWERED


# --- who is invited ---------------------------------------------------------------------------


def test_the_workers_of_the_case_are_the_it_team_not_the_requester(bali, finished):
    workers = invitations.workers_of(finished)
    for who in ("kadis", "kabid", "ketuatim", "dev1", "qa1"):
        assert bali[who].pk in workers, who
    assert bali["dinkes_staf"].pk not in workers


def test_a_requester_who_worked_on_the_case_is_not_invited(bali, sop002, survey):
    # dev1 reports a problem of SIKESDA and then fixes it.
    case = finish(bali, sop002, opener="dev1")
    assert bali["dev1"].pk in invitations.workers_of(case)
    assert invitation_of(case) is None


def test_a_signed_in_worker_opening_the_link_may_not_answer(bali, finished):
    secret = invitations.secret_of(invitation_of(finished))
    for who in ("kadis", "dev1"):
        with pytest.raises(NotAllowed):
            invitations.answer(secret, SCORES, person=bali[who], now=T0 + HOUR)
    assert not Answer.objects.exists()
    assert invitation_of(finished).status == InvitationStatus.WAITING
    # The requester, signed in, answers.
    invitations.answer(secret, SCORES, person=bali["dinkes_staf"], now=T0 + HOUR)
    assert Answer.objects.count() == 1


def _reinvite(case, at=T0):
    Invitation.objects.filter(case_id=case.pk).delete()
    return invitations.invite(Case.objects.get(pk=case.pk), at=at)


def test_robots_and_people_without_email_or_sign_in_are_never_invited(bali, finished):
    from laksana.monitoring.incidents import robot_for

    requester = bali["dinkes_staf"]
    assert _reinvite(finished) is not None  # the case as it is: invited
    robot = robot_for(bali.agency.pk)
    Case.objects.filter(pk=finished.pk).update(opened_by=robot)
    assert invitations.requester_of(Case.objects.get(pk=finished.pk)) is None
    assert _reinvite(finished) is None
    Case.objects.filter(pk=finished.pk).update(opened_by=requester)
    type(requester).objects.filter(pk=requester.pk).update(email="")
    assert _reinvite(finished) is None
    type(requester).objects.filter(pk=requester.pk).update(email="staf@dinkes.example")
    requester.user.is_active = False
    requester.user.save(update_fields=["is_active"])
    assert _reinvite(finished) is None


def test_a_requester_who_lost_the_email_since_is_not_sent_to(bali, finished):
    type(bali["dinkes_staf"]).objects.filter(pk=bali["dinkes_staf"].pk).update(email="")
    assert invitations.send_due(now=T0 + 30 * HOUR) == {"sent": 0, "expired": 1}
    assert not mails().exists()


# --- which survey -----------------------------------------------------------------------------


def test_no_survey_no_invitation(bali, sop002):
    case = finish(bali, sop002)
    assert invitation_of(case) is None


@pytest.mark.parametrize(
    "change",
    [
        {"status": SurveyStatus.DRAFT},
        {"status": SurveyStatus.CLOSED},
        {"invite_requesters": False},
        {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)},
        {"procedure_key": "sop-lain"},
    ],
)
def test_a_survey_that_does_not_fit_brings_no_invitation(bali, sop002, change):
    make_survey(bali, **change)
    assert invitation_of(finish(bali, sop002)) is None


def test_the_agency_that_invites_nobody(bali, sop002, survey):
    rules(bali, invite_requesters=False)
    assert invitation_of(finish(bali, sop002)) is None


def test_another_agencys_survey_is_never_chosen(bali, djki, sop002):
    make_survey(djki)  # the same procedure's key, in another agency
    case = finish(bali, sop002)
    assert invitations.survey_for(case, T0.date()) is None
    assert invitation_of(case) is None


def test_the_applications_survey_comes_before_the_procedures(bali, sop002, survey):
    newer = make_survey(bali, period_start=dt.date(2026, 3, 1))
    own = make_survey(
        bali,
        kind=ServiceKind.APPLICATION,
        application=bali.applications["sikesda"],
        title="SKM SIKESDA",
    )
    make_survey(
        bali,
        kind=ServiceKind.APPLICATION,
        application=next(a for k, a in bali.applications.items() if k != "sikesda"),
    )
    case = finish(bali, sop002)
    assert invitation_of(case).survey_id == own.pk
    own.delete()
    assert invitations.survey_for(case, T0.date()) == newer  # then the latest period


# --- the share of cases -----------------------------------------------------------------------


def test_share_0_and_100(bali, sop002, survey):
    rules(bali, invite_share=0)
    case = finish(bali, sop002)
    assert invitation_of(case) is None
    rules(bali, invite_share=100)
    assert _reinvite(case) is not None


def test_a_partial_share_invites_about_that_share_of_many_cases_always_the_same(finished, bali):
    """400 finished cases (copies of a real one under other references): 30 % invited, each
    chosen by its reference the same way every time."""
    rules(bali, invite_share=30)
    Invitation.objects.all().delete()
    fields = {
        f.attname: getattr(finished, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "reference")
    }
    Case.objects.bulk_create([Case(reference=f"UJI-{n:05d}", **fields) for n in range(400)])
    cases = list(Case.objects.filter(reference__startswith="UJI-"))
    invited = {c.reference for c in cases if invitations.invite(c, at=T0) is not None}
    assert 80 <= len(invited) <= 160  # 30 % of 400 = 120
    assert invited == {c.reference for c in cases if invitations.chosen(c.reference, 30)}
    with override_settings(SECRET_KEY="another-" * 8):
        other = {c.reference for c in cases if invitations.chosen(c.reference, 30)}
    assert other != invited
    # Raising the share keeps every case chosen before (the same hash, a wider band).
    assert invited <= {c.reference for c in cases if invitations.chosen(c.reference, 60)}


# --- registration -----------------------------------------------------------------------------


def test_registered_as_a_follower_and_a_periodic_task():
    assert invitations.FOLLOWER in case_artifacts._FOLLOWERS
    assert ticker._PERIODIC[invitations.PERIODIC] is invitations._enqueue


def test_the_periodic_task_sends_the_due_invitations(bali, finished):
    from laksana.survey.tasks import send_invitations

    Invitation.objects.update(
        send_after=timezone.now() - HOUR, expires_at=timezone.now() + 24 * HOUR
    )
    assert send_invitations.call() == {"sent": 1, "expired": 0}
    assert mails().filter(to=bali["dinkes_staf"].email).count() == 1


def test_the_email_and_the_refusals_are_in_indonesian(bali, finished):
    from django.utils import translation

    with translation.override("id"):
        assert invitations.send_due(now=T0 + 30 * HOUR) == {"sent": 1, "expired": 0}
        with pytest.raises(ServiceError) as missing:
            invitations.find("tidak-ada", now=T0)
    (message,) = mails()
    assert message.subject.startswith("[Laksana] Bagaimana layanan kami?")
    assert message.body.startswith(f"Yth. {bali['dinkes_staf'].name},")
    assert "Survei ini berisi sembilan pertanyaan singkat" in message.body
    assert "Tautan ini dapat digunakan satu kali, sampai" in message.body
    assert missing.value.message == "Tautan undangan ini tidak berlaku."
