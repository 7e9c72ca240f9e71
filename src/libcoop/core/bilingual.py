"""Text kept in Thai and English (``x_th`` and ``x_en`` fields), shown in the active language.

``pick`` chooses between two forms; on a model, ``x = BilingualText()`` gives ``obj.x`` (the
form for the active language, the other one when it is empty) and ``x_in = BilingualTextIn()``
gives ``obj.x_in(lang)``, both read from the model's ``x_th`` and ``x_en``. They are plain
Python descriptors, not fields: no column, no migration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self, overload

from django.utils.translation import get_language

__all__ = ["BilingualText", "BilingualTextIn", "pick"]


def pick(th: str, en: str, lang: str | None = None) -> str:
    """The Thai or English form for the active language, falling back to the other one."""
    lang = (lang or get_language() or "th")[:2]
    first, second = (th, en) if lang == "th" else (en, th)
    return first or second


class BilingualText:
    """``x = BilingualText()``: read-only ``obj.x`` = ``pick(obj.x_th, obj.x_en)``."""

    th: str
    en: str

    def __set_name__(self, owner: type, name: str) -> None:
        self.th, self.en = f"{name}_th", f"{name}_en"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> str: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> Self | str:
        if obj is None:
            return self
        return pick(getattr(obj, self.th), getattr(obj, self.en))

    def __set__(self, obj: object, value: Any) -> None:
        raise AttributeError(f"{self.th[:-3]} is read-only: set {self.th} or {self.en}")


class BilingualTextIn:
    """``x_in = BilingualTextIn()``: ``obj.x_in(lang)`` = ``pick(obj.x_th, obj.x_en, lang)``."""

    th: str
    en: str

    def __set_name__(self, owner: type, name: str) -> None:
        if not name.endswith("_in"):
            raise TypeError(f"{owner.__name__}.{name}: a BilingualTextIn's name ends in _in")
        base = name.removesuffix("_in")
        self.th, self.en = f"{base}_th", f"{base}_en"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> Callable[[str], str]: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> Self | Callable[[str], str]:
        if obj is None:
            return self
        th, en = self.th, self.en

        def in_lang(lang: str) -> str:
            return pick(getattr(obj, th), getattr(obj, en), lang)

        return in_lang
