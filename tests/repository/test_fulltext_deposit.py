"""Done-when of #15: a deposited Thai PDF is found by a Thai word that occurs only in its body
text, and the snippet shows the word intact — deposit through the service, the queued
processing (text, thumbnail, index), then the collection's search, as an anonymous reader."""

from __future__ import annotations

from typing import Any

import pytest

from libcoop.network.abilities import SYSTEM
from libcoop.repository import demo_pdfs, search, services
from libcoop.repository.models import ItemFile, TextStatus
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

BODY_WORD = "บ่อดักไขมัน"  # in the body only: not in the title, abstract or keywords


def test_a_thai_word_of_the_body_finds_the_deposit(django_capture_on_commit_callbacks: Any) -> None:
    pdf = demo_pdfs.text_pdf(
        "การจัดการน้ำเสียในชุมชนริมแม่น้ำกก",
        [
            "บทคัดย่อ การวิจัยนี้ศึกษาการมีส่วนร่วมของชุมชนในการจัดการน้ำเสียครัวเรือน",
            f"ชาวบ้านยินดีร่วมสร้าง{BODY_WORD}ประจำครัวเรือนหากได้รับการสนับสนุนจากตำบล",
        ],
        page_breaks=[1],
    )
    library = InstitutionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        item = services.create_item(
            library,
            {
                "title": "การจัดการน้ำเสียในชุมชนริมแม่น้ำกก",
                "item_type": "thesis",
                "year": "2566",
                "abstract_th": "การมีส่วนร่วมของชุมชนในการจัดการน้ำเสีย",
                "keywords_th": ["น้ำเสีย", "เชียงราย"],
            },
            [services.Upload(name="thesis.pdf", data=pdf)],
            acting_user=SYSTEM,
        )
        services.publish_through(item, acting_user=SYSTEM)
    f = ItemFile.objects.get(item=item)
    assert (f.text_status, f.pages) == (TextStatus.EXTRACTED, 2)
    assert f.thumbnail_sha256

    result = search.search(BODY_WORD, user=None)
    assert [hit.item.pk for hit in result.hits] == [item.pk]
    hit = result.hits[0]
    assert not hit.in_metadata
    assert BODY_WORD in hit.snippet_text
    assert f"<mark>{BODY_WORD}</mark>" in hit.snippet_html
