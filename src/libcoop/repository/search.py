"""Searching the digital collection: Thai-aware full text over metadata and file text, through
the same ``textsearch`` back ends as the catalog (SQLite FTS5, PostgreSQL tsvector/GIN).

Two indexes (tables beside the catalog's, made by migration 0002)
    ``repository_search`` is what everyone's search reads. ``repository_restricted`` holds the
    text of files that are not open to everyone on the day indexed (network, own institution,
    embargoed); only a signed-in reader's search reads it, and a hit there counts only for an
    item whose files that reader may open (``access.can_read_files``). The text of a
    restricted or embargoed file therefore never enters the tables an anonymous search reads
    (checked again at query time: a body hit in the public index counts only while the
    item's text is public).

Documents: an item is several documents, ``doc_id = item id x 4096 + part``
    * part 0, the *metadata document*: title (title and title in the other language), author
      (creators, contributors: advisors, editors), subject (Thai and English keywords,
      discipline, degree name, the item type's name in Thai and English), text (both
      abstracts). Every published item has one, in the public index.
    * parts 1..4095, the *body documents*: the title, author and subject fields again and one
      slice of the files' text (about ``CHUNK_CHARS`` characters, cut between pages or at a
      space), so that a query may match words of the metadata and of the text together,
      and a long thesis is indexed to its last page (about 1.6 million characters).
      In the public index when ``access.text_is_public(item)``, else in the restricted one.
      The slices are small on purpose: Thai text makes about 14 bytes of PostgreSQL
      ``tsvector`` a character (words, bigram positions, trigrams), and a ``tsvector`` over
      the row's 8 KB is stored out of the row (TOAST) and read back for every test against
      it: measured 3x slower a row than one in the row, and 2 s to rank 2,000 documents of
      8,000 characters. 400 characters and the metadata stay in the row. On SQLite ranking
      reads shorter strings. The abstracts are in the
      metadata document only: a query that needs a word found only in an abstract together
      with a word found only in the body text does not match.
    Withdrawn, draft, submitted and approved items have no documents.

Ranking: metadata above body text
    The back ends' one policy ranks fields title > author > subject > text, and the abstract
    and the body text share the text field. The body is given its own lowest level by the
    documents: an item whose metadata document matched (every query word in its metadata,
    abstracts included) ranks above every item found only through a body document; within
    each level the policy's score decides, then the item id.

Snippets (``snippets.py``) come from the abstracts, and from a file's text only when the
reader may open the item's files.

Facets: library, type, year, discipline, language, access (effective, on the day). With a
query they count the ranked hits (up to ``HIT_CAP`` items; the total says when there are
more); without one (browse) they are database aggregates over every published item.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from libcoop.network.abilities import Actor, SystemActor
from libcoop.network.models import Institution
from libcoop.repository import access
from libcoop.repository.models import Access, FileText, Item, ItemStatus, ItemType
from libcoop.repository.snippets import Snippet, leading_snippet, make_snippet, query_words
from libcoop.textsearch.backends import SearchBackend, SearchDocument, backend_for

PUBLIC_INDEX = "repository_search"
RESTRICTED_INDEX = "repository_restricted"
PARTS = 4096  # documents per item: doc_id = item id x PARTS + part
CHUNK_CHARS = 400  # characters of file text per body document (see the module docstring)
HIT_CAP = 2000  # documents taken from each index, best first
PER_PAGE = 20
FACETS = ("library", "type", "year", "discipline", "language", "access")
FACET_LIMIT = 30  # values shown per facet (the most frequent)


class SearchError(ValueError):
    """A filter value that cannot be used (the message says which and why)."""


def _public() -> SearchBackend:
    return backend_for(connection, name=PUBLIC_INDEX)


def _restricted() -> SearchBackend:
    return backend_for(connection, name=RESTRICTED_INDEX)


# --- documents ---------------------------------------------------------------------------------


def _names(values: Iterable[Any]) -> list[str]:
    out = []
    for value in values:
        if isinstance(value, Mapping):
            value = value.get("name", "")
        if value:
            out.append(str(value))
    return out


def _type_names(item_type: str) -> list[str]:
    label = ItemType(item_type).label if item_type in ItemType.values else item_type
    names = []
    for lang in ("th", "en"):
        with translation.override(lang):
            names.append(str(label))
    return list(dict.fromkeys(names))


def metadata_fields(item: Item) -> dict[str, str]:
    """The four searched fields of an item's metadata (the body documents repeat them)."""
    subject = [
        *_names(item.keywords_th or []),
        *_names(item.keywords_en or []),
        item.discipline,
        item.degree_name,
        *_type_names(item.item_type),
    ]
    return {
        "title": "\n".join(t for t in (item.title, item.title_alternative) if t),
        "author": "\n".join([*_names(item.creators or []), *_names(item.contributors or [])]),
        "subject": "\n".join(s for s in subject if s),
        "text": "\n".join(a for a in (item.abstract_th, item.abstract_en) if a),
    }


