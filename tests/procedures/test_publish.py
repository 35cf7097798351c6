"""Publishing procedures: from the command line and from an uploaded file, checked in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

import laksana.procedures
from laksana.org.models import Agency
from laksana.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db

SHIPPED = Path(laksana.procedures.__file__).parent
MINI = Path(__file__).parents[1] / "engine" / "data" / "mini.yaml"


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(name="Dinas Uji", short_name="Uji", slug="uji")


def test_the_command_publishes_new_text_once_for_the_agency(agency, capsys):
    path = str(SHIPPED / "sop-002-penanganan-masalah-aplikasi.yaml")
    call_command("procedure", "publish", path, "--agency", "uji")
    call_command("procedure", "publish", path, "--agency", "uji")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}: published, sop-002-penanganan-masalah-aplikasi version 1 of uji",
        f"{path}: unchanged, sop-002-penanganan-masalah-aplikasi version 1 of uji",
    ]
    assert ProcedureVersion.objects.get().agency == agency


def test_the_command_refuses_to_publish_without_an_agency(agency):
    path = str(SHIPPED / "sop-002-penanganan-masalah-aplikasi.yaml")
    with pytest.raises(CommandError, match="--agency SLUG"):
        call_command("procedure", "publish", path)
    with pytest.raises(CommandError, match="no agency with the slug 'lain'"):
        call_command("procedure", "publish", path, "--agency", "lain")
    assert not ProcedureVersion.objects.exists()


def test_the_command_adopts_shipped_sops(agency, capsys):
    key = "sop-002-penanganan-masalah-aplikasi"
    call_command("procedure", "adopt", key, "--agency", "uji")
    assert capsys.readouterr().out == f"{key}: adopted, version 1 of uji\n"
    with pytest.raises(CommandError, match="no shipped SOP sop-999"):
        call_command("procedure", "adopt", "sop-999", "--agency", "uji")
    assert ProcedureVersion.objects.get().agency == agency


def test_the_command_publishes_nothing_from_a_broken_file(agency, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("actor: tim", "actor: nobody"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 file not published"):
        call_command("procedure", "publish", str(bad), "--agency", "uji")
    assert "bad.yaml:29:12: step 's2': unknown actor 'nobody'" in capsys.readouterr().out
    assert ProcedureVersion.objects.count() == 0


def _procedure_admin(bali):
    # The Kabid is Bali's procedure administrator in the demo (laksana.demo.orgs).
    return bali["kabid"]


def test_a_procedure_administrator_publishes_an_uploaded_file_and_sees_its_version(client, bali):
    client.force_login(_procedure_admin(bali).user)
    upload = SimpleUploadedFile("mini.yaml", MINI.read_bytes(), "application/yaml")
    response = client.post("/prosedur/terbitkan/", {"source": upload})
    assert response.status_code == 302
    assert response["Location"] == "/prosedur/instansi/diskominfos-bali/mini/versi/1/"
    version = ProcedureVersion.objects.get(procedure_key="mini")
    assert version.published_by == bali["kabid"] and version.agency == bali.agency
    page = client.get(response["Location"]).content.decode()
    assert "Mengajukan permohonan" in page and "001/TEST" in page
    assert "mini" in client.get("/prosedur/").content.decode()
    pdf = client.get(response["Location"] + "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_uploaded_file_with_problems_lists_them_and_publishes_nothing(client, bali):
    client.force_login(_procedure_admin(bali).user)
    before = ProcedureVersion.objects.count()
    text = MINI.read_text().replace('time: "±7 Hari"', 'time: "±7"')
    upload = SimpleUploadedFile("mini.yaml", text.encode(), "application/yaml")
    response = client.post("/prosedur/terbitkan/", {"source": upload})
    assert response.status_code == 400
    assert "mini.yaml:38:11: step &#x27;s3&#x27;: time &#x27;±7&#x27; has no unit" in (
        response.content.decode()
    )
    assert ProcedureVersion.objects.count() == before


def test_only_procedure_administrators_may_publish(client, bali):
    client.force_login(bali["dinkes_staf"].user)
    assert client.get("/prosedur/terbitkan/").status_code == 403
    client.logout()
    assert client.get("/prosedur/terbitkan/").status_code == 302
