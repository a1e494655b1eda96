"""Resum (``/``): where the plan stands at the chosen quarter, in a minute."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html

from i18n import format_number
from indicators.reporting.dashboard_data import share_of_plan_elapsed
from layouts import breakdown_charts
from layouts import components as c
from layouts.figures import NamedSeries, Point, figure_summary, sparkline_svg
from layouts.pages import evaluation as evaluation_page
from plan_model import status_types as st
from plan_model.periods import text_label
from plan_model.ranking import at_risk_ranking
from plan_model.status import objectives_with_data
from plan_model.status_types import LeverResult, PlanStatus

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/", title=c.page_title("Overview"), name="Resum", order=0
)

SPARK_QUARTERS = 8
AT_RISK_ROWS = 8


def _history_points(ctx: c.PageContext, level: str, key: str) -> list[Point]:
    return [
        Point(period, value)
        for period, value in ctx.data.achievement_series(level, key, ctx.period, SPARK_QUARTERS)
    ]


def svg_data_uri(svg: str) -> str:
    """An SVG document as an ``img`` source (drawn by the browser, no plotly.js needed)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _kpi(label: str, value: Any, detail: Any = None) -> html.Div:
    return html.Div(
        [
            html.P(label, className="kpi-label"),
            html.P(value, className="kpi-value"),
            *([html.Div(detail, className="kpi-detail")] if detail is not None else []),
        ],
        className="kpi",
    )


def _headline(ctx: c.PageContext, counts: Mapping[str, int]) -> html.Span:
    """The distribution of the plan's objectives by status, as text with icons:
    "✔ 12 en bon camí · ⚠ 5 desviació lleu · ✖ 3 … · – 2 …" (statuses with none left out)."""
    parts: list[Any] = []
    for status in c.STATUSES:
        count = counts.get(status, 0)
        if not count:
            continue
        if parts:
            parts.append(html.Span(" · ", **c.attrs(aria_hidden="true")))
        label = c.status_label(status, ctx.lang)
        parts.append(
            html.Span(
                [
                    html.Span(c.status_icon(status), **c.attrs(aria_hidden="true")),
                    " ",
                    ctx.t(
                        "{count} {status}",
                        count=format_number(count, ctx.lang, 0),
                        status=label[:1].lower() + label[1:],
                    ),
                ],
                className=f"headline-count status-{status}",
                **c.attrs(data_status=status),
            )
        )
    return html.Span(
        parts or ctx.t("No objective due yet"),
        id="plan-headline",
        className="plan-headline",
        style={"fontSize": "1.1rem", "lineHeight": 1.35, "display": "block"},
    )


def _lever_card(ctx: c.PageContext, lever: LeverResult) -> html.Article:
    t, lang = ctx.t, ctx.lang
    points = _history_points(ctx, "lever", str(lever.number))
    counts = c.objectives_by_status(lever)
    title_id = f"lever-{lever.number}-title"
    summary = figure_summary(
        [NamedSeries(t("Achievement"), points)],
        lang,
        what=t("Achievement of lever {number} over the last quarters", number=lever.number),
    )
    return html.Article(
        [
            html.H3(
                dcc.Link(
                    [
                        html.Span(
                            t("Lever {number}", number=lever.number), className="lever-number"
                        ),
                        " ",
                        lever.name,
                    ],
                    href=ctx.href(f"/palanca/{lever.number}", keep=("abss",)),
                ),
                id=title_id,
                className="lever-title",
            ),
            html.P(lever.tagline, className="tagline"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(t("Achievement"), className="small-label"),
                            html.Span(c.percent(lever.achievement, lang), className="big-number"),
                        ]
                    ),
                    c.level_badge(lever, lang),
                ],
                className="lever-headline",
            ),
            c.counts_list(counts, lang, what=t("Objectives per status")),
            html.P(c.objectives_with_data(lever, lang), className="coverage"),
            html.Img(
                src=svg_data_uri(sparkline_svg(points, lang, title=summary)),
                alt=summary,
                className="sparkline",
                width=220,
                height=56,
            ),
        ],
        className=f"lever-card border-status-{lever.status}",
        **c.attrs(aria_labelledby=title_id),
    )


def _at_risk(ctx: c.PageContext, result: PlanStatus) -> html.Section:
    """The first objectives of the at-risk ranking (``plan_model.ranking``, as the board)."""
    t, lang = ctx.t, ctx.lang
    rows = []
    ranking = at_risk_ranking(result)
    for o in ranking[:AT_RISK_ROWS]:
        text = ctx.plan.objective_by_code[o.code].text
        rows.append(
            html.Tr(
                [
                    html.Th(dcc.Link(o.code, href=ctx.href(f"/objectiu/{o.code}")), scope="row"),
                    html.Td(text, className="objective-text"),
                    html.Td(c.status_badge(str(o.status), lang)),
                    html.Td(c.percent(o.achievement, lang), className="num"),
                    html.Td(
                        st.icon_text(st.AT_RISK_ICON, st.AT_RISK_LABEL, lang) if o.at_risk else "–",
                        className="nowrap",
                    ),
                ]
            )
        )
    body: Any
    if rows:
        body = html.Table(
            [
                html.Caption(
                    t("Objectives behind schedule or whose forecast misses the target"),
                    className="visually-hidden",
                ),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("Code"), scope="col"),
                            html.Th(t("Objective"), scope="col"),
                            html.Th(t("Status"), scope="col"),
                            html.Th(t("Achievement"), scope="col", className="num"),
                            html.Th(t("Forecast"), scope="col"),
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            className="table table-sm data-table",
        )
    else:
        body = c.no_data_note(t("No objective is behind schedule or at risk this quarter."))
    more = _more_at_risk(ctx, len(ranking) - AT_RISK_ROWS)
    return html.Section(
        [
            html.H2(t("Objectives most at risk"), id="at-risk-title"),
            html.P(
                t(
                    "Behind schedule or at risk: {count}",
                    count=format_number(len(ranking), lang, decimals=0),
                ),
                className="list-count",
            ),
            body,
            *more,
        ],
        className="panel",
        **c.attrs(aria_labelledby="at-risk-title"),
    )


