"""Knowledge-exchange services: every change to articles, their files and their comments.

Each function takes ``acting_user`` (keyword-only), checks a named ability, runs in one
transaction and writes an audit event, and keeps the article's search entry in step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, Any, Final

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record, user_of
from libcoop.core import attachments
from libcoop.core.workflow import Table, Transition
from libcoop.knowledge import search
from libcoop.knowledge.access import member_network_ids
from libcoop.knowledge.models import (
    ArticleAttachment,
    ArticleKind,
    ArticleStatus,
    Comment,
    CommentKind,
    KnowledgeArticle,
    Tag,
    Visibility,
)
from libcoop.network.abilities import Actor, profile_of, require
from libcoop.network.models import Institution, Network

# Documents and images: what a practice or a guide comes with (PDF, office files, photos).
ATTACHMENT_KINDS: Final = attachments.DOCUMENTS | attachments.IMAGES
MAX_ATTACHMENTS: Final = 20

TEXT_FIELDS: Final = (
    "title_th",
    "title_en",
    "summary_th",
    "summary_en",
    "body_th",
    "body_en",
    "url",
    "contributors",
)
EDITABLE: Final = (*TEXT_FIELDS, "kind", "network", "visibility", "tags", "contributor_users")

# The life of an article, in the shape of every state machine (core/workflow.py); nothing
# else is allowed. Who may take an action is checked by the services (knowledge.abilities).
TABLE: Final = Table(
    [
        Transition(
            "publish",
            (ArticleStatus.DRAFT, ArticleStatus.WITHDRAWN),
            ArticleStatus.PUBLISHED,
            "knowledge.edit",
            gettext_lazy("Publish"),
            AuditVerb.ARTICLE_CHANGED,
        ),
        Transition(
            "withdraw",
            (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED),
            ArticleStatus.WITHDRAWN,
            "knowledge.edit",
            gettext_lazy("Withdraw"),
            AuditVerb.ARTICLE_WITHDRAWN,
        ),
    ]
)


def allowed_actions(article: KnowledgeArticle) -> list[str]:
    """The status actions valid for *article* now (for the UI to offer)."""
    return [t.action for t in TABLE.from_state(article.status)]


def _next_status(article: KnowledgeArticle, action: str) -> str:
    transition = TABLE.find(article.status, action)
    if transition is not None:
        return transition.target
    message = {
        "publish": _("This article cannot be published: it is %(status)s."),
        "withdraw": _("This article cannot be withdrawn: it is %(status)s."),
    }[action]
    raise ValidationError(message % {"status": article.get_status_display().lower()})


def _tags(tags: Iterable[Tag | str]) -> list[Tag]:
    codes = [t.code if isinstance(t, Tag) else str(t) for t in tags]
    found = {t.code: t for t in Tag.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError(_("Unknown tags: %(tags)s") % {"tags": ", ".join(unknown)})
    return [found[c] for c in dict.fromkeys(codes)]


def _users(institution: Institution, users: Iterable[User]) -> list[User]:
    """Contributor accounts: people who act for the contributing institution."""
    users = list(users)
    for user in users:
        profile = profile_of(user)
        if profile is None or profile.institution_id != institution.pk:
            raise ValidationError(
                _("%(user)s does not work for %(institution)s.")
                % {"user": user.get_username(), "institution": institution.name}
            )
    return users


def _check(article: KnowledgeArticle) -> None:
    """The rules between fields, with messages for people (the constraints back them up)."""
    if not (article.title_th.strip() or article.title_en.strip()):
        raise ValidationError(_("Give the title in Thai, in English, or both."))
    if article.kind == ArticleKind.LINK and not article.url:
        raise ValidationError(_("A link needs its web address."))
    if article.visibility == Visibility.INSTITUTION:
        article.network = None  # read by its own staff only: it is not shared in a network
    elif article.visibility == Visibility.NETWORK and article.network is None:
        raise ValidationError(_("Choose the network the article is shared in."))
    if article.network is not None and article.network.pk not in member_network_ids(
        article.institution_id
    ):
        raise ValidationError(
            _("%(institution)s is not a member of %(network)s.")
            % {"institution": article.institution.name, "network": article.network.name}
        )
    article.full_clean(exclude=["tags", "contributor_users"])


@transaction.atomic
def create_article(
    institution: Institution,
    *,
    kind: ArticleKind | str,
    visibility: Visibility | str,
    network: Network | None = None,
    title_th: str = "",
    title_en: str = "",
    summary_th: str = "",
    summary_en: str = "",
    body_th: str = "",
    body_en: str = "",
    url: str = "",
    contributors: str = "",
    contributor_users: Iterable[User] = (),
    tags: Iterable[Tag | str] = (),
    publish: bool = False,
    acting_user: Actor,
) -> KnowledgeArticle:
    """A new draft article contributed by *institution*; with *publish*, published in the
    same transaction (if publishing fails, no draft is left behind)."""
    require(acting_user, "knowledge.create", institution)
    article = KnowledgeArticle(
        institution=institution,
        kind=ArticleKind(kind),
        visibility=Visibility(visibility),
        network=network,
        title_th=title_th.strip(),
        title_en=title_en.strip(),
        summary_th=summary_th.strip(),
        summary_en=summary_en.strip(),
        body_th=body_th.strip(),
        body_en=body_en.strip(),
        url=url.strip(),
        contributors=contributors.strip(),
        created_by=user_of(acting_user),
    )
    _check(article)
    tag_list = _tags(tags)
    users = _users(institution, contributor_users)
    article.save()
    article.tags.set(tag_list)
    article.contributor_users.set(users)
    search.refresh(article)
    record(
        AuditVerb.ARTICLE_CREATED,
        article,
        acting_user=acting_user,
        institution_code=institution.code,
        kind=article.kind,
        visibility=article.visibility,
        network=network.code if network else None,
        tags=[t.code for t in tag_list],
    )
    if publish:
        publish_article(article, acting_user=acting_user)
    return article


def _snapshot(article: KnowledgeArticle) -> dict[str, Any]:
    """The editable fields as the audit log keeps them."""
    values: dict[str, Any] = {f: getattr(article, f) for f in (*TEXT_FIELDS, "kind", "visibility")}
    values["kind"], values["visibility"] = str(article.kind), str(article.visibility)
    values["network"] = article.network.code if article.network is not None else None
    values["tags"] = sorted(t.code for t in article.tags.all())
    values["contributor_users"] = sorted(u.get_username() for u in article.contributor_users.all())
    return values


@transaction.atomic
def update_article(
    article: KnowledgeArticle, *, acting_user: Actor, **changes: Any
) -> dict[str, list[Any]]:
    """Change an article's fields (see ``EDITABLE``); returns the changes as [old, new]."""
    require(acting_user, "knowledge.edit", article)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Cannot change: {', '.join(sorted(unknown))}")
    old = _snapshot(article)
    tag_list = _tags(changes.pop("tags")) if "tags" in changes else None
    users = (
        _users(article.institution, changes.pop("contributor_users"))
        if "contributor_users" in changes
        else None
    )
    for field, value in changes.items():
        if field in TEXT_FIELDS:
            value = (value or "").strip()
        elif field == "kind":
            value = ArticleKind(value)
        elif field == "visibility":
            value = Visibility(value)
        setattr(article, field, value)
    _check(article)
    article.save()
    if tag_list is not None:
        article.tags.set(tag_list)
    if users is not None:
        article.contributor_users.set(users)
    new = _snapshot(article)
    diff = {f: [old[f], new[f]] for f in old if old[f] != new[f]}
    if diff:
        search.refresh(article)
        record(
            AuditVerb.ARTICLE_CHANGED,
            article,
            acting_user=acting_user,
            institution_code=article.institution.code,
            changes=diff,
        )
    return diff


