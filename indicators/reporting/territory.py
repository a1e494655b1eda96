"""The territory read model (issue 14, item 6): the ABSS side by side, one ABSS's plan, and
the figures of the breakdown charts. No Dash: the pages (``/territori``, the objective page's
breakdowns, ``?abss=`` on the overview and the lever pages) build components from these.

- :func:`territory_rows`: per indicator with an ``abss`` breakdown, each ABSS's figure at a
  quarter (the member's total, or the sum or ratio of sums of its own cells:
  ``plan_model.breakdowns.member_figure``), its rank, its distance to the comarca figure
  (the total derived from the ABSS's figures: the sum for counts, the ratio of the sums for
  percentages and means, never the mean of the percentages) and the coverage («3 de 4 ABSS»).
  Rank 1 is the best figure in the indicator's direction: the lowest for ``decrease``, the
  highest otherwise.
- Small counts: with ``small_count`` > 0 (the viewers outside the services: the read-only
  role of the board and guests) the members are disclosed as
  ``plan_model.disclosure.disclose_members`` says (a small one «< 5», and the one that would
  reveal it hidden too); a hidden member has no rank and no distance.
- :class:`AbssData`: the dashboard's data of one ABSS (``?abss=VIC``): each indicator with an
  ``abss`` breakdown takes that ABSS's figure; the status engine rates it where the
  catalog's targets apply to an ABSS alone (percentages and means: a ratio); the counts
  (whose targets are the comarca's) and the indicators without an ``abss`` breakdown are
  left out of the status («sense desglossament per ABSS»).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, cast

import pandas as pd

from accounts.roles import READ_ONLY
from i18n import format_number, translator
from indicators.reporting import dashboard_data
from indicators.reporting.figures import (
    GRID_COLOUR,
    SERIES_COLOURS,
    SERIES_DASHES,
    SERIES_MARKERS,
    TEXT_COLOUR,
    base_layout,
    no_data_figure,
)
from indicators.reporting.plan_list import Table
from plan_model.breakdowns import (
    Aggregate,
    MemberValue,
    aggregate,
    member_figure,
    member_values_of,
)
from plan_model.dimensions import ABSS
from plan_model.disclosure import disclose_members
from plan_model.models import Direction, Indicator, Member, Plan
from plan_model.periods import Period, period_label, period_range

Grouped = dict[tuple[str, str], list[MemberValue]]


# ---- which indicators and members --------------------------------------------------------
def dimension_members(plan: Plan, dimension: str) -> list[Member]:
    """The members of the plan's ``dimension`` in order ([] when the plan has none)."""
    found = plan.dimension_by_code.get(dimension)
    return list(found.members) if found is not None else []


def abss_members(plan: Plan) -> list[Member]:
    """The plan's ABSS, in order ([] when the plan declares no ``abss`` dimension)."""
    return dimension_members(plan, ABSS)


def has_abss(indicator: Indicator) -> bool:
    """Whether the indicator is numeric and broken down by ABSS."""
    return not indicator.is_milestone and ABSS in indicator.breakdowns


def abss_indicators(plan: Plan) -> list[Indicator]:
    """The numeric indicators with an ``abss`` breakdown, in the catalog's order."""
    return [i for i in plan.indicators if has_abss(i)]


def rated_for_abss(indicator: Indicator) -> bool:
    """Whether the indicator's targets apply to one ABSS alone: a ratio (a percentage or a
    mean with its two counts); a count's targets are the comarca's."""
    return has_abss(indicator) and indicator.ratio is not None


def objective_has_abss(plan: Plan, code: str) -> bool:
    """Whether some indicator of objective ``code`` is broken down by ABSS."""
    return any(has_abss(i) for i in plan.indicators_of(code))


def valid_abss(plan: Plan, text: str | None) -> str | None:
    """The ABSS code ``?abss=`` names (its code in any case), None when it names none."""
    wanted = (text or "").strip().upper()
    return next((m.code for m in abss_members(plan) if m.code.upper() == wanted), None)


def small_count_for(role: str | None, small_count: int) -> int:
    """The small-count threshold for a viewer of ``role``: the read-only role (the board and
    guests: people outside the services) sees «< 5» (``plan_model.disclosure``); the
    services' staff (director, technicians, service heads) see every member (0)."""
    return small_count if role in (None, READ_ONLY) else 0


def grouped_members(data: dashboard_data.DashboardData) -> Grouped:
    """The breakdown members in force grouped by (indicator, quarter), cached per data
    generation (and per accepted-only view)."""

    def compute() -> Grouped:
        records = data.member_values().to_dict("records")
        return member_values_of(cast(list[dict[str, object]], records))

    return data.memo(("territory", "grouped-members"), compute)


