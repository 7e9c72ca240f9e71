"""Demo data of knowledge (loaded by ``libcoop demo``): ``data/demo_knowledge.yaml``.

Illustrative content (see the file's header and ``sources``), loaded as ``SYSTEM`` through the
services. Idempotent: an article is known by its institution and Thai title, a comment by its
article, institution and text, a file by its article and name.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from libcoop.knowledge import services
from libcoop.knowledge.models import Comment, KnowledgeArticle, Tag
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network

DEMO_FILE = Path(__file__).parent / "data" / "demo_knowledge.yaml"
ARTICLE_FIELDS = (
    "kind",
    "visibility",
    "title_th",
    "title_en",
    "summary_th",
    "summary_en",
    "body_th",
    "body_en",
    "url",
    "contributors",
)


def _article(entry: dict[str, Any]) -> tuple[KnowledgeArticle, bool]:
    institution = Institution.objects.get(code=entry["institution"])
    existing = KnowledgeArticle.objects.filter(
        institution=institution, title_th=entry["title_th"]
    ).first()
    if existing is not None:
        return existing, False
    network = Network.objects.get(code=entry["network"]) if entry.get("network") else None
    article = services.create_article(
        institution,
        network=network,
        tags=entry.get("tags", []),
        acting_user=SYSTEM,
        **{f: entry[f] for f in ARTICLE_FIELDS if entry.get(f)},
    )
    services.publish_article(
        article, on=datetime.date.fromisoformat(entry["published"]), acting_user=SYSTEM
    )
    return article, True


def _comments(
    article: KnowledgeArticle, entries: list[dict[str, Any]], parent: Comment | None = None
) -> int:
    added = 0
    for entry in entries:
        institution = Institution.objects.get(code=entry["institution"])
        comment = Comment.objects.filter(
            article=article, institution=institution, body=entry["body"].strip()
        ).first()
        if comment is None:
            comment = services.add_comment(
                article,
                body=entry["body"],
                kind=entry["kind"],
                parent=parent,
                institution=institution,
                acting_user=SYSTEM,
            )
            added += 1
        added += _comments(article, entry.get("replies", []), comment)
    return added


def _files(article: KnowledgeArticle, entries: list[dict[str, Any]]) -> int:
    added = 0
    for entry in entries:
        if article.attachments.filter(attachment__original_name=entry["name"]).exists():
            continue
        services.add_attachment(
            article, [entry["text"].encode()], name=entry["name"], acting_user=SYSTEM
        )
        added += 1
    return added


@transaction.atomic
def _ensure_tag_vocabulary() -> None:
    """The vocabulary comes with a data migration; a flushed database (a transactional test,
    ``flush``) has lost those rows, so the demo puts back the ones that are missing."""
    from importlib import import_module

    vocabulary = import_module("libcoop.knowledge.migrations.0002_tag_vocabulary").TAGS
    for position, (code, label_th, label_en) in enumerate(vocabulary, start=1):
        Tag.objects.get_or_create(
            code=code, defaults={"label_th": label_th, "label_en": label_en, "position": position}
        )


def load_demo(path: Path = DEMO_FILE) -> str:
    """Load the demo knowledge base idempotently; return a one-line summary."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _ensure_tag_vocabulary()
    new = comments = files = 0
    for entry in data["articles"]:
        article, created = _article(entry)
        new += created
        comments += _comments(article, entry.get("comments", []))
        files += _files(article, entry.get("files", []))
    return (
        f"Knowledge: {new} new of {len(data['articles'])} articles, "
        f"{comments} new comments, {files} new files"
    )
