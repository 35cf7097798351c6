"""The staff's services of the public desk: opening procedures to the public
(laksana.intake.services_admin) and marking outside requests as spam (laksana.intake.spam).
Attacks first, nothing written on a refusal; then the happy paths with their change records."""

from __future__ import annotations

import pytest

from laksana.cases import coverage
from laksana.cases.models import CaseStatus, StepStatus
from laksana.demo.orgs import SOP_000, SOP_002, SOP_004
from laksana.errors import NotAllowed, ServiceError
from laksana.intake import desk, services_admin, spam
from laksana.intake.models import OutsideRequest, PublicDesk, PublicService, RequestStatus
from laksana.org.models import OrgChange
from laksana.procedures.services import adopt

from .staff_helpers import outside, service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the messages in English (the Indonesian is checked in tests/web)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _written() -> tuple[int, int, int]:
    return PublicService.objects.count(), PublicDesk.objects.count(), OrgChange.objects.count()


def _create(agency, by, **kw):
    values = {"procedure_key": SOP_002, "title": "Pengaduan Aplikasi", "slug": "pengaduan"}
    values.update(kw)
    return services_admin.create_service(agency, by, **values)


# Opening procedures: attacks ------------------------------------------------------------------


def test_staff_who_administer_nothing_and_other_agencies_admins_are_refused(bali, djki):
    before = _written()
    for person in (bali["dinkes_staf"], bali["kadis"], djki["admindjki"], djki["kasubdit"]):
        with pytest.raises(NotAllowed):
            _create(bali.agency, person)
    assert _written() == before


def test_another_agencys_procedure_or_an_unpublished_key_is_refused_by_name(bali, djki):
    before = _written()
    for key in (SOP_004, "sop-999-tidak-ada", ""):
        with pytest.raises(ServiceError) as caught:
            _create(bali.agency, bali["adminbali"], procedure_key=key)
        assert caught.value.field == "procedure_key"
        assert caught.value.code == "not_published"
    assert _written() == before


def test_a_procedure_without_a_requesting_unit_actor_is_refused_with_the_reason(bali):
    adopt(SOP_000, bali.agency, by=bali["kabid"])
    before = _written()
    with pytest.raises(ServiceError) as caught:
        _create(bali.agency, bali["kabid"], procedure_key=SOP_000)
    assert caught.value.code == "no_requester"
    assert "requester's steps need such an actor" in caught.value.message
    assert _written() == before


@pytest.mark.parametrize("slug", ["konfirmasi", "lacak", "saya", "permohonan", "LACAK"])
def test_a_slug_the_public_routes_use_is_refused(bali, slug):
    before = _written()
    with pytest.raises(ServiceError) as caught:
        _create(bali.agency, bali["adminbali"], slug=slug)
    assert caught.value.code == "reserved" and caught.value.field == "slug"
    assert _written() == before


@pytest.mark.parametrize("slug", ["", "ada spasi", "garis/miring", "x" * 101])
def test_a_bad_slug_or_no_title_is_refused_at_its_field(bali, slug):
    before = _written()
    with pytest.raises(ServiceError) as caught:
        _create(bali.agency, bali["adminbali"], slug=slug)
    assert caught.value.field == "slug"
    with pytest.raises(ServiceError) as untitled:
        _create(bali.agency, bali["adminbali"], title="  ")
    assert untitled.value.field == "title"
    assert _written() == before


def test_a_duplicate_slug_or_procedure_is_refused(bali):
    adopt("sop-001-pengelolaan-aplikasi", bali.agency, by=bali["kabid"])
    _create(bali.agency, bali["adminbali"])
    before = _written()
    with pytest.raises(ServiceError) as slug:
        _create(bali.agency, bali["adminbali"], procedure_key="sop-001-pengelolaan-aplikasi")
    assert slug.value.code == "duplicate" and slug.value.field == "slug"
    with pytest.raises(ServiceError) as key:
        _create(bali.agency, bali["adminbali"], slug="lain")
    assert key.value.code == "duplicate" and key.value.field == "procedure_key"
    assert _written() == before


def test_another_agencys_service_is_not_found_and_a_slug_taken_is_refused_on_change(bali, djki):
    mine = _create(bali.agency, bali["adminbali"])
    adopt("sop-001-pengelolaan-aplikasi", bali.agency, by=bali["kabid"])
    other = _create(
        bali.agency, bali["adminbali"], procedure_key="sop-001-pengelolaan-aplikasi", slug="lain"
    )
    theirs = service(djki.agency, SOP_004, "djki")
    before = _written()
    with pytest.raises(ServiceError) as caught:
        services_admin.update_service(
            bali.agency, bali["adminbali"], theirs.pk, title="Diambil", slug="diambil"
        )
    assert caught.value.code == "not_found"
    with pytest.raises(ServiceError) as taken:
        services_admin.update_service(
            bali.agency, bali["adminbali"], other.pk, title="Lain", slug=mine.slug
        )
    assert taken.value.code == "duplicate"
    with pytest.raises(NotAllowed):
        services_admin.update_service(
            bali.agency, bali["dinkes_staf"], mine.pk, title="X", slug="x"
        )
    assert _written() == before
    theirs.refresh_from_db()
    assert theirs.title == "Pengaduan"


# Opening procedures: happy paths ----------------------------------------------------------------


