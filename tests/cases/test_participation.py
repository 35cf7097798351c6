"""Who took part in cases of which procedure, for which requesting unit (the Participation
rows): the services write them with the action that makes someone part of a case, in its
transaction; ``fill`` derives the same rows from the cases' facts; ``missing`` finds any that
are not there; and the list gate, given what a filter keeps, leaves out what cannot match."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laksana.cases import participation, services
from laksana.cases.models import Case, Participation
from laksana.cases.queries import ListScope, first_visible, visible_cases
from laksana.cases.views import matching_cases
from laksana.demo.orgs import SOP_002, SOP_004

from .helpers import SOP_004_PEOPLE, active, work

pytestmark = pytest.mark.django_db


def rows() -> set[tuple[int, str, int]]:
    return set(
        Participation.objects.values_list("person_id", "procedure_key", "requesting_unit_id")
    )


def test_each_action_that_makes_someone_part_of_a_case_records_them(bali, sop002):
    unit = bali["dinkes_staf"].unit_id
    case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA lambat")
    assert rows() == {(bali["dinkes_staf"].pk, SOP_002, unit)}
    case = work(bali["dinkes_staf"], case)  # 1
    case = work(bali["dinkes_staf"], case)  # 2
    # 3: the head sends a disposition to the Kabid, and completes the step.
    services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses", step_id=active(case).pk)
    assert rows() == {
        (p.pk, SOP_002, unit) for p in (bali["dinkes_staf"], bali["kadis"], bali["kabid"])
    }
    case = work(bali["kadis"], case)
    # 4: the Kabid forwards to the team lead, who claims nothing yet.
    services.dispose(
        bali["kabid"], case.pk, [bali["ketuatim"]], "Koordinasikan", step_id=active(case).pk
    )
    assert (bali["ketuatim"].pk, SOP_002, unit) in rows()
    assert participation.missing(connection) == []
    # Nobody else: the rows are exactly what the facts imply.
    before = rows()
    Participation.objects.all().delete()
    participation.fill(connection)
    assert rows() == before


def test_claiming_and_completing_record_the_person(djki, sop004):
    ipas = djki.applications["ipas"]
    case = services.open_case(djki["merek_staf"], sop004, "IPAS mati", application=ipas)
    case = work(djki["merek_staf"], case)
    row = active(case)
    holder = next(
        p
        for p in djki.people.values()
        if services.may_work(p, case, row) and p != djki["merek_staf"]
    )
    services.claim_step(holder, row.pk)
    assert (holder.pk, SOP_004, case.requesting_unit_id) in rows()
    assert participation.missing(connection) == []


def test_a_refused_action_records_nobody(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    with pytest.raises(services.ServiceError):
        services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "  ")  # no instruction
    with pytest.raises(services.ServiceError):
        services.claim_step(bali["dev1"], active(case).pk)  # not the dev's step
    assert rows() == {(bali["dinkes_staf"].pk, SOP_002, bali["dinkes_staf"].unit_id)}


def test_missing_lists_what_the_facts_imply_and_is_not_there(bali, sop002):
    case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
    Participation.objects.all().delete()
    assert participation.missing(connection) == [
        (bali["dinkes_staf"].pk, SOP_002, case.requesting_unit_id)
    ]
    participation.fill(connection)
    participation.fill(connection)  # twice: nothing is written twice
    assert participation.missing(connection) == []
    assert Participation.objects.count() == 1


@pytest.fixture
def two_agencies(bali, djki, versions):
    """Bali's SOP 002 cases and DJKI's SOP 004 cases, these worked on by DJKI's people for one
    to five steps: some see a case only because they completed one of its steps. A
    developer's own case, which the other developer of the unit sees only as the unit's."""
    services.open_case(bali["dev1"], versions[SOP_002], "Bali dev")
    for i in range(3):
        services.open_case(bali["dinkes_staf"], versions[SOP_002], f"Bali {i}")
        ipas = djki.applications["ipas"]
        case = services.open_case(
            djki["merek_staf"], versions[SOP_004], f"DJKI {i}", application=ipas
        )
        for _ in range(1 + 2 * i):
            case = work(djki[SOP_004_PEOPLE[active(case).actor_key]], case)


def _scopes(bali, djki):
    units = sorted(
        set(Case.objects.values_list("requesting_unit_id", flat=True))
        | {bali["kadis"].unit_id, djki["direktur"].unit_id}
    )
    for key in (None, SOP_002, SOP_004, "tidak-ada"):
        for unit in (None, *units):
            if key is None and unit is None:
                continue
            params = {"procedure": key or "", "unit": "" if unit is None else str(unit)}
            yield ListScope(key, unit), matching_cases(params)


def test_the_scoped_gate_gives_the_gates_page_for_everyone(two_agencies, bali, djki):
    people = [p for org in (bali, djki) for p in org.people.values() if p.user is not None]
    for scope, listed in _scopes(bali, djki):
        for person in people:
            expected = list(
                visible_cases(person.user)
                .filter(pk__in=listed.values("pk"))
                .order_by("-opened_at", "-id")
                .values_list("pk", flat=True)
            )
            for size in (1, 26):
                page = first_visible(person.user, listed, size, person, scope)
                assert list(page.values_list("pk", flat=True)[:size]) == expected[:size], (
                    person,
                    scope,
                )


def test_a_filter_no_part_of_the_rule_can_match_reads_no_case(two_agencies, bali, djki):
    kadis = bali["kadis"]
    listed = matching_cases({"procedure": SOP_004, "status": "running"})
    assert listed.exists()
    with CaptureQueriesContext(connection) as queries:
        page = list(first_visible(kadis.user, listed, 26, kadis, ListScope(SOP_004, None)))
    assert page == []
    assert not [q["sql"] for q in queries if "cases_case" in q["sql"]]
    # Once one of his people took part in a DJKI case, the same list shows it.
    case = Case.objects.filter(title="DJKI 1").get()
    services.dispose(djki["direktur"], case.pk, [djki["kasubdit"]], "Tindak lanjuti")
    assert list(first_visible(kadis.user, listed, 26, kadis, ListScope(SOP_004, None))) == []
    participation.record(case, [bali["kabid"].pk])  # as if the Kabid had been sent it
    with connection.cursor() as cursor:  # the fact the row stands for
        cursor.execute(
            "INSERT INTO cases_disposition (case_id, sender_id, recipient_id, instruction, "
            "urgency, note, status, created_at) SELECT id, %s, %s, 'x', 'biasa', '', 'unread', "
            "opened_at FROM cases_case WHERE id = %s",
            [djki["direktur"].pk, bali["kabid"].pk, case.pk],
        )
    assert list(first_visible(kadis.user, listed, 26, kadis, ListScope(SOP_004, None))) == [case]
