"""A librarian records an outreach activity in Chromium, sees it in the green-library report
and downloads the report as a PDF that contains it.

Chromium, Playwright and the live server are set up as in ``test_browser.py`` (Debian's
chromium; the test skips with a reason when it is missing, which CI turns into a failure).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_browser import ARTIFACTS, page  # noqa: F401 - the Chromium page fixture
from tests.greenlib.test_report import load_full_demo

pytestmark = pytest.mark.browser

TITLE_TH = "ห้องสมุดสีเขียวสัญจร รักษ์น้ำ ทดสอบในเบราว์เซอร์"
TITLE_EN = "Green library on the road: saving water (browser test)"


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.django_db(transaction=True)
def test_new_outreach_activity_reaches_the_pdf_report(
    page: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from pypdf import PdfReader

    from libcoop.network.demo import DEMO_PASSWORD
    from libcoop.outreach.models import Activity

    settings.MEDIA_ROOT = tmp_path / "media"
    load_full_demo()
    url = live_server.url

    page.goto(f"{url}/accounts/login/?next=/outreach/activities/new/")
    page.fill("#id_username", "mfu.librarian")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/outreach/activities/new/")

    page.select_option("#id_programme", "MFU-BIGSIB")
    page.fill("#id_title_th", TITLE_TH)
    page.fill("#id_title_en", TITLE_EN)
    page.select_option("#id_activity_type", "reading")
    page.fill("#id_date", "2019-08-15")
    page.select_option("#id_schools", ["THANTHIP-SCH"])
    page.fill("#id_pupils", "35")
    page.fill("#id_teachers", "3")
    page.fill("#id_staff", "4")
    page.fill("#id_objectives_th", "ให้ความรู้เรื่องการประหยัดน้ำแก่นักเรียน")
    page.fill("#id_description_th", "อ่านนิทานเรื่องน้ำและจัดมุมความรู้")
    page.fill("#id_outcomes_th", "นักเรียนปิดก๊อกน้ำหลังใช้")
    page.locator("#activity-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/outreach/activities/\d+/$"))
    activity = Activity.objects.get(title_th=TITLE_TH)
    assert page.url == f"{url}/outreach/activities/{activity.pk}/"

    page.goto(f"{url}/greenlib/reports/MFU-LIB/2019/?lang=th")
    assert page.locator("article.greenlib-report").get_attribute("lang") == "th"
    outreach_table = page.locator("table.report-outreach")
    assert outreach_table.get_by_text(TITLE_TH).is_visible()
    story = page.locator(".narrative").first.inner_text()
    assert f"จัดกิจกรรม “{TITLE_TH}” ที่โรงเรียนธารทิพย์" in story
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-mfu-2019-th-page.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#download-pdf")
    download = info.value
    assert download.suggested_filename == "greenlib-MFU-LIB-2019-th.pdf"
    reader = PdfReader(download.path())
    text = "".join(p.extract_text() for p in reader.pages)
    assert _no_space(TITLE_TH) in _no_space(text)
    assert _no_space("โรงเรียนธารทิพย์") in _no_space(text)
