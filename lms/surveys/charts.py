"""Horizontal bar charts drawn on the server as SVG geometry (no script, no library)."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_W = 150
BAR_MAX_W = 300
ROW_H = 28
BAR_H = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the number written beside the bar
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_w: int = LABEL_W
    bar_h: int = BAR_H


def bar_chart(items: list[tuple[str, float, str]], maximum: float | None = None) -> BarChart:
    """(label, value, text) rows into bars scaled to the largest value (or `maximum`)."""
    top = maximum if maximum else max((v for _, v, _ in items), default=0) or 1
    bars = tuple(Bar(label, value, text, i * ROW_H + 4, round(BAR_MAX_W * value / top))
                 for i, (label, value, text) in enumerate(items))
    return BarChart(bars, LABEL_W + BAR_MAX_W + 70, len(items) * ROW_H + 8)
