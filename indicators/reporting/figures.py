"""Figure builders: pure functions from results to plotly figure DICTS.

Plain dicts, not ``plotly.graph_objects``: the graph objects validate every property, which
costs about 15x more per figure, and a dict is what Dash and kaleido consume anyway. These
functions do not import Dash and do not read the database: the dashboard, the board
presentation and the board pack (kaleido) all call them with the same inputs.

Every figure:
- uses the language's decimal and thousands separators (``layout.separators``);
- shows a clear "No data" annotation instead of an empty axis when there is nothing to plot;
- uses the Okabe-Ito colour-blind-safe palette and distinguishes series by line dash and marker
  as well as colour;
- comes with a one-sentence text summary (``figure_summary``) for ``aria-label``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from i18n import format_number, format_percent, separators, translator
from indicators.reporting.numbers import clean_number
from plan_model.periods import text_label
from plan_model.status_types import STATUS_COLORS

# Okabe-Ito (Wong 2011), colour-blind safe.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# status colours (the status engine's palette): behind black text, always with label and icon
STATUS_COLOURS = {str(status): colour for status, colour in STATUS_COLORS.items()}
SERIES_COLOURS = [
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
]
SERIES_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid"]
SERIES_MARKERS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross"]
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d9d9d9"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True)
class Point:
    """One quarter of a series: ``period`` like ``2025-T3``; ``value`` None when missing."""

    period: str
    value: float | None


@dataclass(frozen=True)
class NamedSeries:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class IndicatorChartData:
    """Everything an indicator chart shows (values already in the indicator's unit).

    ``expected`` is the path the plan expects (baseline to each year's target); the band is
    where achievement sits between the amber and green thresholds (``band_low``/``band_high``
    per quarter). ``forecast`` is the projection to the plan's end.
    """

    code: str
    name: str
    unit: str | None
    periods: Sequence[str]
    actual: Sequence[Point]
    expected: Sequence[Point] = ()
    baseline: float | None = None
    band_low: Sequence[Point] = ()
    band_high: Sequence[Point] = ()
    forecast: Sequence[Point] = ()
    targets: Sequence[Point] = ()
    baseline_path: Sequence[Point] = ()  # the comparable baseline per quarter (pro-rated sums)


@dataclass(frozen=True)
class MilestoneChartData:
    """A milestone's stage per quarter (``stage_pct`` 0-100, None for Ajornat/Desestimat)."""

    code: str
    name: str
    periods: Sequence[str]
    stages: Sequence[tuple[str, str | None, float | None]]  # period, stage name, pct
    expected: Sequence[Point] = ()
    planned_completion: str | None = None
    scale: Sequence[tuple[str, float]] = field(default_factory=list)  # stage name, pct


def _has_data(points: Iterable[Point]) -> bool:
    return any(clean_number(p.value) is not None for p in points)


def base_layout(
    lang: str, *, title: str | None = None, height: int = 320, margin: dict[str, int] | None = None
) -> dict[str, Any]:
    decimal, group = separators(lang)
    layout: dict[str, Any] = {
        "separators": decimal + group,
        "height": height,
        "margin": margin or {"l": 56, "r": 16, "t": 48 if title else 16, "b": 48},
        "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT_COLOUR},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"size": 14}},
        "legend": {"orientation": "h", "y": -0.22, "x": 0, "font": {"size": 13}},
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}}
    return layout


def _category_axis(periods: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(periods),
        "showgrid": False,
        "linecolor": TEXT_COLOUR,
        "tickangle": -45 if len(periods) > 8 else 0,
        "automargin": True,
    }


def _value_axis(title: str | None = None, suffix: str = "") -> dict[str, Any]:
    axis: dict[str, Any] = {
        "gridcolor": GRID_COLOUR,
        "zerolinecolor": "#8c8c8c",
        "linecolor": TEXT_COLOUR,
        "automargin": True,
        "ticksuffix": suffix,
        # thousands grouped, insignificant zeros trimmed: with ``layout.separators`` the
        # ticks read 1.500 and 2,5 in Catalan, as the tables beside them do
        "tickformat": ",~r",
    }
    if title:
        axis["title"] = {"text": title}
    return axis


def no_data_figure(
    lang: str, *, title: str | None = None, height: int = 320, message: str | None = None
) -> dict[str, Any]:
    """A figure that says clearly there is nothing to plot (no empty axes)."""
    t = translator(lang)
    layout = base_layout(lang, title=title, height=height)
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["annotations"] = [
        {
            "text": message or t("No data"),
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 18, "color": "#444444"},
        }
    ]
    return {"data": [], "layout": layout}


