"""The SRU protocol: parameters in, one response document out (never an HTTP error).

Versions (SRU 1.2 "Versions"; OASIS searchRetrieve v1.0 Part 3 "SRU 2.0"): ``version``
chooses the response shape, 1.2 when absent; 1.1 is answered in the 1.2 shape with version
1.1; anything else is diagnostic 5 (details: the highest version supported).

Operations: ``operation`` names one (``explain``, ``searchRetrieve``, ``scan``; unknown:
diagnostic 4).  Without it the parameters imply it, as SRU 2.0 defines: ``query`` means
searchRetrieve, ``scanClause`` means scan, otherwise explain.

Parameters not defined for the version are diagnostic 8 (``x-`` extensions are ignored, SRU
1.2 "Extensions"); a parameter given twice, or a value out of its range, is diagnostic 6.
Every diagnostic here is fatal: the response carries it instead of results.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from libcoop.catalog.export import merged_marc
from libcoop.catalog.models import Cluster
from libcoop.interop.sru import collection, cql
from libcoop.interop.sru.diagnostics import SRUDiagnostic
from libcoop.interop.sru.evaluate import apply_sort, execute
from libcoop.interop.sru.explain import (
    DEFAULT_RECORDS,
    DEFAULT_TERMS,
    MAX_QUERY_LENGTH,
    MAX_RECORDS,
    MAX_TERMS,
    ZEEREX_SCHEMA,
    explain_record,
)
from libcoop.interop.sru.plan import compile_query, compile_sort, root_scope, sort_keys_parameter
from libcoop.interop.sru.records import DC, MARCXML, Schema, dublin_core, marcxml
from libcoop.interop.sru.records import schema_named as find_schema
from libcoop.interop.sru.scan import scan
from libcoop.interop.sru.xml import Envelope, serialise

log = logging.getLogger(__name__)

VERSIONS = ("1.1", "1.2", "2.0")
HIGHEST_VERSION = "2.0"
OPERATIONS = ("explain", "searchRetrieve", "scan")
_COMMON = {"version", "operation", "query", "startRecord", "maximumRecords", "recordPacking"}
_COMMON |= {"recordSchema", "resultSetTTL", "sortKeys", "stylesheet", "scanClause"}
_COMMON |= {"responsePosition", "maximumTerms"}
PARAMETERS = {
    "1": frozenset(_COMMON | {"recordXPath"}),
    "2": frozenset(
        _COMMON | {"queryType", "recordXMLEscaping", "httpAccept", "renderedBy", "responseType"}
    ),
}


@dataclass(frozen=True)
class Context:
    """What a response needs to know about where it is served."""

    host: str
    port: int
    path: str
    base_url: str  # scheme://host[:port], for links to cluster pages
    database: str = "catalog"  # or "repository": the digital collection (sru/collection.py)


@dataclass
class Response:
    body: bytes
    content_type: str


class _Request:
    def __init__(self, params: Mapping[str, list[str]], version: str) -> None:
        self.params = params
        self.version = version
        self.env = Envelope(version)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default

    def integer(self, name: str, default: int, minimum: int) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < minimum:
            raise SRUDiagnostic(6, name)
        return int(raw)


def _check_parameters(req: _Request) -> None:
    allowed = PARAMETERS[req.version[0]]
    for name, values in req.params.items():
        if name.startswith("x-"):
            continue
        if name not in allowed:
            raise SRUDiagnostic(8, name)
        if len(values) > 1:
            raise SRUDiagnostic(6, name, "given more than once")
    if req.get("stylesheet") is not None:
        raise SRUDiagnostic(110)
    if req.get("recordXPath") is not None:
        raise SRUDiagnostic(72)
    req.integer("resultSetTTL", 0, 0)  # accepted; no result sets are kept
    if req.version.startswith("2") and (req.get("queryType") or "cql") != "cql":
        raise SRUDiagnostic(6, "queryType")


def _packing(req: _Request) -> str:
    """``xml`` or ``string``: recordPacking in 1.x, recordXMLEscaping in 2.0."""
    if req.env.v2:
        packing = req.get("recordPacking") or "packed"
        if packing != "packed":
            raise SRUDiagnostic(71, packing)
        escaping = req.get("recordXMLEscaping", "xml") or ""
    else:
        escaping = req.get("recordPacking", "xml") or ""
    if escaping not in ("xml", "string"):
        raise SRUDiagnostic(71, escaping)
    return escaping


def _record(
    req: _Request, parent: etree._Element, schema: str, data: etree._Element, packing: str
) -> etree._Element:
    record = req.env.child(parent, "record")
    req.env.child(record, "recordSchema", schema)
    req.env.child(record, "recordXMLEscaping" if req.env.v2 else "recordPacking", packing)
    record_data = req.env.child(record, "recordData")
    if packing == "xml":
        record_data.append(data)
    else:
        record_data.text = etree.tostring(data, encoding="unicode")
    return record


# --- operations -----------------------------------------------------------------------------


def explain(req: _Request, ctx: Context, root: etree._Element, *, diagnostics: bool) -> None:
    packing = "xml"
    if not diagnostics:
        packing = _packing(req)
    record = explain_record(
        ctx.host,
        ctx.port,
        ctx.path.strip("/") or "sru",
        req.version,
        collection=ctx.database == collection.DATABASE,
    )
    _record(req, root, ZEEREX_SCHEMA, record, packing)


def search_retrieve(req: _Request, ctx: Context, root: etree._Element) -> None:
    query_text = req.get("query")
    if query_text is None:
        raise SRUDiagnostic(7, "query")
    if len(query_text) > MAX_QUERY_LENGTH:
        raise SRUDiagnostic(12, str(MAX_QUERY_LENGTH))
    start = req.integer("startRecord", 1, 1)
    maximum = min(req.integer("maximumRecords", DEFAULT_RECORDS, 0), MAX_RECORDS)
    schema = find_schema(req.get("recordSchema") or MARCXML.identifier)
    if schema is None:
        raise SRUDiagnostic(66, req.get("recordSchema") or "")
    packing = _packing(req)
    try:
        query = cql.parse(query_text)
    except cql.CQLSyntaxError as error:
        details = str(error.position) if error.code in (13, 14) else query_text
        raise SRUDiagnostic(error.code, details, str(error)) from error
    plan, sort = compile_query(query)
    if req.get("sortKeys") and not query.sort_keys:
        sort = compile_sort(sort_keys_parameter(req.get("sortKeys") or ""), root_scope())
    in_collection = ctx.database == collection.DATABASE
    if in_collection:
        collection.check(plan)
        collection.sort_keys(sort)
    ranked = collection.execute(plan) if in_collection else execute(plan)
    total = len(ranked.ids)
    req.env.child(root, "numberOfRecords", total)
    if maximum and start > max(total, 1):
        raise SRUDiagnostic(61, str(start))
    ordered = (
        collection.apply_sort(ranked.ids, sort) if in_collection else apply_sort(ranked.ids, sort)
    )
    ids = ordered[start - 1 : start - 1 + maximum]
    if in_collection:
        _collection_records(req, ctx, root, ids, start, schema, packing)
    else:
        _records(req, ctx, root, ids, start, schema, packing)
    if ids and start + len(ids) <= total:
        req.env.child(root, "nextRecordPosition", start + len(ids))
    if req.env.v2:
        precision = "estimate" if ranked.capped else "exact"
        req.env.child(
            root, "resultCountPrecision", f"info:srw/vocabulary/resultCountPrecision/1/{precision}"
        )


def _records(
    req: _Request,
    ctx: Context,
    root: etree._Element,
    ids: list[int],
    start: int,
    schema: Schema,
    packing: str,
) -> None:
    """``<records>`` for the clusters ``ids`` (positions from ``start``), if any remain."""
    clusters = {c.pk: c for c in Cluster.objects.filter(id__in=ids, active=True)}
    marc = merged_marc([clusters[i] for i in ids if i in clusters])
    if not marc:
        return
    records = req.env.child(root, "records")
    for position, cid in enumerate(ids, start=start):
        if cid not in marc:
            continue
        if schema is DC:
            url = f"{ctx.base_url}/catalog/clusters/{cid}/"
            data = dublin_core(marc[cid], clusters[cid], url)
        else:
            data = marcxml(marc[cid])
        record = _record(req, records, schema.identifier, data, packing)
        req.env.child(record, "recordPosition", position)


def _collection_records(
    req: _Request,
    ctx: Context,
    root: etree._Element,
    ids: list[int],
    start: int,
    schema: Schema,
    packing: str,
) -> None:
    """``<records>`` for the collection's items ``ids`` (positions from ``start``)."""
    found = collection.records(ids, ctx.base_url, dublin_core=schema is DC)
    if not found:
        return
    records = req.env.child(root, "records")
    positions = {pk: n for n, pk in enumerate(ids, start=start)}
    for pk, data in found:
        record = _record(req, records, schema.identifier, data, packing)
        req.env.child(record, "recordPosition", positions[pk])


