"""Background work on a deposited file, on Django's task framework (``TASKS``): run by
``libcoop worker`` from the durable queue; in the tests at once.

``process_file(file_id)`` — queued by ``services`` after the deposit commits:
    text (``extract``) → a scan with no text layer goes to ``ocr_file`` → thumbnail of page 1 →
    the item indexed again (``search.index_item``).
``ocr_file(file_id)`` — OCR in a task of its own (a scanned thesis takes minutes), then the
    item is indexed again with its text.

Both are idempotent and safe to run again (a worker that died is replaced and its task queued
again by ``ops``): the text is replaced, not added to; the thumbnail has the same SHA-256; a
file already read is not read again unless ``force`` is given; a file deleted meanwhile is
skipped.
"""

from __future__ import annotations

from django.tasks import task

from libcoop.repository import extract, ocr, search, thumbnails
from libcoop.repository.models import ItemFile, TextStatus

DONE = frozenset({TextStatus.EXTRACTED, TextStatus.OCR_DONE, TextStatus.NO_TEXT})


def index_item(item_id: int) -> None:
    """Ask search to index the item again (its metadata, and the files' text access allows)."""
    search.index_item(item_id)


def process(item_file: ItemFile, *, force: bool = False) -> str:
    """Text, OCR queued if needed, thumbnail; the file's text status after."""
    if force or item_file.text_status not in DONE:
        found = extract.extract_file(item_file)
        if found is not None and found.needs_ocr:
            reason = ocr.unavailable()
            if reason is not None:
                extract.set_status(item_file, TextStatus.OCR_UNAVAILABLE, reason)
            else:
                extract.set_status(item_file, TextStatus.OCR_QUEUED)
                ocr_file.enqueue(item_file.pk)
    if force or not item_file.thumbnail_sha256:
        thumbnails.make_thumbnail(item_file)
    return str(item_file.text_status)


@task
def process_file(file_id: int, force: bool = False) -> str:
    item_file = ItemFile.objects.filter(pk=file_id).first()
    if item_file is None:
        return "gone"
    status = process(item_file, force=force)
    index_item(item_file.item_id)
    return status


@task
def ocr_file(file_id: int) -> str:
    item_file = ItemFile.objects.filter(pk=file_id).first()
    if item_file is None:
        return "gone"
    if item_file.text_status == TextStatus.OCR_DONE:
        return str(item_file.text_status)
    ocr.ocr_file(item_file)
    index_item(item_file.item_id)
    return str(item_file.text_status)
