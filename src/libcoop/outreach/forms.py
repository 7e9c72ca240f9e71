"""Forms for outreach pages. They only parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from libcoop.core.dates import PartialDate
from libcoop.core.years import YearField
from libcoop.network.forms import PartialDateField
from libcoop.network.models import Institution, InstitutionKind, Network
from libcoop.outreach.models import Activity, ActivityType, Programme

TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 60})


def _text(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=TEXTAREA)


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, help_text=_("Leave empty when unknown.")
    )


class ActivityForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=pgettext_lazy("outreach", "Programme"),
        queryset=Programme.objects.none(),
        to_field_name="code",
    )
    title_th = forms.CharField(label=_("Title (Thai)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    activity_type = forms.ChoiceField(label=_("Activity type"), choices=ActivityType.choices)
    date = PartialDateField(label=_("Date"))
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=Institution.objects.filter(kind=InstitutionKind.SCHOOL).order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    pupils = _count(_("Pupils"))
    teachers = _count(_("Teachers"))
    staff = _count(_("Library staff"))
    objectives_th = _text(_("Objectives (Thai)"))
    objectives_en = _text(_("Objectives (English)"))
    description_th = _text(_("Description (Thai)"))
    description_en = _text(_("Description (English)"))
    materials_donated_th = _text(_("Materials donated (Thai)"))
    materials_donated_en = _text(_("Materials donated (English)"))
    outcomes_th = _text(_("Outcomes (Thai)"))
    outcomes_en = _text(_("Outcomes (English)"))
    follow_up_th = _text(_("Follow-up (Thai)"))
    follow_up_en = _text(_("Follow-up (English)"))

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_th") and not data.get("title_en"):
            raise ValidationError(_("Give the title in Thai, in English, or both."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments of the activity services."""
        data = dict(self.cleaned_data)
        data.pop("programme", None)
        data["schools"] = list(data["schools"])
        return data

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(activity, name)
            for name in cls.base_fields
            if name not in ("programme", "date", "schools")
        }
        initial["programme"] = activity.programme.code
        initial["date"] = PartialDate(activity.date, activity.precision)  # type: ignore[arg-type]
        initial["schools"] = [s.code for s in activity.schools.all()]
        return initial


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (PNG, JPEG, GIF or WebP)"))
    caption_th = forms.CharField(label=_("Caption (Thai)"), max_length=300, required=False)
    caption_en = forms.CharField(label=_("Caption (English)"), max_length=300, required=False)


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("Follow-up note"), widget=TEXTAREA)


class ProgrammeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[A-Z0-9-]{2,32}$",
        help_text=_("Upper-case letters, digits and hyphens, e.g. MFU-BIGSIB."),
    )
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.order_by("code"),
        to_field_name="code",
        required=False,
    )
    objectives_th = _text(_("Objectives (Thai)"))
    objectives_en = _text(_("Objectives (English)"))
    start_year = YearField(label=_("Since (year)"), required=False, min_value=1900, max_value=2100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name_th") and not data.get("name_en"):
            raise ValidationError(_("Give the name in Thai, in English, or both."))
        return data

    @classmethod
    def initial_for(cls, programme: Programme) -> dict[str, Any]:
        initial = {name: getattr(programme, name) for name in cls.base_fields}
        initial["network"] = programme.network.code if programme.network else None
        return initial
