"""The API's doors to chosen actors (the open-case body's ``chosen_actors``) and to
reassigning a step (``POST /api/cases/{ref}/steps/{id}/reassign``): the same rules as the
service, the refusals first."""

from __future__ import annotations

import json

import pytest

from laksana.cases.models import Case, CaseStep, JournalKind, StepStatus
from laksana.org.models import Person
from tests.cases.chosen_procedure import KEY, publish_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(bali):
    return publish_for(bali)


def _open(api, **chosen):
    return api.post(
        "/cases", {"procedure": KEY, "title": "Gangguan SIKESDA", "chosen_actors": chosen}
    )


def _values_for(key: str) -> dict:
    return {"values": {key: {"isi": "Sudah"}}}


def _do(api, case: dict, step_id: int, key: str):
    return api.post_form(
        f"/cases/{case['reference']}/steps/{step_id}/complete",
        {"data": json.dumps(_values_for(key))},
    )


def test_a_made_up_or_foreign_person_id_is_refused_and_opens_nothing(api_as, bali, djki, version):
    api = api_as(bali["dinkes_staf"])
    before = Case.objects.count()
    made_up = api.post(
        "/cases",
        {"procedure": KEY, "title": "Gangguan", "chosen_actors": {"pemilik": 987654}},
    )
    assert made_up.status_code == 400, made_up.content
    assert made_up.json()["field"] == "chosen_actors.pemilik"
    stranger = next(p for p in djki.people.values() if p.user_id is not None)
    foreign = _open(api, pemilik=stranger.pk)
    assert foreign.status_code == 400
    assert foreign.json() == made_up.json()  # nothing tells another agency's id apart
    missing = _open(api)
    assert missing.status_code == 400
    assert missing.json()["field"] == "chosen_actors.pemilik"
    unknown = _open(api, pemilik=bali["dev1"].pk, pemilk=bali["qa1"].pk)
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "chosen_actors.pemilk"
    assert Case.objects.count() == before


def test_a_chosen_actor_case_runs_to_its_end_with_a_reassignment(api_as, bali, djki, version):
    case = _open(api_as(bali["dinkes_staf"]), pemilik=bali["dev1"].pk).json()
    s1 = case["active_step_ids"][0]
    # Someone else of the team may not do the chosen person's step.
    assert _do(api_as(bali["qa1"]), case, s1, "catatan").status_code in (403, 404)
    done = _do(api_as(bali["dev1"]), case, s1, "catatan")
    assert done.status_code == 200, done.content
    s2 = CaseStep.objects.get(case__reference=case["reference"], step_key="s2").pk
    path = f"/cases/{case['reference']}/steps/{s2}/reassign"
    # A peer of nobody above the holder: refused (403 or, unseen, 404); nothing changes.
    peer = api_as(bali["dev1"]).post(path, {"to": bali["qa1"].pk, "reason": "Ambil"})
    assert peer.status_code in (403, 404), peer.content
    # Another agency's person is not found; a made-up one neither.
    stranger = next(p for p in djki.people.values() if p.user_id is not None)
    kabid = api_as(bali["kabid"])
    assert kabid.post(path, {"to": stranger.pk, "reason": "Alihkan"}).status_code == 404
    assert kabid.post(path, {"to": 987654, "reason": "Alihkan"}).status_code == 404
    no_reason = kabid.post(path, {"to": bali["qa1"].pk, "reason": ""})
    assert no_reason.status_code == 400
    assert no_reason.json()["field"] == "reason"
    assert CaseStep.objects.get(pk=s2).assigned_to_id is None
    moved = kabid.post(path, {"to": bali["qa1"].pk, "reason": "Ketua tim cuti"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["assigned_to"]["id"] == bali["qa1"].pk
    # The team leader, who held the step, may not complete it any more; the new holder does.
    assert _do(api_as(bali["ketuatim"]), case, s2, "persetujuan").status_code == 403
    finished = _do(api_as(bali["qa1"]), case, s2, "persetujuan")
    assert finished.status_code == 200, finished.content
    assert finished.json()["status"] == "finished"
    row = CaseStep.objects.get(pk=s2)
    assert (row.status, row.completed_by_id) == (StepStatus.COMPLETED, bali["qa1"].pk)
    assert (
        Case.objects.get(reference=case["reference"])
        .journal.filter(kind=JournalKind.REASSIGNED)
        .count()
        == 1
    )
    # A finished step is not reassigned.
    again = kabid.post(path, {"to": bali["dev1"].pk, "reason": "Lagi"})
    assert again.status_code in (400, 409), again.content


def test_a_system_account_is_not_a_reassignment_target(api_as, bali, version):
    case = _open(api_as(bali["dinkes_staf"]), pemilik=bali["dev1"].pk).json()
    robot = Person.objects.create(
        agency=bali.agency, name="Akun Sistem", unit=bali.units["tim_spbe"], superior=bali["kabid"]
    )
    s1 = case["active_step_ids"][0]
    refused = api_as(bali["kabid"]).post(
        f"/cases/{case['reference']}/steps/{s1}/reassign", {"to": robot.pk, "reason": "Alihkan"}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "to"
