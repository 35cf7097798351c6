"""``laksana bindings check``: every procedure an agency has published is checked, and an
actor bound to nobody who can play it is a problem; disposition warnings are listed only."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from laksana.demo.orgs import SOP_000, SOP_001, SOP_002, SOP_003, SOP_004, DemoOrg
from laksana.org.models import ActorBinding, Position
from laksana.procedures.services import adopt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the messages in English (the Indonesian is checked in tests/web)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def check(*args: str) -> str:
    out = io.StringIO()
    call_command("bindings", "check", *args, stdout=out)
    return out.getvalue()


def failing(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("bindings", "check", *args, stdout=out)
    return out.getvalue(), str(refused.value)


def test_procedures_published_without_bindings_are_all_checked(bali: DemoOrg):
    for key in (SOP_000, SOP_001, SOP_003, SOP_004):
        adopt(key, bali.agency, by=bali["kabid"])
    out, summary = failing()
    assert "bindings ok" not in out
    for key in (SOP_000, SOP_001, SOP_003, SOP_004):
        assert f"diskominfos-bali / {key} (v1): " in out
    assert f"diskominfos-bali / {SOP_002} (v1): all actors bound" in out
    assert "  pimpinan (Pimpinan Instansi, position): unbound" in out
    assert summary.startswith("4 of 5 agency procedure(s) cannot run as bound: 16 unbound")


def test_an_actor_bound_to_a_position_nobody_holds_fails_the_check(bali: DemoOrg):
    # Before: bound, so "bindings ok", though step 5 was offered to nobody.
    empty = Position.objects.create(
        agency=bali.agency, unit=bali.units["tim_ai"], name="Ketua Tim (kosong)"
    )
    ActorBinding.objects.filter(agency=bali.agency, actor_key="ketua_tim").update(position=empty)
    out, summary = failing()
    assert f"diskominfos-bali / {SOP_002} (v1): 0 unbound, 1 nobody can play" in out
    assert (
        "  ketua_tim: problem no_holder [steps 5]: Nobody holds the position Ketua Tim (kosong)."
        in out
    )
    assert "1 actor(s) nobody can play" in summary


def test_a_person_who_cannot_sign_in_fails_the_check(bali: DemoOrg):
    ActorBinding.objects.filter(agency=bali.agency, actor_key="kadis").update(
        position=None, person=bali["kadis"]
    )
    user = bali["kadis"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    out, _summary = failing()
    assert "Gede Pramana cannot sign in" in out


def test_warnings_alone_leave_the_status_0(bali: DemoOrg):
    lead = bali["ketuatim"]
    lead.superior = None
    lead.save(update_fields=["superior"])
    out = check()
    assert "bindings ok: 1 agency procedure(s) checked, 1 warning(s)" in out
    assert "  ketua_tim: warning not_forwardable [steps 4, 5]: Step 4 ends with a" in out


def test_one_agency_is_checked_with_agency(bali: DemoOrg, djki: DemoOrg):
    adopt(SOP_000, bali.agency, by=bali["kabid"])
    out = check("--agency", "djki")
    assert f"djki / {SOP_004} (v1): all actors bound" in out
    assert "diskominfos-bali" not in out
    with pytest.raises(CommandError, match="No agency 'nowhere'"):
        check("--agency", "nowhere")
