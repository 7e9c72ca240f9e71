"""Forms for registry pages. They only parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from libcoop.core.years import PartialDateField as PartialDateField  # events, outreach
from libcoop.network.models import Institution, MembershipRole, Network, Province, SeatRole
from libcoop.network.opac import validate_opac_template


class InstitutionForm(forms.Form):
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    district_th = forms.CharField(label=_("District (Thai)"), max_length=100, required=False)
    district_en = forms.CharField(label=_("District (English)"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    opac_url_template = forms.CharField(
        label=_("OPAC link template"),
        max_length=500,
        required=False,
        validators=[validate_opac_template],
        help_text=Institution._meta.get_field("opac_url_template").help_text,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name_th") and not data.get("name_en"):
            raise ValidationError(_("Give the name in Thai, in English, or both."))
        return data

    @classmethod
    def initial_for(cls, institution: Institution) -> dict[str, Any]:
        return {
            "name_th": institution.name_th,
            "name_en": institution.name_en,
            "short_name": institution.short_name,
            "province": institution.province_id,
            "district_th": institution.district_th,
            "district_en": institution.district_en,
            "website": institution.website,
            "opac_url_template": institution.opac_url_template,
        }


class MembershipForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("code"), to_field_name="code"
    )
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
    start = PartialDateField(label=_("Since"), required=False)


class EndTermForm(forms.Form):
    end = PartialDateField(label=_("Ended"))


class SeatForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("code"), to_field_name="code"
    )
    role = forms.ChoiceField(label=_("Role"), choices=SeatRole.choices)
    start = PartialDateField(label=_("Since"), required=False)
    person_th = forms.CharField(label=_("Person (Thai)"), max_length=200, required=False)
    person_en = forms.CharField(label=_("Person (English)"), max_length=200, required=False)


class NetworkForm(forms.Form):
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    acronym = forms.CharField(label=_("Acronym"), max_length=32, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description_th = forms.CharField(
        label=_("Description (Thai)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    @classmethod
    def initial_for(cls, network: Network) -> dict[str, Any]:
        return {name: getattr(network, name) for name in cls.base_fields}
