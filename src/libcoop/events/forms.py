"""Forms for event pages. They only parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from libcoop.core.dates import DatePrecision, PartialDate
from libcoop.events.models import AttendanceRole, Event, EventKind, EventStatus, OutputKind
from libcoop.network.forms import PartialDateField
from libcoop.network.models import Institution, Network

TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 60})


def _institutions(label: Any, required: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Institution.objects.order_by("code"),
        to_field_name="code",
        required=required,
    )


class EventForm(forms.Form):
    title_th = forms.CharField(label=_("Title (Thai)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.order_by("code"),
        to_field_name="code",
        required=False,
    )
    # Optional only so that a coordinator can edit a historic event whose organiser no source
    # names; the service refuses an event with neither organiser nor network.
    organiser = _institutions(_("Organiser"), required=False)
    host = _institutions(_("Hosting institution"), required=False)
    start = PartialDateField(label=_("Date"))
    start_time = forms.TimeField(
        label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_date = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only for events of more than one day."),
    )
    end_time = forms.TimeField(
        label=_("End time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place_th = forms.CharField(label=_("Place (Thai)"), max_length=300, required=False)
    place_en = forms.CharField(label=_("Place (English)"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    agenda_th = forms.CharField(label=_("Agenda (Thai)"), required=False, widget=TEXTAREA)
    agenda_en = forms.CharField(label=_("Agenda (English)"), required=False, widget=TEXTAREA)
    description_th = forms.CharField(label=_("Description (Thai)"), required=False, widget=TEXTAREA)
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=TEXTAREA
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=EventStatus.choices, initial=EventStatus.PLANNED
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_th") and not data.get("title_en"):
            raise ValidationError(_("Give the title in Thai, in English, or both."))
        start: PartialDate | None = data.get("start")
        if (
            start
            and start.precision != DatePrecision.DAY
            and (data.get("start_time") or data.get("end_time"))
        ):
            raise ValidationError(_("A time needs a full date (YYYY-MM-DD)."))
        if start and data.get("end_date") and data["end_date"] < start.date:
            raise ValidationError(_("The last day is before the first day."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        start: PartialDate = data.pop("start")
        data["start_date"] = start.date
        data["precision"] = start.precision
        return data

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(event, name)
            for name in cls.base_fields
            if name not in ("network", "organiser", "host", "start")
        }
        initial["network"] = event.network.code if event.network else None
        initial["organiser"] = event.organiser.code if event.organiser else None
        initial["host"] = event.host.code if event.host else None
        initial["start"] = PartialDate(event.start_date, event.precision)  # type: ignore[arg-type]
        return initial


class AttendanceForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=AttendanceRole.choices, initial=AttendanceRole.PARTICIPANT
    )
    attendees = forms.IntegerField(label=_("Number of people"), min_value=0, initial=1)
    people = forms.CharField(
        label=_("Names (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
    )


class OutputForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutputKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("or a link"), required=False, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            raise ValidationError(_("Give either a file or a link."))
        return data
