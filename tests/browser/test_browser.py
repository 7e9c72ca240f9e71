"""A person's path through the site in real headless Chromium (Debian's, via Playwright).

Logs in as a library admin, switches the language, edits the library's record, and checks the
change on the page and in the database; a screenshot of the Thai page is kept for the docs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from libcoop.network.models import Institution, StaffRole
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

CHROMIUM = (
    os.environ.get("LIBCOOP_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip(
            "Chromium not installed (Debian: apt-get install chromium); browser test skipped"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="th-TH")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        yield pg
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.django_db(transaction=True)
def test_admin_logs_in_switches_language_and_edits(
    page: Any, live_server: Any, demo_registry: None
) -> None:
    from libcoop.network.models import StaffProfile

    user = UserFactory(username="mfu.browser")
    user.set_password("correct horse battery")
    user.save()
    StaffProfile.objects.create(
        user=user, institution=Institution.objects.get(code="MFU-LIB"), role=StaffRole.LIBRARY_ADMIN
    )
    url = live_server.url
    page.goto(f"{url}/institutions/MFU-LIB/")
    assert page.locator("html").get_attribute("lang") == "th"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "institution-th.png"), full_page=True)
    # The Thai font really is the bundled Sarabun, not a fallback.
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Sarabun" in family
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ห้องสมุด')")

    page.click("text=เข้าสู่ระบบ")
    page.fill("#id_username", "mfu.browser")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/institutions/MFU-LIB/")

    page.select_option("#language-select", "en")  # submits the language form on change
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2", has_text="Memberships").is_visible()

    page.click("#edit-institution")
    page.fill("#id_short_name", "MFU Library (edited in Chromium)")
    page.click("#institution-form button[type=submit]")
    page.wait_for_url(f"{url}/institutions/MFU-LIB/")
    assert page.locator(".messages").inner_text().strip() == "Saved."
    assert Institution.objects.get(code="MFU-LIB").short_name == "MFU Library (edited in Chromium)"


@pytest.mark.django_db(transaction=True)
def test_other_library_cannot_open_the_edit_page(
    page: Any, live_server: Any, demo_registry: None
) -> None:
    from libcoop.network.models import StaffProfile

    user = UserFactory(username="cmu.browser")
    user.set_password("correct horse battery")
    user.save()
    StaffProfile.objects.create(
        user=user, institution=Institution.objects.get(code="CMU-LIB"), role=StaffRole.LIBRARY_ADMIN
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/institutions/MFU-LIB/edit/")
    page.fill("#id_username", "cmu.browser")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() in ("ไม่ได้รับอนุญาต", "Not allowed")
    assert page.locator("#institution-form").count() == 0
