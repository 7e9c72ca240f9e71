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

from typing import Any

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


# Files whose processing did not finish: never run, OCR waiting or not installed, failed.
UNFINISHED = (
    TextStatus.PENDING,
    TextStatus.OCR_QUEUED,
    TextStatus.OCR_UNAVAILABLE,
    TextStatus.FAILED,
)


def add_process_arguments(parser: Any) -> None:
    parser.add_argument(
        "--file", type=int, action="append", metavar="ID", help="this file (repeatable)"
    )
    parser.add_argument("--library", metavar="CODE", help="only this library's files")
    parser.add_argument(
        "--all", action="store_true", help="every file, read or not (text read again)"
    )


def run_process(options: dict[str, Any], stdout: Any) -> None:
    """``libcoop repository process``: queue the processing of the files that did not finish
    (after installing Tesseract, say), or of the files named, or of all (``--all``) again."""
    files = ItemFile.objects.order_by("pk")
    if options.get("file"):
        files = files.filter(pk__in=options["file"])
    elif not options.get("all"):
        files = files.filter(text_status__in=UNFINISHED)
    if options.get("library"):
        files = files.filter(item__institution__code=options["library"])
    force = bool(options.get("all") or options.get("file"))
    queued = 0
    for file_id in files.values_list("pk", flat=True).iterator():
        process_file.enqueue(file_id, force)
        queued += 1
    stdout.write(f"{queued} file(s) queued for processing")
