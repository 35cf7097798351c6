"""In a real browser on a 375 px phone: the requester of a closed Bali SOP 002 case opens the
survey invitation from the e-mail, taps an answer to each of the nine questions (a forgotten
one is marked, the other answers kept), gives part of the profile and a suggestion, sends it
and lands on the thank-you page; the invitation then says it has been answered. A walk-in
respondent answers through the public link of the QR poster the same way. No page is wider
than the screen, every answer is a large tap target, and none breaks the
Content-Security-Policy (issue 21, items 2 and 7).

The survey and the invitation are made directly; everything the respondent does is in the
browser.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from laksana.survey import guard, invitations
from laksana.survey.models import Answer, Channel, Invitation, InvitationStatus

from ..survey.respondents import open_survey
from ..survey.respondents_case import invited
from .test_csp import Watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
WIDTH = "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"
# The smallest answer (its label's box) a thumb can hit reliably.
TAP = 44


@pytest.fixture
def survey(bali):
    today = timezone.localdate()
    return open_survey(
        bali,
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
    )


def fits(page, where: str) -> None:
    page_width, body_width = page.evaluate(WIDTH)
    assert page_width <= PHONE["width"] and body_width <= PHONE["width"], (
        f"{where}: {page_width}/{body_width} px wide on a {PHONE['width']} px screen"
    )


def tap(page, question: int, score: int) -> None:
    option = page.locator(f"label.skm-option:has(input[name=u{question}][value='{score}'])")
    box = option.bounding_box()
    assert box is not None and box["height"] >= TAP and box["width"] >= PHONE["width"] * 0.6
    option.click()


def test_a_requester_answers_the_invitation_on_a_phone(sign_in, bali, sop002, survey) -> None:
    secret = invited(bali, sop002, survey)
    session = sign_in("dinkes_staf")
    watch = Watch(session)
    page = watch.page
    page.set_viewport_size(PHONE)

    watch.open(invitations.link(secret))
    assert "SKM Layanan Helpdesk 2026" in page.locator("h1").inner_text()
    assert page.locator(".skm-question").count() == 9
    assert "Pertanyaan 1 dari 9" in page.locator("main").inner_text()
    fits(page, "the invitation form")

    # Nine taps, question 5 forgotten.
    for question in range(1, 10):
        if question != 5:
            tap(page, question, 4 if question % 2 else 3)
    page.fill("input[name=age]", "41")
    page.locator("label.skm-chip:has(input[name=sex][value=L])").click()
    page.select_option("select[name=education]", "sma")
    page.fill("textarea[name=suggestion]", "Petugas ramah, mohon info status lewat WhatsApp")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban saya").click()

    # Marked, nothing recorded, the other answers kept.
    watch.assert_clean("the form with a problem")
    fits(page, "the form with a problem")
    assert "belum dicatat" in page.locator("main").inner_text()
    assert page.locator("#q-u5.skm-question--problem").count() == 1
    assert page.locator("input[name=u1][value='4']").is_checked()
    assert page.locator("textarea[name=suggestion]").input_value().startswith("Petugas ramah")
    assert not Answer.objects.exists()

    tap(page, 5, 2)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban saya").click()
    assert page.url.endswith("/survei/terima-kasih/")
    assert "Terima kasih" in page.locator("h1").inner_text()
    watch.assert_clean("the thank-you page")
    fits(page, "the thank-you page")

    answer = Answer.objects.get()
    assert answer.channel == Channel.INVITATION
    assert (answer.u1, answer.u2, answer.u5, answer.u9) == (4, 3, 2, 4)
    assert (answer.age, answer.sex, answer.education, answer.occupation) == (41, "L", "sma", "")
    assert Invitation.objects.get().status == InvitationStatus.ANSWERED

    # The link again: answered, once.
    watch.open(invitations.link(secret))
    assert "sudah dijawab" in page.locator("h1").inner_text()
    fits(page, "the answered invitation")


def test_a_walk_in_respondent_answers_through_the_public_link(
    chromium_browser, live_server, survey, monkeypatch
) -> None:
    # The minimum fill time is the guard's own test; a script taps faster than people read.
    monkeypatch.setattr(guard, "MIN_FILL", dt.timedelta(0))
    context = chromium_browser.new_context(base_url=live_server.url, locale="id-ID", viewport=PHONE)
    try:

        class Anonymous:
            pass

        visitor = Anonymous()
        visitor.context = context  # type: ignore[attr-defined]
        visitor.page = context.new_page()  # type: ignore[attr-defined]
        watch = Watch(visitor)
        page = watch.page
        page.set_default_timeout(15_000)
        url = f"/survei/isi/{survey.public_code}/"
        watch.open(url)
        fits(page, "the public form")
        # The honeypot is off the screen (people never see it; programs fill it).
        trap = page.locator(".skm-hp").bounding_box()
        assert trap is not None and trap["x"] + trap["width"] <= 0
        for question in range(1, 10):
            tap(page, question, 3)
        with page.expect_navigation():
            page.get_by_role("button", name="Kirim jawaban saya").click()
        assert page.url.endswith("/survei/terima-kasih/")
        assert Answer.objects.get().channel == Channel.PUBLIC

        # The same phone again: a soft notice, and the form still there.
        watch.open(url)
        assert "sudah pernah mengisi" in page.locator("main").inner_text()
        assert page.locator(".skm-question").count() == 9
        fits(page, "the public form again")
    finally:
        context.close()
