"""laksana.org.reach: who can do a bound actor's steps, and whether dispositions reach them."""

from __future__ import annotations

import pytest

from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.engine.loader import load_procedure
from laksana.org import reach
from laksana.org.models import Position
from laksana.org.reach import Bound, Member
from laksana.procedures.library import PROCEDURES_DIR


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the messages in English (the Indonesian is checked in tests/web)."""
    from django.utils import translation

    with translation.override("en"):
        yield


SPEC = load_procedure(PROCEDURES_DIR / f"{SOP_002}.yaml")

# Kepala Dinas (1) > Kabid (2) > Ketua Tim (3) > developers (4, 5); 6 is nobody's.
PEOPLE = {
    m.id: m
    for m in (
        Member(1, "Kadis", None, True),
        Member(2, "Kabid", 1, True),
        Member(3, "Ketua", 2, True),
        Member(4, "Dev", 3, True),
        Member(5, "QA", 3, True),
        Member(6, "Lone", None, True),
        Member(7, "No Account", 1, False),
        Member(8, "Elsewhere", 9, True),
        Member(9, "Other Head", None, True),
    )
}
BOUND = {
    "kadis": Bound("position", "Kepala Dinas", frozenset({1})),
    "kabid": Bound("position", "Kabid IAI", frozenset({2})),
    "ketua_tim": Bound("position", "Ketua Tim AI", frozenset({3})),
    "tim_spbe": Bound("unit", "Tim SPBE", frozenset({4, 5})),
}


def codes(found: list[reach.Finding]) -> list[tuple[str, str, str]]:
    return [(f.actor, f.code, f.severity) for f in found]


def test_a_chain_from_the_head_down_finds_nothing():
    assert reach.analyse(SPEC, BOUND, PEOPLE) == []


def test_a_position_nobody_holds_is_a_problem_and_names_the_position():
    found = reach.analyse(
        SPEC, {**BOUND, "ketua_tim": Bound("position", "Ketua Tim", frozenset())}, PEOPLE
    )
    assert codes(found) == [("ketua_tim", "no_holder", "problem")]
    assert "Nobody holds the position Ketua Tim." in found[0].message
    assert found[0].steps == ("5",)


def test_a_unit_without_members_and_a_person_who_cannot_sign_in_are_problems():
    found = reach.analyse(
        SPEC,
        {
            **BOUND,
            "tim_spbe": Bound("unit", "Tim Kosong", frozenset()),
            "kabid": Bound("person", "No Account", frozenset({7})),
        },
        PEOPLE,
    )
    assert codes(found) == [
        ("kabid", "no_holder", "problem"),
        ("tim_spbe", "no_holder", "problem"),
    ]
    assert "No Account cannot sign in" in found[0].message
    assert "The unit Tim Kosong has no members." in found[1].message


def test_holders_who_all_cannot_sign_in_are_a_problem():
    found = reach.analyse(
        SPEC, {**BOUND, "kabid": Bound("position", "Kabid IAI", frozenset({7}))}, PEOPLE
    )
    assert ("kabid", "no_holder", "problem") in codes(found)


def test_a_disposition_step_that_cannot_reach_the_next_steps_holders_is_warned():
    # Step 3 (Kepala Dinas) dispositions to step 4; "Elsewhere" is under another head.
    found = reach.analyse(
        SPEC, {**BOUND, "kabid": Bound("person", "Elsewhere", frozenset({8}))}, PEOPLE
    )
    # ... and Elsewhere, bound to step 4, cannot disposition step 5 to the Ketua Tim.
    assert codes(found) == [
        ("kabid", "not_forwardable", "warning"),
        ("ketua_tim", "not_forwardable", "warning"),
    ]
    assert found[0].steps == ("3", "4") and found[1].steps == ("4", "5")
    assert "Kadis" in found[0].message and not found[0].is_problem


def test_a_holder_outside_every_chain_is_warned_by_name():
    found = reach.analyse(
        SPEC, {**BOUND, "ketua_tim": Bound("person", "Lone", frozenset({6}))}, PEOPLE
    )
    assert codes(found) == [
        ("ketua_tim", "not_forwardable", "warning"),
        ("ketua_tim", "outside_chain", "warning"),
    ]
    assert found[1].message.startswith("Lone has no superior")


def test_a_vendors_employee_is_not_warned_of_being_outside_the_chains():
    people = {**PEOPLE, 6: Member(6, "Lone", None, True, vendor=True)}
    found = reach.analyse(
        SPEC, {**BOUND, "tim_spbe": Bound("unit", "Vendor", frozenset({6}))}, people
    )
    assert found == []


def test_one_holder_in_reach_is_enough_and_the_sender_may_hold_the_next_step():
    two = Bound("position", "Kabid IAI", frozenset({2, 8}))
    assert reach.analyse(SPEC, {**BOUND, "kabid": two}, PEOPLE) == []
    same = Bound("position", "Kepala Dinas", frozenset({1}))
    assert reach.analyse(SPEC, {**BOUND, "kabid": same}, PEOPLE) == []


def test_actors_resolved_per_case_and_unknown_keys_are_not_analysed():
    found = reach.analyse(
        SPEC,
        {
            **BOUND,
            "pemohon": Bound("unit", "Dinkes", frozenset()),
            "nobody": Bound("unit", "X", frozenset()),
        },
        PEOPLE,
    )
    assert found == []


def test_a_cycle_of_superiors_ends():
    people = {
        **PEOPLE,
        10: Member(10, "A", 11, True),
        11: Member(11, "B", 10, True),
    }
    found = reach.analyse(SPEC, {**BOUND, "kabid": Bound("person", "A", frozenset({10}))}, people)
    assert codes(found) == [
        ("kabid", "not_forwardable", "warning"),
        ("ketua_tim", "not_forwardable", "warning"),
    ]


# On the database ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_agency_is_clean_until_its_people_change(bali: DemoOrg, sop002):
    assert reach.findings(bali.agency, sop002) == []
    lead = bali["ketuatim"]
    lead.positions.clear()
    user = bali["kabid"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    found = reach.findings(bali.agency, sop002)
    assert codes(found) == [
        ("kabid", "no_holder", "problem"),
        ("ketua_tim", "no_holder", "problem"),
    ]
    assert found[1].message == "Nobody holds the position Ketua Tim Aplikasi Informatika."
    assert Position.objects.filter(agency=bali.agency, name__startswith="Ketua Tim").exists()
