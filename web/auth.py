"""Web authentication and authorisation: login, sessions, roles, CSRF, secure defaults.

``init_auth(app, settings)`` (called once by ``create_app``) installs:

- Flask-Login with the session in Flask's signed cookie (no server-side store: any worker
  answers any request). The session id includes a digest of the password hash, so a password
  reset ends the user's other sessions; a disabled user is logged out at the next request.
- a deny-by-default guard: every route except the login page, static assets and ``/healthz``
  needs a logged-in user. Unauthenticated HTML requests are redirected to ``/login``; Dash's
  ``/_dash-*`` endpoints and JSON requests get 401. Pages and callbacks of restricted areas
  (``ROLE_PAGES``, ``ROLE_COMPONENT_PREFIXES``) answer 403 to other roles, and the callbacks
  themselves check again (``require_role``).
- CSRF protection: a per-session random token. The login and logout forms carry it in a
  hidden field; Dash's renderer sends it in the ``X-CSRFToken`` header, read from the
  ``_csrf_token`` cookie (SameSite=Strict). Every state-changing request (POST, PUT, PATCH,
  DELETE) without the right token, or from another origin, gets 403.
- cookies HttpOnly (the session) and SameSite, Secure over HTTPS (or always with
  ``SESSION_COOKIE_SECURE=true``); a generic error page (never a traceback); a request size
  limit; login throttling per user and per client address (database-backed).
- the download routes of the submission workflow (template and original files), with the
  same role checks as the pages.
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
import logging
import os
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from dash import Dash, dcc
from dash import html as dhtml
from flask import (
    Flask,
    Response,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.exceptions import Forbidden, HTTPException, RequestEntityTooLarge

from accounts import core as accounts
from accounts.core import UserInfo
from i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext, normalise_language, translator
from indicators.storage.engine import get_engine
from settings import Settings

log = logging.getLogger("seguiment.auth")

CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
SESSION_COOKIE = "seguiment_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/login", "/healthz",
                   "/_favicon.ico", "/favicon.ico")
DIRECTOR = frozenset({"director"})
UPLOADERS = accounts.UPLOAD_ROLES
# pages and the roles that may open them (everything else: any logged-in user)
ROLE_PAGES: dict[str, frozenset[str]] = {
    "/enviar": UPLOADERS,
    "/gestio": DIRECTOR,
    "/usuaris": DIRECTOR,
    "/auditoria": DIRECTOR,
    "/descarrega/plantilla": UPLOADERS,
    "/descarrega/lliurament": UPLOADERS,
}
# component id prefixes of restricted pages: their callbacks need the same roles
ROLE_COMPONENT_PREFIXES: dict[str, frozenset[str]] = {
    "enviar-": UPLOADERS,
    "gestio-": DIRECTOR,
    "usuaris-": DIRECTOR,
    "auditoria-": DIRECTOR,
}
PAGES_CONTENT_ID = "_pages_content"
PAGES_LOCATION_ID = "_pages_location"


# --- the logged-in user -------------------------------------------------------------------


class WebUser(UserMixin):  # type: ignore[misc]
    """Flask-Login's view of an account (loaded from the database at every request)."""

    def __init__(self, info: UserInfo) -> None:
        self.info = info

    def get_id(self) -> str:
        return f"{self.info.id}:{self.info.session_token}"

    @property
    def is_active(self) -> bool:
        return self.info.active

    @property
    def username(self) -> str:
        return self.info.username

    @property
    def role(self) -> str:
        return self.info.role


def current_account() -> UserInfo | None:
    """The logged-in account of this request, or None."""
    if not has_request_context():
        return None
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    info: UserInfo = user.info
    return info


def require_role(*roles: str) -> UserInfo:
    """The logged-in account if its role is one of ``roles``; otherwise 403 (in callbacks too)."""
    info = current_account()
    if info is None or (roles and info.role not in roles):
        raise Forbidden()
    return info


def normalise_path(path: str) -> str:
    """``//enviar/`` → ``/enviar`` (how Dash's page router reads a pathname)."""
    return "/" + "/".join(part for part in path.split("/") if part)


