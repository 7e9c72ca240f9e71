"""Thai-aware search over knowledge articles, on SQLite and PostgreSQL alike.

Articles are analysed by the same code as the union catalog (``textsearch`` analysis: ICU
word segmentation, grapheme bigrams of every Thai run, case and diacritic folding, Thai digits
and zero-width characters normalised), and the terms are kept in one ``SearchEntry`` row per
article, as space-separated strings.  A query word then matches a field

* *as a word* when `` word `` occurs in the field's words;
* *by n-grams* (Thai words) when the word's bigram sequence `` g1 g2 … `` occurs in the field's
  grams: the word is inside the text even where the segmenter cut it differently
  (ขยะ in การคัดแยกขยะในห้องสมุด);
* *as a prefix* (other words of three letters or more) when a field word starts with it
  (sort → sorting), so English search forgives inflection.

Every query word must match (AND).  The test is a substring (``LIKE``) over the entries of the
articles the user may read, which is exact and needs no index tables of the database's own: a
network's knowledge base holds thousands of articles, not millions (the catalog's FTS5 and
GIN back ends are for that).

Ranking follows the catalog's policy (``textsearch.backends.base``): articles where every
query word matched as a whole word first, then points summed over the query words for the best
field each matched — title 8, tags 4, summary 2, body 1, times 2 for a word and 1 for n-grams
or a prefix — so a title hit ranks above a body hit; then shorter titles, then newer articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from libcoop.knowledge.models import KnowledgeArticle, SearchEntry
from libcoop.textsearch.backends.analysis import (
    QueryTerm,
    analyse_query,
    analyse_text,
    gram_string,
    word_string,
)
from libcoop.textsearch.backends.base import WORD_HIT_SCORE

FIELDS = ("title", "tag", "summary", "body")
FIELD_WEIGHTS = {"title": 8, "tag": 4, "summary": 2, "body": 1}
WORD_MATCH = 2
PART_MATCH = 1  # n-grams of a Thai word, or a prefix of another word
MIN_PREFIX = 3
FILLER = "0"  # between Thai runs in a gram column; grams are Thai, so no query gram is "0"
MAX_RESULTS = 500


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def entry_fields(article: KnowledgeArticle) -> dict[str, str | int]:
    """The ``SearchEntry`` columns of *article* (its tags must be saved already)."""
    tags = list(article.tags.all())
    texts = {
        "title": _join(article.title_th, article.title_en),
        "tag": _join(*(f"{t.label_th}\n{t.label_en}\n{t.code}" for t in tags)),
        "summary": _join(article.summary_th, article.summary_en),
        "body": _join(article.body_th, article.body_en, article.contributors),
    }
    values: dict[str, str | int] = {}
    for field, text in texts.items():
        terms = analyse_text(text)
        values[f"{field}_words"] = word_string(terms.words)
        values[f"{field}_grams"] = gram_string(terms.grams, FILLER)
        if field == "title":
            values["title_len"] = len(terms.words)
    return values


def refresh(article: KnowledgeArticle) -> None:
    """Bring *article*'s search entry up to date (services call this after every change)."""
    SearchEntry.objects.update_or_create(article=article, defaults=entry_fields(article))


def reindex(articles: Iterable[KnowledgeArticle] | None = None) -> int:
    """Rebuild the entries (of all articles by default), e.g. after tag labels changed."""
    count = 0
    for article in articles if articles is not None else KnowledgeArticle.objects.all():
        refresh(article)
        count += 1
    return count


def _prefix_ok(term: QueryTerm) -> bool:
    return term.grams is None and len(term.word) >= MIN_PREFIX and not term.word.isdigit()


def _term_q(term: QueryTerm) -> Q:
    q = Q()
    for field in FIELDS:
        words = f"search_entry__{field}_words__contains"
        q |= Q(**{words: f" {term.word} "})
        if term.grams:
            q |= Q(**{f"search_entry__{field}_grams__contains": f" {' '.join(term.grams)} "})
        elif _prefix_ok(term):
            q |= Q(**{words: f" {term.word}"})
    return q


@dataclass(frozen=True)
class Ranked:
    article: KnowledgeArticle
    score: float
    word_hit: bool  # every query word matched as a whole word


def _part_match(term: QueryTerm, words: str, grams: str) -> bool:
    """The word's n-grams are in the field's grams, or (not Thai) a field word starts with it."""
    if term.grams:
        return f" {' '.join(term.grams)} " in grams
    return _prefix_ok(term) and f" {term.word}" in words


def _points(term: QueryTerm, entry: SearchEntry) -> tuple[int, bool]:
    """Points of the best field *term* matched in, and whether it matched as a word."""
    best, as_word = 0, False
    for field in FIELDS:
        words: str = getattr(entry, f"{field}_words")
        weight = FIELD_WEIGHTS[field]
        if f" {term.word} " in words:
            best, as_word = max(best, weight * WORD_MATCH), True
        elif _part_match(term, words, getattr(entry, f"{field}_grams")):
            best = max(best, weight * PART_MATCH)
    return best, as_word


def search(
    query: str, queryset: QuerySet[KnowledgeArticle], *, limit: int = MAX_RESULTS
) -> list[Ranked]:
    """The articles of *queryset* (already filtered for the reader) matching *query*, best first.

    An empty query (or one with no words) returns nothing: the caller lists instead.
    """
    terms = analyse_query(query)
    if not terms:
        return []
    qs = queryset.select_related("search_entry")
    for term in terms:
        qs = qs.filter(_term_q(term))
    ranked: list[Ranked] = []
    for article in qs.distinct():
        entry = article.search_entry
        total, all_words = 0, True
        for term in terms:
            points, as_word = _points(term, entry)
            total += points
            all_words = all_words and as_word
        score = (WORD_HIT_SCORE if all_words else 0.0) + total + 1.0 / (2 + entry.title_len)
        ranked.append(Ranked(article, score, all_words))
    ranked.sort(
        key=lambda r: (-r.score, -(r.article.published.toordinal() if r.article.published else 0))
    )
    return ranked[:limit]
