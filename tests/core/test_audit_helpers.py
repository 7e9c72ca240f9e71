"""audit.services' helpers that every service shares: user_of, audit_value, apply_changes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError

from libcoop.audit.services import apply_changes, audit_value, user_of
from libcoop.network.abilities import SYSTEM
from tests.factories import InstitutionFactory


def test_user_of() -> None:
    user = User(username="someone")
    assert user_of(user) is user
    assert user_of(SYSTEM) is None
    assert user_of(AnonymousUser()) is None
    assert user_of(None) is None


@pytest.mark.django_db
def test_audit_value() -> None:
    assert audit_value(datetime.date(2019, 6, 1)) == "2019-06-01"
    assert audit_value(datetime.time(9, 30)) == "09:30:00"
    assert audit_value(InstitutionFactory(code="MFU-LIB")) == "MFU-LIB"
    assert audit_value("x") == "x"
    assert audit_value(None) is None


@pytest.mark.django_db
def test_apply_changes_sets_only_what_changes_and_refuses_other_fields() -> None:
    institution = InstitutionFactory(name_en="Old", website="")
    diff = apply_changes(institution, {"name_en": "New", "website": ""}, ("name_en", "website"))
    assert diff == {"name_en": ["Old", "New"]}
    assert institution.name_en == "New"
    with pytest.raises(ValidationError, match="Cannot change: code"):
        apply_changes(institution, {"code": "X"}, ("name_en",))
