"""The standards' pages in Thai carry Thai text (#16: the Thai GL-2566 page showed English
notes): every requirement, note, evidence item and source fact of both bundled standards has
its Thai, and the Thai pages show no English sentence; the English pages show the English."""

from __future__ import annotations

import html
import re

import pytest
import yaml
from django.test import Client

from libcoop.greenlib import services
from libcoop.network.abilities import SYSTEM
from tests.factories import NetworkFactory
from tests.greenlib.factories import GL_FILE, TLA_FILE

# Four or more English words in a row: a sentence, not a name ("Green Office", "ISO 14001").
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,;:'’-]+[A-Za-z][a-z]+){3,}")
# Names of schemes the Thai criteria themselves write in English.
NAMES = re.compile(r"Green (?:Library|Office|Building|Hotel|Meeting)")


def _untranslated(node: dict, where: str) -> list[str]:
    missing = []
    for key in ("title", "requirement", "note", "description"):
        if node.get(f"{key}_en") and not node.get(f"{key}_th"):
            missing.append(f"{where} {key}")
    for item in node.get("evidence") or []:
        if isinstance(item, dict) and item.get("en") and not item.get("th"):
            missing.append(f"{where} evidence {item['en'][:30]}")
    for source in node.get("sources") or []:
        has_fact = isinstance(source, dict) and (source.get("fact") or source.get("fact_en"))
        if has_fact and not source.get("fact_th"):
            missing.append(f"{where} source {source['url'][:40]}")
    for child in (
        (node.get("categories") or []) + (node.get("criteria") or []) + (node.get("children") or [])
    ):
        missing += _untranslated(child, str(child.get("code") or child.get("number")))
    return missing


@pytest.mark.parametrize("path", [TLA_FILE, GL_FILE], ids=["TLA-2558", "GL-2566"])
def test_every_text_of_the_standard_has_its_thai(path: object) -> None:
    data = yaml.safe_load(open(path, encoding="utf-8"))  # noqa: SIM115
    assert _untranslated(data, "standard") == []


def _visible(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<a\b[^>]*>https?://[^<]*</a>", " ", body)  # source addresses
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", body.split("<main>")[-1])


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["TLA-2558", "GL-2566"])
def test_thai_standard_pages_show_no_english_sentence(code: str) -> None:
    NetworkFactory(code="GLN")
    for path in (TLA_FILE, GL_FILE):
        services.load_standard(path, acting_user=SYSTEM)
    client = Client()
    thai = _visible(client.get(f"/greenlib/standards/{code}/", HTTP_ACCEPT_LANGUAGE="th"))
    main = NAMES.sub("·", thai.split("LibCoop", 2)[-1])
    assert ENGLISH_RUN.findall(main) == []
    english = _visible(client.get(f"/greenlib/standards/{code}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert ENGLISH_RUN.search(english)