# ---- the ABSS side by side ---------------------------------------------------------------
@dataclass(frozen=True)
class MemberFigure:
    """One member's figure as a page may show it: ``value`` None when it is missing or
    hidden (``suppressed``; ``below`` the threshold of «< 5», None for «no publicat»)."""

    member: str
    name: str
    value: float | None
    rank: int | None = None
    distance: float | None = None  # value - comarca figure (ratios and means)
    suppressed: bool = False
    below: int | None = None
    share: float | None = None  # value / comarca total (counts: an ABSS is a part of it)


@dataclass(frozen=True)
class TerritoryRow:
    """One indicator's ABSS side by side at a quarter, with the comarca figure."""

    indicator: Indicator
    members: tuple[MemberFigure, ...]
    comarca: float | None
    covered: int
    of: int


def abss_figures(
    plan: Plan, indicator: Indicator, values: Sequence[MemberValue]
) -> dict[str, Aggregate]:
    """Each ABSS's figure (``plan_model.breakdowns.member_figure``) from the quarter's
    members of one indicator, in the dimension's order."""
    ratio = indicator.ratio is not None
    return {m.code: member_figure(values, ABSS, m.code, ratio) for m in abss_members(plan)}


def comarca_figure(indicator: Indicator, figures: Mapping[str, Aggregate]) -> float | None:
    """The comarca's figure from the ABSS delivered: their sum for a count, the ratio of
    their summed counts for a ratio (``plan_model.breakdowns.aggregate``)."""
    parts = [
        MemberValue(code, f.value, f.numerator, f.denominator)
        for code, f in figures.items()
        if f.value is not None
    ]
    return aggregate(parts, indicator.ratio is not None).value if parts else None


def ranks(indicator: Indicator, values: Mapping[str, float | None]) -> dict[str, int]:
    """Rank 1 for the best figure in the indicator's direction (the lowest for
    ``decrease``, the highest otherwise); ties share a rank; missing values have none."""
    lower_better = indicator.direction == Direction.DECREASE
    known = {m: v for m, v in values.items() if v is not None}
    ordered = sorted(set(known.values()), reverse=not lower_better)
    return {
        m: 1 + sum(1 for o in ordered if (o < v if lower_better else o > v))
        for m, v in known.items()
    }


def _shown_values(
    indicator: Indicator,
    comarca: float | None,
    values: dict[str, float | None],
    small_count: int,
) -> dict[str, tuple[float | None, bool, int | None]]:
    """Per member (value shown, suppressed, below): every value with ``small_count`` 0,
    else ``plan_model.disclosure.disclose_members``'s answer."""
    if small_count <= 0:
        return {m: (v, False, None) for m, v in values.items()}
    shown = disclose_members(indicator, comarca, values, small_count).members
    return {m: (d.value, d.suppressed, d.below) for m, d in shown.items()}


def territory_row(
    plan: Plan, indicator: Indicator, values: Sequence[MemberValue], small_count: int = 0
) -> TerritoryRow:
    """One indicator's row of ``/territori`` from its members at a quarter (module
    docstring: rank, distance, coverage, small counts)."""
    figures = abss_figures(plan, indicator, values)
    comarca = comarca_figure(indicator, figures)
    shown = _shown_values(indicator, comarca, {m: f.value for m, f in figures.items()}, small_count)
    # a count of an ABSS is a part of the comarca's total, not comparable with it nor with
    # the counts of ABSS of other sizes: its share of the total instead of rank and distance
    count = indicator.ratio is None
    rank = {} if count else ranks(indicator, {m: s[0] for m, s in shown.items()})
    names = {m.code: m.name for m in abss_members(plan)}
    members = tuple(
        MemberFigure(
            member=code,
            name=names[code],
            value=value,
            rank=rank.get(code),
            distance=None if count or value is None or comarca is None else value - comarca,
            suppressed=suppressed,
            below=below,
            share=value / comarca if count and value is not None and comarca else None,
        )
        for code, (value, suppressed, below) in shown.items()
    )
    covered = sum(1 for f in figures.values() if f.value is not None)
    return TerritoryRow(indicator, members, comarca, covered, len(figures))


def territory_rows(
    data: dashboard_data.DashboardData, period: Period, small_count: int = 0
) -> list[TerritoryRow]:
    """Every indicator with an ``abss`` breakdown, its ABSS side by side at ``period``."""

    def compute() -> list[TerritoryRow]:
        grouped = grouped_members(data)
        return [
            territory_row(data.plan, i, grouped.get((i.code, str(period)), []), small_count)
            for i in abss_indicators(data.plan)
        ]

    return data.memo(("territory", "rows", str(period), small_count), compute)


