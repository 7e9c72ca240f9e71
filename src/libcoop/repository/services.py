"""Digital-collection services: deposit, metadata edits (versioned), files, access, withdrawal.

Each function takes ``acting_user`` (keyword-only), checks a named ability
(``repository.abilities``), runs in one transaction, writes one audit event and, after the
commit, queues what follows: the file processing task for each new file (text, OCR,
thumbnail; ``tasks.process_file``) and the item's search entry (``search.index_item``).

Files are stored content-addressed (``storage.store_bytes``) before their rows are written:
when the transaction rolls back, the stored bytes stay as an object no row names, which is
harmless (the same bytes deposited again reuse it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import apply_changes, record, user_of
from libcoop.core.attachments import clean_name
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution
from libcoop.repository import workflow
from libcoop.repository.metadata import FIELDS, clean_access, clean_metadata, snapshot
from libcoop.repository.models import Item, ItemFile, ItemStatus, ItemVersion

if TYPE_CHECKING:
    from libcoop.repository.storage import StoredFile

MAX_FILES: Final = 50
LABEL_MAX: Final = 200
NOTE_MAX: Final = 500


@dataclass(frozen=True)
class Upload:
    """One file to deposit: its name as given (for display only) and where its bytes are —
    bytes in memory, an open binary file (Django's uploaded file streams in chunks) or a path
    (read when stored). The store checks size and type while it streams them."""

    name: str
    data: bytes | IO[bytes] | Path
    label: str = ""


def upload_from_path(path: Path, label: str = "") -> Upload:
    return Upload(path.name, path, label)


def _locked(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",)).select_related("institution").get(pk=item.pk)
    )


def _not_withdrawn(item: Item) -> None:
    if item.status == ItemStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn item cannot be changed."))


@dataclass(frozen=True)
class _Kept:
    """An upload checked and in the store, waiting for its row."""

    stored: StoredFile
    name: str
    label: str


def _keep(upload: Upload) -> _Kept:
    """Check the bytes (size, type sniffed from them) and put them in the store — before the
    transaction, so that streaming a large file never holds the database's write lock (a
    rollback leaves the bytes as an object no row names, which is harmless)."""
    from libcoop.repository import storage

    label = upload.label.strip()
    if len(label) > LABEL_MAX:
        raise ValidationError(
            _("A file's label is at most %(max)d characters.") % {"max": LABEL_MAX}
        )
    name = clean_name(upload.name)
    try:
        if isinstance(upload.data, Path):
            with upload.data.open("rb") as handle:
                stored = storage.store_upload(handle, name=name)
        else:
            stored = storage.store_upload(upload.data, name=name)
    except ValidationError as exc:
        raise _file_refused(exc, name) from exc
    return _Kept(stored, name, label)


def _file_row(item: Item, kept: _Kept, position: int) -> ItemFile:
    return ItemFile.objects.create(
        item=item,
        sha256=kept.stored.sha256,
        size=kept.stored.size,
        kind=kept.stored.kind,
        content_type=kept.stored.content_type,
        original_name=kept.name,
        label=kept.label,
        position=position,
    )


def _file_refused(exc: ValidationError, name: str) -> ValidationError:
    """The store's refusal, naming the file, as a lazy message (a batch report gives it in
    Thai and in English); a refusal the store gives no code for is passed on as it is."""
    from libcoop.core.attachments import KINDS
    from libcoop.repository import storage

    code = getattr(exc, "code", None)
    if code == "too_large":
        return ValidationError(
            gettext_lazy("%(name)s is larger than %(limit)d MB."),
            params={"name": name, "limit": storage.max_bytes() // (1024 * 1024)},
            code=code,
        )
    if code == "empty":
        return ValidationError(gettext_lazy("%(name)s is empty."), params={"name": name})
    if code == "type":
        kinds = ", ".join(sorted({KINDS[k].extension.upper() for k in storage.ALLOWED}))
        return ValidationError(
            gettext_lazy("%(name)s: this type of file is not accepted. Accepted: %(kinds)s."),
            params={"name": name, "kinds": kinds},
            code=code,
        )
    return exc


def _file_facts(f: ItemFile) -> dict[str, object]:
    return {"id": f.pk, "name": f.original_name, "sha256": f.sha256, "size": f.size}


def _after_commit(item_id: int, new_files: Sequence[int] = ()) -> None:
    """After the commit: process each new file (text, OCR, thumbnail; the task asks search to
    index again when it is done) and index the item's metadata now."""

    def queue() -> None:
        from libcoop.repository.tasks import process_file

        for file_id in new_files:
            process_file.enqueue(file_id)

    if new_files:
        transaction.on_commit(queue)
    workflow.reindex_after_commit(item_id)