def _percent(values: Iterable[float | None]) -> list[float | None]:
    out: list[float | None] = []
    for v in values:
        c = clean_number(v)
        out.append(None if c is None else round(c * 100, 1))
    return out


def sparkline(
    points: Sequence[Point], lang: str, *, status: str = "grey", height: int = 70
) -> dict[str, Any]:
    """Achievement (1.0 = on track) over recent quarters, tiny, for a lever card."""
    t = translator(lang)
    if not _has_data(points):
        fig = no_data_figure(lang, height=height)
        fig["layout"]["margin"] = {"l": 4, "r": 4, "t": 4, "b": 4}
        fig["layout"]["annotations"][0]["font"]["size"] = 13
        return fig
    periods = [p.period for p in points]
    layout = base_layout(lang, height=height, margin={"l": 4, "r": 4, "t": 6, "b": 6})
    layout.update(
        {
            "showlegend": False,
            "xaxis": {
                "visible": False,
                "type": "category",
                "categoryorder": "array",
                "categoryarray": periods,
            },
            "yaxis": {"visible": False, "rangemode": "tozero"},
            "shapes": [
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": "y",
                    "y0": 100,
                    "y1": 100,
                    "line": {"color": "#767676", "width": 1, "dash": "dot"},
                }
            ],
        }
    )
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": periods,
        "y": _percent(p.value for p in points),
        "name": t("Achievement"),
        "line": {"color": OKABE_ITO["blue"], "width": 2},
        "marker": {"size": 5, "color": OKABE_ITO["blue"]},
        "connectgaps": False,
        "hovertemplate": "%{x}: %{y:.0f} %<extra></extra>",
    }
    return {"data": [trace], "layout": layout}


def history_figure(
    series: Sequence[NamedSeries],
    lang: str,
    *,
    title: str | None = None,
    periods: Sequence[str] | None = None,
    height: int = 360,
) -> dict[str, Any]:
    """Achievement over time, one line per series (e.g. the axes of a lever)."""
    t = translator(lang)
    if not any(_has_data(s.points) for s in series):
        return no_data_figure(lang, title=title, height=height)
    if periods is None:
        seen: dict[str, None] = {}
        for s in series:
            for p in s.points:
                seen.setdefault(p.period, None)
        periods = sorted(seen)
    data = []
    for i, s in enumerate(series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s.name,
                "x": [p.period for p in s.points],
                "y": _percent(p.value for p in s.points),
                "line": {
                    "color": colour,
                    "width": 3,
                    "dash": SERIES_DASHES[i % len(SERIES_DASHES)],
                },
                "marker": {
                    "size": 8,
                    "symbol": SERIES_MARKERS[i % len(SERIES_MARKERS)],
                    "color": colour,
                },
                "hovertemplate": "%{fullData.name}<br>%{x}: %{y:.0f} %<extra></extra>",
            }
        )
    layout = base_layout(lang, title=title, height=height)
    layout["showlegend"] = True  # name the series even when there is only one
    layout["xaxis"] = _category_axis(periods)
    layout["yaxis"] = _value_axis(t("Achievement (%)"), " %")
    layout["yaxis"]["rangemode"] = "tozero"
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": 100,
            "y1": 100,
            "line": {"color": "#555555", "width": 1, "dash": "dot"},
        }
    ]
    layout["annotations"] = [
        {
            "text": t("on track"),
            "xref": "paper",
            "x": 1,
            "y": 100,
            "yref": "y",
            "xanchor": "right",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12, "color": "#444444"},
        }
    ]
    return {"data": data, "layout": layout}


