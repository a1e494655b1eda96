"""Claus d'accés a l'API (``/claus``, any signed-in account): personal API tokens (issue 19).

A person makes a key (a name, a scope, an expiry in days), sees it once (with a copy button
and a warning: it is never shown again, only its hash is kept), and lists their keys (name,
prefix, scope, made, expires, last used, revoked) with «Revoca». A director sees everybody's
and may revoke any. The rules are :mod:`accounts.tokens`' (a key to deliver values only for an
account that may upload, at most a year, every change audited); the callbacks check the
signed-in account at every request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from dash import ctx as dash_ctx

from accounts import roles
from accounts import tokens as account_tokens
from accounts.errors import AccountError
from accounts.users import UserInfo
from i18n import translator
from indicators.storage.engine import get_engine
from indicators.storage.tokens import TokenInfo
from layouts import components as c
from web.context import current_settings
from web.users import require_role

PATH = "/claus"
REVOKE = "claus-revoke"  # the pattern-matching id of a row's button: {"type", "token"}
HIDDEN: dict[str, Any] = {"aria-hidden": "true"}
LIVE: dict[str, Any] = {"aria-live": "polite"}
# dark on white whatever the alert's colour (contrast), the whole key selectable on any width
SECRET_STYLE = {
    "color": "#1a1a1a",
    "background": "#fff",
    "padding": ".25rem .5rem",
    "borderRadius": "4px",
    "wordBreak": "break-all",
    "userSelect": "all",
}

dash.register_page(  # type: ignore[no-untyped-call]
    __name__,
    path=PATH,
    title=c.page_title("API access keys"),
    name="Claus d'accés a l'API",
    order=24,
)


def _scope_options(info: UserInfo, t: Callable[..., str]) -> list[dict[str, str]]:
    scopes = [account_tokens.READ]
    if roles.can_upload(info):
        scopes.append(account_tokens.SUBMIT)
    return [{"label": t(account_tokens.SCOPE_LABELS[s]), "value": s} for s in scopes]


def _new_key_form(info: UserInfo, t: Callable[..., str]) -> html.Section:
    """Name, scope and expiry of a new key, and the button that makes it."""
    return html.Section(
        [
            html.H2(t("New key"), className="h4"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label(t("Name"), htmlFor="claus-name"),
                            dbc.Input(
                                id="claus-name",
                                maxLength=account_tokens.NAME_LENGTH,
                                autoComplete="off",
                                placeholder=t("e.g. export of the case-management system"),
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            html.Label(t("Scope"), htmlFor="claus-scope"),
                            dbc.Select(
                                id="claus-scope",
                                options=_scope_options(info, t),
                                value=account_tokens.READ,
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            html.Label(t("Expires after (days)"), htmlFor="claus-days"),
                            dbc.Input(
                                id="claus-days",
                                type="number",
                                min=1,
                                max=account_tokens.MAX_DAYS,
                                step=1,
                                value=account_tokens.DEFAULT_DAYS,
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="g-3",
            ),
            dbc.Button(t("Create the key"), id="claus-create", color="primary", className="mt-3"),
            html.Div(id="claus-new", role="status", className="mt-3", **LIVE),
        ],
        className="mb-4",
    )


def layout(**query: str) -> Any:
    """The page: the form of a new key, the list of keys (filled by :func:`show_keys`)."""
    info = require_role()  # any signed-in account
    ctx = c.PageContext.from_query(query, PATH)
    t = ctx.t
    heading = t("Everybody's keys") if info.is_director else t("Your keys")
    children = [
        html.P(
            t(
                "A key lets a script or another system use the API in your name: reading what "
                "you may see, or also delivering your services' values. Keep it like a "
                "password; revoke it when it is no longer needed."
            )
        ),
        _new_key_form(info, t),
        html.H2(heading, className="h4"),
        html.Div(id="claus-message", role="status", **LIVE),
        html.Div(id="claus-list"),
        dcc.Store(id="claus-version", data=0),
    ]
    return c.frame(ctx, active=PATH, title=t("API access keys"), children=children)


# --- the list ---------------------------------------------------------------------------------


def _state(token: TokenInfo, now: dt.datetime, t: Callable[..., str], lang: str) -> str:
    """Never by colour alone: a sign and words."""
    if token.revoked_at is not None:
        when = c.short_datetime(token.revoked_at, lang)
        return "✖ " + t("Revoked on {date} by {user}", date=when, user=token.revoked_by or "–")
    if token.expired(now):
        return "⌛ " + t("Expired")
    return "✔ " + t("Active")


def _row(
    token: TokenInfo, director: bool, now: dt.datetime, t: Callable[..., str], lang: str
) -> Any:
    usable = token.usable(now)
    button = (
        html.Button(
            t("Revoke"),
            id={"type": REVOKE, "token": token.id},
            type="button",
            className="btn btn-danger btn-sm",
            **c.attrs(aria_label=t("Revoke the key {name}", name=token.name)),
        )
        if usable
        else None
    )
    cells: list[Any] = [html.Th(token.name, scope="row")]
    if director:
        cells.append(html.Td(token.username))
    cells += [
        html.Td(html.Code(f"sdp_{token.prefix}_…")),
        html.Td(t(account_tokens.SCOPE_LABELS.get(token.scope, token.scope))),
        html.Td(c.short_datetime(token.created_at, lang)),
        html.Td(c.short_datetime(token.expires_at, lang)),
        html.Td(c.short_datetime(token.last_used_at, lang)),
        html.Td(_state(token, now, t, lang), className="claus-state"),
        html.Td(button),
    ]
    return html.Tr(cells, className="claus-row", **c.attrs(data_token=str(token.id)))


def keys_table(keys: list[TokenInfo], director: bool, lang: str) -> Any:
    """The keys as a table (or a note when there are none)."""
    t = translator(lang)
    if not keys:
        return html.P(t("No keys yet."), id="claus-empty", className="text-body-secondary")
    now = dt.datetime.now(dt.UTC)
    header = [t("Name"), *([t("User")] if director else [])]
    header += [t("Key"), t("Scope"), t("Created"), t("Expires"), t("Last used"), t("State")]
    header.append(t("Action"))
    return html.Div(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                html.Tbody([_row(k, director, now, t, lang) for k in keys]),
            ],
            id="claus-table",
            className="table table-sm align-middle",
        ),
        className="table-responsive",
    )


@callback(
    Output("claus-list", "children"),
    Input("claus-version", "data"),
    State("page-lang", "data"),
)
def show_keys(_version: int | None, lang: str | None) -> Any:
    """The signed-in account's keys (a director's: everybody's)."""
    info = require_role()
    engine = get_engine(current_settings().database_url)
    keys = account_tokens.visible_tokens(engine, viewer=info)
    return keys_table(keys, info.is_director, lang or "ca")


