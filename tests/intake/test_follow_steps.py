"""The requester's steps and answers through the follow link: attacks first, then the way
through a Bali SOP 002 case opened for an outside request."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from laksana.cases import services
from laksana.cases.models import CaseStep, JournalKind, Notification, StepStatus
from laksana.intake import follow
from laksana.intake.models import RequestStatus
from tests.cases.helpers import pdf, work
from tests.intake.follow_helpers import (
    active,
    counts,
    outside_case,
    reply_url,
    step1_form,
    step2_form,
    step_url,
    url,
)

pytestmark = pytest.mark.django_db


def _to_step3(request):
    """The requester's steps 1 and 2 done (as the desk's account): step 3, the Kepala
    Dinas's, is active."""
    robot = request.agency.public_desk.robot
    return work(robot, work(robot, request.case))


# --- attacks ----------------------------------------------------------------------------------


def test_a_step_of_another_case_through_the_link_is_not_found_and_writes_nothing(client, bali):
    secret_a, _a = outside_case(bali.agency)
    _secret_b, b = outside_case(bali.agency, email="b@contoh.id")
    other = active(b.case)
    before = counts()
    response = client.post(step_url(secret_a, other.pk), step1_form())
    assert response.status_code == 404
    assert counts() == before
    assert active(b.case).pk == other.pk


def test_a_staff_step_or_a_finished_step_posted_through_the_link_is_refused(client, bali):
    secret, request = outside_case(bali.agency)
    done = active(request.case)
    case = _to_step3(request)
    staff = active(case)
    assert staff.step_key == "s3"
    before = counts()
    for row in (staff, done):
        response = client.post(step_url(secret, row.pk), step1_form())
        assert response.status_code == 403
        assert counts() == before
    assert CaseStep.objects.get(pk=staff.pk).status == StepStatus.ACTIVE
    with pytest.raises(services.NotAllowed):
        follow.complete(request, staff.pk, values={})


def test_a_spam_closed_link_can_do_nothing(client, bali):
    secret, request = outside_case(bali.agency)
    row = active(request.case)
    request.status = RequestStatus.SPAM
    request.save(update_fields=["status"])
    before = counts()
    assert client.post(step_url(secret, row.pk), step1_form()).status_code == 404
    assert client.post(reply_url(secret, row.pk), {"text": "halo"}).status_code == 404
    assert counts() == before


def test_an_answer_to_a_step_not_on_hold_or_to_the_requesters_own_step_is_refused(client, bali):
    secret, request = outside_case(bali.agency)
    own = active(request.case)
    case = _to_step3(request)
    staff = active(case)
    before = counts()
    for row in (own, staff):  # own: the requester's (done) step; staff: not on hold
        response = client.post(reply_url(secret, row.pk), {"text": "Ini jawaban saya"})
        assert response.status_code == 403
    assert counts() == before


def test_an_oversized_answer_or_too_many_or_bad_files_write_nothing(client, bali):
    secret, request = outside_case(bali.agency)
    case = _to_step3(request)
    staff = active(case)
    services.hold_step(bali["kadis"], staff.pk, "Mohon lampirkan tangkapan layar galat")
    before = counts()
    response = client.post(reply_url(secret, staff.pk), {"text": "x" * 2001})
    assert response.status_code == 422
    files = [pdf(f"f{i}.pdf") for i in range(4)]
    response = client.post(reply_url(secret, staff.pk), {"text": "Terlampir", "files": files})
    assert response.status_code == 422
    bad = SimpleUploadedFile(
        "virus.exe", b"MZ\x90\x00" * 10, content_type="application/x-msdownload"
    )
    response = client.post(
        reply_url(secret, staff.pk), {"text": "Terlampir", "files": [pdf(), bad]}
    )
    assert response.status_code == 422
    with override_settings(LAKSANA_MAX_UPLOAD_BYTES=10):
        response = client.post(reply_url(secret, staff.pk), {"text": "Terlampir", "files": [pdf()]})
    assert response.status_code == 422
    assert counts() == before


# --- the way through --------------------------------------------------------------------------


def test_the_requester_does_their_steps_answers_a_hold_and_accepts_the_uat(client, bali):
    secret, request = outside_case(bali.agency)
    case = request.case
    robot = request.agency.public_desk.robot
    # Step 1 refused with nothing entered: the form comes back with the messages.
    row = active(case)
    before = counts()
    response = client.post(step_url(secret, row.pk), {})
    assert response.status_code == 422
    assert counts() == before
    # Steps 1 and 2 through the link.
    response = client.post(step_url(secret, row.pk), step1_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CaseStep.objects.get(pk=row.pk).completed_by_id == robot.pk
    row = active(case)
    assert row.step_key == "s2"
    assert client.post(step_url(secret, row.pk), step2_form()).status_code == 302
    case.refresh_from_db()
    staff = active(case)
    assert staff.step_key == "s3"
    # The Kepala Dinas holds step 3 waiting on the requester; the page shows the reason.
    services.hold_step(bali["kadis"], staff.pk, "Mohon kirim nomor versi aplikasi")
    body = client.get(url(secret)).content.decode()
    assert "Mohon kirim nomor versi aplikasi" in body
    assert f"/balas/{staff.pk}/" in body
    response = client.post(
        reply_url(secret, staff.pk), {"text": "Versi 2.3.1", "files": [pdf("versi.pdf")]}
    )
    assert response.status_code == 302
    comment = case.journal.filter(kind=JournalKind.COMMENT).latest("seq")
    assert comment.actor_id == robot.pk
    assert "Wayan Sari" in comment.data["text"] and "Versi 2.3.1" in comment.data["text"]
    assert case.attachments.filter(original_name="versi.pdf", uploaded_by=robot).exists()
    assert Notification.objects.filter(person=bali["kadis"], case=case).exists()
    # Not resumed by the answer: the staff resume it.
    assert CaseStep.objects.get(pk=staff.pk).on_hold_since is not None
    services.resume_step(bali["kadis"], staff.pk)
    case.refresh_from_db()
    # Staff work to the UAT (step 9, the requester's).
    for who in ("kadis", "kabid", "ketuatim", "dev1", "dev1", "dev1"):
        case = work(bali[who], case)
    row = active(case)
    assert row.step_key == "s9"
    body = client.get(url(secret)).content.decode()
    assert "Diterima" in body and f"/langkah/{row.pk}/" in body
    response = client.post(
        step_url(secret, row.pk), {"art-ba_uat": pdf("ba-uat.pdf"), "outcome": "Diterima"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = CaseStep.objects.get(pk=row.pk)
    assert row.status == StepStatus.COMPLETED and row.outcome == "Diterima"
    case.refresh_from_db()
    assert active(case).step_key == "s10"
