"""Limits (issue 16, item 12): the texts written on a case have sizes, refused by the service
with a message naming the field and the limit (so the web, the API and the command line refuse
alike, and nothing is written); an image check never decodes a small file into hundreds of
megabytes. (The catalogue import's bounds: tests/catalog/test_import_limits.py.)"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from laksana.cases import services
from laksana.cases.models import Case, Disposition, JournalEntry
from laksana.cases.services import ServiceError
from tests.api.conftest import api_as  # noqa: F401 - the fixture
from tests.cases.helpers import active

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _english(client: Any) -> Iterator[None]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def case(bali: Any, sop002: Any) -> Case:
    return services.open_case(bali["dinkes_staf"], sop002, "SIKESDA tidak bisa login")


def refused(action: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        action()
    assert caught.value.code == "too_long"
    return caught.value


# --- texts -----------------------------------------------------------------------------------


def test_each_text_on_a_case_is_refused_past_its_limit_naming_field_and_limit(bali, sop002, case):
    staff, head = bali["dinkes_staf"], bali["kadis"]
    entries = JournalEntry.objects.count()
    e = refused(lambda: services.open_case(staff, sop002, "Judul", "d" * 10_001))
    assert (e.field, e.message) == (
        "description",
        "The description is too long (10,001 characters); at most 10,000 are allowed.",
    )
    e = refused(lambda: services.open_case(staff, sop002, "t" * 301))
    assert (e.field, e.message) == (
        "title",
        "The title is too long (301 characters); at most 300 are allowed.",
    )
    e = refused(lambda: services.add_comment(staff, case.pk, "k" * 5_001))
    assert (e.field, e.message) == (
        "text",
        "The comment is too long (5,001 characters); at most 5,000 are allowed.",
    )
    step = active(case)
    worker = next(p for p in (head, *bali.people.values()) if services.may_work(p, case, step))
    e = refused(lambda: services.hold_step(worker, step.pk, "r" * 301))
    assert (e.field, e.message) == (
        "reason",
        "The reason for the hold is too long (301 characters); at most 300 are allowed.",
    )
    e = refused(lambda: services.complete_step(worker, step.pk, note="n" * 5_001))
    assert (e.field, e.message[:40]) == ("note", "The step's note is too long (5,001 chara")
    subordinate = head.subordinates.order_by("pk")[0]
    e = refused(lambda: services.dispose(head, case.pk, [subordinate], "i" * 301))
    assert (e.field, e.message[:30]) == ("instruction", "The instruction is too long (3")
    e = refused(lambda: services.dispose(head, case.pk, [subordinate], "Proses", note="n" * 2_001))
    assert (e.field, e.message) == (
        "note",
        "The disposition's note is too long (2,001 characters); at most 2,000 are allowed.",
    )
    # Nothing was written by any of them; at the limit, each is accepted.
    assert Case.objects.count() == 1
    assert not Disposition.objects.exists()
    assert JournalEntry.objects.count() == entries
    services.add_comment(staff, case.pk, "k" * 5_000)
    services.open_case(staff, sop002, "t" * 300, "d" * 10_000)


def test_the_api_and_the_web_refuse_the_same_with_the_field_named(
    client,
    api_as,  # noqa: F811
    bali,
    case,
):
    staff = bali["dinkes_staf"]
    api = api_as(staff)
    response = api.post(f"/cases/{case.reference}/comments", {"text": "k" * 5_001})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("too_long", "text")
    assert "at most 5,000" in body["message"]
    response = api.post(
        "/cases",
        {"procedure": case.version.procedure_key, "title": "Judul", "description": "d" * 10_001},
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("too_long", "description")
    client.force_login(staff.user)
    page = client.post(
        f"/kasus/{case.reference}/komentar/", {"text": "k" * 5_001}, follow=True
    ).content.decode()
    assert "The comment is too long (5,001 characters); at most 5,000 are allowed." in page
    assert not JournalEntry.objects.filter(kind="comment").exists()


# --- images ----------------------------------------------------------------------------------


def _png_of_zeros(width: int, height: int) -> bytes:
    """A real RGBA PNG of ``width`` x ``height`` transparent pixels: tiny compressed, large
    decoded (4 bytes a pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 4 * width)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


_MEASURE = """
import json, os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laksana.config.settings")
import django
django.setup()
from django.utils import translation
translation.activate("en")
from laksana.cases.uploads import UploadRejected, _verify_image
content = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    _verify_image("layar.png", content)
    outcome = "accepted"
except UploadRejected as exc:
    outcome = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kb": after - before, "outcome": outcome}))
"""


def test_a_small_png_of_a_huge_image_is_not_decoded_into_hundreds_of_megabytes(tmp_path: Path):
    bomb = _png_of_zeros(6_300, 6_300)  # 39.7 megapixels: under the 40 megapixel limit
    assert len(bomb) < 300_000
    path = tmp_path / "layar.png"
    path.write_bytes(bomb)
    # Measured in a process of its own: its peak memory is this check's alone.
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Before: decoded whole (160 MB) and converted (120 MB more) to make the thumbnail.
    assert result["growth_kb"] * 1024 < 64 * MB, result
    assert "too large an image (6300 x 6300 pixels)" in result["outcome"]


def test_the_catalogues_texts_are_refused_past_their_limit_naming_the_field(bali):
    from laksana.catalog import services as catalog
    from laksana.catalog.models import Application, Risk, Stage

    keeper = bali["kabid"]
    with pytest.raises(catalog.InvalidInput) as caught:
        catalog.create_application(
            keeper,
            bali.agency,
            catalog.ApplicationInput(
                name="Sistem Informasi Subak", description="d" * 10_001, function="f" * 10_001
            ),
        )
    assert caught.value.errors == {
        "description": ["Too long (10,001 characters); at most 10,000 characters."],
        "function": ["Too long (10,001 characters); at most 10,000 characters."],
    }
    app = catalog.create_application(
        keeper, bali.agency, catalog.ApplicationInput(name="Sistem Informasi Subak")
    )
    with pytest.raises(catalog.InvalidInput) as caught:
        catalog.add_risk(
            keeper, app.pk, catalog.RiskInput(description="r" * 5_001, likelihood=2, impact=3)
        )
    assert caught.value.field == "description"
    assert caught.value.message == "Too long (5,001 characters); at most 5,000 characters."
    with pytest.raises(ServiceError) as refused:
        catalog.change_stage(keeper, app.pk, Stage.UNDER_MAINTENANCE, "a" * 5_001)
    assert (refused.value.code, refused.value.field) == ("too_long", "reason")
    assert not Risk.objects.exists()
    assert Application.objects.get(pk=app.pk).stage == Stage.IN_PRODUCTION


def test_a_steps_form_text_is_refused_past_its_limit(bali, case):
    from tests.cases.helpers import pdf, png

    step = active(case)
    staff = bali["dinkes_staf"]

    def files() -> list[services.FileInput]:
        return [
            services.FileInput("surat_permohonan", [pdf("surat.pdf")]),
            services.FileInput("foto_masalah", [png("foto.png")]),
            services.FileInput("dokumen_analisis", [pdf("analisis.pdf")]),
        ]

    entries = JournalEntry.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.complete_step(
            staff, step.pk, values={"keterangan_proses": {"uraian": "u" * 10_001}}, files=files()
        )
    assert "must be at most 10,000 characters long (it has 10,001)" in " ".join(
        [refused.value.message, *refused.value.items]
    )
    assert JournalEntry.objects.count() == entries
    services.complete_step(
        staff, step.pk, values={"keterangan_proses": {"uraian": "u" * 10_000}}, files=files()
    )
