"""Palanca (``/palanca/<n>``): the lever's axes and objectives, and its achievement over time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from indicators.reporting.numbers import clean_number
from layouts import analysis, breakdown_charts
from layouts import components as c
from layouts.figures import NamedSeries, Point, figure_summary, history_figure
from layouts.pages.not_found_404 import not_found
from plan_model import status_types as st
from plan_model.models import Lever
from plan_model.ranking import WORST_FIRST
from plan_model.status_types import LeverResult, ObjectiveResult

dash.register_page(  # type: ignore[no-untyped-call]
    __name__,
    path_template="/palanca/<n>",
    path="/palanca/1",
    title=c.page_title("Lever {n}"),
    name="Palanca",
    order=1,
)

ALL = "tots"  # the "no filter" value of the selectors (not written in the URL)
STATUS_RANK = {str(status): rank for status, rank in WORST_FIRST.items()}


def _lever_number(text: str | None) -> int | None:
    try:
        number = int(str(text))
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 5 else None


def _row(ctx: c.PageContext, objective: ObjectiveResult, axis_name: str) -> dict[str, Any]:
    lang, t = ctx.lang, ctx.t
    plan_objective = ctx.plan.objective_by_code[objective.code]
    services = sorted({i.responsible_service for i in ctx.plan.indicators_of(objective.code)})
    status = str(objective.status)
    if objective.at_risk:
        forecast = st.icon_text(st.AT_RISK_ICON, st.AT_RISK_LABEL, lang)
    elif any(i.forecast is not None for i in objective.indicators):
        forecast = f"{st.STATUS_ICONS[st.Status.GREEN]} {t('Reaches the target')}"
    else:
        forecast = f"{st.STATUS_ICONS[st.Status.GREY]} {t('No forecast')}"
    achievement = clean_number(objective.achievement)
    return {
        "code": objective.code,
        "href": ctx.href(f"/objectiu/{objective.code}"),
        "text": plan_objective.text,
        "axis": axis_name,
        "status": status,
        "status_rank": STATUS_RANK.get(status, 4),
        "status_text": f"{c.status_icon(status)} "
        + (
            t("not broken down by ABSS")
            if breakdown_charts.not_broken_down(ctx, objective.code)
            else c.status_label(status, lang, insufficient=objective.insufficient_data)
        ),
        "achievement": None if achievement is None else round(achievement * 100, 1),
        "achievement_text": c.percent(achievement, lang),
        "trend": c.trend_text(str(objective.trend), lang),
        "forecast": forecast,
        "service": ", ".join(services),
    }


def _objective_columns(t: Callable[..., str]) -> list[dict[str, Any]]:
    """The grid's columns that name the objective: code (a link), text and axis."""
    return [
        {
            "field": "code",
            "headerName": t("Code"),
            "cellRenderer": "ObjectiveLink",
            "minWidth": 110,
            "maxWidth": 120,
            "sort": "asc",
            "suppressSizeToFit": True,
        },
        {
            "field": "text",
            "headerName": t("Objective"),
            "flex": 3,
            "minWidth": 260,
            "wrapText": True,
            "autoHeight": True,
            "filter": "agTextColumnFilter",
        },
        {
            "field": "axis",
            "headerName": t("Axis"),
            "flex": 1,
            "minWidth": 130,
            "wrapText": True,
            "autoHeight": True,
            "filter": "agTextColumnFilter",
        },
    ]


def _result_columns(t: Callable[..., str]) -> list[dict[str, Any]]:
    """The grid's columns of the quarter's result: status, achievement, trend, forecast and
    the responsible service."""
    return [
        {
            "field": "status_text",
            "headerName": t("Status"),
            "minWidth": 180,
            "filter": "agTextColumnFilter",
            "wrapText": True,
            "autoHeight": True,
            "cellClass": {"function": "'status-cell status-' + params.data.status"},
            "comparator": {
                "function": "(a, b, na, nb) => na.data.status_rank - nb.data.status_rank"
            },
        },
        {
            "field": "achievement",
            "headerName": t("Achievement"),
            "cellRenderer": "AchievementBar",
            "minWidth": 150,
            "filter": "agNumberColumnFilter",
            "type": "numericColumn",
        },
        {
            "field": "trend",
            "headerName": t("Trend"),
            "minWidth": 120,
            "wrapText": True,
            "autoHeight": True,
        },
        {
            "field": "forecast",
            "headerName": t("Forecast"),
            "minWidth": 150,
            "wrapText": True,
            "autoHeight": True,
        },
        {
            "field": "service",
            "headerName": t("Responsible service"),
            "minWidth": 150,
            "wrapText": True,
            "autoHeight": True,
            "filter": "agTextColumnFilter",
        },
    ]


