"""Running a plan: each text leaf through the catalog's search, booleans in Python.

Every text leaf is answered by :func:`libcoop.catalog.search.search`, the same Thai-aware
ranking as the web page.  Booleans combine the leaves' ranked id lists and keep the order of
the left operand (SRU 1.2 "Result set model": a result set is an ordered list).  ``=`` and
``all`` need every word (the back end's rule); ``any`` needs one word, clusters matching more
words first; ``==`` / ``exact`` keep clusters whose whole title (author, subject) equals the
term once normalised (``textsearch.keys.text_key``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from libcoop.catalog.identifiers import normalise_isbn, normalise_issn
from libcoop.catalog.models import Cluster
from libcoop.catalog.search import CANDIDATE_LIMIT, search
from libcoop.interop.sru.plan import Kind, Leaf, Plan
from libcoop.textsearch.keys import text_key


@dataclass
class Ranked:
    ids: list[int]
    scores: dict[int, float] = field(default_factory=dict)
    capped: bool = False  # a leaf hit the candidate limit: the count is a lower bound


def _search(value: str, where: str | None) -> Ranked:
    result = search(value, field=where, per_page=CANDIDATE_LIMIT)
    ids = [h.cluster_id for h in result.hits]
    return Ranked(
        ids, {h.cluster_id: h.score for h in result.hits}, result.total >= CANDIDATE_LIMIT
    )


def _union(parts: list[Ranked]) -> Ranked:
    """``any``: clusters matching more words first, then by summed score, then first seen."""
    scores: dict[int, float] = {}
    matched: dict[int, int] = {}
    for part in parts:
        for i in part.ids:
            scores[i] = scores.get(i, 0.0) + part.scores.get(i, 0.0)
            matched[i] = matched.get(i, 0) + 1
    ids = sorted(scores, key=lambda i: (-matched[i], -scores[i]))
    return Ranked(ids, scores, any(p.capped for p in parts))


def _exact(ranked: Ranked, value: str, where: str | None) -> Ranked:
    key = text_key(value)
    lists = {"title": ("titles",), "author": ("authors",), "subject": ("subjects",)}
    names = lists.get(where or "", ("titles", "authors", "subjects"))
    merged = dict(Cluster.objects.filter(id__in=ranked.ids).values_list("id", "merged"))
    keep = {
        i
        for i, m in merged.items()
        if any(text_key(str(s)) == key for name in names for s in (m or {}).get(name, []))
    }
    return Ranked([i for i in ranked.ids if i in keep], ranked.scores, ranked.capped)


def _identifier(kind: Kind, value: str) -> Ranked:
    if kind == "cluster":
        digits = value.lower().removeprefix("libcoop")
        pk = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 18 else None
        found = Cluster.objects.filter(pk=pk, active=True).exists() if pk else False
        return Ranked([pk] if found and pk else [])
    norm = normalise_isbn(value) if kind == "isbn" else normalise_issn(value)
    return _search(norm, "identifier") if norm else Ranked([])


def run_leaf(leaf: Leaf) -> Ranked:
    spec, value = leaf.spec, leaf.value
    if spec.kind == "all":
        return _search("", None)
    if spec.kind != "text":
        if leaf.relation in ("any", "all") and len(value.split()) > 1:
            parts = [_identifier(spec.kind, w) for w in value.split()]
            if leaf.relation == "any":
                return _union(parts)
            return _and_all(parts)
        return _identifier(spec.kind, value)
    words = value.split()
    if leaf.relation == "any" and len(words) > 1:
        return _union([_search(w, spec.field) for w in words])
    ranked = _search(value, spec.field)
    return _exact(ranked, value, spec.field) if leaf.relation == "==" else ranked


def _and_all(parts: list[Ranked]) -> Ranked:
    result = parts[0]
    for part in parts[1:]:
        result = combine("and", result, part)
    return result


def combine(op: str, left: Ranked, right: Ranked) -> Ranked:
    """AND / OR / NOT of two ranked lists, in the left operand's order (OR appends the rest)."""
    right_ids = set(right.ids)
    capped = left.capped or right.capped
    if op == "and":
        return Ranked([i for i in left.ids if i in right_ids], left.scores, capped)
    if op == "not":
        return Ranked([i for i in left.ids if i not in right_ids], left.scores, capped)
    left_ids = set(left.ids)
    ids = left.ids + [i for i in right.ids if i not in left_ids]
    return Ranked(ids, {**right.scores, **left.scores}, capped)


def execute(plan: Plan) -> Ranked:
    if isinstance(plan, Leaf):
        return run_leaf(plan)
    return combine(plan.op, execute(plan.left), execute(plan.right))


def apply_sort(ids: list[int], keys: list[tuple[str, bool]]) -> list[int]:
    """Stable sort by each key, last key first; clusters without a value go last."""
    if not keys or not ids:
        return ids
    columns = sorted({c for c, _ in keys})
    rows = Cluster.objects.filter(id__in=ids).values_list("id", *columns)
    values = {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}
    for column, descending in reversed(keys):

        def value(i: int, column: str = column) -> object:
            return values.get(i, {}).get(column)

        present = [i for i in ids if value(i) not in (None, "")]
        missing = [i for i in ids if value(i) in (None, "")]
        present.sort(key=value, reverse=descending)  # type: ignore[arg-type]
        ids = present + missing
    return ids


__all__ = ["Ranked", "apply_sort", "combine", "execute"]
