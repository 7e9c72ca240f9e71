"""Forms of the interlibrary-loan pages. They only parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from libcoop.ill.models import ServiceType

NOTE = forms.Textarea(attrs={"rows": 3, "cols": 60})


class RequestForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    title = forms.CharField(label=_("Title (book or journal)"), max_length=500, required=False)
    author = forms.CharField(label=_("Author"), max_length=300, required=False)
    article_title = forms.CharField(
        label=_("Article or chapter (for a copy)"), max_length=500, required=False
    )
    journal = forms.CharField(label=_("Journal"), max_length=300, required=False)
    volume = forms.CharField(label=_("Volume"), max_length=32, required=False)
    issue = forms.CharField(label=_("Issue"), max_length=32, required=False)
    pages = forms.CharField(label=_("Pages"), max_length=32, required=False)
    year = forms.CharField(label=_("Year"), max_length=16, required=False)
    isbn = forms.CharField(label=_("ISBN"), max_length=32, required=False)
    issn = forms.CharField(label=_("ISSN"), max_length=16, required=False)
    doi = forms.CharField(label=_("DOI"), max_length=200, required=False)
    needed_by = forms.DateField(
        label=_("Needed by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    pickup_location = forms.CharField(label=_("Pickup location"), max_length=200, required=False)
    note = forms.CharField(label=_("Note to the library"), required=False, widget=NOTE)
    copyright_confirmed = forms.BooleanField(
        label=_(
            "I confirm that the copy is for private study or research and that I will not "
            "copy it further (the copyright statement)."
        ),
        required=False,
    )
    patron = forms.CharField(
        label=_("For patron (username; staff only)"), max_length=150, required=False
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Request it again anyway"), required=False, widget=forms.HiddenInput
    )

    def citation(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = (
            "service_type", "title", "author", "article_title", "journal", "volume", "issue",
            "pages", "year", "isbn", "issn", "doi", "needed_by", "pickup_location", "note",
        )  # fmt: skip
        values = {k: data[k] for k in keys if data.get(k) not in (None, "")}
        values["copyright_confirmed"] = bool(data.get("copyright_confirmed"))
        return values


class ActionForm(forms.Form):
    """Parameters some actions take."""

    conditions = forms.CharField(max_length=500, required=False)
    reason = forms.CharField(max_length=100, required=False)
    note = forms.CharField(max_length=500, required=False)


class LenderForm(forms.Form):
    agency = forms.CharField(label=_("Lender (TYPE:VALUE, e.g. ISIL:CMU-LIB)"), max_length=100)


class PolicyForm(forms.Form):
    open_for_lending = forms.BooleanField(label=_("Open for lending"), required=False)
    loan_days = forms.IntegerField(label=_("Loan period (days)"), min_value=1, max_value=365)
    renewals = forms.IntegerField(label=_("Renewals allowed"), min_value=0, max_value=10)
    renewal_days = forms.IntegerField(label=_("Renewal period (days)"), min_value=1, max_value=365)
    supplies_copies = forms.BooleanField(label=_("Supplies copies"), required=False)
    copy_fee = forms.DecimalField(
        label=_("Fee per copy (THB)"), min_value=0, max_digits=8, decimal_places=2
    )
    copy_max_pages = forms.IntegerField(
        label=_("Most pages per copy"), min_value=1, max_value=10_000
    )
