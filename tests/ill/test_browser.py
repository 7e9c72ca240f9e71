"""A loan through the pages in real headless Chromium: a patron requests a book from its
catalog page, the borrowing library's librarian validates and sends it, the lending library's
librarian supplies and ships it, the borrower receives it, lends it to the patron, takes it back
and ships it home, and the lender checks it in — each person in their own browser session."""

from __future__ import annotations

from typing import Any

import pytest

from libcoop.ill.models import PatronRequest, SupplyRequest
from tests.browser.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.ill.conftest import Net

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def _session(page: Any, url: str, user: Any) -> Any:  # noqa: F811
    user.set_password(PASSWORD)
    user.save()
    context = page.context.browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    tab.goto(f"{url}/accounts/login/")
    tab.fill("#id_username", user.get_username())
    tab.fill("#id_password", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()
    return tab


def _act(tab: Any, url: str, path: str, action: str) -> None:
    tab.goto(f"{url}{path}")
    tab.click(f"button[data-action={action}]")
    tab.wait_for_load_state()
    assert tab.locator(".messages .error").count() == 0, tab.locator(".messages").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_loan_through_the_pages(page: Any, live_server: Any, net: Net) -> None:  # noqa: F811
    url = live_server.url
    patron = _session(page, url, net.patron)
    patron.goto(f"{url}/catalog/clusters/{net.cluster.pk}/")
    patron.click("#request-item")
    patron.select_option("#id_service_type", "Loan")
    patron.fill("#id_pickup_location", "Main library, counter 2")
    patron.click("main form button[type=submit]")
    patron.wait_for_load_state()
    patron.wait_for_url(f"{url}/ill/requests/*/")
    request = PatronRequest.objects.get()
    assert request.patron == net.patron and request.title == "Green libraries"
    req_path = f"/ill/requests/{request.pk}/"
    # The patron sees no staff actions but their own cancel.
    assert patron.locator("button[data-action=validate]").count() == 0
    assert patron.locator("button[data-action=cancel]").count() == 1

    librarian = _session(page, url, net.librarian)
    _act(librarian, url, req_path, "validate")
    _act(librarian, url, req_path, "send")
    request.refresh_from_db()
    assert request.state == "sent"
    assert librarian.locator("#rota tbody tr").count() == len(net.lenders)

    supply = SupplyRequest.objects.get()
    lender = _session(page, url, net.lender_staff[net.lenders.index(supply.lender)])
    lender.goto(f"{url}/ill/")
    lender.click(f"#lending a[href='/ill/supplies/{supply.pk}/']")
    sup_path = f"/ill/supplies/{supply.pk}/"
    for action in ("will_supply", "pick", "ship"):
        _act(lender, url, sup_path, action)
    for action in ("receive", "check_out", "patron_returned", "ship_return"):
        _act(librarian, url, req_path, action)
    for action in ("check_in", "complete"):
        _act(lender, url, sup_path, action)
    request.refresh_from_db()
    supply.refresh_from_db()
    assert (request.state, supply.state) == ("completed", "completed")
    patron.goto(f"{url}/ill/")
    assert "Green libraries" in patron.locator("#mine").inner_text()
