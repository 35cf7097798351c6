"""Browser tests: Playwright driving the distribution's Chromium against a live server.

Playwright's own browser downloads are never used: the tests launch /usr/bin/chromium (Debian
package `chromium`, installed by scripts/ensure-system-libs). Without it the tests are skipped
on a developer's machine and fail in CI, where it must be present.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: run scripts/ensure-system-libs as root")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "files"


class Session:
    """One person's browser context, signed in."""

    def __init__(self, browser, base_url: str, username: str) -> None:
        self.context = browser.new_context(
            base_url=base_url, locale="id-ID", viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto("/akun/masuk/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "laksana-demo")
        self.page.locator("form:has(input[name=username]) button[type=submit]").click()
        self.page.wait_for_load_state("networkidle")
        assert "/akun/masuk/" not in self.page.url, f"{username} could not sign in"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def sign_in(chromium_browser, live_server):
    sessions: list[Session] = []

    def _sign_in(username: str) -> Session:
        s = Session(chromium_browser, live_server.url, username)
        sessions.append(s)
        return s

    yield _sign_in
    for s in sessions:
        s.close()
