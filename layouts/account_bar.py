"""What every page shows above its own frame: the skip link and the account bar.

The account bar says who is logged in (and whether it is a demo account), links to the
areas of the account's role and holds the logout form (with the session's CSRF token).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from dash import dcc, html
from flask import has_request_context, request, session

from accounts.roles import ROLE_LABELS, ROLES
from i18n import DEFAULT_LANGUAGE, gettext, normalise_language, translator
from web.csrf import CSRF_FIELD
from web.users import DIRECTOR, UPLOADERS, current_account

USER_LINKS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/el-meu-trimestre", "My quarter", UPLOADERS),
    ("/enviar", "Submit data", UPLOADERS),
    ("/gestio", "Approvals and locks", DIRECTOR),
    ("/usuaris", "Users", DIRECTOR),
    ("/auditoria", "Audit log", DIRECTOR),
    ("/claus", "API access keys", frozenset(ROLES)),  # issue 19: personal API tokens
)


def page_lang() -> str:
    """The language of the page whose layout is being served. Dash fetches the layout from
    ``/_dash-layout``, without the page's query string but with the page's address as the
    Referer (same origin): its ``?lang=`` wins over the cookie, which the page only updates
    once drawn — a shared ``?lang=en`` link, or a click on a language, is in that language
    from the first paint, account bar included."""
    lang = request.args.get("lang")
    if not lang and request.referrer:
        referrer = urlparse(request.referrer)
        if referrer.netloc == request.host:
            lang = next(iter(parse_qs(referrer.query).get("lang", [])), None)
    return normalise_language(lang or request.cookies.get("lang") or DEFAULT_LANGUAGE)


def _language(lang: str | None) -> str:
    return normalise_language(lang or (page_lang() if has_request_context() else None))


def skip_link(lang: str | None = None) -> html.A:
    """«Salta al contingut principal»: the first thing a keyboard reaches, before the account
    bar and the page's header (every page's ``main`` is ``#main-content``)."""
    return html.A(
        gettext("Skip to main content", _language(lang)),
        href="#main-content",
        className="skip-link",
        id="skip-link",
    )


def _demo_banner(t: Any) -> html.Div:
    hidden_from_readers: dict[str, Any] = {"aria-hidden": "true"}  # the words say it
    return html.Div(
        [
            html.Span("⚠", className="auth-demo-icon", **hidden_from_readers),
            html.Span(
                [
                    html.Strong(t("Demo account")),
                    " · ",
                    t(
                        "This installation has demo accounts and demo data: do not use it for real data."
                    ),
                ]
            ),
        ],
        className="auth-demo-banner",
        role="note",
        id="auth-demo-banner",
    )


def user_bar(lang: str | None = None) -> html.Div:
    """Who is logged in (and whether it is a demo account), role links and logout."""
    t = translator(_language(lang))
    info = current_account()
    if info is None:
        return html.Div(id="auth-bar", hidden=True)
    items: list[Any] = [_demo_banner(t)] if info.is_demo else []
    links = [
        html.Li(dcc.Link(t(label), href=path, className="auth-link"))
        for path, label, roles in USER_LINKS
        if info.role in roles
    ]
    who: list[Any] = [
        t("Logged in as"),
        " ",
        html.Strong(info.username, id="auth-username"),
        " ",
        html.Span(f"({t(ROLE_LABELS.get(info.role, info.role))})", className="auth-role"),
    ]
    if info.is_demo:
        who += [" ", html.Span(t("demo"), className="auth-demo-tag")]
    nav_props: dict[str, Any] = {"aria-label": t("Account")}
    items.append(
        html.Div(
            [
                html.Span(who, className="auth-who"),
                html.Nav(html.Ul(links, className="auth-links"), className="auth-nav", **nav_props)
                if links
                else None,
                html.Form(
                    [
                        dcc.Input(type="hidden", name=CSRF_FIELD, value=session.get("csrf", "")),
                        html.Button(
                            t("Log out"), type="submit", className="auth-logout", id="auth-logout"
                        ),
                    ],
                    method="POST",
                    action="/logout",
                    className="auth-logout-form",
                ),
            ],
            className="auth-row",
        )
    )
    return html.Div(items, id="auth-bar", className="auth-bar")
