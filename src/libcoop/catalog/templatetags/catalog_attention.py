"""``{% flagged_count job %}``: how many of an import job's records were salvaged."""

from __future__ import annotations

from django import template

from libcoop.catalog.attention import flagged_count as _flagged_count
from libcoop.catalog.models import ImportJob

register = template.Library()


@register.simple_tag
def flagged_count(job: ImportJob) -> int:
    return _flagged_count(job)
