"""Lliuraments (``/lliuraments``): which service has submitted which quarter, and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from accounts.approvals import Review
from i18n import format_date, translator
from indicators.reporting import reminders as rm
from indicators.reporting.mailer import MailError
from indicators.reporting.reminders import long_date, reminders_sent
from indicators.storage.engine import get_engine
from layouts import components as c
from layouts.light import el
from layouts.reviews import approval_lines, lock_sign
from plan_model.completeness import COMPLETENESS_LABELS
from plan_model.periods import Period, local_today, period_label, text_label
from plan_model.status_types import COMPLETENESS_ICONS
from web.context import current_plan, current_settings
from web.users import DIRECTOR, current_account, require_role

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/lliuraments", title=c.page_title("Submissions"), name="Lliuraments", order=3
)

STATES: dict[str, tuple[str, str, str]] = {
    # state: (icon, label msgid, css class)
    state: (COMPLETENESS_ICONS[state], COMPLETENESS_LABELS[state], f"state-{state}")
    for state in ("on_time", "late", "pending", "not_due")
}
SUPERSEDED = (COMPLETENESS_ICONS["superseded"], COMPLETENESS_LABELS["superseded"])


def _cell(ctx: c.PageContext, row: Any | None, review: Review | None = None) -> Any:
    """One matrix cell, as a plain element (layouts.light): 10x is 2,000 cells a year. The
    submission's state, its superseded versions, when it arrived and its approval state."""
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
    if review is not None:
        for line in approval_lines(review, t):
            parts += [el("Br"), el("Small", line, className="approval")]
    return el("Td", parts, className=f"state-cell {css}")


def reminder_text(
    ctx: c.PageContext, service_code: str, period: str, today: dt.date | None = None
) -> str:
    """The reminder to copy into an e-mail: the deadline in the past tense once it passed."""
    t = ctx.t
    service = ctx.plan.service_by_code.get(service_code)
    deadline = Period.parse(period).deadline(ctx.data.deadline_days)
    passed = deadline < (today or dt.datetime.now(dt.UTC).date())
    return t(
        "Hello,\n\nWe have not yet received the follow-up data of {service} for the "
        "{period} of the {plan}. The deadline was {deadline}. Please upload the filled template "
        "in Seguiment del Pla (Lliurar dades) as soon as possible, or send it to the plan "
        "office.\n\nThank you."
        if passed
        else "Hello,\n\nWe have not yet received the follow-up data of {service} for the "
        "{period} of the {plan}. The deadline is {deadline}. Please upload the filled template "
        "in Seguiment del Pla (Lliurar dades) or send it to the plan office.\n\nThank you.",
        service=service.name if service else service_code,
        period=text_label(period, ctx.lang),
        plan=ctx.plan.info.name,
        deadline=format_date(deadline, ctx.lang, "long"),
    )


def _reminded(ctx: c.PageContext, service: str, period: str) -> list[Any]:
    """ "Recordat el …" when a reminder of ``period`` went to ``service`` (``seguiment remind``
    or the button below), else nothing."""
    when = reminders_sent(ctx.data.engine, period).get(service)
    if when is None:
        return []
    text = ctx.t("Reminded on {date}", date=long_date(when.date(), ctx.lang))
    return [html.Div(text, className="reminded")]


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
                        *_reminded(ctx, str(r.service), str(r.period)),
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
                                html.Span(
                                    t("Copy reminder"),
                                    className="copy-label",
                                    role="status",
                                    **c.attrs(
                                        data_label=t("Copy reminder"), data_copied=t("Copied")
                                    ),
                                ),
                            ],
                            className="copy-row",
                        ),
                    ],
                    className="pending-item",
                )
            )
        body = html.Ul(items, className="pending-list")
    return html.Section(
        [html.H2(t("Pending: who to remind"), id="pending-title"), body, *_send_button(ctx)],
        className="panel",
        **c.attrs(aria_labelledby="pending-title"),
    )


def _send_button(ctx: c.PageContext) -> list[Any]:
    """A director sends the quarter's pending reminders by e-mail (``seguiment remind
    --send``: the same messages, never twice)."""
    account = current_account()
    if account is None or account.role not in DIRECTOR:
        return []
    t = ctx.t
    return [
        html.Div(
            [
                html.Button(
                    t(
                        "Send the reminders of {period} by e-mail",
                        period=text_label(ctx.period, ctx.lang),
                    ),
                    id="lliuraments-remind",
                    n_clicks=0,
                    type="button",
                    className="btn btn-primary",
                    **c.attrs(data_period=str(ctx.period)),
                ),
                dcc.Store(id="lliuraments-remind-period", data=str(ctx.period)),
                html.Div(
                    id="lliuraments-remind-result", role="status", **c.attrs(aria_live="polite")
                ),
            ],
            className="remind-row",
        )
    ]


def _shown_year(ctx: c.PageContext) -> int:
    """The year of the matrix: ``?any=`` when it is a plan year, else the shown quarter's."""
    year_text = ctx.query.get("any") or str(ctx.period.year)
    year = int(year_text) if year_text.isdigit() else ctx.period.year
    return year if year in ctx.plan.years else ctx.period.year


def _shown_submissions(ctx: c.PageContext, year: int) -> tuple[list[Period], pd.DataFrame]:
    """The year's quarters reached by the shown one, and their rows of the completeness frame."""
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
    return periods, shown