def roles_for_path(path: str) -> frozenset[str] | None:
    norm = normalise_path(path)
    for prefix, roles in ROLE_PAGES.items():
        if norm == prefix or norm.startswith(prefix + "/"):
            return roles
    return None


def role_allows_path(role: str | None, path: str) -> bool:
    roles = roles_for_path(path)
    return roles is None or role in roles


def _engine_for(settings: Settings) -> Any:
    return get_engine(settings.database_url)


def _settings() -> Settings:
    settings: Settings = current_app.config["SEGUIMENT_SETTINGS"]
    return settings


def _lang() -> str:
    return normalise_language(request.args.get("lang") or request.cookies.get("lang")
                              or DEFAULT_LANGUAGE)


# --- CSRF ---------------------------------------------------------------------------------


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok(candidate: str | None) -> bool:
    expected = session.get("csrf")
    return bool(candidate and isinstance(expected, str)
                and hmac.compare_digest(candidate.encode(), expected.encode()))


def _same_origin() -> bool:
    """An Origin (or, lacking it, Referer) header, when present, must be this host."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return source != "null"
    return urlparse(source).netloc == request.host


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return forced or (has_request_context() and request.is_secure)


# --- responses ------------------------------------------------------------------------------


def _wants_json() -> bool:
    if "/_dash-" in request.path or request.path.startswith("/api/"):
        return True
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _page(title: str, body: str, lang: str, status: int = 200) -> Response:
    doc = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · Seguiment del Pla</title><style>"
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f4f6f8;"
        "color:#1a1a1a;margin:0}main{max-width:26rem;margin:4rem auto;background:#fff;"
        "padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}"
        "h1{font-size:1.5rem;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .3rem}"
        "input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;"
        "font-size:1rem;border:1px solid #6c757d;border-radius:4px}"
        "button{margin-top:1.3rem;width:100%;padding:.65rem;font-size:1rem;background:#0b5394;"
        "color:#fff;border:0;border-radius:4px;cursor:pointer}button:focus,input:focus,a:focus"
        "{outline:3px solid #f1c232;outline-offset:2px}.error{background:#fbe3e4;color:#8a1f11;"
        "border:1px solid #8a1f11;padding:.7rem;border-radius:4px}.note{color:#444;"
        "font-size:.9rem}nav ul{list-style:none;padding:0;display:flex;gap:1rem}"
        "a{color:#0b5394}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    response = Response(doc, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _unauthenticated() -> Response:
    lang = _lang()
    if _wants_json():
        return _json_error(401, "unauthenticated", gettext("Please log in.", lang))
    target = request.full_path if request.query_string else request.path
    return redirect("/login?" + urlencode({"next": target}), code=302)  # type: ignore[return-value]


def _forbidden() -> Response:
    lang = _lang()
    message = gettext("Your account does not have access to this page.", lang)
    if _wants_json():
        return _json_error(403, "forbidden", message)
    t = translator(lang)
    return _page(t("Access denied"), f"<h1>{html.escape(t('Access denied'))}</h1>"
                 f'<p role="alert">{html.escape(message)}</p>'
                 f'<p><a href="/">{html.escape(t("Back to the overview"))}</a></p>', lang, 403)


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


# --- login page -----------------------------------------------------------------------------


def _login_page(lang: str, *, error: str | None = None, username: str = "",
                next_url: str = "/", status: int = 200) -> Response:
    t = translator(lang)
    token = csrf_token()
    links = "".join(
        f'<li><a href="/login?{urlencode({"lang": code, "next": next_url})}" lang="{code}"'
        f' hreflang="{code}">{html.escape(name)}</a></li>'
        for code, name in LANGUAGES.items() if code != lang
    )
    error_html = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    demo_note = ""
    try:
        if any(u.is_demo for u in accounts.list_users(_engine_for(_settings()))):
            demo_note = "<p class='note'>" + html.escape(t(
                "Demo installation: the demo accounts' passwords were printed in the terminal "
                "when the app was first set up.")) + "</p>"
    except Exception:  # the login page must render even if the database is slow
        log.exception("could not list demo accounts")
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
        f"{demo_note}"
        f'<nav aria-label="{html.escape(t("Language"))}"><ul>{links}</ul></nav>'
    )
    return _page(t("Log in"), body, lang, status)


def _login_view() -> Response:
    lang = _lang()
    t = translator(lang)
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_account() is not None:
            return redirect(next_url)  # type: ignore[return-value]
        return _login_page(lang, next_url=next_url)
    if not _csrf_ok(request.form.get(CSRF_FIELD)) or not _same_origin():
        return _login_page(lang, error=t("The form has expired. Please try again."),
                           next_url=next_url, status=400)
    settings = _settings()
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    result = accounts.authenticate(
        _engine_for(settings), username, password,
        max_failures=settings.login_max_failures,
        lockout_seconds=settings.login_lockout_seconds,
        ip=request.remote_addr,
        max_failures_per_ip=settings.login_max_failures_per_ip,
    )
    if not result.ok or result.user is None:
        if result.reason in ("locked", "ip_throttled"):
            minutes = max(1, round(settings.login_lockout_seconds / 60))
            message = t("Too many failed attempts. Try again in {minutes} minutes.",
                        minutes=minutes)
            status = 429
        else:
            message = t("Wrong user name or password, or the account is disabled.")
            status = 401
        return _login_page(lang, error=message, username=username, next_url=next_url,
                           status=status)
    session.clear()  # a new session at login: no fixation, a new CSRF token
    csrf_token()
    login_user(WebUser(result.user))
    session.permanent = True
    return redirect(next_url)  # type: ignore[return-value]


def _logout_view() -> Response:
    info = current_account()
    if info is not None:
        accounts.record(_engine_for(_settings()), info.username, accounts.ACTION_LOGOUT,
                        info.username, {"ip": request.remote_addr})
    logout_user()
    session.clear()
    response = redirect("/login")
    response.delete_cookie(CSRF_COOKIE)
    return response  # type: ignore[return-value]


# --- the guard --------------------------------------------------------------------------------


def _callback_roles(payload: Any) -> set[str] | None:
    """Roles a Dash callback request needs (None: any logged-in user)."""
    if not isinstance(payload, dict):
        return None
    output = str(payload.get("output", ""))
    needed: set[str] | None = None
    for prefix, roles in ROLE_COMPONENT_PREFIXES.items():
        if prefix in output:
            needed = set(roles) if needed is None else needed & set(roles)
    if PAGES_CONTENT_ID in output:
        for item in payload.get("inputs") or []:
            if isinstance(item, dict) and item.get("id") == PAGES_LOCATION_ID \
                    and item.get("property") == "pathname":
                page_roles = roles_for_path(str(item.get("value") or "/"))
                if page_roles is not None:
                    needed = set(page_roles) if needed is None else needed & set(page_roles)
    return needed


def _guard() -> Response | None:
    path = request.path
    if request.method not in SAFE_METHODS and path != "/login":
        if not _same_origin():
            return _json_error(403, "csrf", "Cross-origin request refused.")
        token = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
        if not _csrf_ok(token):
            return _json_error(403, "csrf", gettext(
                "The session has expired: reload the page.", _lang()))
    if path.startswith(PUBLIC_PREFIXES):
        return None
    info = current_account()
    if info is None:
        return _unauthenticated()
    if not role_allows_path(info.role, path):
        return _forbidden()
    if path.endswith("/_dash-update-component"):
        needed = _callback_roles(request.get_json(silent=True))
        if needed is not None and info.role not in needed:
            return _forbidden()
    return None


def _after(response: Response) -> Response:
    # Dash's renderer sends this cookie back in the X-CSRFToken header
    token = session.get("csrf") if current_account() is not None else None
    if token and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=False, samesite="Strict",
            secure=current_app.session_interface.get_cookie_secure(current_app),
            path="/",
        )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith(("/_dash-layout", "/_dash-update-component", "/descarrega/")):
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_handler(error: Exception) -> Response:
    """No traceback, no debug page: a plain message (the details go to the log)."""
    lang = _lang()
    if isinstance(error, RequestEntityTooLarge):
        mb = _settings().max_upload_bytes / (1024 * 1024)
        message = gettext("The file is too large (maximum {mb} MB).", lang, mb=f"{mb:g}")
        if _wants_json():
            return _json_error(413, "too_large", message)
        return _page(message, f'<p role="alert">{html.escape(message)}</p>', lang, 413)
    if isinstance(error, HTTPException) and error.code and error.code < 500:
        if error.code == 403:
            return _forbidden()
        if _wants_json():
            return _json_error(error.code, "http_error", error.name)
        return _page(error.name, f"<h1>{html.escape(error.name)}</h1>", lang, error.code)
    log.error("unhandled error on %s %s", request.method, request.path,
              exc_info=error if not isinstance(error, HTTPException) else None)
    message = gettext("Something went wrong. The error has been logged; please try again.", lang)
    if _wants_json():
        return _json_error(500, "internal_error", message)
    title = gettext("Internal error", lang)
    return _page(title, f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>", lang,
                 500)


# --- the user bar shown above every page ----------------------------------------------------

USER_LINKS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/enviar", "Submit data", UPLOADERS),
    ("/gestio", "Approvals and locks", DIRECTOR),
    ("/usuaris", "Users", DIRECTOR),
    ("/auditoria", "Audit log", DIRECTOR),
)


def _page_lang() -> str:
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


def skip_link(lang: str | None = None) -> dhtml.A:
    """«Salta al contingut principal»: the first thing a keyboard reaches, before the account
    bar and the page's header (every page's ``main`` is ``#main-content``)."""
    lang = normalise_language(lang or (_page_lang() if has_request_context() else None))
    return dhtml.A(gettext("Skip to main content", lang), href="#main-content",
                   className="skip-link", id="skip-link")


