"""The filing service (laksana.intake.filing): attacks first — a closed service, fields and
files out of bounds, a confirmation with a forged, expired or used secret, tracking with
wrong pairs — each refused with nothing written; then the way through: filed, e-mailed,
confirmed, the case opened by the desk's account for the desk's unit with the files
attached and the follow link e-mailed; a signed-in requester's case opens at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from laksana.cases.models import Attachment, Case
from laksana.errors import ServiceError
from laksana.intake import desk, filing, guard
from laksana.intake.models import OutsideRequest, RequestStatus
from laksana.outbox.models import Message

from .helpers import PDF, counts, form, link_in, open_service, secret_of

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"


@pytest.fixture
def service(bali):
    return open_service(bali)


def pdf(name: str = "bukti.pdf", size: int = 0) -> SimpleUploadedFile:
    content = PDF if not size else PDF + b"%" * (size - len(PDF))
    return SimpleUploadedFile(name, content, "application/pdf")


def refused(service, data, files=(), **kwargs) -> ServiceError:
    before = counts()
    with pytest.raises(ServiceError) as caught:
        filing.file_request(service, data, list(files), address=ADDRESS, **kwargs)
    assert counts() == before, "a refused filing wrote something"
    assert Case.objects.count() == 0
    return caught.value


def filed_and_confirmed(service, files=()):
    done = filing.file_request(service, form(service), list(files), address=ADDRESS)
    mail = Message.objects.get(to="ayu@contoh.id")
    secret = secret_of(link_in(mail, "/layanan/konfirmasi/"))
    return done.request, filing.confirm(secret)


# --- attacks ---------------------------------------------------------------------------------


def test_a_closed_service_takes_nothing(bali) -> None:
    closed = open_service(bali, is_open=False)
    assert refused(closed, form(closed)).code == "service_closed"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "", "name"),
        ("email", "", "email"),
        ("email", "bukan-surel", "email"),
        ("title", "", "title"),
        ("title", "x" * 301, "title"),
        ("description", "x" * 5001, "description"),
        ("phone", "0812-abc", "phone"),
        ("phone", "<script>", "phone"),
        ("description", "a\x00b", "description"),
        ("name", "Ayu\x07", "name"),
    ],
)
def test_each_wrong_field_is_named(service, field, value, code) -> None:
    error = refused(service, form(service, **{field: value}))
    assert error.code == "invalid" and code in error.errors  # type: ignore[attr-defined]


def test_too_many_files_are_refused(service) -> None:
    error = refused(service, form(service), [pdf(f"b{i}.pdf") for i in range(4)])
    assert error.code == "invalid" and "3" in error.errors["files"]  # type: ignore[attr-defined]


def test_an_oversized_file_is_refused(service) -> None:
    error = refused(service, form(service), [pdf(size=5 * 1024 * 1024 + 10)])
    assert "5 MB" in error.errors["files"]  # type: ignore[attr-defined]


def test_a_file_of_a_wrong_type_is_refused_by_its_content(service) -> None:
    script = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    error = refused(service, form(service), [script])
    assert "surat" in error.errors["files"]  # type: ignore[attr-defined]


def test_files_to_a_service_that_takes_none_are_refused(service) -> None:
    service.accepts_files = False
    service.save()
    refused(service, form(service), [pdf()])


def test_a_forged_or_used_or_expired_confirmation_opens_nothing(service) -> None:
    done = filing.file_request(service, form(service), [], address=ADDRESS)
    mail = Message.objects.get()
    secret = secret_of(link_in(mail, "/layanan/konfirmasi/"))
    for wrong in ("", "x" * 43, secret + "x", "a" * 500):
        with pytest.raises(ServiceError) as caught:
            filing.confirm(wrong)
        assert caught.value.code == "confirm_invalid"
    later = timezone.now() + guard.CONFIRM_TTL + dt.timedelta(minutes=1)
    with pytest.raises(ServiceError):
        filing.confirm(secret, now=later)
    assert Case.objects.count() == 0 and Message.objects.count() == 1
    done.request.refresh_from_db()
    assert done.request.status == RequestStatus.AWAITING
    filing.confirm(secret)
    with pytest.raises(ServiceError):
        filing.confirm(secret)
    assert Case.objects.count() == 1 and Message.objects.count() == 2


def test_a_confirmation_after_the_service_closed_opens_nothing(service) -> None:
    filing.file_request(service, form(service), [], address=ADDRESS)
    secret = secret_of(link_in(Message.objects.get(), "/layanan/konfirmasi/"))
    service.is_open = False
    service.save()
    with pytest.raises(ServiceError) as caught:
        filing.confirm(secret)
    assert caught.value.code == "service_closed" and Case.objects.count() == 0


def test_tracking_with_a_wrong_pair_sends_nothing(service, djki) -> None:
    request, _opened = filed_and_confirmed(service)
    reference = request.case.reference if request.case else ""
    request.refresh_from_db()
    link_before = request.link_hash
    mails = Message.objects.count()
    pairs = (
        (reference, "lain@contoh.id"),
        ("BUKAN-001", "ayu@contoh.id"),
        ("", ""),
        (reference + "\x00", "ayu@contoh.id"),
    )
    for ref, email in pairs:
        assert filing.resend_link(ref, email, address=ADDRESS) is False
    request.refresh_from_db()
    assert request.link_hash == link_before and Message.objects.count() == mails


# --- the way through ---------------------------------------------------------------------------


def test_a_request_is_filed_confirmed_and_opened_as_the_desks_case(service, bali) -> None:
    done = filing.file_request(service, form(service), [pdf()], address=ADDRESS)
    request = done.request
    assert not done.opened and request.status == RequestStatus.AWAITING
    assert request.agency_id == bali.agency.pk and request.case is None
    assert request.address_hash and ADDRESS not in request.address_hash
    assert request.files.count() == 1
    mail = Message.objects.get()
    assert mail.to == "ayu@contoh.id" and "Konfirmasi" in mail.subject
    path = link_in(mail, "/layanan/konfirmasi/")
    secret = secret_of(path)
    assert request.confirm_hash == desk.digest(secret) and secret not in request.confirm_hash

    confirmed = filing.confirm(secret)
    assert confirmed.status == RequestStatus.OPENED and confirmed.confirm_hash == ""
    case = confirmed.case
    assert case is not None
    the_desk = desk.desk_for(bali.agency)
    assert case.requesting_unit_id == the_desk.unit_id
    assert case.opened_by_id == the_desk.robot_id
    assert case.title == request.title
    attached = Attachment.objects.get(case=case)
    assert attached.original_name == "bukti.pdf" and attached.uploaded_by_id == the_desk.robot_id
    follow = Message.objects.exclude(pk=mail.pk).get()
    assert case.reference in follow.subject + follow.body
    follow_path = link_in(follow, "/layanan/permohonan/")
    assert desk.request_by_link(secret_of(follow_path)) == confirmed


def test_a_signed_in_requester_files_with_their_own_email_and_the_case_opens(service) -> None:
    user = get_user_model().objects.create_user("warga", "warga@contoh.id", "x")
    done = filing.file_request(
        service, form(service, email="orang.lain@contoh.id"), [], address=ADDRESS, user=user
    )
    assert done.opened and done.request.status == RequestStatus.OPENED
    assert done.request.email == "warga@contoh.id" and done.request.user == user
    mail = Message.objects.get()
    assert mail.to == "warga@contoh.id"
    link_in(mail, "/layanan/permohonan/")


def test_tracking_with_the_right_pair_sends_a_new_link_and_the_old_one_stops(service) -> None:
    _request, opened = filed_and_confirmed(service)
    old = secret_of(link_in(Message.objects.order_by("-id").first(), "/layanan/permohonan/"))
    assert desk.request_by_link(old) is not None
    reference = opened.case.reference.lower()
    assert filing.resend_link(reference, "AYU@contoh.id", address=ADDRESS) is True
    new = secret_of(link_in(Message.objects.order_by("-id").first(), "/layanan/permohonan/"))
    assert desk.request_by_link(old) is None and desk.request_by_link(new) == opened


def test_unconfirmed_requests_expire_and_their_files_go(service) -> None:
    filing.file_request(service, form(service), [pdf()], address=ADDRESS)
    secret = secret_of(link_in(Message.objects.get(), "/layanan/konfirmasi/"))
    assert guard.expire_unconfirmed() == 0
    later = timezone.now() + guard.CONFIRM_TTL + dt.timedelta(minutes=1)
    assert guard.sweep(now=later)["expired"] == 1
    request = OutsideRequest.objects.get()
    assert request.status == RequestStatus.EXPIRED and request.confirm_hash == ""
    assert request.files.count() == 0
    with pytest.raises(ServiceError):
        filing.confirm(secret)
