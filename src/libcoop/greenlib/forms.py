"""Forms of the green-library pages (parsing only; services check and save)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from libcoop.core.dates import display_year
from libcoop.core.years import YearField
from libcoop.greenlib.envfigures import month_labels
from libcoop.greenlib.evidence import Candidate
from libcoop.greenlib.models import EnvMetric, EvidenceKind, SelfStatus, Standard


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Standard) -> str:
        return f"{obj.code} — {obj.title}"


class OpenAssessmentForm(forms.Form):
    year = YearField(label=_("Year"), min_value=2000, max_value=2100)
    standard = StandardChoiceField(label=_("Standard"), queryset=Standard.objects.none())

    def __init__(self, *args: Any, standards: list[Standard], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": datetime.date.today().year})
        super().__init__(*args, **kwargs)
        field = self.fields["standard"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Standard.objects.filter(pk__in=[s.pk for s in standards])


class ResponseForm(forms.Form):
    narrative_th = forms.CharField(
        label=_("What the library did (Thai)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    narrative_en = forms.CharField(
        label=_("What the library did (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    self_status = forms.ChoiceField(
        label=_("Self-assessment"),
        required=False,
        choices=[("", _("— not judged —")), *SelfStatus.choices],
    )


class LinkForm(forms.Form):
    record = forms.ChoiceField(label=_("Record"))

    def __init__(self, *args: Any, candidates: dict[str, list[Candidate]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = []
        for kind, group in candidates.items():
            if group:
                label = str(EvidenceKind(kind).label)
                choices.append((label, [(f"{c.kind}:{c.pk}", c.label) for c in group]))
        field = self.fields["record"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def cleaned_record(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["record"].partition(":")
        return kind, int(pk)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ScoreForm(forms.Form):
    points = forms.DecimalField(label=_("Points"), min_value=Decimal(0), decimal_places=2)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EnvFiguresForm(forms.Form):
    """A year's grid: one field per metric and month, named ``<metric>__<month>``."""

    def __init__(
        self,
        *args: Any,
        year: int,
        lang: str,
        current: dict[tuple[int, str], Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.months = month_labels(lang)
        for metric in EnvMetric:
            for month in range(1, 13):
                name = f"{metric.value}__{month}"
                self.fields[name] = forms.DecimalField(
                    required=False,
                    min_value=Decimal(0),
                    max_digits=14,
                    decimal_places=3,
                    label=f"{metric.label} {self.months[month - 1]} {display_year(year, lang)}",
                    initial=current.get((month, metric.value)),
                    widget=forms.NumberInput(attrs={"step": "any", "class": "num"}),
                )

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(metric.label), [self[f"{metric.value}__{m}"] for m in range(1, 13)])
            for metric in EnvMetric
        ]

    def values(self) -> dict[tuple[int, str], Decimal | None]:
        out: dict[tuple[int, str], Decimal | None] = {}
        for name, value in self.cleaned_data.items():
            metric, _sep, month = name.partition("__")
            out[(int(month), metric)] = value
        return out