@transaction.atomic
def publish_article(
    article: KnowledgeArticle, *, on: datetime.date | None = None, acting_user: Actor
) -> KnowledgeArticle:
    """Make *article* readable by its audience. A republished article keeps its first date
    unless *on* is given."""
    require(acting_user, "knowledge.edit", article)
    old_status = article.status
    article.status = _next_status(article, "publish")
    article.published = on or article.published or timezone.localdate()
    _check(article)
    article.save(update_fields=["status", "published", "network", "updated"])
    record(
        AuditVerb.ARTICLE_CHANGED,
        article,
        acting_user=acting_user,
        institution_code=article.institution.code,
        changes={"status": [old_status, article.status]},
        published=article.published.isoformat(),
    )
    return article


@transaction.atomic
def withdraw_article(
    article: KnowledgeArticle, *, reason: str = "", acting_user: Actor
) -> KnowledgeArticle:
    """Take *article* back: only its own institution's staff see it afterwards."""
    require(acting_user, "knowledge.edit", article)
    old_status = article.status
    article.status = _next_status(article, "withdraw")
    article.save(update_fields=["status", "updated"])
    record(
        AuditVerb.ARTICLE_WITHDRAWN,
        article,
        acting_user=acting_user,
        institution_code=article.institution.code,
        changes={"status": [old_status, article.status]},
        reason=reason,
    )
    return article