def _grid(ctx: c.PageContext, rows: list[dict[str, Any]]) -> dag.AgGrid:
    """The lever's objectives as a sortable, filterable AG Grid."""
    t = ctx.t
    column_defs = [*_objective_columns(t), *_result_columns(t)]
    return dag.AgGrid(
        id="lever-grid",
        rowData=rows,
        columnDefs=column_defs,
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "domLayout": "autoHeight",
            "animateRows": False,
            "ensureDomOrder": True,
            "suppressColumnVirtualisation": True,
            "localeText": {"noRowsToShow": t("No objectives match the filters")},
        },
        columnSize="responsiveSizeToFit",
        style={"width": "100%"},
        className="objective-grid",
    )


def _filters(ctx: c.PageContext, lever: Lever, axis_filter: str, status_filter: str) -> html.Div:
    t, lang = ctx.t, ctx.lang
    axis_options = [{"label": t("All axes"), "value": ALL}] + [
        {"label": t("Axis {number}. {name}", number=a.number, name=a.name), "value": str(a.number)}
        for a in lever.axes
    ]
    status_options = [{"label": t("All statuses"), "value": ALL}] + [
        {"label": f"{c.status_icon(s)} {c.status_label(s, lang)}", "value": s} for s in c.STATUSES
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Label(t("Axis"), htmlFor="lever-axis-filter"),
                    dbc.Select(
                        id="lever-axis-filter",
                        options=axis_options,
                        value=axis_filter or ALL,
                        size="sm",
                    ),
                ],
                className="filter",
            ),
            html.Div(
                [
                    html.Label(t("Status"), htmlFor="lever-status-filter"),
                    dbc.Select(
                        id="lever-status-filter",
                        options=status_options,
                        value=status_filter or ALL,
                        size="sm",
                    ),
                ],
                className="filter",
            ),
        ],
        className="filters",
        role="search",
        **c.attrs(aria_label=t("Filter objectives")),
    )


def _objective_rows(
    ctx: c.PageContext,
    lever: LeverResult,
    axis_names: dict[int, str],
    axis_filter: str,
    status_filter: str,
) -> list[dict[str, Any]]:
    """The grid's rows: the lever's objectives, filtered by axis and status."""
    rows = []
    for axis in lever.axes:
        if axis_filter and str(axis.number) != axis_filter:
            continue
        for objective in axis.objectives:
            if status_filter and str(objective.status) != status_filter:
                continue
            rows.append(_row(ctx, objective, axis_names.get(axis.number, str(axis.number))))
    return rows


def _history_chart(ctx: c.PageContext, lever: LeverResult) -> html.Section:
    """The lever's axes over time, straight from the shared status grid."""
    t, lang = ctx.t, ctx.lang
    series = [
        NamedSeries(
            t("Axis {number}", number=axis.number),
            [
                Point(period, value)
                for period, value in ctx.data.achievement_series(
                    "axis", str(axis.number), ctx.period
                )
            ],
        )
        for axis in lever.axes
    ]
    periods = [str(p) for p in ctx.data.plan_periods() if p <= ctx.period]
    chart_title = t("Achievement over time by axis")
    figure = history_figure(series, lang, title=chart_title, periods=periods)
    return html.Section(
        [
            c.graph(
                figure,
                figure_summary(series, lang, what=chart_title),
                graph_id="lever-history-graph",
            ),
        ],
        className="panel",
    )


