"""Lliuraments (``/lliuraments``): which service has submitted which quarter, and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from i18n import format_date
from layouts import components as c
from layouts.light import el
from plan_model.completeness import COMPLETENESS_LABELS
from plan_model.periods import Period
from plan_model.status_types import COMPLETENESS_ICONS

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/lliuraments", title=c.page_title("Submissions"), name="Lliuraments", order=3
)

STATES: dict[str, tuple[str, str, str]] = {
    # state: (icon, label msgid, css class)
    state: (COMPLETENESS_ICONS[state], COMPLETENESS_LABELS[state], f"state-{state}")
    for state in ("on_time", "late", "pending", "not_due")
}
SUPERSEDED = (COMPLETENESS_ICONS["superseded"], COMPLETENESS_LABELS["superseded"])


def _cell(ctx: c.PageContext, row: Any | None) -> Any:
    """One matrix cell, as a plain element (layouts.light): 10x is 2,000 cells a year."""
    t = ctx.t
    if row is None:
        return el("Td", "–", className="state-cell")
    state = str(row.state)
    icon, label, css = STATES.get(state, ("?", state, ""))
    parts: list[Any] = [f"{icon} {t(label)}"]  # one text node: large matrices stay light
    superseded = int(row.superseded_count or 0) if not pd.isna(row.superseded_count) else 0
    if superseded:
        parts += [
            el("Br"),
            el(
                "Small",
                f"{SUPERSEDED[0]} {t(SUPERSEDED[1])} ({superseded})",
                className="superseded",
            ),
        ]
    if c.as_datetime(row.submitted_at) is not None:
        parts += [el("Br"), el("Small", c.short_datetime(row.submitted_at, ctx.lang))]
    return el("Td", parts, className=f"state-cell {css}")


def reminder_text(ctx: c.PageContext, service_code: str, period: str) -> str:
    t = ctx.t
    service = ctx.plan.service_by_code.get(service_code)
    deadline = Period.parse(period).deadline(ctx.data.deadline_days)
    return t(
        "Hello,\n\nWe have not yet received the follow-up data of {service} for the quarter "
        "{period} of the {plan}. The deadline is {deadline}. Please upload the filled template "
        "in Seguiment del Pla (Enviar dades) or send it to the plan office.\n\nThank you.",
        service=service.name if service else service_code,
        period=period,
        plan=ctx.plan.info.name,
        deadline=format_date(deadline, ctx.lang, "long"),
    )


def _pending(ctx: c.PageContext, frame: pd.DataFrame) -> html.Section:
    t = ctx.t
    rows = frame[frame["state"] == "pending"] if not frame.empty else frame
    if rows.empty:
        body: Any = c.no_data_note(t("No pending submission for the quarters shown."))
    else:
        items = []
        for i, r in enumerate(rows.sort_values(["period", "service"]).itertuples()):
            service = ctx.plan.service_by_code.get(str(r.service))
            text_id = f"reminder-text-{i}"
            items.append(
                html.Li(
                    [
                        html.Div(
                            [
                                html.Strong(f"{r.service} · {r.period}"),
                                " — ",
                                service.name if service else "",
                                " · ",
                                html.A(service.email, href=f"mailto:{service.email}")
                                if service
                                else "",
                            ],
                            className="pending-head",
                        ),
                        html.Details(
                            [
                                html.Summary(t("Reminder text")),
                                html.Pre(
                                    reminder_text(ctx, str(r.service), str(r.period)),
                                    id=text_id,
                                    className="reminder-text",
                                ),
                            ]
                        ),
                        html.Div(
                            [
                                dcc.Clipboard(
                                    target_id=text_id,
                                    title=t("Copy reminder"),
                                    className="copy-button",
                                    id=f"copy-reminder-{i}",
                                ),
                                html.Span(t("Copy reminder"), className="copy-label"),
                            ],
                            className="copy-row",
                        ),
                    ],
                    className="pending-item",
                )
            )
        body = html.Ul(items, className="pending-list")
    return html.Section(
        [html.H2(t("Pending: who to remind"), id="pending-title"), body],
        className="panel",
        **c.attrs(aria_labelledby="pending-title"),
    )


def build(ctx: c.PageContext) -> html.Div:
    t = ctx.t
    year_text = ctx.query.get("any") or str(ctx.period.year)
    year = int(year_text) if year_text.isdigit() else ctx.period.year
    if year not in ctx.plan.years:
        year = ctx.period.year
    periods = [p for p in ctx.data.plan_periods() if p.year == year and p <= ctx.period]
    frame = (
        ctx.data.completeness(periods[-1], since=periods[0])
        if periods
        else ctx.data.completeness(ctx.period, since=ctx.period)
    )
    shown = (
        frame[frame["period"].astype(str).isin([str(p) for p in periods])]
        if not frame.empty
        else frame
    )
    cells: dict[tuple[str, str], Any] = {
        (str(r.service), str(r.period)): r for r in shown.itertuples()
    }
    header = html.Tr(
        [html.Th(t("Service"), scope="col")] + [html.Th(str(p), scope="col") for p in periods]
    )
    body = [
        el(
            "Tr",
            [
                el(
                    "Th",
                    [el("Span", s.code, className="code"), el("Br"), el("Small", s.name)],
                    scope="row",
                )
            ]
            + [_cell(ctx, cells.get((s.code, str(p)))) for p in periods],
        )
        for s in ctx.plan.services
    ]
    legend = html.Ul(
        [
            html.Li([html.Span(icon, **c.attrs(aria_hidden="true")), " ", t(label)], className=css)
            for icon, label, css in STATES.values()
        ]
        + [html.Li(f"{SUPERSEDED[0]} {t(SUPERSEDED[1])}")],
        className="legend",
        **c.attrs(aria_label=t("Legend")),
    )
    year_options = [
        {"label": str(y), "value": str(y)} for y in ctx.plan.years if Period(y, 1) <= ctx.period
    ]
    totals = {
        state: int((shown["state"] == state).sum()) if not shown.empty else 0 for state in STATES
    }
    matrix: Any
    if periods:
        matrix = html.Div(
            html.Table(
                [
                    html.Caption(t("Submissions per service and quarter, {year}", year=year)),
                    html.Thead(header),
                    html.Tbody(body),
                ],
                className="table table-sm matrix",
            ),
            className="table-scroll",
            tabIndex="0",
            role="region",
            **c.attrs(aria_label=t("Submissions per service and quarter, {year}", year=year)),
        )
    else:
        matrix = c.no_data_note(t("No quarter of {year} has been reached yet.", year=year))
    return c.frame(
        ctx,
        active="/lliuraments",
        title=t("Submissions"),
        subtitle=t(
            "Deadline: {days} days after the end of each quarter.", days=ctx.data.deadline_days
        ),
        children=[
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(t("Year"), htmlFor="submissions-year"),
                            dbc.Select(
                                id="submissions-year",
                                options=year_options,
                                value=str(year),
                                size="sm",
                            ),
                        ],
                        className="filter",
                    ),
                    html.P(
                        t(
                            "{on_time} on time · {late} late · {pending} pending",
                            on_time=totals["on_time"],
                            late=totals["late"],
                            pending=totals["pending"],
                        ),
                        className="totals",
                    ),
                ],
                className="filters",
            ),
            legend,
            html.Section(matrix, className="panel"),
            _pending(ctx, shown),
        ],
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, "/lliuraments")
    today = dt.datetime.now(dt.UTC).date().isoformat()  # pending/late depend on the day
    key = ("page", "submissions", str(ctx.period), ctx.lang, ctx.query.get("any", ""), today)
    return ctx.data.memo(key, lambda: build(ctx))
