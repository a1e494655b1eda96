"""El pla (``/pla``): the plan tree, levers, axes and objectives, word for word."""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts import components as c
from plan_model.models import Axis, Lever

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/pla", title=c.page_title("The plan"), name="El pla", order=5
)


def _results(ctx: c.PageContext) -> dict[str, c.Level]:
    """The quarter's result of every lever (``L1``), axis (``A3``) and objective (its code)."""
    found: dict[str, c.Level] = {}
    for lever in ctx.data.status(ctx.period).levers:
        found[f"L{lever.number}"] = lever
        for axis in lever.axes:
            found[f"A{axis.number}"] = axis
            found.update({o.code: o for o in axis.objectives})
    return found


def _light(ctx: c.PageContext, results: dict[str, c.Level], key: str) -> html.Span | str:
    """The quarter's light of ``key`` (glyph and label, never colour alone)."""
    level = results.get(key)
    return "" if level is None else c.level_badge(level, ctx.lang)


def _axis(
    ctx: c.PageContext, results: dict[str, c.Level], lever: Lever, axis: Axis
) -> html.Section:
    """An axis with its light and its objectives, each with its light."""
    objectives = [
        html.Li(
            [
                dcc.Link(o.code, href=ctx.href(f"/objectiu/{o.code}"), className="code"),
                " ",
                o.text,
                " ",
                _light(ctx, results, o.code),
            ]
        )
        for o in lever.objectives_of(axis.number)
    ]
    return html.Section(
        [
            html.H3(
                [
                    ctx.t("Axis {number}. {name}", number=axis.number, name=axis.name),
                    " ",
                    _light(ctx, results, f"A{axis.number}"),
                ]
            ),
            html.Ul(objectives, className="objective-list"),
        ]
    )


def build(ctx: c.PageContext) -> html.Div:
    """The plan tree with the lights of the quarter."""
    t = ctx.t
    plan = ctx.plan
    results = _results(ctx)
    levers = []
    for lever in plan.levers:
        axes = [_axis(ctx, results, lever, axis) for axis in lever.axes]
        levers.append(
            html.Section(
                [
                    html.H2(
                        [
                            dcc.Link(
                                t("Lever {number}: {name}", number=lever.number, name=lever.name),
                                href=ctx.href(f"/palanca/{lever.number}"),
                            ),
                            " ",
                            _light(ctx, results, f"L{lever.number}"),
                        ]
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
        children=[
            c.download_links(ctx, "/descarrega/objectius"),
            html.Div(levers, className="plan-tree"),
        ],
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, "/pla")
    return ctx.data.memo(("page", "plan", str(ctx.period), ctx.lang), lambda: build(ctx))
