"""The figure builders, for the pages: they live in :mod:`indicators.reporting.figures`.

They are pure functions returning plotly figure dicts and import no Dash, so the board pack
(``indicators.reporting.pack``, rendered by kaleido) uses exactly the same figures as the pages; this
module re-exports them under their old name.
"""

from __future__ import annotations

from indicators.reporting.figures import (
    FONT_FAMILY,
    GRID_COLOUR,
    OKABE_ITO,
    SERIES_COLOURS,
    SERIES_DASHES,
    SERIES_MARKERS,
    STATUS_COLOURS,
    TEXT_COLOUR,
    IndicatorChartData,
    MilestoneChartData,
    NamedSeries,
    Point,
    base_layout,
    figure_summary,
    history_figure,
    indicator_figure,
    milestone_figure,
    no_data_figure,
    sparkline,
    sparkline_svg,
    status_counts_figure,
)

__all__ = [
    "FONT_FAMILY",
    "GRID_COLOUR",
    "OKABE_ITO",
    "SERIES_COLOURS",
    "SERIES_DASHES",
    "SERIES_MARKERS",
    "STATUS_COLOURS",
    "TEXT_COLOUR",
    "IndicatorChartData",
    "MilestoneChartData",
    "NamedSeries",
    "Point",
    "base_layout",
    "figure_summary",
    "history_figure",
    "indicator_figure",
    "milestone_figure",
    "no_data_figure",
    "sparkline",
    "sparkline_svg",
    "status_counts_figure",
]
