"""Auditoria (``/auditoria``, directors): who did what and when, with filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from accounts import audit
from i18n import translator
from indicators.reporting.audit_text import ACTION_LABELS, details_text, local_time
from indicators.storage.engine import get_engine
from layouts import components as c
from web.context import current_settings
from web.users import DIRECTOR, require_role

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/auditoria", title=c.page_title("Audit log"), name="Auditoria", order=23
)


def layout(**query: str) -> Any:
    lang = c.request_language(query)
    t = translator(lang)
    require_role(*DIRECTOR)  # 403 for other roles (web.guard protects the page too)
    engine = get_engine(current_settings().database_url)
    users = [{"label": u, "value": u} for u in audit.audit_usernames(engine)]
    actions = [{"label": t(label), "value": code} for code, label in ACTION_LABELS.items()]
    children = [
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.Label(t("User"), htmlFor="auditoria-user"),
                        dbc.Select(
                            id="auditoria-user",
                            value="",
                            options=[{"label": t("Everyone"), "value": ""}, *users],
                        ),
                    ],
                    md=3,
                ),
                dbc.Col(
                    [
                        html.Label(t("Action"), htmlFor="auditoria-action"),
                        dbc.Select(
                            id="auditoria-action",
                            value="",
                            options=[{"label": t("Every action"), "value": ""}, *actions],
                        ),
                    ],
                    md=3,
                ),
                dbc.Col(
                    [
                        html.Label(t("From"), htmlFor="auditoria-from"),
                        dbc.Input(id="auditoria-from", type="date"),
                    ],
                    md=3,
                ),
                dbc.Col(
                    [
                        html.Label(t("To"), htmlFor="auditoria-to"),
                        dbc.Input(id="auditoria-to", type="date"),
                    ],
                    md=3,
                ),
            ],
            className="g-3 mb-3",
        ),
        html.Div(id="auditoria-grid-wrap"),
        dcc.Store(id="auditoria-lang", data=lang),
    ]
    title = t("Audit log")
    try:
        ctx = c.PageContext.from_query(query, path="/auditoria")
    except Exception:  # noqa: BLE001 - no page context outside a full request: the bare page
        return html.Div([html.H1(title), *children], lang=lang)
    return c.frame(ctx, active="/auditoria", title=title, children=children)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@callback(
    Output("auditoria-grid-wrap", "children"),
    Input("auditoria-user", "value"),
    Input("auditoria-action", "value"),
    Input("auditoria-from", "value"),
    Input("auditoria-to", "value"),
    State("auditoria-lang", "data"),
)
def show(
    user: str | None, action: str | None, since: str | None, until: str | None, lang: str | None
) -> Any:
    require_role(*DIRECTOR)
    t = translator(lang)
    lang = lang or "ca"
    frame = audit.audit_frame(
        get_engine(current_settings().database_url),
        username=user or None,
        action=action or None,
        since=_date(since),
        until=_date(until),
        limit=5000,
    )
    rows = []
    for record in frame.to_dict("records"):
        rows.append(
            {
                "at": local_time(record["at"], lang),
                "username": record["username"] or "",
                "action": t(ACTION_LABELS.get(str(record["action"]), str(record["action"]))),
                "target": record["target"] or "",
                "details": details_text(record["details"], lang),
            }
        )
    return [
        html.P(t("{count} events", count=len(rows)), id="auditoria-count"),
        dag.AgGrid(
            id="auditoria-grid",
            rowData=rows,
            columnDefs=[
                {"field": "at", "headerName": t("When (local time)"), "width": 200},
                {"field": "username", "headerName": t("User"), "width": 140},
                {"field": "action", "headerName": t("Action"), "width": 180},
                {"field": "target", "headerName": t("Action target"), "width": 180},
                {"field": "details", "headerName": t("Details"), "flex": 1},
            ],
            defaultColDef={"sortable": True, "filter": True, "resizable": True},
            style={"height": "480px", "width": "100%"},
        ),
    ]
