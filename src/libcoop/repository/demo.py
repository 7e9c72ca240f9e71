"""Demo items of the digital collection (loaded by ``libcoop demo``): ``data/demo_items.yaml``.

Theses, research reports, local information and an archival scan from several demo libraries,
in Thai and English, each with a real PDF generated here (``demo_pdfs``): text PDFs with a
Thai text layer, and one image-only scan that the background task OCRs. One item is embargoed
for a year, one open to network members only, one to its own institution only.

Deposited and published as ``SYSTEM`` through ``services`` (audited like any deposit); the
files are processed by the queued ``tasks.process_file`` (at once in the tests, by
``libcoop worker`` in ``make run``). Idempotent: an item is known by its library and title;
a second run generates nothing.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution
from libcoop.repository import demo_pdfs, services
from libcoop.repository.models import Item

DEMO_FILE = Path(__file__).parent / "data" / "demo_items.yaml"


def load_entries() -> list[dict[str, Any]]:
    with DEMO_FILE.open(encoding="utf-8") as f:
        entries: list[dict[str, Any]] = yaml.safe_load(f)["items"]
    return entries


def pdf_of(entry: dict[str, Any]) -> bytes:
    """The entry's PDF: its scan (no text layer) or its pages of text."""
    if entry.get("scan"):
        return demo_pdfs.scanned_pdf(entry["scan"])
    meta = entry["metadata"]
    paragraphs: list[str] = []
    breaks: list[int] = []
    for number, page in enumerate(entry["pages"]):
        if number:
            breaks.append(len(paragraphs))
        paragraphs.extend(page)
    lang = "en" if meta.get("language") == "eng" else "th"
    return demo_pdfs.text_pdf(meta["title"], paragraphs, lang=lang, page_breaks=breaks)


def _file_name(entry: dict[str, Any], index: int) -> str:
    kind = "scan" if entry.get("scan") else "fulltext"
    return f"{entry['institution'].lower()}-{index + 1:02d}-{kind}.pdf"


def _deposit(entry: dict[str, Any], index: int, today: datetime.date) -> Item:
    institution = Institution.objects.get(code=entry["institution"])
    embargo_until = None
    if entry.get("embargo_days"):
        embargo_until = today + datetime.timedelta(days=int(entry["embargo_days"]))
    item = services.create_item(
        institution,
        entry["metadata"],
        [services.Upload(name=_file_name(entry, index), data=pdf_of(entry))],
        access=entry.get("access", "open"),
        embargo_until=embargo_until,
        access_after_embargo=entry.get("access_after_embargo"),
        acting_user=SYSTEM,
    )
    return services.publish_through(item, acting_user=SYSTEM)


def load_demo() -> str:
    today = timezone.localdate()
    added = 0
    entries = load_entries()
    for index, entry in enumerate(entries):
        known = Item.objects.filter(
            institution__code=entry["institution"], title=entry["metadata"]["title"]
        ).exists()
        if not known:
            _deposit(entry, index, today)
            added += 1
    return (
        f"digital collection: {added} item(s) deposited and published ({len(entries)} in the demo)"
    )
