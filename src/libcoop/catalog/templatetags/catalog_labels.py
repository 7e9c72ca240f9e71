"""Codes the catalog stores, shown as words in the page's language: match rules and their
scores (``title_author_year``, ``title_distance=0.0``), formats and languages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from libcoop.catalog import searchstate

register = template.Library()

RULES: dict[str, Any] = {
    "new_cluster": _("First record of this edition"),
    "isbn": _("Same ISBN"),
    "issn": _("Same ISSN"),
    "oclc": _("Same OCLC number"),
    "lccn": _("Same LC control number"),
    "title_author_year": _("Same title, author and year"),
    "title_imprint": _("Same title and imprint"),
    "title_proper": _("Same title proper, author or publisher and year"),
    "title_year_near": _("Same title, author and pages; years one apart"),
    "title_no_year": _("Same title, author and pages; year missing"),
    "staff_split": _("Split out by staff"),
    "staff_merge": _("Merged by staff"),
}

SCORES: dict[str, Any] = {
    "title_distance": _("title difference"),
    "title_proper_distance": _("title proper difference"),
    "author_distance": _("author difference"),
    "year_gap": _("years apart"),
    "page_difference": _("pages apart"),
    "page_typo": _("page count mistyped"),
    "bodies_differ": _("different issuing bodies"),
}


@register.filter
def rule_label(code: str) -> str:
    """A match rule in words (the code itself if it has none)."""
    if not code:
        return "—"
    return str(RULES.get(code, code))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@register.filter
def score_lines(scores: dict[str, Any] | None) -> list[str]:
    """Each score in words: "title difference 0 (identical)", "years apart 1"."""
    out = []
    for key, value in (scores or {}).items():
        name = str(SCORES.get(key, key))
        if key in ("page_typo", "bodies_differ"):
            out.append(name)
        elif key.endswith("_distance") and not value:
            out.append(f"{name} 0 ({_('identical')})")
        else:
            out.append(f"{name} {_number(value)}")
    return out


@register.filter
def format_label(code: str) -> str:
    return searchstate.format_name(code) if code else ""


@register.filter
def language_label(code: str) -> str:
    return searchstate.language_name(code) if code else ""
