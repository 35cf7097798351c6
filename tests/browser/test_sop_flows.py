"""End-to-end in a real browser: each person signs in as themselves and works their steps.

* SOP 002 (Diskominfos Bali): a requester reports a problem with a photo, the head dispositions
  it to the Kabid, the Kabid to the team lead, the team works it through SIT and UAT to the
  handover (BAST) and the completion letter.
* SOP 004 (DJKI): once through the "not the application" branch, and once through a recovery
  that fails its test, loops back, and succeeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from laksana.cases.journal import verify_case
from laksana.cases.models import Case, CaseStatus, Disposition, StepStatus

from ..cases.helpers import SOP_004_PEOPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def upload_files(tmp_path: Path) -> dict[str, Path]:
    photo = tmp_path / "foto-masalah.png"
    Image.new("RGB", (64, 48), "orange").save(photo, format="PNG")
    doc = tmp_path / "dokumen.pdf"
    doc.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return {"image": photo, "pdf": doc}


def fill_step_form(page, files: dict[str, Path]) -> None:
    """Fill every input of the current step's form with plausible values."""
    form = page.locator("form.step-form")
    for i in range(form.locator("input[type=file]").count()):
        field = form.locator("input[type=file]").nth(i)
        accept = field.get_attribute("accept") or ""
        field.set_input_files(str(files["image"] if accept.startswith("image") else files["pdf"]))
    for i in range(form.locator("textarea:not([name=note])").count()):
        form.locator("textarea:not([name=note])").nth(i).fill("Uraian yang diisi di peramban.")
    for i in range(form.locator("input[type=text]").count()):
        field = form.locator("input[type=text]").nth(i)
        field.fill("1500000" if field.get_attribute("inputmode") else "Isian")
    for i in range(form.locator("input[type=date]").count()):
        form.locator("input[type=date]").nth(i).fill("2026-11-20")
    for i in range(form.locator("select").count()):
        form.locator("select").nth(i).select_option(index=1)
    radios = form.locator("fieldset.choice-group")
    for i in range(radios.count()):
        radios.nth(i).locator("input[type=radio]").first.check()


