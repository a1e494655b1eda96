"""The breakdowns on the pages (issue 14, item 6): the objective page's charts by ABSS and by
sex with a line per ABSS over time, and ``?abss=`` on the overview and the lever pages.

Components only: the figures and numbers come from :mod:`indicators.reporting.territory`.
Who may see a small count: :func:`viewer_small_count` (the read-only role, the board and
guests, sees «< 5»; the services' staff see every member).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from indicators.reporting import territory
from layouts import components as c
from plan_model.dimensions import ABSS, SEX
from plan_model.disclosure import counts_apply
from plan_model.models import Indicator
from plan_model.periods import period_label
from web.context import current_settings
from web.users import current_account

ABSS_PARAMETER = "abss"


def viewer_small_count() -> int:
    """The small-count threshold for this request's viewer (0: every member shown)."""
    account = current_account()
    role = account.role if account is not None else None
    return territory.small_count_for(role, current_settings().small_count)


# ---- the objective page ------------------------------------------------------------------
def _members_table(
    ctx: c.PageContext, ind: Indicator, groups: list[tuple[str, list[territory.MemberFigure]]]
) -> html.Div:
    """The numbers of the charts as a table (what a screen reader reads, and a phone too)."""
    t = ctx.t
    caption = t(
        "Breakdown of {code} in {quarter}",
        code=ind.code,
        quarter=period_label(ctx.period, ctx.lang),
    )
    body = [
        html.Tr(
            [
                html.Th(heading, scope="row"),
                html.Td(f.name),
                html.Td(territory.figure_text(f, ctx.lang, ind.unit), className="num"),
            ]
        )
        for heading, figures in groups
        for f in figures
    ]
    return html.Div(
        html.Table(
            [
                html.Caption(caption),
                html.Thead(
                    html.Tr([html.Th(t(h), scope="col") for h in ("Breakdown", "Member", "Value")])
                ),
                html.Tbody(body),
            ],
            className="table table-sm data-table breakdown-table",
        ),
        className="table-scroll breakdown-scroll",
        tabIndex="0",
        role="region",
        **c.attrs(aria_label=caption),
    )


def _summary(
    ctx: c.PageContext, ind: Indicator, what: str, figures: list[territory.MemberFigure]
) -> str:
    """One sentence with every member's figure: the chart's text alternative."""
    parts = "; ".join(f"{f.name}: {territory.figure_text(f, ctx.lang, ind.unit)}" for f in figures)
    return f"{what}. {parts}."


def _bar(
    ctx: c.PageContext, ind: Indicator, dimension: str, title: str, small: int
) -> tuple[Any, list[territory.MemberFigure]]:
    figures = territory.dimension_figures(ctx.data, ind, dimension, ctx.period, small)
    figure = territory.members_bar_figure(
        figures, ctx.lang, unit=ind.unit, height=80 + 44 * len(figures)
    )
    chart = c.graph(
        figure,
        _summary(ctx, ind, title, figures),
        graph_id=f"breakdown-{dimension}-{ind.code}",
        class_name="breakdown-chart",
    )
    return html.Div([html.H4(title), chart], className="breakdown-cell"), figures


def _abss_lines(ctx: c.PageContext, ind: Indicator, small: int) -> Any:
    """A line per ABSS over the quarters (none for a viewer who may not see small counts:
    a line would give the hidden quarters away)."""
    t = ctx.t
    title = t("{code} per ABSS over time", code=ind.code)
    if small > 0 and counts_apply(ind):
        return c.no_data_note(t("The quarters per ABSS are shown to the services' staff only."))
    series = territory.member_series(ctx.data, ind, ABSS, ctx.period)
    names = {m.code: m.name for m in territory.abss_members(ctx.plan)}
    latest = [
        f"{names[m]}: "
        + territory.number_text(
            next((v for _p, v in reversed(points) if v is not None), None), ctx.lang, ind.unit
        )
        for m, points in series.items()
    ]
    summary = t("{what}, latest figure of each", what=title) + ": " + "; ".join(latest) + "."
    figure = territory.members_line_figure(series, names, ctx.lang, unit=ind.unit)
    return html.Div(
        [html.H4(title), c.graph(figure, summary, graph_id=f"breakdown-lines-{ind.code}")],
        className="breakdown-lines",
    )


