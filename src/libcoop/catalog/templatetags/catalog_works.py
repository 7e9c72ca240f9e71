"""``{% other_editions_link editions cluster_id %}``: a search result's "N other editions"
link (``editions``: ``works.other_edition_counts`` of the page's hits)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("catalog/_other_editions.html")
def other_editions_link(editions: dict[int, int], cluster_id: int) -> dict[str, Any]:
    return {"count": (editions or {}).get(cluster_id, 0), "cluster_id": cluster_id}
