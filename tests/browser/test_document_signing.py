"""In a real browser: SOP 002's handover minutes (BAST, step 10) made, initialled and signed
jointly by the Kepala Dinas and the head of the requesting unit, each in their own browser;
the document becomes final with its number, and the step is completed with it.

The case is driven to step 10 through the services (steps 1 to 9 are the other browser test's
business); everything about the document happens in the browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from laksana.cases import services
from laksana.cases.models import Case, StepStatus
from laksana.documents.models import Document, DocumentStatus, SignatoryStatus

from ..cases.helpers import active, work
from .test_csp import Watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who works steps 1 to 9 of SOP 002 in the Bali demo.
BEFORE_BAST = (
    "dinkes_staf",
    "dinkes_staf",
    "kadis",
    "kabid",
    "ketuatim",
    "dev1",
    "qa1",
    "dev1",
    "dinkes_staf",
)


@pytest.fixture
def case(bali, sop002) -> Case:
    case = services.open_case(
        bali["dinkes_staf"],
        sop002,
        "SIKESDA gagal menyimpan data kunjungan",
        application=bali.applications["sikesda"],
    )
    for login in BEFORE_BAST:
        case = work(bali[login], case)
    assert active(case).step_key == "s10"
    return case


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    doc = tmp_path / "petunjuk.pdf"
    doc.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return doc


def act_in_turn(page, document: Document, button: str) -> None:
    """Open the document's page and press the initial or signature button (``button``: its
    Indonesian label)."""
    page.goto(f"/dokumen/{document.pk}/")
    form = page.locator("#my-turn form").first
    assert form.locator("input[name=seen_sha256]").get_attribute("value") == (
        Document.objects.get(pk=document.pk).pdf_sha256
    )
    submit = form.locator("button[type=submit]")
    assert submit.inner_text().strip() == button
    with page.expect_navigation():
        submit.click()
    assert page.locator(".message--error").count() == 0, page.locator("main").inner_text()


def test_the_bast_is_signed_jointly_by_both_heads_and_completes_step_10(
    sign_in, bali, case: Case, guide: Path
) -> None:
    watch = Watch(sign_in("kadis"))
    head = watch.page
    head.goto(f"/kasus/{case.reference}/")
    make = head.locator("form.step-form a[href*='/dokumen/baru']")
    assert make.count() == 1, "the step offers to make the BAST"
    with head.expect_navigation():
        make.click()
    head.wait_for_load_state("networkidle")
    watch.assert_clean("the draft form")

    # The draft form asks only what the records do not hold; the procedure's signers are set.
    head.fill("input[name='art-doc-place']", "Ruang Rapat Diskominfos")
    head.fill("input[name='art-doc-warranty']", "3 (tiga) bulan sejak serah terima")
    head.fill("input[name='art-doc-items-0-item']", "Aplikasi SIKESDA versi 2.4")
    head.fill("input[name='art-doc-items-0-quantity']", "1 paket")
    head.fill("input[name='art-doc-items-0-condition']", "Berfungsi baik")
    chosen = {head.locator(f"select[name='sig-{i}-person']").input_value() for i in range(3)}
    assert {str(bali["kadis"].pk), str(bali["dinkes"].pk)} <= chosen

    # The preview renders the draft in its frame without keeping anything.
    head.click("button[formtarget=document-preview]")
    frame = head.frame_locator("iframe[name=document-preview]")
    expect(frame.locator("body")).to_contain_text("Aplikasi SIKESDA versi 2.4", timeout=30_000)
    watch.assert_clean("the preview")
    assert not Document.objects.exists()

    with head.expect_navigation():
        head.click("#draft-form .form-actions button.button--primary")
    document = Document.objects.get(case=case, artifact_key="bast")
    assert head.url.endswith(f"/dokumen/{document.pk}/")
    with head.expect_navigation():
        head.click(f"form[action='/dokumen/{document.pk}/kirim'] button[type=submit]")
    document.refresh_from_db()
    assert document.status == DocumentStatus.CIRCULATING
    head.wait_for_load_state("networkidle")
    watch.assert_clean("the document's page")

    # The Kabid initials first; then both heads sign, each in their own browser.
    act_in_turn(sign_in("kabid").page, document, "Paraf")
    act_in_turn(head, document, "Tanda tangani")
    document.refresh_from_db()
    assert document.status == DocumentStatus.CIRCULATING, "the other head has not signed yet"
    requesting_head = sign_in("dinkes").page
    requesting_head.goto("/dokumen/")
    assert document.draft_number in requesting_head.locator("main").inner_text()
    act_in_turn(requesting_head, document, "Tanda tangani")

    document.refresh_from_db()
    assert document.status == DocumentStatus.FINAL and document.number
    assert not document.signatories.exclude(status=SignatoryStatus.DONE).exists()
    signers = set(document.signatories.filter(role="sign").values_list("person_id", flat=True))
    assert signers == {bali["kadis"].pk, bali["dinkes"].pk}

    # Step 10 is completed with the final document (and the user guide it also produces).
    head.goto(f"/kasus/{case.reference}/")
    form = head.locator("form.step-form")
    assert document.number in form.inner_text()
    form.locator("input[name='art-petunjuk_penggunaan']").set_input_files(str(guide))
    with head.expect_navigation():
        form.locator(".form-actions button[type=submit]").click()
    row = case.steps.get(step_key="s10")
    assert row.status == StepStatus.COMPLETED
    case.refresh_from_db()
    assert case.state["artifacts"]["bast"]["ref"] == f"document:{document.pk}"

    # Anyone may check it: the public page shows its number and both signers.
    visitor = sign_in("bkd").page
    visitor.goto(f"/verifikasi/{document.code}")
    text = visitor.locator("main").inner_text()
    assert document.number in text
    assert bali["kadis"].name in text and bali["dinkes"].name in text
