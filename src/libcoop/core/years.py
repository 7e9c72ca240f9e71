"""Years people type and read, in the page's calendar: the Django side of ``core.era``.

Thai pages show Buddhist-era years and English pages Common-era years (``core.dates``); on
input both pages take either, by the one rule of :func:`libcoop.core.era.read_year` (an
unmarked year from 2400 is B.E., up to 2199 C.E., 2200–2399 must be marked). Everything
stored, and every URL and API value, is Common Era.

- :class:`YearField` — a form field: shows its value in the page's era, reads either.
- :class:`PartialDateField` — "2557", "2557-06" or "2557-06-01" (or the same in C.E.).
- :func:`parse_year` / :func:`year_param` — for filters read from a query string.
- :func:`year_choices` — (C.E. value, label in the page's era) pairs for a select.
- :class:`BuddhistYearURLMiddleware` — a B.E. year in a ``<year:…>`` URL redirects to the
  canonical C.E. address.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext

from libcoop.core.dates import PartialDate, display_year
from libcoop.core.era import BE_MIN, YearInputError, read_year

__all__ = [
    "BuddhistYearURLMiddleware",
    "PartialDateField",
    "YearField",
    "parse_year",
    "year_choices",
    "year_hint",
    "year_param",
]


def _example() -> str:
    return display_year(datetime.date.today().year)


def year_hint() -> str:
    """The help line under a year box, in the page's language and era."""
    return gettext(
        "e.g. %(year)s; B.E. or C.E. (a year from 2400 is read as B.E., up to 2199 as C.E.)"
    ) % {"year": _example()}


year_hint_lazy = lazy(year_hint, str)


def parse_year(
    value: str | int | None, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """A typed year as C.E. (``None`` for nothing typed), or :class:`ValidationError` with a
    message in the page's language that says what to write."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        year = read_year(value)
    except YearInputError as exc:
        text = exc.text[:20]
        if exc.code == "ambiguous":
            raise ValidationError(
                gettext(
                    "%(value)s could be a Buddhist-era or a Common-era year: a year from 2400 "
                    "is read as B.E. and one up to 2199 as C.E. Write “พ.ศ. %(value)s” or "
                    "“ค.ศ. %(value)s” to say which."
                )
                % {"value": text},
                code="ambiguous_year",
            ) from None
        raise ValidationError(
            gettext("“%(value)s” is not a year: write four digits, e.g. %(example)s.")
            % {"value": text, "example": _example()},
            code="not_a_year",
        ) from None
    if (minimum is not None and year < minimum) or (maximum is not None and year > maximum):
        if minimum is not None and maximum is not None:
            message = gettext("Give a year from %(low)s to %(high)s.") % {
                "low": display_year(minimum),
                "high": display_year(maximum),
            }
        elif minimum is not None:
            message = gettext("Give a year from %(low)s on.") % {"low": display_year(minimum)}
        else:
            message = gettext("Give a year up to %(high)s.") % {"high": display_year(maximum or 0)}
        raise ValidationError(message, code="year_out_of_range")
    return year


def year_param(
    value: str | None, *, minimum: int | None = None, maximum: int | None = None
) -> tuple[int | None, str | None]:
    """A filter's year from a query string: ``(C.E. year or None, message or None)``. A filter
    that cannot be read is left off, and the page shows the message."""
    try:
        return parse_year(value, minimum=minimum, maximum=maximum), None
    except ValidationError as exc:
        return None, " ".join(exc.messages)


def year_choices(years: Iterable[int], lang: str | None = None) -> list[tuple[int, str]]:
    """``(C.E. year, label in the page's era)`` for a select."""
    return [(y, display_year(y, lang)) for y in years]


class YearInput(forms.TextInput):
    """A short text box (not ``type=number``: it would refuse "พ.ศ. 2567" and Thai digits)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "numeric", "size": "8", "autocomplete": "off", **(attrs or {})}
        )


class YearField(forms.Field):
    """A year, shown in the page's era and read in either; cleaned to a C.E. ``int``."""

    widget = YearInput

    def __init__(
        self, *, min_value: int | None = None, max_value: int | None = None, **kwargs: Any
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        kwargs.setdefault("help_text", year_hint_lazy())
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A stored or initial C.E. year is shown in the page's era; what the person typed
        # (a string, on a form shown again with its errors) is shown as typed.
        if isinstance(value, int) and not isinstance(value, bool):
            return display_year(value)
        return value

    def to_python(self, value: Any) -> int | None:
        return parse_year(value, minimum=self.min_value, maximum=self.max_value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial if initial != "" else None)
        except ValidationError:
            return True


def _partial_date_examples() -> str:
    return gettext("%(year)s, %(year)s-06 or %(year)s-06-30") % {"year": _example()}


def _partial_date_hint() -> str:
    return gettext("A year, a month or a day, e.g. %(examples)s") % {
        "examples": _partial_date_examples()
    }


partial_date_hint_lazy = lazy(_partial_date_hint, str)


class PartialDateField(forms.CharField):
    """A date known to a year, a month or a day ("2557", "2557-06", "2557-06-01"); the year
    by the calendar rule, so Thai pages show and take B.E. and English pages C.E."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", partial_date_hint_lazy())
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A stored or initial date (a PartialDate, C.E.) is shown with its year in the page's
        # era; what the person typed (a string) is shown as typed.
        if isinstance(value, PartialDate):
            text = str(value)
            return display_year(value.date.year) + text[4:]
        return value

    def to_python(self, value: Any) -> PartialDate | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        year_text, sep, rest = text.partition("-")
        year = parse_year(year_text)
        try:
            return PartialDate.parse(f"{year:04d}{sep}{rest}")
        except ValidationError:
            raise ValidationError(
                gettext("“%(value)s” is not a date: write %(hint)s.")
                % {"value": text[:40], "hint": _partial_date_examples()},
                code="not_a_date",
            ) from None


class BuddhistYearURLMiddleware:
    """Report and figure addresses carry a C.E. year (``<year:…>``; one address whatever the
    page's language). A B.E. year there (``/greenlib/reports/MFU-LIB/2562/``) is answered
    with a permanent redirect to the C.E. address, the query string kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        year = view_kwargs.get("year")
        if match is None or not isinstance(year, int) or year < BE_MIN:
            return None
        if "<year:year>" not in (match.route or ""):
            return None  # only pages' <year:…> addresses; the API's years are C.E. as declared
        try:
            url = reverse(match.view_name, kwargs={**match.kwargs, "year": read_year(year)})
        except (NoReverseMatch, YearInputError):
            return None
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
