"""The intake part of `laksana bench`: public requests filed and confirmed into cases beside
the bare inserts of the same cases and requests, its rows rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from laksana.benchmarks import intake as bench
from laksana.benchmarks.run import PARTS
from laksana.cases.models import Case
from laksana.intake.models import FormToken, IntakeCounter, OutsideRequest, RequestStatus
from laksana.org.models import Agency
from laksana.outbox.models import Message


def test_the_two_paths_leave_an_opened_request_with_its_case(db: None) -> None:
    """What is compared is the same: each path leaves the request opened as a case of the
    desk's unit on SOP 002; only the filing leaves its token, counters and e-mails."""
    world = bench.generate()
    at = timezone.now()
    _spent, ours = bench.ours(world, 1, at)
    other = bench.bare(world, 1, at)  # the same citizen, the same case
    for request in (ours, other):
        request.refresh_from_db()
        assert request.status == RequestStatus.OPENED and request.case is not None
        assert request.case.requesting_unit_id == world["desk"].unit_id
        assert request.case.opened_by_id == world["desk"].robot_id
        assert request.case.version_id == world["version"].pk
        assert request.confirmed_at == at + dt.timedelta(minutes=2)
    assert (ours.case.title, ours.case.description) == (other.case.title, other.case.description)
    assert (ours.name, ours.email, ours.phone) == (other.name, other.email, other.phone)
    assert FormToken.objects.filter(used_at__isnull=False).count() == 1
    assert IntakeCounter.objects.count() == 2 and Message.objects.count() == 2


@pytest.mark.django_db
def test_the_intake_part_measures_a_ratio_and_leaves_nothing() -> None:
    lines: list[str] = []
    (figure,) = bench.measure(True, log=lines.append, requests=4)
    assert "intake" in PARTS
    assert figure.part == "intake" and figure.unit == "x"
    assert figure.target == 6.0 and not figure.higher_is_better
    assert 0.1 < figure.value < 100  # a ratio of two ways to the same rows
    extra = figure.extra
    assert extra["requests"] == 4 and extra["rounds"] == 3
    # Every filing of the rounds (and the warm one) opened; two e-mails each.
    assert extra["opened"] == 2 * (1 + 3 * 4) and extra["mails_queued"] == 2 * 3 * 4
    assert extra["laksana_p50_ms_per_request"] > 0 and extra["bare_p50_ms_per_request"] > 0
    assert lines and lines[0].startswith("intake: a request filed and confirmed")
    assert not OutsideRequest.objects.exists() and not Case.objects.exists()
    assert not Message.objects.exists() and not Agency.objects.exists()
