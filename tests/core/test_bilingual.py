"""core.bilingual: pick, and the x / x_in descriptors that replace hand-written properties."""

from __future__ import annotations

import pytest
from django.utils import translation

from libcoop.core.bilingual import BilingualText, BilingualTextIn, pick


class Thing:
    title = BilingualText()
    title_in = BilingualTextIn()

    def __init__(self, th: str, en: str) -> None:
        self.title_th, self.title_en = th, en


def test_pick_falls_back_to_the_other_language() -> None:
    assert pick("ไทย", "English", "th") == "ไทย"
    assert pick("ไทย", "English", "en") == "English"
    assert pick("", "English", "th") == "English"
    assert pick("ไทย", "", "en") == "ไทย"


def test_descriptors_read_the_th_and_en_fields() -> None:
    thing = Thing("ห้องสมุด", "Library")
    with translation.override("th"):
        assert thing.title == "ห้องสมุด"
    with translation.override("en"):
        assert thing.title == "Library"
    assert thing.title_in("en") == "Library"
    assert thing.title_in("th") == "ห้องสมุด"
    assert Thing("", "Library").title_in("th") == "Library"
    assert isinstance(Thing.title, BilingualText)


def test_the_text_is_read_only() -> None:
    with pytest.raises(AttributeError):
        Thing("a", "b").title = "c"  # type: ignore[misc]


def test_an_in_descriptor_must_end_in_in() -> None:
    with pytest.raises((TypeError, RuntimeError)):

        class Wrong:
            title = BilingualTextIn()
