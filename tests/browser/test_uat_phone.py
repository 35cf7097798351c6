"""In a real browser on a 375 px phone: an OPD tester (staff of Dinkes, the requesting unit of
a Bali SOP 002 case at step 9) carries out the UAT run: opens Pengujian saya, opens the run,
goes through the scenarios one at a time and records a verdict with a photo in two taps (the
photo taken, then one tap on a verdict button), and lands on the next scenario. No page is
wider than the screen, and none breaks the Content-Security-Policy (issue 18, items 5 and 8).

The case and the run are made through the services; everything the tester does is in the
browser.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from laksana.quality.models import Evidence, RunItem, TestRun, Verdict

from ..quality.test_views_runs import case_at_uat, start_uat
from .test_csp import Watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
WIDTH = "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"


@pytest.fixture
def run(bali, sop002) -> TestRun:
    return start_uat(bali, case_at_uat(bali, sop002), count=3)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "green").save(out, format="JPEG")
    path = tmp_path / "layar-simpan.jpg"
    path.write_bytes(out.getvalue())
    return path


def fits(page, where: str) -> None:
    page_width, body_width = page.evaluate(WIDTH)
    assert page_width <= PHONE["width"] and body_width <= PHONE["width"], (
        f"{where}: {page_width}/{body_width} px wide on a {PHONE['width']} px screen"
    )


def test_an_opd_tester_records_verdicts_with_a_photo_on_a_phone(
    sign_in, bali, run: TestRun, photo: Path
) -> None:
    session = sign_in("dinkes_staf")
    watch = Watch(session)
    page = watch.page
    page.set_viewport_size(PHONE)

    # Pengujian saya lists the open UAT run to test.
    watch.open("/pengujian/")
    assert "Pengujian saya" in page.locator("h1").inner_text()
    fits(page, "Pengujian saya")
    with page.expect_navigation():
        page.locator(f"a[href='/pengujian/uji/{run.pk}/']").first.click()
    page.wait_for_load_state("networkidle")
    watch.assert_clean("the run")
    fits(page, "the run")
    assert "0 dari 3" in page.locator("main").inner_text()

    # Continue testing: the first scenario, alone on the screen.
    with page.expect_navigation():
        page.get_by_role("link", name="Lanjutkan pengujian").click()
    assert page.url.endswith(f"/pengujian/uji/{run.pk}/skenario/1/")
    main = page.locator("main").inner_text()
    assert "Skenario 1 dari 3" in main and "UAT-01" in main and "UAT-02" not in main
    watch.assert_clean("the first scenario")
    fits(page, "the first scenario")

    # Two taps: the photo (the file chosen stands in for the camera), then Lulus.
    page.locator("input[type=file][name=photo]").set_input_files(str(photo))
    with page.expect_navigation():
        page.locator("button[name=verdict][value=lulus]").click()
    first = RunItem.objects.get(run=run, position=1)
    assert first.verdict == Verdict.PASSED and first.tested_by == bali["dinkes_staf"]
    assert Evidence.objects.get(item=first).original_name == "layar-simpan.jpg"

    # The next scenario without a verdict opens.
    assert page.url.endswith(f"/pengujian/uji/{run.pk}/skenario/2/")
    main = page.locator("main").inner_text()
    assert "Skenario 2 dari 3" in main and "UAT-02" in main
    assert "UAT-01: Lulus dicatat." in main
    watch.assert_clean("the second scenario")
    fits(page, "the second scenario")

    # Back and forth: the first scenario shows its photo and its verdict.
    with page.expect_navigation():
        page.locator("a[rel=prev]").click()
    assert page.locator(".evidence-thumb").count() == 1
    assert page.locator(".verdict-badge--lulus").count() == 1
    fits(page, "the first scenario again")
    with page.expect_navigation():
        page.locator("a[rel=next]").click()

    # A Gagal offers to record a finding; the next scenario is one tap away.
    page.fill("textarea[name=actual]", "Muncul galat 500 saat menyimpan")
    with page.expect_navigation():
        page.locator("button[name=verdict][value=gagal]").click()
    assert page.get_by_role("link", name="Skenario berikutnya").count() == 1
    fits(page, "the offer of a finding")
    with page.expect_navigation():
        page.get_by_role("link", name="Catat temuan").click()
    watch.assert_clean("the finding form")
    fits(page, "the finding form")
    assert "Muncul galat 500" in page.locator("textarea[name=description]").input_value()
    page.select_option("select[name=severity]", "sedang")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan temuan").click()
    # Recorded on the scenario; the next scenario without a verdict opens.
    assert page.url.endswith(f"/pengujian/uji/{run.pk}/skenario/3/")
    failed = RunItem.objects.get(run=run, position=2)
    assert failed.verdict == Verdict.FAILED
    assert failed.findings.get().severity == "sedang"

    # The run shows the progress and the result so far.
    page.goto(f"/pengujian/uji/{run.pk}/")
    main = page.locator("main").inner_text()
    assert "2 dari 3" in main
    # UAT-01 passed, UAT-02 (priority Sedang) failed: accepted with notes so far.
    assert page.locator(".result-badge--diterima_dengan_catatan").count() == 1
    fits(page, "the run at the end")


def test_a_large_photo_is_made_smaller_in_the_phone_before_it_is_sent(
    sign_in, bali, run: TestRun, tmp_path: Path
) -> None:
    # A 12-megapixel photo of noise (large as a JPEG): sent as a JPEG at most 2560 px wide.
    noise = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    big = tmp_path / "IMG_0001.jpeg"
    noise.save(big, format="JPEG", quality=95)
    assert big.stat().st_size > 3 * 1024 * 1024
    session = sign_in("dinkes_staf")
    page = session.page
    page.set_viewport_size(PHONE)
    page.goto(f"/pengujian/uji/{run.pk}/skenario/1/")
    page.wait_for_load_state("networkidle")
    page.locator("input[type=file][name=photo]").set_input_files(str(big))
    with page.expect_navigation():
        page.locator("button[name=verdict][value=lulus]").click()
    assert page.url.endswith(f"/pengujian/uji/{run.pk}/skenario/2/")
    evidence = Evidence.objects.get(item__run=run, item__position=1)
    assert evidence.original_name == "IMG_0001.jpg" and evidence.content_type == "image/jpeg"
    assert evidence.size < big.stat().st_size
    with evidence.file.open("rb") as stored, Image.open(stored) as sent:
        assert max(sent.size) == 2560
