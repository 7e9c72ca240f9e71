"""Patron accounts: a library's staff add patrons one by one or from a CSV (bad rows reported
with their line, the rest created), each patron sets a password from an e-mailed link and signs
in; staff of another library can neither add nor see them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from libcoop.network import patrons
from libcoop.network.models import StaffProfile, StaffRole
from tests.factories import InstitutionFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def libraries() -> tuple:
    own, other = InstitutionFactory(code="OWN-LIB"), InstitutionFactory(code="OTH-LIB")
    return own, other, staff(StaffRole.LIBRARIAN, own), staff(StaffRole.LIBRARIAN, other)


def test_staff_add_a_patron_who_then_signs_in(libraries: tuple) -> None:
    own, _other, librarian, _outsider = libraries
    client = Client()
    client.force_login(librarian)
    answer = client.post(
        "/institutions/OWN-LIB/patrons/",
        {"username": "somchai", "email": "somchai@example.org", "first_name": "Somchai"},
    )
    assert answer.status_code == 302
    profile = StaffProfile.objects.get(user__username="somchai")
    assert (profile.institution, profile.role) == (own, StaffRole.PATRON)
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    patron = Client()
    form = patron.get(path, follow=True)
    assert form.status_code == 200
    done = patron.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"},
    )
    assert done.status_code == 302
    signed_in = Client().post(
        "/accounts/login/", {"username": "somchai", "password": "a long new passphrase 42"}
    )
    assert signed_in.status_code == 302 and "_auth_user_id" in signed_in.client.session


def test_csv_import_reports_bad_rows_and_keeps_the_rest(libraries: tuple) -> None:
    own, _other, librarian, _outsider = libraries
    User.objects.create_user("taken")
    data = (
        b"username,email,first_name,last_name\n"
        b"anong,anong@example.org,Anong,S.\n"
        b"taken,x@example.org,,\n"
        b"no email,,,\n"
        b"malee,malee@example.org,Malee,\n"
    )
    result = patrons.import_patrons(own, data, acting_user=librarian)
    assert result.created == ["anong", "malee"]
    assert [line for line, _ in result.problems] == [3, 4]
    client = Client()
    client.force_login(librarian)
    page = client.post(
        "/institutions/OWN-LIB/patrons/",
        {"csv": "1", "file": SimpleUploadedFile("p.csv", b"username,email\npim,pim@example.org\n")},
    )
    assert page.status_code == 200 and 'id="import-report"' in page.content.decode()
    assert StaffProfile.objects.filter(institution=own, role=StaffRole.PATRON).count() == 3


def test_another_library_cannot_add_or_see_patrons(libraries: tuple) -> None:
    own, _other, _librarian, outsider = libraries
    with pytest.raises(PermissionDenied):
        patrons.add_patron(own, username="x123", email="x@example.org", acting_user=outsider)
    client = Client()
    client.force_login(outsider)
    assert client.get("/institutions/OWN-LIB/patrons/").status_code == 404
    patron = staff(StaffRole.PATRON, own)
    client.force_login(patron)
    assert client.get("/institutions/OWN-LIB/patrons/").status_code == 404
