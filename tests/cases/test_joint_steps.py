"""A step of several actors in a case: done jointly (``joint``), by any one of several actors
(``any_of``), and copied (tembusan) to ``copies`` actors when it is completed. Attacks first:
a person of only the joint actor completing early, confirming twice, a copy actor's holder
claiming, another agency's person; then a procedure with each construct run to its end."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.urls import reverse

from laksana.cases import inbox, jointsteps, services
from laksana.cases.coverage import check_case
from laksana.cases.journal import verify_case
from laksana.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    JointConfirmation,
    JournalEntry,
    JournalKind,
    Notification,
    StepStatus,
)
from laksana.cases.queries import can_view, visible_case_ids, visible_cases, visible_filter
from laksana.org.services import set_bindings
from laksana.outbox.models import Message
from laksana.procedures.services import publish
from tests.api.conftest import api_as  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

TEXT = """\
format: laksana/procedure@1
id: uji-bersama
identity: {number: "098/UJI", title: Uji Bersama, agency: Dinas Uji}
actors:
  pemohon: {name: Unit Kerja Pemohon, kind: requesting_unit}
  kabid: {name: Kepala Bidang, kind: position}
  ketua: {name: Ketua Tim, kind: position}
  pengembang: {name: Pengembang, kind: position}
  kadis: {name: Kepala Dinas, kind: position}
start: s1
steps:
  - id: s1
    activity: Memeriksa permohonan bersama Ketua Tim
    actor: kabid
    joint: [ketua]
  - id: s2
    activity: Menindaklanjuti permohonan
    actor: pengembang
    any_of: [ketua]
    copies: [kadis, pemohon]
ends:
  - {id: selesai}
