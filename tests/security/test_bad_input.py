"""Bad input never makes a server error (issue 16, item 8): each hostile request below gets a
4xx, in the API's error format (``{code, message, field, items}``) on /api/ and the site's
message page on the web, and writes nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from laksana.cases import services
from laksana.cases.models import Attachment, Case
from laksana.catalog import services as catalog_services
from laksana.catalog.spreadsheet import TableError, read_table
from laksana.engine.loader import ProcedureErrors, load_text
from tests.api.conftest import api_as  # noqa: F401 - the fixture
from tests.cases.helpers import pdf, png

pytestmark = pytest.mark.django_db

BEYOND_64_BITS = str(2**70)


@pytest.fixture(autouse=True)
def _english(client: Client) -> Iterator[None]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def case(bali: Any, sop002: Any) -> Case:
    return services.open_case(bali["dinkes_staf"], sop002, "SIKESDA tidak bisa login")


def api_error(response: Any, status: int) -> dict[str, Any]:
    """The body of an API error answer, checked to be in the API's error format."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "field", "items"}
    assert body["message"]
    return body


def web_message(response: Any, status: int) -> str:
    """The text of the site's message page answering with ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "message-page" in page
    return page


# --- request bodies ----------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_in_the_api_format(client, api_as, bali, sop002):  # noqa: F811
    body = "[" * 100_000 + "]" * 100_000
    anonymous = client.post("/api/cases", body, content_type="application/json")
    assert api_error(anonymous, 422)["code"] == "invalid_json"
    api = api_as(bali["dinkes_staf"])
    nested = '{"procedure": "x", "title": ' + "[" * 5000 + "]" * 5000 + "}"
    answer = api.client.post("/api/cases", nested, content_type="application/json", **api.headers)
    body_out = api_error(answer, 422)
    assert body_out["code"] == "invalid_json"
    assert "nested" in body_out["message"]
    assert not Case.objects.exists()
    # The JSON part of a multipart completion: pydantic's own depth limit, a 422.
    case = services.open_case(bali["dinkes_staf"], sop002, "Aplikasi lambat")
    step = case.steps.get()
    for data in ("[" * 100_000, '{"values": {"a": ' + "[" * 5_000 + "]" * 5_000 + "}}"):
        answer = api.post_form(f"/cases/{case.reference}/steps/{step.pk}/complete", {"data": data})
        assert api_error(answer, 422)["code"] == "invalid"


MULTIPART_NO_BOUNDARY = "multipart/form-data"


def test_multipart_without_a_boundary_is_a_bad_request(client, api_as, bali, case):  # noqa: F811
    api = api_as(bali["dinkes_staf"])
    response = api.client.post(
        f"/api/cases/{case.reference}/attachments",
        b"--x\r\n",
        content_type=MULTIPART_NO_BOUNDARY,
        **api.headers,
    )
    assert api_error(response, 400)["code"] == "bad_request"
    client.force_login(bali["dinkes_staf"].user)
    response = client.post(
        f"/kasus/{case.reference}/komentar/", b"--x\r\n", content_type=MULTIPART_NO_BOUNDARY
    )
    assert "needs a boundary" in web_message(response, 400)
    assert not Attachment.objects.exists()


def test_too_many_files_are_a_bad_request(client, api_as, bali, case, settings):  # noqa: F811
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = {f"file{i}": png(f"layar{i}.png") for i in range(5)}
    api = api_as(bali["dinkes_staf"])
    response = api.post_form(f"/cases/{case.reference}/attachments", dict(files))
    body = api_error(response, 400)
    assert body["code"] == "too_many_files"
    assert "at most 3 files" in body["message"]
    client.force_login(bali["dinkes_staf"].user)
    files = {f"file{i}": png(f"layar{i}.png") for i in range(5)}
    page = web_message(client.post(f"/kasus/{case.reference}/berkas/", files), 400)
    assert "at most 3 files" in page
    assert not Attachment.objects.exists()


def test_an_oversize_field_is_a_bad_request(client, api_as, bali, case, settings):  # noqa: F811
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api = api_as(bali["dinkes_staf"])
    response = api.post_form(
        f"/cases/{case.reference}/attachments", {"note": "x" * 20_000, "file": png()}
    )
    body = api_error(response, 400)
    assert (body["code"], body["message"]) == (
        "too_large",
        "The request's data other than files is too large; the limit is 9 KB.",
    )
    response = api.post("/cases", {"procedure": "x", "title": "y" * 20_000})
    assert api_error(response, 400)["code"] == "too_large"
    client.force_login(bali["dinkes_staf"].user)
    page = web_message(
        client.post(f"/kasus/{case.reference}/komentar/", {"text": "x" * 20_000}), 400
    )
    assert "the limit is 9 KB" in page
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    many = {f"f{i}": "x" for i in range(50)}
    page = web_message(client.post(f"/kasus/{case.reference}/komentar/", many), 400)
    assert "at most 10 are read" in page
    body = api_error(api.post_form(f"/cases/{case.reference}/attachments", many), 400)
    assert body["code"] == "too_many_fields"
    assert not Attachment.objects.exists()


# --- stored files that are gone ----------------------------------------------------------------


def test_an_attachment_whose_file_is_gone_is_not_found(client, api_as, bali, case):  # noqa: F811
    staff = bali["dinkes_staf"]
    attachment = services.add_attachment(staff, case.pk, png())
    attachment.file.storage.delete(attachment.file.name)
    attachment.thumbnail.storage.delete(attachment.thumbnail.name)
    app = bali.applications["sikesda"]
    document = catalog_services.add_document(None, app.pk, pdf("kontrak.pdf"), title="Kontrak")
    document.file.storage.delete(document.file.name)
    api = api_as(staff)
    body = api_error(api.get(f"/cases/{case.reference}/attachments/{attachment.pk}"), 404)
    assert body["code"] == "file_missing"
    body = api_error(api.get(f"/applications/{app.pk}/documents/{document.pk}"), 404)
    assert body["code"] == "file_missing"
    client.force_login(staff.user)
    for url in (
        f"/kasus/{case.reference}/berkas/{attachment.pk}/",
        f"/kasus/{case.reference}/berkas/{attachment.pk}/thumb",
        f"/katalog/{app.pk}/dokumen/{document.pk}/",
    ):
        assert client.get(url).status_code == 404, url


# --- numbers and dates in query strings --------------------------------------------------------


def test_ids_beyond_64_bits_in_list_filters_are_ignored_or_refused(
    client,
    api_as,  # noqa: F811
    bali,
    case,
    django_user_model,
):
    api = api_as(bali["kadis"])
    for path, params in [
        ("/cases", {"requesting_unit": BEYOND_64_BITS}),
        ("/cases", {"application": BEYOND_64_BITS}),
        ("/applications", {"unit": BEYOND_64_BITS}),
        ("/applications/export", {"unit": BEYOND_64_BITS}),
    ]:
        assert api_error(api.get(path, params), 422)["code"] == "invalid"
    client.force_login(django_user_model.objects.create_superuser("admin", "a@b.c", "x"))
    cursor = f"2026-01-01T00:00:00+00:00,{BEYOND_64_BITS}"
    for url, params in [
        ("/kasus/", {"unit": BEYOND_64_BITS}),
        ("/kasus/", {"application": BEYOND_64_BITS}),
        ("/kasus/", {"after": cursor}),
        ("/katalog/", {"unit": BEYOND_64_BITS}),
        ("/katalog/ekspor/", {"unit": BEYOND_64_BITS, "format": "csv"}),
        ("/laporan/", {"unit": BEYOND_64_BITS, "application": BEYOND_64_BITS}),
        ("/laporan/", {"agency": BEYOND_64_BITS}),
        ("/laporan/terlambat/", {"unit": BEYOND_64_BITS, "after": cursor}),
        (f"/organisasi/{bali.agency.slug}/kalender/", {"tahun": BEYOND_64_BITS}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
    page = client.get("/kasus/", {"unit": BEYOND_64_BITS}).content.decode()
    assert "SIKESDA tidak bisa login" in page
    # A NUL character names no procedure (PostgreSQL text cannot hold one).
    assert client.get("/kasus/", {"procedure": "sop\x00"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01"},
        {"to": "0001-01-01"},
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"to": "9999-12-31"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "9999-12-31"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_in_reports(client, bali, case, params):
    client.force_login(bali["kadis"].user)
    for url in ("/laporan/", "/laporan/kepatuhan.xlsx", "/laporan/kepatuhan.pdf"):
        response = client.get(url, params)
        assert response.status_code in (200, 422), (url, params, response.status_code)
        if url == "/laporan/":
            assert response.status_code == 422
            assert "Choose a date from 1900-01-01 to 2199-12-31." in response.content.decode()


# --- workbooks ---------------------------------------------------------------------------------

_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def _xlsx(**replace: str) -> bytes:
    """A small real workbook with some of its XML parts replaced."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Nama Aplikasi", "OPD Pengelola"])
    sheet.append(["SIKESDA", "Dinas Kesehatan"])
    raw = io.BytesIO()
    book.save(raw)
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in replace:
                data = replace[info.filename].encode()
            target.writestr(info.filename, data)
    return out.getvalue()


