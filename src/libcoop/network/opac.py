"""A library's OPAC link template: checked when a library admin sets it, filled for each holding.

A template is an http(s) address with placeholders in braces, e.g.
``https://opac.example.ac.th/record={local_id}``. Only the placeholders in ``PLACEHOLDERS``
may appear; each value is URL-encoded (nothing is left unescaped, not even ``/``), so a record's
number can never change the host or the path around it. A placeholder the holding has no value
for means no link rather than a broken one.
"""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = ("local_id", "isbn", "barcode")
MAX_LENGTH = 500


def _fields(template: str) -> list[str]:
    """The placeholder names in *template*, in order; ValueError for unbalanced braces."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion:
            names.append(f"{name}!{conversion}:{spec}")  # refused below as unknown
        else:
            names.append(name)
    return names


def validate_opac_template(template: str) -> None:
    """Refuse a template that is not http(s), has no host, or names an unknown placeholder."""
    if not template:
        return
    if len(template) > MAX_LENGTH:
        raise ValidationError(
            _("The OPAC link template is too long (at most %(max)d characters)."),
            code="opac_too_long",
            params={"max": MAX_LENGTH},
        )
    try:
        names = _fields(template)
    except ValueError:
        raise ValidationError(
            _("The OPAC link template has an unmatched { or }."), code="opac_braces"
        ) from None
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _(
                "The OPAC link template uses an unknown placeholder {%(name)s}; "
                "use {local_id}, {isbn} or {barcode}."
            ),
            code="opac_placeholder",
            params={"name": unknown[0]},
        )
    if not names:
        raise ValidationError(
            _(
                "The OPAC link template needs a placeholder for the item: "
                "{local_id}, {isbn} or {barcode}."
            ),
            code="opac_no_placeholder",
        )
    # The address part checked with every placeholder filled by a harmless value.
    sample = template.format(**dict.fromkeys(PLACEHOLDERS, "1"))
    parts = urlsplit(sample)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            _("The OPAC link template must start with http:// or https:// and name a host."),
            code="opac_scheme",
        )
    if urlsplit(template.format(**dict.fromkeys(PLACEHOLDERS, "2"))).netloc != parts.netloc:
        raise ValidationError(
            _("The OPAC link template may use placeholders only after the host name."),
            code="opac_host",
        )
    if any(ch.isspace() for ch in template):
        raise ValidationError(
            _("The OPAC link template may not contain spaces."), code="opac_space"
        )


def opac_url(template: str, **values: str | None) -> str | None:
    """The template filled with URL-encoded *values*; None without a template, for a template
    that no longer passes the check, or when a placeholder it uses has no value."""
    if not template:
        return None
    try:
        validate_opac_template(template)
    except ValidationError:
        return None
    filled = {}
    for name in _fields(template):
        value = (values.get(name) or "").strip()
        if not value:
            return None
        filled[name] = quote(value, safe="")
    return template.format(**filled)
