"""Who may work a step (``laksana.cases.authority``), enforced by the services: a disposition
never grants more than its sender holds (issue 16, item 2) and a claim is a claim (item 4)."""

from __future__ import annotations

import pytest

from laksana.cases import authority, services
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, DispositionStatus, JournalKind, Notification, StepStatus
from laksana.org.models import Person, Unit, UnitKind

from .helpers import active, work

pytestmark = pytest.mark.django_db


def _at(case: Case, bali, key: str) -> Case:
    """Drive a Bali SOP 002 case to the step ``key`` with the demo people of each step."""
    who = {
        "s1": "dinkes_staf",
        "s2": "dinkes_staf",
        "s3": "kadis",
        "s4": "kabid",
        "s5": "ketuatim",
        "s6": "dev1",
        "s7": "qa1",
        "s8": "dev1",
        "s9": "dinkes_staf",
        "s10": "kadis",
    }
    while active(case).step_key != key:
        case = work(bali[who[active(case).step_key]], case)
    return case


def _junior(bali) -> Person:
    """Someone below the Dinkes staff member, in a section of their own: not a member of the
    requesting unit, so holding none of its steps."""
    section = Unit.objects.create(
        agency=bali.agency, name="Seksi Data", kind=UnitKind.SECTION, parent=bali.units["dinkes"]
    )
    return Person.objects.create(
        agency=bali.agency, name="Made Junior", unit=section, superior=bali["dinkes_staf"]
    )


@pytest.fixture
def at_uat(bali, sop002) -> Case:
    case = services.open_case(
        bali["dinkes_staf"], sop002, "NIK ditolak", application=bali.applications["sikesda"]
    )
    return _at(case, bali, "s9")


# --- item 2: a disposition never grants more than its sender holds ----------------------------