def _more_at_risk(ctx: c.PageContext, hidden: int) -> list[html.P]:
    """ "and N more", linked to the plan-wide list filtered to the objectives at risk
    (``/objectius?risc=1``, with the quarter and language), when the table is cut."""
    if hidden <= 0:
        return []
    query = {"risc": "1", "t": str(ctx.period)}
    if ctx.lang != "ca":
        query["lang"] = ctx.lang
    return [
        html.P(
            html.A(
                ctx.t("and {count} more", count=format_number(hidden, ctx.lang, decimals=0)),
                href="/objectius?" + urlencode(query),
                id="at-risk-more",
            ),
            className="list-more",
        )
    ]


def _missing(ctx: c.PageContext) -> html.Section:
    t = ctx.t
    frame = ctx.data.completeness_of(ctx.period)
    body: Any
    rows = (
        frame[(frame["period"].astype(str) == str(ctx.period)) & (frame["state"].isin(["pending"]))]
        if not frame.empty
        else frame
    )
    if rows.empty:
        body = c.no_data_note(
            t(
                "Every service has submitted its data for {period}.",
                period=text_label(str(ctx.period), ctx.lang),
            )
        )
    else:
        items = []
        for r in rows.itertuples():
            service = ctx.plan.service_by_code.get(str(r.service))
            name = service.name if service else str(r.service)
            items.append(
                html.Li(
                    [
                        html.Span(st.COMPLETENESS_ICONS["pending"], **c.attrs(aria_hidden="true")),
                        " ",
                        html.Strong(str(r.service)),
                        " — ",
                        name,
                        " · ",
                        html.A(service.email, href=f"mailto:{service.email}") if service else "",
                    ]
                )
            )
        body = html.Div(
            [
                html.P(
                    t(
                        "{count} services have not submitted {period} yet.",
                        count=len(items),
                        period=text_label(str(ctx.period), ctx.lang),
                    )
                ),
                html.Ul(items, className="missing-list"),
                dcc.Link(t("See every submission"), href=ctx.href("/lliuraments")),
            ]
        )
    return html.Section(
        [html.H2(t("Submissions still missing"), id="missing-title"), body],
        className="panel",
        **c.attrs(aria_labelledby="missing-title"),
    )


def build(ctx: c.PageContext) -> html.Div:
    t, lang = ctx.t, ctx.lang
    result = ctx.data.status(ctx.period)
    plan_level = result.plan
    elapsed = share_of_plan_elapsed(ctx.plan, ctx.period)
    plan_counts = c.objectives_by_status(result)
    with_data = objectives_with_data(result.objectives)
    info = ctx.plan.info
    kpis = html.Div(
        [
            # the plan's headline (issue 15): the objectives by status first, with text and
            # icons (never colour alone), the weighted figure second
            _kpi(
                t("Objectives per status"),
                _headline(ctx, plan_counts),
                t("{count} objectives", count=format_number(len(result.objectives), lang, 0)),
            ),
            _kpi(
                t("Weighted achievement"),
                c.percent(plan_level.achievement, lang),
                c.level_badge(plan_level, lang),
            ),
            _kpi(
                t("Plan time elapsed"),
                c.percent(elapsed, lang),
                html.Div(
                    html.Div(
                        className="bar-fill elapsed-fill", style={"width": f"{elapsed * 100:.0f}%"}
                    ),
                    className="bar-track",
                    **c.attrs(aria_hidden="true"),
                ),
            ),
            _kpi(
                t("Objectives with data"),
                c.percent(with_data.share, lang),
                t(
                    "{with_data} of {due} objectives due",
                    with_data=with_data.with_data,
                    due=with_data.due,
                ),
            ),
        ],
        className="kpi-row",
    )
    cards = html.Section(
        [
            html.H2(t("Levers"), id="levers-title"),
            html.Div([_lever_card(ctx, lever) for lever in result.levers], className="lever-grid"),
        ],
        **c.attrs(aria_labelledby="levers-title"),
    )
    subtitle = t(
        "Plan period: {start}–{end} · showing the {period}",
        start=info.start_year,
        end=info.end_year,
        period=text_label(str(ctx.period), lang),
    )
    return c.frame(
        ctx,
        active="/",
        title=t("Overview"),
        subtitle=subtitle,
        children=[
            *breakdown_charts.abss_notice(ctx),
            kpis,
            # the director's two questions first (what is late, who has not sent): in the
            # first screen at 1366x768 (tests/e2e/test_responsive.py), the levers after them
            html.Div([_at_risk(ctx, result), _missing(ctx)], className="two-columns first-screen"),
            cards,
        ],
    )


def layout(**query: str) -> html.Div:
    # cheap to build from the cached statuses: cached once, as the router's answer
    # (layouts.shell.PageResponseCache, per day: "missing" depends on it), not here too
    landing = evaluation_page.landing_layout(query)  # issue 18: a closed plan's final evaluation
    if landing is not None:
        return landing
    # issue 14: ?abss= narrows the whole plan to one ABSS (layouts.breakdown_charts)
    return build(breakdown_charts.narrow_to_abss(c.PageContext.from_query(query, "/")))
