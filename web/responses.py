"""The web side's own answers (outside Dash): a small HTML page, a JSON error, 401, 403, 404.

Pages get HTML; Dash's endpoints, ``/api/`` and requests asking for JSON get
``{"error": code, "message": text}``. None of them is cached. The page's style is one
constant (``PAGE_STYLE``) so that the Content-Security-Policy can allow it by its hash.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from flask import Response, jsonify, redirect, request

from i18n import gettext, translator
from web.context import request_language

PAGE_STYLE = (
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
    "a{color:#0b5394}"
)
DASH_ENDPOINTS = ("/_dash-", "/_reload-hash")


class OwnPage(Response):
    """A page of ours, not Dash's: no script, only ``PAGE_STYLE`` (its own, stricter CSP)."""


def wants_json() -> bool:
    """Whether this request expects a JSON answer (Dash's renderer, the API, XHR)."""
    if any(marker in request.path for marker in DASH_ENDPOINTS) or request.path.startswith("/api/"):
        return True
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def page(title: str, body: str, lang: str, status: int = 200) -> Response:
    """A small self-contained HTML page (``body`` is already escaped HTML)."""
    doc = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · Seguiment del Pla</title><style>{PAGE_STYLE}</style>"
        f"</head><body><main>{body}</main></body></html>"
    )
    response = OwnPage(doc, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def message_page(title: str, message: str, lang: str, status: int) -> Response:
    """A page with a heading and one announced message."""
    return page(
        title,
        f'<h1>{html.escape(title)}</h1><p role="alert">{html.escape(message)}</p>',
        lang,
        status,
    )


def json_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def unauthenticated() -> Response:
    """401 for Dash and JSON requests; pages are redirected to the login form."""
    if wants_json():
        return json_error(401, "unauthenticated", gettext("Please log in.", request_language()))
    target = request.full_path if request.query_string else request.path
    return redirect("/login?" + urlencode({"next": target}), code=302)  # type: ignore[return-value]


def forbidden() -> Response:
    lang = request_language()
    message = gettext("Your account does not have access to this page.", lang)
    if wants_json():
        return json_error(403, "forbidden", message)
    t = translator(lang)
    return page(
        t("Access denied"),
        f"<h1>{html.escape(t('Access denied'))}</h1>"
        f'<p role="alert">{html.escape(message)}</p>'
        f'<p><a href="/">{html.escape(t("Back to the overview"))}</a></p>',
        lang,
        403,
    )


def not_found() -> Response:
    lang = request_language()
    message = gettext(
        "The address you asked for does not exist in this app. It may be "
        "mistyped or the page may have moved.",
        lang,
    )
    if wants_json():
        return json_error(404, "not_found", message)
    return message_page(gettext("Page not found", lang), message, lang, 404)