def create_item(
    institution: Institution,
    metadata: Mapping[str, Any],
    files: Iterable[Upload] = (),
    *,
    access: str = "open",
    embargo_until: datetime.date | str | None = None,
    access_after_embargo: str | None = None,
    acting_user: Actor,
) -> Item:
    """Deposit an item for *institution* as a draft: metadata (``metadata.FIELDS``; years in
    B.E. or C.E.), files and an access level. Raises ``ValidationError`` (keyed by field) for
    bad metadata, access or files, ``PermissionDenied`` for someone who may not deposit for
    *institution*."""
    require(acting_user, "repository.deposit", institution)
    problems: dict[str, list[ValidationError]] = {}
    values: dict[str, Any] = {}
    levels: dict[str, Any] = {}
    try:
        values = clean_metadata(metadata)
    except ValidationError as exc:
        problems.update(exc.error_dict)
    try:
        levels = clean_access(access, embargo_until, access_after_embargo)
    except ValidationError as exc:
        problems.update(exc.error_dict)
    uploads = list(files)
    if len(uploads) > MAX_FILES:
        problems["files"] = [
            ValidationError(gettext_lazy("At most %(max)d files."), params={"max": MAX_FILES})
        ]
    if problems:
        raise ValidationError(problems)
    kept = []
    for upload in uploads:
        try:
            kept.append(_keep(upload))
        except ValidationError as exc:
            raise ValidationError({"files": exc.error_list}) from exc
    with transaction.atomic():
        item = Item.objects.create(
            institution=institution, created_by=user_of(acting_user), **values, **levels
        )
        stored = [_file_row(item, k, position) for position, k in enumerate(kept)]
        ItemVersion.objects.create(
            item=item,
            number=item.version,
            metadata=snapshot(item),
            note="deposit",
            created_by=user_of(acting_user),
        )
        record(
            AuditVerb.REPO_ITEM_DEPOSITED,
            item,
            acting_user=acting_user,
            institution_code=institution.code,
            item_type=item.item_type,
            year=item.year,
            access=item.access,
            embargo_until=item.embargo_until.isoformat() if item.embargo_until else None,
            files=[_file_facts(f) for f in stored],
        )
        _after_commit(item.pk, [f.pk for f in stored])
    return item


# What the plan's other modules call a deposit.
deposit = create_item


def update_metadata(
    item: Item, changes: Mapping[str, Any], *, acting_user: Actor, note: str = ""
) -> Item:
    """Change some metadata fields (years in B.E. or C.E., as on deposit). A real change makes
    a new version (``Item.version`` + 1 and an ``ItemVersion`` of the metadata after it) and
    one audit entry with the old and new values; no change writes nothing."""
    require(acting_user, "repository.edit", item)
    values = clean_metadata(changes, partial=True)
    note = note.strip()[:NOTE_MAX]
    with transaction.atomic():
        item = _locked(item)
        require(acting_user, "repository.edit", item)
        _not_withdrawn(item)
        diff = apply_changes(item, values, FIELDS)
        if not diff:
            return item
        item.version += 1
        item.save()
        ItemVersion.objects.create(
            item=item,
            number=item.version,
            metadata=snapshot(item),
            note=note,
            created_by=user_of(acting_user),
        )
        record(
            AuditVerb.REPO_ITEM_CHANGED,
            item,
            acting_user=acting_user,
            institution_code=item.institution.code,
            version=item.version,
            note=note,
            changes=diff,
        )
        _after_commit(item.pk)
    return item


