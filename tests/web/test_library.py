"""The procedure library screens: list, procedure page, downloads, language."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from lxml import etree

from laksana.procedures import library

# The library lists published versions too, which live in the database.
pytestmark = pytest.mark.django_db

ENTRIES = library.entries()
IDS = [e.id for e in ENTRIES]


def text_of(content: bytes) -> str:
    """The page as plain text: tags dropped, entities decoded, blanks collapsed."""
    page = content.decode("utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def squash(text: str) -> str:
    return " ".join(text.split())


def compact(text: str) -> str:
    """The text without blanks and hyphens: the document breaks long names over lines
    with <br>, hyphenating words ("Develop-<br>ment")."""
    return "".join(text.split()).replace("-", "")


def test_it_ships_five_procedures() -> None:
    assert len(ENTRIES) == 5
    names = [e.path.name for e in ENTRIES]
    assert names == sorted(names), "the library is sorted by file name"


def test_home_redirects_to_the_library(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/prosedur/"


def test_the_list_shows_every_procedure_in_indonesian(client: Client) -> None:
    response = client.get("/prosedur/")
    assert response.status_code == 200
    page = text_of(response.content)
    assert "Daftar Prosedur" in page
    assert '<html lang="id">' in response.content.decode()
    for entry in ENTRIES:
        assert squash(entry.spec.title) in page
        assert squash(entry.spec.number) in page
        assert f'href="/prosedur/{entry.id}/"' in response.content.decode()


def test_the_list_shows_agency_and_step_count(client: Client) -> None:
    response = client.get("/prosedur/")
    rows = response.content.decode().split("<tr>")[2:]
    assert len(rows) == len(ENTRIES)
    for entry, row in zip(ENTRIES, rows, strict=True):
        text = text_of(row.encode())
        assert squash(entry.spec.identity.agency) in text
        assert f">{len(entry.spec.steps)}<" in row


def test_an_english_browser_still_gets_indonesian(client: Client) -> None:
    response = client.get("/prosedur/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Daftar Prosedur" in text_of(response.content)


def test_the_language_switcher_shows_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/prosedur/"})
    assert response.status_code == 302
    assert response["Location"] == "/prosedur/"

    page = text_of(client.get("/prosedur/").content)
    assert "Procedure library" in page
    assert "Daftar Prosedur" not in page

    client.post("/i18n/setlang/", {"language": "id", "next": "/prosedur/"})
    assert "Daftar Prosedur" in text_of(client.get("/prosedur/").content)


def test_every_page_offers_the_language_switcher(client: Client) -> None:
    content = client.get("/prosedur/").content.decode()
    assert 'action="/i18n/setlang/"' in content
    assert 'name="language" value="en"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_the_page_uses_no_external_assets(client: Client) -> None:
    content = client.get(f"/prosedur/{IDS[0]}/").content.decode()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', content)
    assert "/static/web/laksana.css" in content


@pytest.mark.parametrize("procedure_id", IDS)
def test_the_procedure_page_shows_steps_and_actors(client: Client, procedure_id: str) -> None:
    spec = library.get(procedure_id).spec
    response = client.get(f"/prosedur/{procedure_id}/")
    assert response.status_code == 200
    page = text_of(response.content)
    assert squash(spec.title) in page
    document = compact(page)
    for step in spec.steps:
        assert compact(step.activity) in document, step.id
    for actor in spec.actors:
        assert compact(actor.name) in document, actor.id
    content = response.content.decode()
    assert 'class="sop-document"' in content
    for kind in ("pdf", "svg", "bpmn", "yaml"):
        assert f'href="/prosedur/{procedure_id}/{kind}"' in content


def test_the_procedure_page_in_english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en"})
    page = text_of(client.get(f"/prosedur/{IDS[0]}/").content)
    assert "Download PDF" in page
    assert "Procedure library" in page


def test_the_pdf_download(client: Client) -> None:
    response = client.get(f"/prosedur/{IDS[0]}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{IDS[0]}.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("procedure_id", IDS)
def test_the_bpmn_download_is_bpmn_xml(client: Client, procedure_id: str) -> None:
    response = client.get(f"/prosedur/{procedure_id}/bpmn")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.omg.org/spec/BPMN/20100524/MODEL}definitions"


def test_the_svg_download_is_svg(client: Client) -> None:
    response = client.get(f"/prosedur/{IDS[0]}/svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert etree.fromstring(response.content).tag == "{http://www.w3.org/2000/svg}svg"


def test_the_yaml_download_is_the_shipped_file(client: Client) -> None:
    entry = ENTRIES[0]
    response = client.get(f"/prosedur/{entry.id}/yaml")
    assert response.status_code == 200
    assert response.content == entry.path.read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "/prosedur/tidak-ada/",
        "/prosedur/tidak-ada/pdf",
        "/prosedur/tidak-ada/svg",
        "/prosedur/tidak-ada/bpmn",
        "/prosedur/tidak-ada/yaml",
    ],
)
def test_an_unknown_procedure_is_404(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_the_screens_only_answer_reads(client: Client) -> None:
    assert client.post("/prosedur/").status_code == 405
