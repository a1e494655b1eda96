"""El pla (``/pla``): the plan tree, levers, axes and objectives, word for word."""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts import components as c

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/pla", title=c.page_title("The plan"), name="El pla", order=5
)


def build(ctx: c.PageContext) -> html.Div:
    t = ctx.t
    plan = ctx.plan
    levers = []
    for lever in plan.levers:
        axes = []
        for axis in lever.axes:
            objectives = [
                html.Li(
                    [
                        dcc.Link(o.code, href=ctx.href(f"/objectiu/{o.code}"), className="code"),
                        " ",
                        o.text,
                    ]
                )
                for o in lever.objectives_of(axis.number)
            ]
            axes.append(
                html.Section(
                    [
                        html.H3(t("Axis {number}. {name}", number=axis.number, name=axis.name)),
                        html.Ul(objectives, className="objective-list"),
                    ]
                )
            )
        levers.append(
            html.Section(
                [
                    html.H2(
                        dcc.Link(
                            t("Lever {number}: {name}", number=lever.number, name=lever.name),
                            href=ctx.href(f"/palanca/{lever.number}"),
                        )
                    ),
                    html.P(lever.tagline, className="tagline"),
                    *axes,
                ],
                className="panel",
            )
        )
    return c.frame(
        ctx,
        active="/pla",
        title=t("The plan"),
        subtitle=plan.info.name
        if str(plan.info.start_year) in plan.info.name
        else f"{plan.info.name} · {plan.info.start_year}–{plan.info.end_year}",
        children=[html.Div(levers, className="plan-tree")],
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, "/pla")
    return ctx.data.memo(("page", "plan", str(ctx.period), ctx.lang), lambda: build(ctx))
