"""JSON API of knowledge exchange.

Reads apply the same visibility as the pages: anonymous callers see public articles; a bearer
token (or the browser's session) shows what its user may read.  Writes need a token and go
through the services.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from libcoop.core.api import READ_AUTH, Error, Id, Offset, page_size, token_auth
from libcoop.knowledge import services
from libcoop.knowledge.access import visible_to
from libcoop.knowledge.models import (
    ArticleKind,
    Comment,
    CommentKind,
    KnowledgeArticle,
    Visibility,
)
from libcoop.knowledge.search import search
from libcoop.network.abilities import can, profile_of
from libcoop.network.models import Institution, Network

router = Router(tags=["knowledge"])
MAX_LIMIT = 200


class ArticleOut(Schema):
    id: int
    kind: str
    title_th: str
    title_en: str
    summary_th: str
    summary_en: str
    url: str
    institution: str
    network: str | None
    visibility: str
    status: str
    published: date | None
    tags: list[str]
    page: str

    @staticmethod
    def resolve_institution(obj: KnowledgeArticle) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_network(obj: KnowledgeArticle) -> str | None:
        return obj.network.code if obj.network else None

    @staticmethod
    def resolve_tags(obj: KnowledgeArticle) -> list[str]:
        return [t.code for t in obj.tags.all()]

    @staticmethod
    def resolve_page(obj: KnowledgeArticle) -> str:
        return obj.get_absolute_url()


class FileOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    url: str


class CommentOut(Schema):
    id: int
    kind: str
    institution: str
    author: str | None
    body: str
    parent: int | None
    created: datetime
    removed: bool

    @staticmethod
    def resolve_institution(obj: Comment) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_author(obj: Comment) -> str | None:
        return obj.author.get_username() if obj.author else None

    @staticmethod
    def resolve_parent(obj: Comment) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_removed(obj: Comment) -> bool:
        return obj.removed is not None


class ArticleDetailOut(ArticleOut):
    body_th: str
    body_en: str
    contributors: str
    files: list[FileOut]
    comments: list[CommentOut]

    @staticmethod
    def resolve_files(obj: KnowledgeArticle) -> list[dict[str, object]]:
        return [
            {
                "id": link.attachment.pk,
                "name": link.attachment.original_name,
                "kind": link.attachment.kind,
                "size": link.attachment.size,
                "url": f"{obj.get_absolute_url()}files/{link.attachment.pk}/",
            }
            for link in obj.attachments.select_related("attachment")
        ]

    @staticmethod
    def resolve_comments(obj: KnowledgeArticle) -> list[Comment]:
        return list(obj.comments.select_related("institution", "author"))


class ArticleIn(Schema):
    kind: ArticleKind
    visibility: Visibility
    network: str | None = Field(None, description="network code; required for visibility=network")
    institution: str | None = Field(
        None, description="contributing institution's code; default: the token user's"
    )
    title_th: str = ""
    title_en: str = ""
    summary_th: str = ""
    summary_en: str = ""
    body_th: str = ""
    body_en: str = ""
    url: str = ""
    contributors: str = ""
    tags: list[str] = Field(default_factory=list, description="tag codes, e.g. energy, waste")
    publish: bool = Field(False, description="publish at once (otherwise a draft)")


class CommentIn(Schema):
    body: str
    kind: CommentKind = CommentKind.COMMENT
    parent: Id | None = Field(None, description="id of the comment this one replies to")


class ArticleFilters(Schema):
    q: str = Field("", description="words to search (Thai or English)")
    tag: str | None = None
    kind: ArticleKind | None = None
    institution: str | None = Field(None, description="contributing institution's code")
    network: str | None = Field(None, description="network code the article is shared in")
    limit: int = page_size(50, MAX_LIMIT)
    offset: Offset = 0


def _readable(request: HttpRequest, pk: int) -> KnowledgeArticle:
    article = get_object_or_404(
        KnowledgeArticle.objects.select_related("institution", "network"), pk=pk
    )
    if not can(request.user, "knowledge.read", article):
        raise Http404("No such article.")
    return article


@router.get("/knowledge/articles", response=list[ArticleOut], auth=READ_AUTH)
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> object:
    qs = visible_to(request.user).select_related("institution", "network")
    if filters.tag:
        qs = qs.filter(tags__code=filters.tag)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.institution:
        qs = qs.filter(institution__code=filters.institution)
    if filters.network:
        qs = qs.filter(network__code=filters.network)
    qs = qs.prefetch_related("tags")
    end = filters.offset + filters.limit
    if filters.q.strip():
        return [r.article for r in search(filters.q, qs, limit=end)][filters.offset : end]
    return qs.order_by("-published", "-pk")[filters.offset : end]


@router.get(
    "/knowledge/articles/{pk}", response={200: ArticleDetailOut, 404: Error}, auth=READ_AUTH
)
def article_detail(request: HttpRequest, pk: int) -> object:
    return _readable(request, pk)


@router.post(
    "/knowledge/articles",
    auth=token_auth,
    response={201: ArticleDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def create_article(request: HttpRequest, payload: ArticleIn) -> object:
    if payload.institution:
        institution = get_object_or_404(Institution, code=payload.institution)
    else:
        profile = profile_of(request.user)
        if profile is None:
            raise ValidationError("Name the contributing institution (institution).")
        institution = profile.institution
    network = get_object_or_404(Network, code=payload.network) if payload.network else None
    data = payload.dict(exclude={"institution", "network", "publish"})
    article = services.create_article(
        institution, network=network, publish=payload.publish, acting_user=request.user, **data
    )
    return Status(201, article)


@router.post(
    "/knowledge/articles/{pk}/comments",
    auth=token_auth,
    response={201: CommentOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def add_comment(request: HttpRequest, pk: int, payload: CommentIn) -> object:
    article = _readable(request, pk)
    parent = (
        get_object_or_404(Comment, pk=payload.parent, article=article) if payload.parent else None
    )
    comment = services.add_comment(
        article, body=payload.body, kind=payload.kind, parent=parent, acting_user=request.user
    )
    return Status(201, comment)