def scan_operation(req: _Request, root: etree._Element) -> None:
    clause = req.get("scanClause")
    if clause is None:
        raise SRUDiagnostic(7, "scanClause")
    position = req.integer("responsePosition", 1, 0)
    maximum = min(req.integer("maximumTerms", DEFAULT_TERMS, 1), MAX_TERMS)
    try:
        terms = scan(clause, position, maximum)
    except cql.CQLSyntaxError as error:
        details = str(error.position) if error.code in (13, 14) else clause
        raise SRUDiagnostic(error.code, details, str(error)) from error
    if terms:
        container = req.env.child(root, "terms")
        for term in terms:
            el = req.env.child(container, "term")
            req.env.child(el, "value", term.value)
            req.env.child(el, "numberOfRecords", term.count)


# --- dispatch -------------------------------------------------------------------------------


def _operation(params: Mapping[str, list[str]]) -> str:
    named = params.get("operation")
    if named:
        return named[0]
    if "query" in params:
        return "searchRetrieve"
    return "scan" if "scanClause" in params else "explain"


def handle(params: Mapping[str, list[str]], ctx: Context) -> Response:
    """Answer one SRU request; diagnostics replace results, nothing raises."""
    version = (params.get("version") or ["1.2"])[0]
    operation = _operation(params)
    known_version = version in VERSIONS
    req = _Request(params, version if known_version else "1.2")
    known = operation in OPERATIONS
    root = req.env.root(operation if known else "explain")
    try:
        if not known_version:
            raise SRUDiagnostic(5, HIGHEST_VERSION)
        if not known:
            raise SRUDiagnostic(4, operation)
        _check_parameters(req)
        if operation == "searchRetrieve":
            search_retrieve(req, ctx, root)
        elif operation == "scan":
            if ctx.database == collection.DATABASE:
                raise SRUDiagnostic(4, "scan (not offered by the digital collection's database)")
            scan_operation(req, root)
        else:
            explain(req, ctx, root, diagnostics=False)
    except SRUDiagnostic as diagnostic:
        _fail(req, ctx, root, operation if known else "explain", diagnostic)
    except Exception as error:  # diagnostic 1 instead of an HTTP 500 (SRU 1.2 "Diagnostics")
        log.exception("SRU request failed: %r", dict(params))
        _fail(
            req,
            ctx,
            root,
            operation if known else "explain",
            SRUDiagnostic(1, type(error).__name__),
        )
    return Response(serialise(root), req.env.content_type)


def _fail(
    req: _Request, ctx: Context, root: etree._Element, operation: str, diag: SRUDiagnostic
) -> None:
    """Replace partial results by the diagnostic; keep what each schema makes mandatory."""
    keep = {"version", "numberOfRecords"} if diag.number == 61 else {"version"}
    for child in list(root):
        if etree.QName(child).localname not in keep:
            root.remove(child)
    if operation == "searchRetrieve" and not req.env.v2 and len(root) < 2:
        req.env.child(root, "numberOfRecords", 0)
    if operation == "explain":
        explain(req, ctx, root, diagnostics=True)
    req.env.diagnostics(root, [(diag.uri, diag.details, diag.message)])


__all__ = ["Context", "Response", "handle"]
