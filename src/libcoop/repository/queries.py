"""What other apps (the OAI-PMH provider and the SRU server in ``interop``) may read of the
digital collection: plain values and frozen dataclasses, never models.

Only what the public may see leaves this module: published items (and withdrawn ones, as
deletions with no metadata), never drafts; a file is listed only when ``access`` lets anyone
read it on the day asked (an embargoed or restricted item is metadata only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F, Min, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.urls import NoReverseMatch, reverse

from libcoop.repository import access
from libcoop.repository.models import Access, Item, ItemStatus, ItemType

HARVESTED = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)


def item_path(pk: int) -> str:
    """The item page's path (``repository:item``; ``/repository/<id>/``)."""
    try:
        return reverse("repository:item", args=[pk])
    except NoReverseMatch:
        return f"/repository/{pk}/"


def file_path(pk: int, file_pk: int) -> str:
    """The one path that serves a file (``repository:file``), access checked there."""
    try:
        return reverse("repository:file", args=[pk, file_pk])
    except NoReverseMatch:
        return f"/repository/{pk}/files/{file_pk}/"


@dataclass(frozen=True)
class HarvestRow:
    """One item of a harvest list: enough for an OAI-PMH header."""

    id: int
    updated: dt.datetime
    deleted: bool  # withdrawn
    library_code: str
    item_type: str


@dataclass(frozen=True)
class PublicFile:
    id: int
    name: str
    label: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str  # advisor, coadvisor, editor, ...


@dataclass(frozen=True)
class PublicItem:
    """A published item's public metadata; ``files`` only when anyone may read them today."""

    id: int
    updated: dt.datetime
    library_code: str
    library_name_th: str
    library_name_en: str
    item_type: str
    title: str
    title_alternative: str
    creators: tuple[str, ...]
    contributors: tuple[Contributor, ...]
    abstract_th: str
    abstract_en: str
    keywords_th: tuple[str, ...]
    keywords_en: tuple[str, ...]
    language: str
    year: int
    issued: dt.date | None
    publisher: str
    degree_level: str
    degree_name: str
    discipline: str
    degree_grantor: str
    rights: str
    licence: str
    isbns: tuple[str, ...]
    doi: str
    uris: tuple[str, ...]
    extra: tuple[tuple[str, tuple[str, ...]], ...]  # other qualified DC: (element, values)
    access: str  # the effective level today: open, network, institution, embargo
    embargo_until: dt.date | None  # while the embargo holds
    files: tuple[PublicFile, ...]


def _strings(value: object) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(str(v).strip() for v in values if v is not None and str(v).strip())


def _public(item: Item, on: dt.date) -> PublicItem:
    level = access.effective_access(item, on)
    files: tuple[PublicFile, ...] = ()
    if item.status == ItemStatus.PUBLISHED and level == Access.OPEN:
        files = tuple(
            PublicFile(f.pk, f.original_name, f.label, f.content_type, f.size)
            for f in item.files.all()
        )
    ids = item.identifiers or {}
    contributors = tuple(
        Contributor(str(c.get("name", "")).strip(), str(c.get("role", "")).strip())
        for c in item.contributors or []
        if isinstance(c, dict) and str(c.get("name", "")).strip()
    )
    extra = tuple(
        (str(k), _strings(v)) for k, v in sorted((item.extra or {}).items()) if _strings(v)
    )
    return PublicItem(
        id=item.pk,
        updated=item.updated,
        library_code=item.institution.code,
        library_name_th=item.institution.name_th,
        library_name_en=item.institution.name_en,
        item_type=item.item_type,
        title=item.title,
        title_alternative=item.title_alternative,
        creators=_strings(item.creators or []),
        contributors=contributors,
        abstract_th=item.abstract_th,
        abstract_en=item.abstract_en,
        keywords_th=_strings(item.keywords_th or []),
        keywords_en=_strings(item.keywords_en or []),
        language=item.language,
        year=item.year,
        issued=item.issued,
        publisher=item.publisher,
        degree_level=item.degree_level,
        degree_name=item.degree_name,
        discipline=item.discipline,
        degree_grantor=item.degree_grantor,
        rights=item.rights,
        licence=item.licence,
        isbns=_strings(ids.get("isbn", [])),
        doi=str(ids.get("doi", "") or "").strip(),
        uris=_strings(ids.get("uri", [])),
        extra=extra,
        access=level,
        embargo_until=item.embargo_until if level == Access.EMBARGO else None,
        files=files,
    )


def public_items(ids: Iterable[int], on: dt.date | None = None) -> dict[int, PublicItem]:
    """The public metadata of the published items among *ids* (two queries)."""
    on = on or access.today()
    rows = (
        Item.objects.filter(pk__in=list(ids), status=ItemStatus.PUBLISHED)
        .select_related("institution")
        .prefetch_related("files")
    )
    return {item.pk: _public(item, on) for item in rows}


def harvest_row(pk: int) -> HarvestRow | None:
    """The header of item *pk* if it is published or withdrawn, else None."""
    row = (
        Item.objects.filter(pk=pk, status__in=HARVESTED)
        .values_list("id", "updated", "status", "institution__code", "item_type")
        .first()
    )
    return (
        None if row is None else HarvestRow(row[0], row[1], row[2] == "withdrawn", row[3], row[4])
    )


def _selection(
    start: dt.datetime | None,
    until: dt.datetime,
    library_code: str | None,
    item_type: str | None,
) -> QuerySet[Item]:
    qs = Item.objects.filter(status__in=HARVESTED, updated__lte=until)
    if start is not None:
        qs = qs.filter(updated__gte=start)
    if library_code is not None:
        qs = qs.filter(institution__code=library_code)
    if item_type is not None:
        qs = qs.filter(item_type=item_type)
    return qs