def indicator_figure(chart: IndicatorChartData, lang: str, *, height: int = 360) -> dict[str, Any]:
    """Actual values, baseline, expected path, threshold band and forecast of one indicator."""
    title = f"{chart.code} · {chart.name}"
    if not (_has_data(chart.actual) or _has_data(chart.expected) or _has_data(chart.targets)):
        return no_data_figure(lang, title=title, height=height)
    suffix = " %" if (chart.unit or "").strip() == "%" else ""
    layout = base_layout(lang, title=title, height=height)
    layout["xaxis"] = _category_axis(chart.periods)
    layout["yaxis"] = _value_axis(chart.unit if chart.unit and chart.unit != "%" else None, suffix)
    layout["shapes"], layout["annotations"] = _indicator_marks(chart, lang)
    return {"data": _indicator_traces(chart, lang), "layout": layout}


def _line(points: Sequence[Point], **trace: Any) -> dict[str, Any]:
    """A scatter trace of ``points`` (missing values as gaps)."""
    return {
        "type": "scatter",
        "x": [p.period for p in points],
        "y": [clean_number(p.value) for p in points],
        **trace,
    }


def _band_traces(chart: IndicatorChartData, t: Callable[..., str]) -> list[dict[str, Any]]:
    """The amber zone between the thresholds: an invisible lower line, the upper one filled."""
    if not (_has_data(chart.band_low) and _has_data(chart.band_high)):
        return []
    return [
        _line(
            chart.band_low,
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            name=t("Amber zone"),
        ),
        _line(
            chart.band_high,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(230,159,0,0.22)",
            name=t("Slight delay zone (thresholds)"),
            hoverinfo="skip",
        ),
    ]


def _reference_traces(chart: IndicatorChartData, t: Callable[..., str]) -> list[dict[str, Any]]:
    """What the values are measured against: baseline path, expected path, year-end targets."""
    data: list[dict[str, Any]] = []
    if _has_data(chart.baseline_path):
        data.append(
            _line(
                chart.baseline_path,
                mode="lines",
                name=t("Baseline"),
                line={"color": "#555555", "width": 1.5, "dash": "dashdot"},
                hovertemplate=t("Baseline") + " %{x}: %{y:,.1f}<extra></extra>",
            )
        )
    if _has_data(chart.expected):
        data.append(
            _line(
                chart.expected,
                mode="lines",
                name=t("Expected path"),
                line={"color": OKABE_ITO["black"], "width": 2, "dash": "dash"},
                hovertemplate=t("Expected") + " %{x}: %{y:,.1f}<extra></extra>",
            )
        )
    if _has_data(chart.targets):
        data.append(
            _line(
                chart.targets,
                mode="markers",
                name=t("Year-end targets"),
                marker={
                    "symbol": "star",
                    "size": 12,
                    "color": OKABE_ITO["reddish_purple"],
                    "line": {"color": TEXT_COLOUR, "width": 1},
                },
                hovertemplate=t("Target") + " %{x}: %{y:,.1f}<extra></extra>",
            )
        )
    return data


def _value_traces(chart: IndicatorChartData, t: Callable[..., str]) -> list[dict[str, Any]]:
    """The submitted values and the forecast to the plan's end."""
    data: list[dict[str, Any]] = []
    if _has_data(chart.actual):
        data.append(
            _line(
                chart.actual,
                mode="lines+markers",
                name=t("Actual value"),
                line={"color": OKABE_ITO["blue"], "width": 3},
                marker={"size": 8, "color": OKABE_ITO["blue"]},
                connectgaps=False,
                hovertemplate=t("Value") + " %{x}: %{y:,.1f}<extra></extra>",
            )
        )
    if _has_data(chart.forecast):
        data.append(
            _line(
                chart.forecast,
                mode="lines+markers",
                name=t("Forecast"),
                line={"color": OKABE_ITO["vermillion"], "width": 2, "dash": "dot"},
                marker={"symbol": "diamond-open", "size": 9, "color": OKABE_ITO["vermillion"]},
                hovertemplate=t("Forecast") + " %{x}: %{y:,.1f}<extra></extra>",
            )
        )
    return data


def _indicator_traces(chart: IndicatorChartData, lang: str) -> list[dict[str, Any]]:
    """The band (amber to green), baseline, expected path, targets, values and forecast,
    each only when it has data, drawn in that order."""
    t = translator(lang)
    return [*_band_traces(chart, t), *_reference_traces(chart, t), *_value_traces(chart, t)]