def member_series(
    data: dashboard_data.DashboardData,
    indicator: Indicator,
    dimension: str,
    until: Period,
) -> dict[str, list[tuple[str, float | None]]]:
    """Per member of ``dimension``, its figure at every plan quarter up to ``until``
    (None where it has none), for the line per ABSS over time."""
    grouped = grouped_members(data)
    ratio = indicator.ratio is not None
    periods = period_range(data.plan.first_period, min(until, data.plan.last_period))
    return {
        m.code: [
            (
                str(p),
                member_figure(
                    grouped.get((indicator.code, str(p)), []), dimension, m.code, ratio
                ).value,
            )
            for p in periods
        ]
        for m in dimension_members(data.plan, dimension)
    }


def dimension_figures(
    data: dashboard_data.DashboardData,
    indicator: Indicator,
    dimension: str,
    period: Period,
    small_count: int = 0,
) -> list[MemberFigure]:
    """Each member of ``dimension`` (the sexes, the ABSS) of one indicator at ``period``, as
    the viewer may see it (``small_count``: module docstring); [] when it has no such
    breakdown."""
    if dimension not in indicator.breakdowns:
        return []
    values = grouped_members(data).get((indicator.code, str(period)), [])
    ratio = indicator.ratio is not None
    members = dimension_members(data.plan, dimension)
    figures = {m.code: member_figure(values, dimension, m.code, ratio) for m in members}
    total = comarca_figure(indicator, figures)
    shown = _shown_values(indicator, total, {k: f.value for k, f in figures.items()}, small_count)
    return [
        MemberFigure(
            m.code, m.name, shown[m.code][0], None, None, shown[m.code][1], shown[m.code][2]
        )
        for m in members
    ]


# ---- text ------------------------------------------------------------------------------------
def figure_text(figure: MemberFigure, lang: str, unit: str | None = None) -> str:
    """A member's figure as text: ``1.234,5 %``, ``< 5``, «no publicat» or «–»."""
    t = translator(lang)
    if figure.suppressed:
        return f"< {figure.below}" if figure.below is not None else t("not published")
    return number_text(figure.value, lang, unit)


def number_text(value: float | None, lang: str, unit: str | None = None) -> str:
    """A figure in the language's format with its unit (``1.234,5 persones``), «–» without."""
    text = format_number(value, lang)
    return f"{text}\u00a0{unit}" if unit and text != "–" else text


def distance_text(value: float | None, lang: str, unit: str | None = None) -> str:
    """A signed distance to the comarca figure (``+2,5 p. p.``, ``−30 persones``)."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    shown_unit = translator(lang)("pp") if unit == "%" else unit
    return sign + number_text(abs(value), lang, shown_unit)


def coverage_text(row: TerritoryRow, lang: str) -> str:
    """«3 de 4 ABSS»."""
    return translator(lang)("{covered} of {total} ABSS", covered=row.covered, total=row.of)


def territory_table(plan: Plan, rows: Sequence[TerritoryRow], period: Period, lang: str) -> Table:
    """What ``/territori`` shows, as a table for the CSV and XLSX downloads: per indicator
    and ABSS, the figure, rank and distance, and the comarca figure and coverage."""
    t = translator(lang)
    headers = [
        t("Quarter"),
        t("Indicator"),
        t("Indicator name"),
        t("Unit"),
        t("ABSS"),
        t("Value"),
        t("Rank"),
        t("Distance to the comarca"),
        t("Comarca"),
        t("Coverage"),
    ]
    out: list[list[str | float | int | None]] = []
    for row in rows:
        ind = row.indicator
        for m in row.members:
            value: str | float | None = None if m.value is None else round(m.value, 4)
            if m.suppressed:
                value = figure_text(m, lang)
            out.append(
                [
                    period_label(period, lang),
                    ind.code,
                    ind.name,
                    ind.unit or "",
                    m.name,
                    value,
                    m.rank,
                    None if m.distance is None else round(m.distance, 4),
                    None if row.comarca is None else round(row.comarca, 4),
                    coverage_text(row, lang),
                ]
            )
    return Table(headers, out, title=t("Territory"))


# ---- one ABSS's plan ---------------------------------------------------------------------
def abss_values(plan: Plan, totals: pd.DataFrame, grouped: Grouped, abss: str) -> pd.DataFrame:
    """The values the status engine reads for one ABSS (module docstring): the figure of
    ``abss`` for each indicator rated per ABSS, nothing for the others."""
    rated = {i.code: i for i in plan.indicators if rated_for_abss(i)}
    rows: list[dict[str, Any]] = []
    for (code, period), values in grouped.items():
        indicator = rated.get(code)
        if indicator is None:
            continue
        figure = member_figure(values, ABSS, abss, True)
        if figure.value is None:
            continue
        rows.append(
            {
                "indicator": code,
                "service": indicator.responsible_service,
                "period": period,
                "value": figure.value,
                "stage": None,
                "submission_id": None,
            }
        )
    frame = pd.DataFrame(rows, columns=list(totals.columns))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    return frame.sort_values(["indicator", "service", "period"], kind="stable").reset_index(
        drop=True
    )


@dataclass(frozen=True)
class AbssData(dashboard_data.DashboardData):
    """The dashboard's data of one ABSS (``?abss=``): the same caches, apart per ABSS, and
    the values of :func:`abss_values`, so the statuses, histories and page caches follow."""

    abss: str = ""

    def _cached(self, name: str, args: tuple[Any, ...], compute: Any) -> Any:
        return super()._cached(name, ("abss", self.abss, *args), compute)

    def whole(self) -> dashboard_data.DashboardData:
        """The same request's data for the whole comarca."""
        names = [f.name for f in fields(dashboard_data.DashboardData)]
        return dashboard_data.DashboardData(**{n: getattr(self, n) for n in names})

    def values(self) -> pd.DataFrame:
        whole = self.whole()
        return cast(
            pd.DataFrame,
            self._cached(
                "values",
                (),
                lambda: abss_values(self.plan, whole.values(), grouped_members(whole), self.abss),
            ),
        )

    def objective_status(self, code: str, period: Period) -> Any:
        return self.status(period).objective(code)


