"""The 404 page (Catalan by default, like every page)."""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts import components as c

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/404", title=c.page_title("Page not found"), name="404"
)


def not_found(ctx: c.PageContext) -> html.Div:
    t = ctx.t
    return c.frame(
        ctx,
        active="",
        title=t("Page not found"),
        children=[
            html.P(
                t(
                    "The address you asked for does not exist in this app. "
                    "It may be mistyped or the page may have moved."
                )
            ),
            html.P(dcc.Link(t("Go to the overview"), href=ctx.href("/"))),
        ],
    )


def layout(**query: str) -> html.Div:
    return not_found(c.PageContext.from_query(query, "/404"))
