"""The login page (``/login``, GET and POST) and ``/logout`` (POST).

The form carries the session's CSRF token; a successful login starts a new session (no
fixation, a new token). Failed logins are throttled per (account name, client address) and
per address with growing delays (``accounts.users.authenticate``, database-backed); the
answer never tells an existing name from an unknown one.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode, urlparse

from flask import Flask, Response, redirect, request, session
from flask_login import login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from accounts import audit, users
from i18n import LANGUAGES, format_number, translator
from indicators.storage.engine import get_engine
from web.context import current_settings, request_language
from web.csrf import CSRF_COOKIE, CSRF_FIELD, csrf_ok, csrf_token, same_origin
from web.responses import page
from web.users import WebUser, current_account

log = logging.getLogger("seguiment.auth")


def safe_next(target: str | None) -> str:
    """``target`` if it is a path of this site, else ``/`` (no open redirect)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if (
        parsed.scheme
        or parsed.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/"
    return target


def _demo_note(lang: str) -> str:
    t = translator(lang)
    try:
        if any(u.is_demo for u in users.list_users(get_engine(current_settings().database_url))):
            return (
                "<p class='note'>"
                + html.escape(
                    t(
                        "Demo installation: the demo accounts' passwords were printed in the terminal "
                        "when the app was first set up."
                    )
                )
                + "</p>"
            )
    except SQLAlchemyError as exc:  # the login page must render even if the database is slow
        log.warning("could not list demo accounts: %s", exc)
    return ""


def login_page(
    lang: str,
    *,
    error: str | None = None,
    username: str = "",
    next_url: str = "/",
    status: int = 200,
) -> Response:
    t = translator(lang)
    token = csrf_token()
    links = "".join(
        f'<li><a href="/login?{urlencode({"lang": code, "next": next_url})}" lang="{code}"'
        f' hreflang="{code}">{html.escape(name)}</a></li>'
        for code, name in LANGUAGES.items()
        if code != lang
    )
    error_html = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        f"<h1>{html.escape(t('Log in'))}</h1>"
        f"<p>{html.escape(t('Seguiment del Pla: follow-up of the COSS strategic plan.'))}</p>"
        f"{error_html}"
        f'<form method="post" action="/login?{urlencode({"lang": lang})}">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{html.escape(token)}">'
        f'<input type="hidden" name="next" value="{html.escape(next_url)}">'
        f'<label for="username">{html.escape(t("User name"))}</label>'
        f'<input type="text" id="username" name="username" autocomplete="username" required'
        f' value="{html.escape(username)}" autofocus>'
        f'<label for="password">{html.escape(t("Password"))}</label>'
        f'<input type="password" id="password" name="password" autocomplete="current-password"'
        f" required>"
        f'<button type="submit">{html.escape(t("Log in"))}</button></form>'
        f"{_demo_note(lang)}"
        f'<nav aria-label="{html.escape(t("Language"))}"><ul>{links}</ul></nav>'
    )
    return page(t("Log in"), body, lang, status)


def _refused_login(lang: str, result: users.AuthResult, username: str, next_url: str) -> Response:
    """The answer to a refused login. It depends only on whether the attempt was throttled,
    never on whether the name exists: 429 with ``Retry-After`` when it must wait, else 401
    (wrong password, unknown name or disabled account: one message)."""
    t = translator(lang)
    if result.reason == "throttled":
        seconds = max(1, result.retry_after or 1)
        if seconds == 1:
            message = t("Too many attempts. Try again in 1 second.")
        else:
            message = t(
                "Too many attempts. Try again in {seconds} seconds.",
                seconds=format_number(seconds, lang),
            )
        response = login_page(lang, error=message, username=username, next_url=next_url, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    message = t("Wrong user name or password, or the account is disabled.")
    return login_page(lang, error=message, username=username, next_url=next_url, status=401)


def login_view() -> Response:
    lang = request_language()
    next_url = safe_next(request.values.get("next"))
    if request.method in ("GET", "HEAD"):
        if current_account() is not None:
            return redirect(next_url)  # type: ignore[return-value]
        return login_page(lang, next_url=next_url)
    if not csrf_ok(request.form.get(CSRF_FIELD)) or not same_origin():
        return login_page(
            lang,
            error=translator(lang)("The form has expired. Please try again."),
            next_url=next_url,
            status=400,
        )
    settings = current_settings()
    username = (request.form.get("username") or "").strip()
    result = users.authenticate(
        get_engine(settings.database_url),
        username,
        request.form.get("password") or "",
        ip=request.remote_addr,
        policy=users.ThrottlePolicy.from_settings(settings),
    )
    if not result.ok or result.user is None:
        return _refused_login(lang, result, username, next_url)
    session.clear()  # a new session at login: no fixation, a new CSRF token
    csrf_token()
    login_user(WebUser(result.user))
    session.permanent = True
    return redirect(next_url)  # type: ignore[return-value]


def logout_view() -> Response:
    info = current_account()
    if info is not None:
        # server-side end: a copy of this cookie no longer matches the bumped session version
        users.end_sessions(get_engine(current_settings().database_url), info.id)
        audit.record(
            get_engine(current_settings().database_url),
            info.username,
            audit.ACTION_LOGOUT,
            info.username,
            {"ip": request.remote_addr},
        )
    logout_user()
    session.clear()
    response = redirect("/login")
    response.delete_cookie(CSRF_COOKIE)
    return response  # type: ignore[return-value]


def register_login(server: Flask) -> None:
    server.add_url_rule("/login", "auth_login", login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "auth_logout", logout_view, methods=["POST"])
