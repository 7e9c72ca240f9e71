"""Patron accounts: a library's staff create the accounts of their own patrons, one by one or
from a CSV file, and the patron signs in with their own login (a password they set from the
link e-mailed to them, through Django's password reset). Staff of library A never create or
see the patrons of library B.

CSV columns (header row required, UTF-8, comma-separated): ``username,email,first_name,
last_name``; each row is checked on its own and a bad row is reported with its line number and
reason without stopping the others.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution, StaffProfile, StaffRole

USERNAME = re.compile(r"^[\w.@+-]{3,150}$")
COLUMNS = ("username", "email", "first_name", "last_name")


@transaction.atomic
def add_patron(
    institution: Institution,
    *,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    acting_user: Actor,
) -> Any:
    """Create a patron of *institution*; nobody knows the account's password until the patron
    sets one from the e-mailed link."""
    require(acting_user, "institution.manage_patrons", institution)
    username = username.strip()
    if not USERNAME.match(username):
        raise ValidationError(_("A username has 3 to 150 letters, digits or . @ + - _."))
    validate_email(email.strip())
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The username %(name)s is taken.") % {"name": username})
    user = user_model(
        username=username,
        email=email.strip(),
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )
    # A random password nobody knows: usable, so that Django's reset link can replace it.
    user.set_password(get_random_string(48))
    user.save()
    profile = StaffProfile.objects.create(user=user, institution=institution, role=StaffRole.PATRON)
    record(
        AuditVerb.STAFF_CHANGED,
        profile,
        acting_user=acting_user,
        institution_code=institution.code,
        role=[None, StaffRole.PATRON],
        username=username,
    )
    return user


@dataclass
class PatronImport:
    created: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def import_patrons(institution: Institution, data: bytes, *, acting_user: Actor) -> PatronImport:
    """Create the patrons of a CSV file; each row in its own transaction."""
    require(acting_user, "institution.manage_patrons", institution)
    result = PatronImport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append((1, _("The file is not UTF-8 text.")))
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("username", "email") if c not in (reader.fieldnames or [])]
    if missing:
        result.problems.append(
            (1, _("The header row lacks: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return result
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "") for k in COLUMNS}
        try:
            add_patron(institution, acting_user=acting_user, **values)
        except ValidationError as exc:
            result.problems.append((line, " ".join(exc.messages)))
        else:
            result.created.append(values["username"].strip())
    return result


def patrons_of(institution: Institution) -> list[StaffProfile]:
    return list(
        StaffProfile.objects.filter(institution=institution, role=StaffRole.PATRON)
        .select_related("user")
        .order_by("user__username")
    )