def harvest_rows(
    start: dt.datetime | None,
    until: dt.datetime,
    library_code: str | None,
    item_type: str | None,
    after: tuple[dt.datetime, int] | None,
    limit: int,
) -> list[HarvestRow]:
    """The next *limit* published or withdrawn items with ``start <= updated <= until``, of
    one library and type if given, whose key ``(updated, id)`` is greater than *after*, in
    key order: an index range on ``repo_item_oai`` (keyset pagination)."""
    qs = _selection(start, until, library_code, item_type)
    if after is not None:
        qs = qs.filter(TupleGreaterThan(Tuple(F("updated"), F("id")), after))
    rows = qs.order_by("updated", "id").values_list(
        "id", "updated", "status", "institution__code", "item_type"
    )[:limit]
    return [HarvestRow(r[0], r[1], r[2] == ItemStatus.WITHDRAWN, r[3], r[4]) for r in rows]


def harvest_count(
    start: dt.datetime | None,
    until: dt.datetime,
    library_code: str | None,
    item_type: str | None,
) -> int:
    return _selection(start, until, library_code, item_type).count()


def earliest_datestamp() -> dt.datetime | None:
    found: dt.datetime | None = Item.objects.filter(status__in=HARVESTED).aggregate(
        e=Min("updated")
    )["e"]
    return found


def libraries_with_items() -> list[tuple[str, str]]:
    """(code, English name) of every library with a published or withdrawn item."""
    rows = (
        Item.objects.filter(status__in=HARVESTED)
        .values_list("institution__code", "institution__name_en")
        .distinct()
        .order_by("institution__code")
    )
    return [(code, name) for code, name in rows]


def types_with_items() -> list[str]:
    found = set(
        Item.objects.filter(status__in=HARVESTED).values_list("item_type", flat=True).distinct()
    )
    return [t for t in ItemType.values if t in found]


def item_types() -> Sequence[str]:
    return tuple(ItemType.values)


# ------------------------------------------------------------------ search (SRU)


@dataclass(frozen=True)
class Found:
    """Published items found by an anonymous search, best first."""

    ids: list[int]
    scores: dict[int, float]
    capped: bool  # the back end had more matches than it ranked


def search_public(query: str, field: str | None = None) -> Found:
    """Published items matching *query* in what everyone may search: the public index only
    (``repository.search``), in *field* (``title``, ``author``, ``subject``; None: every
    field, file text included). Items matched in their metadata come before items matched
    only in their files' text, whose text must still be public today (``access``)."""
    from django.db import connection

    from libcoop.repository import search
    from libcoop.textsearch.backends import backend_for

    backend = backend_for(connection, name=search.PUBLIC_INDEX)
    hits = backend.search(query, field=field, limit=search.HIT_CAP)
    meta: dict[int, float] = {}
    body: dict[int, float] = {}
    for hit in hits:
        item_id, part = divmod(hit.doc_id, search.PARTS)
        scores = meta if part == 0 else body
        scores[item_id] = max(hit.score, scores.get(item_id, hit.score))
    on = access.today()
    rows = Item.objects.filter(pk__in=set(meta) | set(body), status=ItemStatus.PUBLISHED).only(
        "id", "status", "access", "embargo_until", "access_after_embargo"
    )
    ranked: list[tuple[bool, float, int]] = []
    for item in rows:
        if item.pk in meta:
            ranked.append((False, -meta[item.pk], item.pk))
        elif access.text_is_public(item, on):
            ranked.append((True, -body[item.pk], item.pk))
    ranked.sort()
    scores = {pk: -score for _body, score, pk in ranked}
    return Found([pk for _b, _s, pk in ranked], scores, len(hits) >= search.HIT_CAP)


def published_ids() -> list[int]:
    """Every published item, newest first (SRU's ``cql.allRecords``)."""
    return list(
        Item.objects.filter(status=ItemStatus.PUBLISHED)
        .order_by("-year", "title", "pk")
        .values_list("pk", flat=True)
    )


def is_published(pk: int) -> bool:
    return Item.objects.filter(pk=pk, status=ItemStatus.PUBLISHED).exists()


def exactly(ids: Sequence[int], value: str, field: str | None) -> list[int]:
    """Those of *ids* whose whole title (author, subject: one of them) equals *value* once
    normalised (``textsearch.keys.text_key``); *field* None: any of the three."""
    from libcoop.textsearch.keys import text_key

    key = text_key(value)
    keep = set()
    for item in Item.objects.filter(pk__in=list(ids)):
        values: dict[str, list[str]] = {
            "title": [item.title, item.title_alternative],
            "author": [
                *(item.creators or []),
                *(str(c.get("name", "")) for c in item.contributors or [] if isinstance(c, dict)),
            ],
            "subject": [*(item.keywords_th or []), *(item.keywords_en or []), item.discipline],
        }
        names = [field] if field in values else list(values)
        if any(text_key(str(v)) == key for name in names for v in values[name] if v):
            keep.add(item.pk)
    return [i for i in ids if i in keep]


def sorted_ids(ids: Sequence[int], keys: Sequence[tuple[str, bool]]) -> list[int]:
    """*ids* sorted by ``title`` or ``year`` (descending when True), last key first; stable."""
    if not keys or not ids:
        return list(ids)
    titles: dict[int, str] = {}
    years: dict[int, int] = {}
    for pk, title, year in Item.objects.filter(pk__in=list(ids)).values_list("pk", "title", "year"):
        titles[pk], years[pk] = title, year
    out = list(ids)
    for column, descending in reversed(keys):
        if column == "year":
            out.sort(key=lambda i: years.get(i, 0), reverse=descending)
        else:
            out.sort(key=lambda i: titles.get(i, ""), reverse=descending)
    return out
