"""The Indonesian catalogue: complete, compiled, and what the pages actually show.

Indonesian is the default language of the product, so an entry left empty or fuzzy in
``django.po`` shows English to every user, and a ``django.mo`` that was not compiled again
after the ``.po`` changed shows the old texts. The ``.po`` file is read here with a small
parser of its own (no extra package); the ``.mo`` file with the standard library's reader.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client

import laksana
from laksana.cases import services

LC_MESSAGES = Path(laksana.__file__).parent / "locale" / "id" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


# --- reading the .po file --------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """The key of the entry in a compiled catalogue (context EOT msgid)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header (as a dict) and the live entries of a .po file; obsolete ones are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            finish()
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path.name}:{number}: stray text"
            text = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = _KEYWORD.match(line)
        assert match, f"{path.name}:{number}: cannot read {raw!r}"
        keyword, index, quoted = match.groups()
        text = ast.literal_eval(quoted)
        if keyword in ("msgctxt", "msgid") and (
            current is None or current.msgstr or (keyword == "msgid" and current.msgid)
        ):
            finish()
        if current is None:
            current = Entry(line=number, flags=flags)
            flags = set()
        if keyword.startswith("msgstr"):
            slot = int(index) if index is not None else 0
            current.msgstr[slot] = text
            target = ("msgstr", slot)
        else:
            setattr(current, keyword, text)
            target = (keyword, 0)
    finish()

    header_entries = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header_entries) == 1, "the .po file has no header"
    header = dict(
        (k.strip(), v.strip())
        for k, _, v in (
            line.partition(":") for line in header_entries[0].msgstr[0].splitlines() if line
        )
    )
    return header, [e for e in entries if e is not header_entries[0]]


HEADER, ENTRIES = read_po(PO)


def where(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid!r}"


# --- (a) every entry translated ---------------------------------------------------------------


