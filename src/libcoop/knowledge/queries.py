"""Read functions other apps use (the cross-app contract in docs/contracts.md).

They report what an institution contributed whatever the article's visibility: callers are
reports about that institution (assessment evidence, network growth), which show counts,
titles and links; the article page itself still checks who may read it. A caller that shows
titles to a reader who may not be the institution's staff (a public report page) passes
``reader`` to ``contributions_of`` so that only the articles that reader may read are listed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from libcoop.knowledge.access import visible_to
from libcoop.knowledge.models import ArticleKind, ArticleStatus, KnowledgeArticle
from libcoop.network.abilities import Actor
from libcoop.network.models import Institution, Membership, Network


@dataclass(frozen=True)
class ArticleFact:
    pk: int
    title: str
    kind: str  # ArticleKind value: article, practice, document, link
    kind_label: str
    tags: list[str]  # tag labels in lang
    published: datetime.date
    institution_code: str
    url: str


def _published() -> Q:
    return Q(status=ArticleStatus.PUBLISHED, published__isnull=False)


def contributions_of(
    institution: Institution,
    *,
    year: int | None = None,
    lang: str = "th",
    reader: Actor | None = None,
) -> list[ArticleFact]:
    """Published, non-withdrawn articles *institution* contributed (any visibility), oldest
    first; *year* is the CE year of publication. With *reader*, only the articles that reader
    may read (``knowledge.access``): what a page shown to that reader may name."""
    qs = (
        KnowledgeArticle.objects.filter(_published(), institution=institution)
        .prefetch_related("tags")
        .order_by("published", "pk")
    )
    if reader is not None:
        qs = visible_to(reader, qs)
    if year is not None:
        qs = qs.filter(published__year=year)
    facts = []
    for article in qs:
        assert article.published is not None
        facts.append(
            ArticleFact(
                pk=article.pk,
                title=article.title_in(lang),
                kind=article.kind,
                kind_label=_kind_label(article.kind, lang),
                tags=[t.label_in(lang) for t in article.tags.all()],
                published=article.published,
                institution_code=institution.code,
                url=article.get_absolute_url(),
            )
        )
    return facts


def _kind_label(kind: str, lang: str) -> str:
    from django.utils import translation

    with translation.override(lang):
        return str(ArticleKind(kind).label)


def growth_of_network(network: Network, *, years: int = 5) -> list[tuple[int, int]]:
    """(CE year, articles published that year by the network's member institutions) for the
    last *years* years up to this one, oldest first; a year with none counts 0.

    A member counts for the years its membership covered (start and end as recorded, an
    unknown start meaning "always"), so a library that joined in 2020 adds nothing to 2018.
    """
    this_year = datetime.date.today().year
    first = this_year - years + 1
    counts = dict.fromkeys(range(first, this_year + 1), 0)
    memberships = Membership.objects.filter(network=network).values_list(
        "institution_id", "start", "end"
    )
    terms: dict[int, list[tuple[int, int]]] = {}
    for institution_id, start, end in memberships:
        terms.setdefault(institution_id, []).append(
            (start.year if start else 0, end.year if end else 9999)
        )
    rows = (
        KnowledgeArticle.objects.filter(
            _published(), institution_id__in=terms, published__year__gte=first
        )
        .annotate(year=ExtractYear("published"))
        .order_by()  # the default ordering would join the GROUP BY
        .values("institution_id", "year")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        institution_id, year, n = row["institution_id"], row["year"], row["n"]
        if year in counts and any(s <= year <= e for s, e in terms[institution_id]):
            counts[year] += n
    return sorted(counts.items())


def article_exists_for(institution: Institution, pk: int) -> bool:
    """True when article *pk* is a published contribution of *institution* (evidence links)."""
    return KnowledgeArticle.objects.filter(_published(), institution=institution, pk=pk).exists()
