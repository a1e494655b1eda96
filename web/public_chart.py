"""The small inline SVG charts of the public view (no script, no inline style: attributes only).

A trend is a line over the published quarters, broken where a quarter has no figure the
public may see (no data, or a suppressed small count); the page gives the same points as a
table (the text alternative), and the chart's ``<title>`` says what it shows. The objectives'
distribution by status is a stacked bar whose text is the list beside it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from plan_model.status_types import STATUS_COLORS, Status

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 22  # room for the axis labels
LINE = "#0b5394"
TARGET_LINE = "#555555"


@dataclass(frozen=True)
class Point:
    """One quarter of a trend: its label (``2025-T3``) and figure (None: not shown)."""

    period: str
    value: float | None


def _scale(points: Sequence[Point], reference: float | None) -> tuple[float, float]:
    shown = [p.value for p in points if p.value is not None]
    if reference is not None:
        shown.append(reference)
    low, high = min([0.0, *shown]), max([0.0, *shown])
    if high - low < 1e-9:
        high = low + 1.0
    return low, high


def _xy(index: int, count: int, value: float, low: float, high: float) -> tuple[float, float]:
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x = LEFT + (inner_w * index / (count - 1) if count > 1 else inner_w / 2)
    y = TOP + inner_h * (1 - (value - low) / (high - low))
    return round(x, 1), round(y, 1)


def _segments(points: Sequence[Point], low: float, high: float) -> list[list[tuple[float, float]]]:
    segments: list[list[tuple[float, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(_xy(index, len(points), point.value, low, high))
    return [s for s in segments if s]


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="11" fill="#333333" text-anchor="{anchor}">'
        f"{html.escape(text)}</text>"
    )


def _axes(
    points: Sequence[Point], low: float, high: float, fmt: Callable[[float], str]
) -> list[str]:
    bottom = HEIGHT - BOTTOM
    parts = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#999999"/>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#999999"/>',
        _text(LEFT - 4, TOP + 8, fmt(high), "end"),
        _text(LEFT - 4, bottom, fmt(low), "end"),
    ]
    if points:
        parts.append(_text(LEFT, HEIGHT - 6, points[0].period))
        if len(points) > 1:
            parts.append(_text(WIDTH - RIGHT, HEIGHT - 6, points[-1].period, "end"))
    return parts


def _reference(reference: float, low: float, high: float, fmt: Callable[[float], str]) -> list[str]:
    """A dashed line at ``reference`` (e.g. 100 % of the target), labelled unless it would
    overlap the axis' own labels."""
    _x, y = _xy(0, 2, reference, low, high)
    parts = [
        f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{TARGET_LINE}" '
        'stroke-dasharray="4 3"/>'
    ]
    if TOP + 14 < y < HEIGHT - BOTTOM - 12:
        parts.append(_text(LEFT - 4, y + 4, fmt(reference), "end"))
    return parts


def trend_svg(
    points: Sequence[Point],
    title: str,
    fmt: Callable[[float], str],
    *,
    reference: float | None = None,
) -> str:
    """The SVG of a trend (``title``: what it shows, read by screen readers; ``fmt``
    formats a figure for the axis; ``reference``: a dashed line, e.g. the target)."""
    low, high = _scale(points, reference)
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet"><title>{html.escape(title)}</title>',
        *_axes(points, low, high, fmt),
    ]
    if reference is not None:
        parts.extend(_reference(reference, low, high, fmt))
    for segment in _segments(points, low, high):
        coords = " ".join(f"{x},{y}" for x, y in segment)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x}" cy="{y}" r="3" fill="{LINE}"/>' for x, y in segment)
    parts.append("</svg>")
    return "".join(parts)


def distribution_svg(counts: Sequence[tuple[Status, int]]) -> str:
    """A stacked bar of counts per status (decorative: the page lists the counts as text)."""
    total = sum(n for _s, n in counts) or 1
    x = 0.0
    rects = []
    for status, count in counts:
        width = 300 * count / total
        if width > 0:
            rects.append(
                f'<rect x="{round(x, 2)}" y="0" width="{round(width, 2)}" height="18" '
                f'fill="{STATUS_COLORS[status]}"/>'
            )
        x += width
    return (
        '<svg class="distribution" viewBox="0 0 300 18" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false">{"".join(rects)}</svg>'
    )
