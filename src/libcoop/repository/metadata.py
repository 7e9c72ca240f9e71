"""An item's metadata as given (a form, a JSON file, a CSV row, the API) → the values stored.

One cleaning for every path, so a deposit through the page, the API, the command line and a
batch file accepts and refuses the same things with the same messages:

* years in the Buddhist Era (``2562``, ``พ.ศ. 2562``, ``๒๕๖๒``) or the Common Era (``2019``,
  ``ค.ศ. 2019``, ``2019 CE``), stored in the Common Era (``core.era``); a year that fits
  neither era, or whose era marker contradicts it, is an error that says so;
* lists (authors, advisors, keywords) as lists or as text separated by ``;``;
* the type, degree, licence and access by their code or their name in Thai or English.

Errors are ``ValidationError``\\ s keyed by field whose messages are lazy translations with
parameters, so a batch report can give each reason in Thai and in English.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from libcoop.core.api import text_problem
from libcoop.core.era import BE_MIN, BE_OFFSET, YearInputError, read_year
from libcoop.repository.models import Access, DegreeLevel, Item, ItemType, Licence

# Fields of the metadata dict, in the order forms and reports show them.
FIELDS: Final = (
    "title",
    "title_alternative",
    "item_type",
    "creators",
    "contributors",
    "abstract_th",
    "abstract_en",
    "keywords_th",
    "keywords_en",
    "language",
    "year",
    "issued",
    "publisher",
    "degree_level",
    "degree_name",
    "discipline",
    "degree_grantor",
    "rights",
    "licence",
    "identifiers",
    "extra",
)
REQUIRED: Final = ("title", "item_type", "year")
# Other names accepted for a field (the CSV's columns, Dublin Core's habits).
ALIASES: Final = {"type": "item_type", "degree": "degree_level", "license": "licence"}
# Shorthands for contributors: {"advisors": "A; B"} → [{"name": "A", "role": "advisor"}, ...]
CONTRIBUTOR_ROLES: Final = {"advisors": "advisor", "coadvisors": "coadvisor"}
LIST_FIELDS: Final = ("creators", "keywords_th", "keywords_en")
TEXT_FIELDS: Final = (
    "title",
    "title_alternative",
    "abstract_th",
    "abstract_en",
    "publisher",
    "degree_name",
    "discipline",
    "degree_grantor",
    "rights",
)
LIST_ITEM_MAX = 500
LIST_MAX = 100
LANGUAGE_CODES: Final = {"th": "tha", "en": "eng", "thai": "tha", "english": "eng"}
EARLIEST_YEAR = 1000
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _error(field: str, message: Any, **params: Any) -> ValidationError:
    return ValidationError({field: [ValidationError(message, params=params or None)]})


def latest_year() -> int:
    """The latest year an item may carry (next year: a thesis dated ahead by its semester)."""
    return timezone.localdate().year + 1


def parse_year(value: object, field: str = "year") -> int:
    """A year given in B.E. or C.E. (with or without ``พ.ศ.``/``ค.ศ.``/``BE``/``CE``; Thai
    digits too) → C.E., by ``core.era.read_year``'s rule, and within the years an item can
    have: not in the future, and a year marked B.E. that reads as a C.E. year is queried."""
    shown = str(value)[:40]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _error(field, _("Not a year: %(value)s"), value=shown)
    try:
        year = read_year(value)
    except YearInputError as exc:
        if exc.code == "ambiguous":
            raise _error(
                field,
                _(
                    "The year %(value)s is ambiguous: it could be B.E. or C.E. Write พ.ศ. "
                    "(B.E.) or ค.ศ. (C.E.) with it."
                ),
                value=shown,
            ) from None
        raise _error(
            field, _("Not a year: %(value)s (four digits, B.E. or C.E.)"), value=shown
        ) from None
    digits = int(re.sub(r"[^0-9]", "", str(value).translate(_THAI_DIGITS)) or 0)
    latest = latest_year()
    if digits - year == BE_OFFSET and digits < BE_MIN and digits <= latest:
        raise _error(
            field,
            _(
                "The year %(value)s is marked B.E. but looks like a C.E. year (it would be "
                "%(ce)d C.E.). Check the era."
            ),
            value=shown,
            ce=year,
        )
    if year > latest:
        raise _error(
            field,
            _("The year %(value)s is in the future; check the era (B.E. or C.E.)."),
            value=shown,
        )
    if year < EARLIEST_YEAR:
        raise _error(field, _("The year %(value)s is too early."), value=shown)
    return year


def parse_date(value: object, field: str) -> datetime.date | None:
    """``YYYY-MM-DD`` (a B.E. year is converted), a date, or empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().translate(_THAI_DIGITS)
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    if match is None:
        raise _error(field, _("Not a date: %(value)s (use YYYY-MM-DD)"), value=str(value)[:40])
    year, month, day = (int(g) for g in match.groups())
    if year >= BE_MIN:
        year -= BE_OFFSET
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _error(
            field, _("Not a date: %(value)s (use YYYY-MM-DD)"), value=str(value)[:40]
        ) from None


