"""Pages a new user meets (#16): error pages in the site's frame in Thai and English, password
reset by e-mail (in the frame, rate limited, linked from the login page), offline API docs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import translation

from libcoop.core import errors
from tests.factories import UserFactory

FRAME = '<header class="site">'


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()  # the reset limits are counted in the cache
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "title"), [("th", "ไม่พบหน้านี้"), ("en", "Page not found")])
def test_404_in_the_sites_frame(lang: str, title: str) -> None:
    response = Client().get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 404
    html = response.content.decode()
    assert FRAME in html and title in html and f'<html lang="{lang}">' in html
    assert "Not Found</h1>" not in html  # Django's bare page


@pytest.mark.parametrize(("lang", "first"), [("th", "ขออภัย ระบบขัดข้อง"), ("en", "Sorry")])
def test_500_in_the_sites_frame_without_the_database(lang: str, first: str) -> None:
    request = RequestFactory().get("/")
    with translation.override(lang):
        response = errors.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert FRAME in html and "libcoop.css" in html and f'<html lang="{lang}">' in html
    assert html.index(first) < html.index("ขออภัย" if lang == "en" else "Sorry")


def _user() -> object:
    user = UserFactory(username="somsri", email="somsri@example.org")
    user.set_password("an old passphrase 11")
    user.save()
    return user


@pytest.mark.django_db
def test_password_reset_by_e_mail_in_thai_from_the_login_page() -> None:
    _user()
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    login = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in login
    form = client.get("/accounts/password/reset/")
    html = form.content.decode()
    assert FRAME in html and "ลืมรหัสผ่าน" in html and "admin" not in html
    sent = client.post("/accounts/password/reset/", {"email": "somsri@example.org"}, follow=True)
    assert sent.status_code == 200 and FRAME in sent.content.decode()
    assert "reset-sent" in sent.content.decode()
    (message,) = mail.outbox
    assert message.to == ["somsri@example.org"]
    assert "LibCoop" in message.subject and "\n" not in message.subject
    assert "somsri" in message.body and "บัญชี" in message.body and "account" in message.body
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    assert link is not None
    confirm = client.get(urlsplit(link.group(0)).path, follow=True)
    assert FRAME in confirm.content.decode() and "id_new_password1" in confirm.content.decode()
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "a new passphrase 42", "new_password2": "a new passphrase 42"},
        follow=True,
    )
    assert FRAME in done.content.decode()
    logged_in = Client().post(
        "/accounts/login/", {"username": "somsri", "password": "a new passphrase 42"}
    )
    assert logged_in.status_code == 302
    # the link works once
    again = client.get(urlsplit(link.group(0)).path, follow=True).content.decode()
    assert "reset-invalid" in again


@pytest.mark.django_db
def test_password_reset_does_not_tell_whether_an_address_has_an_account() -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and mail.outbox == []


@pytest.mark.django_db
def test_password_reset_is_rate_limited(settings: object) -> None:
    _user()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": "somsri@example.org"})
    assert len(mail.outbox) == 3  # per address
    for _ in range(6):  # 10 requests from this client so far are let through
        response = client.post("/accounts/password/reset/", {"email": "x@example.org"})
    assert response.status_code == 429  # per client address
    assert FRAME in response.content.decode() and "Try again in 60 minutes" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_api_docs_work_offline() -> None:
    """Everything the docs page loads comes from this site: no CDN, no online validator."""
    html = Client().get("/api/docs").content.decode()
    assert "swagger-ui" in html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(not urlsplit(ref).netloc for ref in refs), refs
    for ref in refs:
        if ref.startswith("/static/"):
            assert Client().get(ref).status_code == 200, ref
    config = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert config["validatorUrl"] is None  # else the UI fetches a badge from the validator
    assert re.search(r"https?://", json.dumps(config)) is None
    home = Client().get("/").content.decode()
    assert 'href="/api/docs"' in home  # the main menu's link, which now works
