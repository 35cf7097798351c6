"""The holders of a step's copy actors (tembusan) read the case once the step is completed:
the notice's link opens it, at every door and in every form of the visibility gate; they
never act on it, and another agency's person still sees nothing. Attacks first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laksana.cases import inbox, services
from laksana.cases.models import Case, CaseStep, JournalEntry, JournalKind, Notification, StepStatus
from laksana.cases.queries import (
    can_view,
    first_visible,
    visible_case_ids,
    visible_cases,
    visible_filter,
)
from tests.api.conftest import api_as  # noqa: F401 (a fixture)

from .copy_procedure import open_copied, publish_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(bali):
    return publish_for(bali)


def forms_of_the_gate(person, case: Case) -> list[bool]:
    """Whether each form of the visibility gate lets ``person`` see ``case``."""
    user = person.user
    ids = visible_case_ids(user)
    check = visible_filter(user)
    assert ids is not None and check is not None
    return [
        can_view(user, case),
        visible_cases(user).filter(pk=case.pk).exists(),
        case.pk in set(ids),
        Case.objects.filter(check, pk=case.pk).exists(),
        case.pk in set(first_visible(user, Case.objects.all(), 50).values_list("pk", flat=True)),
    ]


def test_before_the_copied_step_is_completed_the_copy_holder_sees_nothing(bali, version):
    case = services.open_case(bali["dinkes_staf"], version, "Belum bertembusan")
    assert forms_of_the_gate(bali["bkd"], case) == [False] * 5
    assert forms_of_the_gate(bali["kabkd"], case) == [False] * 5


def test_another_agencys_person_still_sees_nothing(bali, djki, version, api_as, client):  # noqa: F811
    case = open_copied(bali, version)
    for person in djki.people.values():
        assert forms_of_the_gate(person, case) == [False] * 5, person.name
    stranger = djki["kasubdit"]
    assert api_as(stranger).get(f"/cases/{case.reference}").status_code == 404
    client.force_login(stranger.user)
    assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 404


def test_the_copy_holder_never_acts_on_the_case(bali, version, api_as):  # noqa: F811
    case = open_copied(bali, version)
    reader = bali["bkd"]
    s2 = CaseStep.objects.get(case=case, step_key="s2", status=StepStatus.ACTIVE)
    before = JournalEntry.objects.filter(case=case).count()
    for act in (services.claim_step, services.complete_step, services.confirm_part):
        with pytest.raises(services.ServiceError):
            act(reader, s2.pk)
    assert inbox.offered_steps(reader, reader.user) == []
    answer = api_as(reader).get(f"/cases/{case.reference}/steps/{s2.pk}/actions")
    assert answer.status_code == 200
    assert not any(v["allowed"] for k, v in answer.json().items() if k != "step_id")
    assert api_as(reader).post(f"/cases/{case.reference}/steps/{s2.pk}/claim").status_code == 403
    assert JournalEntry.objects.filter(case=case).count() == before
    assert CaseStep.objects.get(pk=s2.pk).claimed_by_id is None


def test_once_the_step_is_completed_its_copy_holders_read_the_case(bali, version, api_as, client):  # noqa: F811
    case = open_copied(bali, version)
    assert JournalEntry.objects.filter(case=case, kind=JournalKind.COPY_SENT).exists()
    # The copy actor's holder and their superior: every form of the gate agrees.
    for person in (bali["bkd"], bali["kabkd"]):
        assert forms_of_the_gate(person, case) == [True] * 5, person.name
    # The notice's link opens the case page; the API answers the case.
    notice = Notification.objects.get(case=case, person=bali["bkd"])
    client.force_login(bali["bkd"].user)
    assert notice.url.endswith(reverse("cases:detail", args=[case.reference]))
    assert client.get(notice.url).status_code == 200
    assert api_as(bali["bkd"]).get(f"/cases/{case.reference}").status_code == 200
    # People of the same agency with no part in it still see nothing.
    assert forms_of_the_gate(bali["qa1"], case) == [False] * 5
