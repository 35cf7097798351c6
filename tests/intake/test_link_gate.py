"""The follow link's gate: a secret link gives exactly one outside request's case, and an
outside requester changes nothing of what staff see or hold.

Several outside requests of Bali's SOP 002 service, each opened as a case with
:func:`laksana.intake.desk.open_case` (requested by the desk's unit, opened by its system
account); one still awaiting its e-mail confirmation and one closed as spam. The link's
secret is kept only as its hash (:func:`laksana.intake.desk.digest`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from laksana.cases.holders import holders
from laksana.cases.queries import visible_case_ids, visible_cases
from laksana.demo.orgs import SOP_002
from laksana.intake import desk
from laksana.intake.models import OutsideRequest, PublicService, RequestStatus
from laksana.org.models import Person

pytestmark = pytest.mark.django_db

REQUESTER_ACTOR = "pemohon"  # SOP 002's requesting unit


@dataclass
class Filed:
    request: OutsideRequest
    secret: str  # the follow link's secret (shown once, in the e-mail)


def _file(service: PublicService, n: int, status: str = RequestStatus.OPENED) -> Filed:
    secret, link_hash = desk.new_secret()
    request = OutsideRequest.objects.create(
        agency=service.agency,
        service=service,
        name=f"Warga {n}",
        email=f"warga{n}@example.org",
        title=f"Aplikasi tidak bisa dibuka ({n})",
        description="Sejak kemarin.",
        status=RequestStatus.AWAITING,
        link_hash=link_hash,
        created_at=timezone.now(),
    )
    if status != RequestStatus.AWAITING:
        request.case = desk.open_case(request)
        request.status = RequestStatus.OPENED
        request.confirmed_at = timezone.now()
        request.save(update_fields=["case", "status", "confirmed_at"])
    if status == RequestStatus.SPAM:
        request.status = RequestStatus.SPAM
        request.spam_at = timezone.now()
        request.save(update_fields=["status", "spam_at"])
    return Filed(request, secret)


@pytest.fixture
def service(bali) -> PublicService:
    return PublicService.objects.create(
        agency=bali.agency,
        procedure_key=SOP_002,
        slug="laporan-gangguan",
        title="Laporan gangguan aplikasi",
        opened_at=timezone.now(),
        opened_by=bali["adminbali"],
    )


def _staff(*orgs) -> list[Person]:
    return [p for org in orgs for p in org.people.values()]


def _seen(people: list[Person]) -> dict[int, set[int]]:
    return {p.pk: set(visible_cases(p.user).values_list("pk", flat=True)) for p in people}


def test_a_link_gives_exactly_its_own_case(service, bali):
    filed = [_file(service, n) for n in range(4)]
    cases = {f.request.case_id for f in filed}
    assert len(cases) == 4 and None not in cases
    for f in filed:
        found = desk.request_by_link(f.secret)
        assert found is not None and found.pk == f.request.pk
        assert found.case_id == f.request.case_id
        # Every other link names another request, never this one's case.
        for other in filed:
            if other is not f:
                assert desk.request_by_link(other.secret).case_id != f.request.case_id
    # Only the hash is kept: the secret itself is nowhere in the table.
    for f in filed:
        assert not OutsideRequest.objects.filter(link_hash=f.secret).exists()
        assert f.request.link_hash == desk.digest(f.secret)


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "x",
        "0" * 43,
        "A" * 101,
        "' OR '1'='1",
        "%",
        "../../etc/passwd",
        "\x00",
        "\ud800",
    ],
    ids=["empty", "short", "zeros", "too-long", "sql", "wildcard", "traversal", "nul", "surrogate"],
)
def test_a_made_up_link_names_nothing(service, secret):
    filed = _file(service, 1)
    assert desk.request_by_link(secret) is None
    assert desk.request_by_link(filed.secret) is not None  # the real one still works


def test_a_hash_given_as_the_link_names_nothing(service):
    filed = _file(service, 1)
    assert desk.request_by_link(filed.request.link_hash) is None


def test_a_spam_marked_or_awaiting_request_has_no_working_link(service):
    spam = _file(service, 1, RequestStatus.SPAM)
    awaiting = _file(service, 2, RequestStatus.AWAITING)
    assert spam.request.case_id is not None and awaiting.request.case_id is None
    assert desk.request_by_link(spam.secret) is None
    assert desk.request_by_link(awaiting.secret) is None


def test_the_desk_robot_cannot_sign_in(service, bali, client: Client):
    filed = _file(service, 1)
    robot = desk.desk_for(bali.agency).robot
    assert robot.user_id is None and desk.is_desk_person(robot)
    assert filed.request.case.opened_by_id == robot.pk
    # Nobody signs in as the desk: its name is no account's, with or without a password.
    for username in (robot.name, "layanan-publik", str(robot.pk)):
        for password in ("", "laksana-demo"):
            form = {"username": username, "password": password}
            client.post(reverse("login"), form, REMOTE_ADDR="10.9.8.7")
            assert "_auth_user_id" not in client.session, (username, password)
    assert not any(desk.is_desk_person(p) for p in _staff(bali))


def test_outside_requests_change_nothing_staff_see(service, bali, djki):
    people = _staff(bali, djki)
    before = _seen(people)
    ids_before = {p.pk: set(visible_case_ids(p.user)) for p in people}
    filed = [_file(service, n) for n in range(3)]
    outside = {f.request.case_id for f in filed}
    after = _seen(people)
    for person in people:
        # Whatever a staff member saw, and only that: no outside case joins anyone's list
        # because its requester is outside (the requesting unit is the desk's, staff-less).
        assert after[person.pk] - outside == before[person.pk], person
        assert set(visible_case_ids(person.user)) - outside == ids_before[person.pk], person
        if person.unit.kind == "requesting" or person.vendor_id is not None:
            assert not after[person.pk] & outside, person
    for login in ("adminbali", "admindjki", "bkd", "dinkes_staf"):
        org = bali if login in bali.people else djki
        assert not after[org[login].pk] & outside, login


def test_the_requesters_steps_are_held_by_no_staff_member(service, bali, djki):
    filed = [_file(service, n) for n in range(2)]
    robot = desk.desk_for(bali.agency).robot
    staff = {p.pk for p in _staff(bali, djki)}
    for f in filed:
        case = f.request.case
        assert case.requesting_unit_id == robot.unit_id
        held = set(holders(case, REQUESTER_ACTOR).values_list("pk", flat=True))
        assert held == {robot.pk}
        assert not held & staff
