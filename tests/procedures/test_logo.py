"""The agency's logo in the identity block of its procedures' official document (issue 22,
item 5): a version of an agency prints the logo of the agency's letterhead, embedded as data,
in the HTML and the PDF; a shipped template, or an agency without a logo, prints none; a
changed logo prints anew although the procedure's text (its cache key) is the same."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from laksana.demo.orgs import SOP_002
from laksana.documents.models import Letterhead
from laksana.engine.render.model import MAX_LOGO_BYTES, Logo
from laksana.procedures import documents

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_documents():
    documents.clear()
    yield
    documents.clear()


def png(colour: str = "red", size: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


def give_logo(agency, data: bytes, name: str = "logo.png") -> Letterhead:
    head, _created = Letterhead.objects.get_or_create(
        agency=agency, unit=None, defaults={"agency_name": agency.name}
    )
    head.logo.save(name, ContentFile(data), save=True)
    return head


def url(bali, version) -> str:
    return f"/prosedur/instansi/{bali.agency.slug}/{SOP_002}/versi/{version.number}/"


def images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded(data: bytes) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}"'


def test_the_pdf_of_a_version_of_an_agency_with_a_logo_holds_the_image(client, bali, sop002):
    give_logo(bali.agency, png())
    client.force_login(bali["dinkes_staf"].user)
    response = client.get(url(bali, sop002) + "pdf")
    assert response.status_code == 200
    first = PdfReader(io.BytesIO(response.content)).pages[0]
    assert len(first.images) == 1  # on the identity page


def test_the_pdf_of_a_version_of_an_agency_without_a_logo_holds_no_image(client, bali, sop002):
    client.force_login(bali["dinkes_staf"].user)
    response = client.get(url(bali, sop002) + "pdf")
    assert response.status_code == 200
    assert images(response.content) == 0


def test_the_html_of_a_version_has_the_logo_embedded_as_data(client, bali, sop002):
    logo = png()
    give_logo(bali.agency, logo)
    client.force_login(bali["dinkes_staf"].user)
    page = client.get(url(bali, sop002)).content.decode()
    assert page.count(embedded(logo)) == 1
    assert page.index(embedded(logo)) < page.index("Nomor SOP")  # the identity block's cell


def test_a_shipped_template_prints_no_logo(client, bali, sop002):
    give_logo(bali.agency, png())
    client.force_login(bali["dinkes_staf"].user)
    page = client.get(f"/prosedur/{SOP_002}/").content.decode()
    assert "Nomor SOP" in page
    assert '<div class="logo"></div>' in page
    assert "data:image/png" not in page
    assert images(client.get(f"/prosedur/{SOP_002}/pdf").content) == 0


def test_another_agencys_logo_is_not_printed(client, bali, djki, sop002):
    give_logo(djki.agency, png("blue"))
    client.force_login(bali["dinkes_staf"].user)
    page = client.get(url(bali, sop002)).content.decode()
    assert '<div class="logo"></div>' in page
    assert "data:image/png" not in page


def test_a_changed_logo_prints_anew(client, bali, sop002):
    first, second = png("red"), png("green")
    give_logo(bali.agency, first)
    client.force_login(bali["dinkes_staf"].user)
    assert embedded(first) in client.get(url(bali, sop002)).content.decode()
    give_logo(bali.agency, second, "logo-baru.png")
    page = client.get(url(bali, sop002)).content.decode()
    assert embedded(second) in page
    assert embedded(first) not in page


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"GIF89a" + b"\0" * 40, id="not-png-or-jpeg"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, id="too-large"),
    ],
)
def test_a_logo_that_is_too_large_or_not_an_image_is_not_printed(client, bali, sop002, data):
    give_logo(bali.agency, data)
    assert documents.agency_logo(bali.agency.pk) is None
    client.force_login(bali["dinkes_staf"].user)
    page = client.get(url(bali, sop002)).content.decode()
    assert '<div class="logo"></div>' in page


def test_a_missing_logo_file_prints_no_logo(client, bali, sop002):
    head = give_logo(bali.agency, png())
    head.logo.storage.delete(head.logo.name)
    assert documents.agency_logo(bali.agency.pk) is None
    client.force_login(bali["dinkes_staf"].user)
    assert client.get(url(bali, sop002)).status_code == 200


def test_the_logo_is_read_as_png_or_jpeg_only() -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, "JPEG")
    assert Logo.of(jpeg.getvalue()) == Logo("image/jpeg", jpeg.getvalue())
    assert Logo.of(png()) == Logo("image/png", png())
    assert Logo.of(b"") is None


def test_printing_fetches_no_url() -> None:
    from laksana.documents.pdf import _data_only

    fetcher = _data_only()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://example.invalid/logo.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("file:///etc/passwd")
    data = base64.b64encode(png()).decode("ascii")
    response = fetcher.fetch(f"data:image/png;base64,{data}")
    try:
        assert response.read() == png()
    finally:
        response.close()
