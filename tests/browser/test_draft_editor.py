"""End-to-end in a real browser (issue 22 item 6): a member of Bali's IT division writes a small
SOP in the editor from a blank draft (identity, two actors, three steps with one decision
Ya/Tidak, times), sees the check's message next to the decision's missing target and fixes
it, sees the preview follow what is typed, sends the draft for review; the procedure
administrator approves it; the version is published, its page opens and the draft's journal
names the approver."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from laksana.procedures.models import DraftState, ProcedureDraft, ProcedureVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "sop-031-layanan-hosting"


def _signed_in(contexts: list, browser, base_url: str, username: str, width: int):
    """A page of ``username`` signed in, ``width`` px wide (the author works on a phone)."""
    context = browser.new_context(
        base_url=base_url, locale="id-ID", viewport={"width": width, "height": 900}
    )
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "laksana-demo")
    page.locator("form:has(input[name=username]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/akun/masuk/" not in page.url, f"{username} could not sign in"
    return page


@pytest.fixture
def person_page(chromium_browser, live_server):
    contexts: list = []
    yield lambda username, width: _signed_in(
        contexts, chromium_browser, live_server.url, username, width
    )
    for context in contexts:
        context.close()


def _save(page) -> None:
    page.locator("#draft-form button[name=action][value=save]").click()
    page.wait_for_load_state("networkidle")
    problems = page.locator(".alert, .field-error, .message").all_inner_texts()
    assert page.locator(".message--success").count() == 1, (page.url, problems)


def _tab(page, url: str, tab: str, extra: str = "") -> None:
    page.goto(f"{url}?tab={tab}{extra}")
    page.wait_for_load_state("networkidle")


def test_a_small_sop_written_in_the_editor_is_reviewed_and_published(person_page, bali) -> None:
    author = person_page("dev1", 375)
    author.goto("/prosedur/draf/")
    author.fill("input[name=procedure_key]", KEY)
    author.fill("input[name=title]", "Layanan Hosting Aplikasi")
    author.locator("form[action$='/draf/baru/'] button[type=submit]").click()
    author.wait_for_load_state("networkidle")
    assert re.search(r"/prosedur/draf/\d+/$", author.url), author.url
    url = author.url.split("?")[0]
    draft = ProcedureDraft.objects.get(procedure_key=KEY)

    # Identity.
    author.fill("#f-number", "000.9/031/Diskominfos")
    author.fill("#f-approved_by_title", "Kepala Dinas")
    _save(author)

    # Two actors, one row at a time (the last row is always the blank one to add).
    _tab(author, url, "actors")
    author.fill("#f-actor-0-id", "pemohon")
    author.fill("#f-actor-0-name", "Unit Kerja Pemohon")
    author.select_option("#f-actor-0-kind", "requesting_unit")
    _save(author)
    author.fill("#f-actor-1-id", "operator")
    author.fill("#f-actor-1-name", "Operator Hosting")
    author.select_option("#f-actor-1-kind", "position")
    _save(author)

    # Three steps.
    _tab(author, url, "steps")
    for _n in range(3):
        author.locator("#add-step").click()
        author.wait_for_load_state("networkidle")
    assert author.locator(".draft-step-list__item").count() == 3
    _tab(author, url, "steps", "&langkah=0")
    author.fill("#f-activity", "Mengajukan permohonan hosting")
    author.select_option("#f-actor", "pemohon")
    author.fill("#f-time", "15 menit")
    _save(author)
    _tab(author, url, "steps", "&langkah=2")
    author.fill("#f-activity", "Menyiapkan ruang hosting")
    author.select_option("#f-actor", "operator")
    author.fill("#f-time", "1 Hari")
    _save(author)
    # The decision: Ya goes on to step 3; Tidak is left without its target at first.
    _tab(author, url, "steps", "&langkah=1")
    author.fill("#f-activity", "Apakah permohonan lengkap?")
    author.select_option("#f-actor", "operator")
    author.fill("#f-time", "1 jam")
    author.check("#f-decision")
    assert author.input_value("#f-outcome-0-label") == "Ya"
    assert author.input_value("#f-outcome-1-label") == "Tidak"
    author.select_option("#f-outcome-0-to", "s3")
    _save(author)

    # Start and end.
    _tab(author, url, "flow")
    author.select_option("#f-start", "s1")
    author.fill("#f-end-0-id", "selesai")
    author.fill("#f-end-0-label", "Selesai")
    _save(author)

    # The missing target: its message is next to the field, and the tab counts it.
    _tab(author, url, "steps", "&langkah=1")
    missing = author.locator('[data-path="steps.1.decision.outcomes.1.to"] .field-error')
    assert missing.count() == 1, author.content()[:3000]
    assert author.locator('a[data-tab="steps"] .count--problems').count() == 1
    author.select_option("#f-outcome-1-to", "s1")
    _save(author)
    left = author.locator(".field-error")
    assert left.count() == 0, left.all_inner_texts()
    assert author.locator(".draft-editor__preview .document-frame").count() == 1
    # Usable at 375 px: the page itself does not scroll sideways.
    assert author.evaluate("document.documentElement.scrollWidth") <= 375

    # The preview follows what is typed, without saving.
    _tab(author, url, "identity")
    revision = ProcedureDraft.objects.get(pk=draft.pk).revision
    author.fill("#f-title", "Layanan Hosting Aplikasi Daerah")
    # (Waited for through Playwright's own polling: the page's CSP allows no eval.)
    expect(author.locator("#draft-preview")).to_contain_text(
        "Hosting Aplikasi Daerah", timeout=30_000
    )
    assert ProcedureDraft.objects.get(pk=draft.pk).revision == revision
    _save(author)

    # Sent for review.
    author.locator("#submit-draft").click()
    author.wait_for_load_state("networkidle")
    assert ProcedureDraft.objects.get(pk=draft.pk).state == DraftState.IN_REVIEW
    assert author.locator("#draft-form button[value=save]").count() == 0  # read-only now

    # The procedure administrator approves it.
    admin = person_page("kabid", 1280)
    admin.goto(url)
    admin.fill("#id_approve_note", "Sudah sesuai standar pelayanan.")
    admin.locator("#approve-draft").click()
    admin.wait_for_load_state("networkidle")
    version = ProcedureVersion.objects.get(agency=bali.agency, procedure_key=KEY)
    assert f"/{KEY}/versi/{version.number}/" in admin.url
    assert "Layanan Hosting Aplikasi Daerah" in admin.locator("h1").inner_text()
    assert version.published_by == bali["kabid"]

    author.goto(url)
    journal = author.locator("#draft-journal").inner_text()
    assert bali["kabid"].name in journal
    assert "Sudah sesuai standar pelayanan." in journal