# --- making and revoking ----------------------------------------------------------------------


def _shown_once(new: account_tokens.NewToken, t: Callable[..., str], lang: str) -> Any:
    """The new key, once: its text, a copy button and the warning."""
    return dbc.Alert(
        [
            html.P(
                [
                    html.Span("⚠ ", **HIDDEN),
                    html.Strong(t("Copy the key now: it will not be shown again.")),
                    " ",
                    t("Only a fingerprint of it is kept; if it is lost, make a new one."),
                ]
            ),
            html.Div(
                [
                    html.Code(
                        new.token,
                        id="claus-secret",
                        className="claus-secret",
                        style=SECRET_STYLE,
                    ),
                    dcc.Clipboard(
                        target_id="claus-secret",
                        title=t("Copy the key"),
                        className="claus-copy ms-2 d-inline-block",
                    ),
                ],
                className="d-flex align-items-center flex-wrap",
            ),
            html.P(
                t(
                    "«{name}» ({scope}) expires on {date}.",
                    name=new.info.name,
                    scope=t(account_tokens.SCOPE_LABELS[new.info.scope]),
                    date=c.short_datetime(new.info.expires_at, lang),
                ),
                className="mb-0 mt-2",
            ),
        ],
        color="warning",
        id="claus-created",
    )


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0
    try:
        number = float(value)
    except ValueError:
        return 0
    return int(number) if number.is_integer() else 0


@callback(
    Output("claus-new", "children"),
    Output("claus-version", "data"),
    Input("claus-create", "n_clicks"),
    State("claus-name", "value"),
    State("claus-scope", "value"),
    State("claus-days", "value"),
    State("claus-version", "data"),
    State("page-lang", "data"),
    prevent_initial_call=True,
)
def create_key(
    n_clicks: int | None,
    name: object,
    scope: object,
    days: object,
    version: int | None,
    lang: str | None,
) -> Any:
    """Make a key for the signed-in account and show it once."""
    info = require_role()
    if not n_clicks:
        return dash.no_update, dash.no_update
    t = translator(lang)
    engine = get_engine(current_settings().database_url)
    try:
        new = account_tokens.create_token(
            engine,
            user=info.username,
            name=name if isinstance(name, str) else "",
            scope=scope if isinstance(scope, str) else "",
            days=_days(days),
            by=info,
        )
    except AccountError as exc:
        alert = dbc.Alert([html.Span("✖ ", **HIDDEN), exc.message(lang)], color="danger")
        return html.Div(alert, id="claus-refused"), dash.no_update
    return _shown_once(new, t, lang or "ca"), (version or 0) + 1


@callback(
    Output("claus-message", "children"),
    Output("claus-version", "data", allow_duplicate=True),
    Input({"type": REVOKE, "token": ALL}, "n_clicks"),
    State("claus-version", "data"),
    State("page-lang", "data"),
    prevent_initial_call=True,
)
def revoke_key(clicks: list[int | None], version: int | None, lang: str | None) -> Any:
    """Revoke the key of the button pressed (its owner or a director: the domain checks)."""
    info = require_role()
    trigger = dash_ctx.triggered_id
    if not any(clicks or []) or not isinstance(trigger, dict):
        return dash.no_update, dash.no_update
    t = translator(lang)
    token_id = trigger.get("token")
    if not isinstance(token_id, int) or isinstance(token_id, bool):
        return dash.no_update, dash.no_update
    engine = get_engine(current_settings().database_url)
    try:
        revoked = account_tokens.revoke_token(engine, token_id, by=info)
    except AccountError as exc:
        alert = dbc.Alert([html.Span("✖ ", **HIDDEN), exc.message(lang)], color="danger")
        return html.Div(alert, id="claus-refused"), dash.no_update
    if revoked is None:
        message = t("The key was already revoked: nothing has changed.")
    else:
        message = t("The key «{name}» is revoked: it no longer works.", name=revoked.name)
    alert = dbc.Alert([html.Span("✔ ", **HIDDEN), message], color="success", id="claus-revoked")
    return alert, (version or 0) + 1
