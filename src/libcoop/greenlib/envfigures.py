"""Environmental figures: monthly series, year totals and year-on-year change, and their charts.

Year-on-year change compares like with like: the year's change is computed over the months
recorded in both years only (a month missing in either year is left out), so a half-filled
year does not look like a 50 % saving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from libcoop.core import charts
from libcoop.core.dates import EN_MONTHS, THAI_MONTHS, display_year
from libcoop.greenlib.models import EnvFigure, EnvMetric
from libcoop.greenlib.queries import env_series
from libcoop.network.models import Institution

THAI_MONTHS_SHORT: Final = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
UNITS: Final = {
    EnvMetric.ELECTRICITY_KWH: "kWh",
    EnvMetric.WATER_M3: "m³",
    EnvMetric.FUEL_L: "l",
    EnvMetric.PAPER_REAMS: "reams",
    EnvMetric.PAPER_KG: "kg",
    EnvMetric.WASTE_GENERAL_KG: "kg",
    EnvMetric.WASTE_RECYCLABLE_KG: "kg",
    EnvMetric.WASTE_ORGANIC_KG: "kg",
    EnvMetric.WASTE_HAZARDOUS_KG: "kg",
}
WASTE: Final = tuple(m for m in EnvMetric if m.value.startswith("waste_"))


def month_labels(lang: str, *, short: bool = True) -> list[str]:
    if lang == "th":
        return list(THAI_MONTHS_SHORT if short else THAI_MONTHS)
    return [m[:3] for m in EN_MONTHS] if short else list(EN_MONTHS)


def percent_change(new: Decimal | None, old: Decimal | None) -> Decimal | None:
    """(new − old) / old in percent, one decimal; None when either is missing or old is 0."""
    if new is None or old is None or old == 0:
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearOnYear:
    metric: str
    metric_label: str
    unit: str
    year: int
    values: list[Decimal | None]  # 12 months of the year
    previous: list[Decimal | None]  # 12 months of the year before
    monthly_change: list[Decimal | None]  # % per month
    total: Decimal | None  # every recorded month of the year
    previous_total: Decimal | None
    months_compared: int  # months recorded in both years
    change: Decimal | None  # % over the months recorded in both years

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in (*self.values, *self.previous))


def _total(values: Sequence[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def year_on_year(
    metric: str, year: int, values: list[Decimal | None], previous: list[Decimal | None]
) -> YearOnYear:
    both = [
        (v, p) for v, p in zip(values, previous, strict=True) if v is not None and p is not None
    ]
    now = sum((v for v, _p in both), Decimal(0))
    before = sum((p for _v, p in both), Decimal(0))
    return YearOnYear(
        metric=metric,
        metric_label=str(EnvMetric(metric).label),
        unit=UNITS[EnvMetric(metric)],
        year=year,
        values=values,
        previous=previous,
        monthly_change=[percent_change(v, p) for v, p in zip(values, previous, strict=True)],
        total=_total(values),
        previous_total=_total(previous),
        months_compared=len(both),
        change=percent_change(now, before) if both else None,
    )


def comparisons(institution: Institution, year: int) -> list[YearOnYear]:
    """Every metric recorded in *year* or the year before, with its year-on-year change."""
    recorded = set(
        EnvFigure.objects.filter(institution=institution, year__in=[year, year - 1])
        .values_list("metric", flat=True)
        .distinct()
    )
    out = []
    for metric in EnvMetric:
        if metric.value not in recorded:
            continue
        series = env_series(institution, metric=metric.value, years=[year - 1, year])
        out.append(year_on_year(metric.value, year, series[year], series[year - 1]))
    return out


def years_recorded(institution: Institution) -> list[int]:
    return sorted(
        set(EnvFigure.objects.filter(institution=institution).values_list("year", flat=True))
    )


def is_illustrative(institution: Institution, years: Sequence[int]) -> bool:
    return EnvFigure.objects.filter(
        institution=institution, year__in=list(years), illustrative=True
    ).exists()


def trend_chart(row: YearOnYear, lang: str) -> SafeString:
    """The metric month by month, this year against last year."""
    return charts.line_chart(
        [
            (display_year(row.year - 1, lang), row.previous),
            (display_year(row.year, lang), row.values),
        ],
        month_labels(lang),
        title=row.metric_label,
        unit=row.unit,
    )


def change_chart(row: YearOnYear, lang: str) -> SafeString:
    """Year-on-year change per month in percent: rises up, savings down."""
    return charts.change_bar_chart(
        row.monthly_change,
        month_labels(lang),
        title=_("%(metric)s: change from the year before") % {"metric": row.metric_label},
    )


def years_chart(
    institution: Institution, metric: str, years: Sequence[int], lang: str
) -> SafeString:
    """Yearly totals of one metric across *years* (the long trend)."""
    series = env_series(institution, metric=metric, years=years)
    totals = [_total(series[y]) for y in years]
    return charts.bar_chart(
        [(str(EnvMetric(metric).label), totals)],
        [display_year(y, lang) for y in years],
        title=_("%(metric)s per year") % {"metric": EnvMetric(metric).label},
        unit=UNITS[EnvMetric(metric)],
    )