def split_list(value: object, field: str) -> list[str]:
    """A list of strings, or text separated by ``;`` → a list without empty entries."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts: Iterable[object] = value.split(";")
    elif isinstance(value, list | tuple):
        parts = value
    else:
        raise _error(field, _("Give a list, or text separated by semicolons (;)."))
    out = []
    for part in parts:
        if not isinstance(part, str):
            raise _error(field, _("Give a list, or text separated by semicolons (;)."))
        text = " ".join(part.split())
        if len(text) > LIST_ITEM_MAX:
            raise _error(field, _("An entry is longer than %(max)d characters."), max=LIST_ITEM_MAX)
        if text:
            out.append(text)
    if len(out) > LIST_MAX:
        raise _error(field, _("At most %(max)d entries."), max=LIST_MAX)
    return out


def _names(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code, English name and Thai name (lower case) → code."""
    names: dict[str, str] = {}
    for member in choices:
        names[str(member.value).lower()] = str(member.value)
        for lang in ("en", "th"):
            with translation.override(lang):
                names[str(member.label).strip().lower()] = str(member.value)
    return names


# Thai words for the degree levels as written on theses, besides the choices' names.
_DEGREE_WORDS: Final = {
    "ปริญญาตรี": DegreeLevel.BACHELOR,
    "ปริญญาโท": DegreeLevel.MASTER,
    "ปริญญาเอก": DegreeLevel.DOCTORAL,
    "master's": DegreeLevel.MASTER,
    "doctorate": DegreeLevel.DOCTORAL,
    "phd": DegreeLevel.DOCTORAL,
    "ph.d.": DegreeLevel.DOCTORAL,
}


# Thai names of the types as Thai libraries write them (besides the translated labels, so a
# batch file in Thai reads the same whatever the message catalogue holds).
_TYPE_WORDS: Final = {
    "วิทยานิพนธ์": ItemType.THESIS,
    "ปริญญานิพนธ์": ItemType.THESIS,
    "สารนิพนธ์": ItemType.THESIS,
    "รายงานการวิจัย": ItemType.RESEARCH_REPORT,
    "รายงานวิจัย": ItemType.RESEARCH_REPORT,
    "งานวิจัย": ItemType.RESEARCH_REPORT,
    "บทความ": ItemType.ARTICLE,
    "บทความวารสาร": ItemType.ARTICLE,
    "ข้อมูลท้องถิ่น": ItemType.LOCAL_INFORMATION,
    "เอกสารจดหมายเหตุ": ItemType.ARCHIVAL_DOCUMENT,
}
_WORDS: Final[dict[type[models.TextChoices], dict[str, Any]]] = {
    DegreeLevel: _DEGREE_WORDS,
    ItemType: _TYPE_WORDS,
}


