"""E-mails to an outside requester: their step became active, a step waits on them, the case
finished; in Indonesian, through the outbox, never with the link's secret."""

from __future__ import annotations

import pytest

from laksana.cases import services
from tests.cases.helpers import work
from tests.intake.follow_helpers import active, mails_to, outside_case

pytestmark = pytest.mark.django_db

EMAIL = "wayan@contoh.id"


def test_a_case_of_staff_sends_the_requester_mail_nothing(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Internal")
    work(bali["dinkes_staf"], case)
    assert mails_to(EMAIL) == []


def test_a_hold_of_the_requesters_own_step_or_of_another_case_mails_nobody_outside(bali):
    _secret, request = outside_case(bali.agency)
    _other_secret, other = outside_case(bali.agency, email="lain@contoh.id")
    robot = request.agency.public_desk.robot
    services.hold_step(robot, active(request.case).pk, "Sedang menyiapkan surat")
    assert mails_to(EMAIL) == [] and mails_to("lain@contoh.id") == []
    del other


def test_the_requester_is_told_when_to_act_when_a_step_waits_on_them_and_when_it_ends(bali):
    secret, request = outside_case(bali.agency)
    robot = request.agency.public_desk.robot
    case = work(robot, request.case)  # step 1 done: step 2 is the requester's again
    mails = mails_to(EMAIL)
    assert len(mails) == 1
    assert "tindakan Anda" in mails[0].subject and case.reference in mails[0].subject
    assert "langkah 2" in mails[0].body and "/layanan/lacak/" in mails[0].body
    case = work(robot, case)  # step 3 is staff's: no mail
    assert len(mails_to(EMAIL)) == 1
    services.hold_step(bali["kadis"], active(case).pk, "Mohon kirim nomor versi aplikasi")
    mails = mails_to(EMAIL)
    assert len(mails) == 2 and "Mohon kirim nomor versi aplikasi" in mails[1].body
    services.resume_step(bali["kadis"], active(case).pk)
    for who in ("kadis", "kabid", "ketuatim", "dev1", "dev1", "dev1"):
        case = work(bali[who], case)
    assert active(case).step_key == "s9"
    assert "langkah 9" in mails_to(EMAIL)[-1].body
    for who in ("desk", "kadis", "kadis"):
        case = work(robot if who == "desk" else bali[who], case)
    case.refresh_from_db()
    assert case.finished_at is not None
    last = mails_to(EMAIL)[-1]
    assert "selesai" in last.subject and "Selesai" in last.body
    for mail in mails_to(EMAIL):
        assert secret not in mail.body
