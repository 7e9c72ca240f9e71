"""JSON API of the digital collection (``/api/repository/…``).

Reads apply the one access rule (``access.py``), as the pages do: anonymous callers see
published items and tombstones; a bearer token (or the browser's session) shows what its user
may see. A file's ``url`` and the thumbnail's are given only to who may open the files; for
everyone else they are ``null`` (the file's name, type and size stay listed).

Writes need a token with the write scope and go through the services (their ability checks
give the 403, their input checks the 400): deposit (JSON metadata, years in B.E. or C.E.),
change metadata (a new version), change access, add a file (multipart), remove a file, and the
workflow's actions (submit, approve, return, publish, withdraw).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from libcoop.core.api import READ_AUTH, Error, Id, Offset, Year, page_size, token_auth
from libcoop.network.models import Institution
from libcoop.repository import access, services, workflow
from libcoop.repository.models import (
    Access,
    DegreeLevel,
    Item,
    ItemFile,
    ItemStatus,
    ItemType,
    Licence,
)

router = Router(tags=["repository"])
MAX_LIMIT = 200

Text = Annotated[str, Field(max_length=1000)]
LongText = Annotated[str, Field(max_length=100_000)]
Entry = Annotated[str, Field(max_length=500)]
Entries = Annotated[list[Entry], Field(max_length=100)]
YearIn = Annotated[
    str | Annotated[int, Field(ge=1, le=9999)],
    Field(description="year issued, B.E. or C.E. (2562, 2019, 'พ.ศ. 2562')"),
]


class ItemFileOut(Schema):
    """A file of an item. Named apart from the knowledge base's ``FileOut``: the OpenAPI
    document has one schema per name, and a second ``FileOut`` would replace the first."""

    id: int
    name: str
    label: str
    kind: str
    size: int
    pages: int | None
    text_status: str
    url: str | None = Field(None, description="download address; null when not open to you")
    thumbnail: str | None = Field(None, description="page 1 as PNG; null when none or closed")


class ContributorOut(Schema):
    name: str
    role: str


class ItemOut(Schema):
    id: int
    title: str
    title_alternative: str
    type: str
    status: str
    library: str
    year: int = Field(..., description="Common Era")
    creators: list[str]
    access: str = Field(..., description="the effective access today (an ended embargo: after)")
    embargo_until: datetime.date | None
    access_after_embargo: str | None
    withdrawn_reason: str | None
    published_at: datetime.datetime | None
    page: str


class ItemDetailOut(ItemOut):
    contributors: list[ContributorOut]
    abstract_th: str
    abstract_en: str
    keywords_th: list[str]
    keywords_en: list[str]
    language: str
    issued: datetime.date | None
    publisher: str
    degree_level: str
    degree_name: str
    discipline: str
    degree_grantor: str
    rights: str
    licence: str
    identifiers: dict[str, Any]
    version: int
    files_open: bool = Field(..., description="may you open the files?")
    files: list[ItemFileOut]


class ItemFilters(Schema):
    library: str | None = Field(None, description="depositing library's code", max_length=64)
    type: ItemType | None = None
    status: ItemStatus | None = None
    year: Year | None = None
    limit: int = page_size(50, MAX_LIMIT)
    offset: Offset = 0


class MetadataIn(Schema):
    """Metadata fields; on a change only the fields sent are changed."""

    title: Text | None = None
    title_alternative: Text | None = None
    type: ItemType | None = None
    creators: Entries | None = None
    advisors: Entries | None = Field(None, description="advisors' names (role advisor)")
    abstract_th: LongText | None = None
    abstract_en: LongText | None = None
    keywords_th: Entries | None = None
    keywords_en: Entries | None = None
    language: Annotated[str, Field(max_length=8)] | None = Field(
        None, description="ISO 639-2 (tha, eng)"
    )
    year: YearIn | None = None
    issued: datetime.date | None = Field(None, description="date issued (C.E.)")
    publisher: Text | None = None
    degree_level: DegreeLevel | None = None
    degree_name: Text | None = None
    discipline: Text | None = None
    degree_grantor: Text | None = None
    rights: LongText | None = None
    licence: Licence | None = None
    identifiers: dict[Entry, Entry | Entries] | None = None


class AccessIn(Schema):
    access: Access = Access.OPEN
    embargo_until: datetime.date | None = Field(None, description="an embargo's end (C.E.)")
    access_after_embargo: Access | None = Field(None, description="after the embargo (open)")


class DepositIn(MetadataIn, AccessIn):
    library: str | None = Field(
        None, max_length=64, description="depositing library's code; default: the token user's"
    )


class ChangeIn(MetadataIn):
    note: Annotated[str, Field(max_length=500)] = ""


class ActionIn(Schema):
    reason: Annotated[str, Field(max_length=2000)] = Field(
        "", description="withdraw: the reason, shown on the tombstone"
    )
    metadata_only: bool = Field(False, description="publish: without files, on purpose")


def _file_out(item: Item, f: ItemFile, readable: bool) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.original_name,
        "label": f.label,
        "kind": f.kind,
        "size": f.size,
        "pages": f.pages,
        "text_status": f.text_status,
        "url": reverse("repository:file", args=[item.pk, f.pk]) if readable else None,
        "thumbnail": (
            reverse("repository:thumbnail", args=[item.pk, f.pk])
            if readable and f.thumbnail_sha256
            else None
        ),
    }


def _summary(item: Item) -> dict[str, Any]:
    withdrawn = item.status == ItemStatus.WITHDRAWN
    embargo = item.access == Access.EMBARGO
    return {
        "id": item.pk,
        "title": item.title,
        "title_alternative": item.title_alternative,
        "type": item.item_type,
        "status": item.status,
        "library": item.institution.code,
        "year": item.year,
        "creators": item.creators,
        "access": access.effective_access(item),
        "embargo_until": item.embargo_until if embargo else None,
        "access_after_embargo": item.access_after_embargo if embargo else None,
        "withdrawn_reason": item.withdrawn_reason if withdrawn else None,
        "published_at": item.published_at,
        "page": reverse("repository:item", args=[item.pk]),
    }


def _detail(request: HttpRequest, item: Item) -> dict[str, Any]:
    out = _summary(item)
    if item.status == ItemStatus.WITHDRAWN and not access.is_own_staff(request.user, item):
        # a tombstone: what the page shows (title, library, year, reason), no more
        empty: dict[str, Any] = {
            "contributors": [],
            "abstract_th": "",
            "abstract_en": "",
            "keywords_th": [],
            "keywords_en": [],
            "language": item.language,
            "issued": None,
            "publisher": "",
            "degree_level": "",
            "degree_name": "",
            "discipline": "",
            "degree_grantor": "",
            "rights": "",
            "licence": item.licence,
            "identifiers": {},
            "version": item.version,
            "files_open": False,
            "files": [],
        }
        return {**out, **empty}
    readable = access.can_read_files(request.user, item)
    out.update(
        {
            name: getattr(item, name)
            for name in (
                "contributors",
                "abstract_th",
                "abstract_en",
                "keywords_th",
                "keywords_en",
                "language",
                "issued",
                "publisher",
                "degree_level",
                "degree_name",
                "discipline",
                "degree_grantor",
                "rights",
                "licence",
                "identifiers",
                "version",
            )
        }
    )
    out["files_open"] = readable
    out["files"] = [_file_out(item, f, readable) for f in item.files.all()]
    return out


def _visible(request: HttpRequest, pk: int) -> Item:
    item = Item.objects.select_related("institution").filter(pk=pk).first()
    if item is None or not access.can_see_metadata(request.user, item):
        raise Http404("No such item.")
    return item


def _metadata(payload: MetadataIn, *, given_only: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=given_only, exclude={"note", "library"})
    data = {k: v for k, v in data.items() if k in MetadataIn.model_fields}
    for name in AccessIn.model_fields:
        data.pop(name, None)
    if not given_only:
        data = {k: v for k, v in data.items() if v is not None}
    if "advisors" in data:
        names = data.pop("advisors") or []
        data["contributors"] = [{"name": n, "role": "advisor"} for n in names]
    return {k: ("" if v is None else v) for k, v in data.items()}


@router.get("/repository/items", response=list[ItemOut], auth=READ_AUTH)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    """Items whose metadata you may see (published ones and tombstones for everyone; your own
    library's drafts with your token), newest first."""
    qs = access.shown_items(request.user).select_related("institution")
    if filters.library:
        qs = qs.filter(institution__code=filters.library)
    if filters.type:
        qs = qs.filter(item_type=filters.type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    end = filters.offset + filters.limit
    return [_summary(i) for i in qs.order_by("-updated", "-pk")[filters.offset : end]]


@router.get("/repository/items/{pk}", response={200: ItemDetailOut, 404: Error}, auth=READ_AUTH)
def item_detail(request: HttpRequest, pk: Id) -> Any:
    return _detail(request, _visible(request, pk))


@router.post(
    "/repository/items",
    auth=token_auth,
    response={201: ItemDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def deposit(request: HttpRequest, payload: DepositIn) -> Any:
    """Deposit an item as a draft (files follow through ``…/files``)."""
    from django.core.exceptions import ValidationError

    from libcoop.network.abilities import profile_of

    if payload.library:
        institution = get_object_or_404(Institution, code=payload.library)
    else:
        profile = profile_of(request.user)
        if profile is None or profile.institution is None:
            raise ValidationError("Name the depositing library (library).")
        institution = profile.institution
    item = services.create_item(
        institution,
        _metadata(payload, given_only=False),
        access=payload.access,
        embargo_until=payload.embargo_until,
        access_after_embargo=payload.access_after_embargo,
        acting_user=request.user,
    )
    return Status(201, _detail(request, item))


@router.patch(
    "/repository/items/{pk}",
    auth=token_auth,
    response={200: ItemDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def change(request: HttpRequest, pk: Id, payload: ChangeIn) -> Any:
    """Change the fields sent (a new version when anything changes)."""
    item = _visible(request, pk)
    item = services.update_metadata(
        item, _metadata(payload, given_only=True), acting_user=request.user, note=payload.note
    )
    return _detail(request, item)


@router.put(
    "/repository/items/{pk}/access",
    auth=token_auth,
    response={200: ItemDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def change_access(request: HttpRequest, pk: Id, payload: AccessIn) -> Any:
    item = services.change_access(
        _visible(request, pk),
        access=payload.access,
        embargo_until=payload.embargo_until,
        access_after_embargo=payload.access_after_embargo,
        acting_user=request.user,
    )
    return _detail(request, item)


@router.post(
    "/repository/items/{pk}/files",
    auth=token_auth,
    response={201: ItemFileOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def add_file(
    request: HttpRequest,
    pk: Id,
    file: File[UploadedFile],
    label: Form[str] = "",
) -> Any:
    item = _visible(request, pk)
    stored = services.add_file(
        item, services.Upload(file.name or "file", file, label), acting_user=request.user
    )
    return Status(201, _file_out(item, stored, access.can_read_files(request.user, item)))


@router.delete(
    "/repository/items/{pk}/files/{file_pk}",
    auth=token_auth,
    response={204: None, 400: Error, 401: Error, 403: Error, 404: Error},
)
def remove_file(request: HttpRequest, pk: Id, file_pk: Id) -> Any:
    item = _visible(request, pk)
    services.remove_file(
        get_object_or_404(ItemFile, pk=file_pk, item=item), acting_user=request.user
    )
    return Status(204, None)


@router.post(
    "/repository/items/{pk}/actions/{action}",
    auth=token_auth,
    response={200: ItemDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def act(request: HttpRequest, pk: Id, action: str, payload: ActionIn | None = None) -> Any:
    """Take a workflow step: submit, approve, return, publish (``metadata_only`` for a record
    without files) or withdraw (``reason`` required)."""
    item = _visible(request, pk)
    if action not in workflow.ACTIONS:
        raise Http404("No such action.")
    item = workflow.perform(
        item,
        action,
        acting_user=request.user,
        reason=payload.reason if payload else "",
        metadata_only=payload.metadata_only if payload else False,
    )
    return _detail(request, item)