def parse_choice(value: object, choices: type[models.TextChoices], field: str) -> str:
    text = " ".join(str(value if value is not None else "").split()).lower()
    names = _names(choices)
    names.update({k: str(v) for k, v in _WORDS.get(choices, {}).items()})
    if text in names:
        return names[text]
    codes = ", ".join(str(m.value) for m in choices if m.value)
    raise _error(
        field, _("Unknown value %(value)s (use one of: %(codes)s)."), value=text[:40], codes=codes
    )


def _language(value: object) -> str:
    text = str(value or "").strip().lower()
    text = LANGUAGE_CODES.get(text, text)
    if not re.fullmatch(r"[a-z]{3}", text):
        raise _error(
            "language",
            _("Give the language as an ISO 639-2 code such as tha or eng: %(value)s"),
            value=text[:40],
        )
    return text


def _contributors(value: object) -> list[dict[str, str]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise _error("contributors", _('Give a list of {"name": ..., "role": ...}.'))
    out = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"name": entry, "role": "advisor"}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise _error("contributors", _('Give a list of {"name": ..., "role": ...}.'))
        name = " ".join(entry["name"].split())
        role = str(entry.get("role") or "advisor").strip().lower()
        if len(name) > LIST_ITEM_MAX or not re.fullmatch(r"[a-z_]{1,32}", role):
            raise _error("contributors", _('Give a list of {"name": ..., "role": ...}.'))
        if name:
            out.append({"name": name, "role": role})
    if len(out) > LIST_MAX:
        raise _error("contributors", _("At most %(max)d entries."), max=LIST_MAX)
    return out