def test_the_catalogue_is_indonesian_with_one_plural_form() -> None:
    assert HEADER["Language"] == "id"
    assert HEADER["Content-Type"] == "text/plain; charset=UTF-8"
    assert HEADER["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert len(ENTRIES) > 300, "the parser found too few entries"


def test_no_entry_is_empty_or_fuzzy() -> None:
    fuzzy = [where(e) for e in ENTRIES if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (translate them and drop the flag):\n" + "\n".join(fuzzy)
    empty = [where(e) for e in ENTRIES if not e.msgstr or not all(e.msgstr.values())]
    assert not empty, "untranslated entries:\n" + "\n".join(empty)


def test_plural_entries_have_exactly_the_one_indonesian_form() -> None:
    for e in ENTRIES:
        if e.msgid_plural is not None:
            assert set(e.msgstr) == {0}, where(e)


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdif]|%[sd]|\{[a-z_0-9]*\}")
_TAG = re.compile(r"</?[a-z][^>]*>")


def test_placeholders_and_html_are_kept() -> None:
    for e in ENTRIES:
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        wanted = sorted({p for s in sources for p in _PLACEHOLDER.findall(s)})
        for text in e.msgstr.values():
            assert sorted(set(_PLACEHOLDER.findall(text))) == wanted, where(e)
            assert _TAG.findall(text) == _TAG.findall(e.msgid), where(e)


# --- (b) the .mo file is the compiled .po -----------------------------------------------------


def test_the_mo_file_is_the_compiled_po_file() -> None:
    with MO.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for e in ENTRIES:
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                expected[(e.key, index)] = text
    compiled = {k: v for k, v in catalog.items() if k not in ("", ("", 0))}
    stale = "run `laksana compilemessages` after changing django.po"
    assert set(compiled) - set(expected) == set(), stale
    assert set(expected) - set(compiled) == set(), stale
    changed = [k for k in expected if compiled[k] != expected[k]]
    assert not changed, f"{stale}; changed: {changed[:5]}"


# --- (c) the pages are Indonesian by default --------------------------------------------------


def text_of(response) -> str:
    """The page as plain text: scripts dropped, tags dropped, entities decoded, blanks
    collapsed; attribute texts (placeholders, labels) are kept as words too."""
    page = response.content.decode("utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = re.findall(r'(?:placeholder|aria-label|title|data-label)="([^"]*)"', page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join((text + " " + " ".join(attributes)).split())


# Multi-word interface texts without placeholders: none may show on an Indonesian page.
ENGLISH_PHRASES = sorted(
    {
        e.msgid
        for e in ENTRIES
        if " " in e.msgid
        and not _PLACEHOLDER.search(e.msgid)
        and "<" not in e.msgid
        and e.msgstr.get(0) != e.msgid
    },
    key=len,
    reverse=True,
)


def assert_indonesian(response, present: list[str], absent: list[str]) -> None:
    assert response.status_code == 200
    assert '<html lang="id">' in response.content.decode()
    text = text_of(response)
    for word in present:
        assert word in text, f"{word!r} is not on the page"
    for word in absent:
        assert word not in text, f"the English {word!r} is on the page"
    leaked = [p for p in ENGLISH_PHRASES if p in text]
    assert not leaked, f"English texts on the page: {leaked}"


@pytest.fixture
def staff(client: Client, bali) -> Client:
    client.force_login(bali["dinkes_staf"].user)
    return client


@pytest.fixture
def case(bali, sop002):
    return services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA tidak bisa menyimpan data",
        application=bali.applications["sikesda"],
    )


@pytest.mark.django_db
def test_the_procedure_library_is_indonesian(client: Client) -> None:
    assert_indonesian(
        client.get("/prosedur/"),
        ["Daftar Prosedur", "Nomor SOP", "Instansi", "Buka", "Masuk"],
        ["Procedure library", "SOP number", "Agency", "Sign in", "Procedures"],
    )


@pytest.mark.django_db
def test_an_english_browser_still_gets_the_indonesian_login_page(client: Client) -> None:
    response = client.get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert_indonesian(
        response,
        ["Masuk", "Nama pengguna", "Kata sandi", "administrator instansi Anda"],
        ["Sign in", "User name", "Password"],
    )


@pytest.mark.django_db
def test_the_inbox_is_indonesian(staff: Client, case) -> None:
    assert_indonesian(
        staff.get("/kasus/kotak-masuk/"),
        [
            "Kotak Masuk",
            "Buat Kasus",
            "Disposisi untuk saya",
            "Langkah yang dapat saya ambil",
            "Langkah 1",
            "Standar waktu",
            "menunggu",
            "Notifikasi",
            "Keluar",
            case.reference,
        ],
        [
            "Inbox",
            "New case",
            "Dispositions to me",
            "Steps offered to me",
            "Time standard",
            "Notifications",
            "Sign out",
            "waiting",
        ],
    )


@pytest.mark.django_db
def test_the_new_case_page_is_indonesian(staff: Client, sop002) -> None:
    assert_indonesian(
        staff.get("/kasus/baru/"),
        [
            "Buat Kasus",
            "Prosedur",
            "Judul kasus",
            "Uraian",
            "(opsional)",
            "Aplikasi",
            "Unit Kerja Pemohon",
            "Tidak ada / tidak yakin",
            "versi",
        ],
        [
            "New case",
            "Case title",
            "Description",
            "(optional)",
            "Application",
            "Requesting unit",
            "None / not sure",
            "Open the case",
        ],
    )


@pytest.mark.django_db
def test_the_case_page_is_indonesian(staff: Client, case) -> None:
    assert_indonesian(
        staff.get(f"/kasus/{case.reference}/"),
        [
            "Kasus",
            "Langkah saat ini · Langkah 1",
            "Pelaksana",
            "Standar waktu",
            "Aktif sejak",
            "Kelengkapan",
            "Output",
            "Catatan",
            "Langkah prosedur",
            "Alur disposisi",
            "Berkas",
            "Riwayat",
            "membuat kasus",
            "Unit Kerja Pemohon",
            "Dibuat",
            "Berjalan",
        ],
        [
            "Current step",
            "Actor",
            "Time standard",
            "Active since",
            "Requirement",
            "Steps of the procedure",
            "Disposition chain",
            "Files",
            "Timeline",
            "opened the case",
            "Requesting unit",
            "Running",
        ],
    )


@pytest.mark.django_db
def test_the_same_pages_switch_to_english_when_chosen(staff: Client, case) -> None:
    """The checks above are not empty: with the language cookie the English texts show."""
    staff.cookies["django_language"] = "en"
    inbox = text_of(staff.get("/kasus/kotak-masuk/"))
    assert "Steps offered to me" in inbox and "Kotak Masuk" not in inbox
    page = text_of(staff.get(f"/kasus/{case.reference}/"))
    assert "Disposition chain" in page and "Alur disposisi" not in page
