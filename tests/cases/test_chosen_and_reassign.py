"""An actor chosen when a case opens (``kind: chosen``) and a step reassigned by a superior of
its holder (issue 22, item 3): the refusals first, then a case run to its end."""

from __future__ import annotations

import pytest

from laksana.cases import authority, inbox, services
from laksana.cases.coverage import check_case
from laksana.cases.holders import holders
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, CaseActor, JournalKind, Notification, StepStatus
from laksana.cases.queries import can_view
from laksana.org.models import ActorBinding, Person

from .chosen_procedure import KEY, publish_for
from .helpers import active

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(bali):
    return publish_for(bali)


def _open(bali, version, owner: Person | None = None) -> Case:
    return services.open_case(
        bali["dinkes_staf"],
        version,
        "Gangguan SIKESDA",
        chosen={"pemilik": owner or bali["dev1"]},
    )


def _form(person: Person, case: Case, key: str) -> Case:
    return services.complete_step(person, active(case).pk, values={key: {"isi": "Sudah diperiksa"}})


def _at_s2(bali, version) -> Case:
    case = _open(bali, version)
    return _form(bali["dev1"], case, "catatan")


# --- opening: who may be chosen ----------------------------------------------------------------


def test_a_missing_chosen_actor_is_refused_by_name(bali, version):
    before = Case.objects.count()
    with pytest.raises(services.ServiceError) as exc:
        services.open_case(bali["dinkes_staf"], version, "Gangguan")
    assert exc.value.code == "required"
    assert exc.value.field == "chosen_actors.pemilik"
    assert "Pemilik Sistem" in exc.value.message
    assert Case.objects.count() == before


def test_an_unknown_chosen_key_is_refused_by_name(bali, version):
    before = Case.objects.count()
    with pytest.raises(services.ServiceError) as exc:
        services.open_case(
            bali["dinkes_staf"],
            version,
            "Gangguan",
            chosen={"pemilik": bali["dev1"], "ketua": bali["qa1"]},
        )
    assert exc.value.field == "chosen_actors.ketua"
    assert "ketua" in exc.value.message and "pemilik" in exc.value.message
    assert Case.objects.count() == before


def test_a_person_of_another_agency_cannot_be_chosen(bali, djki, version):
    before = Case.objects.count()
    stranger = next(p for p in djki.people.values() if p.user_id is not None)
    with pytest.raises(services.ServiceError) as exc:
        _open(bali, version, stranger)
    assert exc.value.code == "invalid"
    assert exc.value.field == "chosen_actors.pemilik"
    assert stranger.name not in exc.value.message  # another agency's people are not named
    assert Case.objects.count() == before
    assert not CaseActor.objects.exists()


def test_a_system_account_cannot_be_chosen(bali, version):
    robot = Person.objects.create(
        agency=bali.agency, name="Pemantauan Laksana", unit=bali.units["tim_spbe"]
    )
    with pytest.raises(services.ServiceError, match="sign in") as exc:
        _open(bali, version, robot)
    assert exc.value.field == "chosen_actors.pemilik"
    assert not Case.objects.filter(version=version).exists()


def test_only_the_chosen_person_holds_the_chosen_actor(bali, version):
    case = _open(bali, version)
    assert list(holders(case, "pemilik")) == [bali["dev1"]]
    row = active(case)
    assert authority.may_work(bali["dev1"], case, row)
    assert not authority.may_work(bali["qa1"], case, row)
    with pytest.raises(services.NotAllowed):
        _form(bali["qa1"], case, "catatan")
    # The choice is recorded: the CaseActor row and the OPENED entry.
    chosen = CaseActor.objects.get(case=case)
    assert (chosen.actor_key, chosen.person_id, chosen.chosen_by_id) == (
        "pemilik",
        bali["dev1"].pk,
        bali["dinkes_staf"].pk,
    )
    opened = case.journal.get(kind=JournalKind.OPENED)
    assert opened.data["chosen"] == {
        "pemilik": {"person": bali["dev1"].pk, "name": bali["dev1"].name}
    }
    # The chosen person sees the case, is told, and finds the step in the inbox.
    assert can_view(bali["dev1"].user, case)
    assert Notification.objects.filter(person=bali["dev1"], case=case).exists()
    offered = inbox.offered_steps(bali["dev1"], bali["dev1"].user)
    assert [r.pk for r in offered] == [row.pk]
    assert not inbox.offered_steps(bali["qa1"], bali["qa1"].user)