def _touch(item: Item) -> None:
    """Move the item's datestamp on (OAI-PMH harvests by it) when its files change."""
    Item.objects.filter(pk=item.pk).update(updated=timezone.now())


def add_file(item: Item, upload: Upload, *, acting_user: Actor) -> ItemFile:
    """Store one more file of *item* (after its others) and queue its processing."""
    require(acting_user, "repository.edit", item)
    _not_withdrawn(item)
    kept = _keep(upload)
    with transaction.atomic():
        item = _locked(item)
        _not_withdrawn(item)
        count = item.files.count()
        if count >= MAX_FILES:
            raise ValidationError(_("At most %(max)d files.") % {"max": MAX_FILES})
        last = item.files.aggregate(m=Max("position"))["m"]
        stored = _file_row(item, kept, 0 if last is None else last + 1)
        _touch(item)
        record(
            AuditVerb.REPO_FILE_ADDED,
            item,
            acting_user=acting_user,
            institution_code=item.institution.code,
            file=_file_facts(stored),
        )
        _after_commit(item.pk, [stored.pk])
    return stored


def remove_file(file: ItemFile, *, acting_user: Actor) -> None:
    """Take a file off its item (its row, text and thumbnail link; the stored bytes stay in
    the content-addressed store, where another item may share them)."""
    item = file.item
    require(acting_user, "repository.edit", item)
    with transaction.atomic():
        item = _locked(item)
        _not_withdrawn(item)
        facts = _file_facts(file)
        deleted, _rows = ItemFile.objects.filter(pk=file.pk, item=item).delete()
        if not deleted:
            raise ValidationError(_("This file is no longer there."))
        _touch(item)
        record(
            AuditVerb.REPO_FILE_REMOVED,
            item,
            acting_user=acting_user,
            institution_code=item.institution.code,
            file=facts,
        )
        _after_commit(item.pk)


def change_access(
    item: Item,
    *,
    access: str,
    embargo_until: datetime.date | str | None = None,
    access_after_embargo: str | None = None,
    acting_user: Actor,
) -> Item:
    """Set who may read the item's files: open, network, institution, or an embargo (a date
    after today and the level that follows it)."""
    require(acting_user, "repository.edit", item)
    levels = clean_access(access, embargo_until, access_after_embargo)
    with transaction.atomic():
        item = _locked(item)
        require(acting_user, "repository.edit", item)
        _not_withdrawn(item)
        diff = apply_changes(item, levels, levels.keys())
        if not diff:
            return item
        item.save()
        record(
            AuditVerb.REPO_ITEM_ACCESS_CHANGED,
            item,
            acting_user=acting_user,
            institution_code=item.institution.code,
            changes=diff,
        )
        _after_commit(item.pk)
    return item


def withdraw(item: Item, reason: str, *, acting_user: Actor) -> Item:
    """Withdraw *item* with a reason that stays visible as its tombstone."""
    return workflow.perform(item, "withdraw", acting_user=acting_user, reason=reason)


def publish_through(item: Item, *, acting_user: Actor, metadata_only: bool = False) -> Item:
    """Take a draft through every step to published (submit, approve, publish), each step
    checked and audited as if taken one by one: for operators' imports of items another
    system has already published."""
    with transaction.atomic():
        for action in ("submit", "approve", "publish"):
            item = workflow.perform(
                item, action, acting_user=acting_user, metadata_only=metadata_only
            )
    return item


def versions(item: Item) -> list[tuple[ItemVersion, list[str]]]:
    """The item's versions, newest first, each with the fields it changed from the one
    before (every field for the first)."""
    rows = list(item.versions.select_related("created_by").order_by("number"))
    out: list[tuple[ItemVersion, list[str]]] = []
    before: dict[str, Any] | None = None
    for row in rows:
        changed = [f for f in FIELDS if before is None or before.get(f) != row.metadata.get(f)]
        out.append((row, changed))
        before = row.metadata
    return list(reversed(out))
