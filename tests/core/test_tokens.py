"""API tokens with an owner, a scope, an expiry and revocation; issued by their owner (page),
an operator (``libcoop tokens issue``) or a superuser; every issue and revocation audited."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from libcoop.audit.models import AuditEvent
from libcoop.core.models import ApiToken
from libcoop.core.tokens import create_token, issue_token, revoke_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.factories import InstitutionFactory, staff

pytestmark = pytest.mark.django_db


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


@pytest.fixture
def admin_of_library() -> object:
    return staff(StaffRole.LIBRARY_ADMIN, InstitutionFactory(code="TOK-LIB"))


def _patch(key: str) -> int:
    return (
        Client()
        .patch(
            "/api/institutions/TOK-LIB",
            {"name_en": "Renamed"},
            content_type="application/json",
            headers=_headers(key),
        )
        .status_code
    )


def test_a_read_token_reads_but_never_writes(admin_of_library: object) -> None:
    read = issue_token(admin_of_library, "read", acting_user=admin_of_library, scope="read")
    write = issue_token(admin_of_library, "write", acting_user=admin_of_library, scope="write")
    assert Client().get("/api/catalog/imports/1", headers=_headers(read)).status_code == 404
    assert _patch(read) == 403
    assert _patch(write) == 200


def test_expired_and_revoked_tokens_are_refused(admin_of_library: object) -> None:
    token, key = create_token(admin_of_library, "t", acting_user=SYSTEM, days=1)
    assert _patch(key) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - datetime.timedelta(1))
    assert _patch(key) == 401
    token2, key2 = create_token(admin_of_library, "t2", acting_user=SYSTEM)
    revoke_token(token2, acting_user=admin_of_library)
    assert _patch(key2) == 401
    assert AuditEvent.objects.filter(verb="core.api_token.changed").count() == 1


def test_only_the_owner_or_an_operator_issues(admin_of_library: object) -> None:
    other = staff(StaffRole.LIBRARIAN, InstitutionFactory())
    with pytest.raises(PermissionDenied):
        issue_token(admin_of_library, "x", acting_user=other)
    issue_token(admin_of_library, "mine", acting_user=admin_of_library)
    issue_token(admin_of_library, "ops", acting_user=SYSTEM)
    assert AuditEvent.objects.filter(verb="core.api_token.created").count() == 2


def test_the_account_page_issues_and_revokes(admin_of_library: object) -> None:
    client = Client()
    client.force_login(admin_of_library)
    page = client.post("/accounts/tokens/", {"name": "script", "scope": "read", "days": 30})
    key = re.search(r"<code>(lc_[^<]+)</code>", page.content.decode())
    assert key, page.content.decode()[:500]
    token = ApiToken.objects.get(user=admin_of_library)
    assert token.scope == "read" and token.expires is not None
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked
    stranger = Client()
    stranger.force_login(staff(StaffRole.LIBRARIAN, InstitutionFactory()))
    assert stranger.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


def test_the_command_prints_a_working_token(admin_of_library: object) -> None:
    out = StringIO()
    call_command(
        "tokens", "issue", admin_of_library.get_username(), "--scope", "write", "--days", "7",
        stdout=out,
    )  # fmt: skip
    key = out.getvalue().strip()
    assert key.startswith("lc_") and _patch(key) == 200
    call_command("tokens", "revoke", key[:8], stdout=StringIO())
    assert _patch(key) == 401