def user_bar(lang: str | None = None) -> dhtml.Div:
    """Who is logged in (and whether it is a demo account), role links and logout."""
    lang = normalise_language(lang or (_page_lang() if has_request_context() else None))
    t = translator(lang)
    info = current_account()
    if info is None:
        return dhtml.Div(id="auth-bar", hidden=True)
    role = t(accounts.ROLE_LABELS.get(info.role, info.role))
    items: list[Any] = []
    if info.is_demo:
        hidden_from_readers: dict[str, Any] = {"aria-hidden": "true"}  # the words say it
        items.append(dhtml.Div(
            [dhtml.Span("⚠", className="auth-demo-icon", **hidden_from_readers),
             dhtml.Span([dhtml.Strong(t("Demo account")), " · ", t(
                 "This installation has demo accounts and demo data: do not use it for real data."
             )])],
            className="auth-demo-banner", role="note", id="auth-demo-banner"))
    links = [dhtml.Li(dcc.Link(t(label), href=path, className="auth-link"))
             for path, label, roles in USER_LINKS if info.role in roles]
    who: list[Any] = [t("Logged in as"), " ", dhtml.Strong(info.username, id="auth-username"),
                      " ", dhtml.Span(f"({role})", className="auth-role")]
    if info.is_demo:
        who += [" ", dhtml.Span(t("demo"), className="auth-demo-tag")]
    nav_props: dict[str, Any] = {"aria-label": t("Account")}
    items.append(dhtml.Div([
        dhtml.Span(who, className="auth-who"),
        dhtml.Nav(dhtml.Ul(links, className="auth-links"), className="auth-nav",
                  **nav_props) if links else None,
        dhtml.Form([
            dcc.Input(type="hidden", name=CSRF_FIELD, value=session.get("csrf", "")),
            dhtml.Button(t("Log out"), type="submit", className="auth-logout",
                         id="auth-logout"),
        ], method="POST", action="/logout", className="auth-logout-form"),
    ], className="auth-row"))
    return dhtml.Div(items, id="auth-bar", className="auth-bar")