def _identifiers(item: Item) -> tuple[str, ...]:
    out: list[str] = []
    for value in (item.identifiers or {}).values():
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str | int) and str(one).strip():
                out.append(str(one).strip())
    return tuple(out)


def chunks(pages: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    """The text in slices of about ``size`` characters: whole pages while they fit, a longer
    page cut at a space (or, in a run of ``size`` characters without one, between grapheme
    clusters)."""
    current: list[str] = []
    length = 0
    for page in pages:
        page = page.strip()
        while len(page) > size:
            cut = page.rfind(" ", size // 2, size)
            if cut <= 0:
                cut = size
                while cut < len(page) and _joins_previous(page[cut]):
                    cut += 1
            head, page = page[:cut], page[cut:].lstrip()
            if current:
                yield "\n".join(current)
                current, length = [], 0
            yield head
        if not page:
            continue
        if current and length + len(page) > size:
            yield "\n".join(current)
            current, length = [], 0
        current.append(page)
        length += len(page) + 1
    if current:
        yield "\n".join(current)


def _joins_previous(ch: str) -> bool:
    import unicodedata

    return ch in ("\u0e33", "\u200d") or unicodedata.category(ch)[0] == "M"


def file_pages(item_id: int) -> list[str]:
    """The text of the item's files, page by page, in the files' order."""
    texts = FileText.objects.filter(file__item_id=item_id).order_by("file__position", "file__pk")
    return [str(page) for text in texts for page in (text.pages or [])]


def documents(item: Item, pages: Sequence[str]) -> tuple[SearchDocument, list[SearchDocument]]:
    """The item's metadata document and its body documents (see the module docstring)."""
    fields = metadata_fields(item)
    base = item.pk * PARTS
    meta = SearchDocument(base, identifiers=_identifiers(item), **fields)
    body = []
    for part, chunk in enumerate(chunks(pages), start=1):
        if part >= PARTS:
            break  # past 4,095 slices (about four million characters) the rest is not indexed
        body.append(
            SearchDocument(base + part, fields["title"], fields["author"], fields["subject"], chunk)
        )
    return meta, body


def index_item(item_id: int, *, on: datetime.date | None = None) -> None:
    """Bring one item's documents up to date (after any change to it, its files' text, or the
    day its embargo ends): none unless published; the body in the public index only when the
    item's text is public on ``on`` (today), else in the restricted one."""
    with transaction.atomic():
        public, restricted = _public(), _restricted()
        public.delete_range(item_id * PARTS, (item_id + 1) * PARTS)
        restricted.delete_range(item_id * PARTS, (item_id + 1) * PARTS)
        item = Item.objects.filter(pk=item_id).first()
        if item is None or item.status != ItemStatus.PUBLISHED:
            return
        meta, body = documents(item, file_pages(item_id))
        public.index([meta])
        if body:
            (public if access.text_is_public(item, on) else restricted).index(body)


def reindex_all(*, on: datetime.date | None = None) -> int:
    """Rebuild both indexes from the items (every published item); returns how many."""
    with transaction.atomic():
        _public().clear()
        _restricted().clear()
        count = 0
        for item_id in Item.objects.filter(status=ItemStatus.PUBLISHED).values_list(
            "pk", flat=True
        ):
            index_item(item_id, on=on)
            count += 1
    return count


# --- searching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class ItemHit:
    item: Item
    in_metadata: bool  # False: found through its files' text
    score: float
    snippet: Snippet | None

    @property
    def snippet_html(self) -> SafeString:
        return self.snippet.html if self.snippet else SafeString("")

    @property
    def snippet_text(self) -> str:
        return self.snippet.text if self.snippet else ""


@dataclass
class SearchResult:
    query: str
    filters: dict[str, str]
    total: int
    page: int
    pages: int
    per_page: int
    hits: list[ItemHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    capped: bool = False  # more documents matched than were ranked (HIT_CAP)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _is_signed_in(user: Actor | None) -> bool:
    return isinstance(user, SystemActor) or bool(getattr(user, "is_authenticated", False))


def clean_filters(filters: Mapping[str, str] | None) -> dict[str, str]:
    """The filters that have a value, checked; unknown names are left out."""
    out: dict[str, str] = {}
    for name in FACETS:
        value = str((filters or {}).get(name) or "").strip()
        if not value:
            continue
        if name == "year":
            if not value.isdigit() or not 1 <= int(value) <= 9999:
                raise SearchError(_("The year must be a number, e.g. 2024."))
            value = str(int(value))
        elif name == "type" and value not in ItemType.values:
            raise SearchError(_("Unknown type: %(value)s") % {"value": value[:40]})
        elif name == "access" and value not in Access.values:
            raise SearchError(_("Unknown access level: %(value)s") % {"value": value[:40]})
        out[name] = value[:300]
    return out


def _filtered(queryset: QuerySet[Item], filters: Mapping[str, str], on: datetime.date) -> Any:
    if "library" in filters:
        queryset = queryset.filter(institution__code=filters["library"])
    if "type" in filters:
        queryset = queryset.filter(item_type=filters["type"])
    if "year" in filters:
        queryset = queryset.filter(year=int(filters["year"]))
    if "discipline" in filters:
        queryset = queryset.filter(discipline=filters["discipline"])
    if "language" in filters:
        queryset = queryset.filter(language=filters["language"])
    if "access" in filters:
        queryset = queryset.annotate(effective=access.effective_access_expression(on)).filter(
            effective=filters["access"]
        )
    return queryset


_ROW_FIELDS = (
    "pk",
    "institution_id",
    "item_type",
    "year",
    "discipline",
    "language",
    "access",
    "embargo_until",
    "access_after_embargo",
    "status",
)


def _ranked(
    query: str, user: Actor | None, filters: Mapping[str, str], on: datetime.date
) -> tuple[list[tuple[int, bool, float]], dict[int, dict[str, Any]], bool]:
    """[(item id, in_metadata, score)] best first, the rows' facet fields, and whether a
    back end's result was capped."""
    meta: dict[int, float] = {}  # item -> score of its metadata document
    body: dict[int, float] = {}  # item -> best score of its public body documents
    hits = _public().search(query, limit=HIT_CAP)
    capped = len(hits) >= HIT_CAP
    for hit in hits:
        item_id, part = divmod(hit.doc_id, PARTS)
        scores = meta if part == 0 else body
        scores[item_id] = max(hit.score, scores.get(item_id, hit.score))
    restricted: dict[int, float] = {}
    if _is_signed_in(user):
        more = _restricted().search(query, limit=HIT_CAP)
        capped = capped or len(more) >= HIT_CAP
        for hit in more:
            item_id = hit.doc_id // PARTS
            restricted[item_id] = max(hit.score, restricted.get(item_id, hit.score))
    ids = set(meta) | set(body) | set(restricted)
    if not ids:
        return [], {}, capped
    base = Item.objects.filter(pk__in=ids, status=ItemStatus.PUBLISHED)
    rows = {row["pk"]: row for row in _filtered(base, filters, on).values(*_ROW_FIELDS)}
    ranked: list[tuple[int, bool, float]] = []
    actor = user if user is not None else AnonymousUser()
    for item_id, row in rows.items():
        if item_id in meta:
            ranked.append((item_id, True, meta[item_id]))
            continue
        score = -1.0
        if item_id in body and _text_public(row, on):
            score = body[item_id]  # (indexed while public, not public today: left out)
        if restricted.get(item_id, -1.0) > score and access.can_read_files(
            actor, _row_item(row), on
        ):
            score = restricted[item_id]
        if score >= 0:
            ranked.append((item_id, False, score))
    ranked.sort(key=lambda r: (not r[1], -r[2], r[0]))
    return ranked, rows, capped


def _row_item(row: Mapping[str, Any]) -> Item:
    """An unsaved Item with the fields of ``row`` (what the access rule reads)."""
    return Item(**{("id" if k == "pk" else k): v for k, v in row.items()})


@dataclass(frozen=True)
class _AccessFields:
    """The fields the access rule reads of an item that does not depend on who asks (a
    model instance per hit costs more than the rest of the ranking)."""

    status: str
    access: str
    embargo_until: datetime.date | None
    access_after_embargo: str


def _access_fields(row: Mapping[str, Any]) -> Item:
    fields = _AccessFields(
        row["status"], row["access"], row["embargo_until"], row["access_after_embargo"]
    )
    return cast(Item, fields)


def _text_public(row: Mapping[str, Any], on: datetime.date) -> bool:
    return access.text_is_public(_access_fields(row), on)


def _effective(row: Mapping[str, Any], on: datetime.date) -> str:
    return access.effective_access(_access_fields(row), on)


def _labels(name: str, values: Iterable[str]) -> dict[str, str]:
    if name == "library":
        institutions = Institution.objects.filter(code__in=list(values))
        return {i.code: str(i.name or i.code) for i in institutions}
    if name == "type":
        return {v: str(ItemType(v).label) for v in values if v in ItemType.values}
    if name == "access":
        return {v: str(Access(v).label) for v in values if v in Access.values}
    if name == "year":
        from libcoop.core.dates import display_year

        return {v: display_year(int(v)) for v in values}
    if name == "language":
        return {v: language_name(v) for v in values}
    return {v: v for v in values}


def language_name(code: str) -> str:
    names = {"tha": _("Thai"), "eng": _("English"), "zho": _("Chinese"), "jpn": _("Japanese")}
    return names.get(code, code)


def _facet_list(
    name: str, counts: Mapping[str, int], filters: Mapping[str, str]
) -> list[FacetValue]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
    if name == "year":
        ordered = sorted(ordered, key=lambda kv: -int(kv[0]))
    labels = _labels(name, [v for v, _n in ordered])
    chosen = filters.get(name)
    return [FacetValue(v, labels.get(v, v), n, v == chosen) for v, n in ordered if v]


def _facets_of_rows(
    rows: Iterable[Mapping[str, Any]], filters: Mapping[str, str], on: datetime.date
) -> dict[str, list[FacetValue]]:
    rows = list(rows)
    codes = dict(
        Institution.objects.filter(pk__in={r["institution_id"] for r in rows}).values_list(
            "pk", "code"
        )
    )
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for row in rows:
        counts["library"][codes.get(row["institution_id"], "")] += 1
        counts["type"][row["item_type"]] += 1
        counts["year"][str(row["year"])] += 1
        counts["discipline"][row["discipline"]] += 1
        counts["language"][row["language"]] += 1
        counts["access"][_effective(row, on)] += 1
    return {name: _facet_list(name, counts[name], filters) for name in FACETS}


def _facets_of_queryset(
    queryset: QuerySet[Item], filters: Mapping[str, str], on: datetime.date
) -> dict[str, list[FacetValue]]:
    columns = {
        "library": "institution__code",
        "type": "item_type",
        "year": "year",
        "discipline": "discipline",
        "language": "language",
    }
    out = {}
    for name, column in columns.items():
        counted = queryset.order_by().values_list(column).annotate(n=Count("pk"))
        out[name] = _facet_list(name, {str(v): n for v, n in counted}, filters)
    by_access = (
        queryset.order_by()
        .annotate(effective=access.effective_access_expression(on))
        .values_list("effective")
        .annotate(n=Count("pk"))
    )
    out["access"] = _facet_list("access", {str(v): n for v, n in by_access}, filters)
    return {name: out[name] for name in FACETS}


def _clamp(page: int, pages: int) -> int:
    return max(1, min(page, max(pages, 1)))


def search(
    query: str = "",
    *,
    user: Actor | None = None,
    filters: Mapping[str, str] | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    on: datetime.date | None = None,
    facets: bool = True,
) -> SearchResult:
    """One page of the collection's search (or, with no query, browse) for ``user``
    (anonymous when None): hits best first, with snippets, and the facets."""
    on = on or access.today()
    query = " ".join(query.split())[:500]
    chosen = clean_filters(filters)
    per_page = max(1, min(per_page, 100))
    if not query:
        return _browse(user, chosen, page, per_page, on, facets)
    ranked, rows, capped = _ranked(query, user, chosen, on)
    total = len(ranked)
    pages = max(1, math.ceil(total / per_page))
    page = _clamp(page, pages)
    window = ranked[(page - 1) * per_page : page * per_page]
    items = Item.objects.select_related("institution").in_bulk([r[0] for r in window])
    actor = user if user is not None else AnonymousUser()
    snippets = snippets_for([items[r[0]] for r in window], query, actor, on)
    hits = [
        ItemHit(items[item_id], in_meta, score, snippets[item_id])
        for item_id, in_meta, score in window
    ]
    shown = [rows[r[0]] for r in ranked]
    return SearchResult(
        query=query,
        filters=chosen,
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        hits=hits,
        facets=_facets_of_rows(shown, chosen, on) if facets else {},
        capped=capped,
    )


def _browse(
    user: Actor | None,
    filters: Mapping[str, str],
    page: int,
    per_page: int,
    on: datetime.date,
    facets: bool,
) -> SearchResult:
    published = Item.objects.filter(status=ItemStatus.PUBLISHED)
    queryset = _filtered(published, filters, on)
    total = queryset.count()
    pages = max(1, math.ceil(total / per_page))
    page = _clamp(page, pages)
    window = list(
        queryset.select_related("institution").order_by("-year", "title", "pk")[
            (page - 1) * per_page : page * per_page
        ]
    )
    hits = [ItemHit(item, True, 0.0, leading_snippet(_abstracts(item))) for item in window]
    return SearchResult(
        query="",
        filters=dict(filters),
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        hits=hits,
        facets=_facets_of_queryset(queryset, filters, on) if facets else {},
    )


def _abstracts(item: Item) -> list[str]:
    lang = translation.get_language() or "th"
    order = (
        (item.abstract_en, item.abstract_th)
        if lang.startswith("en")
        else (
            item.abstract_th,
            item.abstract_en,
        )
    )
    return [a for a in order if a]


def readable_texts(item: Item, user: Actor, on: datetime.date | None = None) -> Iterator[str]:
    """The text ``user`` may read of ``item``: its abstracts, then its files' pages only when
    ``access.can_read_files`` allows (read from the database only if asked for: a snippet
    found in an abstract needs no file text)."""
    yield from _abstracts(item)
    if access.can_read_files(user, item, on):
        yield from file_pages(item.pk)


def snippets_for(
    items: Sequence[Item], query: str, user: Actor, on: datetime.date | None = None
) -> dict[int, Snippet | None]:
    """``snippet_for`` of each item, the files' text read in one query for the items whose
    abstracts do not hold every query word (and whose files ``user`` may read)."""
    out: dict[int, Snippet | None] = {}
    need_text: list[Item] = []
    words = len(query_words(query))
    for item in items:
        found = make_snippet(_abstracts(item), query)
        out[item.pk] = found
        if (found is None or len(found.words) < words) and access.can_read_files(user, item, on):
            need_text.append(item)
    if need_text:
        pages: dict[int, list[str]] = {item.pk: [] for item in need_text}
        texts = FileText.objects.filter(file__item__in=[i.pk for i in need_text]).order_by(
            "file__item_id", "file__position", "file__pk"
        )
        for item_id, item_pages in texts.values_list("file__item_id", "pages"):
            pages[item_id].extend(str(page) for page in item_pages or [])
        for item in need_text:
            found = make_snippet([*_abstracts(item), *pages[item.pk]], query)
            if found is not None:
                out[item.pk] = found
    for item in items:
        if out[item.pk] is None:
            out[item.pk] = leading_snippet(_abstracts(item))
    return out


def snippet_for(
    item: Item, query: str, user: Actor, on: datetime.date | None = None
) -> Snippet | None:
    texts = readable_texts(item, user, on)
    return make_snippet(texts, query) or leading_snippet(_abstracts(item))