def _matrix_rows(ctx: c.PageContext, periods: list[Period], shown: pd.DataFrame) -> list[Any]:
    """One row per service: its code and name, then a cell per quarter."""
    cells: dict[tuple[str, str], Any] = {
        (str(r.service), str(r.period)): r for r in shown.itertuples()
    }
    reviews = {str(p): ctx.data.reviews(p) for p in periods}
    return [
        el(
            "Tr",
            [
                el(
                    "Th",
                    [el("Span", s.code, className="code"), el("Br"), el("Small", s.name)],
                    scope="row",
                )
            ]
            + [
                _cell(ctx, cells.get((s.code, str(p))), reviews[str(p)].get(s.code))
                for p in periods
            ],
        )
        for s in ctx.plan.services
    ]


def _period_header(ctx: c.PageContext, period: Period, locked: bool) -> html.Th:
    """A quarter's column header, marked when the quarter is locked (no more uploads)."""
    if not locked:
        return html.Th(str(period), scope="col")
    mark = html.Small([lock_sign(True), ctx.t("locked")], className="period-locked")
    return html.Th([str(period), html.Br(), mark], scope="col")


def _matrix(ctx: c.PageContext, year: int, periods: list[Period], shown: pd.DataFrame) -> Any:
    """The services x quarters table of the year (or a note when no quarter is reached yet)."""
    t = ctx.t
    if not periods:
        return c.no_data_note(t("No quarter of {year} has been reached yet.", year=year))
    locked = ctx.data.locked_quarters()
    header = html.Tr(
        [html.Th(t("Service"), scope="col")]
        + [_period_header(ctx, p, str(p) in locked) for p in periods]
    )
    caption = t("Submissions per service and quarter, {year}", year=year)
    return html.Div(
        html.Table(
            [
                html.Caption(caption),
                html.Thead(header),
                html.Tbody(_matrix_rows(ctx, periods, shown)),
            ],
            className="table table-sm matrix",
        ),
        className="table-scroll",
        tabIndex="0",
        role="region",
        **c.attrs(aria_label=caption),
    )


def _legend(ctx: c.PageContext) -> html.Ul:
    """The states of a cell with their icons, and the superseded mark."""
    t = ctx.t
    return html.Ul(
        [
            html.Li([html.Span(icon, **c.attrs(aria_hidden="true")), " ", t(label)], className=css)
            for icon, label, css in STATES.values()
        ]
        + [html.Li(f"{SUPERSEDED[0]} {t(SUPERSEDED[1])}")],
        className="legend",
        **c.attrs(aria_label=t("Legend")),
    )


def _year_filter(ctx: c.PageContext, year: int, shown: pd.DataFrame) -> html.Div:
    """The year selector and the year's totals on time, late and pending."""
    t = ctx.t
    year_options = [
        {"label": str(y), "value": str(y)} for y in ctx.plan.years if Period(y, 1) <= ctx.period
    ]
    totals = {
        state: int((shown["state"] == state).sum()) if not shown.empty else 0 for state in STATES
    }
    return html.Div(
        [
            html.Div(
                [
                    html.Label(t("Year"), htmlFor="submissions-year"),
                    dbc.Select(
                        id="submissions-year", options=year_options, value=str(year), size="sm"
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
    )


def build(ctx: c.PageContext) -> html.Div:
    """The page: the year's filter and totals, the legend, the matrix and who to remind."""
    t = ctx.t
    year = _shown_year(ctx)
    periods, shown = _shown_submissions(ctx, year)
    return c.frame(
        ctx,
        active="/lliuraments",
        title=t("Submissions"),
        subtitle=t(
            "Deadline: {days} days after the end of each quarter.", days=ctx.data.deadline_days
        ),
        children=[
            _year_filter(ctx, year, shown),
            _legend(ctx),
            html.Section(_matrix(ctx, year, periods, shown), className="panel"),
            _pending(ctx, shown),
        ],
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, "/lliuraments")
    today = dt.datetime.now(dt.UTC).date().isoformat()  # pending/late depend on the day
    key = ("page", "submissions", str(ctx.period), ctx.lang, ctx.query.get("any", ""), today)
    return ctx.data.memo(key, lambda: build(ctx))


@callback(
    Output("lliuraments-remind-result", "children"),
    Input("lliuraments-remind", "n_clicks"),
    State("lliuraments-remind-period", "data"),
    State("page-lang", "data"),
    prevent_initial_call=True,
)
def send_reminders(clicks: int | None, period: str | None, lang: str | None) -> Any:
    """Send the pending services' reminders of the quarter shown (a director only)."""
    if not clicks or not period:
        return dash.no_update
    account = require_role(*DIRECTOR)
    t = translator(lang)
    cfg = current_settings()
    plan = current_plan()
    engine = get_engine(cfg.database_url)
    quarter = Period.parse(period)
    run = rm.plan_run(engine, plan, quarter, settings=cfg, today=local_today())
    if run.locked:  # as ``seguiment remind`` says it, not "0 messages sent"
        label = period_label(quarter, lang or "ca")
        return dbc.Alert(
            t("The {period} is locked: no reminder is sent.", period=label), color="info"
        )
    try:
        report = rm.send_run(engine, run, cfg, by=account.username)
    except MailError as exc:
        return dbc.Alert(t("Nothing has been sent: {reason}", reason=exc.text()), color="danger")
    if report.error is not None:
        return dbc.Alert(t("Sending stopped: {reason}", reason=report.error.text()), color="danger")
    return dbc.Alert(
        t("{count} messages sent and recorded.", count=len(report.sent)), color="success"
    )