def _axes_table(ctx: c.PageContext, lever: LeverResult, axis_names: dict[int, str]) -> html.Table:
    t, lang = ctx.t, ctx.lang
    return html.Table(
        [
            html.Caption(t("Axes of the lever"), className="visually-hidden"),
            html.Thead(
                html.Tr(
                    [
                        html.Th(t("Axis"), scope="col"),
                        html.Th(t("Status"), scope="col"),
                        html.Th(t("Achievement"), scope="col", className="num"),
                        html.Th(t("Data coverage"), scope="col", className="num"),
                        html.Th(t("Trend"), scope="col"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Th(
                                axis_names.get(a.number, str(a.number)),
                                scope="row",
                                className="axis-name",
                            ),
                            html.Td(c.level_badge(a, lang)),
                            html.Td(c.percent(a.achievement, lang), className="num"),
                            html.Td(c.percent(a.coverage, lang), className="num"),
                            html.Td(c.trend_text(str(a.trend), lang)),
                        ]
                    )
                    for a in lever.axes
                ]
            ),
        ],
        className="table table-sm data-table",
    )


def _headline(ctx: c.PageContext, lever: LeverResult) -> html.Div:
    t, lang = ctx.t, ctx.lang
    return html.Div(
        [
            html.P(lever.tagline, className="tagline"),
            html.Div(
                [
                    html.Span(
                        [t("Achievement"), ": ", html.Strong(c.percent(lever.achievement, lang))]
                    ),
                    c.level_badge(lever, lang),
                    c.objectives_with_data(lever, lang),
                    html.Span([t("Trend"), ": ", c.trend_text(str(lever.trend), lang)]),
                ],
                className="lever-summary",
            ),
        ]
    )


def build(ctx: c.PageContext, number: int) -> html.Div:
    t = ctx.t
    lever = ctx.data.status(ctx.period).lever(number)
    axis_filter = ctx.query.get("eix", "")
    status_filter = ctx.query.get("estat", "")
    if status_filter not in c.STATUSES:
        status_filter = ""
    axis_names = {
        a.number: t("Axis {number}. {name}", number=a.number, name=a.name)
        for a in ctx.plan.lever(number).axes
    }
    rows = _objective_rows(ctx, lever, axis_names, axis_filter, status_filter)
    return c.frame(
        ctx,
        active=f"/palanca/{number}",
        title=t("Lever {number}: {name}", number=number, name=lever.name),
        children=[
            c.print_button(ctx),
            *breakdown_charts.abss_notice(ctx),
            _headline(ctx, lever),
            html.Section(
                [html.H2(t("Axes"), id="axes-title"), _axes_table(ctx, lever, axis_names)],
                className="panel",
                **c.attrs(aria_labelledby="axes-title"),
            ),
            html.Section(
                [
                    html.H2(t("Objectives"), id="objectives-title"),
                    _filters(ctx, ctx.plan.lever(number), axis_filter, status_filter),
                    html.P(
                        t(
                            "{count} objectives shown. Select a code to see its indicators.",
                            count=len(rows),
                        ),
                        className="grid-help",
                        id="lever-grid-count",
                    ),
                    c.download_links(
                        ctx,
                        f"/descarrega/palanca/{number}",
                        {"eix": axis_filter, "estat": status_filter},
                    ),
                    _grid(ctx, rows),
                ],
                className="panel",
                **c.attrs(aria_labelledby="objectives-title"),
            ),
            analysis.lever_panel(ctx, lever),  # the objectives' valoracions (issue 17)
            _history_chart(ctx, lever),
        ],
    )


def layout(n: str | None = None, **query: str) -> html.Div:
    # issue 14: ?abss= narrows the whole plan to one ABSS (layouts.breakdown_charts)
    ctx = breakdown_charts.narrow_to_abss(c.PageContext.from_query(query, f"/palanca/{n}"))
    number = _lever_number(n)
    if number is None:
        return not_found(ctx)
    key = (
        "page",
        "lever",
        number,
        str(ctx.period),
        ctx.lang,
        ctx.query.get("eix", ""),
        ctx.query.get("estat", ""),
    )
    return ctx.data.memo(key, lambda: build(ctx, number))
