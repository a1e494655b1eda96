"""Usuaris (``/usuaris``, directors): create accounts, reset passwords, disable and enable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from accounts import users as user_accounts
from accounts.errors import AccountError
from accounts.roles import ROLE_LABELS, ROLES, takes_services
from i18n import translator
from indicators.storage.engine import get_engine
from layouts import components as c
from web.context import current_plan, current_settings
from web.users import DIRECTOR, require_role

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/usuaris", title=c.page_title("Users"), name="Usuaris", order=22
)

LIVE: dict[str, Any] = {"aria-live": "polite"}


_Options = list[dict[str, str]]  # the options of a select or a checklist


def _new_account_form(t: Callable[..., str], roles: _Options, services: _Options) -> dbc.Row:
    """The fields of a new account: user name, password, role and (technicians) services."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    html.Label(t("User name"), htmlFor="usuaris-new-username"),
                    dbc.Input(id="usuaris-new-username", autoComplete="off"),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    html.Label(t("Password"), htmlFor="usuaris-new-password"),
                    dbc.Input(
                        id="usuaris-new-password", type="password", autoComplete="new-password"
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    html.Label(t("Role"), htmlFor="usuaris-new-role"),
                    dbc.Select(id="usuaris-new-role", options=roles, value="tecnic"),
                ],
                md=2,
            ),
            dbc.Col(
                html.Fieldset(
                    [
                        html.Legend(t("Services (technicians)"), className="form-label fs-6"),
                        dbc.Checklist(
                            id="usuaris-new-services",
                            options=services,
                            value=[],
                            className="usuaris-services",
                        ),
                    ]
                ),
                md=4,
            ),
        ],
        className="g-3",
    )