@transaction.atomic
def add_attachment(
    article: KnowledgeArticle,
    upload: IO[bytes] | Iterable[bytes],
    *,
    name: str,
    acting_user: Actor,
) -> ArticleAttachment:
    """Store a document or image and attach it; raises ``ValidationError`` for a file that is
    too large, empty, or not a document or image by its bytes."""
    require(acting_user, "knowledge.edit", article)
    if article.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            _("An article can have at most %(count)d files.") % {"count": MAX_ATTACHMENTS}
        )
    stored = attachments.store_upload(
        upload,
        name=name,
        acting_user=acting_user,
        institution=article.institution,
        allowed=ATTACHMENT_KINDS,
    )
    link = ArticleAttachment.objects.create(article=article, attachment=stored)
    record(
        AuditVerb.ARTICLE_CHANGED,
        article,
        acting_user=acting_user,
        institution_code=article.institution.code,
        attachment_added={"id": stored.pk, "name": stored.original_name, "kind": stored.kind},
    )
    return link


@transaction.atomic
def remove_attachment(link: ArticleAttachment, *, acting_user: Actor) -> None:
    article = link.article
    require(acting_user, "knowledge.edit", article)
    stored = link.attachment
    record(
        AuditVerb.ARTICLE_CHANGED,
        article,
        acting_user=acting_user,
        institution_code=article.institution.code,
        attachment_removed={"id": stored.pk, "name": stored.original_name},
    )
    attachments.remove(stored, acting_user=acting_user)  # deletes the link row too (cascade)


@transaction.atomic
def add_comment(
    article: KnowledgeArticle,
    *,
    body: str,
    kind: CommentKind | str = CommentKind.COMMENT,
    parent: Comment | None = None,
    institution: Institution | None = None,
    acting_user: Actor,
) -> Comment:
    """A question, comment or answer on a published article, in the name of the writer's
    institution (*institution* is for trusted code acting for a library, e.g. the demo)."""
    require(acting_user, "knowledge.comment", article)
    kind = CommentKind(kind)
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."))
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationError(_("Only published articles take comments."))
    if parent is not None:
        if parent.article_id != article.pk:
            raise ValidationError(_("That comment belongs to another article."))
        # One level of replies: a reply to a reply joins the thread of the first comment.
        parent = parent.parent or parent
    elif kind == CommentKind.ANSWER:
        raise ValidationError(_("An answer replies to a question."))
    profile = profile_of(acting_user)
    if profile is not None:
        institution = profile.institution
    if institution is None:
        raise ValidationError(_("A comment is written for an institution."))
    comment = Comment.objects.create(
        article=article,
        author=user_of(acting_user),
        institution=institution,
        kind=kind,
        body=body,
        parent=parent,
    )
    record(
        AuditVerb.COMMENT_ADDED,
        comment,
        acting_user=acting_user,
        institution_code=institution.code,
        article=article.pk,
        kind=kind.value,
        parent=parent.pk if parent else None,
    )
    return comment


@transaction.atomic
def remove_comment(comment: Comment, *, acting_user: Actor) -> Comment:
    """Blank a comment's text; it keeps its place so that the replies still make sense."""
    require(acting_user, "knowledge.remove_comment", comment)
    if comment.removed is not None:
        raise ValidationError(_("This comment has already been removed."))
    comment.removed = timezone.now()
    comment.removed_by = user_of(acting_user)
    length = len(comment.body)
    comment.body = ""
    comment.save(update_fields=["removed", "removed_by", "body"])
    record(
        AuditVerb.COMMENT_REMOVED,
        comment,
        acting_user=acting_user,
        institution_code=comment.article.institution.code,
        article=comment.article_id,
        by_author=getattr(acting_user, "pk", None) == comment.author_id,
        length=length,
    )
    return comment
