"""Procedures belong to an agency (issue 16, item 1): only the agency's procedure
administrators publish its versions, through every door, and its cases run only its versions.

The attack reproduced: a staff member of another agency publishes SOP 002 with every actor
turned into the requesting unit; before, the next Bali case ran it and the Bali requester
completed the Kepala Dinas's steps himself.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.cases import services
from laksana.cases.models import Case
from laksana.demo.orgs import SOP_002, SOP_004
from laksana.org import roles
from laksana.org.models import RoleKind
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import PublishRefused, publish

from ..cases.helpers import active, work

pytestmark = pytest.mark.django_db


def hijacked(source: str) -> str:
    """SOP 002 with every bound actor (Kepala Dinas, Kabid, Ketua Tim, Tim SPBE) turned into
    the requesting unit."""
    return source.replace("kind: position", "kind: requesting_unit").replace(
        "kind: team", "kind: requesting_unit"
    )


@pytest.fixture
def attacker(djki):
    """DJKI's procedure administrator (the demo's), with Django's is_staff: the strongest
    staff member of another agency."""
    person = djki["kasubdit"]
    assert roles.has_role(person, djki.agency, RoleKind.PROCEDURE_ADMIN)
    person.user.is_staff = True
    person.user.save(update_fields=["is_staff"])
    return person


def bali_versions(bali) -> list[int]:
    return list(
        ProcedureVersion.objects.filter(agency=bali.agency, procedure_key=SOP_002).values_list(
            "pk", flat=True
        )
    )


def next_bali_case_runs(api_as, bali) -> int:
    """The version id the next Bali case (opened through the API) runs."""
    response = api_as(bali["dinkes_staf"]).post(
        "/cases", {"procedure": SOP_002, "title": "SIKESDA galat"}
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(reference=response.json()["reference"]).version_id


def test_another_agencys_staff_cannot_publish_bali_procedures_on_the_web(
    client, api_as, bali, sop002, attacker
):
    client.force_login(attacker.user)
    upload = SimpleUploadedFile("sop-002.yaml", hijacked(sop002.source).encode())
    response = client.post("/prosedur/terbitkan/", {"source": upload, "agency": bali.agency.slug})
    assert response.status_code == 403
    assert bali_versions(bali) == [sop002.pk]
    # Without naming Bali, the file is published as DJKI's own procedure, which Bali's cases
    # never run.
    upload = SimpleUploadedFile("sop-002.yaml", hijacked(sop002.source).encode())
    response = client.post("/prosedur/terbitkan/", {"source": upload})
    assert response.status_code == 302
    assert (
        ProcedureVersion.objects.get(procedure_key=SOP_002, agency=attacker.agency).published_by
        == attacker
    )
    assert bali_versions(bali) == [sop002.pk]
    assert next_bali_case_runs(api_as, bali) == sop002.pk


def test_another_agencys_staff_cannot_publish_bali_procedures_at_the_command_line(
    bali, sop002, attacker, tmp_path
):
    path = tmp_path / "sop-002.yaml"
    path.write_text(hijacked(sop002.source), encoding="utf-8")
    with pytest.raises(CommandError, match="Only procedure administrators of Diskominfos Bali"):
        call_command(
            "procedure", "publish", str(path), "--agency", bali.agency.slug, "--by", "kasubdit"
        )
    with pytest.raises(CommandError, match="Only procedure administrators"):
        call_command(
            "procedure", "adopt", SOP_002, "--agency", bali.agency.slug, "--by", "kasubdit"
        )
    assert bali_versions(bali) == [sop002.pk]


def test_the_service_refuses_another_agencys_publisher(bali, sop002, attacker):
    with pytest.raises(PublishRefused):
        publish(hijacked(sop002.source), "sop-002.yaml", bali.agency, by=attacker)
    assert bali_versions(bali) == [sop002.pk]


def test_a_requester_cannot_complete_the_kepala_dinas_steps_after_the_attack(
    client, api_as, bali, sop002, attacker
):
    client.force_login(attacker.user)
    for data in ({"agency": bali.agency.slug}, {}):
        upload = SimpleUploadedFile("sop-002.yaml", hijacked(sop002.source).encode())
        client.post("/prosedur/terbitkan/", {"source": upload, **data})
    requester = bali["dinkes_staf"]
    case = Case.objects.get(pk=Case.objects.get(version_id=next_bali_case_runs(api_as, bali)).pk)
    case = work(requester, case)
    case = work(requester, case)
    step = active(case)
    assert step.step_key == "s3" and step.actor_key == "kadis"
    assert not services.may_work(requester, case, step)
    response = api_as(requester).post(
        f"/cases/{case.reference}/steps/{step.pk}/complete", {"data": {}}
    )
    assert response.status_code in (403, 404), response.content
    assert active(case).pk == step.pk


def test_is_staff_without_the_procedure_administrator_role_cannot_publish(
    client, bali, sop002, tmp_path
):
    staff = bali["dinkes_staf"]
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    client.force_login(staff.user)
    assert client.get("/prosedur/terbitkan/").status_code == 403
    upload = SimpleUploadedFile("sop-002.yaml", hijacked(sop002.source).encode())
    assert client.post("/prosedur/terbitkan/", {"source": upload}).status_code == 403
    with pytest.raises(PublishRefused):
        publish(hijacked(sop002.source), "sop-002.yaml", bali.agency, by=staff)
    path = tmp_path / "sop-002.yaml"
    path.write_text(hijacked(sop002.source), encoding="utf-8")
    with pytest.raises(CommandError, match="Only procedure administrators"):
        call_command(
            "procedure", "publish", str(path), "--agency", bali.agency.slug, "--by", "dinkes_staf"
        )
    assert bali_versions(bali) == [sop002.pk]
    # Given the role, the same person may.
    roles.grant(staff, RoleKind.PROCEDURE_ADMIN)
    assert publish(hijacked(sop002.source), "x.yaml", bali.agency, by=staff).number == 2


def test_a_case_cannot_be_opened_on_another_agencys_version(api_as, client, bali, sop002, sop004):
    requester = bali["dinkes_staf"]
    # The API opens the caller's agency's own version; Bali has published no SOP 004.
    response = api_as(requester).post("/cases", {"procedure": SOP_004, "title": "IPAS"})
    assert response.status_code == 400 and response.json()["field"] == "procedure"
    with pytest.raises(services.NotAllowed):
        services.open_case(requester, sop004, "IPAS")
    client.force_login(requester.user)
    response = client.post("/kasus/baru/", {"version": str(sop004.pk), "title": "IPAS"})
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_versions_are_read_by_their_agency_only(client, api_as, bali, djki, sop002):
    url = f"/prosedur/instansi/{bali.agency.slug}/{SOP_002}/versi/{sop002.number}/"
    for suffix in ("", "pdf", "yaml"):
        assert client.get(url + suffix).status_code == 302  # to the sign-in page
    client.force_login(djki["merek_staf"].user)
    for suffix in ("", "pdf", "yaml"):
        assert client.get(url + suffix).status_code == 404
    client.force_login(bali["dinkes_staf"].user)
    assert client.get(url + "yaml").status_code == 200
    djki_api = api_as(djki["merek_staf"])
    assert djki_api.get(f"/procedures/{SOP_002}/versions/{sop002.number}").status_code == 404
    assert [p["key"] for p in djki_api.get("/procedures").json()] == [SOP_004]
    bali_list = api_as(bali["dinkes_staf"]).get("/procedures").json()
    assert [(p["agency"], p["key"]) for p in bali_list] == [(bali.agency.slug, SOP_002)]


def test_an_anonymous_visitor_sees_the_shipped_templates_only(client, bali, sop002):
    page = client.get("/prosedur/").content.decode()
    assert "Penanganan Masalah Aplikasi" in page  # the template
    assert f"/prosedur/instansi/{bali.agency.slug}/" not in page
    detail = client.get(f"/prosedur/{SOP_002}/").content.decode()
    assert f"/prosedur/instansi/{bali.agency.slug}/" not in detail
    client.force_login(bali["dinkes_staf"].user)
    detail = client.get(f"/prosedur/{SOP_002}/").content.decode()
    assert f"/prosedur/instansi/{bali.agency.slug}/{SOP_002}/versi/1/" in detail


def test_the_superuser_publishes_for_any_agency(client, django_user_model, bali, djki, sop002):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    assert (
        client.post(
            "/prosedur/terbitkan/",
            {"source": SimpleUploadedFile("sop-002.yaml", hijacked(sop002.source).encode())},
        ).status_code
        == 400
    )  # several agencies: the agency must be chosen
    response = client.post(
        "/prosedur/terbitkan/",
        {
            "source": SimpleUploadedFile("sop-002.yaml", hijacked(sop002.source).encode()),
            "agency": bali.agency.slug,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/prosedur/instansi/{bali.agency.slug}/{SOP_002}/versi/2/"