def _indicator_marks(
    chart: IndicatorChartData, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(shapes, annotations): the baseline as a line when there is no baseline path, and a
    note when nothing has been submitted yet."""
    t = translator(lang)
    shapes = []
    annotations = []
    baseline = clean_number(chart.baseline)
    if baseline is not None and not _has_data(chart.baseline_path):
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": baseline,
                "y1": baseline,
                "line": {"color": "#555555", "width": 1.5, "dash": "dashdot"},
            }
        )
        annotations.append(
            {
                "text": t("Baseline: {value}", value=format_number(baseline, lang)),
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": baseline,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": "#333333"},
            }
        )
    if not _has_data(chart.actual):
        annotations.append(
            {
                "text": t("No values submitted yet"),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 16, "color": "#444444"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, annotations


_Reached = list[tuple[str, str | None, float | None]]  # period, stage name, pct


def _milestone_traces(
    chart: MilestoneChartData, reached: _Reached, t: Callable[..., str]
) -> list[dict[str, Any]]:
    """The planned progress (dashed) and the stage reached each quarter (steps, labelled)."""
    data: list[dict[str, Any]] = []
    if _has_data(chart.expected):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": t("Planned progress"),
                "x": [p.period for p in chart.expected],
                "y": [clean_number(p.value) for p in chart.expected],
                "line": {"color": OKABE_ITO["black"], "width": 2, "dash": "dash"},
                "hovertemplate": t("Planned") + " %{x}: %{y:.0f} %<extra></extra>",
            }
        )
    if reached:
        x, y, names = _reached_series(chart.periods, reached)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": t("Stage reached"),
                "x": x,
                "y": y,
                # a label where the stage changes (repeated names overlapped), the name on hover
                "text": [
                    name if name and (i == 0 or name != names[i - 1]) else ""
                    for i, name in enumerate(names)
                ],
                "customdata": names,
                "textposition": "top center",
                "textfont": {"size": 11},
                "line": {"color": OKABE_ITO["blue"], "width": 3, "shape": "hv"},
                "marker": {"size": 10, "symbol": "square", "color": OKABE_ITO["blue"]},
                "connectgaps": False,
                "hovertemplate": "%{x}: %{customdata} (%{y:.0f} %)<extra></extra>",
            }
        )
    return data


def _reached_series(
    periods: Sequence[str], reached: _Reached
) -> tuple[list[str], list[float | None], list[str]]:
    """The stage reached on every quarter from the first report to the last, a gap (None)
    where a quarter has no report: the line breaks there instead of crossing it."""
    by_period = {p: (n or "", v) for p, n, v in reached}
    reported = [p for p in periods if p in by_period]
    if not reported:
        return (
            [p for p, _n, _v in reached],
            [v for _p, _n, v in reached],
            [n or "" for _p, n, _v in reached],
        )
    span = list(periods)[list(periods).index(reported[0]) : list(periods).index(reported[-1]) + 1]
    names = [by_period[p][0] if p in by_period else "" for p in span]
    return span, [by_period[p][1] if p in by_period else None for p in span], names


def _stage_axis(chart: MilestoneChartData, lang: str) -> dict[str, Any]:
    """The y axis from 0 to 100 %, with the scale's stages as its ticks when there is one."""
    ticks = list(chart.scale)
    axis = _value_axis(None, "")
    axis.update({"range": [-5, 118]})
    if ticks:
        axis.update(
            {
                "tickmode": "array",
                "tickvals": [pct for _n, pct in ticks],
                "ticktext": [f"{name} ({format_number(pct, lang, 0)} %)" for name, pct in ticks],
            }
        )
    return axis


def _milestone_marks(
    chart: MilestoneChartData, reached: _Reached, t: Callable[..., str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(shapes, annotations): the planned completion quarter as a labelled vertical line, and
    a note when nothing has been submitted yet."""
    shapes = []
    annotations = []
    if chart.planned_completion and chart.planned_completion in chart.periods:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "x0": chart.planned_completion,
                "x1": chart.planned_completion,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": OKABE_ITO["vermillion"], "width": 2, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "text": t("Planned completion"),
                "xref": "x",
                "x": chart.planned_completion,
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": "#333333"},
            }
        )
    if not reached:
        annotations.append(
            {
                "text": t("No values submitted yet"),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 16, "color": "#444444"},
            }
        )
    return shapes, annotations


def milestone_figure(chart: MilestoneChartData, lang: str, *, height: int = 320) -> dict[str, Any]:
    """A milestone as a stage timeline: the stage reached each quarter vs the planned path."""
    t = translator(lang)
    title = f"{chart.code} · {chart.name}"
    reached = [(p, name, clean_number(pct)) for p, name, pct in chart.stages]
    if not reached and not _has_data(chart.expected):
        return no_data_figure(lang, title=title, height=height)
    data = _milestone_traces(chart, reached, t)
    layout = base_layout(lang, title=title, height=height)
    layout["xaxis"] = _category_axis(chart.periods)
    layout["yaxis"] = _stage_axis(chart, lang)
    layout["shapes"], layout["annotations"] = _milestone_marks(chart, reached, t)
    return {"data": data, "layout": layout}


def status_counts_figure(
    counts: dict[str, int],
    lang: str,
    labels: dict[str, str],
    *,
    title: str | None = None,
    height: int = 220,
) -> dict[str, Any]:
    """Horizontal bar of how many children are in each status (label on every bar)."""
    order = ["green", "amber", "red", "grey"]
    if not any(counts.get(s, 0) for s in order):
        return no_data_figure(lang, title=title, height=height)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [labels.get(s, s) for s in order],
            "x": [counts.get(s, 0) for s in order],
            "marker": {
                "color": [STATUS_COLOURS[s] for s in order],
                "line": {"color": TEXT_COLOUR, "width": 1},
            },
            "text": [str(counts.get(s, 0)) for s in order],
            "textposition": "outside",
            "hovertemplate": "%{y}: %{x}<extra></extra>",
        }
    ]
    layout = base_layout(lang, title=title, height=height)
    layout["showlegend"] = False
    layout["xaxis"] = _value_axis()
    layout["yaxis"] = {"autorange": "reversed", "automargin": True}
    return {"data": data, "layout": layout}


def figure_summary(series: Sequence[NamedSeries], lang: str, *, what: str) -> str:
    """A one-sentence text alternative of an achievement chart, for ``aria-label``."""
    t = translator(lang)
    parts = []
    for s in series:
        last = next(
            (p for p in reversed(list(s.points)) if clean_number(p.value) is not None), None
        )
        if last is None:
            parts.append(t("{name}: no data", name=s.name))
        else:
            parts.append(
                t(
                    "{name}: {value} in {period}",
                    name=s.name,
                    value=format_percent(last.value, lang),
                    period=text_label(last.period, lang),
                )
            )
    if not parts:
        return t("{what}: no data", what=what)
    return f"{what}. " + "; ".join(parts) + "."


def sparkline_svg(
    points: Sequence[Point],
    lang: str,
    *,
    width: int = 220,
    height: int = 56,
    title: str | None = None,
) -> str:
    """The sparkline as a small standalone SVG document (no plotly.js needed to draw it).

    Achievement in percent over the quarters, a dotted line at 100 % ("on track"), the last
    value marked; "No data" written when there is nothing to draw. ``title`` becomes the
    SVG's accessible name.
    """
    from html import escape

    t = translator(lang)
    label = escape(title or t("Achievement"))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{label}</title>'
    )
    values = [clean_number(p.value) for p in points]
    known = [v for v in values if v is not None]
    if not known:
        return (
            head + f'<text x="{width / 2:.0f}" y="{height / 2 + 5:.0f}" '
            f'text-anchor="middle" font-family="sans-serif" font-size="13" '
            f'fill="#444444">{escape(t("No data"))}</text></svg>'
        )
    pad = 5.0
    top = max(1.2, max(known))
    bottom = min(0.0, min(known))

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / max(1, len(values) - 1))

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * ((v - bottom) / (top - bottom))

    parts = [
        head,
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(1.0):.1f}" y2="{y(1.0):.1f}" '
        'stroke="#767676" stroke-width="1" stroke-dasharray="2 3"/>',
    ]
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(v):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(
            f'<polyline points="{" ".join(seg)}" fill="none" '
            f'stroke="{OKABE_ITO["blue"]}" stroke-width="2"/>'
        )
    last = max(i for i, v in enumerate(values) if v is not None)
    last_value = values[last]
    assert last_value is not None
    parts.append(
        f'<circle cx="{x(last):.1f}" cy="{y(last_value):.1f}" r="3.5" fill="{OKABE_ITO["blue"]}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