_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{a}</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>OPD Pengelola</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>SIKESDA</t></is></c></row></sheetData>'
    "</worksheet>"
)


@pytest.mark.parametrize(
    "doctype, text",
    [
        (_LAUGHS, "&lol9;"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "Nama Aplikasi">]>', "&e;"),
    ],
    ids=["billion-laughs", "external-entity", "internal-entity"],
)
def test_entities_in_an_imported_workbook_are_refused(client, bali, doctype, text):
    content = _xlsx(**{"xl/worksheets/sheet1.xml": doctype + _SHEET.format(a=text)})
    with pytest.raises(TableError) as refused:
        read_table(content, "aplikasi.xlsx")
    assert "entities" in str(refused.value)
    client.force_login(bali["kabid"].user)
    response = client.post(
        "/katalog/impor/", {"action": "upload", "file": _upload("aplikasi.xlsx", content)}
    )
    assert response.status_code == 422, response.status_code
    assert "declares XML entities" in response.content.decode()


def _yaml_upload(name: str, text: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="application/yaml")


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- procedure files -----------------------------------------------------------------------------


def _yaml_laughs() -> str:
    lines = ['a0: &a0 ["' + "lol" * 100 + '"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\nnotes: *a11\n"


@pytest.mark.parametrize(
    "text, words",
    [
        ("notes: " + "[" * 20_000 + "]" * 20_000 + "\n", "nested"),
        ("notes:\n" + "".join(" " * i + "- \n" for i in range(1, 1500)), "nested"),
        (_yaml_laughs(), "aliases"),
        ("a: &a [*a]\nnotes: *a\n", "itself"),
    ],
    ids=["deep-flow", "deep-block", "anchor-laughs", "recursive-anchor"],
)
def test_a_procedure_bomb_is_refused_with_a_message(text, words):
    with pytest.raises(ProcedureErrors) as refused:
        load_text(text, "bom.yaml")
    assert words in str(refused.value)


def test_a_valid_procedure_whose_aliases_repeat_a_long_text_is_refused():
    from laksana.demo.orgs import SOP_002
    from laksana.procedures.library import PROCEDURES_DIR

    source = (PROCEDURES_DIR / f"{SOP_002}.yaml").read_text(encoding="utf-8")
    long_text = "Catatan panjang. " * 2_000  # 34,000 characters
    repeated = f'notes:\n  - &catatan "{long_text}"\n' + "  - *catatan\n" * 3_000
    assert source.count("\nnotes:\n") == 1
    bomb = source.replace("\nnotes:\n", "\n" + repeated, 1)
    assert len(bomb) < 200_000  # and about 100 MB of notes once the aliases are expanded
    with pytest.raises(ProcedureErrors) as refused:
        load_text(bomb, "bom.yaml")
    assert "aliases expand the file" in str(refused.value)


def test_the_web_upload_of_a_procedure_bomb_is_refused(client, bali, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "a@b.c", "x"))
    bomb = "notes: " + "[" * 20_000 + "]" * 20_000 + "\n"
    response = client.post("/prosedur/terbitkan/", {"source": _yaml_upload("bom.yaml", bomb)})
    assert response.status_code in (200, 400), response.status_code
    assert "nested" in response.content.decode()
