"""Login throttling (django-axes): lock-out per username and address, audited unlock."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from libcoop.audit.models import AuditEvent
from libcoop.network.logins import unlock_login

pytestmark = pytest.mark.django_db
LIMIT = 5
PASSWORD = "right-horse-battery-staple"


@pytest.fixture
def user() -> User:
    return User.objects.create_user("somchai", password=PASSWORD)


def _login(password: str, *, address: str = "192.0.2.10", lang: str = "en") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/",
        {"username": "somchai", "password": password},
        headers={"Accept-Language": lang},
    )


def _lock_out(address: str = "192.0.2.10") -> Any:
    responses = [_login("wrong", address=address) for _ in range(LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)
    return responses[-1]


def test_repeated_failures_lock_the_account_from_that_address(user: User) -> None:
    locked = _lock_out()
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Even the right password is refused now, from that address …
    again = _login(PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in again.client.session
    # … but not from another one: the lock is per username and address.
    assert _login(PASSWORD, address="198.51.100.7").status_code == 302


def test_the_lock_out_page_speaks_thai(user: User) -> None:
    _lock_out()
    page = _login(PASSWORD, lang="th")
    assert page.status_code == 429
    html = page.content.decode()
    assert 'lang="th"' in html
    assert "เข้าสู่ระบบผิด" in html


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(user: User) -> None:
    _lock_out()
    forged = Client(REMOTE_ADDR="192.0.2.10").post(
        "/accounts/login/",
        {"username": "somchai", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert forged.status_code == 429


def test_unlock_lifts_the_lock_and_is_audited(user: User) -> None:
    _lock_out()
    call_command("unlock", "somchai", stdout=open("/dev/null", "w"))  # noqa: SIM115
    event = AuditEvent.objects.get(verb="core.login.unlocked")
    assert event.object_id == str(user.pk) and event.actor_label == "system"
    assert event.data["attempts_removed"] >= 1
    assert _login(PASSWORD).status_code == 302


def test_only_operators_may_unlock(user: User) -> None:
    with pytest.raises(PermissionDenied):
        unlock_login("somchai", acting_user=user)
    assert not AuditEvent.objects.filter(verb="core.login.unlocked").exists()
