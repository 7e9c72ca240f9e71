"""Forms speak Thai on Thai pages (#16): Django 6.1's empty choice "- Select an option -"
and some of its validation messages have no Thai in Django's own catalogue; LibCoop's
catalogue carries them (``core/django_messages.py`` lists them for extraction)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext

from libcoop.core import django_messages
from libcoop.network.models import StaffRole
from tests.factories import InstitutionFactory, staff
from tests.outreach.factories import ProgrammeFactory

ENGLISH_DEFAULTS = ("Select an option", "---------")


def _msgids() -> list[tuple[str, str | None]]:
    """The messages the module lists, read as makemessages reads them (from the source)."""
    tree = ast.parse(Path(django_messages.__file__).read_text(encoding="utf-8"))
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "gettext_noop":
                found.append((ast.literal_eval(node.args[0]), None))
            elif node.func.id == "ngettext_lazy":
                found.append((ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])))
    assert len(found) == len(django_messages.MESSAGES)
    return found


@pytest.mark.parametrize(("msgid", "plural"), _msgids())
def test_djangos_untranslated_messages_have_thai(msgid: str, plural: str | None) -> None:
    with translation.override("th"):
        shown = gettext(msgid) if plural is None else ngettext(msgid, plural, 2)
    assert shown not in (msgid, plural), f"no Thai for Django's {msgid!r}"


class _Choice(forms.Form):
    kind = forms.ModelChoiceField(queryset=Group.objects.none(), required=False)


def test_a_selects_empty_choice_is_thai_on_thai_pages() -> None:
    from django.db.models.fields import BLANK_CHOICE_LABEL

    with translation.override("th"):
        html = str(_Choice()["kind"])
        assert str(BLANK_CHOICE_LABEL) != "- Select an option -"
    assert not any(text in html for text in ENGLISH_DEFAULTS), html
    with translation.override("en"):
        assert "Select an option" in str(_Choice()["kind"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/knowledge/new/", "/events/new/", "/outreach/activities/new/", "/outreach/programmes/new/"],
)
def test_forms_of_the_apps_show_no_english_empty_choice(url: str) -> None:
    library = InstitutionFactory()
    ProgrammeFactory(run_by=library)  # so that the library may record activities
    user = staff(StaffRole.LIBRARY_ADMIN, library)
    client = Client()
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<select" in html
    assert not any(text in html for text in ENGLISH_DEFAULTS)
