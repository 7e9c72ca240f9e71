"""Pages fit the screen (#16): at a 390 px phone and a 1280 px desktop, in Thai and in English,
no page is wider than the viewport — the facet column, wide tables and long identifiers stay
inside the screen instead of pushing the page sideways.

One Chromium and one live server (the ``page`` fixture of ``test_browser.py``); the data are the
demo network, its accounts and green-library reports (as in ``test_greenlib_browser.py``), a
few catalog records held by two demo libraries, and two items of the demo digital collection
(metadata only: the layout does not depend on the PDFs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_browser import ARTIFACTS, page  # noqa: F401 - the Chromium page fixture
from tests.catalog.marcdata import book, write
from tests.greenlib.test_report import load_full_demo

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
LONG_URL = "https://lib.example.ac.th/" + "a-very-long-path-segment-without-any-break" * 3


def _catalog(tmp_path: Path) -> int:
    """A cluster held by two demo libraries, and records enough for every facet to show."""
    from libcoop.catalog.ingest import import_file
    from libcoop.catalog.models import Cluster
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution

    for n, code in enumerate(("MFU-LIB", "CMU-LIB")):
        library = Institution.objects.get(code=code)
        records = [
            book(
                f"{code}-1",
                "Green libraries: sustainable practice for academic libraries",
                subtitle=LONG_URL,
                isbn="9780306406157",
                call_number="Z675.U5 G74 2019",
            ),
            book(f"{code}-2", "ห้องสมุดสีเขียวกับการพัฒนาที่ยั่งยืน", lang="tha", year=2020),
            book(f"{code}-3", "Library energy audits", author="Somchai, Jaidee.", year=2018 + n),
        ]
        import_file(write(tmp_path / f"{code}.mrc", *records), library, acting_user=SYSTEM)
    return Cluster.objects.get(records__local_id="MFU-LIB-1").pk


def _repository() -> None:
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution
    from libcoop.repository import demo, services

    for entry in demo.load_entries()[:2]:
        institution = Institution.objects.get(code=entry["institution"])
        item = services.create_item(institution, entry["metadata"], acting_user=SYSTEM)
        services.publish_through(item, acting_user=SYSTEM, metadata_only=True)


def _overflow(page: Any) -> str | None:  # noqa: F811
    """None when the page fits, else the widths and the elements past the edge (the culprits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    if width <= viewport:
        return None
    culprits = page.evaluate(
        """(vw) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > vw + 1)
            .filter(e => !e.closest('table') || e.matches('table'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (e.className && typeof e.className === 'string' ? '.' + e.className : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right))""",
        viewport,
    )
    return f"{page.url}: {width} px wide in a {viewport} px viewport ({'; '.join(culprits)})"


@pytest.mark.django_db(transaction=True)
def test_pages_fit_phone_and_desktop_in_thai_and_english(
    page: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from libcoop.network.demo import DEMO_PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    load_full_demo()
    cluster = _catalog(tmp_path)
    _repository()
    url = live_server.url

    public = [
        "/",
        "/catalog/?q=library",
        "/catalog/?q=ห้องสมุด",
        f"/catalog/clusters/{cluster}/",
        "/greenlib/reports/MFU-LIB/2019/",
        "/repository/",
        "/repository/search/?q=water",
        "/networks/PULINET/",  # the membership timeline
        "/no-such-page/",
    ]
    signed_in = ["/ill/", "/ill/stats/", "/repository/deposit/"]  # tables, wide selects, forms
    screenshots = {
        "/catalog/?q=library": "catalog-search",
        f"/catalog/clusters/{cluster}/": "cluster",
        "/greenlib/reports/MFU-LIB/2019/": "greenlib-report",
    }

    browser = page.context.browser
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    widths: list[str] = []  # kept in test-artifacts/ for the record
    for lang, locale in (("th", "th-TH"), ("en", "en-US")):
        # The language comes from the browser's Accept-Language, as for a first visit.
        anonymous = browser.new_context(locale=locale).new_page()
        librarian = browser.new_context(locale=locale).new_page()
        librarian.goto(f"{url}/accounts/login/")
        librarian.fill("#id_username", "mfu.librarian")
        librarian.fill("#id_password", DEMO_PASSWORD)
        librarian.click("button[type=submit]")
        librarian.wait_for_load_state()
        for width in WIDTHS:
            for tab, paths in ((anonymous, public), (librarian, signed_in)):
                tab.set_viewport_size({"width": width, "height": 900})
                for path in paths:
                    response = tab.goto(f"{url}{path}")
                    expected = 404 if path == "/no-such-page/" else 200
                    assert response.status == expected, path
                    assert tab.locator("html").get_attribute("lang") == lang, path
                    if path.startswith("/catalog/?"):  # results and facets, side by side or not
                        assert tab.locator("#facets li").count() > 0, path
                        assert tab.locator("ol.results li").count() > 0, path
                    scroll_width = tab.evaluate("document.documentElement.scrollWidth")
                    widths.append(f"{lang} {width:4d} {scroll_width:5d} {path}")
                    if width == WIDTHS[0] and lang == "th" and path in screenshots:
                        name = f"phone-{screenshots[path]}-th.png"
                        tab.screenshot(path=str(ARTIFACTS / name), full_page=True)
                    problem = _overflow(tab)
                    if problem:
                        problems.append(problem)
        anonymous.context.close()
        librarian.context.close()
    (ARTIFACTS / "layout-widths.txt").write_text("\n".join(widths) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)
