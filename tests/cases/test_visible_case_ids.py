"""``visible_case_ids`` (a UNION of index lookups, for large tables) says exactly what
``visible_cases`` (the visibility gate) says, for everyone of the demo agencies."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from laksana.cases import queries, services
from laksana.cases.models import Case, CaseStatus
from laksana.cases.queries import first_visible, visible_case_ids, visible_cases, visible_filter
from laksana.demo.orgs import SOP_002, SOP_004

from .copy_procedure import open_copied, publish_for
from .helpers import active, work

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(bali, djki, versions):
    sop002, sop004 = versions[SOP_002], versions[SOP_004]
    at_step3 = services.open_case(bali["dinkes_staf"], sop002, "Di langkah 3")
    at_step3 = work(bali["dinkes_staf"], work(bali["dinkes_staf"], at_step3))
    services.dispose(bali["kadis"], at_step3.pk, [bali["kabid"]], "Proses lebih lanjut",
                     step_id=active(at_step3).pk)  # fmt: skip
    claimed = services.open_case(bali["bkd"], sop002, "Diambil")
    services.claim_step(bali["bkd"], active(claimed).pk)
    finished = services.open_case(bali["dinkes"], sop002, "Selesai")
    Case.objects.filter(pk=finished.pk).update(status=CaseStatus.FINISHED)
    ipas = services.open_case(
        djki["merek_staf"], sop004, "IPAS", application=djki.applications["ipas"]
    )
    services.dispose(djki["direktur"], ipas.pk, [djki["kasubdit"]], "Segera")
    # A step copied (tembusan) to BKD's analyst, completed: the analyst reads that case; and
    # one whose copied step is still active, which the analyst does not see.
    copying = publish_for(bali)
    copied = open_copied(bali, copying)
    not_yet = services.open_case(bali["dinkes_staf"], copying, "Belum bertembusan")
    assert set(visible_cases(bali["bkd"].user).filter(pk__in=[copied.pk, not_yet.pk])) == {copied}
    return [at_step3, claimed, finished, ipas, copied, not_yet]


def test_it_agrees_with_the_visibility_gate_for_everyone(cases, bali, djki, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    assert visible_case_ids(admin) is None  # everything
    users = [AnonymousUser()] + [p.user for org in (bali, djki) for p in org.people.values()]
    seen = 0
    for user in users:
        expected = set(visible_cases(user).values_list("pk", flat=True))
        running = set(
            visible_cases(user).filter(status=CaseStatus.RUNNING).values_list("pk", flat=True)
        )
        assert set(visible_case_ids(user)) == expected, user
        assert set(visible_case_ids(user, running=True)) == running, user
        seen += bool(expected)
    assert seen >= 10  # the scenario gives most people something to see


def test_the_per_row_filter_agrees_with_the_visibility_gate(cases, bali, djki, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    assert visible_filter(admin) is None  # everything
    users = [AnonymousUser()] + [p.user for org in (bali, djki) for p in org.people.values()]
    seen = 0
    for user in users:
        expected = set(visible_cases(user).values_list("pk", flat=True))
        check = visible_filter(user)
        assert check is not None
        found = list(Case.objects.filter(check).values_list("pk", flat=True))
        assert len(found) == len(set(found)), user  # one row per case
        assert set(found) == expected, user
        seen += bool(expected)
    assert seen >= 10


@pytest.mark.parametrize(
    ("few", "within", "scan"),
    [
        (1000, 20000, 4000),  # the walk over the whole (short) list in one statement
        (1000, 20000, 1),  # the walk over one row falls short: few visible cases, read whole
        (0, 20000, 1),  # many: the visible ones among the listed ones read whole
        (0, 0, 1),  # more: the walk goes on over the whole list
        (0, 0, 0),
    ],
)
def test_the_first_page_is_the_gates_first_page_whichever_way(
    cases, bali, djki, django_user_model, monkeypatch, few, within, scan
):
    monkeypatch.setattr(queries, "FEW_VISIBLE", few)
    monkeypatch.setattr(queries, "WITHIN_VISIBLE", within)
    monkeypatch.setattr(queries, "WALK_SCAN", scan)
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    users = [AnonymousUser(), admin] + [p.user for org in (bali, djki) for p in org.people.values()]
    lists = [Case.objects.all(), Case.objects.filter(status=CaseStatus.RUNNING)]
    for user in users:
        for listed in lists:
            order = (
                visible_cases(user).filter(pk__in=listed.values("pk")).order_by("-opened_at", "-id")
            )
            every = list(order.values_list("pk", flat=True))
            for size in (1, 2, 3, 10):
                page = list(first_visible(user, listed, size).values_list("pk", flat=True)[:size])
                assert page == every[:size], (user, size, listed.query)


@pytest.mark.parametrize("login", ["adminbali", "admindjki"])
def test_an_agency_administrator_sees_no_case_it_has_no_part_in(cases, bali, djki, login):
    # The two administrators are among the demo people the tests above walk, and their role
    # (administering the organisation) gives them no case: none of the scenario's is theirs.
    from laksana.org.roles import may_administer

    org = bali if login == "adminbali" else djki
    admin = org[login]
    assert admin in org.people.values() and may_administer(admin, org.agency)
    assert not may_administer(admin, (djki if org is bali else bali).agency)
    assert Case.objects.filter(agency=org.agency).count() >= (4 if org is bali else 1)
    assert not visible_cases(admin.user).exists()
    assert set(visible_case_ids(admin.user)) == set()
    assert set(visible_case_ids(admin.user, running=True)) == set()
    check = visible_filter(admin.user)
    assert check is not None and not Case.objects.filter(check).exists()
