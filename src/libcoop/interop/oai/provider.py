"""OAI-PMH 2.0 data provider: the six verbs (§4) as plain results, no XML.

``handle(arguments, now)`` checks the request (§3.1.1 arguments, §3.3 dates, §3.6
errors), runs the verb against the catalog models (read-only) and returns an
``Outcome``; :mod:`libcoop.interop.oai.xml` serialises it. Items are clusters (§2.2):
identifier ``oai:<repositoryIdentifier>:cluster/<id>`` (§2.3 and the oai-identifier
scheme), datestamp ``Cluster.updated`` (§2.7.1), and an inactive cluster is a deleted
record (§2.5, deletedRecord ``persistent``).

The digital collection's items are records of the same repository (``oai/repository.py``):
identifier ``oai:<repositoryIdentifier>:repository/<id>``, datestamp ``Item.updated``, a
withdrawn item a deleted record, sets under ``repository``. A list without a set holds
both, interleaved in the order ``(datestamp, list, id)`` (clusters before items at the same
datestamp), so one keyset position covers both lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pymarc
from django.conf import settings
from django.db.models import F, Min, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone

from libcoop.catalog.models import Cluster
from libcoop.interop.oai import repository, sets, tokens
from libcoop.interop.oai.arguments import OAIError, dates, parse
from libcoop.interop.oai.records import merged_marc
from libcoop.repository import queries as collection

RECORDS_PER_PAGE = 100
IDENTIFIERS_PER_PAGE = 250
DEFAULT_REPOSITORY_IDENTIFIER = "libcoop.example.org"


def repository_identifier() -> str:
    return str(
        getattr(settings, "LIBCOOP_OAI_REPOSITORY_IDENTIFIER", DEFAULT_REPOSITORY_IDENTIFIER)
    )


def oai_identifier(cluster_id: int) -> str:
    return f"oai:{repository_identifier()}:cluster/{cluster_id}"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


FORMATS = {
    f.prefix: f
    for f in (
        MetadataFormat(
            "oai_dc",
            "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            "http://www.openarchives.org/OAI/2.0/oai_dc/",
        ),
        MetadataFormat(
            "marc21",
            "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
            "http://www.loc.gov/MARC21/slim",
        ),
    )
}


@dataclass(frozen=True)
class Identity:
    name: str
    admin_emails: list[str]
    earliest: dt.datetime
    repository_identifier: str


@dataclass(frozen=True)
class Header:
    identifier: str
    datestamp: dt.datetime
    set_specs: tuple[str, ...]
    deleted: bool


@dataclass(frozen=True)
class Item:
    """A record (§2.4): its header, and the merged MARC record unless deleted or unasked;
    for an item of the digital collection (``cluster_id`` is then the item's id) its public
    metadata instead of MARC."""

    header: Header
    cluster_id: int
    marc: pymarc.Record | None = None
    collection_item: collection.PublicItem | None = None


@dataclass(frozen=True)
class Page:
    """One list response with its flow control (§3.5)."""

    items: list[Item]
    prefix: str
    token: str | None  # the next token; None on the last page
    cursor: int
    complete_list_size: int
    expires: dt.datetime | None
    split: bool  # an incomplete list: a resumptionToken element is due (empty at the end)


Result = Identity | list[MetadataFormat] | list[sets.SetInfo] | Item | Page


@dataclass
class Outcome:
    verb: str | None
    request: dict[str, str] = field(default_factory=dict)  # echoed as request attributes
    errors: list[OAIError] = field(default_factory=list)
    result: Result | None = None


# ------------------------------------------------------------------ verbs (§4)

_EMAIL = re.compile(r"\S+@(\S+\.)+\S+")  # emailType in OAI-PMH.xsd
_DISSEMINABLE = Q(active=False) | Q(merged__has_key="base_record")


def _cluster(identifier: str) -> Cluster:
    rest = identifier.removeprefix(f"oai:{repository_identifier()}:cluster/")
    if rest == identifier or not re.fullmatch(r"[1-9][0-9]{0,17}", rest):
        raise OAIError("idDoesNotExist", "No item has this identifier in this repository.")
    cluster = Cluster.objects.filter(pk=int(rest)).first()
    if cluster is None:
        raise OAIError("idDoesNotExist", "No item has this identifier in this repository.")
    return cluster


def _format(prefix: str) -> MetadataFormat:
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", "Formats: " + ", ".join(FORMATS) + ".")
    return FORMATS[prefix]


def _items(clusters: Sequence[Cluster], today: dt.date, *, metadata: bool) -> list[Item]:
    specs = sets.specs_of(
        [c.pk for c in clusters if c.active], [c.pk for c in clusters if not c.active], today
    )
    marc = merged_marc(clusters) if metadata else {}
    return [
        Item(
            Header(oai_identifier(c.pk), c.updated, tuple(specs.get(c.pk, ())), not c.active),
            c.pk,
            marc.get(c.pk),
        )
        for c in clusters
    ]


def _collection_items(rows: Sequence[collection.HarvestRow], *, metadata: bool) -> list[Item]:
    """Headers, and public metadata as the access rule judges it today (``access.today``,
    the collection's one clock: an embargo ends for OAI-PMH when it ends for the pages)."""
    public = collection.public_items([r.id for r in rows if not r.deleted]) if metadata else {}
    out = []
    for r in rows:
        record = public.get(r.id)
        # published when listed, withdrawn by the time its metadata is read: a deletion
        deleted = r.deleted or (metadata and record is None)
        header = Header(
            repository.identifier(repository_identifier(), r.id),
            r.updated,
            repository.set_specs(r),
            deleted,
        )
        out.append(Item(header, r.id, None, None if deleted else record))
    return out


def _collection_id(identifier: str) -> int | None:
    return repository.item_id(repository_identifier(), identifier)


def identify(params: Mapping[str, str], now: dt.datetime) -> Identity:
    """§4.2 Identify."""
    stamps = [Cluster.objects.aggregate(e=Min("updated"))["e"], repository.earliest()]
    earliest = min((s for s in stamps if s is not None), default=now)
    admins = [a if isinstance(a, str) else a[1] for a in getattr(settings, "ADMINS", [])]
    configured = [getattr(settings, "LIBCOOP_OAI_ADMIN_EMAIL", ""), *admins]
    fallback = [f"oai-admin@{i}" for i in (repository_identifier(), DEFAULT_REPOSITORY_IDENTIFIER)]
    emails = [e for e in configured if _EMAIL.fullmatch(e or "")]
    return Identity(
        name=str(getattr(settings, "LIBCOOP_OAI_REPOSITORY_NAME", "LibCoop union catalog")),
        admin_emails=emails or [e for e in fallback if _EMAIL.fullmatch(e)][:1],
        earliest=earliest,
        repository_identifier=repository_identifier(),
    )


def list_metadata_formats(params: Mapping[str, str], now: dt.datetime) -> list[MetadataFormat]:
    """§4.4 ListMetadataFormats: both formats for every item that has metadata."""
    if "identifier" in params and (pk := _collection_id(params["identifier"])) is not None:
        row = collection.harvest_row(pk)
        if row is None:
            raise OAIError("idDoesNotExist", "No item has this identifier in this repository.")
        if row.deleted:
            raise OAIError("noMetadataFormats", "This item has no metadata to disseminate.")
    elif "identifier" in params:
        cluster = _cluster(params["identifier"])
        if not Cluster.objects.filter(_DISSEMINABLE, pk=cluster.pk).exists():
            raise OAIError("noMetadataFormats", "This item has no metadata to disseminate.")
    return list(FORMATS.values())


def list_sets(params: Mapping[str, str], now: dt.datetime) -> list[sets.SetInfo]:
    """§4.6 ListSets: one complete list, so no resumptionToken is ever valid here."""
    if "resumptionToken" in params:
        raise OAIError("badResumptionToken", "ListSets is never split into pages.")
    found = sets.all_sets() + [sets.SetInfo(e.spec, e.name) for e in repository.all_sets()]
    if not found:
        raise OAIError("noSetHierarchy", "There are no sets yet: no library has records.")
    return found


def get_record(params: Mapping[str, str], now: dt.datetime) -> Item:
    """§4.1 GetRecord; a deleted item is its header alone."""
    _format(params["metadataPrefix"])
    pk = _collection_id(params["identifier"])
    if pk is not None:
        row = collection.harvest_row(pk)
        if row is None:
            raise OAIError("idDoesNotExist", "No item has this identifier in this repository.")
        return _collection_items([row], metadata=True)[0]
    cluster = _cluster(params["identifier"])
    if not Cluster.objects.filter(_DISSEMINABLE, pk=cluster.pk).exists():
        raise OAIError("cannotDisseminateFormat", "This item has no metadata to disseminate.")
    return _items([cluster], timezone.localdate(now), metadata=True)[0]


def _first_request(verb: str, params: Mapping[str, str], now: dt.datetime) -> tokens.Harvest:
    prefix = _format(params["metadataPrefix"]).prefix
    start, until = dates(params)
    if "set" in params and not sets.all_sets() and not repository.all_sets():
        raise OAIError("noSetHierarchy", "There are no sets yet: no library has records.")
    frozen = now if until is None else min(until, now)
    return tokens.Harvest(verb, prefix, params.get("set"), start, frozen, now)


def _position(verb: str, token: str) -> tokens.Position:
    try:
        return tokens.decode(token, verb)
    except tokens.BadToken as exc:
        raise OAIError("badResumptionToken", str(exc)) from exc


def _selection(harvest: tokens.Harvest) -> QuerySet[Cluster]:
    qs = Cluster.objects.filter(_DISSEMINABLE, updated__lte=harvest.until)
    if harvest.start is not None:
        qs = qs.filter(updated__gte=harvest.start)
    if harvest.set_spec is not None:
        member = sets.membership(harvest.set_spec, timezone.localdate(harvest.issued))
        qs = qs.filter(member) if member is not None else qs.none()
    return qs


_LAST_ID = 2**62  # above every id: "after every cluster of this datestamp"


def _after(position: tokens.Position) -> TupleGreaterThan:
    """``(updated, id) > (datestamp, id)`` of the last item sent: an index range on
    ``catalog_cluster_datestamp``, however many items come before it. When the last item
    sent was one of the collection's, every cluster of its datestamp came before it."""
    last_id = position.last_id if position.last_source == "cluster" else _LAST_ID
    key = (position.last_datestamp, last_id)
    return TupleGreaterThan(Tuple(F("updated"), F("id")), key)


def _collection_after(position: tokens.Position | None) -> tuple[dt.datetime, int] | None:
    """The same for the collection's items (``repo_item_oai``): after a cluster, every item
    of its datestamp is still to come."""
    if position is None:
        return None
    last_id = position.last_id if position.last_source == "repository" else 0
    return (position.last_datestamp, last_id)


def _lists(harvest: tokens.Harvest) -> tuple[bool, repository.Filter | None]:
    """Whether the harvest reads the catalog's clusters, and which of the collection's items
    (None: none of them)."""
    spec = harvest.set_spec
    if spec is None:
        return True, repository.Filter()
    if repository.is_repository_set(spec):
        return False, repository.parse_set(spec)
    return True, None


type _Entry = tuple[dt.datetime, int, int, Cluster | collection.HarvestRow]


def list_items(verb: str, params: Mapping[str, str], now: dt.datetime) -> Page:
    """§4.3 ListIdentifiers and §4.5 ListRecords, in pages (§3.5; see ``tokens``).

    A page reads the next ``size + 1`` items after the token's key from each list it covers
    (keyset pagination) and keeps the first ``size + 1`` in ``(datestamp, list, id)`` order;
    only the first request of a list counts it (``completeListSize``, carried in the token).
    """
    position = _position(verb, params["resumptionToken"]) if "resumptionToken" in params else None
    harvest = position.harvest if position else _first_request(verb, params, now)
    cursor = position.cursor if position else 0
    with_clusters, wanted = _lists(harvest)
    metadata = verb == "ListRecords"
    size = RECORDS_PER_PAGE if metadata else IDENTIFIERS_PER_PAGE
    entries: list[_Entry] = []
    selection = _selection(harvest) if with_clusters else None
    if selection is not None:
        rest = selection.filter(_after(position)) if position is not None else selection
        if not metadata:
            rest = rest.only("id", "updated", "active")
        entries += [(c.updated, 0, c.pk, c) for c in rest.order_by("updated", "id")[: size + 1]]
    if wanted is not None:
        rows = collection.harvest_rows(
            harvest.start,
            harvest.until,
            wanted.library_code,
            wanted.item_type,
            _collection_after(position),
            size + 1,
        )
        entries += [(r.updated, 1, r.id, r) for r in rows]
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    if not entries:
        raise OAIError("noRecordsMatch", "No items match these arguments (or none are left).")
    more, page = len(entries) > size, entries[:size]
    if not more:  # the last page: exactly what was sent
        total = cursor + len(page)
    elif position is None:  # the first of several pages: counted once per harvest
        total = selection.count() if selection is not None else 0
        if wanted is not None:
            total += collection.harvest_count(
                harvest.start, harvest.until, wanted.library_code, wanted.item_type
            )
    else:  # the first count; the list only shrinks (changed items leave the window)
        total = max(position.total, cursor + len(page) + 1)
    token = None
    if more:
        last = page[-1]
        token = tokens.encode(
            tokens.Position(
                harvest,
                last[0],
                last[2],
                cursor + len(page),
                total,
                "cluster" if last[1] == 0 else "repository",
            )
        )
    today = timezone.localdate(harvest.issued)
    clusters = [e[3] for e in page if isinstance(e[3], Cluster)]
    rows = [e[3] for e in page if isinstance(e[3], collection.HarvestRow)]
    built = {(0, i.cluster_id): i for i in _items(clusters, today, metadata=metadata)}
    built |= {(1, i.cluster_id): i for i in _collection_items(rows, metadata=metadata)}
    return Page(
        items=[built[(e[1], e[2])] for e in page],
        prefix=harvest.prefix,
        token=token,
        cursor=cursor,
        complete_list_size=total,
        expires=tokens.expiry(now) if token else None,
        split=more or position is not None,
    )


HANDLERS: dict[str, Callable[[Mapping[str, str], dt.datetime], Result]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": lambda p, now: list_items("ListIdentifiers", p, now),
    "ListRecords": lambda p, now: list_items("ListRecords", p, now),
}


def handle(arguments: Mapping[str, Sequence[str]], now: dt.datetime) -> Outcome:
    """Answer one OAI-PMH request. After badVerb or badArgument the request element carries
    no attributes; otherwise it echoes the arguments (§3.2 XML response format)."""
    try:
        verb, params = parse(arguments)
    except OAIError as exc:
        return Outcome(verb=None, errors=[exc])
    request = {"verb": verb, **params}
    try:
        return Outcome(verb, request, result=HANDLERS[verb](params, now))
    except OAIError as exc:
        return Outcome(verb, request, errors=[exc])