def _wrap_layout(app: Dash) -> None:
    original = app.layout
    if original is None:
        return

    def layout() -> Any:
        inner = original() if callable(original) else original
        return dhtml.Div([skip_link(), user_bar(), inner], className="auth-wrapper")

    app.layout = layout


# --- downloads --------------------------------------------------------------------------------


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    from werkzeug.utils import secure_filename

    safe = secure_filename(filename) or "fitxer"
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _template_download() -> Response:
    from indicators.intake.template import TemplateError, build_template, template_filename

    info = require_role(*UPLOADERS)
    settings = _settings()
    plan = current_app.config["SEGUIMENT_PLAN"]
    lang = _lang()
    service = request.args.get("service", "")
    period = request.args.get("period", "")
    if service not in accounts.allowed_services(info, plan.service_by_code):
        return _forbidden()
    last_values: dict[str, float | str | None] = {}
    try:
        from indicators.intake.template import last_values_from_frame
        from indicators.storage.queries import values_frame

        last_values = last_values_from_frame(
            values_frame(_engine_for(settings)), service, period)
    except Exception:  # last values are a help, not a requirement
        log.warning("no last values for the template of %s %s", service, period)
    try:
        content = build_template(plan, service, period, last_values=last_values,
                                 settings=settings, lang=lang)
    except TemplateError as exc:
        return _page(str(exc), f'<p role="alert">{html.escape(str(exc))}</p>', lang, 400)
    return _download(
        content, template_filename(service, period),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _submission_download(submission_id: int) -> Response:
    from indicators.storage.queries import submission_content, submissions_frame

    info = require_role(*UPLOADERS)
    settings = _settings()
    plan = current_app.config["SEGUIMENT_PLAN"]
    engine = _engine_for(settings)
    frame = submissions_frame(engine)
    row = frame[frame["id"] == submission_id]
    if row.empty:
        return _page("404", "<h1>404</h1>", _lang(), 404)
    service = str(row.iloc[0]["service"])
    if service not in accounts.allowed_services(info, plan.service_by_code):
        return _forbidden()
    filename, content = submission_content(engine, submission_id)
    return _download(content, filename, "application/octet-stream")


# --- installation ---------------------------------------------------------------------------


def effective_secret_key(settings: Settings) -> str:
    """The key that signs sessions and pending uploads. In development, instead of the
    well-known default, a random key kept in ``instance/secret_key`` (made on first use, so
    every process of the install shares it); elsewhere ``SECRET_KEY`` itself."""
    from settings import DEV_SECRET_KEY, INSTANCE_DIR

    if settings.environment != "development" or settings.secret_key != DEV_SECRET_KEY:
        return settings.secret_key
    path = INSTANCE_DIR / "secret_key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        key = path.read_text().strip()
        return key or settings.secret_key
    except FileExistsError:  # another process made it at the same moment
        return path.read_text().strip() or settings.secret_key
    except OSError:
        log.warning("could not keep a development secret key in %s", path)
        return settings.secret_key


def signing_key() -> str:
    """The running app's signing key (see :func:`effective_secret_key`)."""
    return str(current_app.secret_key)


def init_auth(app: Dash, settings: Settings) -> None:
    """Protect ``app``: see the module docstring."""
    server = app.server
    if not settings.secret_key:
        raise RuntimeError("SECRET_KEY must be set.")
    server.secret_key = effective_secret_key(settings)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # a dcc.Upload travels base64-encoded inside JSON: room for that, no more
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 4 // 3 + 256 * 1024,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    server.session_interface = _SessionInterface()

    manager = LoginManager()
    manager.session_protection = "basic"
    manager.init_app(server)

    @manager.user_loader  # type: ignore[untyped-decorator]
    def _load_user(user_id: str) -> WebUser | None:
        raw_id, _sep, token = user_id.partition(":")
        if not raw_id.isdigit():
            return None
        info = accounts.get_user_by_id(_engine_for(_settings()), int(raw_id))
        if info is None or not info.active or not hmac.compare_digest(
                token.encode(), info.session_token.encode()):
            return None
        return WebUser(info)

    server.before_request(_guard)
    server.after_request(_after)
    server.register_error_handler(HTTPException, _error_handler)
    server.register_error_handler(Exception, _error_handler)
    server.add_url_rule("/login", "auth_login", _login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "auth_logout", _logout_view, methods=["POST"])
    server.add_url_rule("/descarrega/plantilla", "auth_template", _template_download)
    server.add_url_rule("/descarrega/lliurament/<int:submission_id>", "auth_submission",
                        _submission_download)
    _wrap_layout(app)

