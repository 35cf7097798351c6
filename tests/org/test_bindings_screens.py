"""The binding screens for the agency's administrators: who may use them, what they record,
and the checks of laksana.org.reach shown per actor."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from laksana.demo.orgs import SOP_000, SOP_001, SOP_002, SOP_003, SOP_004, DemoOrg
from laksana.engine.spec import ActorKind
from laksana.org import services
from laksana.org.models import ActorBinding, OrgChange, Person
from laksana.procedures.services import adopt

pytestmark = pytest.mark.django_db

SCREEN = f"/organisasi/diskominfos-bali/{SOP_002}/"


def signed_in(person: Person) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    assert person.user is not None
    client.force_login(person.user)
    return client


def test_an_agency_administrator_binds_every_actor_of_every_procedure_of_the_agency(
    bali: DemoOrg,
):
    # Issue 23: four of six SOPs of other agencies needed a superuser before their cases
    # could run. Bali's administrator now binds them all on the screen.
    versions = [bali.versions[SOP_002]]
    versions += [adopt(key, bali.agency, by=bali["kabid"]) for key in (SOP_000, SOP_001)]
    versions += [adopt(key, bali.agency, by=bali["kabid"]) for key in (SOP_003, SOP_004)]
    admin = signed_in(bali["adminbali"])
    target = {
        ActorKind.POSITION: f"position:{bali['kadis'].positions.get().pk}",
        ActorKind.TEAM: f"unit:{bali.units['tim_spbe'].pk}",
        ActorKind.PERSON: f"person:{bali['ketuatim'].pk}",
        ActorKind.EXTERNAL: f"unit:{bali.units['dinas'].pk}",
    }
    for version in versions:
        form = {f"actor-{a.id}": target[a.kind] for a in services.bound_actors(version)}
        screen = f"/organisasi/diskominfos-bali/{version.procedure_key}/"
        response = admin.post(screen, form)
        assert response.status_code == 302, (version.procedure_key, response.content[:300])
        assert services.unbound(bali.agency, version) == []
    out = io.StringIO()
    call_command("bindings", "check", "--agency", "diskominfos-bali", stdout=out)
    assert "bindings ok: 5 agency procedure(s) checked" in out.getvalue()


def test_a_binding_change_is_recorded_with_who_before_and_after(bali: DemoOrg, sop002):
    admin = bali["adminbali"]
    old = bali["kadis"].positions.get()
    response = signed_in(admin).post(SCREEN, {"actor-kadis": f"person:{bali['kabid'].pk}"})
    assert response.status_code == 302
    change = OrgChange.objects.get(agency=bali.agency, subject="binding")
    assert change.by == admin and change.action == "changed"
    assert change.before == {"kind": "position", "id": old.pk, "name": old.name}
    assert change.after == {"kind": "person", "id": bali["kabid"].pk, "name": bali["kabid"].name}
    assert change.object_repr == f"{SOP_002} / Kepala Dinas"
    # Unbinding is recorded as a removal; saving the same again records nothing.
    signed_in(admin).post(SCREEN, {"actor-kadis": ""})
    signed_in(admin).post(SCREEN, {"actor-kadis": ""})
    removed = OrgChange.objects.filter(subject="binding").order_by("pk")
    assert [c.action for c in removed] == ["changed", "removed"]
    assert removed[1].after is None


def test_a_procedure_administrator_binds_too(bali: DemoOrg, sop002):
    # The Kabid adopted SOP 002 (a procedure administrator of Bali).
    client = signed_in(bali["kabid"])
    assert client.get(SCREEN).status_code == 200
    assert client.get("/organisasi/").status_code == 200


def test_another_agencys_administrator_finds_nothing_and_changes_nothing(
    bali: DemoOrg, djki: DemoOrg, sop002
):
    client = signed_in(djki["admindjki"])
    assert client.get(SCREEN).status_code == 404
    assert client.post(SCREEN, {"actor-kadis": ""}).status_code == 404
    assert ActorBinding.objects.filter(agency=bali.agency, actor_key="kadis").exists()
    assert not OrgChange.objects.filter(subject="binding").exists()
    index = client.get("/organisasi/").content.decode()
    assert djki.agency.name in index and bali.agency.name not in index


def test_staff_without_a_role_are_refused(bali: DemoOrg, sop002):
    kadis = bali["kadis"]
    kadis.user.is_staff = True
    kadis.user.save(update_fields=["is_staff"])
    for person in (kadis, bali["bkd"]):
        client = signed_in(person)
        assert client.get(SCREEN).status_code == 403
        assert client.get("/organisasi/").status_code == 403
        assert client.post(SCREEN, {"actor-kadis": ""}).status_code == 403
    assert ActorBinding.objects.filter(agency=bali.agency, actor_key="kadis").exists()


def test_a_superuser_binds_in_any_agency(bali: DemoOrg, djki: DemoOrg, sop002):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(root)
    assert client.get(SCREEN).status_code == 200
    assert client.get(f"/organisasi/djki/{SOP_004}/").status_code == 200


def test_the_screen_and_the_index_warn_per_actor(bali: DemoOrg, sop002):
    # The Ketua Tim has no superior any more: the Kabid's disposition (step 4) cannot reach
    # them. A warning: the steps are still offered to the people bound.
    lead = bali["ketuatim"]
    lead.superior = None
    lead.save(update_fields=["superior"])
    client = signed_in(bali["adminbali"])
    page = client.get(SCREEN).content.decode()
    assert "All actors bound." in page and "nobody can do" not in page
    assert "Warning: Step 4 ends with a disposition to step 5" in page
    assert "nobody bound to Ketua Tim AI is a subordinate of Ni Luh Putu Ariani" in page
    index = client.get("/organisasi/").content.decode()
    assert "1 disposition warning" in index and "All actors bound" in index
    # Nobody holds the Kabid position: a problem on the screen and in the index.
    bali["kabid"].positions.clear()
    page = client.get(SCREEN).content.decode()
    assert "1 actor is bound, but nobody can do its steps:" in page
    assert "Problem: Nobody holds the position Kepala Bidang" in page
    assert "1 actor nobody can play" in client.get("/organisasi/").content.decode()