def breakdown_section(ctx: c.PageContext, ind: Indicator) -> list[Any]:
    """The objective page's breakdown of one indicator at the page's quarter: a bar per ABSS
    and a split by sex (each with its table), a line per ABSS over time; nothing for an
    indicator without those breakdowns."""
    wanted = [d for d in (ABSS, SEX) if d in ind.breakdowns and d in ctx.plan.dimension_by_code]
    if ind.is_milestone or not wanted:
        return []
    t = ctx.t
    small = viewer_small_count()
    cells: list[Any] = []
    groups: list[tuple[str, list[territory.MemberFigure]]] = []
    for dimension in wanted:
        name = ctx.plan.dimension_by_code[dimension].name
        title = t(
            "{code} by {dimension} in {quarter}",
            code=ind.code,
            dimension=name,
            quarter=period_label(ctx.period, ctx.lang),
        )
        cell, figures = _bar(ctx, ind, dimension, title, small)
        cells.append(cell)
        groups.append((name, figures))
    heading_id = f"breakdown-{ind.code}"
    return [
        html.Section(
            [
                html.H3(t("Breakdown"), id=heading_id),
                html.Div(cells, className="breakdown-grid"),
                _members_table(ctx, ind, groups),
                *([_abss_lines(ctx, ind, small)] if ABSS in wanted else []),
            ],
            className="breakdowns",
            **c.attrs(aria_labelledby=heading_id),
        )
    ]


# ---- ?abss= on the overview and the lever pages -----------------------------------------
def narrow_to_abss(ctx: c.PageContext) -> c.PageContext:
    """The page's context narrowed to the ABSS ``?abss=`` names (unchanged when it names
    none): the statuses are the ABSS's (:class:`indicators.reporting.territory.AbssData`)."""
    abss = territory.valid_abss(ctx.plan, ctx.query.get(ABSS_PARAMETER))
    if abss is None:
        ctx.query.pop(ABSS_PARAMETER, None)
        return ctx
    ctx.query[ABSS_PARAMETER] = abss
    ctx.data = territory.abss_data(ctx.data, abss)
    return ctx


def shown_abss(ctx: c.PageContext) -> str | None:
    """The ABSS the page is narrowed to, None for the whole comarca."""
    data = ctx.data
    return data.abss if isinstance(data, territory.AbssData) else None


def abss_notice(ctx: c.PageContext) -> list[Any]:
    """The notice of a page narrowed to one ABSS: which one, what that means, and the link
    back to the whole comarca (nothing for the whole comarca)."""
    abss = shown_abss(ctx)
    if abss is None:
        return []
    t = ctx.t
    name = ctx.plan.dimension_by_code[ABSS].member_by_code[abss].name
    rated = sum(1 for i in ctx.plan.indicators if territory.rated_for_abss(i))
    return [
        html.Div(
            [
                html.P(
                    html.Strong(t("Showing {abss} only", abss=name)), className="abss-notice-title"
                ),
                html.P(
                    t(
                        "The statuses are those of the {count} percentages and means broken down "
                        "by ABSS, with this ABSS's figures. The counts (whose targets are the "
                        "comarca's) and the indicators without a breakdown by ABSS are left out.",
                        count=rated,
                    )
                ),
                dcc.Link(
                    t("See the whole comarca"),
                    href=ctx.href(
                        ctx.path, keep=tuple(k for k in ctx.query if k != ABSS_PARAMETER)
                    ),
                    className="abss-notice-back",
                ),
                " · ",
                dcc.Link(t("Compare the ABSS"), href=ctx.href("/territori", abss=abss)),
            ],
            id="abss-notice",
            className="alert alert-info abss-notice",
            role="note",
        )
    ]


def not_broken_down(ctx: c.PageContext, objective_code: str) -> bool:
    """Whether the page is narrowed to an ABSS and the objective has no indicator rated per
    ABSS (its row says «sense desglossament per ABSS»)."""
    if shown_abss(ctx) is None:
        return False
    return not any(territory.rated_for_abss(i) for i in ctx.plan.indicators_of(objective_code))