def _existing_account_form(t: Callable[..., str]) -> dbc.Row:
    """An existing account: choose it, then reset its password, disable or enable it."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    html.Label(t("User"), htmlFor="usuaris-user"),
                    dbc.Select(id="usuaris-user", options=[]),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    html.Label(t("New password"), htmlFor="usuaris-password"),
                    dbc.Input(id="usuaris-password", type="password", autoComplete="new-password"),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Button(
                        t("Reset the password"),
                        id="usuaris-reset",
                        color="secondary",
                        className="me-2 mt-4",
                    ),
                    dbc.Button(
                        t("Disable"),
                        id="usuaris-disable",
                        color="danger",
                        className="me-2 mt-4",
                    ),
                    dbc.Button(t("Enable"), id="usuaris-enable", color="success", className="mt-4"),
                ],
                md=6,
            ),
        ],
        className="g-3",
    )


def _technician_services(t: Callable[..., str], services: _Options) -> html.Fieldset:
    """The services of the chosen technician, and the button that saves them."""
    return html.Fieldset(
        [
            html.Legend(t("Services of the technician"), className="form-label fs-6"),
            dbc.Checklist(id="usuaris-services", options=services, value=[], inline=True),
            dbc.Button(
                t("Save the services"),
                id="usuaris-save-services",
                color="primary",
                className="mt-2",
            ),
        ],
        className="mt-3",
    )


def layout(**query: str) -> Any:
    """The page: the accounts grid (filled by :func:`show`) and the forms that change them."""
    lang = c.request_language(query)
    t = translator(lang)
    require_role(*DIRECTOR)  # 403 for other roles (web.guard protects the page too)
    plan = current_plan()
    roles = [{"label": t(ROLE_LABELS[r]), "value": r} for r in ROLES]
    services = [{"label": f"{s.code} · {s.name}", "value": s.code} for s in plan.services]
    children = [
        html.Div(id="usuaris-grid-wrap"),
        html.H2(t("New account"), className="h4 mt-4"),
        _new_account_form(t, roles, services),
        dbc.Button(t("Create the account"), id="usuaris-create", color="primary", className="mt-3"),
        html.H2(t("Existing account"), className="h4 mt-4"),
        _existing_account_form(t),
        _technician_services(t, services),
        html.Div(id="usuaris-message", role="status", className="mt-3", **LIVE),
        dcc.Store(id="usuaris-version", data=0),
        dcc.Store(id="usuaris-lang", data=lang),
    ]
    title = t("Users")
    try:
        ctx = c.PageContext.from_query(query, path="/usuaris")
    except Exception:  # noqa: BLE001 - no page context outside a full request: the bare page
        return html.Div([html.H1(title), *children], lang=lang)
    return c.frame(ctx, active="/usuaris", title=title, children=children)


@callback(
    Output("usuaris-grid-wrap", "children"),
    Output("usuaris-user", "options"),
    Input("usuaris-version", "data"),
    State("usuaris-lang", "data"),
)
def show(_version: int | None, lang: str | None) -> Any:
    require_role(*DIRECTOR)
    t = translator(lang)
    users = user_accounts.list_users(get_engine(current_settings().database_url))
    rows = [
        {
            "username": u.username,
            "role": t(ROLE_LABELS.get(u.role, u.role)),
            "services": ", ".join(u.services),
            "active": "✔ " + t("active") if u.active else "✖ " + t("disabled"),
            "demo": t("demo") if u.is_demo else "",
        }
        for u in users
    ]
    grid = dag.AgGrid(
        id="usuaris-grid",
        rowData=rows,
        columnDefs=[
            {"field": "username", "headerName": t("User name")},
            {"field": "role", "headerName": t("Role")},
            {"field": "services", "headerName": t("Services"), "flex": 1},
            {"field": "active", "headerName": t("State")},
            {"field": "demo", "headerName": t("Demo")},
        ],
        defaultColDef={"sortable": True, "filter": True, "resizable": True},
        style={"height": "300px", "width": "100%"},
    )
    options = [{"label": u.username, "value": u.username} for u in users]
    return grid, options


@callback(
    Output("usuaris-services", "value"),
    Input("usuaris-user", "value"),
    Input("usuaris-version", "data"),
)
def load_services(username: str | None, _version: int | None) -> Any:
    require_role(*DIRECTOR)
    user = (
        user_accounts.get_user(get_engine(current_settings().database_url), username or "")
        if username
        else None
    )
    return list(user.services) if user else []


@callback(
    Output("usuaris-message", "children"),
    Output("usuaris-version", "data"),
    Input("usuaris-create", "n_clicks"),
    Input("usuaris-reset", "n_clicks"),
    Input("usuaris-disable", "n_clicks"),
    Input("usuaris-enable", "n_clicks"),
    Input("usuaris-save-services", "n_clicks"),
    State("usuaris-new-username", "value"),
    State("usuaris-new-password", "value"),
    State("usuaris-new-role", "value"),
    State("usuaris-new-services", "value"),
    State("usuaris-user", "value"),
    State("usuaris-password", "value"),
    State("usuaris-services", "value"),
    State("usuaris-version", "data"),
    State("usuaris-lang", "data"),
    prevent_initial_call=True,
)
def act(
    _create: int | None,
    _reset: int | None,
    _disable: int | None,
    _enable: int | None,
    _save: int | None,
    new_username: str | None,
    new_password: str | None,
    role: str | None,
    services: list[str] | None,
    username: str | None,
    password: str | None,
    user_services: list[str] | None,
    version: int | None,
    lang: str | None,
) -> Any:
    info = require_role(*DIRECTOR)
    t = translator(lang)
    engine = get_engine(current_settings().database_url)
    trigger = dash.ctx.triggered_id
    try:
        if trigger == "usuaris-create":
            chosen = services or [] if takes_services(role or "") else []
            user_accounts.create_user(
                engine,
                new_username or "",
                new_password or "",
                role or "",
                chosen,
                known_services=current_plan().service_by_code,
                by=info.username,
            )
            message = t("User {username} created ({role}).", username=new_username, role=role)
        elif trigger in (
            "usuaris-reset",
            "usuaris-disable",
            "usuaris-enable",
            "usuaris-save-services",
        ):
            if not username:
                return dbc.Alert(t("Choose a user."), color="danger"), dash.no_update
            if trigger == "usuaris-reset":
                user_accounts.set_password(engine, username, password or "", by=info.username)
                message = t("Password of {username} changed.", username=username)
            elif trigger == "usuaris-save-services":
                user_accounts.set_services(
                    engine,
                    username,
                    user_services or [],
                    known_services=current_plan().service_by_code,
                    by=info.username,
                )
                message = t("Services of {username} saved.", username=username)
            elif trigger == "usuaris-disable":
                user_accounts.disable_user(engine, username, by=info.username)
                message = t("User {username} disabled.", username=username)
            else:
                user_accounts.enable_user(engine, username, by=info.username)
                message = t("User {username} enabled.", username=username)
        else:
            return dash.no_update, dash.no_update
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger", id="usuaris-error"), dash.no_update
    return dbc.Alert(message, color="success", id="usuaris-done"), (version or 0) + 1
