"""Inline SVG charts drawn on the server: no JavaScript, no CDN, the same markup in a PDF.

:func:`line_chart` draws one line per series over shared x labels (months, years);
:func:`bar_chart` draws grouped bars. Values may be missing (``None``): a line breaks there and
no bar is drawn. Every text is escaped; the output is marked safe for templates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = Decimal | float | int
Series = tuple[str, Sequence[Number | None]]

PALETTE: Final = ("#1b6e3c", "#d08c1a", "#2f6fb0", "#a23b72", "#6b8e23", "#7f7f7f")
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 12, 30, 46
_LEGEND_ROW = 16


def nice_ticks(top: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least *top* (1, 2, 2.5 or 5 × a power of ten apart).

    *whole*: the values are counts, so ticks are whole numbers.
    """
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def format_number(value: Number | None, digits: int = 0) -> str:
    """Arabic digits with thousands separators ("12,345" or "12,345.6")."""
    if value is None:
        return ""
    number = float(value)
    if digits == 0 and number != int(number) and abs(number) < 10:
        digits = 1
    return f"{number:,.{digits}f}"


def _frame(
    width: int, height: int, title: str, ticks: list[float], unit: str, legend: Sequence[str]
) -> tuple[list[str], float, float, float]:
    """The svg opening, title, grid and y axis; returns parts, plot top, height, and y scale."""
    legend_height = _LEGEND_ROW * math.ceil(len(legend) / 4) if len(legend) > 1 else 0
    plot_top = _TOP + legend_height + (6 if legend_height else 0)
    plot_height = height - plot_top - _BOTTOM
    scale = plot_height / ticks[-1]
    label = escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        'font-family="Sarabun, Tahoma, sans-serif" font-size="11">',
        f"<title>{label}</title>",
        f'<text x="{_LEFT}" y="16" font-size="13" font-weight="700">{label}</text>',
    ]
    if unit:
        parts.append(
            f'<text x="{width - _RIGHT}" y="16" text-anchor="end" fill="#555">{escape(unit)}</text>'
        )
    for i, name in enumerate(legend if len(legend) > 1 else []):
        lx = _LEFT + (i % 4) * 140
        ly = _TOP + 10 + (i // 4) * _LEGEND_ROW
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly}">{escape(name)}</text>')
    for tick in ticks:
        y = plot_top + plot_height - tick * scale
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{width - _RIGHT}" y2="{y:.1f}" '
            'stroke="#e3e8e5" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{format_number(tick)}</text>"
        )
    return parts, plot_top, plot_height, scale


def _x_labels(
    parts: list[str], labels: Sequence[str], centres: list[float], baseline: float
) -> None:
    every = max(1, math.ceil(len(labels) / 12))
    for i, (text, x) in enumerate(zip(labels, centres, strict=True)):
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{baseline + 16:.1f}" text-anchor="middle">'
                f"{escape(text)}</text>"
            )


def _top(series: Sequence[Series]) -> float:
    values = [float(v) for _name, vs in series for v in vs if v is not None]
    return max(values, default=0.0)


def _whole(series: Sequence[Series]) -> bool:
    return all(float(v).is_integer() for _name, vs in series for v in vs if v is not None)


def line_chart(
    series: Sequence[Series],
    x_labels: Sequence[str],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """One line per (name, values) over *x_labels*; a missing value breaks the line."""
    ticks = nice_ticks(_top(series))
    parts, plot_top, plot_height, scale = _frame(
        width, height, title, ticks, unit, [name for name, _v in series]
    )
    baseline = plot_top + plot_height
    n = max(len(x_labels), 1)
    step = (width - _LEFT - _RIGHT) / n
    centres = [_LEFT + step * (i + 0.5) for i in range(len(x_labels))]
    for index, (name, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        runs: list[list[tuple[float, float, Number]]] = [[]]
        for x, value in zip(centres, values, strict=False):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((x, baseline - float(value) * scale, value))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
            for x, y, value in run:
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                    f"<title>{escape(name)}: {format_number(value)}</title></circle>"
                )
    _x_labels(parts, x_labels, centres, baseline)
    parts.append(
        f'<line x1="{_LEFT}" y1="{baseline:.1f}" x2="{width - _RIGHT}" y2="{baseline:.1f}" '
        'stroke="#555"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    series: Sequence[Series],
    x_labels: Sequence[str],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Grouped bars: for each x label one bar per series; values are written above the bars."""
    ticks = nice_ticks(_top(series), whole=_whole(series))
    parts, plot_top, plot_height, scale = _frame(
        width, height, title, ticks, unit, [name for name, _v in series]
    )
    baseline = plot_top + plot_height
    n = max(len(x_labels), 1)
    group = (width - _LEFT - _RIGHT) / n
    bar = group * 0.8 / max(len(series), 1)
    centres = [_LEFT + group * (i + 0.5) for i in range(len(x_labels))]
    for index, (name, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        for i, value in enumerate(values[: len(x_labels)]):
            if value is None:
                continue
            h = float(value) * scale
            x = _LEFT + group * i + group * 0.1 + bar * index
            parts.append(
                f'<rect x="{x:.1f}" y="{baseline - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(name)}: {format_number(value)}</title></rect>'
            )
            if len(x_labels) * len(series) <= 16:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{baseline - h - 3:.1f}" '
                    f'text-anchor="middle" font-size="10">{format_number(value)}</text>'
                )
    _x_labels(parts, x_labels, centres, baseline)
    parts.append(
        f'<line x1="{_LEFT}" y1="{baseline:.1f}" x2="{width - _RIGHT}" y2="{baseline:.1f}" '
        'stroke="#555"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def change_bar_chart(
    values: Sequence[Number | None],
    x_labels: Sequence[str],
    *,
    title: str,
    unit: str = "%",
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Signed bars around a zero line: rises upwards (amber), falls downwards (green)."""
    known = [abs(float(v)) for v in values if v is not None]
    ticks = nice_ticks(max(known, default=0.0), count=3)
    top = ticks[-1]
    label = escape(title)
    plot_top, plot_bottom = _TOP, height - _BOTTOM
    zero = (plot_top + plot_bottom) / 2
    scale = (zero - plot_top) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        'font-family="Sarabun, Tahoma, sans-serif" font-size="11">',
        f"<title>{label}</title>",
        f'<text x="{_LEFT}" y="16" font-size="13" font-weight="700">{label}</text>',
        f'<text x="{width - _RIGHT}" y="16" text-anchor="end" fill="#555">{escape(unit)}</text>',
    ]
    for tick in sorted({-t for t in ticks if t} | set(ticks)):
        y = zero - tick * scale
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{width - _RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#555" if tick == 0 else "#e3e8e5"}" stroke-width="1"/>'
        )
        sign = "+" if tick > 0 else ""
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{sign}{format_number(tick)}</text>"
        )
    group = (width - _LEFT - _RIGHT) / max(len(x_labels), 1)
    centres = [_LEFT + group * (i + 0.5) for i in range(len(x_labels))]
    for x, value in zip(centres, values, strict=False):
        if value is None:
            continue
        h = abs(float(value)) * scale
        y = zero - h if float(value) > 0 else zero
        colour = PALETTE[1] if float(value) > 0 else PALETTE[0]
        sign = "+" if float(value) > 0 else ""
        parts.append(
            f'<rect x="{x - group * 0.3:.1f}" y="{y:.1f}" width="{group * 0.6:.1f}" '
            f'height="{h:.1f}" fill="{colour}">'
            f"<title>{sign}{format_number(value, 1)}</title></rect>"
        )
    _x_labels(parts, x_labels, centres, plot_bottom)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
