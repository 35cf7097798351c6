"""``first_visible`` (the first page of a case list through the visibility gate) on lists that
mix the user's own agency's cases with other agencies' cases they may or may not see, and on
filters that keep none of the user's many visible cases: every way the page can be found
gives the gate's own first page, in the list's order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from laksana.cases import queries, services
from laksana.cases.models import Case, CaseStatus, CaseStep, Disposition
from laksana.cases.queries import first_visible, visible_cases
from laksana.cases.views import matching_cases
from laksana.demo.orgs import SOP_002, SOP_004

from .helpers import active

pytestmark = pytest.mark.django_db

# (FEW_VISIBLE, WITHIN_VISIBLE, WALK_SCAN): each way first_visible finds a page (a head of
# three rows: on SQLite its bound is read after that of the first row).
WAYS = [
    pytest.param(1000, 20000, 4000, id="one-walk"),
    pytest.param(1000, 20000, 3, id="head-of-three"),
    pytest.param(1000, 20000, 1, id="few-visible"),
    pytest.param(0, 20000, 1, id="within-the-list"),
    pytest.param(0, 0, 1, id="whole-walk"),
    pytest.param(0, 0, 0, id="whole-walk-no-head"),
]


@pytest.fixture
def mixed(bali, djki, versions):
    """Cases of Bali (SOP 002) and of DJKI (SOP 004) opened in turns, a minute apart, newest
    last. The Kepala Dinas sees three of the Bali ones (opened by his Kepala Bidang; not the
    others, requested by Dinas Kesehatan) and two DJKI ones that Bali's people worked on (a step
    completed by the Kepala Bidang, a disposition received by a developer)."""
    sop002, sop004 = versions[SOP_002], versions[SOP_004]
    start = timezone.now() - dt.timedelta(hours=2)
    made: dict[str, Case] = {}
    for i in range(12):
        if i % 3:
            case = services.open_case(
                djki["merek_staf"], sop004, f"DJKI {i}", application=djki.applications["ipas"]
            )
        else:
            case = services.open_case(bali["dinkes_staf"], sop002, f"Bali {i}")
        Case.objects.filter(pk=case.pk).update(opened_at=start + dt.timedelta(minutes=i))
        made[case.title] = case
    for title in ("Bali 0", "Bali 3", "Bali 6"):
        Case.objects.filter(pk=made[title].pk).update(opened_by=bali["kabid"])
    # Cases opened at the same moment (a visible pair, a visible and an invisible one): the
    # list's order is then by id.
    Case.objects.filter(pk=made["Bali 3"].pk).update(opened_at=start + dt.timedelta(minutes=4))
    CaseStep.objects.filter(pk=active(made["DJKI 4"]).pk).update(completed_by=bali["kabid"])
    Disposition.objects.create(
        case=made["DJKI 8"],
        sender=djki["direktur"],
        recipient=bali["dev1"],
        instruction="Mohon bantu",
        created_at=timezone.now(),
    )
    Case.objects.filter(pk=made["Bali 9"].pk).update(status=CaseStatus.FINISHED)
    return made


def _gate(user, listed):
    return list(
        visible_cases(user)
        .filter(pk__in=listed.values("pk"))
        .order_by("-opened_at", "-id")
        .values_list("pk", flat=True)
    )


def _users(bali, djki, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    return [AnonymousUser(), admin] + [p.user for org in (bali, djki) for p in org.people.values()]


@pytest.mark.parametrize(("few", "within", "scan"), WAYS)
def test_a_list_of_own_and_other_agencies_cases_is_complete_and_in_order(
    mixed, bali, djki, django_user_model, monkeypatch, few, within, scan
):
    monkeypatch.setattr(queries, "FEW_VISIBLE", few)
    monkeypatch.setattr(queries, "WITHIN_VISIBLE", within)
    monkeypatch.setattr(queries, "WALK_SCAN", scan)
    monkeypatch.setattr(queries, "SQLITE_FIRST", 1)  # SQLite: a head of one row, then WALK_SCAN
    kadis = bali["kadis"].user
    every = _gate(kadis, Case.objects.all())
    # The scenario: the Kepala Dinas sees his agency's cases and the two DJKI ones, interleaved.
    titles = [Case.objects.get(pk=pk).title for pk in every]
    assert titles == ["DJKI 8", "Bali 6", "DJKI 4", "Bali 3", "Bali 0"], titles
    lists = [
        Case.objects.all(),
        Case.objects.filter(status=CaseStatus.RUNNING),
        matching_cases({"procedure": SOP_004}),
        matching_cases({"procedure": SOP_002}),
    ]
    for user in _users(bali, djki, django_user_model):
        for listed in lists:
            expected = _gate(user, listed)
            for size in (1, 2, 3, 5, 26):
                page = list(first_visible(user, listed, size).values_list("pk", flat=True)[:size])
                assert page == expected[:size], (user, size, listed.query)


@pytest.mark.parametrize(("few", "within", "scan"), WAYS)
def test_a_filter_that_keeps_none_of_the_users_cases_gives_nothing(
    bali, djki, versions, monkeypatch, few, within, scan
):
    monkeypatch.setattr(queries, "FEW_VISIBLE", few)
    monkeypatch.setattr(queries, "WITHIN_VISIBLE", within)
    monkeypatch.setattr(queries, "WALK_SCAN", scan)
    monkeypatch.setattr(queries, "SQLITE_FIRST", 1)  # SQLite: a head of one row, then WALK_SCAN
    for i in range(3):
        services.open_case(bali["dinkes_staf"], versions[SOP_002], f"Bali {i}")
        ipas = djki.applications["ipas"]
        services.open_case(djki["merek_staf"], versions[SOP_004], f"DJKI {i}", application=ipas)
    kadis = bali["kadis"].user
    Case.objects.filter(title__startswith="Bali").update(opened_by=bali["kabid"])
    assert visible_cases(kadis).count() == 3
    for params in (
        {"procedure": SOP_004},
        {"procedure": SOP_004, "status": "running"},
        {"procedure": "tidak-ada"},  # no such procedure: no version, nothing to walk
    ):
        assert list(first_visible(kadis, matching_cases(params), 26)[:26]) == []
    # Once one of his people worked on a DJKI case, the same filter shows him that case.
    ipas = Case.objects.filter(title="DJKI 1").get()
    CaseStep.objects.filter(pk=active(ipas).pk).update(claimed_by=bali["qa1"])
    page = list(first_visible(kadis, matching_cases({"procedure": SOP_004}), 26)[:26])
    assert page == [ipas]
