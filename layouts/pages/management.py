"""Gestió (``/gestio``, directors): approve a service's quarter, lock and reopen quarters.

A locked quarter refuses every new upload (web and command line) until a director reopens
it. Approvals, locks and reopenings are recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from accounts.approvals import approvals_frame, approve, lock_period, reopen_period
from accounts.errors import AccountError
from i18n import format_date, translator
from indicators.storage import locks
from indicators.storage.engine import get_engine
from layouts import components as c
from layouts.upload_workflow import default_period, upload_periods
from web.context import current_plan, current_settings
from web.users import DIRECTOR, require_role

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/gestio", title=c.page_title("Approvals and locks"), name="Gestió", order=21
)

LIVE: dict[str, Any] = {"aria-live": "polite"}
HIDDEN: dict[str, Any] = {"aria-hidden": "true"}


def layout(**query: str) -> Any:
    lang = c.request_language(query)
    t = translator(lang)
    require_role(*DIRECTOR)  # 403 for other roles (web.guard protects the page too)
    plan = current_plan()
    periods = [str(p) for p in upload_periods(plan)]
    chosen = query.get("periode") if query.get("periode") in periods else str(default_period(plan))
    services = [{"label": f"{s.code} · {s.name}", "value": s.code} for s in plan.services]
    children = [
        html.P(
            t(
                "Approve each service's submission for a quarter, and lock the quarter when "
                "its data are final: a locked quarter refuses new uploads until it is "
                "reopened. Everything is recorded in the audit log."
            )
        ),
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.Label(t("Quarter"), htmlFor="gestio-period"),
                        dbc.Select(
                            id="gestio-period",
                            value=chosen,
                            options=[{"label": p, "value": p} for p in periods],
                        ),
                    ],
                    md=3,
                ),
                dbc.Col(
                    [
                        html.Label(t("Service"), htmlFor="gestio-service"),
                        dbc.Select(
                            id="gestio-service",
                            options=services,
                            value=services[0]["value"] if services else None,
                        ),
                    ],
                    md=5,
                ),
                dbc.Col(
                    dbc.Button(
                        t("Approve the submission"),
                        id="gestio-approve",
                        color="primary",
                        className="mt-4",
                    ),
                    md=4,
                ),
            ],
            className="g-3 mb-3",
        ),
        html.Div(id="gestio-lock-state", className="mb-3"),
        dbc.Button(t("Lock the quarter"), id="gestio-lock", color="warning", className="me-2"),
        dbc.Button(t("Reopen the quarter"), id="gestio-reopen", color="secondary"),
        html.Div(id="gestio-message", role="status", className="mt-3", **LIVE),
        html.H2(t("Submissions of the quarter"), className="h4 mt-4"),
        html.Div(id="gestio-table"),
        dcc.Store(id="gestio-version", data=0),
        dcc.Store(id="gestio-lang", data=lang),
    ]
    title = t("Approvals and locks")
    try:
        ctx = c.PageContext.from_query(query, path="/gestio")
    except Exception:
        return html.Div([html.H1(title), *children], lang=lang)
    return c.frame(ctx, active="/gestio", title=title, children=children)


@callback(
    Output("gestio-message", "children"),
    Output("gestio-version", "data"),
    Input("gestio-approve", "n_clicks"),
    Input("gestio-lock", "n_clicks"),
    Input("gestio-reopen", "n_clicks"),
    State("gestio-period", "value"),
    State("gestio-service", "value"),
    State("gestio-version", "data"),
    State("gestio-lang", "data"),
    prevent_initial_call=True,
)
def act(
    _approve: int | None,
    _lock: int | None,
    _reopen: int | None,
    period: str | None,
    service: str | None,
    version: int | None,
    lang: str | None,
) -> Any:
    info = require_role(*DIRECTOR)
    t = translator(lang)
    plan = current_plan()
    engine = get_engine(current_settings().database_url)
    valid_periods = {str(p) for p in upload_periods(plan)}
    if period not in valid_periods:
        return dbc.Alert(t("Choose a quarter."), color="danger"), dash.no_update
    trigger = dash.ctx.triggered_id
    try:
        if trigger == "gestio-approve":
            if service not in plan.service_by_code:
                return dbc.Alert(t("Choose a service."), color="danger"), dash.no_update
            approval = approve(engine, service, period, by=info)
            message = t(
                "Submission number {id} of {service} for {period} approved.",
                id=approval.submission_id,
                service=service,
                period=period,
            )
        elif trigger == "gestio-lock":
            lock_period(engine, period, by=info)
            message = t("The quarter {period} is locked: new uploads are refused.", period=period)
        elif trigger == "gestio-reopen":
            reopen_period(engine, period, by=info)
            message = t("The quarter {period} is open again for uploads.", period=period)
        else:
            return dash.no_update, dash.no_update
    except AccountError as exc:
        return dbc.Alert(
            t(exc.msgid, **exc.params), color="danger", id="gestio-error"
        ), dash.no_update
    return dbc.Alert(message, color="success", id="gestio-done"), (version or 0) + 1


@callback(
    Output("gestio-table", "children"),
    Output("gestio-lock-state", "children"),
    Input("gestio-period", "value"),
    Input("gestio-version", "data"),
    State("gestio-lang", "data"),
)
def show(period: str | None, _version: int | None, lang: str | None) -> Any:
    from indicators.storage.queries import submissions_frame

    require_role(*DIRECTOR)
    t = translator(lang)
    lang = lang or "ca"
    plan = current_plan()
    engine = get_engine(current_settings().database_url)
    if not period:
        return None, None
    locked = locks.is_locked(engine, period)
    state = dbc.Alert(
        [
            html.Span("🔒 " if locked else "🔓 ", **HIDDEN),
            t("The quarter {period} is locked.", period=period)
            if locked
            else t("The quarter {period} is open for uploads.", period=period),
        ],
        color="warning" if locked else "light",
        id="gestio-lock-status",
        className="period-locked" if locked else "period-open",
    )
    subs = submissions_frame(engine)
    subs = subs[(subs["period"] == period) & (subs["status"] == "current")]
    by_service = {str(r["service"]): r for r in subs.to_dict("records")}
    approvals = approvals_frame(engine)
    approvals = approvals[approvals["period"] == period]
    approved: dict[str, dict[str, Any]] = {}
    for record in approvals.to_dict("records"):
        approved[str(record["service"])] = dict(record)  # type: ignore[arg-type]
    rows = []
    for svc in plan.services:
        sub = by_service.get(svc.code)
        approval = approved.get(svc.code)
        if sub is None:
            submitted: Any = t("Pending")
        else:
            moment = sub["uploaded_at"]
            moment = moment.to_pydatetime() if hasattr(moment, "to_pydatetime") else moment
            submitted = (
                f"#{int(sub['id'])} · {sub['filename']} · {sub['uploaded_by']} · "
                f"{format_date(moment, lang, 'short')}"
            )
        if (
            approval is not None
            and sub is not None
            and int(approval["submission_id"]) == int(sub["id"])
        ):
            status = "✔ " + t("Approved by {user}", user=approval["approved_by"])
        elif approval is not None:
            status = "! " + t("Approved an earlier submission: approve the new one")
        else:
            status = "– " + t("Not approved")
        rows.append(
            html.Tr(
                [
                    html.Th(f"{svc.code} · {svc.name}", scope="row"),
                    html.Td(submitted),
                    html.Td(status),
                ],
                id=f"gestio-row-{svc.code}",
            )
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t("Service"), scope="col"),
                html.Th(t("Current submission"), scope="col"),
                html.Th(t("Approval"), scope="col"),
            ]
        )
    )
    table = dbc.Table([header, html.Tbody(rows)], bordered=True, size="sm", responsive=True)
    return table, state
