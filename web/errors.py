"""Errors and production behaviour of the web server: error pages, database outages, the
health check, the reverse proxy.

- No traceback and no debug page ever reach a client: an error answers a plain message in
  the request's language (HTML or JSON); the details of a real bug go to the log. Refusals
  (4xx) are logged without a traceback, if at all.
- When the database does not answer (``indicators.storage.engine.DATABASE_UNAVAILABLE_ERRORS``),
  pages get a 503 page in Catalan and Dash callbacks a 503 JSON error (which
  ``assets/seguiment_db_unavailable.js`` shows as a banner); nothing else needs restarting:
  the engine's ``pool_pre_ping`` drops dead connections, so the next request after the
  database comes back works.
- ``/healthz`` answers 200 when the database answers (for the reverse proxy or a load balancer).
- Behind a reverse proxy, ``PROXY_FIX_HOPS=N`` trusts N levels of ``X-Forwarded-*`` headers.
"""

from __future__ import annotations

import html
import logging

from dash.exceptions import DependencyException
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from i18n import gettext
from indicators.storage.engine import DATABASE_UNAVAILABLE_ERRORS, ping
from settings import Settings
from web.context import current_settings, request_language
from web.responses import forbidden, json_error, message_page, not_found, page, wants_json

log = logging.getLogger("seguiment.web")

DB_UNAVAILABLE = (
    "The database is not responding. Please try again in a few moments: no data has been lost."
)
DB_UNAVAILABLE_TITLE = "Service temporarily unavailable"
RETRY_AFTER_SECONDS = 15


def database_unavailable_response() -> Response:
    lang = request_language()
    message = gettext(DB_UNAVAILABLE, lang)
    if wants_json():
        response = json_error(503, "database_unavailable", message)
    else:
        response = message_page(gettext(DB_UNAVAILABLE_TITLE, lang), message, lang, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _too_large() -> Response:
    lang = request_language()
    mb = current_settings().max_upload_bytes / (1024 * 1024)
    message = gettext("The file is too large (maximum {mb} MB).", lang, mb=f"{mb:g}")
    if wants_json():
        return json_error(413, "too_large", message)
    return page(message, f'<p role="alert">{html.escape(message)}</p>', lang, 413)


def error_response(error: Exception) -> Response:
    """No traceback, no debug page: a plain message (the details of a bug go to the log)."""
    if isinstance(error, RequestEntityTooLarge):
        return _too_large()
    if isinstance(error, HTTPException) and error.code and error.code < 500:
        if error.code == 403:
            return forbidden()
        if error.code == 404:
            return not_found()
        if wants_json():
            return json_error(error.code, "http_error", error.name)
        return page(
            error.name, f"<h1>{html.escape(error.name)}</h1>", request_language(), error.code
        )
    log.error(
        "unhandled error on %s %s",
        request.method,
        request.path,
        exc_info=error if not isinstance(error, HTTPException) else None,
    )
    lang = request_language()
    message = gettext("Something went wrong. The error has been logged; please try again.", lang)
    if wants_json():
        return json_error(500, "internal_error", message)
    title = gettext("Internal error", lang)
    return page(title, f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>", lang, 500)


def _unknown_component_file(error: Exception) -> Response:
    """Dash refuses a file of ``/_dash-component-suites/`` it does not serve: a 404, one line
    in the log (anyone may ask for any address; it is no bug of ours)."""
    log.info("no such component file: %s", request.path)
    return not_found()


def register_error_pages(server: Flask) -> None:
    server.register_error_handler(HTTPException, error_response)
    server.register_error_handler(DependencyException, _unknown_component_file)
    server.register_error_handler(Exception, error_response)


def register_production(server: Flask, settings: Settings) -> None:
    """Install the outage handler, the health check and (when asked) ProxyFix on ``server``."""
    if settings.proxy_fix_hops > 0:
        hops = settings.proxy_fix_hops
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    def _database_unavailable(error: Exception) -> Response:
        reason = str(getattr(error, "orig", None) or error)
        log.error(
            "database error on %s %s: %s",
            request.method,
            request.path,
            reason.splitlines()[0] if reason else type(error).__name__,
        )
        # Whoever is logged in cannot be looked up now: make later hooks of this request (e.g.
        # an after_request reading current_user) treat it as anonymous instead of querying the
        # database again and turning this 503 into a 500.
        manager = getattr(server, "login_manager", None)
        if manager is not None:
            g._login_user = manager.anonymous_user()
        return database_unavailable_response()

    # connection-level failures only: an integrity error is a bug, not an outage
    for error_class in DATABASE_UNAVAILABLE_ERRORS:
        server.register_error_handler(error_class, _database_unavailable)

    @server.route("/healthz")
    def _healthz() -> Response:
        ping(settings.database_url)
        return jsonify({"status": "ok"})
