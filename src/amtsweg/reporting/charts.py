"""Accessible bar charts as inline SVG, rendered on the server (no JavaScript, no chart library).

The SVG carries `role="img"` with a title and a description that states the values in words; the page
shows the same numbers in a data table next to it, so no one depends on the picture. Colours come from
CSS classes (administration.css), never from inline styles (CSP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    css: str  # suffix of aw-chart__bar--<css>


def nice_max(value: float) -> float:
    """A round upper bound for the axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        bound = step * 10**exponent
        if bound >= value:
            return bound
    return 10 ** (exponent + 1)


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}".replace(".", ",")


def bar_chart(
    chart_id: str, title: str, categories: list[str], series: list[Series], unit: str = ""
) -> SafeString:
    """Grouped bars: one group per category (month), one bar per series."""
    peak = max([v for s in series for v in s.values if v is not None] or [0])
    top = nice_max(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = max(2.0, (group_w * 0.8) / max(1, len(series)))
    parts = []
    for tick in range(5):
        value = top * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(
            f'<line class="aw-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="aw-chart__label" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_number(value)}</text>"
        )
    description = []
    for index, category in enumerate(categories):
        x0 = LEFT + group_w * index + group_w * 0.1
        words = []
        for number, item in enumerate(series):
            value = item.values[index]
            words.append(f"{item.label} {_number(value) if value is not None else '–'}{unit}")
            if not value:
                continue
            height = plot_h * value / top
            x = x0 + bar_w * number
            y = TOP + plot_h - height
            parts.append(
                f'<rect class="aw-chart__bar aw-chart__bar--{escape(item.css)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar_w - 1:.1f}" height="{height:.1f}"/>'
            )
        label_x = LEFT + group_w * index + group_w / 2
        parts.append(
            f'<text class="aw-chart__label" x="{label_x:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
        description.append(f"{category}: " + ", ".join(words))
    parts.append(
        f'<line class="aw-chart__axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}"/>'
    )
    svg = (
        f'<svg class="aw-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape("; ".join(description))}</desc>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped, numbers are formatted by us
