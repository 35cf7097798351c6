"""In a real browser: the case page, the reports and the official document break no rule of
the Content-Security-Policy, and the htmx step form and the disposition form still work."""

from __future__ import annotations

from typing import Any

import pytest

from laksana.cases import services
from laksana.cases.models import Case, Disposition, StepStatus
from laksana.demo.orgs import SOP_002

from ..cases.helpers import active, png, work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects the violations the page itself sees (securitypolicyviolation events).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """A signed-in page with every CSP report of the console and of the page collected."""

    def __init__(self, session: Any) -> None:
        self.page = session.page
        self.console: list[str] = []
        session.context.add_init_script(LISTEN)
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.console.append(f"page error: {e}"))

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(url)

    def assert_clean(self, where: str) -> None:
        events = self.page.evaluate("window.__csp || []")
        reports = [m for m in self.console if "Content Security Policy" in m or "page error" in m]
        assert not events and not reports, f"{where}: {events} {reports}"


@pytest.fixture
def case(bali, sop002) -> Case:
    """Bali SOP 002 at step 3 (the Kepala Dinas's), with a photo and a comment."""
    requester = bali["dinkes_staf"]
    case = services.open_case(
        requester, sop002, "SIKESDA lambat sekali", application=bali.applications["sikesda"]
    )
    case = work(requester, work(requester, case))
    services.add_attachment(requester, case.pk, png("layar.png"))
    services.add_comment(requester, case.pk, "Mohon dibantu.")
    return case


def test_the_case_page_breaks_no_rule_and_its_forms_work(sign_in, bali, case: Case) -> None:
    watch = Watch(sign_in("kadis"))
    page = watch.page
    url = f"/kasus/{case.reference}/"
    watch.open(url)
    step = active(case)
    assert step.step_key == "s3"
    assert page.locator("img[src*='/thumb']").count() >= 1

    # The htmx step form, sent without the disposition its output needs: htmx posts it, the
    # refusal is swapped in, the page stays, and laksana.js scrolls the errors into view.
    page.locator("form.step-form .form-actions button[type=submit]").click()
    errors = page.locator(f"#step-{step.pk}-errors .alert--error")
    errors.wait_for(state="visible")
    assert page.url.endswith(url)
    assert page.evaluate(
        f"""() => {{
            const r = document.getElementById("step-{step.pk}-errors").getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight;
        }}"""
    ), "the errors were not scrolled into view"
    assert active(case).status == StepStatus.ACTIVE and active(case).pk == step.pk
    watch.assert_clean("after the refused step")

    # The disposition form (a plain form post), then the step form again: htmx follows the
    # server's HX-Redirect back to the case, now at step 4.
    form = page.locator("#disposisi form")
    form.locator("input[name=recipients]").first.check()
    form.locator("select[name=instruction]").select_option(index=1)
    form.locator("input[name=urgency][value=segera]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    sent = Disposition.objects.get(case=case, sender=bali["kadis"])
    assert sent.recipient == bali["kabid"]
    assert page.locator(".chain__node.chain__node--depth-0").count() >= 1
    watch.assert_clean("after the disposition")
    with page.expect_navigation():
        page.locator("form.step-form .form-actions button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert active(case).step_key == "s4"
    watch.assert_clean("after the step")


def test_the_reports_and_the_document_break_no_rule(sign_in, case: Case) -> None:
    watch = Watch(sign_in("kadis"))
    watch.open("/laporan/")
    assert watch.page.locator("svg.chart").count() >= 1, "the compliance charts are drawn"
    watch.open("/laporan/terlambat/")
    watch.open("/kasus/kotak-masuk/")
    watch.open("/kasus/")
    watch.open("/katalog/")
    # The official document may use inline styles (its layout), never scripts.
    watch.open(f"/prosedur/{SOP_002}/")
    assert watch.page.locator(".sop-document").count() == 1
