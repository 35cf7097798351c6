"""The API's step answer lists a joint step's confirmations (actor, person, time), and the
``GET .../actions`` answer gives the verdicts of confirming a part and of reassigning, by the
same rules the services enforce. Attacks first: another agency's person, someone holding no
part, a part confirmed twice, a step that is not joint."""

from __future__ import annotations

from typing import Any

import pytest

from laksana.cases import services
from laksana.cases.models import Case, CaseStep, StepStatus
from tests.cases import test_joint_steps
from tests.cases.test_authority_agrees import accepted

pytestmark = pytest.mark.django_db

case = test_joint_steps.case  # the fixture: a case of the joint procedure "uji-bersama"


def row_of(case: Case, key: str) -> CaseStep:
    return CaseStep.objects.get(case=case, step_key=key, status=StepStatus.ACTIVE)


def verdicts(api, case: Case, row: CaseStep) -> dict[str, Any]:
    response = api.get(f"/cases/{case.reference}/steps/{row.pk}/actions")
    assert response.status_code == 200, response.content
    return response.json()


def test_another_agencys_person_gets_no_verdict_and_no_step(bali, djki, case, api_as):
    api = api_as(djki["kasubdit"])
    s1 = row_of(case, "s1")
    assert api.get(f"/cases/{case.reference}/steps/{s1.pk}/actions").status_code == 404
    assert api.get(f"/cases/{case.reference}").status_code == 404


def test_the_confirm_verdict_is_the_services_rule(bali, case, api_as):
    s1 = row_of(case, "s1")
    # (Those who see the case: its actors' holders and the Kepala Dinas above them.)
    for person in (bali["ketuatim"], bali["kabid"], bali["kadis"]):
        said = verdicts(api_as(person), case, s1)["confirm"]
        service = accepted(lambda p=person: services.confirm_part(p, s1.pk))
        assert said["allowed"] == (service is True), (person.name, said, service)
        if service is not True:
            assert said["code"] == service and said["message"], (person.name, said)
    # Someone holding no part is told who may.
    said = verdicts(api_as(bali["kadis"]), case, s1)["confirm"]
    assert said["code"] == "not_allowed" and "Kepala Bidang" in said["message"]
    # Once confirmed, the same person is told it is confirmed already.
    services.confirm_part(bali["ketuatim"], s1.pk)
    said = verdicts(api_as(bali["ketuatim"]), case, s1)["confirm"]
    assert (said["allowed"], said["code"]) == (False, "already_confirmed")


def test_a_step_that_is_not_joint_is_not_confirmed(bali, case, api_as):
    services.confirm_part(bali["ketuatim"], row_of(case, "s1").pk)
    services.complete_step(bali["kabid"], row_of(case, "s1").pk)
    said = verdicts(api_as(bali["dev1"]), case, row_of(case, "s2"))["confirm"]
    assert (said["allowed"], said["code"]) == (False, "not_joint")


def test_the_reassign_verdict_is_the_services_rule(bali, case, api_as):
    s1 = row_of(case, "s1")
    # The Kepala Dinas is above the Kepala Bidang, who holds the step; the others are not
    # above its holder.
    for person in (bali["kadis"], bali["kabid"], bali["ketuatim"]):
        said = verdicts(api_as(person), case, s1)["reassign"]
        service = accepted(
            lambda p=person: services.reassign_step(p, case, "s1", p, "Dialihkan untuk uji")
        )
        assert said["allowed"] == (service is True), (person.name, said, service)
    assert verdicts(api_as(bali["kadis"]), case, s1)["reassign"]["allowed"]
    said = verdicts(api_as(bali["ketuatim"]), case, s1)["reassign"]
    assert (said["allowed"], said["code"]) == (False, "not_superior")


def test_a_joint_steps_answer_lists_its_confirmations(bali, case, api_as):
    s1 = row_of(case, "s1")
    ketua, kabid = bali["ketuatim"], bali["kabid"]
    answer = api_as(ketua).post(f"/cases/{case.reference}/steps/{s1.pk}/confirm")
    assert answer.status_code == 200, answer.content
    (part,) = answer.json()["confirmations"]
    assert part["actor"] == "ketua" and part["actor_name"] == "Ketua Tim"
    assert part["person"] == {"id": ketua.pk, "name": ketua.name} and part["at"]
    done = api_as(kabid).post(f"/cases/{case.reference}/steps/{s1.pk}/complete")
    assert done.status_code == 200, done.content
    steps = {
        s["step_key"]: s for s in api_as(kabid).get(f"/cases/{case.reference}").json()["steps"]
    }
    assert [(c["actor"], c["person"]["id"]) for c in steps["s1"]["confirmations"]] == [
        ("ketua", ketua.pk),
        ("kabid", kabid.pk),
    ]
    assert steps["s2"]["confirmations"] == []
