"""Pages render in Thai and English, from the demo network's data."""

from __future__ import annotations

import unicodedata

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/networks/",
    "/networks/GLN/",
    "/networks/PULINET/",
    "/institutions/",
    "/institutions/MFU-LIB/",
    "/health",
]


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_render(demo_registry: None, path: str) -> None:
    assert Client().get(path).status_code == 200


def test_thai_is_the_default_language_and_renders_intact(demo_registry: None) -> None:
    html = Client().get("/institutions/MFU-LIB/").content.decode()
    assert '<html lang="th">' in html
    assert "ศูนย์บรรณสารและสื่อการศึกษา มหาวิทยาลัยแม่ฟ้าหลวง" in html
    assert "สมาชิกภาพ" in html  # the "Memberships" heading, translated
    # Buddhist-era year in Thai for the Green Library Network membership (2014 CE).
    assert "ตั้งแต่ปี 2557" in html
    # Thai text reaches the page in NFC with no replacement characters or stray PUA glyphs.
    assert "\ufffd" not in html
    assert unicodedata.normalize("NFC", html) == html
    assert not any(0xF700 <= ord(c) <= 0xF71A for c in html)


def test_english_switch_shows_common_era(demo_registry: None) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/institutions/MFU-LIB/"})
    assert response.status_code == 302
    html = client.get("/institutions/MFU-LIB/").content.decode()
    assert '<html lang="en">' in html
    assert "Memberships" in html
    assert "since 2014" in html
    assert "Center for Library Resources and Educational Media" in html


def test_seed_text_is_generated_from_data(demo_registry: None) -> None:
    """The institution page tells the seed's story: networks, since 2557, schools by year."""
    from libcoop.network.narrative import cooperation_paragraphs
    from libcoop.network.queries import get_institution

    mfu = get_institution("MFU-LIB")
    text = " ".join(cooperation_paragraphs(mfu, "th"))
    assert "เป็นสมาชิกเครือข่ายห้องสมุดสีเขียว ตั้งแต่ปี 2557" in text
    assert "คณะกรรมการเครือข่ายห้องสมุดสีเขียว" in text
    assert "เครือข่ายสำนักงานสีเขียวภาครัฐ" in text
    assert "ปี 2560 ร่วมกับโรงเรียนธารทิพย์" in text
    assert "โรงเรียนอนุบาลนางแล (บ้านทุ่ง)" in text and "โรงเรียนห้วยห้างป่าสา" in text
    assert "PULINET" in text and "ThaiLIS" in text
    english = " ".join(cooperation_paragraphs(mfu, "en"))
    assert "Green Library Network since 2014" in english
    # The green-library story comes first, as in the seed.
    assert cooperation_paragraphs(mfu, "th")[0].find("ห้องสมุดสีเขียว") > 0


def test_institution_search_filters(demo_registry: None) -> None:
    client = Client()
    html = client.get("/institutions/", {"q": "แม่ฟ้าหลวง"}).content.decode()
    assert "MFU-LIB" in html
    assert "CMU-LIB" not in html
    schools = client.get("/institutions/", {"kind": "school"}).content.decode()
    assert "โรงเรียนธารทิพย์" in schools
    assert "MFU-LIB" not in schools
    # HTMX requests get only the table rows.
    rows = client.get("/institutions/", {"q": "ธารทิพย์"}, headers={"HX-Request": "true"})
    assert b"<html" not in rows.content and "ธารทิพย์" in rows.content.decode()


def test_unknown_codes_are_404() -> None:
    client = Client()
    assert client.get("/networks/NOPE/").status_code == 404
    assert client.get("/institutions/NOPE/").status_code == 404