def abss_data(data: dashboard_data.DashboardData, abss: str) -> AbssData:
    """``data`` narrowed to one ABSS (:class:`AbssData`)."""
    names = [f.name for f in fields(dashboard_data.DashboardData)]
    return AbssData(**{n: getattr(data, n) for n in names}, abss=abss)


# ---- figures (plotly dicts, like ``indicators.reporting.figures``) ---------------------------
def _value_axis(unit: str | None) -> dict[str, Any]:
    return {
        "gridcolor": GRID_COLOUR,
        "zerolinecolor": "#8c8c8c",
        "linecolor": TEXT_COLOUR,
        "automargin": True,
        "tickformat": ",~r",
        "rangemode": "tozero",
        **({"title": {"text": unit}} if unit else {}),
    }


def members_bar_figure(
    figures: Sequence[MemberFigure], lang: str, *, unit: str | None, height: int = 280
) -> dict[str, Any]:
    """A horizontal bar per member (the ABSS, the sexes) with its figure written at its end;
    hidden members are named «< 5» / «no publicat» and drawn as nothing."""
    if not any(f.value is not None for f in figures):
        return no_data_figure(lang, height=height)
    shown = list(reversed(figures))  # plotly draws the first category at the bottom
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": [f.name for f in shown],
        "x": [f.value for f in shown],
        "text": [figure_text(f, lang, None) for f in shown],
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {"color": SERIES_COLOURS[0]},
        "hovertemplate": "%{y}: %{text}<extra></extra>",
    }
    layout = base_layout(lang, height=height, margin={"l": 16, "r": 56, "t": 16, "b": 40})
    layout["showlegend"] = False
    layout["xaxis"] = _value_axis(unit)
    layout["yaxis"] = {"automargin": True, "type": "category"}
    return {"data": [trace], "layout": layout}


def members_line_figure(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    names: Mapping[str, str],
    lang: str,
    *,
    unit: str | None,
    height: int = 320,
) -> dict[str, Any]:
    """One line per member over the quarters (colour, dash and marker differ: never colour
    alone)."""
    if not any(v is not None for points in series.values() for _p, v in points):
        return no_data_figure(lang, height=height)
    data = []
    for i, (code, points) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": names.get(code, code),
                "x": [p for p, _v in points],
                "y": [v for _p, v in points],
                "connectgaps": False,
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
                "hovertemplate": "%{fullData.name}<br>%{x}: %{y:,~r}<extra></extra>",
            }
        )
    periods = [p for p, _v in next(iter(series.values()))]
    layout = base_layout(lang, height=height)
    layout["showlegend"] = True
    layout["xaxis"] = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": periods,
        "showgrid": False,
        "linecolor": TEXT_COLOUR,
        "tickangle": -45 if len(periods) > 8 else 0,
        "automargin": True,
    }
    layout["yaxis"] = _value_axis(unit)
    return {"data": data, "layout": layout}