"""


@pytest.fixture
def case(bali) -> Case:
    version = publish(TEXT, "uji.yaml", bali.agency)
    set_bindings(
        bali.agency,
        version,
        {
            "kabid": bali["kabid"],
            "ketua": bali["ketuatim"],
            "pengembang": bali["dev1"],
            "kadis": bali["kadis"],
        },
    )
    return services.open_case(bali["dinkes_staf"], version, "Permohonan bersama")


def row_of(case: Case, key: str) -> CaseStep:
    return CaseStep.objects.get(case=case, step_key=key, status=StepStatus.ACTIVE)


def kinds(case: Case) -> list[str]:
    return list(
        JournalEntry.objects.filter(case=case).order_by("seq").values_list("kind", flat=True)
    )


# --- attacks ---------------------------------------------------------------------------------


def test_the_joint_actor_alone_cannot_complete_before_the_others_confirmed(bali, case):
    s1 = row_of(case, "s1")
    before = kinds(case)
    with pytest.raises(services.ServiceError) as exc:
        services.complete_step(bali["ketuatim"], s1.pk)
    assert exc.value.code == "joint_incomplete"
    assert "Kepala Bidang must still confirm their part" in exc.value.message
    # Nothing was written: no confirmation, the step still active, the journal unchanged.
    assert not JointConfirmation.objects.filter(step=s1).exists()
    assert row_of(case, "s1").status == StepStatus.ACTIVE
    assert kinds(case) == before


def test_the_steps_own_actor_alone_cannot_complete_either(bali, case):
    with pytest.raises(services.ServiceError) as exc:
        services.complete_step(bali["kabid"], row_of(case, "s1").pk)
    assert exc.value.code == "joint_incomplete"
    assert "Ketua Tim must still confirm" in exc.value.message


def test_a_part_is_confirmed_once(bali, case):
    s1 = row_of(case, "s1")
    services.confirm_part(bali["ketuatim"], s1.pk)
    with pytest.raises(services.ServiceError) as exc:
        services.confirm_part(bali["ketuatim"], s1.pk)
    assert exc.value.code == "already_confirmed"
    assert JointConfirmation.objects.filter(step=s1).count() == 1
    assert kinds(case).count(JournalKind.JOINT_CONFIRMED) == 1


def test_someone_holding_no_actor_of_the_step_cannot_confirm(bali, case):
    s1 = row_of(case, "s1")
    for outsider in (bali["dev1"], bali["kadis"], bali["dinkes_staf"]):
        with pytest.raises(services.NotAllowed):
            services.confirm_part(outsider, s1.pk)
    assert not JointConfirmation.objects.filter(step=s1).exists()


def test_a_step_that_is_not_joint_has_no_parts_to_confirm(bali, case):
    s1 = row_of(case, "s1")
    services.confirm_part(bali["ketuatim"], s1.pk)
    services.complete_step(bali["kabid"], s1.pk)
    with pytest.raises(services.ServiceError) as exc:
        services.confirm_part(bali["ketuatim"], row_of(case, "s2").pk)
    assert exc.value.code == "not_joint"


def test_a_copy_actors_holder_cannot_claim_or_complete(bali, case):
    s1 = row_of(case, "s1")
    services.confirm_part(bali["ketuatim"], s1.pk)
    services.complete_step(bali["kabid"], s1.pk)
    s2 = row_of(case, "s2")
    for copy_holder in (bali["kadis"], bali["dinkes_staf"]):
        with pytest.raises(services.NotAllowed):
            services.claim_step(copy_holder, s2.pk)
        with pytest.raises(services.NotAllowed):
            services.complete_step(copy_holder, s2.pk)
    assert row_of(case, "s2").claimed_by_id is None


def test_another_agencys_person_can_do_nothing_to_the_steps(bali, djki, case):
    s1 = row_of(case, "s1")
    stranger = djki["kasubdit"]
    for act in (services.confirm_part, services.claim_step, services.complete_step):
        with pytest.raises(services.NotAllowed):
            act(stranger, s1.pk)
    assert not can_view(stranger.user, case)
    assert not JointConfirmation.objects.filter(step=s1).exists()


def test_another_agencys_person_gets_404_at_every_door(bali, djki, case, api_as, client):  # noqa: F811
    s1 = row_of(case, "s1")
    api = api_as(djki["kasubdit"])
    assert api.post(f"/cases/{case.reference}/steps/{s1.pk}/confirm").status_code == 404
    client.force_login(djki["kasubdit"].user)
    url = reverse("cases:confirm", args=[case.reference, s1.pk])
    assert client.post(url).status_code == 404
    assert not JointConfirmation.objects.filter(step=s1).exists()


# --- who is offered the steps, who sees the case ------------------------------------------------


def test_the_joint_and_any_of_actors_holders_are_offered_the_step_and_see_the_case(bali, case):
    ketua = bali["ketuatim"]
    assert [r.step_key for r in inbox.offered_steps(ketua, ketua.user)] == ["s1"]
    assert can_view(ketua.user, case)
    # Every form of the visibility gate agrees.
    for person in (ketua, bali["kabid"], bali["dev1"], bali["kadis"]):
        expected = set(visible_cases(person.user).values_list("pk", flat=True))
        ids = visible_case_ids(person.user)
        assert ids is not None and set(ids) == expected, person
        check = visible_filter(person.user)
        assert set(Case.objects.filter(check).values_list("pk", flat=True)) == expected, person
    assert case.pk in set(visible_cases(ketua.user).values_list("pk", flat=True))
    # The copy actor's holder is offered nothing.
    assert inbox.offered_steps(bali["kadis"], bali["kadis"].user) == []


def test_the_holders_of_every_acting_actor_are_told_the_step_is_waiting(bali, case):
    told = set(
        Notification.objects.filter(case=case, message__contains="waiting").values_list(
            "person_id", flat=True
        )
    )
    assert told == {bali["kabid"].pk, bali["ketuatim"].pk}


# --- run to the end ------------------------------------------------------------------------------


def test_a_joint_step_an_any_of_step_and_copies_run_to_the_end(bali, case, api_as, client):  # noqa: F811
    s1 = row_of(case, "s1")
    # The joint actor's holder confirms on the case page (the web door).
    client.force_login(bali["ketuatim"].user)
    page = client.get(reverse("cases:detail", args=[case.reference]))
    confirm_url = reverse("cases:confirm", args=[case.reference, s1.pk])
    assert f'action="{confirm_url}"'.encode() in page.content  # the page offers the button
    client.post(confirm_url)
    assert jointsteps.confirmed(s1) == {"ketua": bali["ketuatim"].pk}
    # Confirming again through the API is a conflict and changes nothing.
    again = api_as(bali["ketuatim"]).post(f"/cases/{case.reference}/steps/{s1.pk}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"
    # The step's own actor completes it through the API, confirming their own part.
    api = api_as(bali["kabid"])
    done = api.post(f"/cases/{case.reference}/steps/{s1.pk}/complete")
    assert done.status_code == 200, done.content
    assert jointsteps.confirmed(s1) == {"ketua": bali["ketuatim"].pk, "kabid": bali["kabid"].pk}
    # s2 is offered to the holders of both its actors; any one of them does it.
    s2 = row_of(case, "s2")
    ketua = bali["ketuatim"]
    assert [r.step_key for r in inbox.offered_steps(ketua, ketua.user)] == ["s2"]
    assert [r.step_key for r in inbox.offered_steps(bali["dev1"], bali["dev1"].user)] == ["s2"]
    services.claim_step(ketua, s2.pk)
    with pytest.raises(services.NotAllowed):
        services.complete_step(bali["dev1"], s2.pk)  # claimed by the other actor's holder
    finished = services.complete_step(ketua, s2.pk)
    assert finished.status == CaseStatus.FINISHED
    # The copies: each copy actor's holders notified and e-mailed, one journal entry.
    # (In the language the last request left active: English here, Indonesian on the site.)
    copies = Notification.objects.filter(
        Q(message__startswith="Copy (tembusan)") | Q(message__startswith="Tembusan:"), case=case
    )
    unit = set(bali["dinkes_staf"].unit.members.values_list("pk", flat=True))
    assert bali["dinkes_staf"].pk in unit
    assert set(copies.values_list("person_id", flat=True)) == {bali["kadis"].pk} | unit
    assert Message.objects.filter(to=bali["kadis"].email, subject__icontains="tembusan").exists()
    (entry,) = JournalEntry.objects.filter(case=case, kind=JournalKind.COPY_SENT)
    assert entry.data["actors"] == ["kadis", "pemohon"]
    assert entry.data["names"] == ["Kepala Dinas", "Unit Kerja Pemohon"]
    journal = kinds(case)
    assert journal.count(JournalKind.JOINT_CONFIRMED) == 2
    assert journal.index(JournalKind.COPY_SENT) > journal.index(JournalKind.CLAIMED)
    # The journal's chain holds, and it still accounts for every row of the case.
    assert verify_case(finished) is None
    assert check_case(finished) == []
