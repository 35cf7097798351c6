"""The administrator's staff import screen (org:admin_import): upload, preview, apply; who
may use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse

from laksana.org import staffimport, uploadstore
from laksana.org.models import OrgChange, Person

from .test_staff_import import counts

pytestmark = pytest.mark.django_db

SAMPLE = Path(staffimport.__file__).parent / "samples" / "simpeg-contoh.csv"


def url(org) -> str:
    return reverse("org:admin_import", kwargs={"agency": org.agency.slug})


def upload(client, org, content: bytes, name: str = "simpeg.csv"):
    return client.post(url(org), {"action": "upload", "file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "the preview offers to apply"
    return found.group(1)


def test_upload_preview_then_apply(client, bali):
    client.force_login(bali["adminbali"].user)
    assert client.get(url(bali)).status_code == 200
    before = counts()
    preview = upload(client, bali, SAMPLE.read_bytes())
    assert preview.status_code == 200
    assert counts() == before  # the preview writes nothing
    page = preview.content.decode()
    assert "Sekretariat" in page and "Made Dwi Antari, S.Si." in page
    assert "Komang Adi Wiguna" in page  # not in the file, kept
    response = client.post(url(bali), {"action": "apply", "token": token_of(preview)})
    assert response.status_code == 302
    assert Person.objects.filter(nip="199206182019032012", agency=bali.agency).exists()
    assert (
        OrgChange.objects.filter(
            by=bali["adminbali"], source="import: simpeg.csv", subject="person"
        ).count()
        == 7
    )
    # The kept file is gone once applied: the same token applies nothing twice.
    again = client.post(url(bali), {"action": "apply", "token": token_of(preview)})
    assert again.status_code == 422


def test_a_bad_file_shows_every_problem_by_row_and_column_and_writes_nothing(client, bali):
    client.force_login(bali["adminbali"].user)
    before = counts()
    content = b"NIP,Nama,Jabatan,Unit Kerja,NIP Atasan,Email\n123,Ani,Staf,Tim AI,,\n"
    content += b"198001012005011002,Budi,Staf,Tim AI,,bukan-email\n"
    response = upload(client, bali, content)
    assert response.status_code == 422
    page = response.content.decode()
    assert "kolom NIP" in page or "column NIP" in page
    assert "bukan-email" in page
    assert 'name="token"' not in page
    assert counts() == before


def test_an_unreadable_file_is_shown_at_the_field(client, bali):
    client.force_login(bali["adminbali"].user)
    response = upload(client, bali, b"%PDF-1.7", "pegawai.pdf")
    assert response.status_code == 422
    assert b"field-error" in response.content


def test_a_forged_or_foreign_token_applies_nothing(client, bali, djki):
    # A file kept for DJKI's administrator cannot be applied by Bali's, nor a forged token.
    foreign = uploadstore.keep(SAMPLE.read_bytes(), "x.csv", djki["admindjki"].pk, bali.agency.pk)
    client.force_login(bali["adminbali"].user)
    before = counts()
    for token in (foreign, "A" * 43, "../../etc/passwd"):
        response = client.post(url(bali), {"action": "apply", "token": token})
        assert response.status_code == 422
    assert counts() == before


def test_another_agencys_administrator_gets_404(client, bali, djki):
    client.force_login(djki["admindjki"].user)
    assert client.get(url(bali)).status_code == 404
    before = counts()
    assert upload(client, bali, SAMPLE.read_bytes()).status_code == 404
    assert counts() == before


def test_a_member_who_is_not_an_administrator_gets_403(client, bali):
    client.force_login(bali["kadis"].user)
    assert client.get(url(bali)).status_code == 403
    before = counts()
    assert upload(client, bali, SAMPLE.read_bytes()).status_code == 403
    assert counts() == before


def test_an_unknown_agency_is_404_and_anonymous_signs_in(client, bali):
    response = client.get(url(bali))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    client.force_login(bali["adminbali"].user)
    assert client.get("/organisasi/tidak-ada/impor-pegawai/").status_code == 404


def test_odd_posts_are_answered_422_and_write_nothing(client, bali, django_user_model):
    # The installation's superuser (no Person) may use the screen; nonsense is a form again.
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.id", "x"))
    before = counts()
    for data in (
        {},
        {"action": "apply", "token": "x"},
        {"action": "apply", "token": ["a", "b"]},
        {"file": "abc"},
    ):
        assert client.post(url(bali), data).status_code == 422, data
    assert counts() == before
