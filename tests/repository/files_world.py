"""Stored files on a collection item for the file-processing tests (storage, text, OCR,
thumbnails, fixity): an item row of a new library and a file row per stored object."""

from __future__ import annotations

from libcoop.repository import storage
from libcoop.repository.models import Item, ItemFile, ItemStatus, ItemType
from tests.factories import InstitutionFactory


def an_item(**fields: object) -> Item:
    values: dict[str, object] = {
        "institution": InstitutionFactory(),
        "item_type": ItemType.THESIS,
        "title": "การจัดการน้ำเสียในชุมชนริมแม่น้ำกก",
        "year": 2023,
        "status": ItemStatus.PUBLISHED,
    }
    values.update(fields)
    return Item.objects.create(**values)


def a_file(data: bytes, name: str = "thesis.pdf", item: Item | None = None) -> ItemFile:
    stored = storage.store_upload(data, name=name)
    return ItemFile.objects.create(
        item=item or an_item(),
        sha256=stored.sha256,
        size=stored.size,
        kind=stored.kind,
        content_type=stored.content_type,
        original_name=name,
    )
