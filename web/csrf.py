"""CSRF protection: a per-session random token, checked on every state-changing request.

The login and logout forms carry the token in a hidden field (``csrf_token``); Dash's
renderer sends it in the ``X-CSRFToken`` header, read from the ``_csrf_token`` cookie
(SameSite=Strict, readable by the page's script). A POST, PUT, PATCH or DELETE without the
right token, or from another origin (``Origin``, or lacking it ``Referer``), gets 403.

One exception (issue 19): a POST to an endpoint that authenticates by a bearer token only
(``TOKEN_ENDPOINTS``: ``POST /api/v1/submissions``) sent without a session cookie is not a
browser form: nothing ambient (no cookie) vouches for it, the endpoint asks for its token.
The same request carrying a session cookie is checked like any other.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from flask import Response, current_app, request, session

from i18n import gettext
from web.context import request_language
from web.responses import json_error
from web.session import SESSION_COOKIE

CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_ENDPOINTS = frozenset({"/api/v1/submissions"})  # bearer token only, never the session


def csrf_token() -> str:
    """This session's token (made on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(candidate: str | None) -> bool:
    expected = session.get("csrf")
    return bool(
        candidate
        and isinstance(expected, str)
        and hmac.compare_digest(candidate.encode(), expected.encode())
    )


def same_origin() -> bool:
    """An Origin (or, lacking it, Referer) header, when present, must be this host."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return source != "null"
    return urlparse(source).netloc == request.host


def refuse_forged_request() -> Response | None:
    """403 for a state-changing request without this session's token or from elsewhere
    (the login form checks its own token, to answer with the form again)."""
    if request.method in SAFE_METHODS or request.path == "/login" or is_token_request():
        return None
    if not same_origin():
        return json_error(403, "csrf", "Cross-origin request refused.")
    token = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not csrf_ok(token):
        return json_error(
            403, "csrf", gettext("The session has expired: reload the page.", request_language())
        )
    return None


def is_token_request() -> bool:
    """A request to a token-only endpoint without a session cookie (not a browser's form)."""
    return request.path in TOKEN_ENDPOINTS and SESSION_COOKIE not in request.cookies


def set_csrf_cookie(response: Response, logged_in: bool) -> None:
    """Hand a logged-in session's token to Dash's renderer (which sends it back in the
    ``X-CSRFToken`` header)."""
    token = session.get("csrf") if logged_in else None
    if token and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=False,
            samesite="Strict",
            secure=current_app.session_interface.get_cookie_secure(current_app),
            path="/",
        )