def test_a_forward_cannot_name_another_step_than_its_parents(bali, at_uat):
    # The reproduction: kadis -> kabid (about the whole case) -> ketuatim, forwarded with the
    # requesting unit's UAT step named: the IT official then completed the UAT.
    case, uat = at_uat, active(at_uat)
    (whole,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses lebih lanjut")
    with pytest.raises(services.ServiceError) as exc:
        services.dispose(
            bali["kabid"],
            case.pk,
            [bali["ketuatim"]],
            "Koordinasikan",
            parent_id=whole.pk,
            step_id=uat.pk,
        )
    assert exc.value.field == "step"
    with pytest.raises(services.NotAllowed):
        work(bali["ketuatim"], case)
    uat.refresh_from_db()
    assert uat.status == StepStatus.ACTIVE
    whole.refresh_from_db()
    assert whole.status == DispositionStatus.UNREAD  # nothing was written


def test_a_forward_of_a_step_disposition_keeps_its_step(bali, at_uat):
    uat = active(at_uat)
    sit = at_uat.steps.get(step_key="s8")
    junior = _junior(bali)
    (d,) = services.dispose(
        bali["dinkes"], at_uat.pk, [bali["dinkes_staf"]], "Mohon diuji", step_id=uat.pk
    )
    with pytest.raises(services.ServiceError) as exc:
        services.dispose(
            bali["dinkes_staf"], at_uat.pk, [junior], "Bantu", parent_id=d.pk, step_id=sit.pk
        )
    assert (exc.value.code, exc.value.field) == ("invalid", "step")
    # Naming its own step (or none) forwards it.
    (fwd,) = services.dispose(
        bali["dinkes_staf"], at_uat.pk, [junior], "Bantu", parent_id=d.pk, step_id=uat.pk
    )
    assert fwd.step_id == uat.pk
    assert authority.may_work(junior, at_uat, uat).via == fwd.pk


def test_only_someone_who_may_work_a_step_can_disposition_it(bali, at_uat):
    uat = active(at_uat)
    # The Kabid sees the case but holds no part of the requesting unit's UAT.
    with pytest.raises(services.NotAllowed):
        services.dispose(
            bali["kabid"], at_uat.pk, [bali["ketuatim"]], "Proses lebih lanjut", step_id=uat.pk
        )
    # The head of the requesting unit holds it, and may hand it to his staff.
    (d,) = services.dispose(
        bali["dinkes"], at_uat.pk, [bali["dinkes_staf"]], "Mohon diuji", step_id=uat.pk
    )
    assert d.step_id == uat.pk


def test_a_recipient_of_a_steps_own_output_disposition_cannot_forward_it(bali, sop002):
    # Step 3's output is the head's disposition: it hands nothing of step 3 to the Kabid, so
    # the Kabid cannot forward step 3 either.
    case = _at(services.open_case(bali["dinkes_staf"], sop002, "Gangguan"), bali, "s3")
    s3 = active(case)
    (d,) = services.dispose(bali["kadis"], case.pk, [bali["kabid"]], "Proses", step_id=s3.pk)
    assert not authority.may_work(bali["kabid"], case, s3)
    with pytest.raises(services.NotAllowed):
        services.dispose(
            bali["kabid"], case.pk, [bali["ketuatim"]], "Koordinasikan", parent_id=d.pk
        )


def test_a_chain_of_forwards_grants_the_step_while_its_first_sender_holds_it(bali, sop002):
    case = _at(services.open_case(bali["dinkes_staf"], sop002, "Gangguan"), bali, "s5")
    s5 = active(case)
    (to_dev,) = services.dispose(
        bali["ketuatim"], case.pk, [bali["dev1"]], "Tanggapan dan saran", step_id=s5.pk
    )
    decision = authority.may_work(bali["dev1"], case, s5)
    assert decision and decision.code == "disposition" and decision.via == to_dev.pk
    assert not authority.may_work(bali["qa1"], case, s5)


# --- item 4: a claim is a claim -----------------------------------------------------------------


@pytest.fixture
def claimed_uat(bali, at_uat) -> Case:
    """The UAT step claimed by the Dinkes staff member; the head of Dinkes also holds it."""
    services.claim_step(bali["dinkes_staf"], active(at_uat).pk)
    return at_uat


def test_a_holder_who_did_not_claim_cannot_complete_hold_or_resume(bali, claimed_uat):
    head, uat = bali["dinkes"], active(claimed_uat)
    assert authority.may_work(head, claimed_uat, uat).code == "claimed"
    with pytest.raises(services.NotAllowed) as exc:
        work(head, claimed_uat)
    assert "Putu Eka Pratama" in exc.value.message
    with pytest.raises(services.NotAllowed):
        services.hold_step(head, uat.pk, "Menunggu")
    services.hold_step(bali["dinkes_staf"], uat.pk, "Menunggu server uji")
    with pytest.raises(services.NotAllowed):
        services.resume_step(head, uat.pk)
    with pytest.raises(services.ServiceError) as exc:
        services.claim_step(head, uat.pk)
    assert exc.value.code == "already_claimed"
    services.resume_step(bali["dinkes_staf"], uat.pk)
    case = work(bali["dinkes_staf"], claimed_uat)
    assert case.steps.get(pk=uat.pk).completed_by == bali["dinkes_staf"]


def test_the_claimant_releases_and_then_another_holder_may_work(bali, claimed_uat):
    head, uat = bali["dinkes"], active(claimed_uat)
    with pytest.raises(services.NotAllowed):
        services.release_step(head, uat.pk)
    services.release_step(bali["dinkes_staf"], uat.pk)
    uat.refresh_from_db()
    assert uat.claimed_by is None
    entry = claimed_uat.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.RELEASED and entry.actor == bali["dinkes_staf"]
    case = work(head, claimed_uat)
    assert case.steps.get(pk=uat.pk).completed_by == head
    assert verify_case(case) is None


def test_the_claimants_superior_takes_over_and_it_is_recorded(bali, claimed_uat):
    uat = active(claimed_uat)
    # Not a superior of the claimant: refused, even holding the step's actor elsewhere.
    for outsider in (bali["kadis"], bali["bkd"]):
        with pytest.raises(services.NotAllowed):
            services.take_over_step(outsider, uat.pk)
    Notification.objects.all().delete()
    services.take_over_step(bali["dinkes"], uat.pk)
    uat.refresh_from_db()
    assert uat.claimed_by == bali["dinkes"]
    entry = claimed_uat.journal.order_by("-seq").first()
    assert entry.kind == JournalKind.TAKEN_OVER
    assert entry.data["from"] == bali["dinkes_staf"].pk
    # The former claimant is told, and may no longer work the step.
    assert Notification.objects.filter(person=bali["dinkes_staf"]).exists()
    with pytest.raises(services.NotAllowed):
        work(bali["dinkes_staf"], claimed_uat)
    case = work(bali["dinkes"], claimed_uat)
    assert verify_case(case) is None


def test_the_claimant_may_hand_the_claimed_step_on_by_disposition(bali, claimed_uat):
    head, staff, uat = bali["dinkes"], bali["dinkes_staf"], active(claimed_uat)
    services.release_step(staff, uat.pk)
    services.claim_step(head, uat.pk)
    # The head's disposition to his staff grants the step the head has claimed...
    services.dispose(head, claimed_uat.pk, [staff], "Mohon diuji", step_id=uat.pk)
    uat.refresh_from_db()
    assert authority.may_work(staff, claimed_uat, uat).code == "disposition"
    # ...but the staff member cannot claim it away from him.
    with pytest.raises(services.ServiceError):
        services.claim_step(staff, uat.pk)
    case = work(staff, claimed_uat)
    assert case.steps.get(pk=uat.pk).completed_by == staff


def test_a_disposition_from_a_holder_who_lost_the_step_grants_nothing(bali, sop002):
    case = _at(services.open_case(bali["dinkes_staf"], sop002, "Gangguan"), bali, "s9")
    uat = active(case)
    head, staff = bali["dinkes"], bali["dinkes_staf"]
    junior = _junior(bali)
    services.dispose(staff, case.pk, [junior], "Mohon diuji", step_id=uat.pk)
    assert authority.may_work(junior, case, uat)
    services.claim_step(head, uat.pk)  # the head takes the free step: the staff's grant ends
    uat.refresh_from_db()
    assert authority.may_work(junior, case, uat).code == "claimed"
    with pytest.raises(services.NotAllowed):
        work(junior, case)


def test_a_superior_further_up_takes_over_and_a_fellow_holder_cannot(bali, sop002):
    # Step 6 is the SPBE team's (Komang and Kadek, both below the Ketua Tim, who is below
    # the Kabid). Komang claims it; Kadek holds it too but is nobody's superior.
    case = _at(services.open_case(bali["dinkes_staf"], sop002, "Gangguan"), bali, "s6")
    s6 = active(case)
    services.claim_step(bali["dev1"], s6.pk)
    with pytest.raises(services.NotAllowed):
        services.take_over_step(bali["qa1"], s6.pk)
    with pytest.raises(services.NotAllowed):
        work(bali["qa1"], case)
    services.take_over_step(bali["kabid"], s6.pk)  # two levels up
    s6.refresh_from_db()
    assert s6.claimed_by == bali["kabid"]
    with pytest.raises(services.ServiceError) as exc:
        services.take_over_step(bali["kabid"], s6.pk)
    assert exc.value.code == "already_claimed"
    # The Ketua Tim, below the Kabid, cannot take it back.
    with pytest.raises(services.NotAllowed):
        services.take_over_step(bali["ketuatim"], s6.pk)
    services.release_step(bali["kabid"], s6.pk)
    case = work(bali["qa1"], case)
    assert case.steps.get(pk=s6.pk).completed_by == bali["qa1"]
