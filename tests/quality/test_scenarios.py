"""Scenario sets (issue 18, item 1): who writes them, the checks of their scenarios, and
revisions that keep every earlier state."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.errors import NotAllowed, ServiceError
from laksana.quality import scenarios
from laksana.quality.models import Priority, Scenario, ScenarioSet, ScenarioSetRevision
from laksana.quality.queries_sets import visible_sets
from laksana.quality.scenarios import ScenarioInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(n: int, **extra: str) -> ScenarioInput:
    values = {
        "number": f"SK-{n:02d}",
        "title": f"Masuk ke aplikasi {n}",
        "requirement": "Autentikasi",
        "preconditions": "Akun aktif",
        "steps": "1. Buka halaman masuk\n2. Isi NIP dan kata sandi\n3. Tekan Masuk",
        "input_data": "NIP 198001012005011001",
        "expected": "Beranda tampil dengan nama pengguna",
        "priority": Priority.HIGH,
        **extra,
    }
    return ScenarioInput(**values)


@pytest.fixture
def sikesda_set(bali) -> ScenarioSet:
    return scenarios.create_set(
        bali["kadis"],
        bali.applications["sikesda"].pk,
        name="UAT SIKESDA",
        app_version="2.1",
        scenarios=[login(1), login(2)],
    )


def counts() -> tuple[int, int, int]:
    return (
        ScenarioSet.objects.count(),
        Scenario.objects.count(),
        ScenarioSetRevision.objects.count(),
    )


# --- the attacks first -------------------------------------------------------------------------


def test_another_agencys_application_is_not_found(bali, djki):
    before = counts()
    with pytest.raises(ServiceError) as exc:
        scenarios.create_set(
            djki["kasie_app"], bali.applications["sikesda"].pk, name="Curian", scenarios=[login(1)]
        )
    assert exc.value.code == "not_found"
    assert counts() == before


def test_another_agencys_set_is_not_found_for_every_write(sikesda_set, djki):
    outsider = djki["kasie_app"]
    scenario = sikesda_set.scenarios.first()
    assert scenario is not None
    before = counts()
    calls = [
        lambda: scenarios.update_set(outsider, sikesda_set.pk, name="Diubah"),
        lambda: scenarios.save_scenario(outsider, sikesda_set.pk, login(9)),
        lambda: scenarios.save_scenario(
            outsider, sikesda_set.pk, login(1, title="x"), scenario_id=scenario.pk
        ),
        lambda: scenarios.remove_scenario(outsider, scenario.pk),
        lambda: scenarios.replace_scenarios(outsider, sikesda_set.pk, [login(5)]),
    ]
    for call in calls:
        with pytest.raises(ServiceError) as exc:
            call()
        assert exc.value.code == "not_found"
    assert counts() == before
    assert not visible_sets(outsider).filter(pk=sikesda_set.pk).exists()


def test_a_requesting_unit_member_reads_but_does_not_write(sikesda_set, bali):
    for login_name in ("dinkes_staf", "bkd"):
        member = bali[login_name]
        assert visible_sets(member).filter(pk=sikesda_set.pk).exists()
        assert not scenarios.may_write_sets(member, sikesda_set.agency_id)
        before = counts()
        with pytest.raises(NotAllowed):
            scenarios.save_scenario(member, sikesda_set.pk, login(7))
        with pytest.raises(NotAllowed):
            scenarios.create_set(member, bali.applications["sikesda"].pk, name="Baru")
        with pytest.raises(NotAllowed):
            scenarios.update_set(member, sikesda_set.pk, archived=True)
        assert counts() == before


def test_a_vendor_sees_no_set_even_of_its_own_application(djki):
    ipas = scenarios.create_set(
        djki["kasie_app"], djki.applications["ipas"].pk, name="SIT IPAS", scenarios=[login(1)]
    )
    vendor = djki["ipasdev"]
    assert not visible_sets(vendor).exists()
    with pytest.raises(ServiceError) as exc:
        scenarios.save_scenario(vendor, ipas.pk, login(2))
    assert exc.value.code == "not_found"


def test_a_scenario_of_another_set_is_not_edited_through_this_one(bali, sikesda_set):
    other = scenarios.create_set(
        bali["kadis"], bali.applications["simpeg"].pk, name="SIT SIMPEG", scenarios=[login(1)]
    )
    foreign = other.scenarios.get()
    with pytest.raises(ServiceError) as exc:
        scenarios.save_scenario(
            bali["kadis"], sikesda_set.pk, login(1, title="Dibajak"), scenario_id=foreign.pk
        )
    assert exc.value.code == "not_found"
    foreign.refresh_from_db()
    assert foreign.title == "Masuk ke aplikasi 1"


def test_made_up_ids_are_not_found(bali):
    with pytest.raises(ServiceError) as exc:
        scenarios.save_scenario(bali["kadis"], 999999, login(1))
    assert exc.value.code == "not_found"
    with pytest.raises(ServiceError) as exc:
        scenarios.remove_scenario(bali["kadis"], 999999)
    assert exc.value.code == "not_found"
    with pytest.raises(ServiceError) as exc:
        scenarios.create_set(bali["kadis"], 999999, name="x")
    assert exc.value.code == "not_found"


# --- revisions ---------------------------------------------------------------------------------


def test_creating_makes_revision_one_with_the_whole_set(sikesda_set):
    assert sikesda_set.revision == 1
    revision = scenarios.revision_of(sikesda_set)
    assert revision is not None and revision.number == 1
    assert [s["number"] for s in revision.scenarios] == ["SK-01", "SK-02"]
    assert set(revision.scenarios[0]) == set(scenarios.SCENARIO_FIELDS)
    assert revision.scenarios[0]["priority"] == "tinggi"


def test_editing_a_scenario_makes_a_new_revision_and_leaves_the_earlier_one(bali, sikesda_set):
    first = scenarios.revision_of(sikesda_set, 1)
    assert first is not None
    frozen = [dict(s) for s in first.scenarios]
    scenario = sikesda_set.scenarios.get(number="SK-01")
    scenarios.save_scenario(
        bali["kadis"],
        sikesda_set.pk,
        login(1, expected="Beranda tampil dan notifikasi muncul"),
        scenario_id=scenario.pk,
    )
    sikesda_set.refresh_from_db()
    assert sikesda_set.revision == 2
    second = scenarios.revision_of(sikesda_set)
    assert second is not None and second.number == 2
    assert second.scenarios[0]["expected"] == "Beranda tampil dan notifikasi muncul"
    first.refresh_from_db()
    assert first.scenarios == frozen
    assert first.scenarios[0]["expected"] == "Beranda tampil dengan nama pengguna"


def test_every_change_makes_a_revision(bali, sikesda_set):
    kadis = bali["kadis"]
    added = scenarios.save_scenario(kadis, sikesda_set.pk, login(3))
    assert added.position == 3
    scenarios.remove_scenario(kadis, sikesda_set.scenarios.get(number="SK-01").pk)
    scenarios.replace_scenarios(kadis, sikesda_set.pk, [login(8), login(9)], note="Impor")
    scenarios.update_set(kadis, sikesda_set.pk, app_version="2.2")
    sikesda_set.refresh_from_db()
    assert sikesda_set.revision == 5
    numbers = [[s["number"] for s in r.scenarios] for r in sikesda_set.revisions.order_by("number")]
    assert numbers == [
        ["SK-01", "SK-02"],
        ["SK-01", "SK-02", "SK-03"],
        ["SK-02", "SK-03"],
        ["SK-08", "SK-09"],
        ["SK-08", "SK-09"],
    ]
    assert sikesda_set.app_version == "2.2"
    assert "2.2" in sikesda_set.revisions.get(number=5).note


def test_an_update_that_changes_nothing_makes_no_revision(bali, sikesda_set):
    scenarios.update_set(bali["kadis"], sikesda_set.pk, name="UAT SIKESDA", app_version="2.1")
    sikesda_set.refresh_from_db()
    assert sikesda_set.revision == 1


def test_an_archived_set_is_not_changed_until_restored(bali, sikesda_set):
    kadis = bali["kadis"]
    scenarios.update_set(kadis, sikesda_set.pk, archived=True)
    before = counts()
    with pytest.raises(ServiceError) as exc:
        scenarios.save_scenario(kadis, sikesda_set.pk, login(4))
    assert exc.value.code == "archived"
    with pytest.raises(ServiceError):
        scenarios.replace_scenarios(kadis, sikesda_set.pk, [login(4)])
    with pytest.raises(ServiceError):
        scenarios.update_set(kadis, sikesda_set.pk, name="Baru")
    with pytest.raises(ServiceError):
        scenarios.remove_scenario(kadis, sikesda_set.scenarios.first().pk)
    assert counts() == before
    scenarios.update_set(kadis, sikesda_set.pk, archived=False)
    scenarios.save_scenario(kadis, sikesda_set.pk, login(4))
    assert sikesda_set.scenarios.count() == 3


# --- checks ------------------------------------------------------------------------------------


def test_a_duplicate_number_is_named(bali, sikesda_set):
    with pytest.raises(ServiceError) as exc:
        scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(2, title="Lain"))
    assert exc.value.field == "number"
    assert "SK-02" in exc.value.message
    sk1 = sikesda_set.scenarios.get(number="SK-01")
    with pytest.raises(ServiceError) as exc:
        scenarios.save_scenario(
            bali["kadis"], sikesda_set.pk, login(1, number="sk-02"), scenario_id=sk1.pk
        )
    assert exc.value.field == "number"


def test_duplicates_in_a_list_are_all_refused(bali):
    before = counts()
    with pytest.raises(ServiceError) as exc:
        scenarios.create_set(
            bali["kadis"],
            bali.applications["sikesda"].pk,
            name="Ganda",
            scenarios=[login(1), login(2), login(1)],
        )
    assert exc.value.items == (
        "Scenario 3, Scenario number: Number SK-01 is already used by scenario 1.",
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"steps": ""}, "steps"),
        ({"expected": ""}, "expected"),
        ({"number": ""}, "number"),
        ({"priority": "darurat"}, "priority"),
        ({"number": "X" * 31}, "number"),
        ({"title": "J" * 301}, "title"),
        ({"requirement": "R" * 301}, "requirement"),
        ({"steps": "S" * 10001}, "steps"),
        ({"input_data": "nul\x00"}, "input_data"),
        ({"expected": "bel\x07"}, "expected"),
        ({"title": "v\x0bt"}, "title"),
    ],
)
def test_bad_scenarios_are_refused_by_field(bali, sikesda_set, change, field):
    before = counts()
    with pytest.raises(scenarios.InvalidScenarios) as exc:
        scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(5, **change))
    assert exc.value.field == field
    assert field in exc.value.errors
    assert counts() == before


def test_every_problem_of_a_scenario_is_listed(bali, sikesda_set):
    with pytest.raises(scenarios.InvalidScenarios) as exc:
        scenarios.save_scenario(bali["kadis"], sikesda_set.pk, {"number": "SK-10", "priority": "x"})
    assert set(exc.value.errors) == {"title", "steps", "expected", "priority"}
    assert len(exc.value.items) == 4


def test_priority_names_are_read(bali, sikesda_set):
    saved = scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(6, priority="Rendah"))
    assert saved.priority == Priority.LOW
    saved = scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(7, priority="HIGH"))
    assert saved.priority == Priority.HIGH
    saved = scenarios.save_scenario(bali["kadis"], sikesda_set.pk, login(8, priority=""))
    assert saved.priority == Priority.MEDIUM


def test_the_set_needs_a_name_and_a_known_kind(bali):
    with pytest.raises(ServiceError) as exc:
        scenarios.create_set(bali["kadis"], bali.applications["sikesda"].pk, name=" ")
    assert exc.value.field == "name"
    with pytest.raises(ServiceError) as exc:
        scenarios.create_set(
            bali["kadis"], bali.applications["sikesda"].pk, name="x", kind="lainnya"
        )
    assert exc.value.field == "kind"
    with pytest.raises(ServiceError) as exc:
        scenarios.create_set(
            bali["kadis"], bali.applications["sikesda"].pk, name="x", app_version="9" * 61
        )
    assert exc.value.field == "app_version"


def test_the_operator_writes_any_agencys_sets(bali):
    made = scenarios.create_set(None, bali.applications["sikesda"].pk, name="Demo")
    assert made.agency_id == bali.agency.pk and made.revision == 1
