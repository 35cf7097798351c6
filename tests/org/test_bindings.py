"""Actor bindings: the service, the screen at /organisasi/ and ``laksana bindings check``."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from laksana.cases import services as case_services
from laksana.demo.orgs import SOP_002, SOP_004, DemoOrg
from laksana.org import services
from laksana.org.models import ActorBinding, Position
from laksana.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db

SCREEN = f"/organisasi/diskominfos-bali/{SOP_002}/"


def binding(org: DemoOrg, actor: str) -> ActorBinding | None:
    return ActorBinding.objects.filter(
        agency=org.agency, procedure_key=SOP_002, actor_key=actor
    ).first()


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff(bali: DemoOrg) -> Client:
    """The Kabid of Diskominfos Bali, a staff user: manages Bali's bindings only."""
    user = bali["kabid"].user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return english(client)


@pytest.fixture
def admin_client_en(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(user)
    return english(client)


def unbound_listed(page: str) -> list[str]:
    match = re.search(r'<ul class="unbound-actors">(.*?)</ul>', page, re.S)
    return re.findall(r"<code>([a-z_0-9]+)</code>", match.group(1)) if match else []


# The service -------------------------------------------------------------------------------


def test_set_bindings_binds_rebinds_and_unbinds(bali, sop002):
    ActorBinding.objects.filter(agency=bali.agency, actor_key="ketua_tim").delete()
    assert [a.id for a in services.unbound(bali.agency, sop002)] == ["ketua_tim"]
    lead = bali["ketuatim"].positions.get()
    changes = services.set_bindings(bali.agency, sop002, {"ketua_tim": lead, "kadis": None})
    assert [c.actor for c in changes] == ["ketua_tim", "kadis"]
    assert binding(bali, "ketua_tim").position == lead
    assert binding(bali, "kadis") is None
    # Binding the same target again changes nothing.
    assert services.bind_actor(bali.agency, sop002, "ketua_tim", lead) == []
    services.bind_actor(bali.agency, sop002, "ketua_tim", bali["ketuatim"])
    assert binding(bali, "ketua_tim").target == bali["ketuatim"]


def test_set_bindings_refuses_another_agencys_target_and_saves_nothing(bali, djki, sop002):
    lead = bali["ketuatim"].positions.get()
    ActorBinding.objects.filter(agency=bali.agency, actor_key="ketua_tim").delete()
    foreign = djki["kasie_app"].positions.get()
    with pytest.raises(services.BindingError) as exc:
        services.set_bindings(bali.agency, sop002, {"ketua_tim": lead, "kabid": foreign})
    assert exc.value.actor == "kabid"
    assert "Kasie Aplikasi" in exc.value.message
    assert binding(bali, "ketua_tim") is None  # all or nothing
    assert binding(bali, "kabid").position.agency == bali.agency


def test_set_bindings_refuses_actors_resolved_per_case_and_unknown_ones(bali, sop002):
    with pytest.raises(services.BindingError) as exc:
        services.bind_actor(bali.agency, sop002, "pemohon", bali.units["dinkes"])
    assert exc.value.actor == "pemohon"
    with pytest.raises(services.BindingError):
        services.bind_actor(bali.agency, sop002, "nobody", None)


# The screen --------------------------------------------------------------------------------


def test_it_is_forbidden_to_non_staff_and_asks_visitors_to_sign_in(bali, sop002):
    client = Client()
    response = client.get(SCREEN)
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(bali["dinkes_staf"].user)
    assert client.get(SCREEN).status_code == 403
    assert client.get("/organisasi/").status_code == 403
    assert client.post(SCREEN, {"actor-kadis": ""}).status_code == 403
    assert binding(bali, "kadis") is not None


def test_it_lists_every_actor_with_its_kind_and_the_check_result(staff, bali, sop002):
    page = staff.get(SCREEN).content.decode()
    assert "All actors bound." in page and unbound_listed(page) == []
    for actor in sop002.spec.actors:
        assert f"<code>{actor.id}</code>" in page
    assert page.count("resolved per case") == 1  # pemohon, the requesting unit
    assert 'name="actor-pemohon"' not in page
    # The current binding is selected; only Bali's positions, units and people are offered.
    kadis = bali["kadis"].positions.get()
    assert f'<option value="position:{kadis.pk}" selected>' in page
    assert "Kasie Aplikasi" not in page


def test_it_shows_the_unbound_actors(staff, bali, sop002):
    ActorBinding.objects.filter(agency=bali.agency, actor_key__in=["kabid", "tim_spbe"]).delete()
    page = staff.get(SCREEN).content.decode()
    assert unbound_listed(page) == ["kabid", "tim_spbe"]
    assert "All actors bound." not in page
    index = staff.get("/organisasi/").content.decode()
    assert "2 actors not bound" in index and "Kabid IAI" in index


def test_it_saves_a_binding(staff, bali, sop002):
    ActorBinding.objects.filter(agency=bali.agency, actor_key="tim_spbe").delete()
    response = staff.post(SCREEN, {"actor-tim_spbe": f"unit:{bali.units['tim_spbe'].pk}"})
    assert response.status_code == 302 and response["Location"] == SCREEN
    assert binding(bali, "tim_spbe").unit == bali.units["tim_spbe"]
    page = staff.get(SCREEN).content.decode()
    assert "Bindings saved (1 changed)." in page and "All actors bound." in page


def test_it_refuses_a_position_of_another_agency(staff, bali, djki, sop002):
    foreign = djki["direktur"].positions.get()
    response = staff.post(SCREEN, {"actor-kadis": f"position:{foreign.pk}"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page and "does not belong to" in page
    assert binding(bali, "kadis").position.agency == bali.agency


def test_it_refuses_a_value_that_names_nothing(staff, bali, sop002):
    missing = (Position.objects.order_by("-pk").first().pk or 0) + 1000
    for value in (f"position:{missing}", "unit:x", "vendor:1"):
        response = staff.post(SCREEN, {"actor-kadis": value})
        assert response.status_code == 400, value
    assert binding(bali, "kadis") is not None


def test_staff_manage_only_their_own_agency(staff, djki, sop004):
    assert staff.get(f"/organisasi/djki/{SOP_004}/").status_code == 404
    index = staff.get("/organisasi/").content.decode()
    assert "Dinas Komunikasi, Informatika dan Statistik Provinsi Bali" in index
    assert "Direktorat Jenderal Kekayaan Intelektual" not in index


def test_a_superuser_manages_every_agency(admin_client_en, bali, djki, sop004):
    assert admin_client_en.get(f"/organisasi/djki/{SOP_004}/").status_code == 200
    index = admin_client_en.get(f"/organisasi/?procedure={SOP_004}").content.decode()
    assert "Direktorat Jenderal Kekayaan Intelektual" in index
    # Bali has not adopted SOP 004: it has no version of it to bind.
    assert f"/organisasi/diskominfos-bali/{SOP_004}/" not in index
    assert admin_client_en.get(f"/organisasi/diskominfos-bali/{SOP_004}/").status_code == 404
    assert f"/organisasi/djki/{SOP_002}/" not in index  # filtered to one procedure
    assert admin_client_en.get("/organisasi/djki/sop-999-none/").status_code == 404


def test_the_procedure_page_links_to_the_bindings_for_staff_only(staff, bali, versions):
    link = f'href="/organisasi/?procedure={SOP_002}"'
    assert link in staff.get(f"/prosedur/{SOP_002}/").content.decode()
    other = Client()
    other.force_login(bali["dinkes_staf"].user)
    assert link not in other.get(f"/prosedur/{SOP_002}/").content.decode()


# The command -------------------------------------------------------------------------------


def test_bindings_check_exits_1_listing_every_unbound_actor(bali, djki, versions):
    out = io.StringIO()
    call_command("bindings", "check", stdout=out)
    assert "bindings ok: 2 agency procedure(s) checked" in out.getvalue()
    ActorBinding.objects.filter(agency=djki.agency, actor_key__in=["jfu", "tim_ipas"]).delete()
    ActorBinding.objects.filter(agency=bali.agency).delete()
    # Bali still runs SOP 002: it has a case of it, though no binding any more.
    case_services.open_case(bali["dinkes_staf"], versions[SOP_002], "Gangguan")
    out = io.StringIO()
    with pytest.raises(CommandError, match="6 unbound actor"):
        call_command("bindings", "check", stdout=out)
    text = out.getvalue()
    assert f"djki / {SOP_004} (v1): 2 unbound" in text
    assert "  tim_ipas (Team IPAS Development, team)" in text and "  jfu (JFU, position)" in text
    assert f"diskominfos-bali / {SOP_002} (v1): 4 unbound" in text
    assert "pemohon" not in text  # resolved per case
    assert f"diskominfos-bali / {SOP_004}" not in text  # Bali does not run SOP 004


def test_bindings_check_checks_the_latest_version(bali, sop002: ProcedureVersion):
    from laksana.procedures.services import publish

    revised = sop002.source.replace(
        'name: "Kepala Dinas"', 'name: "Kepala Dinas Kominfos"'
    ).replace("kadis", "kepala_dinas")
    assert revised != sop002.source
    publish(revised, "revisi.yaml", bali.agency)
    with pytest.raises(CommandError):
        call_command("bindings", "check", stdout=io.StringIO())