def test_an_automatic_open_falls_back_to_the_binding_or_is_refused(bali, version):
    robot = Person.objects.create(
        agency=bali.agency, name="Pemantauan Laksana", unit=bali.units["tim_spbe"]
    )
    with pytest.raises(services.ServiceError) as exc:
        services.open_case(robot, version, "Gangguan", automatic=True)
    assert exc.value.code == "unbound"
    assert services.unbound_for_automatic(version)
    assert not Case.objects.filter(version=version).exists()
    ActorBinding.objects.create(
        agency=bali.agency, procedure_key=KEY, actor_key="pemilik", person=bali["qa1"]
    )
    assert not services.unbound_for_automatic(version)
    case = services.open_case(robot, version, "Gangguan", automatic=True)
    assert list(holders(case, "pemilik")) == [bali["qa1"]]
    assert not CaseActor.objects.filter(case=case).exists()
    # A case where someone was chosen is not the binding's.
    chosen = _open(bali, version)
    assert list(holders(chosen, "pemilik")) == [bali["dev1"]]
    assert not authority.may_work(bali["qa1"], chosen, active(chosen))
    assert [r.case_id for r in inbox.offered_steps(bali["qa1"], bali["qa1"].user)] == [case.pk]


# --- reassignment: the refusals ----------------------------------------------------------------


def test_a_peer_cannot_reassign(bali, version):
    case = _open(bali, version)  # s1 is dev1's; qa1 has the same superior
    with pytest.raises(services.NotAllowed, match="superior"):
        services.reassign_step(bali["qa1"], case, "s1", bali["qa1"], "Saya ambil")
    assert active(case).assigned_to_id is None
    assert not case.journal.filter(kind=JournalKind.REASSIGNED).exists()


def test_a_superior_of_someone_else_cannot_reassign(bali, version):
    case = _at_s2(bali, version)  # s2 is the team leader's
    with pytest.raises(services.NotAllowed, match="superior"):
        # The head of the requesting unit is above the requester, not the team leader.
        services.reassign_step(bali["dinkes"], case, "s2", bali["dinkes_staf"], "Alihkan")
    assert active(case).assigned_to_id is None


def test_reassigning_to_another_agency_or_outside_ones_team_is_refused(bali, djki, version):
    case = _at_s2(bali, version)
    stranger = next(p for p in djki.people.values() if p.user_id is not None)
    with pytest.raises(services.ServiceError) as exc:
        services.reassign_step(bali["kabid"], case, "s2", stranger, "Alihkan")
    assert (exc.value.code, exc.value.field) == ("not_found", "to")
    with pytest.raises(services.NotAllowed, match="under you"):
        services.reassign_step(bali["kabid"], case, "s2", bali["dinkes_staf"], "Alihkan")
    robot = Person.objects.create(
        agency=bali.agency,
        name="Akun Sistem",
        unit=bali.units["tim_spbe"],
        superior=bali["ketuatim"],
    )
    with pytest.raises(services.ServiceError, match="sign in") as exc:
        services.reassign_step(bali["kabid"], case, "s2", robot, "Alihkan")
    assert exc.value.field == "to"
    with pytest.raises(services.ServiceError) as exc:
        services.reassign_step(bali["kabid"], case, "s2", bali["dev1"], "   ")
    assert (exc.value.code, exc.value.field) == ("required", "reason")
    assert active(case).assigned_to_id is None
    assert not case.journal.filter(kind=JournalKind.REASSIGNED).exists()


