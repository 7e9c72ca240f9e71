"""The digital collection as an SRU database of its own: ``/sru/repository`` (the union
catalog stays at ``/sru``). Same protocol, versions, CQL parser and diagnostics; what differs
is what a query runs against and what a record is:

=======================  ==================================================================
cql.serverChoice         every field of the metadata and the text of files open to everyone
dc.title / creator /     the title (both languages) / authors and advisors / keywords,
subject                  discipline and type
rec.identifier           the item (``repository-12`` or ``12``)
cql.allRecords           every published item
sortBy                   dc.title, dc.date (the year)
=======================  ==================================================================

``bath.isbn`` and ``bath.issn`` are the catalog's; here they are diagnostic 16 (unsupported
index), and scan is diagnostic 4 (unsupported operation). Searches are anonymous: they read
only the collection's public index (``repository.queries.search_public``), so no restricted
or embargoed text is ever matched. Records are the MARC 21 and Dublin Core of
``interop.repository_records``: metadata only (no file link) for items whose files not
everyone may read today.
"""

from __future__ import annotations

from lxml import etree

from libcoop.interop import repository_records
from libcoop.interop.sru.diagnostics import SRUDiagnostic
from libcoop.interop.sru.evaluate import Ranked, combine
from libcoop.interop.sru.plan import Combine, Leaf, Plan
from libcoop.interop.sru.records import DC_NS, SRW_DC_NS, marcxml
from libcoop.interop.sru.xml import add, clean
from libcoop.repository import queries as collection

DATABASE = "repository"
SUPPORTED = frozenset(
    {"cql.serverChoice", "cql.allRecords", "dc.title", "dc.creator", "dc.subject", "rec.identifier"}
)
SORT_COLUMNS = {"title_sort": "title", "year": "year"}


def check(plan: Plan) -> None:
    """Diagnostic 16 for an index the collection has no values for."""
    stack = [plan]
    while stack:
        node = stack.pop()
        if isinstance(node, Combine):
            stack += [node.left, node.right]
        elif node.spec.name not in SUPPORTED:
            raise SRUDiagnostic(16, node.spec.name)


def sort_keys(keys: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out = []
    for column, descending in keys:
        if column not in SORT_COLUMNS:
            raise SRUDiagnostic(16, column)
        out.append((SORT_COLUMNS[column], descending))
    return out


def _found(value: str, field: str | None) -> Ranked:
    found = collection.search_public(value, field)
    return Ranked(found.ids, found.scores, found.capped)


def _union(parts: list[Ranked]) -> Ranked:
    scores: dict[int, float] = {}
    matched: dict[int, int] = {}
    for part in parts:
        for i in part.ids:
            scores[i] = scores.get(i, 0.0) + part.scores.get(i, 0.0)
            matched[i] = matched.get(i, 0) + 1
    ids = sorted(scores, key=lambda i: (-matched[i], -scores[i]))
    return Ranked(ids, scores, any(p.capped for p in parts))


def _identifier(value: str) -> Ranked:
    digits = value.lower().removeprefix("repository-").removeprefix("repository")
    ok = digits.isascii() and digits.isdigit() and 0 < len(digits) < 18
    pk = int(digits) if ok else 0
    return Ranked([pk] if pk and collection.is_published(pk) else [])


def run_leaf(leaf: Leaf) -> Ranked:
    spec, value = leaf.spec, leaf.value
    if spec.kind == "all":
        return Ranked(collection.published_ids())
    if spec.kind == "cluster":  # rec.identifier
        if leaf.relation in ("any", "all") and len(value.split()) > 1:
            parts = [_identifier(w) for w in value.split()]
            if leaf.relation == "any":
                return _union(parts)
            result = parts[0]
            for part in parts[1:]:
                result = combine("and", result, part)
            return result
        return _identifier(value)
    words = value.split()
    if leaf.relation == "any" and len(words) > 1:
        return _union([_found(w, spec.field) for w in words])
    ranked = _found(value, spec.field)
    if leaf.relation == "==":
        return Ranked(collection.exactly(ranked.ids, value, spec.field), ranked.scores)
    return ranked


def execute(plan: Plan) -> Ranked:
    if isinstance(plan, Leaf):
        return run_leaf(plan)
    return combine(plan.op, execute(plan.left), execute(plan.right))


def apply_sort(ids: list[int], keys: list[tuple[str, bool]]) -> list[int]:
    return collection.sorted_ids(ids, sort_keys(keys))


def records(ids: list[int], base_url: str, dublin_core: bool) -> list[tuple[int, etree._Element]]:
    """(item id, record element) for those of *ids* still published, in order."""
    public = collection.public_items(ids)
    out = []
    for pk in ids:
        item = public.get(pk)
        if item is None:
            continue
        page = base_url + collection.item_path(pk)
        files = {f.id: base_url + collection.file_path(pk, f.id) for f in item.files}
        if dublin_core:
            root = etree.Element(f"{{{SRW_DC_NS}}}dc", nsmap={"srw_dc": SRW_DC_NS, "dc": DC_NS})
            for name, value in repository_records.dublin_core(item, page, files):
                add(root, f"{{{DC_NS}}}{name}", clean(value))
            out.append((pk, root))
        else:
            out.append((pk, marcxml(repository_records.marc(item, page, files))))
    return out
