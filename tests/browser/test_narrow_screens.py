"""On a 375 px phone screen the main screens are no wider than the screen: the navigation
bar and the header wrap instead of pushing the page sideways (issue 16, item 13)."""

from __future__ import annotations

import json

import pytest

from laksana.cases import services
from laksana.demo.orgs import SOP_002

from ..cases.helpers import work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}

# How far the page reaches to the right, and the elements that reach beyond the screen
# (their selectors, for the failure message).
MEASURE = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !el.closest(".table-wrap, pre, .document-frame")) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
      wide.push(`${name} ${Math.round(r.right)}`);
    }
  }
  return {
    width,
    page: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
    wide: wide.slice(0, 8),
  };
}"""


def screens(bali, sop002) -> list[str]:
    requester = bali["dinkes_staf"]
    case = services.open_case(
        requester, sop002, "SIKESDA lambat sekali", application=bali.applications["sikesda"]
    )
    case = work(requester, work(requester, case))
    app = bali.applications["sikesda"]
    return [
        "/kasus/kotak-masuk/",
        "/kasus/",
        "/kasus/baru/",
        f"/kasus/{case.reference}/",
        "/katalog/",
        f"/katalog/{app.pk}/",
        "/katalog/proker/2027/",
        "/prosedur/",
        f"/prosedur/{SOP_002}/",
        "/laporan/",
        "/laporan/terlambat/",
    ]


@pytest.mark.parametrize("username", ["kadis", "dinkes_staf"])
def test_the_main_screens_fit_a_375_px_screen(sign_in, bali, sop002, username):
    urls = screens(bali, sop002)
    session = sign_in(username)
    page = session.page
    page.set_viewport_size(PHONE)
    overflowing = {}
    for url in urls:
        response = page.goto(url)
        assert response is not None
        if response.status in (403, 404):  # a screen this person may not open
            continue
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        m = page.evaluate(MEASURE)
        assert m["width"] == PHONE["width"]
        if m["page"] > m["width"] or m["body"] > m["width"]:
            overflowing[url] = m
    if overflowing:
        pytest.fail("wider than the screen: " + json.dumps(overflowing, indent=1))