def send_disposition_if_needed(page) -> None:
    """A step whose output is a disposition: send it from the disposition form first."""
    if page.locator("form.step-form a[href='#disposisi']").count() == 0:
        return
    form = page.locator("#disposisi form")
    form.locator("input[name=recipients]").first.check()
    form.locator("select[name=instruction]").select_option(index=1)
    form.locator("input[name=urgency][value=segera]").check()
    form.locator("textarea[name=note]").fill("Mohon ditindaklanjuti.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def complete_current_step(page, reference: str, files, outcome: str | None = None) -> None:
    page.goto(f"/kasus/{reference}/")
    send_disposition_if_needed(page)
    fill_step_form(page, files)
    form = page.locator("form.step-form")
    button = (
        form.locator(f"button[name=outcome][value='{outcome}']")
        if outcome
        else form.locator(".form-actions button[type=submit]")
    )
    if outcome and not button.is_visible():
        # A decision read from its output offers the choice, for a signed paper, in a fold.
        form.locator("details.decision__upload summary").click()
    with page.expect_navigation():
        button.click()


def active_step(case: Case):
    return case.steps.select_related("case").get(status=StepStatus.ACTIVE)


def test_sop_002_from_report_to_completion_letter(sign_in, bali, sop002, upload_files):
    requester = sign_in("dinkes_staf")
    page = requester.page
    page.goto("/kasus/baru/")
    page.select_option("select[name=version]", str(sop002.pk))
    page.fill("input[name=title]", "SIKESDA gagal menyimpan data kunjungan")
    page.fill("textarea[name=description]", "Tombol simpan tidak merespons sejak pagi.")
    page.select_option("select[name=application]", str(bali.applications["sikesda"].pk))
    with page.expect_navigation():
        page.click("form .form-actions button[type=submit]")
    case = Case.objects.get(title="SIKESDA gagal menyimpan data kunjungan")
    assert page.url.endswith(f"/kasus/{case.reference}/")

    # Steps 1 and 2: the requester documents the problem (with a photo) and submits it.
    complete_current_step(page, case.reference, upload_files)
    photo = case.attachments.get(artifact_key="foto_masalah")
    assert photo.content_type == "image/png" and photo.thumbnail
    page.goto(f"/kasus/{case.reference}/")
    assert page.locator(f"img[src*='/berkas/{photo.pk}/thumb']").count() == 1
    complete_current_step(page, case.reference, upload_files)
    assert active_step(case).step_key == "s3"

    # Step 3: the head sees it in the inbox and dispositions it to the Kabid.
    head = sign_in("kadis").page
    head.goto("/kasus/kotak-masuk/")
    assert case.reference in head.content()
    complete_current_step(head, case.reference, upload_files)
    sent = Disposition.objects.get(case=case, sender=bali["kadis"])
    assert (sent.recipient, sent.urgency, sent.status) == (bali["kabid"], "segera", "done")

    # Step 4: the Kabid has an unread disposition, forwards to the team lead.
    kabid = sign_in("kabid").page
    kabid.goto("/kasus/kotak-masuk/")
    assert "Proses" in kabid.locator("main").inner_text() or case.reference in kabid.content()
    complete_current_step(kabid, case.reference, upload_files)
    assert Disposition.objects.filter(
        case=case, sender=bali["kabid"], recipient=bali["ketuatim"]
    ).exists()

    # Steps 5 to 11, each by its own person. The UAT's minutes (step 9) are uploaded as a
    # signed paper here, which records no result Laksana can read: the tester says it.
    for login in ("ketuatim", "dev1", "qa1", "dev1", "dinkes_staf", "kadis", "kadis"):
        step = active_step(case).step_key
        complete_current_step(
            sign_in(login).page
            if login not in ("dinkes_staf", "kadis")
            else (page if login == "dinkes_staf" else head),
            case.reference,
            upload_files,
            "Diterima" if step == "s9" else None,
        )
        assert not case.steps.filter(step_key=step, status=StepStatus.ACTIVE).exists(), login

    case.refresh_from_db()
    assert case.status == CaseStatus.FINISHED and case.end_key == "selesai"
    assert case.steps.filter(status=StepStatus.COMPLETED).count() == 11
    assert verify_case(case) is None
    page.goto(f"/kasus/{case.reference}/")
    timeline = page.locator("main").inner_text()
    assert "Ni Luh Putu Ariani" in timeline and "Gede Pramana" in timeline


def run_sop_004(sign_in, djki, sop004, files, plan: dict[str, list[str]]) -> Case:
    requester = sign_in("merek_staf").page
    requester.goto("/kasus/baru/")
    requester.select_option("select[name=version]", str(sop004.pk))
    requester.fill("input[name=title]", "IPAS tidak dapat diakses")
    requester.select_option("select[name=application]", str(djki.applications["ipas"].pk))
    with requester.expect_navigation():
        requester.click("form .form-actions button[type=submit]")
    case = Case.objects.latest("pk")
    pages = {"merek_staf": requester}
    for _ in range(40):
        case.refresh_from_db()
        if case.status == CaseStatus.FINISHED:
            break
        row = active_step(case)
        login = SOP_004_PEOPLE[row.actor_key]
        if login not in pages:
            pages[login] = sign_in(login).page
        step = sop004.spec.step(row.step_key)
        outcome = plan[step.id].pop(0) if step.decision else None
        complete_current_step(pages[login], case.reference, files, outcome)
        assert not case.steps.filter(pk=row.pk, status=StepStatus.ACTIVE).exists(), (
            row.step_key,
            login,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.FINISHED
    assert verify_case(case) is None
    return case


def test_sop_004_not_the_application(sign_in, djki, sop004, upload_files):
    case = run_sop_004(sign_in, djki, sop004, upload_files, {"s7": ["Tidak"]})
    done = list(case.steps.order_by("pk").values_list("step_key", flat=True))
    assert done[-2:] == ["s7", "s7b"]
    assert case.end_key == "bukan_aplikasi"
    assert case.steps.get(step_key="s7").outcome == "Tidak"


def test_sop_004_recovery_retried_once(sign_in, djki, sop004, upload_files):
    plan = {"s7": ["Ya"], "s9": ["Ya", "Ya"], "s11": ["Ya", "Ya"], "s14": ["Tidak", "Ya"]}
    case = run_sop_004(sign_in, djki, sop004, upload_files, plan)
    assert case.steps.filter(step_key="s14").count() == 2
    assert case.steps.filter(step_key="s14b").count() == 1
    assert case.steps.get(step_key="s14", visit=2).outcome == "Ya"
    assert case.end_key == "selesai"
