"""Forms of the collection's pages. They only parse the page's input into the shape the
services take (``metadata.FIELDS``, access, uploads); the services decide (one cleaning for
the page, the API, the command line and a batch file)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from libcoop.core.era import ce_to_be
from libcoop.core.years import year_hint_lazy
from libcoop.repository.models import Access, DegreeLevel, Item, ItemType, Licence

TEXTAREA = {"rows": 6, "cols": 80}
LINES = {"rows": 3, "cols": 60}
LANGUAGES = [("tha", _("Thai")), ("eng", _("English")), ("other", _("Other (give the code)"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's own recipe); the list may be empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _lines(value: str) -> str:
    """Text with one entry per line → entries separated by ``;`` (what the services read)."""
    return ";".join(line.strip() for line in value.replace(";", "\n").splitlines())


class MetadataForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=1000)
    title_alternative = forms.CharField(
        label=_("Title in the other language"), max_length=1000, required=False
    )
    item_type = forms.ChoiceField(label=_("Type"), choices=ItemType.choices)
    creators = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs=LINES),
        help_text=_("One per line, as written on the work (e.g. Surname, Given names)."),
    )
    advisors = forms.CharField(
        label=_("Advisors"),
        required=False,
        widget=forms.Textarea(attrs=LINES),
        help_text=_("For a thesis: one per line."),
    )
    year = forms.CharField(
        label=_("Year issued"),
        max_length=20,
        help_text=year_hint_lazy(),
    )
    issued = forms.DateField(
        label=_("Date issued"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If known to the day."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="tha")
    language_other = forms.CharField(
        label=_("Other language (ISO 639-2 code)"), max_length=3, required=False
    )
    abstract_th = forms.CharField(
        label=_("Abstract (Thai)"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    abstract_en = forms.CharField(
        label=_("Abstract (English)"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    keywords_th = forms.CharField(
        label=_("Keywords (Thai)"),
        required=False,
        help_text=_("Separated by semicolons (;)."),
        max_length=5000,
    )
    keywords_en = forms.CharField(
        label=_("Keywords (English)"),
        required=False,
        help_text=_("Separated by semicolons (;)."),
        max_length=5000,
    )
    degree_level = forms.ChoiceField(
        label=_("Degree level"), choices=DegreeLevel.choices, required=False
    )
    degree_name = forms.CharField(label=_("Degree name"), max_length=300, required=False)
    discipline = forms.CharField(label=_("Discipline"), max_length=300, required=False)
    degree_grantor = forms.CharField(label=_("Degree grantor"), max_length=500, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=500, required=False)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    rights = forms.CharField(
        label=_("Rights statement"), required=False, widget=forms.Textarea(attrs=LINES)
    )

    def metadata(self) -> dict[str, Any]:
        """The cleaned input as the services' metadata dict."""
        data = dict(self.cleaned_data)
        out: dict[str, Any] = {
            name: data.get(name, "")
            for name in (
                "title",
                "title_alternative",
                "item_type",
                "year",
                "abstract_th",
                "abstract_en",
                "keywords_th",
                "keywords_en",
                "degree_level",
                "degree_name",
                "discipline",
                "degree_grantor",
                "publisher",
                "licence",
                "rights",
            )
        }
        out["creators"] = _lines(data.get("creators", ""))
        out["contributors"] = [
            {"name": n, "role": "advisor"} for n in _lines(data.get("advisors", "")).split(";") if n
        ]
        out["issued"] = data.get("issued")
        language = data.get("language") or "tha"
        out["language"] = data.get("language_other", "") if language == "other" else language
        return out

    @classmethod
    def initial_for(cls, item: Item) -> dict[str, Any]:
        """The form's values for *item*; the year in the era of the page's language."""
        initial: dict[str, Any] = {
            name: getattr(item, name)
            for name in cls.base_fields
            if name not in ("creators", "advisors", "year", "language", "language_other")
        }
        initial["creators"] = "\n".join(item.creators)
        initial["advisors"] = "\n".join(
            c["name"] for c in item.contributors if c.get("role") == "advisor"
        )
        thai = (get_language() or "th").startswith("th")
        initial["year"] = str(ce_to_be(item.year) if thai else item.year)
        initial["keywords_th"] = "; ".join(item.keywords_th)
        initial["keywords_en"] = "; ".join(item.keywords_en)
        if item.language in ("tha", "eng"):
            initial["language"] = item.language
        else:
            initial["language"], initial["language_other"] = "other", item.language
        return initial


class AccessForm(forms.Form):
    access = forms.ChoiceField(label=_("Who may read the files"), choices=Access.choices)
    embargo_until = forms.DateField(
        label=_("Embargoed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For an embargo: the day the files open (after today)."),
    )
    access_after_embargo = forms.ChoiceField(
        label=_("Access after the embargo"),
        choices=[c for c in Access.choices if c[0] != Access.EMBARGO],
        initial=Access.OPEN,
        required=False,
    )

    @classmethod
    def initial_for(cls, item: Item) -> dict[str, Any]:
        return {
            "access": item.access,
            "embargo_until": item.embargo_until,
            "access_after_embargo": item.access_after_embargo,
        }


class DepositForm(MetadataForm, AccessForm):
    documents = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "PDF first; images and office documents are kept as they are. The type is "
            "checked from the file itself."
        ),
    )


class EditForm(MetadataForm):
    note = forms.CharField(
        label=_("What changed (for the history)"), max_length=500, required=False
    )


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))
    label = forms.CharField(label=_("Label"), max_length=200, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs=LINES),
        help_text=_("Shown to everyone on the item's page."),
    )
