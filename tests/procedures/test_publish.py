"""Publishing procedures: from the command line and from an uploaded file, checked in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

import laksana.procedures
from laksana.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db

SHIPPED = Path(laksana.procedures.__file__).parent
MINI = Path(__file__).parents[1] / "engine" / "data" / "mini.yaml"


def test_the_command_publishes_new_text_once(capsys):
    path = str(SHIPPED / "sop-002-penanganan-masalah-aplikasi.yaml")
    call_command("procedure", "publish", path)
    call_command("procedure", "publish", path)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}: published, sop-002-penanganan-masalah-aplikasi version 1",
        f"{path}: unchanged, sop-002-penanganan-masalah-aplikasi version 1",
    ]


def test_the_command_publishes_nothing_from_a_broken_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("actor: tim", "actor: nobody"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 file not published"):
        call_command("procedure", "publish", str(bad))
    assert "bad.yaml:29:12: step 's2': unknown actor 'nobody'" in capsys.readouterr().out
    assert ProcedureVersion.objects.count() == 0


def test_staff_publish_an_uploaded_file_and_see_its_version(client, bali):
    staff = bali["kabid"].user
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    upload = SimpleUploadedFile("mini.yaml", MINI.read_bytes(), "application/yaml")
    response = client.post("/prosedur/terbitkan/", {"source": upload})
    assert response.status_code == 302
    assert response["Location"] == "/prosedur/mini/versi/1/"
    version = ProcedureVersion.objects.get(procedure_key="mini")
    assert version.published_by == bali["kabid"]
    page = client.get("/prosedur/mini/versi/1/").content.decode()
    assert "Mengajukan permohonan" in page and "001/TEST" in page
    assert "mini" in client.get("/prosedur/").content.decode()
    pdf = client.get("/prosedur/mini/versi/1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_uploaded_file_with_problems_lists_them_and_publishes_nothing(client, bali):
    staff = bali["kabid"].user
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    text = MINI.read_text().replace('time: "±7 Hari"', 'time: "±7"')
    upload = SimpleUploadedFile("mini.yaml", text.encode(), "application/yaml")
    response = client.post("/prosedur/terbitkan/", {"source": upload})
    assert response.status_code == 400
    assert "mini.yaml:38:11: step &#x27;s3&#x27;: time &#x27;±7&#x27; has no unit" in (
        response.content.decode()
    )
    assert ProcedureVersion.objects.count() == 0


def test_only_staff_may_publish(client, bali):
    client.force_login(bali["dinkes_staf"].user)
    assert client.get("/prosedur/terbitkan/").status_code == 403
    client.logout()
    assert client.get("/prosedur/terbitkan/").status_code == 302
