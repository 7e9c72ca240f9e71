"""Models of knowledge exchange: articles, practices, documents and links shared by libraries.

Changes go through :mod:`libcoop.knowledge.services`, never direct saves.

Where an article is shared (``network``) and who may read it (``visibility``):

* ``network`` — members of ``network`` read it; the network is required;
* ``public`` — anyone reads it; ``network`` is optional and only says which network it was
  shared in (it is shown, and lets a network list what was shared in it);
* ``institution`` — only the contributing institution's staff read it; no network.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libcoop.core.bilingual import BilingualText, BilingualTextIn


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    # Translators: a good practice one library shares with others ("how we cut paper use")
    PRACTICE = "practice", _("Practice")
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Network members")
    INSTITUTION = "institution", _("Own institution")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Tag(models.Model):
    """A subject of green-library work (energy, waste, water…), from a fixed vocabulary."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_th = models.CharField(_("label (Thai)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.label

    label = BilingualText()
    label_in = BilingualTextIn()


class KnowledgeArticle(models.Model):
    """An article, practice, document or link one institution shares with others."""

    kind = models.CharField(_("kind"), max_length=16, choices=ArticleKind.choices)
    title_th = models.CharField(_("title (Thai)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_th = models.TextField(_("summary (Thai)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body_th = models.TextField(_("text (Thai)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    institution = models.ForeignKey(
        "network.Institution",
        on_delete=models.PROTECT,
        related_name="knowledge_articles",
        verbose_name=_("contributed by"),
    )
    network = models.ForeignKey(
        "network.Network",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_articles",
        verbose_name=_("shared in"),
    )
    visibility = models.CharField(_("visible to"), max_length=16, choices=Visibility.choices)
    contributors = models.CharField(
        _("contributors"),
        max_length=500,
        blank=True,
        help_text=_("Names of the people who wrote or did the work, as they wish to be named."),
    )
    contributor_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("contributors")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published = models.DateField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published", "-pk"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [models.Index(fields=["status", "visibility"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_th="") | ~Q(title_en=""), name="knowledge_article_has_title"
            ),
            models.CheckConstraint(
                condition=~Q(kind="link") | ~Q(url=""), name="knowledge_link_has_url"
            ),
            models.CheckConstraint(
                condition=~Q(visibility="network") | Q(network__isnull=False),
                name="knowledge_network_visibility_names_network",
            ),
            models.CheckConstraint(
                condition=~Q(visibility="institution") | Q(network__isnull=True),
                name="knowledge_institution_visibility_has_no_network",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published__isnull=False),
                name="knowledge_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/knowledge/{self.pk}/"

    title = BilingualText()

    summary = BilingualText()

    body = BilingualText()
    title_in = BilingualTextIn()

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleAttachment(models.Model):
    """A document or image attached to an article (the file itself is a core.Attachment)."""

    article = models.ForeignKey(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="attachments"
    )
    attachment = models.OneToOneField(
        "core.Attachment", on_delete=models.CASCADE, related_name="knowledge_link"
    )
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.attachment}"


class CommentKind(models.TextChoices):
    QUESTION = "question", _("Question")
    COMMENT = "comment", _("Comment")
    ANSWER = "answer", _("Answer")


class Comment(models.Model):
    """A question, comment or answer one library's staff writes on an article."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="knowledge_comments"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=CommentKind.choices, default=CommentKind.COMMENT
    )
    body = models.TextField(_("text"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created = models.DateTimeField(auto_now_add=True)
    # A removed comment keeps its place in the thread (replies stay readable), not its text.
    removed = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} on {self.article_id}"


class SearchEntry(models.Model):
    """An article's search terms, analysed by ``textsearch`` (see ``knowledge.search``).

    Each column holds terms separated by spaces with a space at both ends, so that a whole
    term or a run of consecutive Thai bigrams is found with a plain substring test, the same
    on SQLite and PostgreSQL.
    """

    article = models.OneToOneField(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="search_entry", primary_key=True
    )
    title_words = models.TextField(default="", blank=True)
    title_grams = models.TextField(default="", blank=True)
    tag_words = models.TextField(default="", blank=True)
    tag_grams = models.TextField(default="", blank=True)
    summary_words = models.TextField(default="", blank=True)
    summary_grams = models.TextField(default="", blank=True)
    body_words = models.TextField(default="", blank=True)
    body_grams = models.TextField(default="", blank=True)
    title_len = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search entry")

    def __str__(self) -> str:
        return f"search entry of {self.article_id}"