def _mapping(value: object, field: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _error(field, _("Give an object of names and values."))
    return dict(value)


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise _error(field, _("Give text."))
    text = str(value).strip()
    limit = getattr(Item._meta.get_field(field), "max_length", None)
    if limit is not None and len(text) > limit:
        raise _error(field, _("At most %(max)d characters."), max=limit)
    return text


def _one(field: str, value: object) -> Any:
    if field in TEXT_FIELDS:
        return _text(value, field)
    if field in LIST_FIELDS:
        return split_list(value, field)
    if field == "item_type":
        return parse_choice(value, ItemType, field)
    if field == "degree_level":
        return "" if value in (None, "") else parse_choice(value, DegreeLevel, field)
    if field == "licence":
        return parse_choice(value or Licence.ALL_RIGHTS, Licence, field)
    if field == "language":
        return _language(value or "tha")
    if field == "year":
        return parse_year(value)
    if field == "issued":
        return parse_date(value, field)
    if field == "contributors":
        return _contributors(value)
    return _mapping(value, field)  # identifiers, extra


def _unusable_text(value: object) -> bool:
    """Does *value* hold a string no database can store (NUL, lone surrogates)?"""
    if isinstance(value, str):
        return text_problem(value) is not None
    if isinstance(value, dict):
        return any(_unusable_text(k) or _unusable_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unusable_text(v) for v in value)
    return False


def clean_metadata(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The stored values of *data*'s fields; every problem at once as one ValidationError.

    With *partial* only the fields given are cleaned (an edit); otherwise the required
    fields must be there and the rest get their defaults (a deposit).
    """
    given: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}
    contributors: list[dict[str, str]] = []
    contributors_given = False
    refused: set[str] = set()
    for key, value in data.items():
        name = ALIASES.get(key, key)
        if _unusable_text(key) or _unusable_text(value):
            errors.setdefault(name if not _unusable_text(key) else "", []).append(
                ValidationError(_("Text may not contain NUL or unpaired surrogate characters."))
            )
            refused.add(name)
            continue
        if name in CONTRIBUTOR_ROLES:
            try:
                names = split_list(value, name)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.error_dict[name])
                continue
            contributors += [{"name": n, "role": CONTRIBUTOR_ROLES[name]} for n in names]
            contributors_given = True
        elif name in FIELDS:
            given[name] = value
        else:
            errors.setdefault(key, []).append(
                ValidationError(_("Unknown field: %(name)s"), params={"name": key[:60]})
            )
    cleaned: dict[str, Any] = {}
    fields = [f for f in FIELDS if f in given] if partial else list(FIELDS)
    for field in fields:
        if field in refused:
            continue
        value = given.get(field)
        if field in REQUIRED and (value is None or str(value).strip() == ""):
            if not (field == "year" and given.get("issued")):
                errors.setdefault(field, []).append(ValidationError(_("This field is required.")))
            continue  # a year left out is the date issued's (below)
        try:
            cleaned[field] = _one(field, value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.error_dict[field])
    if contributors_given:
        cleaned["contributors"] = [*cleaned.get("contributors", []), *contributors]
    issued = cleaned.get("issued")
    if issued is not None and "year" not in errors:
        if cleaned.get("year") is None:
            cleaned["year"] = issued.year
        elif cleaned["year"] != issued.year:
            errors.setdefault("issued", []).append(
                ValidationError(
                    _("The date issued (%(date)s) is not in the year %(year)d C.E."),
                    params={"date": issued.isoformat(), "year": cleaned["year"]},
                )
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_access(
    access: object,
    embargo_until: object = None,
    access_after_embargo: object = None,
    *,
    on: datetime.date | None = None,
) -> dict[str, Any]:
    """``{"access", "embargo_until", "access_after_embargo"}`` as stored; an embargo needs a
    date after *on* (today) and a level after it that is not another embargo."""
    errors: dict[str, list[ValidationError]] = {}
    level = ""
    try:
        level = parse_choice(access or Access.OPEN, Access, "access")
    except ValidationError as exc:
        errors["access"] = exc.error_dict["access"]
    until = None
    try:
        until = parse_date(embargo_until, "embargo_until")
    except ValidationError as exc:
        errors["embargo_until"] = exc.error_dict["embargo_until"]
    after = str(Access.OPEN)
    if access_after_embargo not in (None, ""):
        try:
            after = parse_choice(access_after_embargo, Access, "access_after_embargo")
        except ValidationError as exc:
            errors["access_after_embargo"] = exc.error_dict["access_after_embargo"]
    on = on or timezone.localdate()
    if level == Access.EMBARGO and "embargo_until" not in errors:
        if until is None:
            errors["embargo_until"] = [
                ValidationError(_("An embargo needs the date it ends (YYYY-MM-DD)."))
            ]
        elif until <= on:
            errors["embargo_until"] = [
                ValidationError(
                    _("The embargo must end after today (%(date)s is not in the future)."),
                    params={"date": until.isoformat()},
                )
            ]
        if after == Access.EMBARGO:
            errors["access_after_embargo"] = [
                ValidationError(_("After an embargo comes open, network or institution access."))
            ]
    elif level and until is not None:
        errors["embargo_until"] = [
            ValidationError(_("An end date is only for an embargo; choose embargo or clear it."))
        ]
    if errors:
        raise ValidationError(errors)
    return {
        "access": level,
        "embargo_until": until if level == Access.EMBARGO else None,
        "access_after_embargo": after if level == Access.EMBARGO else str(Access.OPEN),
    }


def snapshot(item: Item) -> dict[str, Any]:
    """The item's metadata as JSON (what an ItemVersion keeps)."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        value = getattr(item, field)
        out[field] = value.isoformat() if isinstance(value, datetime.date) else value
    return out


def messages_of(error: ValidationError, lang: str) -> list[tuple[str, str]]:
    """``[(field, message in *lang*), ...]`` of *error* (``""`` as the field when it has none)."""
    with translation.override(lang):
        if hasattr(error, "error_dict"):
            return [
                (field, str(message))
                for field, errors in error.error_dict.items()
                for e in errors
                for message in e
            ]
        return [("", str(message)) for message in error]
