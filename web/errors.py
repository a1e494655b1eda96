"""Production behaviour of the web server: database outages, health check, reverse proxy.

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

from flask import Flask, Response, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from i18n import DEFAULT_LANGUAGE, gettext, normalise_language
from indicators.storage.engine import DATABASE_UNAVAILABLE_ERRORS, ping
from settings import Settings

log = logging.getLogger("seguiment.web")

DB_UNAVAILABLE = (
    "The database is not responding. Please try again in a few moments: no data has been lost."
)
DB_UNAVAILABLE_TITLE = "Service temporarily unavailable"
RETRY_AFTER_SECONDS = 15


def _language() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang") or DEFAULT_LANGUAGE
    return normalise_language(lang)


def _wants_json() -> bool:
    if "/_dash-" in request.path or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def database_unavailable_response() -> Response:
    lang = _language()
    message = gettext(DB_UNAVAILABLE, lang)
    title = gettext(DB_UNAVAILABLE_TITLE, lang)
    if _wants_json():
        response = jsonify({"error": "database_unavailable", "message": message})
    else:
        body = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            '<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;'
            ' padding: 0 1rem; color: #1a1a1a">'
            f'<h1>{html.escape(title)}</h1><p role="alert">{html.escape(message)}</p>'
            "</body></html>"
        )
        response = Response(body, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register_production(server: Flask, settings: Settings) -> None:
    """Install the outage handler, the health check and (when asked) ProxyFix on ``server``."""
    if settings.proxy_fix_hops > 0:
        hops = settings.proxy_fix_hops
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    def _database_unavailable(error: Exception) -> Response:
        reason = str(getattr(error, "orig", None) or error)
        log.error("database error on %s %s: %s", request.method, request.path,
                  reason.splitlines()[0] if reason else type(error).__name__)
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