def test_a_vendors_employee_outside_its_contracts_is_refused(bali, version):
    from laksana.catalog.models import Vendor

    vendor = Vendor.objects.create(agency=bali.agency, name="PT Uji")
    outsider = Person.objects.create(
        agency=bali.agency,
        name="Staf Vendor",
        unit=bali.units["tim_spbe"],
        vendor=vendor,
        superior=bali["ketuatim"],
        user=type(bali["dev1"].user).objects.create(username="vendoruji"),
    )
    case = _at_s2(bali, version)
    with pytest.raises(services.ServiceError) as exc:
        services.reassign_step(bali["kabid"], case, "s2", outsider, "Alihkan")
    assert exc.value.field == "to"
    assert active(case).assigned_to_id is None


def test_a_finished_or_not_reached_step_is_not_reassigned(bali, version):
    case = _open(bali, version)
    with pytest.raises(services.ServiceError) as exc:
        services.reassign_step(bali["kabid"], case, "s2", bali["qa1"], "Alihkan")
    assert exc.value.code == "not_active"
    case = _form(bali["dev1"], case, "catatan")
    with pytest.raises(services.ServiceError) as exc:
        services.reassign_step(bali["ketuatim"], case, "s1", bali["qa1"], "Alihkan")
    assert exc.value.code == "already_completed"
    with pytest.raises(services.ServiceError) as exc:
        services.reassign_step(bali["kabid"], case, "s9", bali["qa1"], "Alihkan")
    assert exc.value.code == "not_found"


# --- reassignment: what it does ------------------------------------------------------------------


def test_the_previous_holder_cannot_work_a_reassigned_step(bali, version):
    case = _at_s2(bali, version)
    row = active(case)
    services.claim_step(bali["ketuatim"], row.pk)
    services.reassign_step(bali["kabid"], case, "s2", bali["dev1"], "Ketua tim sedang cuti")
    row.refresh_from_db()
    assert (row.assigned_to_id, row.claimed_by_id) == (bali["dev1"].pk, None)
    # The former claimant, and anyone else who holds the actor, may not claim or complete it.
    with pytest.raises(services.NotAllowed, match="reassigned"):
        _form(bali["ketuatim"], case, "persetujuan")
    with pytest.raises(services.NotAllowed):
        services.claim_step(bali["ketuatim"], row.pk)
    with pytest.raises(services.NotAllowed):
        services.claim_step(bali["qa1"], row.pk)
    entry = case.journal.get(kind=JournalKind.REASSIGNED)
    assert entry.actor_id == bali["kabid"].pk
    assert entry.data["from"] == bali["ketuatim"].pk
    assert entry.data["to"] == bali["dev1"].pk
    assert entry.data["by"] == bali["kabid"].pk
    assert entry.data["reason"] == "Ketua tim sedang cuti"
    assert Notification.objects.filter(
        person=bali["dev1"], case=case, message__contains="gave step 2 to you"
    ).exists()
    assert Notification.objects.filter(
        person=bali["ketuatim"], case=case, message__contains="Ketua tim sedang cuti"
    ).exists()
    # The new holder sees it in the inbox; the former one does not.
    assert [r.pk for r in inbox.offered_steps(bali["dev1"], bali["dev1"].user)] == [row.pk]
    assert row.pk not in [r.pk for r in inbox.offered_steps(bali["ketuatim"], None)]
    # ... and runs the case to its end.
    services.claim_step(bali["dev1"], row.pk)
    case = _form(bali["dev1"], case, "persetujuan")
    assert case.status == "finished"
    assert verify_case(case) is None
    assert check_case(case, files=False) == []  # the journal covers the step rows


def test_a_superior_further_up_reassigns_and_the_new_holder_sees_the_case(bali, version):
    case = _open(bali, version)  # s1 is dev1's (chosen); kadis is two levels up
    assert not can_view(bali["qa1"].user, case)
    services.reassign_step(bali["kadis"], case, "s1", bali["qa1"], "Dev1 dinas luar")
    assert can_view(bali["qa1"].user, case)
    with pytest.raises(services.NotAllowed):
        _form(bali["dev1"], case, "catatan")
    case = _form(bali["qa1"], case, "catatan")
    assert active(case).step_key == "s2"
    assert case.steps.get(step_key="s1").status == StepStatus.COMPLETED