def test_the_first_service_makes_the_desk_and_every_change_is_recorded(bali):
    assert not PublicDesk.objects.filter(agency=bali.agency).exists()
    made = _create(
        bali.agency,
        bali["kabid"],
        slug="Pengaduan-Aplikasi",
        intro="Laporkan masalah.",
        source="web",
    )
    assert made.slug == "pengaduan-aplikasi" and made.opened_by == bali["kabid"]
    assert PublicDesk.objects.filter(agency=bali.agency).count() == 1
    created = OrgChange.objects.get(subject="public_service", action="created")
    assert created.agency_id == bali.agency.pk and created.by == bali["kabid"]
    assert created.after["slug"] == "pengaduan-aplikasi" and created.before is None
    services_admin.update_service(
        bali.agency,
        bali["adminbali"],
        made.pk,
        title="Pengaduan Masalah Aplikasi",
        slug="pengaduan-aplikasi",
        intro="Laporkan masalah.",
        is_open=False,
        accepts_files=False,
    )
    changed = OrgChange.objects.get(subject="public_service", action="changed")
    assert changed.before["is_open"] is True and changed.after["is_open"] is False
    assert changed.after["title"] == "Pengaduan Masalah Aplikasi"
    # Saving it unchanged records nothing.
    services_admin.update_service(
        bali.agency,
        bali["adminbali"],
        made.pk,
        title="Pengaduan Masalah Aplikasi",
        slug="pengaduan-aplikasi",
        intro="Laporkan masalah.",
        is_open=False,
        accepts_files=False,
    )
    assert OrgChange.objects.filter(subject="public_service").count() == 2


# Spam: attacks --------------------------------------------------------------------------------


def _states() -> list[tuple[int, str]]:
    return list(OutsideRequest.objects.order_by("pk").values_list("pk", "status"))


def test_marking_spam_is_refused_to_staff_and_other_agencies(bali, djki):
    svc = service(bali.agency, SOP_002)
    row = outside(svc)
    before, changes = _states(), OrgChange.objects.count()
    for person in (bali["dinkes_staf"], bali["kadis"]):
        with pytest.raises(NotAllowed):
            spam.mark_spam(bali.agency, person, row.pk, "iklan")
    with pytest.raises(ServiceError) as caught:  # another agency's request: not found
        spam.mark_spam(djki.agency, djki["admindjki"], row.pk, "iklan")
    assert caught.value.code == "not_found"
    with pytest.raises(NotAllowed):
        spam.mark_spam_from_address(bali.agency, djki["admindjki"], row.address_hash, "iklan")
    with pytest.raises(ServiceError) as none:  # the hash names none of DJKI's requests
        spam.mark_spam_from_address(djki.agency, djki["admindjki"], row.address_hash, "iklan")
    assert none.value.code == "not_found"
    with pytest.raises(ServiceError) as reason:
        spam.mark_spam(bali.agency, bali["adminbali"], row.pk, "  ")
    assert reason.value.field == "reason"
    assert _states() == before and OrgChange.objects.count() == changes


# Spam: happy paths ----------------------------------------------------------------------------


def test_an_awaiting_request_marked_as_spam_is_recorded_and_not_marked_twice(bali):
    svc = service(bali.agency, SOP_002)
    row = outside(svc)
    spam.mark_spam(bali.agency, bali["adminbali"], row.pk, "Iklan judi")
    row.refresh_from_db()
    assert row.status == RequestStatus.SPAM and row.spam_by == bali["adminbali"]
    assert row.spam_reason == "Iklan judi" and row.spam_at is not None
    record = OrgChange.objects.get(subject="outside_request")
    assert record.before["status"] == "awaiting" and record.after["status"] == "spam"
    with pytest.raises(ServiceError) as again:
        spam.mark_spam(bali.agency, bali["kabid"], row.pk, "lagi")
    assert again.value.code == "already_spam"


def test_an_opened_request_marked_as_spam_closes_its_case_and_its_link_names_nothing(bali):
    svc = service(bali.agency, SOP_002)
    row = outside(svc, opened=True)
    row.link_hash = desk.digest("rahasia")
    row.save(update_fields=["link_hash"])
    assert desk.request_by_link("rahasia") == row
    spam.mark_spam(bali.agency, bali["kabid"], row.pk, "Laporan palsu")
    row.refresh_from_db()
    case = row.case
    assert row.status == RequestStatus.SPAM
    assert case.status == CaseStatus.FINISHED and case.end_key == "closed"
    assert not case.steps.filter(status=StepStatus.ACTIVE).exists()
    assert case.journal.order_by("-seq").first().data["reason"] == "Spam: Laporan palsu"
    assert coverage.check_case(case) == []
    assert desk.request_by_link("rahasia") is None


def test_every_request_from_one_address_is_marked_in_bulk(bali):
    svc = service(bali.agency, SOP_002)
    flood = [outside(svc, f"Banjir {i}", email=f"b{i}@example.org") for i in range(3)]
    opened = outside(svc, "Banjir terbuka", opened=True)
    other = outside(svc, "Sah", address="5.6.7.8")
    by_address, by_email = spam.counts(bali.agency, [flood[0], other])
    assert by_address[flood[0].address_hash] == 4 and by_address[other.address_hash] == 1
    assert by_email[desk.digest("wayan@example.org")] == 2
    count = spam.mark_spam_from_address(
        bali.agency, bali["adminbali"], flood[0].address_hash, "Banjir"
    )
    assert count == 4
    assert set(
        OutsideRequest.objects.filter(address_hash=flood[0].address_hash).values_list(
            "status", flat=True
        )
    ) == {RequestStatus.SPAM}
    other.refresh_from_db()
    opened.refresh_from_db()
    assert other.status == RequestStatus.AWAITING
    assert opened.case.status == CaseStatus.FINISHED
    assert OrgChange.objects.filter(subject="outside_request").count() == 4
    assert spam.fingerprint(flood[0].address_hash) == flood[0].address_hash[:8]
