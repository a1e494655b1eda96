"""Objectius (``/objectius``): every objective and its indicators, filtered by the URL.

The filters are a plain GET form, so the address holds them (``/objectius?palanca=3&estat=red
&risc=1&servei=SIS&q=text``) and a shared link reproduces the view; the filtering itself is
``indicators.reporting.plan_list``'s, and ``/descarrega/objectius`` gives the same rows as CSV
or XLSX.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from indicators.reporting import plan_list
from layouts import components as c
from plan_model.periods import text_label

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/objectius", title=c.page_title("Objectives"), name="Objectius", order=6
)


def _select(name: str, label: str, options: list[tuple[str, str]], current: str) -> html.Div:
    choices = [
        html.Option(label_, value=value, selected=value == current) for value, label_ in options
    ]
    return html.Div(
        [
            html.Label(label, htmlFor=f"objectius-{name}"),
            html.Select(choices, id=f"objectius-{name}", name=name, className="form-select"),
        ],
        className="list-filter",
    )


def _fields(ctx: c.PageContext, filters: plan_list.ListFilters) -> list[html.Div]:
    """The form's fields, each showing the URL's value."""
    t, plan, query = ctx.t, ctx.plan, filters.as_query()
    every = [("", t("All"))]
    fields = [
        _select(
            "palanca",
            t("Lever"),
            every + [(str(lv.number), f"{lv.number}. {lv.name}") for lv in plan.levers],
            query.get("palanca", ""),
        ),
        _select(
            "eix",
            t("Axis"),
            every + [(str(ax.number), f"{ax.number}. {ax.name}") for ax in plan.axes],
            query.get("eix", ""),
        ),
        _select(
            "estat",
            t("Status"),
            every + [(key, c.status_label(key, ctx.lang)) for key in plan_list.STATUS_KEYS],
            query.get("estat", ""),
        ),
        _select("risc", t("At risk"), [*every, ("1", t("Only at risk"))], query.get("risc", "")),
        _select(
            "servei",
            t("Service"),
            every + [(s.code, f"{s.code} · {s.name}") for s in plan.services],
            query.get("servei", ""),
        ),
        _select(
            "repte",
            t("Challenge"),
            every + [(str(ch.number), f"{ch.number}. {ch.name}") for ch in plan.challenges],
            query.get("repte", ""),
        ),
        _select(
            "origen",
            t("Origin"),
            [*every, ("departament", t("Department")), ("coss", t("COSS"))],
            query.get("origen", ""),
        ),
        html.Div(
            [
                html.Label(t("Search"), htmlFor="objectius-q"),
                dcc.Input(
                    id="objectius-q",
                    name="q",
                    type="search",
                    value=filters.text,
                    className="form-control",
                ),
            ],
            className="list-filter",
        ),
    ]
    return fields


def _filters(ctx: c.PageContext, filters: plan_list.ListFilters) -> html.Form:
    """The filters as a GET form: submitting it puts them in the URL."""
    t = ctx.t
    fields = _fields(ctx, filters)
    hidden = [dcc.Input(type="hidden", name="t", value=str(ctx.period))]
    if ctx.lang != "ca":
        hidden.append(dcc.Input(type="hidden", name="lang", value=ctx.lang))
    buttons = html.Div(
        [
            html.Button(t("Filter"), type="submit", className="btn btn-primary btn-sm"),
            dcc.Link(
                t("Clear the filters"), href=ctx.href("/objectius"), className="btn btn-link btn-sm"
            ),
        ],
        className="list-filter-actions",
    )
    return html.Form(
        [*fields, *hidden, buttons],
        method="GET",
        action="/objectius",
        id="objectius-filters",
        className="list-filters panel",
        role="search",
    )


def _table(ctx: c.PageContext, rows: list[plan_list.ListRow]) -> html.Div:
    t = ctx.t
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(name), scope="col")
                for name in (
                    "Objective",
                    "Indicator",
                    "Service",
                    "Status",
                    "Achievement",
                    "At risk",
                )
            ]
        )
    )
    body = [
        html.Tr(
            [
                html.Td(
                    [
                        dcc.Link(
                            row.objective,
                            href=ctx.href(f"/objectiu/{row.objective}"),
                            className="code",
                        ),
                        " ",
                        html.Span(row.objective_text, className="objective-text"),
                    ]
                ),
                html.Td([html.Span(row.indicator, className="code"), " ", row.indicator_name]),
                html.Td(row.service),
                html.Td(c.status_badge(row.status, ctx.lang, size="small")),
                html.Td(c.percent(row.achievement, ctx.lang), className="num"),
                html.Td(t("Yes") if row.at_risk else "–"),
            ]
        )
        for row in rows
    ]
    return html.Div(
        html.Table([head, html.Tbody(body)], className="table data-table", id="objectius-table"),
        className="table-scroll",
    )


def build(ctx: c.PageContext) -> html.Div:
    """The page: the filters, the count, the downloads, the table."""
    t = ctx.t
    filters = plan_list.ListFilters.from_query(ctx.query)
    rows = plan_list.plan_rows(ctx.plan, ctx.data.status(ctx.period), filters)
    objectives = len({row.objective for row in rows})
    summary: list[Any] = [
        html.P(
            t(
                "{objectives} objectives, {indicators} indicators",
                objectives=objectives,
                indicators=len(rows),
            ),
            id="objectius-count",
            className="list-count",
            role="status",
        ),
        c.download_links(ctx, "/descarrega/objectius", filters.as_query()),
    ]
    content: list[Any] = [_filters(ctx, filters), html.Div(summary, className="list-summary")]
    if rows:
        content.append(_table(ctx, rows))
    else:
        content.append(c.no_data_note(t("No objective matches these filters.")))
    return c.frame(
        ctx,
        active="/objectius",
        title=t("Objectives"),
        subtitle=t(
            "Every objective and its indicators, {period}",
            period=text_label(str(ctx.period), ctx.lang),
        ),
        children=content,
    )


def layout(**query: str) -> html.Div:
    """The layout of ``/objectius`` for the query of the URL."""
    ctx = c.PageContext.from_query(query, "/objectius")
    key = ("page", "objectius", str(ctx.period), ctx.lang, tuple(sorted(ctx.query.items())))
    return ctx.data.memo(key, lambda: build(ctx))
